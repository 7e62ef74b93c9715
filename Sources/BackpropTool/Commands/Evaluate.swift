// Evaluate.swift: `backprop evaluate MODEL`.
import ArgumentParser
import Backprop
import ModelFiles
import Datasets
import Foundation

/// `backprop evaluate MODEL`: loss, accuracy, per-class accuracy and the confusion matrix.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a saved model on labelled data: loss, accuracy, per-class accuracy, confusion matrix.",
        discussion: "Uses the test set of --data (Fashion-MNIST's 10,000 test images by default), or --data itself when it has no test set."
    )

    @Argument(help: "A model saved by `backprop train --save` (.json or .safetensors).")
    var model: String

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Precision to compute in: float32 or float64. Default: the precision the model was trained in.")
    var precision: Precision?

    func validate() throws {
        // --limit cuts the training samples, which evaluate reads only when there is no test set.
        if let limit = dataOptions.limit, dataOptions.testData != nil || dataOptions.data == "fashion-mnist" {
            throw ValidationError("--limit \(limit): evaluate uses the whole test set (\(dataOptions.testData ?? "Fashion-MNIST's own")), "
                + "which --limit (the first N training samples) does not cut")
        }
    }

    func run() throws {
        let saved = try SavedModel.load(path: model)
        let data = try dataOptions.loadEvaluationSet()
        let scaler = try saved.inputScaler(for: data, modelPath: model)
        guard data.classCount <= saved.outputCount else {
            throw ValidationError("\(data.source) has \(data.classCount) classes; the model \(model) has \(saved.outputCount) outputs")
        }
        func evaluate<B: LinearAlgebra>(_ backend: B.Type) -> Evaluation {
            saved.network(backend).evaluate(data, scaler: scaler)
        }
        let precision = self.precision ?? PrecisionDefault.ofModel(saved)
        let result = BackendChoice.blas.with(precision) { evaluate($0) }
        print(String(format: "%@ on %@: %d samples (%@)", model, data.source, data.count, precision.rawValue))
        print(String(format: "loss %.4f  accuracy %.2f%%", result.loss, 100 * result.accuracy))
        let names = saved.classNames ?? (0..<saved.outputCount).map(String.init)
        let width = max(5, names.map(\.count).max() ?? 0)
        print("\nper class:")
        for (c, accuracy) in result.perClassAccuracy.enumerated() where c < data.classCount {
            let text = accuracy.map { String(format: "%6.2f%%", 100 * $0) } ?? "   n/a"
            print("  \(c)  \(names[c].padding(toLength: width, withPad: " ", startingAt: 0))  \(text)  (\(result.confusion[c].reduce(0, +)) samples)")
        }
        print("\nconfusion matrix (rows: true class, columns: predicted):")
        let cells = result.confusion.prefix(data.classCount).map { $0.prefix(data.classCount) }
        let cellWidth = max(4, String(cells.flatMap { $0 }.max() ?? 0).count + 1)
        print("     " + (0..<data.classCount).map { String($0).leftPadded(cellWidth) }.joined())
        for (c, row) in cells.enumerated() {
            print(String(c).leftPadded(4) + " " + row.map { String($0).leftPadded(cellWidth) }.joined())
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

extension SavedModel {
    /// The model's input scaling, checked against data with `data.featureCount` features.
    func inputScaler(for data: Dataset, modelPath: String) throws -> FeatureScaler {
        try inputScaler(featureCount: data.featureCount, source: data.source, modelPath: modelPath)
    }

    func inputScaler(featureCount: Int, source: String, modelPath: String) throws -> FeatureScaler {
        guard featureCount == inputCount else {
            throw ValidationError("\(source) has \(featureCount) features per sample; the model \(modelPath) takes \(inputCount) inputs")
        }
        return scaler ?? .identity(featureCount: inputCount)
    }
}
