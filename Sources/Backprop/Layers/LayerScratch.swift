// LayerScratch.swift: a layer's working storage beyond its h, a and δ (a convolution's im2col matrices, a max-pool's argmax), allocated with its buffers.
import Linalg

/// What a layer's passes work in besides its ``LayerBuffers`` matrices, allocated once with them
/// for one batch size (``LayerKind/scratch(batch:)`` says what a kind needs), so a steady-state
/// step allocates nothing. Its contents between passes belong to the layer's kind.
public final class LayerScratch<Scalar: BLASScalar> {
    /// A convolution's im2col and channels-last matrices, or nil for other kinds.
    public let convolution: ConvolutionScratch<Scalar>?
    /// A max-pool's argmax, `batch × outputCount` entries: for each output, the offset in the batch's
    /// inputs (`batch × inputCount`, row-major) of the value it took (empty for other kinds).
    @exclusivity(unchecked) public internal(set) var indices: [Int]

    /// Scratch holding `convolution` and `indices` entries.
    init(convolution: ConvolutionScratch<Scalar>? = nil, indices: Int = 0) {
        self.convolution = convolution
        self.indices = [Int](repeating: 0, count: indices)
    }
}
