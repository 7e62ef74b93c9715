// Network/: the maths of a dense network: layers with their forward and backward passes, activations, losses, dropout, initialisers, gradients.
import Foundation
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

    /// A ← f(H), for H and A of one shape (`batch × fanOut`). A may not alias H.
    public func apply(_ h: Matrix, into a: inout Matrix) {
        precondition(h.rows == a.rows && h.columns == a.columns,
                     "Activation.apply: H \(h.rows)×\(h.columns) and A \(a.rows)×\(a.columns) differ")
        let columns = h.columns
        h.elements.withUnsafeBufferPointer { h in
            a.elements.withUnsafeMutableBufferPointer { a in
                switch self {
                case .identity:
                    for i in h.indices { a[i] = h[i] }
                case .sigmoid:
                    for i in h.indices { a[i] = Activation.sigmoid(h[i]) }
                case .tanh:
                    for i in h.indices { a[i] = Foundation.tanh(h[i]) }
                case .relu:
                    for i in h.indices { a[i] = h[i] > 0 ? h[i] : 0 }
                case .softmax:
                    var start = 0
                    while start < h.count {
                        Activation.softmaxRow(h, a, start, columns)
                        start += columns
                    }
                }
            }
        }
    }

    /// D ← D ⊙ f′(H), given H and A = f(H) (all `batch × fanOut`): the step from ∂L/∂a to ∂L/∂h.
    /// ReLU's derivative is taken as 0 at 0. Softmax has no element-wise derivative: calling this
    /// on it is a programming error (the loss handles softmax with cross-entropy as one piece).
    public func multiplyDerivative(into d: inout Matrix, preActivations h: Matrix, activations a: Matrix) {
        precondition(d.rows == h.rows && d.columns == h.columns && a.rows == h.rows && a.columns == h.columns,
                     "Activation.multiplyDerivative: D \(d.rows)×\(d.columns), H \(h.rows)×\(h.columns) and A \(a.rows)×\(a.columns) differ")
        h.elements.withUnsafeBufferPointer { h in
            a.elements.withUnsafeBufferPointer { a in
                d.elements.withUnsafeMutableBufferPointer { d in
                    switch self {
                    case .identity:
                        break
                    case .sigmoid:  // σ′ = σ(1 − σ), from the output: no second exp.
                        for i in d.indices { d[i] *= a[i] * (1 - a[i]) }
                    case .tanh:     // tanh′ = 1 − tanh².
                        for i in d.indices { d[i] *= 1 - a[i] * a[i] }
                    case .relu:
                        for i in d.indices where !(h[i] > 0) { d[i] = 0 }
                    case .softmax:
                        preconditionFailure("softmax has no element-wise derivative; use it as the output with cross_entropy")
                    }
                }
            }
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

    /// Softmax of one row, shifted by the row's maximum so no exponent overflows.
    @inline(__always)
    static func softmaxRow(_ h: UnsafeBufferPointer<Double>, _ a: UnsafeMutableBufferPointer<Double>,
                           _ start: Int, _ count: Int) {
        var maximum = -Double.infinity
        for j in start..<(start + count) { maximum = max(maximum, h[j]) }
        var sum = 0.0
        for j in start..<(start + count) {
            a[j] = exp(h[j] - maximum)
            sum += a[j]
        }
        for j in start..<(start + count) { a[j] /= sum }
    }

    /// log Σ_j e^{h_j} over one row, computed as max + log Σ e^{h_j − max} (finite for finite h).
    @inline(__always)
    static func logSumExp(_ h: UnsafeBufferPointer<Double>, _ start: Int, _ count: Int) -> Double {
        var maximum = -Double.infinity
        for j in start..<(start + count) { maximum = max(maximum, h[j]) }
        var sum = 0.0
        for j in start..<(start + count) { sum += exp(h[j] - maximum) }
        return maximum + log(sum)
    }
}
