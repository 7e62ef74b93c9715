// FeatureBlocksTests.swift: samples read a block at a time equal the whole-file readers' rows, scaled and rounded the same, and a bad row in a late block is named as the whole-file readers name it.
import Foundation
import Testing

import Datasets
import Kernels

/// 2,600 rows of 5 features: five blocks of 512 and a last one of 40, each value a double of
/// varied magnitude and sign, the same in every file below (float32 files hold them rounded).
private let rows = 2_600, columns = 5, block = 512
private let values: [Double] = (0..<(rows * columns)).map { k in
    let u = Double((k &* 2_654_435_761) % 1_000_003) / 1_000_003  // in [0, 1)
    return (u - 0.3) * [1, 1e-3, 250, 7, 1e6][k % columns]
}
private let scaler = FeatureScaler(method: .standardize, offset: [0.5, -1e-4, 3, 0, 2e5], scale: [2, 1e3, 0.01, 0.25, 1e-6])

/// A CSV file of `rows` (a header, then one row of `values` per line, each in its shortest form).
private func csvText(_ rows: [[String]]) -> String {
    (["a,b,c,d,e"] + rows.map { $0.joined(separator: ",") }).joined(separator: "\n") + "\n"
}
private let csvRows = (0..<rows).map { i in (0..<columns).map { "\(values[i * columns + $0])" } }

@Suite("Feature blocks")
struct FeatureBlocksTests {
    /// Every block of `blocks` read into `T`, concatenated.
    func readAll<T: KernelScalar>(_ blocks: FeatureBlocks, as _: T.Type) throws -> [T] {
        var out: [T] = [], buffer = [T](repeating: .nan, count: block * columns)
        while true {
            let n = try buffer.withUnsafeMutableBufferPointer { try blocks.read(upTo: block, scaler: scaler, into: $0) }
            out += buffer[0..<(n * columns)]
            if n < block { return out }
        }
    }

    /// The whole-file reader's values, scaled in `Double` and rounded once to `T` (as the trainer's batches are).
    func expected<T: BinaryFloatingPoint>(_ whole: [Double], as _: T.Type) -> [T] {
        whole.indices.map { k in T((whole[k] - scaler.offset[k % columns]) * scaler.scale[k % columns]) }
    }

    @Test func npyBlocksEqualTheWholeFileInBothPrecisions() throws {
        let dir = try TemporaryDirectory()
        let f64 = try dir.write("x64.npy", npy("<f8", shape: [rows, columns], data: bytes(values.map(\.bitPattern))))
        let f32 = try dir.write("x32.npy", npy("<f4", shape: [rows, columns], data: bytes(values.map { Float($0).bitPattern })))
        let fortran = try dir.write("xf.npy", npy("<f8", shape: [rows, columns], fortran: true,
                                                   data: bytes((0..<(rows * columns)).map { k in values[(k % rows) * columns + k / rows].bitPattern })))
        for path in [f64, f32, fortran] {
            let whole = try NumPy.loadFeatures(path)
            #expect(whole.rows == rows && whole.columns == columns)
            let blocks = try FeatureBlocks.numPy(path)
            #expect(blocks.rowCount == rows && blocks.featureCount == columns)
            #expect(try readAll(blocks, as: Float.self) == expected(whole.values, as: Float.self), "\(path)")
            #expect(blocks.rowsRead == rows)
            #expect(try readAll(try FeatureBlocks.numPy(path), as: Double.self) == expected(whole.values, as: Double.self), "\(path)")
        }
        // The values themselves, not only the reader's agreement with itself: float64 holds them exactly.
        #expect(try NumPy.loadFeatures(f64).values == values)
    }

    @Test func csvBlocksEqualTheWholeFileInBothPrecisions() throws {
        let dir = try TemporaryDirectory()
        // Blank lines (skipped by both readers) and a label column dropped by both.
        var lines = csvRows.map { $0 + ["9"] }
        lines.insert([" "], at: 700)
        let path = try dir.write("x.csv", text: csvText(lines).replacingOccurrences(of: "a,b,c,d,e", with: "a,b,c,d,e,label") + "\n\n")
        let whole = try CSV.loadFeatures(path, hasHeader: true, dropping: .name("label"))
        #expect(whole.rows == rows && whole.columns == columns && whole.values == values)
        let blocks = try FeatureBlocks.csv(path, hasHeader: true, dropping: .name("label"))
        #expect(blocks.rowCount == rows && blocks.featureCount == columns)
        #expect(try readAll(blocks, as: Float.self) == expected(values, as: Float.self))
        #expect(try readAll(try FeatureBlocks.csv(path, hasHeader: true, dropping: .last), as: Double.self) == expected(values, as: Double.self))
    }

    @Test func aHeaderWithoutRowsIsTheWholeFileReadersError() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("x.csv", text: "\n a,b\n\n")
        let blocks = try FeatureBlocks.csv(path, hasHeader: true)
        #expect(blocks.rowCount == 0)
        var buffer = [Double](repeating: 0, count: 2)
        let error = #expect(throws: DatasetError.self) {
            _ = try buffer.withUnsafeMutableBufferPointer { try blocks.read(upTo: 1, scaler: .identity(featureCount: 2), into: $0) }
        }
        #expect(error?.kind == .emptyFile && error?.position == .line(2))
        #expect(throws: error!) { _ = try CSV.loadFeatures(path, hasHeader: true) }
    }

    @Test func aNonFiniteValueInALateBlockNamesItsRow() throws {
        let dir = try TemporaryDirectory()
        var bad = values
        bad[2_345 * columns + 3] = .nan
        let path = try dir.write("x.npy", npy("<f8", shape: [rows, columns], data: bytes(bad.map(\.bitPattern))))
        let blocks = try FeatureBlocks.numPy(path)
        var buffer = [Double](repeating: 0, count: block * columns)
        for _ in 0..<4 {  // Rows 0..<2048 are fine.
            #expect(try buffer.withUnsafeMutableBufferPointer { try blocks.read(upTo: block, scaler: scaler, into: $0) } == block)
        }
        let error = #expect(throws: DatasetError.self) {
            try buffer.withUnsafeMutableBufferPointer { _ = try blocks.read(upTo: block, scaler: scaler, into: $0) }
        }
        #expect(error?.kind == .nonFiniteValue && error?.position == .sample(2_345))
        #expect(error?.description.contains("feature 3 is nan") == true, "\(String(describing: error))")
        #expect(throws: error!) { _ = try NumPy.loadFeatures(path) }  // The whole-file reader's error, word for word.
    }

    @Test func aShortOrBadCSVRowInALateBlockNamesItsLine() throws {
        let dir = try TemporaryDirectory()
        for (row, replacement) in [(2_345, ["1", "2", "3", "4"]), (2_599, ["1", "x", "3", "4", "5"]), (1_500, ["1", "nan", "3", "4", "5"])] {
            var lines = csvRows
            lines[row] = replacement
            let path = try dir.write("x.csv", text: csvText(lines))
            let blocks = try FeatureBlocks.csv(path, hasHeader: true)
            var buffer = [Float](repeating: 0, count: block * columns), read = 0
            let error = #expect(throws: DatasetError.self) {
                while true {
                    let n = try buffer.withUnsafeMutableBufferPointer { try blocks.read(upTo: block, scaler: scaler, into: $0) }
                    read += n
                    if n == 0 { break }
                }
            }
            #expect(read == row / block * block, "row \(row)")  // The blocks before the bad one were read.
            // Line row + 2: the header is line 1.
            let line = row + 2
            #expect(error?.position == .line(line) || error?.position == .field(line: line, field: 2), "\(String(describing: error))")
            #expect(throws: error!) { _ = try CSV.loadFeatures(path, hasHeader: true) }
        }
    }
}
