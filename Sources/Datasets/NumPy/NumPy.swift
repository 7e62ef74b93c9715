// NumPy.swift: NumPy arrays as data: `.npy` and `.npz` features and labels, and the `.npy` writer.
import Foundation

/// NumPy arrays as data: `.npy` files (one array) and `.npz` archives (named arrays, stored or
/// deflated, as `np.savez` and `np.savez_compressed` write them).
///
/// Features: an array of at least 2 dimensions, `N × …`, each sample flattened in C order; dtype
/// float16, float32, float64, any integer type or bool. Labels: a 1-dimensional integer array of
/// `N` class indices. Every header is parsed strictly and every size checked against the file
/// before an array is allocated.
///
/// Features in C order in a `.npy` file or a stored `.npz` member are memory-mapped and read in
/// place, a batch at a time (`FeatureStorage.mapped`): data larger than memory trains. Features
/// in a compressed member, or in Fortran order (reordered to C order), are loaded whole, as
/// bytes for `uint8` and `bool` and as doubles otherwise; the loaders say so through `notice`.
public enum NumPy {
    /// The default names of the arrays in a `.npz` data file.
    public static let defaultFeaturesKey = "x", defaultLabelsKey = "y"

    /// Whether `path` names a NumPy file (`.npy` or `.npz`, any case).
    public static func isNumPy(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".npy") || lower.hasSuffix(".npz")
    }

    /// Whether `path` names a `.npz` archive.
    public static func isArchive(_ path: String) -> Bool { path.lowercased().hasSuffix(".npz") }

    /// The arrays named `keys` of the `.npz` archive at `path` (member `key.npy` each): stored
    /// members in place in the mapped archive, compressed ones inflated into memory.
    /// - Throws: `DatasetError` for a damaged archive or array, or `.missingColumn` for a missing key (naming the ones present).
    public static func arrays(npz path: String, keys: [String]) throws -> [NPYArray] {
        try arrays(npz: path, keys: keys) { _ in }
    }

    /// `arrays(npz:keys:)`, telling `notice` before it inflates a compressed member, with its size.
    static func arrays(npz path: String, keys: [String], notice: (ZipArchive.Member) -> Void) throws -> [NPYArray] {
        let archive = try ZipArchive(try MappedFile(path: path), path: path)
        return try keys.map { key in
            guard let member = archive.members.first(where: { $0.name == key + ".npy" }) else {
                let present = archive.members.map { $0.name.hasSuffix(".npy") ? String($0.name.dropLast(4)) : $0.name }
                throw DatasetError(.missingColumn, file: path,
                                   "has no array '\(key.prefix(60))' (it holds: \(present.prefix(20).joined(separator: ", ")))")
            }
            let source = "\(path)[\(key)]"
            if member.method != 0 { notice(member) }
            switch try archive.contents(member) {
            case .mapped(let region): return try NPYArray(mapped: region, source: source)
            case .inflated(let bytes): return try NPYArray(bytes, source: source)
            }
        }
    }

    /// A data set from a features `.npy` file and a labels `.npy` file. The features stay in the
    /// mapped file (unless in Fortran order: then `notice` is told they are loaded whole, and how large they are).
    /// - Throws: `DatasetError` naming the file and the problem (header, shape, dtype, sizes, labels, NaN or ∞ features).
    public static func loadDataset(features: String, labels: String, notice: (String) -> Void = { _ in }) throws -> Dataset {
        try dataset(x: NPYArray(contentsOf: features), y: NPYArray(contentsOf: labels), source: "\(features) + \(labels)", notice: notice)
    }

    /// A data set from the arrays `featuresKey` and `labelsKey` of a `.npz` archive. Stored
    /// features stay in the mapped archive; before compressed features are inflated, `notice`
    /// is told the data set is loaded whole, and how large it is.
    /// - Throws: `DatasetError` naming the archive and the problem.
    public static func loadDataset(npz path: String, featuresKey: String = defaultFeaturesKey,
                                   labelsKey: String = defaultLabelsKey, notice: (String) -> Void = { _ in }) throws -> Dataset {
        let a = try arrays(npz: path, keys: [featuresKey, labelsKey]) { member in
            guard member.name == featuresKey + ".npy" else { return }
            notice("\(path): array '\(featuresKey.prefix(60))' is compressed, so the data set is loaded whole into memory "
                   + "(\(describeSize(member.size)) inflated; store it uncompressed, with np.savez, to have it read in place)")
        }
        return try dataset(x: a[0], y: a[1], source: path, notice: notice)
    }

    /// `n` bytes, with the binary unit that makes them readable: `629145728 bytes (600.0 MiB)`.
    static func describeSize(_ n: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(n), unit = -1
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit < 0 ? "\(n) bytes" : "\(n) bytes (" + String(format: "%.1f", value) + " \(units[unit]))"
    }

    /// Samples without labels (for prediction): a `.npy` file, or the array `key` of a `.npz` archive,
    /// `N × …`, flattened per sample; values row-major.
    public static func loadFeatures(_ path: String, key: String = defaultFeaturesKey) throws -> (values: [Double], rows: Int, columns: Int) {
        let x = isArchive(path) ? try arrays(npz: path, keys: [key])[0] : try NPYArray(contentsOf: path)
        let (rows, columns) = try sampleShape(x)
        let values = x.doubles()
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw DatasetError(.nonFiniteValue, file: x.source, at: .sample(k / columns), "feature \(k % columns) is \(values[k])")
        }
        return (values, rows, columns)
    }

    /// `N × …` as (N, features per sample), both at least 1.
    static func sampleShape(_ x: NPYArray) throws -> (Int, Int) {
        guard x.shape.count >= 2 else {
            throw DatasetError(.badHeader, file: x.source, "features must have at least 2 dimensions (N × features), found shape \(NPYHeader.describe(x.shape)) (use x.reshape(len(x), -1))")
        }
        var columns = 1
        for d in x.shape.dropFirst() {
            let (p, overflow) = columns.multipliedReportingOverflow(by: d)
            guard !overflow else { throw DatasetError(.sizeTooLarge, file: x.source, "shape \(NPYHeader.describe(x.shape)) has more features per sample than can be addressed") }
            columns = p
        }
        guard x.shape[0] > 0 else { throw DatasetError(.emptyFile, file: x.source, "holds no samples (shape \(NPYHeader.describe(x.shape)))") }
        guard columns > 0 else { throw DatasetError(.badHeader, file: x.source, "shape \(NPYHeader.describe(x.shape)) has no features per sample") }
        return (x.shape[0], columns)
    }

    private static func dataset(x: NPYArray, y: NPYArray, source: String, notice: (String) -> Void) throws -> Dataset {
        let (rows, columns) = try sampleShape(x)
        guard y.shape.count == 1 else {
            throw DatasetError(.badHeader, file: y.source, "labels must be 1-dimensional (N), found shape \(NPYHeader.describe(y.shape))")
        }
        guard y.shape[0] == rows else {
            throw DatasetError(.countMismatch, file: x.source, "holds \(rows) samples but \(y.source) holds \(y.shape[0]) labels")
        }
        let labels = try y.integers(what: "labels")
        var largest = 0
        for (i, label) in labels.enumerated() {
            guard label >= 0, label < Dataset.maximumClassCount else {
                throw DatasetError(.badLabel, file: y.source, at: .sample(i), "label \(label) is outside 0..<\(Dataset.maximumClassCount)")
            }
            largest = max(largest, label)
        }
        let features: FeatureStorage
        if let mapped = x.mappedFeatures(rows: rows, featureCount: columns) {
            features = .mapped(mapped)
        } else {
            if x.isMapped {  // Mapped, yet not read in place: Fortran order.
                let bytes = x.holdsBytes ? x.count : 8 * x.count
                notice("\(x.source): the features are in Fortran order, so they are loaded whole into memory, reordered "
                       + "(\(describeSize(bytes))); save them in C order (np.ascontiguousarray) to have them read in place")
            }
            features = x.bytes().map { .bytes($0) } ?? .doubles(x.doubles())
        }
        return try Dataset(features: features, labels: labels, featureCount: columns, classCount: largest + 1, source: source,
                           imageShape: Dataset.imageShape(ofArray: x.shape))
    }

    /// The header of ``encode(_:rows:columns:)``'s file, which its `8 × rows × columns` data bytes
    /// (little-endian float64, row-major) follow: for writing the data as it is computed.
    public static func header(rows: Int, columns: Int) -> [UInt8] {
        var header = Array("{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }".utf8)
        let total = 10 + header.count + 1
        header += [UInt8](repeating: 0x20, count: (64 - total % 64) % 64) + [0x0A]
        return NPYHeader.magic + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header
    }

    /// A `.npy` file (version 1.0, little-endian float64, C order) of `rows × columns` values, row-major.
    /// - Precondition: `values.count == rows × columns`.
    public static func encode(_ values: [Double], rows: Int, columns: Int) -> [UInt8] {
        precondition(values.count == rows * columns, "NumPy.encode: \(values.count) values for \(rows) × \(columns)")
        var out = header(rows: rows, columns: columns)
        out.reserveCapacity(out.count + 8 * values.count)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }
}
