/// A dense feed-forward network on no backend: its layers and loss, checked once when made.
/// What ``Network`` computes with, and what ``SavedModel``, ``Checkpoint`` and ``TrainingCase`` hold.
///
/// The rules: at least one layer, none empty; each layer's fan-in is the previous layer's fan-out;
/// a bias has `fanOut` entries; softmax only on the last layer and only with cross-entropy (and
/// cross-entropy only after softmax).
public struct DenseNetwork: Equatable, Sendable {
    /// The layers from input to output (their weights change in place; their shapes never do).
    public internal(set) var layers: [DenseLayer]
    /// The objective the training step minimises.
    public let loss: Loss

    /// `layers` and `loss`, checked against the rules above.
    public init(layers: [DenseLayer], loss: Loss) throws(NetworkError) {
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

    private static func validate(_ layers: [DenseLayer], _ loss: Loss) throws(NetworkError) {
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
