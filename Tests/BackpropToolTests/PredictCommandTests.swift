// PredictCommandTests.swift: `backprop predict` reading its input a block at a time gives the library's whole-matrix `Network.predict`, in both precisions, from .npy and CSV, and names the row of bad input in a late block.
import Backprop
import ModelFiles
import Datasets
import Foundation
import Testing
import TestSupport

/// 2,600 samples of 6 features: two blocks of 1,024 and a last one of 552; a model trained on them
/// for one epoch in each precision.
@Suite struct PredictCommandTests {
    static let rows = 2_600, columns = 6
    /// Values of varied sign and size, exact in float32 (so the float32 and float64 files hold the same numbers).
    static let values: [Double] = (0..<(rows * columns)).map { (k: Int) -> Double in
        let spread: [Float] = [1, 3, 0.01, 50, 2, 7]
        let u = Double((k &* 2_654_435_761) % 1_000_003) / 1_000_003 - 0.4
        return Double(Float(u) * spread[k % columns])
    }

    /// A folder with x.npy (float64), x32.npy (float32), x.csv (a header, then the same rows) and
    /// labels y.npy, and a model trained on them in `precision`.
    func fixture(precision: String) throws -> (folder: String, model: String) {
        let d = TestData.temporaryDirectory().path
        try Data(NumPy.encode(Self.values, rows: Self.rows, columns: Self.columns)).write(to: URL(fileURLWithPath: d + "/x.npy"))
        let x32 = Array(NPYHeaderBytes.header(rows: Self.rows, columns: Self.columns)) + Self.values.flatMap { v in
            withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { Array($0) }
        }
        try Data(x32).write(to: URL(fileURLWithPath: d + "/x32.npy"))
        let csv = "a,b,c,d,e,f\n" + (0..<Self.rows).map { i in (0..<Self.columns).map { "\(Self.values[i * Self.columns + $0])" }.joined(separator: ",") }
            .joined(separator: "\n") + "\n"
        try csv.write(toFile: d + "/x.csv", atomically: true, encoding: .utf8)
        let labels = (0..<Self.rows).flatMap { i in withUnsafeBytes(of: Int64(i % 3).littleEndian) { Array($0) } }
        try Data(NPYHeaderBytes.header(rows: Self.rows, columns: nil, descr: "<i8") + labels).write(to: URL(fileURLWithPath: d + "/y.npy"))
        let model = d + "/model.json"
        let train = try Tool.run(["train", "--data", d + "/x.npy", "--labels", d + "/y.npy", "--hidden", "16,8", "--epochs", "1",
                                  "--precision", precision, "--save", model])
        #expect(train.status == 0, "\(train.standardError)")
        return (d, model)
    }

    /// The library's outputs for all rows at once, promoted to Double.
    func libraryOutputs<B: LinearAlgebra>(_ model: String, _: B.Type) throws -> [Double] {
        let saved = try SavedModel.load(path: model)
        let scaler = saved.scaler ?? .identity(featureCount: Self.columns)
        let x = Matrix(rows: Self.rows, columns: Self.columns, elements: scaler.transform(Self.values).map { B.Scalar($0) })
        return saved.network(B.self).predict(x).elements.map { Double($0) }
    }

    @Test(arguments: ["float32", "float64"])
    func blockOutputsAreTheWholeMatrixOutputs(precision: String) throws {
        let (d, model) = try fixture(precision: precision)
        let expected = precision == "float32" ? try libraryOutputs(model, BLAS<Float>.self) : try libraryOutputs(model, BLAS<Double>.self)
        // Each row's products are the same operations in a block as in the whole matrix; OpenBLAS's
        // kernels may still round a 2,600-row product's last bit apart from a 1,024-row one's (its
        // Prescott float32 kernels by one ulp of 1, 6e-8; its Cooperlake ones not at all).
        let tolerance = precision == "float32" ? 2.5e-7 : 1e-14
        for input in ["x.npy", "x32.npy", "x.csv"] {
            for output in ["p.npy", "p.csv"] {
                // The tool on this process's OpenBLAS kernels (it may choose better ones for itself:
                // OpenBLASKernels), so that the two sides differ only in how the rows are blocked.
                let run = try Tool.run(["predict", model, d + "/" + input, "--output", d + "/" + output],
                                       environment: ["OPENBLAS_CORETYPE": BLASThreads.coreName])
                #expect(run.status == 0, "\(input): \(run.standardError)")
                let got: [Double]
                if output.hasSuffix(".npy") {
                    let array = try NPYArray(contentsOf: d + "/" + output)
                    #expect(array.shape == [Self.rows, expected.count / Self.rows] && array.dtypeName == "float64")
                    got = array.doubles()
                } else {
                    let table = try CSV.loadFeatures(d + "/" + output, hasHeader: true)
                    got = table.values
                }
                #expect(got.count == expected.count, "\(input) → \(output)")
                let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? .infinity
                #expect(worst <= tolerance, "\(input) → \(output): largest difference \(worst)")
            }
        }
    }

    @Test func badInputInALateBlockNamesItsRow() throws {
        let (d, model) = try fixture(precision: "float32")
        var bad = Self.values
        bad[2_345 * Self.columns + 4] = .nan
        try Data(NumPy.encode(bad, rows: Self.rows, columns: Self.columns)).write(to: URL(fileURLWithPath: d + "/nan.npy"))
        var lines = try String(contentsOfFile: d + "/x.csv", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        lines[2_346] = "1,2,3"  // Sample 2,345 on line 2,347.
        try lines.joined(separator: "\n").write(toFile: d + "/short.csv", atomically: true, encoding: .utf8)
        for (input, message) in [("nan.npy", "nan.npy: sample 2345: feature 4 is nan"),
                                 ("short.csv", "short.csv:2347: has 3 fields, but the header (line 1) has 6")] {
            for output in [["--output", d + "/p.npy"], []] {
                try? FileManager.default.removeItem(atPath: d + "/p.npy")
                let run = try Tool.run(["predict", model, d + "/" + input] + output)
                #expect(run.status != 0 && run.standardError.contains(message), "\(input) \(output): \(run.standardError)")
                #expect(!FileManager.default.fileExists(atPath: d + "/p.npy"), "a partial output file was left")
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: d).filter { $0.hasSuffix(".tmp") }
                #expect(leftovers.isEmpty, "\(leftovers)")
            }
        }
    }
}

/// `.npy` headers for the fixtures: `descr` values of shape (rows, columns), or (rows,) without columns.
enum NPYHeaderBytes {
    static func header(rows: Int, columns: Int?, descr: String = "<f4") -> [UInt8] {
        let shape = columns.map { "(\(rows), \($0))" } ?? "(\(rows),)"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        dict += String(repeating: " ", count: (64 - (10 + dict.utf8.count + 1) % 64) % 64) + "\n"
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(dict.utf8.count & 0xFF), UInt8(dict.utf8.count >> 8)] + Array(dict.utf8)
    }
}
