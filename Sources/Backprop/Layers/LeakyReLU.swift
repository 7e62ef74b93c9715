// LeakyReLU.swift: the leaky ReLU as a layer of its own, a = x where x > 0 and α·x elsewhere — the layer docs/adding-a-layer.md adds, step by step.
import Linalg

/// The leaky ReLU on `features` values per sample: `a = x` where `x > 0`, `a = α·x` elsewhere
/// (α = ``slope``), as PyTorch's `LeakyReLU(negative_slope)`. It follows a layer whose own
/// activation is the identity. No parameters; its derivative is 1 where `x > 0` and α elsewhere
/// (α at 0, as PyTorch).
public struct LeakyReLU<Scalar: BLASScalar>: ParameterFreeKind {
    /// Values per sample, read and written.
    public let features: Int
    /// α, the slope for `x ≤ 0`: finite (PyTorch's default is 0.01).
    public let slope: Double

    /// A leaky ReLU over `features` values per sample with slope α = `slope` below zero.
    public init(features: Int, slope: Double = 0.01) {
        self.features = features
        self.slope = slope
    }

    public var inputCount: Int { features }
    public var outputCount: Int { features }

    public func problem(layer l: Int) -> NetworkError? {
        if features < 1 { return .sizeTooSmall(layer: l, kind: "leaky_relu", name: "features", values: [features], minimum: 1) }
        if !slope.isFinite { return .settingNotFinite(layer: l, kind: "leaky_relu", name: "slope", value: slope) }
        return nil
    }

    /// The same layer in precision `Other`.
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> LeakyReLU<Other> {
        LeakyReLU<Other>(features: features, slope: slope)
    }

    /// h = x, a = x > 0 ? x : α·x.
    @inline(__always)
    public func forward<Backend: LinearAlgebra<Scalar>>(_ x: Matrix<Scalar>, into buffers: LayerBuffers<Scalar>, on _: Backend.Type) {
        let alpha = Scalar(slope)
        x.elements.withUnsafeBufferPointer { xp in
            buffers.preActivations.elements.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: xp) }
            buffers.activations.elements.withUnsafeMutableBufferPointer { ap in
                for i in xp.indices { ap[i] = xp[i] > 0 ? xp[i] : alpha * xp[i] }
            }
        }
    }

    /// δ = (what came down) ⊙ mask; below: δ ⊙ (x > 0 ? 1 : α).
    @inline(__always) public func backward<Backend: LinearAlgebra<Scalar>>(
        input x: Matrix<Scalar>, buffers: LayerBuffers<Scalar>, scale: Scalar, signedZeros: Bool, weightGradient: inout Matrix<Scalar>,
        biasGradient: inout [Scalar]?, below: LayerBuffers<Scalar>?, on _: Backend.Type) {
        let alpha = Scalar(slope)
        passDown(buffers, to: below) { dp, ep in
            x.elements.withUnsafeBufferPointer { xp in
                for i in dp.indices { ep[i] = xp[i] > 0 ? dp[i] : alpha * dp[i] }
            }
        }
    }
}
