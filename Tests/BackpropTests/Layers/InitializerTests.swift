// InitializerTests.swift: each initialiser's defining property, checked on draws large enough for the statistics to be tight.
import Backprop
import Testing
import TestSupport

/// Each initialiser's defining property, checked on draws large enough for the statistics to be tight.
@Suite struct InitializerTests {
    func moments(_ m: Matrix<Double>) -> (mean: Double, std: Double) {
        let n = Double(m.elements.count)
        let mean = m.elements.reduce(0, +) / n
        return (mean, (m.elements.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot())
    }

    @Test func lessonAndHeDrawNormalsWithTheirScales() {
        var rng = SeededGenerator(seed: 1)
        // 400 × 250 = 100,000 draws: the sample std is within about 0.5% of the true one.
        let lesson = moments(Initializer.lesson.weights(fanIn: 400, fanOut: 250, using: &rng))
        #expect(abs(lesson.std - 1 / 20.0) < 0.05 * (1 / 20.0))  // The lesson's scale: fan_in^-½ = 1/20.
        #expect(abs(lesson.mean) < 0.001)
        let he = moments(Initializer.he.weights(fanIn: 400, fanOut: 250, using: &rng))
        #expect(abs(he.std - (2.0 / 400).squareRoot()) < 0.05 * (2.0 / 400).squareRoot())
    }

    @Test func glorotIsUniformWithinItsBound() {
        var rng = SeededGenerator(seed: 2)
        let w: Matrix<Double> = Initializer.glorot.weights(fanIn: 300, fanOut: 100, using: &rng)
        let bound = (6.0 / 400).squareRoot()
        #expect(w.elements.allSatisfy { abs($0) <= bound })
        // U(−a, a) has standard deviation a/√3.
        #expect(abs(moments(w).std - bound / 3.0.squareRoot()) < 0.02 * bound)
    }

    @Test(arguments: [(8, 5), (5, 8), (6, 6)])
    func orthogonalHasOrthonormalRowsOrColumns(shape: (Int, Int)) {
        let (fanIn, fanOut) = shape
        var rng = SeededGenerator(seed: 3)
        let w: Matrix<Double> = Initializer.orthogonal.weights(fanIn: fanIn, fanOut: fanOut, using: &rng)
        #expect(w.rows == fanIn && w.columns == fanOut)
        // Tall: WᵀW = I (orthonormal columns); wide: WWᵀ = I (orthonormal rows).
        let k = min(fanIn, fanOut)
        var gram = Matrix<Double>(rows: k, columns: k)
        if fanIn >= fanOut {
            Reference<Double>.gemm(.transpose, .none, alpha: 1, w, w, beta: 0, into: &gram)
        } else {
            Reference<Double>.gemm(.none, .transpose, alpha: 1, w, w, beta: 0, into: &gram)
        }
        #expect(Approximate.firstMismatch(gram, Matrix<Double>.identity(k), Approximate.identity(size: 8)) == nil)
    }

    @Test func theSameSeedGivesTheSameWeights() {
        for initializer in Initializer.allCases {
            var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9), c = SeededGenerator(seed: 10)
            let wa: Matrix<Double> = initializer.weights(fanIn: 7, fanOut: 4, using: &a)
            #expect(wa == initializer.weights(fanIn: 7, fanOut: 4, using: &b) as Matrix<Double>)
            #expect(wa != initializer.weights(fanIn: 7, fanOut: 4, using: &c) as Matrix<Double>)
        }
    }
}
