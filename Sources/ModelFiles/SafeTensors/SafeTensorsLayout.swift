// SafeTensorsLayout.swift: the checked layout of safetensors bytes.
import Backprop
import Datasets
import Foundation

/// The checked layout of safetensors bytes: where the data starts, each tensor's dtype, shape and
/// byte range, and the metadata. Building it validates the whole header against the file's size,
/// so reading the values afterwards cannot go out of bounds.
struct SafeTensorsLayout {
    /// One tensor's place in the data section.
    struct Entry {
        let name: String
        /// The element type, by its dtype (`Precision.safeTensorsDType`).
        let dtype: Precision
        let shape: [Int]
        /// Elements, the product of `shape`.
        let count: Int
        /// Byte range in the data section.
        let begin: Int, end: Int
    }

    /// Dtypes of the format that this reader does not convert, for a precise message.
    static let otherDTypes: Set<String> = ["BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "I64", "U64",
                                           "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64"]

    /// Entries sorted by name.
    let entries: [Entry]
    let metadata: [String: String]
    /// Byte offset of the data section in the file.
    let dataStart: Int

    init(_ data: Data, file: String) throws(FileFormatError) {
        let r = JSONReader(file: file)
        guard data.count >= 8 else {
            throw r.fail(nil, "the file has \(data.count) bytes; a safetensors file starts with an 8-byte header length")
        }
        var length: UInt64 = 0
        for i in (0..<8).reversed() { length = length << 8 | UInt64(data[data.startIndex + i]) }
        let available = data.count - 8
        if length > UInt64(SafeTensors.maximumHeaderLength) {
            throw r.fail("header length", "\(length) bytes is more than the \(SafeTensors.maximumHeaderLength) allowed")
        }
        if length > UInt64(available) {
            throw r.fail("header length", "\(length) bytes, but only \(available) bytes follow the 8-byte length")
        }
        let headerLength = Int(length)
        dataStart = 8 + headerLength
        let dataLength = available - headerLength

        let headerBytes = Data(data[(data.startIndex + 8)..<(data.startIndex + dataStart)])
        guard String(data: headerBytes, encoding: .utf8) != nil else { throw r.fail("header", "not valid UTF-8") }
        if headerBytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            let what = headerLength == 0 ? "empty" : "empty (\(headerLength) bytes of white space)"
            throw r.fail("header", "\(what); expected a JSON object")
        }
        let root: [String: JSONValue]
        do {
            root = try r.object(try JSONValue.parse(headerBytes, file: file), "header")
        } catch {
            throw r.fail("header", error.problem)
        }

        metadata = try Self.metadata(root[SafeTensors.metadataKey], r)
        var entries: [Entry] = []
        for name in root.keys.sorted() where name != SafeTensors.metadataKey {
            entries.append(try Self.entry(name, root[name]!, dataLength: dataLength, r))
        }
        try Self.checkCoverage(entries, dataLength: dataLength, r)
        self.entries = entries
    }

    /// `__metadata__`: absent, null, or an object of strings.
    private static func metadata(_ value: JSONValue?, _ r: JSONReader) throws(FileFormatError) -> [String: String] {
        guard let value, value != .null else { return [:] }
        let field = SafeTensors.field(SafeTensors.metadataKey)
        var out: [String: String] = [:]
        for (key, item) in try r.object(value, field) {
            out[key] = try r.string(item, "\(field)[\(Excerpt.quoted(key))]")
        }
        return out
    }

    /// One tensor's entry, checked on its own and against the data section's length.
    private static func entry(_ name: String, _ value: JSONValue, dataLength: Int, _ r: JSONReader) throws(FileFormatError) -> Entry {
        let path = SafeTensors.field(name)
        let object = try r.object(value, path)
        let dtypeName = try r.string(try r.member(object, "dtype", at: path), "\(path).dtype")
        guard let dtype = Precision(safeTensorsDType: dtypeName) else {
            let kind = otherDTypes.contains(dtypeName) ? "is not supported" : "is not a safetensors dtype"
            throw r.fail("\(path).dtype", "\"\(dtypeName)\" \(kind) (this reader takes F64 and F32)")
        }
        let shapeItems = try r.array(try r.member(object, "shape", at: path), "\(path).shape")
        var shape: [Int] = []
        for (i, item) in shapeItems.enumerated() {
            shape.append(try count(item, "\(path).shape[\(i)]", r))
        }
        guard let elements = SafeTensors.Tensor.elementCount(shape),
              case let (bytes, overflow) = elements.multipliedReportingOverflow(by: dtype.byteCount), !overflow else {
            throw r.fail("\(path).shape", "\(shape) holds more elements than can be addressed")
        }
        let offsetsField = "\(path).data_offsets"
        let offsets = try r.array(try r.member(object, "data_offsets", at: path), offsetsField)
        guard offsets.count == 2 else {
            throw r.fail(offsetsField, "expected 2 numbers [begin, end], found \(offsets.count)")
        }
        let begin = try count(offsets[0], "\(offsetsField)[0]", r)
        let end = try count(offsets[1], "\(offsetsField)[1]", r)
        if begin > end { throw r.fail(offsetsField, "begins at byte \(begin), after its end \(end)") }
        if end - begin != bytes {
            throw r.fail(offsetsField, "spans \(end - begin) bytes, but shape \(shape) of \(dtype.safeTensorsDType) needs \(elements) × \(dtype.byteCount) = \(bytes)")
        }
        if end > dataLength {
            throw r.fail(offsetsField, "ends at byte \(end), past the end of the \(dataLength)-byte data section")
        }
        return Entry(name: name, dtype: dtype, shape: shape, count: elements, begin: begin, end: end)
    }

    /// A non-negative integer (a dimension or an offset).
    private static func count(_ value: JSONValue, _ field: String, _ r: JSONReader) throws(FileFormatError) -> Int {
        guard case .number(let d) = value else { throw r.fail(field, "expected a non-negative integer, found \(value.kind)") }
        guard let n = Int(exactly: d), n >= 0 else {
            let shown = d == d.rounded() && abs(d) < 1e18 ? String(Int(d)) : "\(d)"
            throw r.fail(field, "expected a non-negative integer, found \(shown)")
        }
        return n
    }

    /// The tensors, in order of position, must tile the data section: no overlap, no gap, no tail.
    private static func checkCoverage(_ entries: [Entry], dataLength: Int, _ r: JSONReader) throws(FileFormatError) {
        let byPosition = entries.sorted { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        var previous: Entry? = nil
        for entry in byPosition {
            let field = SafeTensors.field(entry.name, "data_offsets")
            if entry.begin < covered, let previous {
                throw r.fail(field, "bytes \(entry.begin)..<\(entry.end) overlap tensor \(Excerpt.quoted(previous.name)) "
                             + "(bytes \(previous.begin)..<\(previous.end))")
            }
            if entry.begin > covered {
                throw r.fail(field, "begins at byte \(entry.begin), leaving bytes \(covered)..<\(entry.begin) of the data "
                             + "section in no tensor (the tensors must cover it exactly)")
            }
            covered = entry.end
            previous = entry
        }
        if covered < dataLength {
            throw r.fail("data", "bytes \(covered)..<\(dataLength) of the data section belong to no tensor "
                         + "(the tensors must cover it exactly)")
        }
    }
}
