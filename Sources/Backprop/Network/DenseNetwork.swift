import Linalg

/// A dense feed-forward network in precision `Scalar` on no backend: its layers and loss, checked once when made.
/// What ``Network`` computes with, and what ``SavedModel``, ``Checkpoint`` and ``TrainingCase`` hold.
///
/// The rules: at least one layer, none empty; each layer's fan-in is the previous layer's fan-out;
/// a bias has `fanOut` entries; softmax only on the last layer and only with cross-entropy (and
/// cross-entropy only after softmax).
public struct DenseNetwork<Scalar: BLASScalar>: Equatable, Sendable {
    /// The layers from input to output (their weights change in place; their shapes never do).
    public internal(set) var layers: [DenseLayer<Scalar>]
    /// The objective the training step minimises.
    public let loss: Loss

    /// `layers` and `loss`, checked against the rules above.
    public init(layers: [DenseLayer<Scalar>], loss: Loss) throws(NetworkError) {
        try Self.validate(layers, loss)
        self.layers = layers
        self.loss = loss
    }

    /// Inputs per sample.
    public var inputCount: Int { layers[0].fanIn }
    /// Outputs per sample.
    public var outputCount: Int { layers[layers.count - 1].fanOut }
    /// All weights and biases.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }
    /// The parameter arrays' lengths: each layer's weights, then its bias when it has one.
    public var parameterArrayLengths: [Int] {
        layers.flatMap { layer in [layer.weights.elements.count] + (layer.bias.map { [$0.count] } ?? []) }
    }

    private static func validate(_ layers: [DenseLayer<Scalar>], _ loss: Loss) throws(NetworkError) {
        guard let last = layers.last else { throw .noLayers }
        for (l, layer) in layers.enumerated() {
            if layer.fanIn == 0 || layer.fanOut == 0 {
                throw .emptyLayer(layer: l, fanIn: layer.fanIn, fanOut: layer.fanOut)
            }
            if l > 0 && layer.fanIn != layers[l - 1].fanOut {
                throw .fanInMismatch(layer: l, fanIn: layer.fanIn, previousFanOut: layers[l - 1].fanOut)
            }
            if let b = layer.bias, b.count != layer.fanOut {
                throw .biasLength(layer: l, count: b.count, fanOut: layer.fanOut)
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

extension DenseNetwork {
    /// The network in precision `Other`: every weight and bias rounded to nearest (exact from
    /// `Float` to `Double`). The shapes, activations and loss are the same, so no check can fail.
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> DenseNetwork<Other> {
        if let same = self as? DenseNetwork<Other> { return same }
        return DenseNetwork<Other>(checked: Self.convert(layers, to: Other.self), loss: loss)
    }

    /// `layers` in precision `Other`, each parameter rounded to nearest (exact from `Float` to `Double`).
    public static func convert<Other: BLASScalar>(_ layers: [DenseLayer<Scalar>], to _: Other.Type) -> [DenseLayer<Other>] {
        if let same = layers as? [DenseLayer<Other>] { return same }
        return layers.map { layer in
            DenseLayer<Other>(weights: layer.weights.converted(to: Other.self), bias: layer.bias?.map { Other($0) },
                              activation: layer.activation)
        }
    }

    /// Layers already checked (a conversion of a checked network).
    private init(checked layers: [DenseLayer<Scalar>], loss: Loss) {
        self.layers = layers
        self.loss = loss
    }
}
