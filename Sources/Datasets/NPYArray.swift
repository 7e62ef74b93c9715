import Foundation

/// One array of a `.npy` file (or of a `.npz` member), its header checked and its values in C order.
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
    private let data: [UInt8]

    /// Parses `.npy` bytes: the header strictly, and that the data is exactly what it declares.
    /// - Throws: `DatasetError` naming `source`, the byte and the problem.
    public init(_ bytes: [UInt8], source: String) throws {
        let header = try bytes.withUnsafeBytes { try NPYHeader($0, file: source) }
        self.header = header
        self.shape = header.shape
        self.dtypeName = header.dtype.name
        self.isInteger = header.dtype.isInteger
        self.source = source
        self.data = Array(bytes[header.dataOffset...])
    }

    /// Reads a `.npy` file.
    public init(contentsOf path: String) throws {
        try self.init(try NumPyFile.bytes(path), source: path)
    }

    /// The number of elements (the product of `shape`).
    public var count: Int { header.count }

    /// The elements as doubles in C (row-major) order; integers beyond 2^53 round to nearest, bools are 0 and 1.
    public func doubles() -> [Double] {
        let d = header.dtype, big = header.bigEndian
        let values: [Double] = data.withUnsafeBytes { raw in
            (0..<header.count).map { k in
                let bits = Self.load(raw, k * d.size, d.size, bigEndian: big)
                switch d {
                case .float(2): return Self.half(UInt16(bits))
                case .float(4): return Double(Float(bitPattern: UInt32(bits)))
                case .float: return Double(bitPattern: bits)
                case .signed(let n): return Double(Self.signExtend(bits, n))
                case .unsigned: return Double(bits)
                case .bool: return bits == 0 ? 0 : 1
                }
            }
        }
        return header.fortranOrder ? Self.cOrder(values, shape: shape) : values
    }

    /// The elements as bytes in C order, when the dtype is `uint8` or `bool` (nil otherwise): images stay bytes.
    public func bytes() -> [UInt8]? {
        guard header.dtype == .unsigned(bytes: 1) || header.dtype == .bool else { return nil }
        let values = header.dtype == .bool ? data.map { $0 == 0 ? 0 : 1 } : data
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
        try data.withUnsafeBytes { raw in
            for k in 0..<header.count {
                let bits = Self.load(raw, k * d.size, d.size, bigEndian: big)
                if case .signed(let n) = d {
                    out[k] = Int(Self.signExtend(bits, n))
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

    /// `size` bytes at `offset` as an unsigned integer.
    private static func load(_ raw: UnsafeRawBufferPointer, _ offset: Int, _ size: Int, bigEndian: Bool) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<size {
            let b = UInt64(raw[offset + (bigEndian ? i : size - 1 - i)])
            v = v << 8 | b
        }
        return v
    }

    private static func signExtend(_ bits: UInt64, _ bytes: Int) -> Int64 {
        let shift = UInt64(64 - 8 * bytes)
        return Int64(bitPattern: bits << shift) >> Int64(shift)
    }

    /// IEEE 754 binary16 to double, exactly (subnormals, infinities and NaN included).
    static func half(_ h: UInt16) -> Double {
        let sign: Double = h & 0x8000 != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F), fraction = Double(h & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

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

/// Whole-file reads for the NumPy formats, with the data set readers' errors.
enum NumPyFile {
    static func bytes(_ path: String) throws -> [UInt8] {
        let file = try InputFile(path)
        var out = [UInt8](repeating: 0, count: file.size)
        let n = try out.withUnsafeMutableBytes { try file.read(into: $0) }
        return Array(out.prefix(n))
    }
}
