// Dataset.swift: a labelled classification data set.
import Kernels

/// A labelled classification data set: `count` samples (rows) of `featureCount` features, stored
/// row-major, each with a class index in `0..<classCount`.
public struct Dataset: Sendable, Equatable {
    /// The largest accepted `classCount`. A label beyond it is almost certainly a corrupt file or
    /// a wrong label column, and one-hot batches of that width would be absurd.
    public static let maximumClassCount = 1 << 20

    /// `count × featureCount` values, row-major: sample `i`, feature `j` is element `i·featureCount + j`.
    public let features: FeatureStorage
    /// `count` class indices, each in `0..<classCount`.
    public let labels: [Int]
    /// Number of samples.
    public let count: Int
    /// Number of features per sample (for images, rows × columns).
    public let featureCount: Int
    /// Number of classes: the width of a one-hot label row.
    public let classCount: Int
    /// The file path(s) the data came from, used in messages.
    public let source: String
    /// The shape of one sample as an image, [channels, height, width] (NCHW), when the file says
    /// so (see ``imageShape(ofArray:)``); nil for data without one (CSV rows, 2-D arrays).
    /// Its product is `featureCount`.
    public let imageShape: [Int]?

    /// The image shape a file's array of `shape` (samples first) gives each sample: `[n, h, w]`
    /// is 1×h×w, `[n, c, h, w]` is c×h×w; any other rank gives none.
    public static func imageShape(ofArray shape: [Int]) -> [Int]? {
        switch shape.count {
        case 3: return [1, shape[1], shape[2]]
        case 4: return Array(shape.dropFirst())
        default: return nil
        }
    }

    /// Creates a data set, checking that the pieces fit together.
    ///
    /// - Parameters:
    ///   - features: `labels.count × featureCount` values, row-major.
    ///   - labels: one class index per sample; `count` is `labels.count`.
    ///   - featureCount: features per sample, at least 1.
    ///   - classCount: number of classes, in `1...maximumClassCount`.
    ///   - source: where the data came from, for messages.
    ///   - imageShape: the shape of a sample as an image, [C, H, W], if the data has one.
    /// - Throws: `DatasetError` (naming `source` and, where it applies, the sample) if
    ///   `featureCount < 1`, `imageShape` is not three sizes whose product is `featureCount`, `classCount` is out of range, the number of feature values is not
    ///   `labels.count × featureCount`, a label is outside `0..<classCount`, or a feature that is
    ///   not a byte is NaN or infinite (a mapped file is read once for this).
    public init(
        features: FeatureStorage, labels: [Int], featureCount: Int, classCount: Int,
        source: String = "in-memory data set", imageShape: [Int]? = nil
    ) throws {
        guard featureCount >= 1 else {
            throw DatasetError(.invalidArgument, file: source, "feature count \(featureCount) must be at least 1")
        }
        if let imageShape, imageShape.count != 3 || imageShape.reduce(1, *) != featureCount {
            throw DatasetError(
                .invalidArgument, file: source,
                "image shape \(imageShape.map(String.init).joined(separator: "×")) is not C×H×W of \(featureCount) features")
        }
        guard (1...Self.maximumClassCount).contains(classCount) else {
            throw DatasetError(
                .invalidArgument, file: source,
                "class count \(classCount) is outside 1...\(Self.maximumClassCount)")
        }
        let (expected, overflow) = labels.count.multipliedReportingOverflow(by: featureCount)
        guard !overflow, expected == features.count else {
            throw DatasetError(
                .invalidArgument, file: source,
                "\(features.count) feature values do not make \(labels.count) samples × \(featureCount) features")
        }
        for (i, label) in labels.enumerated() where !(0..<classCount).contains(label) {
            throw DatasetError(.badLabel, file: source, at: .sample(i), "label \(label) is outside 0..<\(classCount)")
        }
        if !features.holdsBytes {  // One pass; a mapped file's pages are dropped behind it.
            try features.forEachRow(featureCount: featureCount) { i, row in
                if let j = row.firstIndex(where: { !$0.isFinite }) {
                    throw DatasetError(.nonFiniteValue, file: source, at: .sample(i), "feature \(j) is \(row[j])")
                }
            }
        }
        self.init(unchecked: features, labels: labels, featureCount: featureCount, classCount: classCount, source: source,
                  imageShape: imageShape)
    }

    /// For data already known to be consistent (subsets of a checked data set).
    private init(unchecked features: FeatureStorage, labels: [Int], featureCount: Int, classCount: Int, source: String,
                 imageShape: [Int]?) {
        self.features = features
        self.labels = labels
        self.count = labels.count
        self.featureCount = featureCount
        self.classCount = classCount
        self.source = source
        self.imageShape = imageShape
    }

    /// How many samples carry each label: `classCount` counts, indexed by class.
    public var labelCounts: [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// The stored value of feature `j` of sample `row`, unscaled (bytes as 0...255).
    /// - Precondition: `row` in `0..<count`, `j` in `0..<featureCount`.
    public func feature(row: Int, _ j: Int) -> Double {
        precondition((0..<count).contains(row) && (0..<featureCount).contains(j), "feature (\(row), \(j)) out of range")
        return features.value(at: row * featureCount + j, featureCount: featureCount)
    }

    /// The samples at `indices`, in that order. Indices may repeat. Bytes and doubles are copied
    /// (bytes stay bytes); mapped features are not: the subset is a view of the same mapping.
    /// - Precondition: every index is in `0..<count`.
    public func subset(_ indices: [Int]) -> Dataset {
        let f = featureCount
        let n = indices.count
        func gather<T>(_ values: [T]) -> [T] {
            [T](unsafeUninitializedCapacity: n * f) { out, initialized in
                var k = 0
                for i in indices {
                    precondition((0..<count).contains(i), "subset index \(i) out of range 0..<\(count)")
                    for j in 0..<f { out.initializeElement(at: k + j, to: values[i * f + j]) }
                    k += f
                }
                initialized = n * f
            }
        }
        let storage: FeatureStorage
        switch features {
        case .bytes(let values): storage = .bytes(gather(values))
        case .doubles(let values): storage = .doubles(gather(values))
        case .mapped(let mapped): storage = .mapped(mapped.view(indices))
        }
        return Dataset(
            unchecked: storage, labels: indices.map { labels[$0] }, featureCount: f,
            classCount: classCount, source: source, imageShape: imageShape)
    }

    /// Converts the rows `indices` to `T` (`Float` or `Double`; the scaling is computed in `Double`
    /// and rounded once), applies `scaler`, and writes them one after another
    /// into `buffer`: row `k` of the result occupies `buffer[k·featureCount ..< (k+1)·featureCount]`.
    /// Elements of `buffer` past `indices.count × featureCount` are left untouched. Allocates nothing.
    ///
    /// - Precondition: `scaler.featureCount == featureCount`, every index is in `0..<count`, and
    ///   `buffer.count >= indices.count × featureCount`.
    ///
    /// Inlinable so a caller's index collection is specialised: iterating an unspecialised
    /// `some Collection<Int>` allocates per element, and the trainer calls this on every batch.
    @inlinable
    public func copyFeatures<T: KernelScalar>(
        rows indices: some Collection<Int>, scaler: FeatureScaler, into buffer: UnsafeMutableBufferPointer<T>
    ) {
        precondition(
            scaler.featureCount == featureCount,
            "scaler has \(scaler.featureCount) features, data set \(source) has \(featureCount)")
        let (needed, overflow) = indices.count.multipliedReportingOverflow(by: featureCount)
        precondition(!overflow && buffer.count >= needed, "buffer of \(buffer.count) cannot hold \(indices.count) rows × \(featureCount)")
        guard needed > 0, var out = buffer.baseAddress else { return }
        let f = featureCount
        let count = count
        scaler.offset.withUnsafeBufferPointer { offset in
            scaler.scale.withUnsafeBufferPointer { scale in
                // The storages share the loop; only the element conversion differs.
                func eachRow(_ copy: (_ row: Int, _ into: UnsafeMutablePointer<T>) -> Void) {
                    for i in indices {
                        precondition(i >= 0 && i < count, "row index \(i) out of range 0..<\(count)")
                        copy(i, out)
                        out += f
                    }
                }
                switch features {
                case .bytes(let values):
                    values.withUnsafeBufferPointer { values in
                        eachRow { i, row in
                            Kernel.scale(bytes: UnsafeBufferPointer(start: values.baseAddress! + i * f, count: f), offset: offset,
                                         scale: scale, into: UnsafeMutableBufferPointer(start: row, count: f))
                        }
                    }
                case .doubles(let values):
                    values.withUnsafeBufferPointer { values in
                        eachRow { i, row in
                            Kernel.scale(doubles: UnsafeBufferPointer(start: values.baseAddress! + i * f, count: f), offset: offset,
                                         scale: scale, into: UnsafeMutableBufferPointer(start: row, count: f))
                        }
                    }
                case .mapped(let mapped):
                    eachRow { i, row in mapped.copyRow(i, offset: offset, scale: scale, into: row) }
                }
            }
        }
    }

    /// Writes the one-hot rows of the labels at `indices` into `buffer`: row `k` is
    /// `buffer[k·classCount ..< (k+1)·classCount]`, all 0 except a 1 at the label's class.
    /// Elements past `indices.count × classCount` are left untouched. Allocates nothing.
    ///
    /// - Precondition: every index is in `0..<count` and `buffer.count >= indices.count × classCount`.
    @inlinable  // Specialised for the caller's index collection, as copyFeatures.
    public func copyOneHotLabels<T: KernelScalar>(rows indices: some Collection<Int>, into buffer: UnsafeMutableBufferPointer<T>) {
        let (needed, overflow) = indices.count.multipliedReportingOverflow(by: classCount)
        precondition(!overflow && buffer.count >= needed, "buffer of \(buffer.count) cannot hold \(indices.count) rows × \(classCount)")
        guard needed > 0, var out = buffer.baseAddress else { return }
        out.update(repeating: 0, count: needed)
        for i in indices {
            precondition(i >= 0 && i < count, "row index \(i) out of range 0..<\(count)")
            out[labels[i]] = 1
            out += classCount
        }
    }

    /// `copyFeatures(rows:scaler:into:)` into a new array of `indices.count × featureCount` values.
    public func features(rows indices: some Collection<Int>, scaler: FeatureScaler) -> [Double] {
        let n = indices.count * featureCount
        return [Double](unsafeUninitializedCapacity: n) { buffer, initialized in
            copyFeatures(rows: indices, scaler: scaler, into: buffer)
            initialized = n
        }
    }

    /// `copyOneHotLabels(rows:into:)` into a new array of `indices.count × classCount` values.
    public func oneHotLabels(rows indices: some Collection<Int>) -> [Double] {
        let n = indices.count * classCount
        return [Double](unsafeUninitializedCapacity: n) { buffer, initialized in
            copyOneHotLabels(rows: indices, into: buffer)
            initialized = n
        }
    }
}
