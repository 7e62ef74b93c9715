// NumPyDataTests.swift: `.npy` and `.npz` files written by NumPy read with NumPy's values; ours load in NumPy bit for bit.
import Backprop
import ModelFiles
import Datasets
import Foundation
import Testing
import TestSupport

/// `.npy` and `.npz` files written by NumPy itself are read with the values NumPy holds, in every
/// dtype and both orders; damaged or unsupported ones are clear errors; and the `.npy` we write
/// loads in NumPy bit for bit. Needs Python's numpy.
@Suite struct NumPyDataTests {
    /// Writes, with NumPy, the arrays the JSON input names (each {dtype, order, shape}), from
    /// `np.arange(n) * step - offset` cast to the dtype, and prints each one's float64 bits in C order.
    static let writer = """
        import json, sys
        import numpy as np
        spec = json.load(open(sys.argv[1]))
        folder = sys.argv[2]
        out = {}
        for name, s in spec.items():
            n = int(np.prod(s["shape"]))
            a = (np.arange(n, dtype=np.float64) * s["step"] - s["offset"]).astype(s["dtype"]).reshape(s["shape"])
            if s.get("order") == "F":
                a = np.asfortranarray(a)
            np.save(f"{folder}/{name}.npy", a)
            out[name] = [format(int(b), "016x") for b in np.ascontiguousarray(a).astype(np.float64).reshape(-1).view("<u8")]
        print(json.dumps(out))
        """

    static func bits(_ hex: [String]) -> [UInt64] { hex.compactMap { UInt64($0, radix: 16) } }

    @Test func everyDtypeAndOrderNumPyWritesReadsAsNumPyHoldsIt() throws {
        try Python.require(["numpy"], install: "pip install numpy")
        let folder = TestData.temporaryDirectory().path
        var spec: [String: [String: Any]] = [:]
        for dtype in ["float16", "float32", "float64", ">f8", ">f4", "int8", "uint8", "int16", ">i2", "uint16", "int32", "uint32",
                      "int64", "uint64", "bool"] {
            let name = dtype.replacingOccurrences(of: ">", with: "be-")
            let signed = !dtype.hasPrefix("u") && dtype != "bool"
            spec[name] = ["dtype": dtype, "shape": [3, 2, 2], "step": dtype.contains("f") ? 0.37 : 1, "offset": signed ? 5 : 0]
            spec[name + "-F"] = ["dtype": dtype, "shape": [3, 4], "step": 1, "offset": 0, "order": "F"]
        }
        let expected = try #require(try Python.json(Self.writer, input: spec, arguments: [folder]) as? [String: [String]])
        #expect(expected.count == spec.count)
        for (name, hex) in expected {
            let array = try NPYArray(contentsOf: "\(folder)/\(name).npy")
            #expect(array.doubles().map(\.bitPattern) == Self.bits(hex), "\(name)")
            #expect(array.shape == (name.hasSuffix("-F") ? [3, 4] : [3, 2, 2]), "\(name)")
        }
    }

    @Test func datasetsFromNpyPairsAndFromStoredAndDeflatedNpz() throws {
        try Python.require(["numpy"], install: "pip install numpy")
        let folder = TestData.temporaryDirectory().path
        _ = try Python.run("""
            import sys
            import numpy as np
            d = sys.argv[1]
            x = np.array([[0.5, -1.0, 2.0], [1e-3, 7.0, -0.25], [3.0, 0.0, 1.5], [-2.0, 4.0, 8.0]])
            y = np.array([2, 0, 1, 2], dtype=np.int32)
            np.save(d + "/x.npy", x); np.save(d + "/y.npy", y)
            np.savez(d + "/stored.npz", x=x, y=y)
            np.savez_compressed(d + "/deflated.npz", features=np.asfortranarray(x.astype(np.float32)), classes=y.astype(np.uint8))
            np.savez(d + "/images.npz", x=np.arange(24, dtype=np.uint8).reshape(4, 2, 3), y=y)
            """, [folder])
        let x: [Double] = [0.5, -1.0, 2.0, 1e-3, 7.0, -0.25, 3.0, 0.0, 1.5, -2.0, 4.0, 8.0]
        let pair = try NumPy.loadDataset(features: "\(folder)/x.npy", labels: "\(folder)/y.npy")
        let stored = try NumPy.loadDataset(npz: "\(folder)/stored.npz")
        for d in [pair, stored] {
            #expect(d.features == .doubles(x) && d.labels == [2, 0, 1, 2] && d.featureCount == 3 && d.classCount == 3)
        }
        let deflated = try NumPy.loadDataset(npz: "\(folder)/deflated.npz", featuresKey: "features", labelsKey: "classes")
        #expect(deflated.features == .doubles(x.map { Double(Float($0)) }) && deflated.labels == [2, 0, 1, 2])
        let images = try NumPy.loadDataset(npz: "\(folder)/images.npz")
        #expect(images.features == .bytes(Array(0..<24)) && images.featureCount == 6)
        #expect(throws: DatasetError(.missingColumn, file: "\(folder)/deflated.npz", "has no array 'x' (it holds: features, classes)")) {
            try NumPy.loadDataset(npz: "\(folder)/deflated.npz")
        }
        let features = try NumPy.loadFeatures("\(folder)/deflated.npz", key: "features")
        #expect(features.rows == 4 && features.columns == 3 && features.values == x.map { Double(Float($0)) })
    }

    @Test func theNpyWeWriteLoadsInNumPyBitForBit() throws {
        try Python.require(["numpy"], install: "pip install numpy")
        let values: [Double] = [0.1, -0.0, 1.0 / 3.0, 1e-310, -1e300, 2]
        let path = TestData.temporaryDirectory().appendingPathComponent("p.npy").path
        try Data(NumPy.encode(values, rows: 2, columns: 3)).write(to: URL(fileURLWithPath: path))
        let out = try Python.run("""
            import sys
            import numpy as np
            a = np.load(sys.argv[1])
            print(a.dtype, a.shape, a.flags["C_CONTIGUOUS"], " ".join(format(int(b), "016x") for b in a.reshape(-1).view("<u8")))
            """, [path])
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines)
                == "float64 (2, 3) True " + values.map { String(format: "%016llx", $0.bitPattern) }.joined(separator: " "))
        #expect(try NPYArray(contentsOf: path).doubles() == values)
    }

    /// Bad files, each named with the byte and the problem (hand-made, so each fault is exactly one).
    @Test func badFilesAreClearErrors() throws {
        func npy(_ header: String, data: [UInt8] = [], version: UInt8 = 1) -> [UInt8] {
            var h = Array(header.utf8) + [0x0A]
            if version == 1 { return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(h.count), 0] + h + data }
            h = Array(header.utf8) + [0x0A]
            return [0x93] + Array("NUMPY".utf8) + [version, 0, UInt8(h.count), 0, 0, 0] + h + data
        }
        let eight = [UInt8](repeating: 0, count: 8)
        let cases: [([UInt8], DatasetError.Kind, String)] = [
            ([], .emptyFile, "file is empty (0 bytes)"),
            (Array("x,y\n1,2\n3,4\n".utf8), .badMagic, "byte 0: not a .npy file: it does not start with \\x93NUMPY"),
            (npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", data: eight, version: 4), .badHeader,
             "byte 6: format version 4.0 is not supported (this reader takes 1.0, 2.0 and 3.0)"),
            (npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", data: eight + eight), .unsupportedType,
             "byte 10: dtype '<c16' is not supported (expected float16/32/64, an integer type or bool)"),
            (npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", data: eight), .unsupportedType,
             "byte 10: dtype '|O' is not supported (expected float16/32/64, an integer type or bool)"),
            (npy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", data: eight), .badHeader,
             "byte 20: expected a string, a tuple, True or False"),
            (npy("{'descr': '<f8', 'shape': (1,), }", data: eight), .badHeader, "byte 10: the header's 'fortran_order' must be True or False"),
            (npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}", data: eight), .badHeader,
             "byte 75: expected a string, a tuple, True or False"),
            (npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 'y'}", data: eight), .badHeader,
             "byte 10: unexpected key 'x' in the header (expected descr, fortran_order and shape)"),
            (npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", data: eight), .truncated,
             "byte 70: shape (2, 3) of float64 needs 48 bytes of data but the file holds only 8"),
            (npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"), .sizeTooLarge,
             "byte 10: shape (4294967296, 4294967296) holds more elements than can be addressed"),
            (npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", data: eight + [1]), .trailingData,
             "byte 76: the file holds 1 bytes more than shape (1,) of float64 needs"),
            (Array(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }").prefix(30)), .truncated,
             "byte 30: header length 58 runs past the end of the file (20 bytes follow)"),
        ]
        let folder = TestData.temporaryDirectory()
        for (i, (bytes, kind, message)) in cases.enumerated() {
            let path = folder.appendingPathComponent("bad\(i).npy").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                _ = try NPYArray(contentsOf: path)
                Issue.record("case \(i) was accepted: \(message)")
            } catch let error as DatasetError {
                #expect(error.kind == kind && error.description == "\(path): \(message)", "case \(i): \(error.kind) \(error.description)")
            }
        }
    }

    @Test func arraysThatAreNotADataSetAreClearErrors() throws {
        try Python.require(["numpy"], install: "pip install numpy")
        let folder = TestData.temporaryDirectory().path
        _ = try Python.run("""
            import sys, zipfile
            import numpy as np
            d = sys.argv[1]
            np.save(d + "/x.npy", np.zeros((3, 2))); np.save(d + "/flat.npy", np.zeros(3))
            np.save(d + "/y-float.npy", np.array([0.0, 1.0, 1.0])); np.save(d + "/y-short.npy", np.array([0, 1]))
            np.save(d + "/y-negative.npy", np.array([0, -1, 1], dtype=np.int8))
            np.save(d + "/nan.npy", np.array([[0.0, 1.0], [np.nan, 2.0]]))
            np.savez_compressed(d + "/d.npz", x=np.zeros((3, 2)), y=np.array([0, 1, 1]))
            data = bytearray(open(d + "/d.npz", "rb").read())
            with zipfile.ZipFile(d + "/d.npz") as z:
                info = z.getinfo("x.npy")
                h = info.header_offset
                start = h + 30 + int.from_bytes(data[h + 26:h + 28], "little") + int.from_bytes(data[h + 28:h + 30], "little")
            data[start + 5] ^= 0xFF
            open(d + "/damaged.npz", "wb").write(bytes(data))
            open(d + "/not-zip.npz", "wb").write(b"PK\\x03\\x04 nothing more")
            """, [folder])
        let cases: [(() throws -> Any, String)] = [
            ({ try NumPy.loadDataset(features: "\(folder)/flat.npy", labels: "\(folder)/y-short.npy") },
             "\(folder)/flat.npy: features must have at least 2 dimensions (N × features), found shape (3,) (use x.reshape(len(x), -1))"),
            ({ try NumPy.loadDataset(features: "\(folder)/x.npy", labels: "\(folder)/y-float.npy") },
             "\(folder)/y-float.npy: labels must have an integer dtype, found float64 (convert with .astype(np.int64))"),
            ({ try NumPy.loadDataset(features: "\(folder)/x.npy", labels: "\(folder)/y-short.npy") },
             "\(folder)/x.npy: holds 3 samples but \(folder)/y-short.npy holds 2 labels"),
            ({ try NumPy.loadDataset(features: "\(folder)/x.npy", labels: "\(folder)/y-negative.npy") },
             "\(folder)/y-negative.npy: sample 1: label -1 is outside 0..<1048576"),
            ({ try NumPy.loadDataset(features: "\(folder)/nan.npy", labels: "\(folder)/y-short.npy") },
             "\(folder)/nan.npy + \(folder)/y-short.npy: sample 1: feature 0 is nan"),
            ({ try NumPy.loadDataset(npz: "\(folder)/not-zip.npz") },
             "\(folder)/not-zip.npz: byte 0: not a zip archive (no end-of-central-directory record); a .npz file is a zip of .npy files"),
        ]
        for (i, (load, message)) in cases.enumerated() {
            do {
                _ = try load()
                Issue.record("case \(i) was accepted: \(message)")
            } catch let error as DatasetError {
                #expect(error.description == message, "case \(i)")
            }
        }
        do {
            _ = try NumPy.loadDataset(npz: "\(folder)/damaged.npz")
            Issue.record("a damaged member was accepted")
        } catch let error as ModelFiles.FileFormatError {
            Issue.record("\(error)")
        } catch let error as DatasetError {
            #expect(error.kind == .corruptCompression && error.description.contains("member 'x.npy'"), "\(error)")
        }
    }
}
