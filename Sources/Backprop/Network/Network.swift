import Linalg

/// A dense feed-forward network and its loss, computing on the backend `Backend`
/// (``/Linalg/BLAS`` for speed, ``/Linalg/Reference`` to check it).
///
/// Layer l maps a batch `X` (`batch × fanIn`, one sample a row) to `f(X·W + b)`.
/// The backend is a generic parameter rather than a run-time switch, so the compiler
/// specialises the hot loops for it.
public struct Network<Backend: LinearAlgebra>: Equatable, Sendable {
    /// The layers from input to output.
    public internal(set) var layers: [DenseLayer]
    /// The objective the training step minimises.
    public let loss: Loss

    /// A network from `layers`, checked: consecutive shapes chain, biases fit, softmax only last
    /// and only with cross-entropy (and cross-entropy only after softmax).
    public init(layers: [DenseLayer], loss: Loss) throws(NetworkError) {
        try Network.validate(layers, loss)
        self.layers = layers
        self.loss = loss
    }

    /// Inputs per sample.
    public var inputCount: Int { layers[0].fanIn }
    /// Outputs per sample.
    public var outputCount: Int { layers[layers.count - 1].fanOut }
    /// All weights and biases.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    /// The same network on another backend (the weights are shared until one side changes).
    public func on<Other: LinearAlgebra>(_: Other.Type) -> Network<Other> {
        try! Network<Other>(layers: layers, loss: loss)  // Already validated.
    }

    /// Replaces layer `l`'s weights and bias, keeping its shape (for optimisers and loaders).
    public mutating func setParameters(layer l: Int, weights: Matrix, bias: [Double]?) {
        precondition(weights.rows == layers[l].fanIn && weights.columns == layers[l].fanOut
                     && (bias?.count ?? -1) == (layers[l].bias?.count ?? -1),
                     "setParameters: layer \(l) is \(layers[l].fanIn)×\(layers[l].fanOut), given \(weights.rows)×\(weights.columns)")
        layers[l].weights = weights
        layers[l].bias = bias
    }

    /// Adds `alpha · weights` and `alpha · biases` to every layer: W ← W + α·ΔW, b ← b + α·Δb (BLAS `axpy`).
    /// `steps` must have this network's shapes.
    public mutating func add(_ steps: Gradients, scaledBy alpha: Double = 1) {
        precondition(steps.weights.count == layers.count, "add: \(steps.weights.count) steps for \(layers.count) layers")
        for l in layers.indices {
            Backend.axpy(alpha: alpha, steps.weights[l].elements, into: &layers[l].weights.elements)
            if let b = steps.biases[l] {
                Backend.axpy(alpha: alpha, b, into: &layers[l].bias!)
            }
        }
    }

    static func validate(_ layers: [DenseLayer], _ loss: Loss) throws(NetworkError) {
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
