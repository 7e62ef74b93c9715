// PredictionsFile.swift: where `predict` puts a model's outputs, a block of rows at a time as they are computed: a .npy or .csv file (replaced atomically when complete) or the table it prints.
import ArgumentParser
import Backprop
import ModelFiles
import Datasets
import Foundation

/// `predict`'s outputs, one row per sample, written a block at a time: to `--output` as `.npy`
/// (float64, C order, N × outputs: the header, which holds N, first) or `.csv` (a header
/// `p0,p1,…`, then each value in its shortest round-trip form), through a ``StreamedFile``; or
/// printed as a table (row, class, its name when the model has class names, and every output
/// with 6 decimals, tab-separated). The bytes are those of the whole matrix written at once.
final class PredictionsFile {
    enum Format {
        case npy, csv
        init?(path: String) {
            switch URL(fileURLWithPath: path).pathExtension.lowercased() {
            case "npy": self = .npy
            case "csv": self = .csv
            default: return nil
            }
        }
    }

    private enum Destination {
        case file(StreamedFile, Format)
        case table(classNames: [String]?)
    }
    private let destination: Destination
    /// Outputs per row.
    let columns: Int
    /// The rows a `.npy` file's header declares; nil for the other destinations.
    private let declaredRows: Int?
    /// Rows written so far.
    private(set) var rowsWritten = 0

    /// A file at `path` (`.npy` or `.csv`, by its extension) of `rows × columns` outputs.
    /// - Throws: ``FileWriteError`` when the temporary file cannot be created or written.
    init(path: String, rows: Int, columns: Int) throws {
        let format = Format(path: path)!  // Checked by Predict.validate.
        let file = try StreamedFile(path)
        destination = .file(file, format)
        self.columns = columns
        switch format {
        case .npy:
            declaredRows = rows
            try NumPy.header(rows: rows, columns: columns).withUnsafeBytes { try file.write($0) }
        case .csv:
            declaredRows = nil
            try Array(CSV.headerLine(columns.names("p")).utf8).withUnsafeBytes { try file.write($0) }
        }
    }

    /// The table printed on standard output, its header line printed now.
    init(tableWithClassNames names: [String]?, columns: Int) {
        destination = .table(classNames: names)
        self.columns = columns
        declaredRows = nil
        print((["row", "class"] + (names == nil ? [] : ["name"]) + columns.names("p")).joined(separator: "\t"))
    }

    /// Writes the next `values.count / columns` rows (row-major).
    /// - Throws: ``FileWriteError`` from the file.
    func write(_ values: UnsafeBufferPointer<Double>) throws {
        let rows = values.count / columns
        defer { rowsWritten += rows }
        switch destination {
        case .file(let file, .npy):
            var bytes = [UInt8](repeating: 0, count: 8 * values.count)
            bytes.withUnsafeMutableBytes { out in
                for (k, v) in values.enumerated() { out.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 8 * k, as: UInt64.self) }
            }
            try bytes.withUnsafeBytes { try file.write($0) }
        case .file(let file, .csv):
            try Array(CSV.lines(values, columns: columns).utf8).withUnsafeBytes { try file.write($0) }
        case .table(let names):
            var text = ""
            for i in 0..<rows {
                let row = values[(i * columns)..<((i + 1) * columns)]
                var best = row.startIndex
                for k in row.indices.dropFirst() where row[k] > row[best] { best = k }
                let c = best - row.startIndex
                let probabilities = row.map { String(format: "%.6f", $0) }
                text += ([String(rowsWritten + i), String(c)] + (names.map { [$0[c]] } ?? []) + probabilities).joined(separator: "\t") + "\n"
            }
            print(text, terminator: "")
        }
    }

    /// Completes the file: renames it over `--output` (nothing to do for the table).
    /// - Throws: ``FileWriteError``; or, should fewer rows have come than a `.npy` header declares,
    ///   a `ValidationError` saying so (the file is then left as it was).
    func finish() throws {
        guard case .file(let file, _) = destination else { return }
        if let declaredRows, declaredRows != rowsWritten {
            throw ValidationError("\(file.path): \(rowsWritten) rows were computed, but \(declaredRows) were counted in the input; the file is left as it was")
        }
        try file.commit()
    }
}

extension Int {
    /// "p0", "p1", … for this many columns.
    fileprivate func names(_ prefix: String) -> [String] { (0..<self).map { "\(prefix)\($0)" } }
}
