// NPYArray.swift: one array of a `.npy` file or `.npz` member, its header checked, its values in C order.
import Foundation

/// One array of a `.npy` file (or of a `.npz` member), its header checked and its values in C order.
///
/// The data stays where it was found: in place in a mapped file (`init(contentsOf:)`, stored
/// `.npz` members) or in the bytes given; it is converted only when asked for.
public struct NPYArray: Sendable, Equatable {
    /// The dimensions, outermost first (`[]` for a scalar).
    public let shape: [Int]
    /// NumPy's name for the element type: `float64`, `int32`, `uint8`, `bool`, ...
    public let dtypeName: String
    /// Whether the elements are integers (signed or unsigned).
    public let isInteger: Bool
    /// Where the array came from, for messages (`data.npz[x]` for a member).
    public let source: String
    private let header: NPYHeader
    /// The data section, as stored.
    private let data: Storage

    private enum Storage: Sendable {
        /// Read into memory.
        case bytes([UInt8])
        /// In place in a mapped file.
        case mapped(MappedRegion)
    }

    /// Parses `.npy` bytes: the header strictly, and that the data is exactly what it declares.
    /// - Throws: `DatasetError` naming `source`, the byte and the problem.
    public init(_ bytes: [UInt8], source: String) throws {
        let header = try bytes.withUnsafeBytes { try NPYHeader($0, file: source) }
        self.init(header: header, data: .bytes(Array(bytes[header.dataOffset...])), source: source)
    }

    /// Maps a `.npy` file: its header is parsed and checked against the file's size, and its data
    /// is read from the file only as it is used.
    /// - Throws: `DatasetError` naming `path` (as `init(_:source:)`), or if it cannot be opened or mapped.
    public init(contentsOf path: String) throws {
        let file = try MappedFile(path: path)
        try self.init(mapped: MappedRegion(file: file, offset: 0, count: file.bytes.count), source: path)
    }

    /// The `.npy` bytes of `region` (a whole file, or a stored `.npz` member), parsed as
    /// `init(_:source:)` parses them, the data left in place.
    init(mapped region: MappedRegion, source: String) throws {
        let header = try NPYHeader(region.bytes, file: source)
        let data = MappedRegion(file: region.file, offset: region.offset + header.dataOffset, count: region.count - header.dataOffset)
        self.init(header: header, data: .mapped(data), source: source)
    }

    private init(header: NPYHeader, data: Storage, source: String) {
        self.header = header
        self.shape = header.shape
        self.dtypeName = header.dtype.name
        self.isInteger = header.dtype.isInteger
        self.source = source
        self.data = data
    }

    /// The number of elements (the product of `shape`).
    public var count: Int { header.count }

    /// The data section's bytes, wherever they are.
    private func withData<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch data {
        case .bytes(let bytes): return try bytes.withUnsafeBytes(body)
        case .mapped(let region): return try body(region.bytes)
        }
    }

    /// Same shape, dtype, order, source and data bytes.
    public static func == (a: NPYArray, b: NPYArray) -> Bool {
        a.header == b.header && a.source == b.source
            && a.withData { x in b.withData { y in x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) } }
    }

    /// The elements as doubles in C (row-major) order; integers beyond 2^53 round to nearest, bools are 0 and 1.
    public func doubles() -> [Double] {
        let d = header.dtype, big = header.bigEndian
        let values: [Double] = withData { raw in
            (0..<header.count).map { k in d.value(at: raw.baseAddress! + k * d.size, bigEndian: big) }
        }
        return header.fortranOrder ? Self.cOrder(values, shape: shape) : values
    }

    /// The elements as bytes in C order, when the dtype is `uint8` or `bool` (nil otherwise): images stay bytes.
    public func bytes() -> [UInt8]? {
        guard holdsBytes else { return nil }
        let values = withData { raw in header.dtype == .bool ? raw.map { $0 == 0 ? 0 : 1 } : Array(raw) }
        return header.fortranOrder ? Self.cOrder(values, shape: shape) : values
    }

    /// The elements as integers in C order.
    /// - Throws: `DatasetError` `.badLabel` when the dtype is not an integer type, or a `uint64` exceeds `Int.max`.
    public func integers(what: String) throws -> [Int] {
        let d = header.dtype, big = header.bigEndian
        guard d.isInteger else {
            throw DatasetError(.badLabel, file: source, "\(what) must have an integer dtype, found \(d.name) (convert with .astype(np.int64))")
        }
        var out = [Int](repeating: 0, count: header.count)
        try withData { raw in
            for k in 0..<header.count {
                let bits = d.bitPattern(at: raw.baseAddress! + k * d.size, bigEndian: big)
                if case .signed(let n) = d {
                    out[k] = Int(NPYHeader.DType.signExtend(bits, n))
                } else {
                    guard bits <= UInt64(Int.max) else {
                        throw DatasetError(.badLabel, file: source, at: .sample(k), "\(what): value \(bits) is too large")
                    }
                    out[k] = Int(bits)
                }
            }
        }
        return header.fortranOrder ? Self.cOrder(out, shape: shape) : out
    }

    /// The array as `rows × featureCount` features read in place, when its data is in a mapped
    /// file and in C order (nil otherwise: then it is converted whole).
    /// - Precondition: `rows × featureCount == count`.
    func mappedFeatures(rows: Int, featureCount: Int) -> MappedFeatures? {
        guard case .mapped(let region) = data, !header.fortranOrder else { return nil }
        return MappedFeatures(region: region, dtype: header.dtype, bigEndian: header.bigEndian, rows: rows, featureCount: featureCount)
    }

    /// Whether the data is in place in a mapped file (not read into memory).
    var isMapped: Bool {
        if case .mapped = data { return true } else { return false }
    }

    /// Whether the dtype is `uint8` or `bool`, which `bytes()` converts.
    var holdsBytes: Bool { header.dtype == .unsigned(bytes: 1) || header.dtype == .bool }

    /// Values stored in Fortran order (first index fastest) rearranged into C order (last index fastest).
    static func cOrder<T>(_ values: [T], shape: [Int]) -> [T] {
        guard shape.count > 1, !values.isEmpty else { return values }
        var fortranStride = [Int](repeating: 1, count: shape.count)
        for k in 1..<shape.count { fortranStride[k] = fortranStride[k - 1] * shape[k - 1] }
        var index = [Int](repeating: 0, count: shape.count)
        var out: [T] = []
        out.reserveCapacity(values.count)
        for _ in 0..<values.count {
            var f = 0
            for k in 0..<shape.count { f += index[k] * fortranStride[k] }
            out.append(values[f])
            var k = shape.count - 1
            while k >= 0 {
                index[k] += 1
                if index[k] < shape[k] { break }
                index[k] = 0
                k -= 1
            }
        }
        return out
    }
}

