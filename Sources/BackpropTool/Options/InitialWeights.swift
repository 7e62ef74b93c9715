// InitialWeights.swift: `train --init-from MODEL`.
import ArgumentParser
import Backprop
import ModelFiles
import Datasets
import Foundation

/// `train --init-from MODEL`: start from a saved model's weights instead of random ones.
struct InitialWeightsOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start from this saved model's weights, loss and input scaling (.json, .safetensors or a PyTorch state dict from `backprop export --format torch`). Not with --hidden, --activation, --output, --initializer or --scaling, which the model fixes.",
                               valueName: "MODEL"))
    var initFrom: String?

    /// `--init-from` if given (what `--resume` refuses).
    var given: [String] { initFrom == nil ? [] : ["--init-from"] }

    /// Refuses, with --init-from, the options the saved model fixes (architecture and scaling).
    func check(architecture: [String], training: [String]) throws {
        guard let initFrom else { return }
        let fixed = architecture + training.filter { $0 == "--scaling" }
        if !fixed.isEmpty {
            throw ValidationError("--init-from \(initFrom): \(fixed.joined(separator: ", ")) cannot be used with --init-from: "
                + "the saved model fixes the architecture and the input scaling")
        }
    }

    /// The starting network and scaler from --init-from, checked against the data; nil without it.
    /// The network is converted to `B`'s precision (exactly from float32 to float64).
    func load<B: LinearAlgebra>(_: B.Type, featureCount: Int, classCount: Int) throws
        -> (network: Network<B>, scaler: FeatureScaler, classNames: [String]?)? {
        guard let initFrom else { return nil }
        let saved = try SavedModel.load(path: initFrom)
        guard saved.inputCount == featureCount else {
            throw ValidationError("--init-from \(initFrom): the model takes \(saved.inputCount) inputs, the data has \(featureCount) features")
        }
        guard classCount <= saved.outputCount else {
            throw ValidationError("--init-from \(initFrom): the data has \(classCount) classes, the model \(saved.outputCount) outputs")
        }
        return (saved.network(B.self), saved.scaler ?? .identity(featureCount: featureCount), saved.classNames)
    }
}
