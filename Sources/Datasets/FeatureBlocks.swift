// FeatureBlocks.swift: unlabelled samples (for prediction) read in order a block of rows at a time, scaled straight into the caller's precision, from a mapped .npy or CSV file or from values in memory.
import Kernels

/// Unlabelled samples read in order, a block of rows at a time, each block scaled
/// (`(x − offset[j]) · scale[j]` in `Double`, rounded once to the caller's `Float` or `Double`) into
/// the caller's buffer, so that a pass over a file of any length holds about one block in memory.
///
/// A `.npy` file in C order (or a stored `.npz` member) is read in place from its mapping; a CSV
/// file is mapped and parsed a row at a time. Behind the reader the mapping's pages are dropped
/// (`madvise(MADV_DONTNEED)`), so the process's resident memory does not grow with the file.
/// Other inputs (a Fortran-order or compressed array, IDX images) are held in memory, as values
/// (`Double`) or bytes, and read from there a block at a time.
///
/// Errors are those of the whole-file readers (``CSV/loadFeatures(_:hasHeader:dropping:separator:)``,
/// ``NumPy/loadFeatures(_:key:)``), raised when the block holding the bad row is read: a NaN or
/// infinite feature names its sample (row from 0), a bad CSV field its line and field.
public final class FeatureBlocks {
    /// Features per row.
    public let featureCount: Int
    /// What the rows are read from, for messages.
    public let source: String
    /// Rows read so far (the index of the next row).
    public private(set) var rowsRead = 0

    private enum Rows {
        /// Rows of known count, in a mapping or in memory.
        case stored(FeatureStorage, count: Int)
        /// CSV text, parsed as it is read by `parser`.
        case csv(hasHeader: Bool)
    }
    private let rows: Rows
    /// The CSV parser, kept here (not in `rows`) so that it is mutated in place.
    private var parser: CSVParser?
    /// The mapped file read in order, whose pages before `dropped` have been released.
    private let file: MappedFile?
    private var dropped = 0
    /// One parsed CSV row, reused.
    private var scratch: [Double]

    private init(rows: Rows, featureCount: Int, source: String, file: MappedFile?, parser: CSVParser? = nil) {
        self.rows = rows
        self.parser = parser
        self.featureCount = featureCount
        self.source = source
        self.file = file
        scratch = [Double](repeating: 0, count: featureCount)
    }

    /// Rows of `featureCount` values held in memory (`storage` `.doubles` or `.bytes`), `source` naming them.
    /// - Throws: `DatasetError` `.invalidArgument` when `storage.count` is not a whole number of rows,
    ///   or `featureCount < 1`.
    public convenience init(_ storage: FeatureStorage, featureCount: Int, source: String) throws {
        guard featureCount >= 1, storage.count % featureCount == 0 else {
            throw DatasetError(.invalidArgument, file: source, "\(storage.count) values are not rows of \(featureCount) features")
        }
        self.init(rows: .stored(storage, count: storage.count / featureCount), featureCount: featureCount, source: source, file: nil)
    }

    /// The samples of a `.npy` file, or of the array `key` of a `.npz` archive: `N × …`, flattened per sample.
    /// - Throws: `DatasetError` as ``NumPy/loadFeatures(_:key:)`` does for the header and shape.
    public static func numPy(_ path: String, key: String = NumPy.defaultFeaturesKey) throws -> FeatureBlocks {
        let x = NumPy.isArchive(path) ? try NumPy.arrays(npz: path, keys: [key])[0] : try NPYArray(contentsOf: path)
        let (count, columns) = try NumPy.sampleShape(x)
        if let mapped = x.mappedFeatures(rows: count, featureCount: columns) {
            mapped.region.file.adviseSequential()
            return FeatureBlocks(rows: .stored(.mapped(mapped), count: count), featureCount: columns, source: x.source,
                                 file: mapped.region.file)
        }
        return FeatureBlocks(rows: .stored(x.bytes().map { .bytes($0) } ?? .doubles(x.doubles()), count: count),
                             featureCount: columns, source: x.source, file: nil)
    }

    /// The samples of a CSV file, one per row: every column a feature except `dropping` (a label
    /// column to ignore), as ``CSV/loadFeatures(_:hasHeader:dropping:separator:)`` reads them.
    /// Reads the first line (header or first row) now.
    /// - Throws: `DatasetError` for a missing, empty or blank file, or a label column not found.
    public static func csv(_ path: String, hasHeader: Bool, dropping: CSV.LabelColumn? = nil,
                           separator: Unicode.Scalar = ",") throws -> FeatureBlocks {
        try CSV.checkArguments(separator: separator, classCount: nil, source: path)
        let file = try MappedFile(path: path)
        var parser = try CSVParser(path: path, text: file.bytes, separator: separator)
        try parser.start(hasHeader: hasHeader, label: dropping)
        file.adviseSequential()
        return FeatureBlocks(rows: .csv(hasHeader: hasHeader), featureCount: parser.featureCount, source: path, file: file, parser: parser)
    }

    /// The number of rows. For CSV, counted by a pass over the lines (the non-blank lines, less the
    /// header) that parses nothing, so a file whose rows are later rejected may count them.
    public var rowCount: Int {
        switch rows {
        case .stored(_, let count): return count
        case .csv(let hasHeader):
            // The pass drops its pages behind it, as reading does.
            var released = 0
            let lines = parser!.countNonBlankLines { position in released = file!.release(from: released, to: position) }
            return lines - (hasHeader ? 1 : 0)
        }
    }

    /// Reads the next `min(limit, rows left)` rows, scaled by `scaler` (computed in `Double`,
    /// rounded once to `T`), into `out` row after row; returns how many (0 at the end).
    /// - Precondition: `scaler.featureCount == featureCount`, `out.count >= limit × featureCount`.
    /// - Throws: `DatasetError` naming the sample of a NaN or infinite feature, or (CSV) the line and
    ///   field of a field that is not a number, or a row of another width. Rows before it were read.
    public func read<T: KernelScalar>(upTo limit: Int, scaler: FeatureScaler, into out: UnsafeMutableBufferPointer<T>) throws -> Int {
        precondition(scaler.featureCount == featureCount && limit >= 0 && out.count >= limit * featureCount,
                     "FeatureBlocks.read: \(limit) rows of \(featureCount) into \(out.count) with a scaler of \(scaler.featureCount)")
        let f = featureCount
        var n = 0
        defer { releasePages() }
        try scaler.offset.withUnsafeBufferPointer { offset in
            try scaler.scale.withUnsafeBufferPointer { scale in
                while n < limit, let row = try nextRow(offset: offset, scale: scale, into: out.baseAddress! + n * f) {
                    try checkFinite(out.baseAddress! + n * f, row: row)
                    n += 1
                }
            }
        }
        return n
    }

    /// Writes the next row scaled to `out[0..<featureCount]` and counts it read; returns its index, or nil at the end.
    private func nextRow<T: KernelScalar>(offset: UnsafeBufferPointer<Double>, scale: UnsafeBufferPointer<Double>,
                                          into out: UnsafeMutablePointer<T>) throws -> Int? {
        let i = rowsRead
        if let count = storedRows {
            guard i < count else { return nil }
            copyStored(i, offset: offset, scale: scale, into: out)
        } else {
            guard try parser!.nextRecord() else {
                if i == 0 {  // Only a header: the whole-file reader's error.
                    throw DatasetError(.emptyFile, file: source, at: .line(parser!.firstLine), "has a header but no data rows")
                }
                return nil
            }
            try scratch.withUnsafeMutableBufferPointer { row in
                try parser!.features(into: row.baseAddress!)
                Kernel.scale(doubles: UnsafeBufferPointer(row), offset: offset, scale: scale,
                             into: UnsafeMutableBufferPointer(start: out, count: featureCount))
            }
        }
        rowsRead += 1
        return i
    }

    /// The number of rows of a file read in place or of values in memory, whose rows can be read in
    /// any order by ``read(rows:scaler:into:)``; nil for CSV, read in order only.
    public var storedRows: Int? {
        if case .stored(_, let count) = rows { return count } else { return nil }
    }

    /// Reads the rows `range` of stored rows as ``read(upTo:scaler:into:)`` reads rows, without
    /// moving ``rowsRead`` (``skip(_:)`` does, when the caller is done with them). Safe to call from
    /// several threads at once, each with its own rows and buffer.
    /// - Precondition: ``storedRows`` is not nil and holds `range`; `scaler.featureCount == featureCount`;
    ///   `out.count >= range.count × featureCount`.
    /// - Throws: `DatasetError` naming the sample of the first NaN or infinite feature in `range`.
    public func read<T: KernelScalar>(rows range: Range<Int>, scaler: FeatureScaler, into out: UnsafeMutableBufferPointer<T>) throws {
        precondition(range.lowerBound >= 0 && range.upperBound <= storedRows ?? -1 && scaler.featureCount == featureCount
                     && out.count >= range.count * featureCount,
                     "FeatureBlocks.read: rows \(range) of \(storedRows.map(String.init) ?? "a CSV file") into \(out.count)")
        try scaler.offset.withUnsafeBufferPointer { offset in
            try scaler.scale.withUnsafeBufferPointer { scale in
                for (k, i) in range.enumerated() {
                    copyStored(i, offset: offset, scale: scale, into: out.baseAddress! + k * featureCount)
                    try checkFinite(out.baseAddress! + k * featureCount, row: i)
                }
            }
        }
    }

    /// Counts the next `n` rows read (by ``read(rows:scaler:into:)``) and releases their pages.
    /// - Precondition: they are stored rows.
    public func skip(_ n: Int) {
        precondition(n >= 0 && rowsRead + n <= storedRows ?? -1, "FeatureBlocks.skip: \(n) rows after \(rowsRead) of \(storedRows ?? -1)")
        rowsRead += n
        releasePages()
    }

    /// Writes stored row `i` scaled to `out[0..<featureCount]`. Reads nothing but the storage.
    private func copyStored<T: KernelScalar>(_ i: Int, offset: UnsafeBufferPointer<Double>, scale: UnsafeBufferPointer<Double>,
                                             into out: UnsafeMutablePointer<T>) {
        let f = featureCount, output = UnsafeMutableBufferPointer(start: out, count: f)
        switch rows {
        case .stored(.mapped(let mapped), _):
            mapped.copyRow(i, offset: offset, scale: scale, into: out, inOrder: true)
        case .stored(.doubles(let values), _):
            values.withUnsafeBufferPointer { Kernel.scale(doubles: UnsafeBufferPointer(rebasing: $0[(i * f)..<((i + 1) * f)]), offset: offset, scale: scale, into: output) }
        case .stored(.bytes(let values), _):
            values.withUnsafeBufferPointer { Kernel.scale(bytes: UnsafeBufferPointer(rebasing: $0[(i * f)..<((i + 1) * f)]), offset: offset, scale: scale, into: output) }
        case .csv:
            preconditionFailure("FeatureBlocks: a CSV row is parsed in order, not read by index")
        }
    }

    /// Throws when a converted feature of row `i` is NaN or infinite and the stored value is too (a
    /// finite value may round to infinity in `Float`, as the whole-file path lets it).
    private func checkFinite<T: KernelScalar>(_ row: UnsafeMutablePointer<T>, row i: Int) throws {
        for j in 0..<featureCount where !row[j].isFinite {
            let stored: Double
            switch rows {
            case .stored(.mapped(let mapped), _): stored = mapped.value(row: i, j)
            case .stored(.doubles(let values), _): stored = values[i * featureCount + j]
            case .stored(.bytes, _), .csv: continue  // Bytes are finite; CSV fields were checked as parsed.
            }
            if !stored.isFinite {
                throw DatasetError(.nonFiniteValue, file: source, at: .sample(i), "feature \(j) is \(stored)")
            }
        }
    }

    /// Releases the mapping's pages before the next row (all but the page it may share with that row).
    private func releasePages() {
        guard let file else { return }
        let end: Int
        switch rows {
        case .stored(.mapped(let mapped), _): end = mapped.region.offset + rowsRead * featureCount * mapped.dtype.size
        case .csv: end = parser!.position
        default: return
        }
        dropped = file.release(from: dropped, to: end)
    }
}
