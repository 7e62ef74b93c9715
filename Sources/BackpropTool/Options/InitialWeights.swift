// InitialWeights.swift: `train --init-from MODEL`.
import ArgumentParser
import Backprop
import ModelFiles
import Datasets
import Foundation
import Linalg

/// `train --init-from MODEL`: start from a saved model's weights instead of random ones.
struct InitialWeightsOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Start from this saved model's weights, loss and input scaling (.json, .safetensors or a PyTorch state dict from `backprop export --format torch`). Not with --hidden, --activation, --output, --initializer or --scaling, which the model fixes; with --layers, the model must have exactly those layers.",
                               valueName: "MODEL"))
    var initFrom: String?

    /// `--init-from` if given (what `--resume` refuses).
    var given: [String] { initFrom == nil ? [] : ["--init-from"] }

    /// Refuses, with --init-from, the options the saved model fixes (architecture and scaling);
    /// `--layers` and `--input-shape` are checked against the model instead (``load(_:featureCount:classCount:layers:)``).
    func check(architecture: [String], training: [String]) throws {
        guard let initFrom else { return }
        let fixed = architecture.filter { $0 != "--layers" && $0 != "--input-shape" } + training.filter { $0 == "--scaling" }
        if !fixed.isEmpty {
            throw ValidationError("--init-from \(initFrom): \(fixed.joined(separator: ", ")) cannot be used with --init-from: "
                + "the saved model fixes the architecture and the input scaling")
        }
    }

    /// The starting network and scaler from --init-from, checked against the data and, when given
    /// (`--layers`), against `layers`: the same kinds, shapes, settings, biases and activations, a
    /// difference named by layer with both shapes. Nil without --init-from. The network is converted
    /// to `B`'s precision (exactly from float32 to float64).
    func load<B: LinearAlgebra>(_: B.Type, featureCount: Int, classCount: Int, layers: [Layer<Double>]? = nil) throws
        -> (network: Network<B>, scaler: FeatureScaler, classNames: [String]?)? {
        guard let initFrom else { return nil }
        let saved = try SavedModel.load(path: initFrom)
        if let layers {
            if saved.layers.count != layers.count {
                throw ValidationError("--init-from \(initFrom): the model has \(saved.layers.count) layers, --layers gives \(layers.count)")
            }
            for (l, (have, want)) in zip(saved.layers, layers).enumerated() where Self.describe(have) != Self.describe(want) {
                throw ValidationError("--init-from \(initFrom): layer \(l): the model has \(Self.describe(have)); --layers gives \(Self.describe(want))")
            }
        }
        guard saved.inputCount == featureCount else {
            throw ValidationError("--init-from \(initFrom): the model takes \(saved.inputCount) inputs, the data has \(featureCount) features")
        }
        guard classCount <= saved.outputCount else {
            throw ValidationError("--init-from \(initFrom): the data has \(classCount) classes, the model \(saved.outputCount) outputs")
        }
        return (saved.network(B.self), saved.scaler ?? .identity(featureCount: featureCount), saved.classNames)
    }

    /// A layer's kind, parameter shapes, settings, bias and activation, in words: what a model must
    /// match layer by layer for `--layers`.
    static func describe(_ layer: Layer<Double>) -> String {
        func dims(_ s: [Int]) -> String { s.map(String.init).joined(separator: "×") }
        var geometry: ConvolutionShape? = nil
        var text = layer.kindName
        if case .conv2d(let conv) = layer {
            geometry = conv.shape
            text += " weights [out, in, kh, kw] [\(conv.shape.filters), \(conv.shape.channels), \(conv.shape.kernelHeight), \(conv.shape.kernelWidth)]"
        } else if case .dense(let dense) = layer {
            text += " weights [fan_in, fan_out] [\(dense.weights.rows), \(dense.weights.columns)]"
        } else if case .maxPool2D(let pool) = layer { geometry = pool.shape } else if case .avgPool2D(let pool) = layer { geometry = pool.shape }
        if let g = geometry {
            text += " over \(dims([g.channels, g.height, g.width])), kernel \(dims([g.kernelHeight, g.kernelWidth])), "
                + "stride \(dims([g.strideHeight, g.strideWidth])), padding \(dims([g.paddingHeight, g.paddingWidth]))"
        } else if layer.weights.elements.isEmpty {
            text += " over \(layer.inputCount) values"
        }
        if case .leakyReLU(let leaky) = layer { text += ", slope \(leaky.slope)" }
        if !layer.weights.elements.isEmpty { text += layer.bias == nil ? ", no bias" : ", bias" }
        return text + (layer.activation == .identity ? "" : ", \(layer.activation.rawValue)")
    }
}
