// Flatten.swift: the layer from C × H × W samples to C·H·W features (the row is already flat), its checks, forward and backward.
import Linalg

/// Marks where image samples (C, H, W, NCHW order) become flat feature rows of C·H·W values, as
/// PyTorch's `flatten(1)`. A sample already is one row, so the forward pass copies it and the
/// backward pass hands the error terms down unchanged. No parameters.
public struct Flatten<Scalar: BLASScalar>: ParameterFreeKind {
    /// The input channels C, height H and width W.
    public let channels: Int, height: Int, width: Int

    /// Flattens samples of `input` (C, H, W).
    public init(input: (channels: Int, height: Int, width: Int)) {
        (channels, height, width) = input
    }

    public var inputCount: Int { channels * height * width }
    public var outputCount: Int { inputCount }

    public func problem(layer l: Int) -> NetworkError? {
        let input = [channels, height, width]
        return input.contains { $0 < 1 } ? .sizeTooSmall(layer: l, kind: "flatten", name: "input shape", values: input, minimum: 1) : nil
    }

    /// The same layer in precision `Other`.
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> Flatten<Other> {
        Flatten<Other>(input: (channels, height, width))
    }

    /// h = a = x (copies).
    @inline(__always)
    public func forward<Backend: LinearAlgebra<Scalar>>(_ x: Matrix<Scalar>, into buffers: LayerBuffers<Scalar>, on _: Backend.Type) {
        x.elements.withUnsafeBufferPointer { xp in
            buffers.preActivations.elements.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: xp) }
            buffers.activations.elements.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: xp) }
        }
    }

    /// δ = (what came down) ⊙ mask; below: δ as it is.
    @inline(__always) public func backward<Backend: LinearAlgebra<Scalar>>(
        input x: Matrix<Scalar>, buffers: LayerBuffers<Scalar>, scale: Scalar, signedZeros: Bool, weightGradient: inout Matrix<Scalar>,
        biasGradient: inout [Scalar]?, below: LayerBuffers<Scalar>?, on _: Backend.Type) {
        passDown(buffers, to: below) { dp, ep in _ = ep.update(fromContentsOf: dp) }
    }
}
