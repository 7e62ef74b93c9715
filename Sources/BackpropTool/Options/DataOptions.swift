// DataOptions.swift: where a command's labelled data comes from.
import ArgumentParser
import Datasets
import Foundation

/// Where a command's labelled data comes from: Debian's Fashion-MNIST, IDX files, CSV files, or NumPy arrays.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"),
            help: ArgumentHelp("Training data: 'fashion-mnist' (Debian's dataset-fashion-mnist), an IDX images file or a .npy array (with --labels), a CSV file, or a .npz archive. Default: fashion-mnist.",
                               valueName: "fashion-mnist|FILE"))
    var dataGiven: String?
    var data: String { dataGiven ?? "fashion-mnist" }

    @Option(help: ArgumentHelp("Labels for --data: an IDX labels file (for IDX images) or a .npy array of integers (for a .npy --data).", valueName: "FILE"))
    var labels: String?

    @Option(help: ArgumentHelp("Test data, as --data (IDX images, CSV, .npy or .npz). Fashion-MNIST brings its own test set.", valueName: "FILE"))
    var testData: String?

    @Option(help: ArgumentHelp("Labels for --test-data (IDX or .npy).", valueName: "FILE"))
    var testLabels: String?

    @Option(name: .customLong("features-key"),
            help: ArgumentHelp("The features array of a .npz --data or --test-data. Default: \(NumPy.defaultFeaturesKey).", valueName: "NAME"))
    var featuresKeyGiven: String?
    var featuresKey: String { featuresKeyGiven ?? NumPy.defaultFeaturesKey }

    @Option(name: .customLong("labels-key"),
            help: ArgumentHelp("The labels array of a .npz --data or --test-data. Default: \(NumPy.defaultLabelsKey).", valueName: "NAME"))
    var labelsKeyGiven: String?
    var labelsKey: String { labelsKeyGiven ?? NumPy.defaultLabelsKey }

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
         ("--limit", limit != nil), ("--features-key", featuresKeyGiven != nil),
         ("--labels-key", labelsKeyGiven != nil)].filter(\.1).map(\.0)
    }

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if let labels, !needsLabels(data) || data == "fashion-mnist" {
            throw ValidationError("--labels \(labels): only IDX images or a .npy array in --data take a labels file; --data \(data) is "
                + (data == "fashion-mnist" ? "Fashion-MNIST, which brings its own labels"
                   : isCSV(data) ? "a CSV file, whose labels are a column (--label-column)" : "a .npz archive, whose labels are an array (--labels-key)"))
        }
        if let testLabels, testData.map({ !needsLabels($0) }) ?? true {
            throw ValidationError("--test-labels \(testLabels): only IDX images or a .npy array in --test-data take a labels file; "
                + (testData.map { "--test-data \($0) is a \(isCSV($0) ? "CSV file, whose labels are a column" : ".npz archive, whose labels are an array")" }
                   ?? "no --test-data is given"))
        }
        let archives = [data] + (testData.map { [$0] } ?? [])
        for (option, given) in [("--features-key", featuresKeyGiven), ("--labels-key", labelsKeyGiven)] where given != nil {
            if !archives.contains(where: NumPy.isArchive) {
                throw ValidationError("\(option) \(given!): only a .npz archive in --data or --test-data has named arrays")
            }
        }
        if data != "fashion-mnist" && needsLabels(data) && labels == nil {
            throw ValidationError("--data \(data) is read as \(kind(data)) --labels FILE (or give a .csv or .npz file)")
        }
        if let testData, needsLabels(testData) && testLabels == nil {
            throw ValidationError("--test-data \(testData) is read as \(kind(testData)) --test-labels FILE")
        }
    }

    private func isCSV(_ path: String) -> Bool { path.lowercased().hasSuffix(".csv") }
    /// IDX images and .npy features come with a separate labels file; CSV and .npz hold both.
    private func needsLabels(_ path: String) -> Bool { !isCSV(path) && !NumPy.isArchive(path) }
    private func kind(_ path: String) -> String { NumPy.isNumPy(path) ? "a .npy array of features, which needs" : "IDX images, which need" }

    private var csvLabel: CSV.LabelColumn {
        if labelColumn == "last" { return .last }
        if let i = Int(labelColumn) { return .index(i) }
        return .name(labelColumn)
    }

    private func load(_ path: String, labels: String?) throws -> Dataset {
        if isCSV(path) { return try CSV.loadDataset(path, hasHeader: !noHeader, label: csvLabel) }
        if NumPy.isArchive(path) {
            return try NumPy.loadDataset(npz: path, featuresKey: featuresKey, labelsKey: labelsKey, notice: Self.notice)
        }
        if NumPy.isNumPy(path) { return try NumPy.loadDataset(features: path, labels: labels!, notice: Self.notice) }
        return try IDX.loadDataset(images: path, labels: labels!)
    }

    /// A line on standard error (standard output may be `predict`'s table): features loaded whole.
    private static func notice(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The training set (limited to --limit samples) and the test set, if there is one. Features in
    /// a `.npy` file, a stored `.npz` member or an uncompressed IDX file stay in the mapped file,
    /// and `--limit` is a view of them, not a copy.
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
        if let featuresKeyGiven { a += ["--features-key", featuresKeyGiven] }
        if let labelsKeyGiven { a += ["--labels-key", labelsKeyGiven] }
        if let limit { a += ["--limit", String(limit)] }
        return a
    }

    /// The data a model is evaluated on: the test set when there is one, else the training data.
    func loadEvaluationSet() throws -> Dataset {
        let (training, test, _) = try load()
        return test ?? training
    }
}
