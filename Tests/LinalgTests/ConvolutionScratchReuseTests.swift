// ConvolutionScratchReuseTests.swift: the BLAS weight gradient reuses the forward pass's im2col only while the scratch still holds it.
import Linalg
import Testing
import TestSupport

/// `convolutionWeightGradient(…, afterForward: true)` on ``BLAS`` reuses the im2col matrix its
/// `convolve` left in the scratch, and re-gathers once an input gradient has overwritten it: the
/// gradient is the same, bit for bit, as from `x` itself, and agrees with ``Reference``'s loops.
@Suite struct ConvolutionScratchReuseTests {
    @Test func theGradientIsTheSameWithOrWithoutTheForwardColumns() {
        // 3 channels 7×6, 4 filters 3×2, stride 2×1, padding 1×0; 5 samples.
        let shape = ConvolutionShape(channels: 3, height: 7, width: 6, filters: 4, kernel: (3, 2), stride: (2, 1), padding: (1, 0))
        var rng = SeededGenerator(seed: 3)
        let x = Matrix<Double>.randomUniform(rows: 5, columns: shape.inputCount, using: &rng)
        let w = Matrix<Double>.randomUniform(rows: shape.filters, columns: shape.patchSize, using: &rng)
        let d = Matrix<Double>.randomUniform(rows: 5, columns: shape.outputCount, using: &rng)
        let scratch = ConvolutionScratch<Double>(shape: shape, batch: 5)
        var y = Matrix<Double>(rows: 5, columns: shape.outputCount), e = x
        func gradient(afterForward: Bool) -> Matrix<Double> {
            var g = Matrix<Double>(rows: shape.filters, columns: shape.patchSize, repeating: .nan)
            BLAS<Double>.convolutionWeightGradient(shape, x, errors: d, alpha: 0.5, into: &g, scratch: scratch, afterForward: afterForward)
            return g
        }
        BLAS<Double>.convolve(shape, x, weights: w, bias: nil, into: &y, scratch: scratch)
        let reused = gradient(afterForward: true)
        BLAS<Double>.convolutionInputGradient(shape, errors: d, weights: w, into: &e, scratch: scratch)  // Overwrites the columns.
        let afterInputGradient = gradient(afterForward: true)
        let fromX = gradient(afterForward: false)
        #expect(reused == fromX && afterInputGradient == fromX)

        var expected = Matrix<Double>(rows: shape.filters, columns: shape.patchSize)
        Reference<Double>.convolutionWeightGradient(shape, x, errors: d, alpha: 0.5, into: &expected, scratch: scratch)
        let k = 5 * shape.outputPositions
        #expect(Approximate.firstMismatch(reused, expected, Approximate.backends(sumLength: k)) == nil)
        #expect(Approximate.isNontrivial(expected.elements))
    }
}
