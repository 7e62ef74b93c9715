// NPYHeader.swift: the header of a `.npy` file (NumPy's format, versions 1.0, 2.0 and 3.0), parsed strictly.
/// The header of a `.npy` file (NumPy's format, versions 1.0, 2.0 and 3.0), parsed strictly.
///
/// Layout: the magic `\x93NUMPY`, a major and a minor version byte, the header length (2 bytes
/// little-endian in 1.0, 4 bytes in 2.0 and 3.0), then the header: a Python dict literal with
/// exactly the keys `descr` (a dtype string such as `'<f8'`), `fortran_order` (`True` or `False`)
/// and `shape` (a tuple of non-negative integers), padded with spaces and ended by a newline.
/// The data follows: the product of `shape` elements of `descr`, with nothing after them.
struct NPYHeader: Equatable {
    /// The element types this reader converts.
    enum DType: Equatable {
        case float(bytes: Int), signed(bytes: Int), unsigned(bytes: Int), bool

        var size: Int {
            switch self {
            case .float(let n), .signed(let n), .unsigned(let n): return n
            case .bool: return 1
            }
        }

        /// NumPy's name for it (`float64`, `uint8`, `bool`).
        var name: String {
            switch self {
            case .float(let n): return "float\(8 * n)"
            case .signed(let n): return "int\(8 * n)"
            case .unsigned(let n): return "uint\(8 * n)"
            case .bool: return "bool"
            }
        }

        var isInteger: Bool {
            switch self {
            case .signed, .unsigned: return true
            case .float, .bool: return false
            }
        }

        /// The element stored at `p` as a double: integers beyond 2^53 round to nearest, bools
        /// are 0 and 1, float16 converts exactly.
        @inline(__always)
        func value(at p: UnsafeRawPointer, bigEndian: Bool) -> Double {
            let bits = bitPattern(at: p, bigEndian: bigEndian)
            switch self {
            case .float(2): return Self.half(UInt16(truncatingIfNeeded: bits))
            case .float(4): return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
            case .float: return Double(bitPattern: bits)
            case .signed(let n): return Double(Self.signExtend(bits, n))
            case .unsigned: return Double(bits)
            case .bool: return bits == 0 ? 0 : 1
            }
        }

        /// The `size` bytes at `p` as an unsigned integer, in the given byte order.
        @inline(__always)
        func bitPattern(at p: UnsafeRawPointer, bigEndian: Bool) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<size { v = v << 8 | UInt64(p.load(fromByteOffset: bigEndian ? i : size - 1 - i, as: UInt8.self)) }
            return v
        }

        /// The low `bytes` bytes of `bits` as a two's-complement integer.
        static func signExtend(_ bits: UInt64, _ bytes: Int) -> Int64 {
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
    }

    let dtype: DType
    let bigEndian: Bool
    let fortranOrder: Bool
    let shape: [Int]
    /// Bytes before the data: magic, version, length field and header.
    let dataOffset: Int
    /// The product of `shape`.
    let count: Int

    /// Longest header accepted; NumPy itself refuses headers over 10,000 bytes by default.
    static let maximumHeaderLength = 1 << 16
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Parses and checks the header at the start of `bytes` against the `bytes.count` the file holds.
    /// - Throws: `DatasetError` naming `file`, the byte and the problem.
    init(_ bytes: UnsafeRawBufferPointer, file: String) throws {
        func fail(_ kind: DatasetError.Kind, _ at: Int, _ message: String) -> DatasetError {
            DatasetError(kind, file: file, at: .byte(at), message)
        }
        guard bytes.count > 0 else { throw DatasetError(.emptyFile, file: file, "file is empty (0 bytes)") }
        guard bytes.count >= 10 else { throw fail(.truncated, bytes.count, "file ends after \(bytes.count) bytes, inside the 10-byte .npy preamble") }
        guard Array(bytes[0..<6]) == Self.magic else {
            throw fail(.badMagic, 0, "not a .npy file: it does not start with \\x93NUMPY")
        }
        let major = Int(bytes[6]), minor = Int(bytes[7])
        guard (1...3).contains(major), minor == 0 else {
            throw fail(.badHeader, 6, "format version \(major).\(minor) is not supported (this reader takes 1.0, 2.0 and 3.0)")
        }
        let lengthBytes = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthBytes else { throw fail(.truncated, bytes.count, "file ends inside the header length") }
        var length = 0
        for i in (0..<lengthBytes).reversed() { length = length << 8 | Int(bytes[8 + i]) }
        let start = 8 + lengthBytes
        guard length <= Self.maximumHeaderLength else {
            throw fail(.sizeTooLarge, 8, "header length \(length) is more than the \(Self.maximumHeaderLength) bytes allowed")
        }
        guard start + length <= bytes.count else {
            throw fail(.truncated, bytes.count, "header length \(length) runs past the end of the file (\(bytes.count - start) bytes follow)")
        }
        let text = Array(bytes[start..<(start + length)])
        guard text.last == 0x0A else { throw fail(.badHeader, start + length - 1, "the header does not end with a newline") }
        if major < 3, let i = text.firstIndex(where: { $0 >= 0x80 }) {
            throw fail(.badHeader, start + i, "byte 0x\(String(text[i], radix: 16)) in a version \(major).0 header, which must be ASCII")
        }
        var parser = NPYHeaderParser(text: text, base: start, file: file)
        let fields = try parser.dictionary()

        guard case .string(let descr)? = fields["descr"] else {
            throw fail(.badHeader, start, fields["descr"] == nil ? "the header has no 'descr'" : "'descr' must be a dtype string such as '<f8' (structured dtypes are not supported)")
        }
        guard case .bool(let fortran)? = fields["fortran_order"] else {
            throw fail(.badHeader, start, "the header's 'fortran_order' must be True or False")
        }
        guard case .tuple(let shape)? = fields["shape"] else {
            throw fail(.badHeader, start, "the header's 'shape' must be a tuple of integers")
        }
        if let extra = fields.keys.sorted().first(where: { !["descr", "fortran_order", "shape"].contains($0) }) {
            throw fail(.badHeader, start, "unexpected key '\(extra.prefix(40))' in the header (expected descr, fortran_order and shape)")
        }
        (dtype, bigEndian) = try Self.dtype(descr, fail: { fail(.unsupportedType, start, $0) })
        fortranOrder = fortran
        self.shape = shape
        var count = 1
        for d in shape {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o else { throw fail(.sizeTooLarge, start, "shape \(Self.describe(shape)) holds more elements than can be addressed") }
            count = p
        }
        self.count = count
        dataOffset = start + length
        let (needed, o) = count.multipliedReportingOverflow(by: dtype.size)
        let held = bytes.count - dataOffset
        if o || needed > held {
            throw fail(.truncated, dataOffset, "shape \(Self.describe(shape)) of \(dtype.name) needs \(o ? "more than \(Int.max)" : String(needed)) bytes of data but the file holds only \(held)")
        }
        if needed < held {
            throw fail(.trailingData, dataOffset + needed, "the file holds \(held - needed) bytes more than shape \(Self.describe(shape)) of \(dtype.name) needs")
        }
    }

    /// `(3, 4)` as NumPy prints a shape.
    static func describe(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    private static func dtype(_ descr: String, fail: (String) -> DatasetError) throws -> (DType, Bool) {
        let chars = Array(descr)
        let shown = "'\(descr.prefix(20))'"
        guard chars.count >= 3, let size = Int(String(chars[2...])) else {
            throw fail("dtype \(shown) is not supported (expected float16/32/64, an integer type or bool)")
        }
        let order = chars[0], kind = chars[1]
        guard order == "<" || order == ">" || order == "|" || order == "=" else {
            throw fail("dtype \(shown) has an unknown byte order '\(order)'")
        }
        let type: DType
        switch (kind, size) {
        case ("f", 2), ("f", 4), ("f", 8): type = .float(bytes: size)
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): type = .signed(bytes: size)
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): type = .unsigned(bytes: size)
        case ("b", 1): type = .bool
        default:
            throw fail("dtype \(shown) is not supported (expected float16/32/64, an integer type or bool)")
        }
        if order == "|" && size > 1 { throw fail("dtype \(shown): '|' (no byte order) is only for 1-byte types") }
        return (type, order == ">")
    }
}

/// The Python literal subset of `.npy` headers: a dict of string keys whose values are strings,
/// `True`/`False` or tuples of non-negative integers (each with an optional trailing comma).
struct NPYHeaderParser {
    enum Value: Equatable { case string(String), bool(Bool), tuple([Int]) }

    let text: [UInt8]
    /// File offset of `text[0]`, for messages.
    let base: Int
    let file: String
    var i = 0

    init(text: [UInt8], base: Int, file: String) {
        self.text = text
        self.base = base
        self.file = file
    }

    private func fail(_ message: String) -> DatasetError {
        DatasetError(.badHeader, file: file, at: .byte(base + i), message)
    }

    private mutating func skipSpace() {
        while i < text.count, text[i] == 0x20 || text[i] == 0x0A || text[i] == 0x09 { i += 1 }
    }

    private mutating func expect(_ c: Character) throws {
        skipSpace()
        guard i < text.count, text[i] == c.asciiValue! else {
            throw fail("expected '\(c)' in the header\(i < text.count ? ", found '\(Character(UnicodeScalar(text[i])))'" : " before its end")")
        }
        i += 1
    }

    /// Whether the next non-blank byte is `c` (consumed when it is).
    private mutating func take(_ c: Character) -> Bool {
        skipSpace()
        if i < text.count, text[i] == c.asciiValue! { i += 1; return true }
        return false
    }

    mutating func dictionary() throws -> [String: Value] {
        try expect("{")
        var out: [String: Value] = [:]
        while !take("}") {
            let key = try string()
            try expect(":")
            if out[key] != nil { throw fail("the key '\(key.prefix(40))' appears twice") }
            out[key] = try value()
            if !take(",") {
                try expect("}")
                break
            }
        }
        skipSpace()
        guard i == text.count else { throw fail("unexpected text after the header's closing '}'") }
        return out
    }

    private mutating func string() throws -> String {
        skipSpace()
        guard i < text.count, text[i] == 0x27 || text[i] == 0x22 else { throw fail("expected a quoted string") }
        let quote = text[i]
        i += 1
        let start = i
        while i < text.count, text[i] != quote {
            if text[i] == 0x5C { throw fail("escapes are not allowed in header strings") }
            i += 1
        }
        guard i < text.count else { throw fail("a string in the header is not closed") }
        let s = String(decoding: text[start..<i], as: UTF8.self)
        i += 1
        return s
    }

    private mutating func value() throws -> Value {
        skipSpace()
        guard i < text.count else { throw fail("expected a value before the header's end") }
        switch text[i] {
        case 0x27, 0x22: return .string(try string())
        case 0x28: // (
            i += 1
            var items: [Int] = []
            while !take(")") {
                items.append(try integer())
                if !take(",") {
                    try expect(")")
                    break
                }
            }
            return .tuple(items)
        default:
            for (word, v) in [("True", true), ("False", false)] where text[i...].starts(with: word.utf8) {
                i += word.utf8.count
                return .bool(v)
            }
            throw fail("expected a string, a tuple, True or False")
        }
    }

    private mutating func integer() throws -> Int {
        skipSpace()
        let start = i
        while i < text.count, (0x30...0x39).contains(text[i]) { i += 1 }
        guard i > start else { throw fail("expected a non-negative integer in the shape") }
        guard i - start <= 18, let n = Int(String(decoding: text[start..<i], as: UTF8.self)) else {
            throw fail("a dimension in the shape is too large")
        }
        return n
    }
}
