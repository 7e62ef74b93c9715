// MaxPool2D.swift: 2-D max pooling over NCHW samples (PyTorch's max_pool2d), its checks, forward (with argmax) and backward.
import Kernels
import Linalg

/// 2-D max pooling per channel, as PyTorch's `max_pool2d` without padding: each output is the
/// largest value in its kh × kw window. A tie goes to the first maximum in row-major window order
/// (a NaN counts as larger than any number), and the backward pass routes the output's whole error
/// to that one input. No parameters; the passes run the same compiled loops (`Kernels`' image
/// kernels) on every backend.
public struct MaxPool2D<Scalar: BLASScalar>: PoolingKind {
    public static var kindName: String { "maxpool2d" }
    public let shape: ConvolutionShape

    public init(shape: ConvolutionShape) { self.shape = shape }

    public func scratch(batch: Int) -> LayerScratch<Scalar> { LayerScratch(indices: batch * outputCount) }

    /// The same pool in precision `Other`.
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> MaxPool2D<Other> { MaxPool2D<Other>(shape: shape) }

    /// h = a = each window's maximum; its offset in the batch's inputs into `buffers.scratch.indices`.
    @inline(__always)
    public func forward<Backend: LinearAlgebra<Scalar>>(_ x: Matrix<Scalar>, into buffers: LayerBuffers<Scalar>, on _: Backend.Type) {
        guard x.rows > 0 else { return }
        x.elements.withUnsafeBufferPointer { xp in
            buffers.preActivations.elements.withUnsafeMutableBufferPointer { hp in
                buffers.scratch.indices.withUnsafeMutableBufferPointer { ip in
                    Scalar._maxPool(shape.geometry, xp.baseAddress!, hp.baseAddress!, argmax: ip.baseAddress!, batch: x.rows)
                }
            }
        }
        buffers.activate(activation)
    }

    /// δ = (what came down) ⊙ mask; below: each δ added at its window's argmax, zeros elsewhere.
    @inline(__always) public func backward<Backend: LinearAlgebra<Scalar>>(
        input x: Matrix<Scalar>, buffers: LayerBuffers<Scalar>, scale: Scalar, signedZeros: Bool, weightGradient: inout Matrix<Scalar>,
        biasGradient: inout [Scalar]?, below: LayerBuffers<Scalar>?, on _: Backend.Type) {
        passDown(buffers, to: below) { dp, ep in
            guard !dp.isEmpty else { return }
            buffers.scratch.indices.withUnsafeBufferPointer { ip in
                Scalar._maxPoolBackward(dp.baseAddress!, argmax: ip.baseAddress!, ep.baseAddress!, outputs: dp.count, inputs: ep.count)
            }
        }
    }
}
