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
        let blocks = try openInput()
        let scaler = try saved.inputScaler(featureCount: blocks.featureCount, source: input, modelPath: model)
        let names = saved.classNames, columns = saved.outputCount
        // A .npy file's header holds the row count, so it is counted first (a CSV file by a pass over its lines).
        let sink = try output.map { try PredictionsFile(path: $0, rows: min(blocks.rowCount, limit ?? .max), columns: columns) }
            ?? PredictionsFile(tableWithClassNames: names, columns: columns)
        // The scaled inputs rounded once to the model's precision; the outputs back in Double (exactly).
        func predict<B: LinearAlgebra>(_ backend: B.Type) throws -> Int {
            let stream = PredictionStream(network: saved.network(backend), blockRows: 1024, threads: Self.threads)
            return try stream.run(blocks, scaler: scaler, limit: limit ?? .max, into: sink)
        }
        let count = try BackendChoice.blas.with(precision ?? PrecisionDefault.ofModel(saved)) { try predict($0) }
        try sink.finish()
        if let output { print("wrote the \(count) × \(columns) outputs of \(model) to \(output)") }
    }

    /// Threads reading a block and computing it: OpenBLAS's default, one per core (its default is
    /// what the whole-matrix prediction used, so the outputs are the same bit for bit).
    static let threads = max(1, BLASThreads.count)

    /// The input, read a block at a time.
    private func openInput() throws -> FeatureBlocks {
        if input.lowercased().hasSuffix(".csv") {
            let drop: CSV.LabelColumn? = labelColumn.map { $0 == "last" ? .last : Int($0).map { .index($0) } ?? .name($0) }
            return try FeatureBlocks.csv(input, hasHeader: !noHeader, dropping: drop)
        }
        if NumPy.isNumPy(input) { return try FeatureBlocks.numPy(input, key: featuresKey ?? NumPy.defaultFeaturesKey) }
        let (shape, bytes) = try IDX.read(input)
        guard shape.count >= 2 else {
            throw ValidationError("\(input): an IDX file of samples needs at least 2 dimensions (N × features), found shape \(shape)")
        }
        return try FeatureBlocks(.bytes(bytes), featureCount: shape.dropFirst().reduce(1, *), source: input)
    }
}
