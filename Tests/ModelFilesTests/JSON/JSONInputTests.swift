// JSONInputTests.swift: the JSON under every case file, model file and safetensors header is outside input.
import Backprop
import ModelFiles
import Foundation
import Testing

/// The JSON under every case file, model file and safetensors header is outside input.
@Suite struct JSONInputTests {
    /// Found with hand-made deep inputs run through the case-file fuzz target: decoding cost grew
    /// with the square of the nesting depth, so 3.8 KB of numbers 400 arrays deep took 37 s (under
    /// ASan) before failing.
    /// Nesting beyond JSONValue.maximumDepth is now refused by a linear scan, before decoding.
    @Test func deepNestingIsRefusedBeforeDecoding() throws {
        let numbers = Array(repeating: "1", count: 1500).joined(separator: ",")
        let text = "{\"layers\": [{\"weights\": " + String(repeating: "[", count: 400) + numbers
            + String(repeating: "]", count: 400) + "}]}"
        let started = Date()
        let error = try #require(throws: FileFormatError.self) { try TrainingCase.parse(Data(text.utf8), file: "deep.json") }
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(error.field == nil && error.problem.contains("nested more than \(JSONValue.maximumDepth) levels deep (at byte 53)"), "\(error)")
    }

    /// Exactly maximumDepth levels still parse; brackets inside strings (escaped quotes too) do not count.
    @Test func depthLimitCountsOnlyStructure() throws {
        let depth = JSONValue.maximumDepth
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var expected = JSONValue.array([])
        for _ in 1..<depth { expected = .array([expected]) }
        #expect(try JSONValue.parse(Data(nested.utf8), file: "n.json") == expected)
        let deeper = "[" + nested + "]"
        #expect(throws: FileFormatError.self) { try JSONValue.parse(Data(deeper.utf8), file: "n.json") }
        let brackets = "[\"" + String(repeating: "[{", count: 100) + "\\\"\"]"
        #expect(try JSONValue.parse(Data(brackets.utf8), file: "s.json") == .array([.string(String(repeating: "[{", count: 100) + "\"")]))
    }

    /// Numbers are decoded first (the common case); booleans, null and strings keep their kinds.
    @Test func valuesKeepTheirKinds() throws {
        let value = try JSONValue.parse(Data("[true, false, 1, 0, null, \"1\", {\"a\": [2.5, -0.0]}]".utf8), file: "k.json")
        #expect(value == .array([.bool(true), .bool(false), .number(1), .number(0), .null, .string("1"),
                                 .object(["a": .array([.number(2.5), .number(-0.0)])])]))
    }
}
