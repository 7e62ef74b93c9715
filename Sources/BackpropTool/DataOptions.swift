import ArgumentParser
import Datasets
import Foundation

/// Where a command's labelled data comes from: Debian's Fashion-MNIST, IDX files, or CSV files.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"),
            help: ArgumentHelp("Training data: 'fashion-mnist' (Debian's dataset-fashion-mnist), an IDX images file (with --labels), or a CSV file. Default: fashion-mnist.",
                               valueName: "fashion-mnist|FILE"))
    var dataGiven: String?
    var data: String { dataGiven ?? "fashion-mnist" }

    @Option(help: ArgumentHelp("IDX labels file for --data (IDX images).", valueName: "FILE"))
    var labels: String?

    @Option(help: ArgumentHelp("Test data, as --data (IDX images or CSV). Fashion-MNIST brings its own test set.", valueName: "FILE"))
    var testData: String?

    @Option(help: ArgumentHelp("IDX labels file for --test-data.", valueName: "FILE"))
    var testLabels: String?

    @Option(name: .customLong("label-column"),
            help: ArgumentHelp("CSV label column: a header name, a 0-based index, or 'last'. Default: last.", valueName: "NAME|INDEX|last"))
    var labelColumnGiven: String?
    var labelColumn: String { labelColumnGiven ?? "last" }

    @Flag(help: "CSV files have no header row.")
    var noHeader = false

    @Option(help: ArgumentHelp("Use only the first N training samples.", valueName: "N"))
    var limit: Int?

    /// The options given on the command line, not defaulted: what `train --resume` refuses.
    var given: [String] {
        [("--data", dataGiven != nil), ("--labels", labels != nil), ("--test-data", testData != nil),
         ("--test-labels", testLabels != nil), ("--label-column", labelColumnGiven != nil), ("--no-header", noHeader),
         ("--limit", limit != nil)].filter(\.1).map(\.0)
    }

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if let labels, data == "fashion-mnist" || isCSV(data) {
            throw ValidationError("--labels \(labels): only IDX images in --data take a labels file; --data \(data) is "
                + (data == "fashion-mnist" ? "Fashion-MNIST, which brings its own labels" : "a CSV file, whose labels are a column (--label-column)"))
        }
        if let testLabels, testData.map(isCSV) ?? true {
            throw ValidationError("--test-labels \(testLabels): only IDX images in --test-data take a labels file; "
                + (testData.map { "--test-data \($0) is a CSV file, whose labels are a column" } ?? "no --test-data is given"))
        }
        if data != "fashion-mnist" && !isCSV(data) && labels == nil {
            throw ValidationError("--data \(data) is read as IDX images, which need --labels FILE (or give a .csv file)")
        }
        if let testData, !isCSV(testData) && testLabels == nil {
            throw ValidationError("--test-data \(testData) is read as IDX images, which need --test-labels FILE")
        }
    }

    private func isCSV(_ path: String) -> Bool { path.lowercased().hasSuffix(".csv") }

    private var csvLabel: CSV.LabelColumn {
        if labelColumn == "last" { return .last }
        if let i = Int(labelColumn) { return .index(i) }
        return .name(labelColumn)
    }

    private func load(_ path: String, labels: String?) throws -> Dataset {
        if isCSV(path) { return try CSV.loadDataset(path, hasHeader: !noHeader, label: csvLabel) }
        return try IDX.loadDataset(images: path, labels: labels!)
    }

    /// The training set (limited to --limit samples) and the test set, if there is one.
    func load() throws -> (training: Dataset, test: Dataset?, classNames: [String]?) {
        var training: Dataset, test: Dataset?
        var names: [String]? = nil
        if data == "fashion-mnist" {
            (training, test) = try FashionMNIST.load()
            names = FashionMNIST.classNames
        } else {
            training = try load(data, labels: labels)
        }
        if let testData { test = try load(testData, labels: testLabels) }
        if let limit, limit < training.count { training = training.subset(Array(0..<limit)) }
        return (training, test, names)
    }

    /// These options as command-line arguments, with file paths made absolute: a checkpoint
    /// records them so `--resume` reloads the same data from any working directory.
    var arguments: [String] {
        func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        var a = ["--data", data == "fashion-mnist" ? data : absolute(data), "--label-column", labelColumn]
        if let labels { a += ["--labels", absolute(labels)] }
        if let testData { a += ["--test-data", absolute(testData)] }
        if let testLabels { a += ["--test-labels", absolute(testLabels)] }
        if noHeader { a.append("--no-header") }
        if let limit { a += ["--limit", String(limit)] }
        return a
    }

    /// The data a model is evaluated on: the test set when there is one, else the training data.
    func loadEvaluationSet() throws -> Dataset {
        let (training, test, _) = try load()
        return test ?? training
    }
}
