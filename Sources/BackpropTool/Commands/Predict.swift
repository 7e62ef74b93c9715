// Predict.swift: `backprop predict MODEL INPUT`.
import ArgumentParser
import Backprop
import ModelFiles
import Datasets
import Foundation

/// `backprop predict MODEL INPUT`: the class and class probabilities of every input row.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict the class of each sample of a CSV, IDX or NumPy file with a saved model.",
        discussion: """
            Prints one line per sample: its row number, the predicted class (and its name when the model has class names), and the model's output for every class, tab-separated. A .csv INPUT holds one sample per row (all columns are features unless --label-column names one to ignore); a .npy file (or the --features-key array of a .npz file) holds N × … samples; any other file is read as IDX images (N × rows × columns, or N × features).

            With --output, the model's outputs go to that file instead, written atomically: .npy (float64, N × outputs) or .csv (a header p0,p1,… and one row per sample).
            """
    )

    @Argument(help: "A model saved by `backprop train --save`.")
    var model: String

    @Argument(help: "Samples to classify: a .csv file, a .npy or .npz file, or an IDX images file (gzip or not).")
    var input: String

    @Option(help: ArgumentHelp("The features array of a .npz INPUT. Default: \(NumPy.defaultFeaturesKey).", valueName: "NAME"))
    var featuresKey: String?

    @Option(help: ArgumentHelp("Write the outputs (class probabilities) to this .npy or .csv file instead of printing them.", valueName: "FILE"))
    var output: String?

    @Option(help: ArgumentHelp("A CSV column to ignore (e.g. the label): a header name, a 0-based index, or 'last'.", valueName: "NAME|INDEX|last"))
    var labelColumn: String?

    @Flag(help: "The CSV file has no header row.")
    var noHeader = false

    @Option(help: ArgumentHelp("Print only the first N rows.", valueName: "N"))
    var limit: Int?

    @Option(help: "Precision to compute in: float32 or float64. Default: the precision the model was trained in.")
    var precision: Precision?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if !input.lowercased().hasSuffix(".csv") {
            let kind = NumPy.isNumPy(input) ? "a NumPy file" : "IDX images"
            for (option, given) in [("--label-column", labelColumn != nil), ("--no-header", noHeader)] where given {
                throw ValidationError("\(option): only a .csv INPUT has columns and a header; \(input) is read as \(kind)")
            }
        }
        if let featuresKey, !NumPy.isArchive(input) {
            throw ValidationError("--features-key \(featuresKey): only a .npz INPUT has named arrays")
        }
        if let output {
            guard PredictionsFile.Format(path: output) != nil else {
                throw ValidationError("--output \(output): the file name must end in .npy or .csv")
            }
            try OutputPath.check(output, option: "--output")
        }
    }

    func run() throws {
        let saved = try SavedModel.load(path: model)
        let (values, rows, columns) = try readInput()
        let scaler = try saved.inputScaler(featureCount: columns, source: input, modelPath: model)
        let count = min(rows, limit ?? rows)
        var x = Matrix<Double>(rows: count, columns: columns, elements: Array(values[0..<(count * columns)]))
        for i in 0..<count {
            for j in 0..<columns { x[i, j] = scaler.apply(x[i, j], feature: j) }
        }
        // The scaled inputs rounded once to the model's precision; the outputs back in Double (exactly).
        func predict<B: LinearAlgebra>(_ backend: B.Type) -> Matrix<Double> {
            saved.network(backend).predict(x.converted(to: B.Scalar.self)).converted(to: Double.self)
        }
        let outputs = BackendChoice.blas.with(precision ?? saved.precision) { predict($0) }
        if let output {
            try PredictionsFile.write(outputs, to: output)
            print("wrote the \(count) × \(outputs.columns) outputs of \(model) to \(output)")
            return
        }
        let names = saved.classNames
        print((["row", "class"] + (names == nil ? [] : ["name"]) + (0..<saved.outputCount).map { "p\($0)" }).joined(separator: "\t"))
        for i in 0..<count {
            let c = outputs.argmax(row: i)
            let probabilities = outputs.row(i).map { String(format: "%.6f", $0) }
            print(([String(i), String(c)] + (names.map { [$0[c]] } ?? []) + probabilities).joined(separator: "\t"))
        }
    }

    private func readInput() throws -> (values: [Double], rows: Int, columns: Int) {
        if input.lowercased().hasSuffix(".csv") {
            let drop: CSV.LabelColumn? = labelColumn.map { $0 == "last" ? .last : Int($0).map { .index($0) } ?? .name($0) }
            return try CSV.loadFeatures(input, hasHeader: !noHeader, dropping: drop)
        }
        if NumPy.isNumPy(input) { return try NumPy.loadFeatures(input, key: featuresKey ?? NumPy.defaultFeaturesKey) }
        let (shape, bytes) = try IDX.read(input)
        guard shape.count >= 2 else {
            throw ValidationError("\(input): an IDX file of samples needs at least 2 dimensions (N × features), found shape \(shape)")
        }
        let columns = shape.dropFirst().reduce(1, *)
        return (bytes.map(Double.init), shape[0], columns)
    }
}
