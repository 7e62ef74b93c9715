// ProtobufWriter.swift: the Protocol Buffers wire format, encoding only.
/// Protocol Buffers wire format, the encoding half: enough to write ONNX models and TensorBoard
/// events without generated code.
///
/// A message is a sequence of fields, each a key `(field number << 3) | wire type` as a varint,
/// then the value: a varint (wire type 0), 8 little-endian bytes (1), a length-prefixed byte string
/// (2: strings, bytes, nested messages, packed repeated numbers) or 4 little-endian bytes (5).
/// Fields are appended in the order they are written; a reader accepts any order, and this writer
/// leaves the choice (and leaving out default values) to its caller.
public struct ProtobufWriter: Sendable {
    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty message.
    public init() {}

    /// The wire types this writer emits.
    public enum WireType: UInt64, Sendable {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    /// Appends `value` as a base-128 varint, least significant group first (1 to 10 bytes).
    public mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Appends a field key. - Precondition: `field` is in 1...2^29 − 1.
    public mutating func appendKey(_ field: Int, _ type: WireType) {
        precondition((1...(1 << 29 - 1)).contains(field), "protobuf field number \(field) is out of range")
        appendVarint(UInt64(field) << 3 | type.rawValue)
    }

    /// An `int64`, `int32` or enum field: negative values take ten bytes (two's complement), as protobuf specifies.
    public mutating func int(_ field: Int, _ value: Int64) {
        appendKey(field, .varint)
        appendVarint(UInt64(bitPattern: value))
    }

    /// A `uint64` field.
    public mutating func uint(_ field: Int, _ value: UInt64) {
        appendKey(field, .varint)
        appendVarint(value)
    }

    /// A `double` field: 8 bytes, little-endian IEEE 754.
    public mutating func double(_ field: Int, _ value: Double) {
        appendKey(field, .fixed64)
        appendLittleEndian(value.bitPattern)
    }

    /// A `float` field: 4 bytes, little-endian IEEE 754.
    public mutating func float(_ field: Int, _ value: Float) {
        appendKey(field, .fixed32)
        appendLittleEndian(value.bitPattern)
    }

    /// A `fixed32` field (4 bytes, little-endian).
    public mutating func fixed32(_ field: Int, _ value: UInt32) {
        appendKey(field, .fixed32)
        appendLittleEndian(value)
    }

    /// A `bytes` field.
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        appendKey(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `string` field, as UTF-8.
    public mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    /// An embedded message field.
    public mutating func message(_ field: Int, _ value: ProtobufWriter) {
        bytes(field, value.bytes)
    }

    /// An embedded message field, built by `body`.
    public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        message(field, inner)
    }

    /// A packed repeated `int64` field (one length-delimited field of varints).
    public mutating func packedInts(_ field: Int, _ values: [Int64]) {
        var inner = ProtobufWriter()
        for v in values { inner.appendVarint(UInt64(bitPattern: v)) }
        bytes(field, inner.bytes)
    }

    /// Appends `value`'s bytes, least significant first.
    public mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
