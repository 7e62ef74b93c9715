// AvgPool2D.swift: 2-D average pooling over NCHW samples (PyTorch's avg_pool2d), its checks, forward and backward.
import Linalg

/// 2-D average pooling per channel, as PyTorch's `avg_pool2d` without padding: each output is the
/// sum of its kh × kw window divided by kh·kw. No parameters; the passes run the same Swift loops on
/// every backend.
public struct AvgPool2D<Scalar: BLASScalar>: PoolingKind {
    public static var kindName: String { "avgpool2d" }
    public let shape: ConvolutionShape

    public init(shape: ConvolutionShape) { self.shape = shape }

    /// The same pool in precision `Other`.
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> AvgPool2D<Other> { AvgPool2D<Other>(shape: shape) }

    /// h = a = each window's mean.
    @inline(__always)
    public func forward<Backend: LinearAlgebra<Scalar>>(_ x: Matrix<Scalar>, into buffers: LayerBuffers<Scalar>, on _: Backend.Type) {
        let area = Scalar(shape.kernelHeight * shape.kernelWidth)
        x.elements.withUnsafeBufferPointer { xp in
            buffers.preActivations.elements.withUnsafeMutableBufferPointer { hp in
                shape.forEachWindow(batch: x.rows) { o, corner in
                    var sum: Scalar = 0
                    shape.forEachWindowOffset { k in sum += xp[corner + k] }
                    hp[o] = sum / area
                }
            }
        }
        buffers.activate(activation)
    }

    /// δ = (what came down) ⊙ mask; below: each δ/(kh·kw) added over its window, zeros elsewhere.
    @inline(__always) public func backward<Backend: LinearAlgebra<Scalar>>(
        input x: Matrix<Scalar>, buffers: LayerBuffers<Scalar>, scale: Scalar, signedZeros: Bool, weightGradient: inout Matrix<Scalar>,
        biasGradient: inout [Scalar]?, below: LayerBuffers<Scalar>?, on _: Backend.Type) {
        let area = Scalar(shape.kernelHeight * shape.kernelWidth)
        passDown(buffers, to: below) { dp, ep in
            ep.update(repeating: 0)
            shape.forEachWindow(batch: x.rows) { o, corner in
                let share = dp[o] / area
                shape.forEachWindowOffset { k in ep[corner + k] += share }
            }
        }
    }
}
