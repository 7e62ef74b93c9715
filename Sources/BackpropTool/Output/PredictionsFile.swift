// PredictionsFile.swift: `predict --output`.
import Backprop
import ModelFiles
import Datasets
import Foundation

/// `predict --output`: a model's outputs, one row per sample, as `.npy` (float64, C order,
/// N × outputs) or `.csv` (a header `p0,p1,…`, then each value in its shortest round-trip form).
enum PredictionsFile {
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

    /// Writes `outputs` to `path` atomically, in the format its extension names.
    static func write(_ outputs: Matrix<Double>, to path: String) throws {
        let bytes: Data
        switch Format(path: path) {
        case .npy?:
            bytes = Data(NumPy.encode(outputs.elements, rows: outputs.rows, columns: outputs.columns))
        case .csv?:
            var text = (0..<outputs.columns).map { "p\($0)" }.joined(separator: ",") + "\n"
            for i in 0..<outputs.rows { text += outputs.row(i).map { "\($0)" }.joined(separator: ",") + "\n" }
            bytes = Data(text.utf8)
        case nil:
            preconditionFailure("PredictionsFile.write: \(path) is neither .npy nor .csv (checked by validate)")
        }
        try AtomicFile.write(bytes, to: path)
    }
}
