// SafeTensorsTests.swift: the safetensors container.
import Backprop
import ModelFiles
import Foundation
import Testing
import TestSupport

/// The safetensors container: its exact bytes, exact round trips, F32 input, and a named error for
/// every way a file can be malformed.
@Suite struct SafeTensorsTests {
    /// A file from header text and data bytes, with the 8-byte little-endian length in front.
    static func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> Data {
        let h = Array(header.utf8)
        let n = length ?? UInt64(h.count)
        return Data((0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * $0)) } + h + data)
    }

    /// The little-endian bytes of an IEEE-754 bit pattern.
    static func littleEndian<T: FixedWidthInteger>(_ bits: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
    }

    @Test func encodesTheDocumentedLayout() {
        let st = SafeTensors(tensors: ["b": .init(shape: [2], values: [1.0, -2.0]), "a": .init(shape: [], values: [0.5])],
                             metadata: ["k": "v"])
        let header = #"{"__metadata__":{"k":"v"},"a":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"#
            + #""b":{"dtype":"F64","shape":[2],"data_offsets":[8,24]}}"#
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        // 0.5 = 2^-1: exponent 1022 = 0x3FE; 1 = 0x3FF0...; -2: sign bit with exponent 1024 = 0x400.
        let data: [UInt8] = [0, 0, 0, 0, 0, 0, 0xE0, 0x3F] + [0, 0, 0, 0, 0, 0, 0xF0, 0x3F] + [0, 0, 0, 0, 0, 0, 0, 0xC0]
        #expect(st.encoded() == Self.file(padded, data: data))
        #expect((8 + padded.utf8.count) % 8 == 0 && padded.utf8.count > header.utf8.count)
    }

    @Test func anEmptyContainerIsAnEmptyObject() throws {
        #expect(SafeTensors().encoded() == Self.file("{}      "))
        #expect(try SafeTensors.decode(Self.file("{}"), file: "e") == SafeTensors())
    }

    static let awkward: [Double] = [0.1, 1.0 / 3.0, Double.leastNonzeroMagnitude, -0.0, 1e300, -1e-300,
                                    .infinity, -.infinity, .nan, Double.greatestFiniteMagnitude, 2.0 / 3.0, .pi]

    @Test func roundTripsEveryBit() throws {
        let st = SafeTensors(tensors: ["w": .init(shape: [3, 4], values: Self.awkward),
                                       "scalar": .init(shape: [], values: [-0.0]),
                                       "empty": .init(shape: [0, 5], values: []),
                                       "naïve \"name\"": .init(shape: [2], values: [1, 2])],
                             metadata: ["note": "ünïcode \"quoted\"\n", "epochs": "3"])
        let dir = TestData.temporaryDirectory()
        let path = dir.appendingPathComponent("t.safetensors").path
        try st.write(to: path)
        let back = try SafeTensors.read(path: path)
        #expect(back.metadata == st.metadata)
        #expect(Set(back.tensors.keys) == Set(st.tensors.keys))
        for (name, tensor) in st.tensors {
            #expect(back.tensors[name]?.shape == tensor.shape, "\(name)")
            #expect(back.tensors[name]?.values.map(\.bitPattern) == tensor.values.map(\.bitPattern), "\(name)")
        }
    }

    /// F32 data converts exactly: float32(0.1) is 13421773 · 2⁻²⁷.
    @Test func readsF32AndF64Together() throws {
        let floats: [Float] = [0.1, 1.5, -0.0, .leastNonzeroMagnitude]
        let header = #"{"d":{"dtype":"F64","shape":[1],"data_offsets":[16,24]},"f":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#
        let data = floats.flatMap { Self.littleEndian($0.bitPattern) } + Self.littleEndian((0.25).bitPattern)
        let st = try SafeTensors.decode(Self.file(header, data: data), file: "mixed.safetensors")
        let f = try #require(st.tensors["f"])
        #expect(f.shape == [2, 2])
        let expected: [Double] = [13421773.0 / 134217728.0, 1.5, -0.0, 0x1p-149]
        #expect(f.values.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(st.tensors["d"] == .init(shape: [1], values: [0.25]))
    }

    @Test func nonFiniteValuesAreKeptInTheContainer() throws {
        let header = #"{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}"#
        let data = Self.littleEndian(Double.nan.bitPattern) + Self.littleEndian(Double.infinity.bitPattern)
        let x = try #require(try SafeTensors.decode(Self.file(header, data: data), file: "n").tensors["x"])
        #expect(x.values[0].isNaN && x.values[1] == .infinity)
    }

    @Test func aMissingFileIsAnError() {
        let error = #expect(throws: FileFormatError.self) { try SafeTensors.read(path: "/nonexistent/x.safetensors") }
        #expect(error?.file == "/nonexistent/x.safetensors" && error?.problem.contains("cannot read") == true)
    }

    static func entry(_ name: String, _ body: String) -> String { "\"\(name)\":{\(body)}" }
    static let f64x2 = #""dtype":"F64","shape":[2],"data_offsets":[0,16]"#

    /// (label, file bytes, field, problem).
    static let badFiles: [(String, Data, String?, String)] = [
        ("shorter than 8 bytes", Data([1, 2, 3]), nil, "8-byte header length"),
        ("absurd header length", file("{}", length: 1 << 40), "header length", "more than the 100000000 allowed"),
        ("header longer than the file", file("{}", length: 100), "header length", "only 2 bytes follow"),
        ("empty header", file(""), "header", "empty"),
        ("blank header", file("        "), "header", "empty"),
        ("not UTF-8", file("{\"\u{FF}\":1}").replacingUTF8(at: 11, with: 0xFF), "header", "not valid UTF-8"),
        ("not JSON", file("{\"a\": "), "header", "not valid JSON"),
        ("not an object", file("[1, 2]  "), "header", "expected an object, found an array"),
        ("entry not an object", file(#"{"a":5}"#), #"header["a"]"#, "expected an object, found a number"),
        ("missing dtype", file("{" + entry("a", #""shape":[2],"data_offsets":[0,16]"#) + "}", data: .init(repeating: 0, count: 16)),
         #"header["a"].dtype"#, "missing field"),
        ("dtype not a string", file("{" + entry("a", #""dtype":8,"shape":[2],"data_offsets":[0,16]"#) + "}"),
         #"header["a"].dtype"#, "expected a string, found a number"),
        ("unsupported dtype", file("{" + entry("a", #""dtype":"F16","shape":[2],"data_offsets":[0,4]"#) + "}", data: [0, 0, 0, 0]),
         #"header["a"].dtype"#, "\"F16\" is not supported"),
        ("unknown dtype", file("{" + entry("a", #""dtype":"F65","shape":[2],"data_offsets":[0,16]"#) + "}"),
         #"header["a"].dtype"#, "not a safetensors dtype"),
        ("missing shape", file("{" + entry("a", #""dtype":"F64","data_offsets":[0,16]"#) + "}"), #"header["a"].shape"#, "missing field"),
        ("shape not an array", file("{" + entry("a", #""dtype":"F64","shape":2,"data_offsets":[0,16]"#) + "}"),
         #"header["a"].shape"#, "expected an array"),
        ("negative dimension", file("{" + entry("a", #""dtype":"F64","shape":[-2],"data_offsets":[0,16]"#) + "}"),
         #"header["a"].shape[0]"#, "non-negative integer, found -2"),
        ("fractional dimension", file("{" + entry("a", #""dtype":"F64","shape":[2, 1.5],"data_offsets":[0,16]"#) + "}"),
         #"header["a"].shape[1]"#, "non-negative integer, found 1.5"),
        ("dimension a string", file("{" + entry("a", #""dtype":"F64","shape":["2"],"data_offsets":[0,16]"#) + "}"),
         #"header["a"].shape[0]"#, "found a string"),
        ("shape product overflows", file("{" + entry("a", #""dtype":"F64","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,16]"#) + "}"),
         #"header["a"].shape"#, "more elements than can be addressed"),
        ("bytes overflow", file("{" + entry("a", #""dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,16]"#) + "}"),
         #"header["a"].shape"#, "more elements than can be addressed"),
        ("missing data_offsets", file("{" + entry("a", #""dtype":"F64","shape":[2]"#) + "}"), #"header["a"].data_offsets"#, "missing field"),
        ("three offsets", file("{" + entry("a", #""dtype":"F64","shape":[2],"data_offsets":[0,8,16]"#) + "}"),
         #"header["a"].data_offsets"#, "expected 2 numbers"),
        ("negative offset", file("{" + entry("a", #""dtype":"F64","shape":[0],"data_offsets":[-8,-8]"#) + "}"),
         #"header["a"].data_offsets[0]"#, "non-negative integer"),
        ("offset a string", file("{" + entry("a", #""dtype":"F64","shape":[2],"data_offsets":[0,"16"]"#) + "}"),
         #"header["a"].data_offsets[1]"#, "found a string"),
        ("begin after end", file("{" + entry("a", #""dtype":"F64","shape":[0],"data_offsets":[16,0]"#) + "}", data: .init(repeating: 0, count: 16)),
         #"header["a"].data_offsets"#, "after its end"),
        ("offsets disagree with shape", file("{" + entry("a", #""dtype":"F64","shape":[3],"data_offsets":[0,16]"#) + "}", data: .init(repeating: 0, count: 16)),
         #"header["a"].data_offsets"#, "spans 16 bytes, but shape [3] of F64 needs 3 × 8 = 24"),
        ("F32 size", file("{" + entry("a", #""dtype":"F32","shape":[2],"data_offsets":[0,16]"#) + "}", data: .init(repeating: 0, count: 16)),
         #"header["a"].data_offsets"#, "needs 2 × 4 = 8"),
        ("past the data section", file("{" + entry("a", f64x2) + "}", data: .init(repeating: 0, count: 8)),
         #"header["a"].data_offsets"#, "past the end of the 8-byte data section"),
        ("overlap", file("{" + entry("a", f64x2) + "," + entry("b", #""dtype":"F64","shape":[2],"data_offsets":[8,24]"#) + "}",
                         data: .init(repeating: 0, count: 24)),
         #"header["b"].data_offsets"#, "overlap tensor \"a\""),
        ("same range twice", file("{" + entry("a", f64x2) + "," + entry("b", f64x2) + "}", data: .init(repeating: 0, count: 16)),
         #"header["b"].data_offsets"#, "overlap tensor \"a\""),
        ("gap", file("{" + entry("a", #""dtype":"F64","shape":[1],"data_offsets":[0,8]"#) + ","
                     + entry("b", #""dtype":"F64","shape":[1],"data_offsets":[16,24]"#) + "}", data: .init(repeating: 0, count: 24)),
         #"header["b"].data_offsets"#, "leaving bytes 8..<16"),
        ("trailing bytes", file("{" + entry("a", f64x2) + "}", data: .init(repeating: 0, count: 20)),
         "data", "bytes 16..<20 of the data section belong to no tensor"),
        ("data without tensors", file("{}", data: [1]), "data", "bytes 0..<1"),
        ("metadata not an object", file(#"{"__metadata__":[]}"#), #"header["__metadata__"]"#, "expected an object"),
        ("metadata value not a string", file(#"{"__metadata__":{"epochs":3}}"#), #"header["__metadata__"]["epochs"]"#,
         "expected a string, found a number"),
    ]

    @Test(arguments: badFiles)
    func badFileNamesFieldAndProblem(label: String, bytes: Data, field: String?, problem: String) throws {
        let dir = TestData.temporaryDirectory()
        let path = dir.appendingPathComponent("bad.safetensors").path
        try bytes.write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: FileFormatError.self, "\(label)") { try SafeTensors.read(path: path) }
        #expect(error.file == path, "\(label)")
        #expect(error.field == field, "\(label): \(error)")
        #expect(error.problem.contains(problem), "\(label): \(error)")
        #expect(error.description.hasPrefix("\(path): "), "\(label)")
    }
}

private extension Data {
    /// A copy with the byte at `offset` replaced (to plant bytes a Swift string cannot hold).
    func replacingUTF8(at offset: Int, with byte: UInt8) -> Data {
        var copy = self
        copy[copy.startIndex + offset] = byte
        return copy
    }
}
