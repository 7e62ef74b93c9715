import ArgumentParser
import Backprop
import Datasets
import Foundation

/// `backprop predict MODEL INPUT`: the class and class probabilities of every input row.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict the class of each sample of a CSV or IDX file with a saved model.",
        discussion: """
            Prints one line per sample: its row number, the predicted class (and its name when the model has class names), and the model's output for every class, tab-separated. A .csv INPUT holds one sample per row (all columns are features unless --label-column names one to ignore); any other file is read as IDX images (N × rows × columns, or N × features).
            """
    )

    @Argument(help: "A model saved by `backprop train --save`.")
    var model: String

    @Argument(help: "Samples to classify: a .csv file or an IDX images file (gzip or not).")
    var input: String

    @Option(help: ArgumentHelp("A CSV column to ignore (e.g. the label): a header name, a 0-based index, or 'last'.", valueName: "NAME|INDEX|last"))
    var labelColumn: String?

    @Flag(help: "The CSV file has no header row.")
    var noHeader = false

    @Option(help: ArgumentHelp("Print only the first N rows.", valueName: "N"))
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if !input.lowercased().hasSuffix(".csv") {
            for (option, given) in [("--label-column", labelColumn != nil), ("--no-header", noHeader)] where given {
                throw ValidationError("\(option): only a .csv INPUT has columns and a header; \(input) is read as IDX images")
            }
        }
    }

    func run() throws {
        let saved = try SavedModel.load(path: model)
        let (values, rows, columns) = try readInput()
        let scaler = try saved.inputScaler(featureCount: columns, source: input, modelPath: model)
        let network = saved.network(BLAS.self)
        let count = min(rows, limit ?? rows)
        var x = Matrix(rows: count, columns: columns, elements: Array(values[0..<(count * columns)]))
        for i in 0..<count {
            for j in 0..<columns { x[i, j] = scaler.apply(x[i, j], feature: j) }
        }
        let outputs = network.predict(x)
        let names = saved.classNames
        print((["row", "class"] + (names == nil ? [] : ["name"]) + (0..<network.outputCount).map { "p\($0)" }).joined(separator: "\t"))
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
        let (shape, bytes) = try IDX.read(input)
        guard shape.count >= 2 else {
            throw ValidationError("\(input): an IDX file of samples needs at least 2 dimensions (N × features), found shape \(shape)")
        }
        let columns = shape.dropFirst().reduce(1, *)
        return (bytes.map(Double.init), shape[0], columns)
    }
}
