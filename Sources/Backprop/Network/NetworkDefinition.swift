// NetworkDefinition.swift: a network on no backend: its list of layers and its loss, checked once.
import Linalg

/// A network in precision `Scalar` on no backend: its list of layers and its loss, checked once
/// when made. What ``Network`` computes with, and what `SavedModel`, `Checkpoint` (the `ModelFiles` module) and
/// ``TrainingCase`` hold.
///
/// The rules: at least one layer, each of them valid for its kind (``LayerKind/problem(layer:)``);
/// each layer reads as many values as the layer below writes; softmax only on the last layer and
/// only with cross-entropy (and cross-entropy only after softmax).
public struct NetworkDefinition<Scalar: BLASScalar>: Equatable, Sendable {
    /// The layers from input to output (their parameters change in place; their shapes never do).
    public internal(set) var layers: [Layer<Scalar>]
    /// The objective the training step minimises.
    public let loss: Loss
    /// Each layer's outputs per sample, read once (a pass checks its buffers against them without
    /// touching the layers).
    let outputCounts: [Int]
    /// Inputs per sample.
    public let inputCount: Int
    /// The number of parameter arrays: each layer's weights, then its bias when it has one.
    public let parameterArrayCount: Int

    /// `layers` and `loss`, checked against the rules above.
    public init(layers: [Layer<Scalar>], loss: Loss) throws(NetworkError) {
        try Self.validate(layers, loss)
        self.init(checked: layers, loss: loss)
    }

    /// Outputs per sample.
    public var outputCount: Int { outputCounts[outputCounts.count - 1] }
    /// All weights and biases.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }
    /// The parameter arrays' lengths: each layer's weights, then its bias when it has one.
    public var parameterArrayLengths: [Int] {
        layers.flatMap { layer in [layer.weights.elements.count] + (layer.bias.map { [$0.count] } ?? []) }
    }

    private static func validate(_ layers: [Layer<Scalar>], _ loss: Loss) throws(NetworkError) {
        guard let last = layers.last else { throw .noLayers }
        for (l, layer) in layers.enumerated() {
            if let problem = layer.problem(layer: l) { throw problem }
            if l > 0 && layer.inputCount != layers[l - 1].outputCount {
                throw .fanInMismatch(layer: l, fanIn: layer.inputCount, previousFanOut: layers[l - 1].outputCount)
            }
            if layer.activation == .softmax && l != layers.count - 1 {
                throw .softmaxNotLast(layer: l)
            }
        }
        if last.activation == .softmax && loss != .crossEntropy {
            throw .softmaxWithoutCrossEntropy(loss: loss)
        }
        if loss == .crossEntropy && last.activation != .softmax {
            throw .crossEntropyWithoutSoftmax(activation: last.activation)
        }
    }
}

extension NetworkDefinition {
    /// The network in one line: the values per sample from the input through each layer's output
    /// (each layer's kind and output shape when not every layer is dense), then `details` and the
    /// parameter count, e.g. "784-256-10 (relu, softmax output, 203530 parameters)" or
    /// "conv2d 8×28×28, maxpool2d 8×14×14, flatten 1568, dense 10 (3410 parameters)".
    public func summary(details: [String] = []) -> String {
        let shape = layers.allSatisfy({ $0.kindName == "dense" })
            ? ([inputCount] + outputCounts).map(String.init).joined(separator: "-")
            : layers.map { "\($0.kindName) \($0.outputShape.map(String.init).joined(separator: "×"))" }.joined(separator: ", ")
        return shape + " (" + (details + ["\(parameterCount) parameters"]).joined(separator: ", ") + ")"
    }

    /// The network in precision `Other`: every parameter rounded to nearest (exact from `Float` to
    /// `Double`). The shapes, activations and loss are the same, so no check can fail.
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> NetworkDefinition<Other> {
        NetworkDefinition<Other>(checked: layers.map { $0.converted(to: Other.self) }, loss: loss)
    }

    /// Layers already checked.
    private init(checked layers: [Layer<Scalar>], loss: Loss) {
        self.layers = layers
        self.loss = loss
        outputCounts = layers.map(\.outputCount)
        inputCount = layers[0].inputCount
        parameterArrayCount = layers.reduce(0) { $0 + ($1.bias == nil ? 1 : 2) }
    }
}
