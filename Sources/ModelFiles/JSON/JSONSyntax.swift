// JSONSyntax.swift: the JSON syntax checker and parser, locating the first error by line and column.
import Backprop
import Datasets
import Foundation

/// The first place where a text is not JSON, or holds a number JSON can write but a `Double`
/// cannot (`1e999`), or a `NaN`/`Infinity` (which JSON has not): its line and column (1-based,
/// columns in bytes), the field path (`layers[0].weights[1][2]`) when inside a value, and a phrase.
struct JSONSyntaxProblem: Equatable {
    let line: Int
    let column: Int
    let field: String?
    let problem: String
    /// True when the text is not JSON; false when it is, but holds a number a `Double` cannot.
    let isSyntax: Bool
}

/// A validating scan of JSON text that finds the first ``JSONSyntaxProblem``; it builds no values.
/// Nesting is assumed already limited (``JSONValue/maximumDepth``).
struct JSONSyntax {
    private let bytes: [UInt8]
    private var i = 0

    private struct Stop: Error {
        let offset: Int
        let field: String?
        let problem: String
        var isSyntax = true
    }

    /// The first problem of `data`, or nil when it is JSON whose every number is a finite `Double`.
    static func firstProblem(in data: Data) -> JSONSyntaxProblem? {
        var scan = JSONSyntax(bytes: [UInt8](data))
        do {
            try scan.value(path: nil)
            scan.skipSpace()
            if scan.i < scan.bytes.count { throw Stop(offset: scan.i, field: nil, problem: "text after the end of the JSON value") }
            return nil
        } catch let stop as Stop {
            let before = scan.bytes[..<min(stop.offset, scan.bytes.count)]
            let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            let column = before.count - (before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
            return JSONSyntaxProblem(line: line, column: column, field: stop.field, problem: stop.problem, isSyntax: stop.isSyntax)
        } catch {
            return nil
        }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
    }

    /// What is at `i`, for a message: a short quote of the next few characters, or the end of the file.
    private func found() -> String {
        guard i < bytes.count else { return "the end of the file" }
        let piece = String(decoding: bytes[i..<min(i + 12, bytes.count)], as: UTF8.self)
        return Excerpt.quoted(piece.prefix { $0 != "\n" && $0 != "\r" })
    }

    private mutating func value(path: String?) throws {
        skipSpace()
        guard i < bytes.count else { throw Stop(offset: i, field: path, problem: "expected a value, found the end of the file") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; return }
            while true {
                skipSpace()
                guard i < bytes.count && bytes[i] == UInt8(ascii: "\"") else {
                    throw Stop(offset: i, field: path, problem: "expected a quoted member name, found \(found())")
                }
                let key = try string(path: path)
                skipSpace()
                guard i < bytes.count && bytes[i] == UInt8(ascii: ":") else {
                    throw Stop(offset: i, field: path, problem: "expected ':' after the member name \(Excerpt.quoted(key)), found \(found())")
                }
                i += 1
                try value(path: path.map { "\($0).\(key)" } ?? key)
                skipSpace()
                if i < bytes.count && bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; return }
                throw Stop(offset: i, field: path, problem: "expected ',' or '}' after a member, found \(found())")
            }
        case UInt8(ascii: "["):
            i += 1
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return }
            var index = 0
            while true {
                try value(path: "\(path ?? "")[\(index)]")
                skipSpace()
                if i < bytes.count && bytes[i] == UInt8(ascii: ",") { i += 1; index += 1; continue }
                if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return }
                throw Stop(offset: i, field: path, problem: "expected ',' or ']' after an array element, found \(found())")
            }
        case UInt8(ascii: "\""):
            _ = try string(path: path)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number(path: path)
        default:
            for word in ["true", "false", "null"] where bytes[i...].starts(with: word.utf8) {
                i += word.utf8.count
                return
            }
            for word in ["NaN", "Infinity", "-Infinity", "nan", "inf"] where bytes[i...].starts(with: word.utf8) {
                throw Stop(offset: i, field: path, problem: "\(word) is not a number JSON can hold (JSON has no NaN or infinity)",
                           isSyntax: false)
            }
            throw Stop(offset: i, field: path, problem: "expected a value, found \(found())")
        }
    }

    /// Scans a string starting at its opening quote; returns its raw text (escapes not decoded).
    private mutating func string(path: String?) throws -> String {
        let start = i
        i += 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\""):
                i += 1
                return String(decoding: bytes[(start + 1)..<(i - 1)], as: UTF8.self)
            case UInt8(ascii: "\\"): i += 2
            case 0..<0x20: throw Stop(offset: i, field: path, problem: "a control character inside a string (write it as an escape such as \\n)")
            default: i += 1
            }
        }
        throw Stop(offset: start, field: path, problem: "a string that is never closed")
    }

    private mutating func number(path: String?) throws {
        let start = i
        func digits() -> Int {
            let from = i
            while i < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { i += 1 }
            return i - from
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard digits() > 0 else { throw Stop(offset: start, field: path, problem: "expected a number, found \(found())") }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw Stop(offset: i, field: path, problem: "expected digits after the decimal point, found \(found())") }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard digits() > 0 else { throw Stop(offset: i, field: path, problem: "expected the exponent's digits, found \(found())") }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if let value = Double(text), !value.isFinite {
            throw Stop(offset: start, field: path,
                       problem: "the number \(Excerpt.quoted(text)) is beyond the range of a Double (largest magnitude 1.8e308)",
                       isSyntax: false)
        }
    }
}
