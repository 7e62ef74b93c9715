import Linalg

/// A dense feed-forward network and its loss, computing on the backend `Backend`
/// (``/Linalg/BLAS`` for speed, ``/Linalg/Reference`` to check it).
///
/// Layer l maps a batch `X` (`batch × fanIn`, one sample a row) to `f(X·W + b)`.
/// The backend is a generic parameter rather than a run-time switch, so the compiler
/// specialises the hot loops for it. The layers and loss are a ``DenseNetwork``, checked once.
public struct Network<Backend: LinearAlgebra>: Equatable, Sendable {
    /// The precision the network computes in: its backend's (`Float` or `Double`).
    public typealias Scalar = Backend.Scalar

    /// The layers and loss, on no backend.
    public internal(set) var definition: DenseNetwork<Scalar>

    /// The network `definition` on `Backend`.
    public init(_ definition: DenseNetwork<Scalar>) {
        self.definition = definition
    }

    /// A network from `layers`, checked (see ``DenseNetwork``): consecutive shapes chain, biases fit,
    /// softmax only last and only with cross-entropy (and cross-entropy only after softmax).
    public init(layers: [DenseLayer<Scalar>], loss: Loss) throws(NetworkError) {
        self.init(try DenseNetwork(layers: layers, loss: loss))
    }

    /// The layers from input to output.
    public var layers: [DenseLayer<Scalar>] { definition.layers }
    /// The objective the training step minimises.
    public var loss: Loss { definition.loss }
    /// Inputs per sample.
    public var inputCount: Int { definition.inputCount }
    /// Outputs per sample.
    public var outputCount: Int { definition.outputCount }
    /// All weights and biases.
    public var parameterCount: Int { definition.parameterCount }

    /// The same network on another backend of its precision (the weights are shared until one side changes).
    public func on<Other: LinearAlgebra>(_: Other.Type) -> Network<Other> where Other.Scalar == Scalar {
        Network<Other>(definition)
    }

    /// The network on `Other`, in `Other`'s precision: every weight and bias rounded to nearest
    /// (exact from `Float` to `Double`, so a float32 network promoted and rounded back is itself).
    public func converted<Other: LinearAlgebra>(to _: Other.Type) -> Network<Other> {
        Network<Other>(definition.converted(to: Other.Scalar.self))
    }

    /// Replaces layer `l`'s weights and bias, keeping its shape (for optimisers and loaders).
    public mutating func setParameters(layer l: Int, weights: Matrix<Scalar>, bias: [Scalar]?) {
        precondition(weights.rows == layers[l].fanIn && weights.columns == layers[l].fanOut
                     && (bias?.count ?? -1) == (layers[l].bias?.count ?? -1),
                     "setParameters: layer \(l) is \(layers[l].fanIn)×\(layers[l].fanOut), given \(weights.rows)×\(weights.columns)")
        definition.layers[l].weights = weights
        definition.layers[l].bias = bias
    }

    /// Adds `alpha · weights` and `alpha · biases` to every layer: W ← W + α·ΔW, b ← b + α·Δb (BLAS `axpy`).
    /// `steps` must have this network's shapes.
    public mutating func add(_ steps: Gradients<Scalar>, scaledBy alpha: Scalar = 1) {
        precondition(steps.weights.count == layers.count, "add: \(steps.weights.count) steps for \(layers.count) layers")
        for l in definition.layers.indices {
            Backend.axpy(alpha: alpha, steps.weights[l].elements, into: &definition.layers[l].weights.elements)
            if let b = steps.biases[l] {
                Backend.axpy(alpha: alpha, b, into: &definition.layers[l].bias!)
            }
        }
    }
}
