// JSONValue.swift: a parsed JSON document as a tree, and the reader that names the field a problem is in.
import Backprop
import Foundation
import Linalg

/// A parsed JSON document, kept as a tree so readers can report the exact field a problem is in.
public indirect enum JSONValue: Equatable, Sendable, Decodable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// Any JSON number, as the nearest `Double`.
    case number(Double)
    /// A string.
    case string(String)
    /// An array, in order.
    case array([JSONValue])
    /// An object; key order is not kept.
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        // Numbers first: they are nearly every value in these files, and each failed attempt
        // builds an error whose cost grows with the depth of the value.
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// The deepest nesting of arrays and objects accepted. The formats read here need 5 levels;
    /// decoding cost grows with the square of the depth, so a small file nested hundreds of
    /// levels deep would otherwise take tens of seconds.
    public static let maximumDepth = 32

    /// Parses `data`; `file` names the source in the error when it is empty or not JSON.
    public static func parse(_ data: Data, file: String) throws(FileFormatError) -> JSONValue {
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw FileFormatError(file: file, field: nil, problem: "the file is empty")
        }
        if let offset = firstTooDeep(data) {
            throw FileFormatError(
                file: file, field: nil,
                problem: "arrays and objects are nested more than \(maximumDepth) levels deep (at byte \(offset))")
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch where JSONSyntax.firstProblem(in: data) != nil {
            let p = JSONSyntax.firstProblem(in: data)!
            throw p.isSyntax
                ? FileFormatError(file: file, field: nil, problem: "not valid JSON at line \(p.line), column \(p.column): \(p.problem)")
                : FileFormatError(file: file, field: p.field, problem: "line \(p.line), column \(p.column): \(p.problem)")
        } catch let DecodingError.dataCorrupted(context) {
            let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw FileFormatError(file: file, field: nil, problem: "not valid JSON: \(detail ?? context.debugDescription)")
        } catch {
            throw FileFormatError(file: file, field: nil, problem: "not valid JSON: \(error)")
        }
    }

    /// The offset of the first `[` or `{` (outside strings) that opens level `maximumDepth + 1`.
    static func firstTooDeep(_ data: Data) -> Int? {
        var depth = 0, inString = false, escaped = false
        for (offset, byte) in data.enumerated() {
            if inString {
                if escaped { escaped = false }
                else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumDepth { return offset }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return nil
    }

    /// A short name of the value's kind, for messages ("a string", "an array", ...).
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Walks a JSON tree, checking each field's kind and shape and naming it in errors.
struct JSONReader {
    let file: String

    func fail(_ field: String?, _ problem: String) -> FileFormatError {
        FileFormatError(file: file, field: field, problem: problem)
    }

    func object(_ value: JSONValue, _ field: String?) throws(FileFormatError) -> [String: JSONValue] {
        guard case .object(let o) = value else { throw fail(field, "expected an object, found \(value.kind)") }
        return o
    }

    /// The member `key` of `object` at `path`; a missing one is an error unless `optional`.
    func member(_ object: [String: JSONValue], _ key: String, at path: String?) throws(FileFormatError) -> JSONValue {
        guard let v = object[key] else { throw fail(Self.join(path, key), "missing field") }
        return v
    }

    func number(_ value: JSONValue, _ field: String) throws(FileFormatError) -> Double {
        guard case .number(let d) = value else { throw fail(field, "expected a number, found \(value.kind)") }
        guard d.isFinite else { throw fail(field, "number \(d) is not finite") }
        return d
    }

    func string(_ value: JSONValue, _ field: String) throws(FileFormatError) -> String {
        guard case .string(let s) = value else { throw fail(field, "expected a string, found \(value.kind)") }
        return s
    }

    func array(_ value: JSONValue, _ field: String) throws(FileFormatError) -> [JSONValue] {
        guard case .array(let a) = value else { throw fail(field, "expected an array, found \(value.kind)") }
        return a
    }

    /// A vector of numbers; `count` checks its length (`what` explains the expected length).
    func vector(_ value: JSONValue, _ field: String, count: Int? = nil, what: String = "") throws(FileFormatError) -> [Double] {
        let items = try array(value, field)
        if let count, items.count != count {
            throw fail(field, "expected \(count) numbers\(what), found \(items.count)")
        }
        var out: [Double] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() { out.append(try number(item, "\(field)[\(i)]")) }
        return out
    }

    /// A matrix as nested rows: non-empty, rectangular, and `rows × columns` when those are given.
    func matrix(_ value: JSONValue, _ field: String, rows: Int? = nil, columns: Int? = nil,
                what: String = "") throws(FileFormatError) -> Matrix<Double> {
        let items = try array(value, field)
        if let rows, items.count != rows {
            throw fail(field, "expected \(rows) rows\(what), found \(items.count)")
        }
        if items.isEmpty { throw fail(field, "expected at least one row, found none") }
        var elements: [Double] = []
        var width = columns
        for (i, item) in items.enumerated() {
            let row = try vector(item, "\(field)[\(i)]", count: width, what: width == columns ? what : " (as row 0)")
            if row.isEmpty { throw fail("\(field)[\(i)]", "expected at least one number, found none") }
            width = row.count
            elements.append(contentsOf: row)
        }
        return Matrix(rows: items.count, columns: width ?? 0, elements: elements)
    }

    static func join(_ path: String?, _ key: String) -> String {
        path.map { "\($0).\(key)" } ?? key
    }
}
