// Loss.swift: the training objective, averaged over the samples of a batch (`vectors/FORMAT.md`).
import Kernels
import Linalg

/// The training objective, averaged over the samples of a batch (`vectors/FORMAT.md`).
public enum Loss: String, CaseIterable, Sendable, Codable {
    /// Per sample ½ Σ_k (t_k − y_k)²; with any output activation except softmax.
    case squaredError = "squared_error"
    /// Per sample −Σ_k t_k log y_k; only with a softmax output.
    case crossEntropy = "cross_entropy"

    /// The batch-mean loss L of outputs Y = f(H) against targets T (all `batch × fanOut`), summed in
    /// `Double` whatever the precision of the matrices.
    /// Cross-entropy is computed from H through log-softmax, so it stays finite when some y_k underflow.
    public func value<Scalar: BLASScalar>(outputs y: Matrix<Scalar>, preActivations h: Matrix<Scalar>, targets t: Matrix<Scalar>) -> Double {
        precondition(y.rows == t.rows && y.columns == t.columns && h.rows == t.rows && h.columns == t.columns,
                     "Loss.value: outputs \(y.rows)×\(y.columns), pre-activations \(h.rows)×\(h.columns) and targets \(t.rows)×\(t.columns) differ")
        return y.elements.withUnsafeBufferPointer { y in
            h.elements.withUnsafeBufferPointer { h in
                t.elements.withUnsafeBufferPointer { value(outputs: y, preActivations: h, targets: $0, rows: t.rows, columns: t.columns) }
            }
        }
    }

    /// L of `rows × columns` outputs, pre-activations and targets, each row-major in storage of its own.
    @inline(__always)
    func value<Scalar: BLASScalar>(outputs y: UnsafeBufferPointer<Scalar>, preActivations h: UnsafeBufferPointer<Scalar>,
                                   targets t: UnsafeBufferPointer<Scalar>, rows: Int, columns: Int) -> Double {
        guard rows > 0 && columns > 0 else { return 0 }
        let total = switch self {
        case .squaredError: Kernel.squaredErrorSum(outputs: y, targets: t)
        case .crossEntropy: Kernel.crossEntropySum(preActivations: h, targets: t, columns: columns)
        }
        return total / Double(rows)
    }

    /// Writes −∂ℓ/∂Y = T − Y for each sample's own loss ℓ (not divided by the batch size) into
    /// `errorTerms`, where the backward pass starts: the output layer then takes it through f′ to the
    /// lesson's δ^o = (T − Y) ⊙ f′(H) for squared error; for cross-entropy after softmax, T − Y is
    /// already −∂ℓ/∂H, and softmax passes it on unchanged (``Activation/softmax``). All `batch × fanOut`.
    public func outputErrorTerms<Scalar: BLASScalar>(outputs y: Matrix<Scalar>, targets t: Matrix<Scalar>,
                                                     into errorTerms: inout Matrix<Scalar>) {
        precondition(y.rows == t.rows && y.columns == t.columns && errorTerms.rows == t.rows && errorTerms.columns == t.columns,
                     "Loss.outputErrorTerms: outputs \(y.rows)×\(y.columns), targets \(t.rows)×\(t.columns) and Δ \(errorTerms.rows)×\(errorTerms.columns) differ")
        t.elements.withUnsafeBufferPointer { t in
            y.elements.withUnsafeBufferPointer { y in
                errorTerms.elements.withUnsafeMutableBufferPointer { Kernel.subtract(t, minus: y, into: $0) }
            }
        }
    }

    /// The start of the backward pass at the output layer's `buffers` after a forward pass: the
    /// batch-mean loss L against `targets` (``value(outputs:preActivations:targets:)``, returned) and
    /// T − Y into the buffers' error terms (``outputErrorTerms(outputs:targets:into:)``).
    @inline(__always)
    func startBackward<Scalar: BLASScalar>(_ buffers: LayerBuffers<Scalar>, targets t: Matrix<Scalar>) -> Double {
        let (rows, columns) = (buffers.activations.rows, buffers.activations.columns)
        precondition(t.rows == rows && t.columns == columns, "Loss: outputs \(rows)×\(columns) and targets \(t.rows)×\(t.columns) differ")
        return t.elements.withUnsafeBufferPointer { t in
            buffers.activations.elements.withUnsafeMutableBufferPointer { y in
                let y = UnsafeBufferPointer(y)
                buffers.errorTerms.elements.withUnsafeMutableBufferPointer { Kernel.subtract(t, minus: y, into: $0) }
                return buffers.preActivations.elements.withUnsafeMutableBufferPointer {
                    value(outputs: y, preActivations: UnsafeBufferPointer($0), targets: t, rows: rows, columns: columns)
                }
            }
        }
    }
}
