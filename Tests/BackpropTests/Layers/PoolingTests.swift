// PoolingTests.swift: pooling and flatten layers: max and average pools worked by hand, max-pool ties going to the first maximum, and flatten passing rows through.
import Backprop
import Linalg
import Testing
import TestSupport

@Suite struct PoolingTests {
    /// Two channels of 3×4; window 2×2, stride 1×2: H′ = 2, W′ = ⌊(4 − 2)/2⌋ + 1 = 2.
    /// Channel 0 = [[1, 5, 2, 2], [3, 5, 2, 1], [0, 0, 7, 7]]: windows (rows 0–1, columns 0–1) has the
    /// tie 5 at (0,1) and (1,1) → 5 from (0,1), the first in row-major window order; (rows 0–1, cols 2–3):
    /// 2, 2, 2, 1 → 2 from (0,2); (rows 1–2, cols 0–1): 5 from (1,1); (rows 1–2, cols 2–3): 7, 7 tie → (2,2).
    /// Channel 1 = −channel 0 = [[−1, −5, −2, −2], [−3, −5, −2, −1], [−0, −0, −7, −7]]: maxima −1 at (0,0);
    /// −1 at (1,3); the tie −0, −0 → (2,0); −1 at (1,3) again (its two errors add up there).
    @Test(arguments: ["blas", "reference"])
    func maxPoolTiesGoToTheFirstMaximum(backend: String) throws {
        let c0: [Double] = [1, 5, 2, 2, 3, 5, 2, 1, 0, 0, 7, 7]
        let x = Matrix<Double>(rows: 1, columns: 24, elements: c0 + c0.map { -$0 })
        let d = Matrix<Double>([[1, 2, 3, 4, 10, 20, 30, 40]])
        let layer = Layer<Double>.maxPool2D(MaxPool2D(input: (2, 3, 4), window: (2, 2), stride: (1, 2)))
        let (y, e, _) = backend == "blas" ? try ConvolutionFixtures.passes(layer, x, d, on: BLAS<Double>.self) : try ConvolutionFixtures.passes(layer, x, d, on: Reference<Double>.self)
        #expect(y == Matrix([[5, 2, 5, 7, -1, -1, 0, -1]]))
        var expected = [Double](repeating: 0, count: 24)
        expected[1] += 1; expected[2] += 2; expected[5] += 3; expected[10] += 4             // channel 0: (0,1), (0,2), (1,1), (2,2)
        expected[12 + 0] += 10; expected[12 + 7] += 20; expected[12 + 8] += 30; expected[12 + 7] += 40  // channel 1: (0,0), (1,3), (2,0), (1,3)
        #expect(e == Matrix(rows: 1, columns: 24, elements: expected))
    }

    /// One channel 3×3 of 1…9, window 2×2, stride 1: means of [1,2,4,5] = 3, [2,3,5,6] = 4, [4,5,7,8] = 6,
    /// [5,6,8,9] = 7. Backward with D = [[4, 8], [−4, 12]]: each window spreads D/4 = 1, 2, −1, 3 over its
    /// four inputs: corners 1, 2, −1, 3; edges (0,1) = 1 + 2 = 3, (1,0) = 1 − 1 = 0, (1,2) = 2 + 3 = 5,
    /// (2,1) = −1 + 3 = 2; centre 1 + 2 − 1 + 3 = 5.
    @Test(arguments: ["blas", "reference"])
    func averagePoolWorkedByHand(backend: String) throws {
        let x = Matrix<Double>([[1, 2, 3, 4, 5, 6, 7, 8, 9]]), d = Matrix<Double>([[4, 8, -4, 12]])
        let layer = Layer<Double>.avgPool2D(AvgPool2D(input: (1, 3, 3), window: (2, 2), stride: (1, 1)))
        let (y, e, _) = backend == "blas" ? try ConvolutionFixtures.passes(layer, x, d, on: BLAS<Double>.self) : try ConvolutionFixtures.passes(layer, x, d, on: Reference<Double>.self)
        #expect(y == Matrix([[3, 4, 6, 7]]))
        #expect(e == Matrix([[1, 3, 2, 0, 5, 5, -1, 2, 3]]))
    }

    /// Flatten copies a batch's rows forward and hands the error terms down unchanged.
    @Test func flattenPassesRowsThrough() throws {
        let x = Matrix<Double>([[1, -2, 3, 4, 0.5, 6], [7, 8, -9, 10, 11, 12]]), d = Matrix<Double>([[1, 2, 3, 4, 5, 6], [-1, -2, -3, -4, -5, -6]])
        let (y, e, _) = try ConvolutionFixtures.passes(.flatten(Flatten(input: (3, 1, 2))), x, d, on: BLAS<Double>.self)
        #expect(y == x)
        #expect(e == d)
    }
}
