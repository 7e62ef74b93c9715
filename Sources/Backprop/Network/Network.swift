// Network.swift: a network on a backend: a checked list of layers and a loss, in the backend's precision.
import Linalg

/// A feed-forward network, a list of ``Layer``s and a ``Loss``, computing on the backend `Backend`
/// (``/Linalg/BLAS`` for speed, ``/Linalg/Reference`` to check it), in the backend's precision.
///
/// The backend is the network's one generic parameter, and its `Scalar` (`Float` or `Double`) the
/// precision of everything the network holds and computes, so the compiler specialises the hot
/// loops for it. The layers and loss are a ``NetworkDefinition``, checked once.
public struct Network<Backend: LinearAlgebra>: Equatable, Sendable {
    /// The precision the network computes in: its backend's (`Float` or `Double`).
    public typealias Scalar = Backend.Scalar

    /// The layers and loss, on no backend.
    public internal(set) var definition: NetworkDefinition<Scalar>

    /// The network `definition` on `Backend`.
    public init(_ definition: NetworkDefinition<Scalar>) {
        self.definition = definition
    }

    /// A network from `layers`, checked (see ``NetworkDefinition``): consecutive shapes chain, each
    /// layer valid for its kind, softmax only last and only with cross-entropy (and cross-entropy only after softmax).
    public init(layers: [Layer<Scalar>], loss: Loss) throws(NetworkError) {
        self.init(try NetworkDefinition(layers: layers, loss: loss))
    }

    /// The layers from input to output.
    public var layers: [Layer<Scalar>] { definition.layers }
    /// The objective the training step minimises.
    public var loss: Loss { definition.loss }
    /// Inputs per sample.
    public var inputCount: Int { definition.inputCount }
    /// Outputs per sample.
    public var outputCount: Int { definition.outputCount }
    /// All weights and biases.
    public var parameterCount: Int { definition.parameterCount }

    /// The same network on another backend of its precision (the weights are shared until one side changes).
    public func on<Other: LinearAlgebra<Scalar>>(_: Other.Type) -> Network<Other> {
        Network<Other>(definition)
    }

    /// The network on `Other`, in `Other`'s precision: every weight and bias rounded to nearest
    /// (exact from `Float` to `Double`, so a float32 network promoted and rounded back is itself).
    public func converted<Other: LinearAlgebra>(to _: Other.Type) -> Network<Other> {
        Network<Other>(definition.converted(to: Other.Scalar.self))
    }

    /// Replaces layer `l`'s weights and bias, keeping its shape (for loaders and early stopping).
    public mutating func setParameters(layer l: Int, weights: Matrix<Scalar>, bias: [Scalar]?) {
        let layer = layers[l]
        precondition(weights.rows == layer.weights.rows && weights.columns == layer.weights.columns
                     && (bias?.count ?? -1) == (layer.bias?.count ?? -1),
                     "setParameters: layer \(l) is \(layer.weights.rows)×\(layer.weights.columns), given \(weights.rows)×\(weights.columns)")
        definition.layers[l].withParameters { w, b in
            w = weights
            b = bias
        }
    }
}
