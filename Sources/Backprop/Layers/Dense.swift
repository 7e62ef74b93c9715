// Dense.swift: a fully connected layer in precision `Scalar`.
import Linalg

/// A fully connected layer in precision `Scalar`: `a = f(x·W + b)` for a row `x`.
///
/// `weights` is `fanIn × fanOut`, row-major: row i holds the weights leaving input i (the lesson's
/// `weights_input_hidden`). `bias`, when present, has `fanOut` entries.
public struct Dense<Scalar: BLASScalar>: LayerKind {
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
    public var inputCount: Int { fanIn }
    public var outputCount: Int { fanOut }

    /// A layer over `weights` (`fanIn × fanOut`) and `bias` (`fanOut` entries or nil). Shapes are
    /// checked when the layer becomes part of a ``Network`` (``Network/init(layers:loss:)`` throws).
    public init(weights: Matrix<Scalar>, bias: [Scalar]? = nil, activation: Activation) {
        self.weights = weights
        self.bias = bias
        self.activation = activation
    }

    /// An empty layer that holds no array (what ``Layer/withParameters(_:)`` leaves in place meanwhile).
    static var placeholder: Dense { Dense(weights: Matrix(rows: 0, columns: 0), activation: .identity) }

    public func problem(layer l: Int) -> NetworkError? {
        if fanIn == 0 || fanOut == 0 { return .emptyLayer(layer: l, fanIn: fanIn, fanOut: fanOut) }
        if let b = bias, b.count != fanOut { return .biasLength(layer: l, count: b.count, fanOut: fanOut) }
        return nil
    }

    /// The layer in precision `Other`, each parameter rounded to nearest.
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> Dense<Other> {
        Dense<Other>(weights: weights.converted(to: Other.self), bias: bias?.map { Other($0) }, activation: activation)
    }
}

extension Dense {
    /// H = X·W + b, A = f(H): b copied into every row of H, then X·W accumulated onto it, by one
    /// `gemm` for a batch or, for one sample, the lesson's `gemv` h = Wᵀ·x + b.
    @inline(__always)
    public func forward<Backend: LinearAlgebra<Scalar>>(_ x: Matrix<Scalar>, into buffers: LayerBuffers<Scalar>, on _: Backend.Type) {
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
        if x.rows == 1 {
            Backend.gemv(.transpose, alpha: 1, weights, x.elements, beta: beta, into: &buffers.preActivations.elements)
        } else {
            Backend.gemm(.none, .none, alpha: 1, x, weights, beta: beta, into: &buffers.preActivations)
        }
        buffers.activate(activation)
    }

    /// δ = (what came down) ⊙ mask ⊙ f′(h); ∂W = scale·xᵀ·δ, ∂b = scale·Σ_rows δ; below: δ·Wᵀ.
    /// For the lesson's step of one sample (`signedZeros`), its outer products on the buffers' own
    /// storage: `ger` and `axpy` onto zeros, each zero then signed, and `gemv` W·δ. Otherwise, for a
    /// gradient of any batch including one row: `gemm` (∂W written with β = 0, no zero fill), `gemv`
    /// with ones, `gemm`.
    @inline(__always) public func backward<Backend: LinearAlgebra<Scalar>>(
        input x: Matrix<Scalar>, buffers: LayerBuffers<Scalar>, scale: Scalar, signedZeros: Bool, weightGradient: inout Matrix<Scalar>,
        biasGradient: inout [Scalar]?, below: LayerBuffers<Scalar>?, on _: Backend.Type) {
        buffers.formDelta(through: activation)
        if signedZeros && x.rows == 1 {
            buffers.withErrorTerms { delta in
                x.elements.withUnsafeBufferPointer { x in
                    weightGradient.elements.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                    Backend.ger(alpha: scale, x, delta, into: &weightGradient)
                    weightGradient.elements.withUnsafeMutableBufferPointer { restoreZeroProductSigns($0, alpha: scale, x: x, y: delta) }
                }
                if biasGradient != nil {
                    biasGradient!.withUnsafeMutableBufferPointer { b in
                        b.update(repeating: 0)
                        Backend.axpy(alpha: scale, delta, into: b)
                        withUnsafePointer(to: 1) { restoreZeroProductSigns(b, alpha: scale, x: UnsafeBufferPointer(start: $0, count: 1), y: delta) }
                    }
                }
                if let below { below.errorTerms.elements.withUnsafeMutableBufferPointer { Backend.gemv(.none, alpha: 1, weights, delta, beta: 0, into: $0) } }
            }
        } else {
            let delta = buffers.errorTerms
            Backend.gemm(.transpose, .none, alpha: scale, x, delta, beta: 0, into: &weightGradient)
            if biasGradient != nil { Backend.gemv(.transpose, alpha: scale, delta, buffers.ones, beta: 0, into: &biasGradient!) }
            if let below { Backend.gemm(.none, .transpose, alpha: 1, delta, weights, beta: 0, into: &below.errorTerms) }
        }
    }
}
