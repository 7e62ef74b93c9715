// Activation.swift: a layer's element-wise nonlinearity `a = f(h)`, with its derivative beside it.
import Foundation
import Kernels
import Linalg

/// A layer's element-wise nonlinearity `a = f(h)`, with its derivative beside it.
///
/// Names are those of the test-vector files (`vectors/FORMAT.md`). `softmax` normalises each row
/// and is only allowed on the last layer together with ``Loss/crossEntropy``, where the two
/// combine into the error term `t − y`; so it has no stand-alone derivative here.
public enum Activation: String, CaseIterable, Sendable, Codable {
    /// f(h) = h; f′ = 1. For regression outputs.
    case identity
    /// f(h) = 1/(1 + e^−h), evaluated without overflow; f′ = f(1 − f) ≤ ¼. The lesson's activation.
    case sigmoid
    /// f(h) = tanh h; f′ = 1 − f².
    case tanh
    /// f(h) = max(h, 0); f′ = 1 for h > 0 and 0 otherwise (0 at 0).
    case relu
    /// f(h)_k = e^{h_k} / Σ_j e^{h_j} per row, shifted by the row's maximum. Last layer only, with cross-entropy.
    case softmax

    /// A ← f(H), for H and A of one shape (`batch × fanOut`). A may not alias H. Runs the
    /// element-wise kernels of `Kernels` (vector exp within 1 ulp; see `Kernel` in `Kernels`).
    public func apply<Scalar: BLASScalar>(_ h: Matrix<Scalar>, into a: inout Matrix<Scalar>) {
        precondition(h.rows == a.rows && h.columns == a.columns,
                     "Activation.apply: H \(h.rows)×\(h.columns) and A \(a.rows)×\(a.columns) differ")
        let columns = h.columns
        h.elements.withUnsafeBufferPointer { h in
            a.elements.withUnsafeMutableBufferPointer { apply(h, columns: columns, into: $0) }
        }
    }

    /// a ← f(h) over rows of `columns` values (softmax normalises each row); h and a of one length, not aliased.
    @inline(__always)
    func apply<Scalar: BLASScalar>(_ h: UnsafeBufferPointer<Scalar>, columns: Int, into a: UnsafeMutableBufferPointer<Scalar>) {
        switch self {
        case .identity:
            _ = a.initialize(fromContentsOf: h)
        case .sigmoid:
            Kernel.sigmoid(h, into: a)
        case .tanh:
            Kernel.tanh(h, into: a)
        case .relu:
            Kernel.relu(h, into: a)
        case .softmax:
            if columns > 0 { Kernel.softmaxRows(h, columns: columns, into: a) }
        }
    }

    /// D ← D ⊙ f′(H), given H and A = f(H) (all `batch × fanOut`): the step from ∂L/∂a to ∂L/∂h.
    /// ReLU's derivative is taken as 0 at 0. Softmax leaves D as it is: it has no element-wise
    /// derivative, and it is allowed only as the output under cross-entropy, where the error terms
    /// T − Y the loss writes are already −∂ℓ/∂H (softmax and cross-entropy taken as one piece).
    public func multiplyDerivative<Scalar: BLASScalar>(into d: inout Matrix<Scalar>, preActivations h: Matrix<Scalar>,
                                                   activations a: Matrix<Scalar>) {
        precondition(d.rows == h.rows && d.columns == h.columns && a.rows == h.rows && a.columns == h.columns,
                     "Activation.multiplyDerivative: D \(d.rows)×\(d.columns), H \(h.rows)×\(h.columns) and A \(a.rows)×\(a.columns) differ")
        h.elements.withUnsafeBufferPointer { h in
            a.elements.withUnsafeBufferPointer { a in
                d.elements.withUnsafeMutableBufferPointer { multiplyDerivative(inPlace: $0, preActivations: h, activations: a) }
            }
        }
    }

    /// d ← d ⊙ f′(h), given h and a = f(h), all of one length (softmax leaves d as it is).
    @inline(__always)
    func multiplyDerivative<Scalar: BLASScalar>(inPlace d: UnsafeMutableBufferPointer<Scalar>, preActivations h: UnsafeBufferPointer<Scalar>,
                                                activations a: UnsafeBufferPointer<Scalar>) {
        switch self {
        case .identity:
            break
        case .sigmoid:  // σ′ = σ(1 − σ), from the output: no second exp.
            Kernel.multiplySigmoidDerivative(inPlace: d, outputs: a)
        case .tanh:     // tanh′ = 1 − tanh².
            Kernel.multiplyTanhDerivative(inPlace: d, outputs: a)
        case .relu:
            Kernel.multiplyReluDerivative(inPlace: d, preActivations: h)
        case .softmax:  // Only under cross-entropy, whose T − Y is already −∂ℓ/∂H.
            break
        }
    }

    /// σ(h) = 1 / (1 + e^−h), evaluated so that e^|h| is never formed: finite for any finite h.
    @inlinable
    public static func sigmoid(_ h: Double) -> Double {
        if h >= 0 {
            return 1 / (1 + exp(-h))
        }
        let e = exp(h)
        return e / (1 + e)
    }
}
