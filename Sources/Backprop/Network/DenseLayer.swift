import Linalg

/// One fully connected layer in precision `Scalar`: `a = f(x·W + b)` for a row `x`.
///
/// `weights` is `fanIn × fanOut`, row-major: row i holds the weights leaving input i (the lesson's
/// `weights_input_hidden`). `bias`, when present, has `fanOut` entries.
public struct DenseLayer<Scalar: BLASScalar>: Equatable, Sendable {
    /// `fanIn × fanOut`.
    public var weights: Matrix<Scalar>
    /// `fanOut` entries, or nil for a layer without bias (as in the lesson).
    public var bias: [Scalar]?
    /// The nonlinearity applied after the affine map.
    public var activation: Activation

    /// Inputs per sample.
    public var fanIn: Int { weights.rows }
    /// Outputs per sample.
    public var fanOut: Int { weights.columns }
    /// Weights plus biases.
    public var parameterCount: Int { weights.elements.count + (bias?.count ?? 0) }

    /// A layer over `weights` (`fanIn × fanOut`) and `bias` (`fanOut` entries or nil). Shapes are
    /// checked when the layer becomes part of a ``Network`` (``Network/init(layers:loss:)`` throws).
    public init(weights: Matrix<Scalar>, bias: [Scalar]? = nil, activation: Activation) {
        self.weights = weights
        self.bias = bias
        self.activation = activation
    }
}

extension DenseLayer {
    /// The layer's forward pass over a batch `x` (`batch × fanIn`): H = X·W + b (b copied into
    /// every row of H, then one `gemm` accumulates X·W onto it) and A = f(H), into `buffers`.
    func forward<Backend: LinearAlgebra>(_ x: Matrix<Scalar>, into buffers: Workspace<Scalar>.LayerBuffers, on _: Backend.Type)
    where Backend.Scalar == Scalar {
        var beta: Scalar = 0
        if let bias {
            buffers.preActivations.elements.withUnsafeMutableBufferPointer { h in
                bias.withUnsafeBufferPointer { b in
                    for row in 0..<x.rows {
                        _ = UnsafeMutableBufferPointer(rebasing: h[row * b.count ..< (row + 1) * b.count]).initialize(fromContentsOf: b)
                    }
                }
            }
            beta = 1
        }
        Backend.gemm(.none, .none, alpha: 1, x, weights, beta: beta, into: &buffers.preActivations)
        activation.apply(buffers.preActivations, into: &buffers.activations)
    }

    /// The layer's backward pass over the batch `x` it read, from its error terms Δ = −∂ℓ/∂H
    /// (`buffers.errorTerms`, one row per sample): ∂L/∂W = scale·Xᵀ·Δ (`gemm`) into `weightGradient`,
    /// ∂L/∂b = scale·Δᵀ·1 (`gemv` with `ones`, `batch` entries) into `biasGradient` when the layer has
    /// a bias, with scale = −1/batch for the batch-mean loss; and, given the layer below's buffers,
    /// the error terms it passes down, Δ·Wᵀ, into `below.errorTerms` (the layer below then takes them
    /// through its dropout and f′: ``backwardThroughActivation(_:)``).
    func backward<Backend: LinearAlgebra>(input x: Matrix<Scalar>, buffers: Workspace<Scalar>.LayerBuffers, scale: Scalar, ones: [Scalar],
                                          weightGradient: inout Matrix<Scalar>, biasGradient: inout [Scalar]?,
                                          below: Workspace<Scalar>.LayerBuffers?, on _: Backend.Type)
    where Backend.Scalar == Scalar {
        let delta = buffers.errorTerms
        Backend.gemm(.transpose, .none, alpha: scale, x, delta, beta: 0, into: &weightGradient)
        if biasGradient != nil {
            Backend.gemv(.transpose, alpha: scale, delta, ones, beta: 0, into: &biasGradient!)
        }
        if let below {
            Backend.gemm(.none, .transpose, alpha: 1, delta, weights, beta: 0, into: &below.errorTerms)
        }
    }

    /// Turns what the layer above passed down, −∂ℓ/∂(this layer's output) in `buffers.errorTerms`,
    /// into this layer's error terms Δ = −∂ℓ/∂H: back through the dropout mask, then times f′(H).
    func backwardThroughActivation(_ buffers: Workspace<Scalar>.LayerBuffers) {
        buffers.dropout.backward(&buffers.errorTerms)
        activation.multiplyDerivative(into: &buffers.errorTerms, preActivations: buffers.preActivations,
                                      activations: buffers.activations)
    }
}
