// BackendAgreementTests.swift: the BLAS backend against the pure-Swift reference, on shapes that expose leading-dimension and transpose bugs.
import Linalg
import Testing
import TestSupport

/// The BLAS backend against the pure-Swift reference, on shapes that expose leading-dimension
/// and transpose bugs: 1×1, vectors, non-square, both transposes, sizes past 256.
@Suite struct BackendAgreementTests {
    /// (m, n, k) for op(A) m×k · op(B) k×n.
    static let gemmShapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 7, 1), (7, 1, 1), (1, 1, 9), (1, 5, 3), (5, 1, 3), (3, 5, 1),
        (2, 3, 4), (4, 3, 2), (17, 5, 31), (31, 17, 5), (64, 64, 64), (300, 7, 260), (9, 257, 300), (260, 270, 257),
    ]

    @Test(arguments: gemmShapes)
    func gemmAgreesForEveryTranspose(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rng = SeededGenerator(seed: UInt64(m * 1_000_000 + n * 1000 + k))
        for transA in [Transpose.none, .transpose] {
            for transB in [Transpose.none, .transpose] {
                let a = transA == .none ? Matrix<Double>.randomUniform(rows: m, columns: k, using: &rng)
                                        : Matrix<Double>.randomUniform(rows: k, columns: m, using: &rng)
                let b = transB == .none ? Matrix<Double>.randomUniform(rows: k, columns: n, using: &rng)
                                        : Matrix<Double>.randomUniform(rows: n, columns: k, using: &rng)
                let c0 = Matrix<Double>.randomUniform(rows: m, columns: n, using: &rng)
                var viaBLAS = c0, viaReference = c0
                BLAS<Double>.gemm(transA, transB, alpha: 0.7, a, b, beta: -1.3, into: &viaBLAS)
                Reference<Double>.gemm(transA, transB, alpha: 0.7, a, b, beta: -1.3, into: &viaReference)
                let mismatch = Approximate.firstMismatch(viaBLAS, viaReference, Approximate.backends(sumLength: k))
                #expect(mismatch == nil, "gemm \(m)×\(n)×\(k) \(transA)/\(transB): \(mismatch ?? "")")
                #expect(viaBLAS != c0, "gemm changed nothing")
            }
        }
    }

    @Test func gemmOnSmallIntegersIsExact() {
        // [[1,2,3],[4,5,6]]·[[7,8],[9,10],[11,12]] = [[58,64],[139,154]], by hand.
        let a = Matrix<Double>([[1, 2, 3], [4, 5, 6]])
        let b = Matrix<Double>([[7, 8], [9, 10], [11, 12]])
        let expected = Matrix<Double>([[58, 64], [139, 154]])
        for multiply in [BLAS<Double>.gemm, Reference<Double>.gemm] as [(Transpose, Transpose, Double, Matrix<Double>, Matrix<Double>, Double, inout Matrix<Double>) -> Void] {
            var c = Matrix<Double>(rows: 2, columns: 2)
            multiply(.none, .none, 1, a, b, 0, &c)
            #expect(c == expected)
            // (AB)ᵀ = BᵀAᵀ, through the transpose flags on the stored matrices.
            var ct = Matrix<Double>(rows: 2, columns: 2)
            multiply(.transpose, .transpose, 1, b, a, 0, &ct)
            #expect(ct == expected.transposed)
        }
    }

    @Test func betaZeroIgnoresGarbageInC() {
        var rng = SeededGenerator(seed: 7)
        let a = Matrix<Double>.randomUniform(rows: 6, columns: 4, using: &rng)
        let b = Matrix<Double>.randomUniform(rows: 4, columns: 5, using: &rng)
        var viaBLAS = Matrix<Double>(rows: 6, columns: 5, repeating: .nan)
        var viaReference = viaBLAS
        BLAS<Double>.gemm(.none, .none, alpha: 1, a, b, beta: 0, into: &viaBLAS)
        Reference<Double>.gemm(.none, .none, alpha: 1, a, b, beta: 0, into: &viaReference)
        #expect(viaBLAS.elements.allSatisfy { $0.isFinite })
        #expect(Approximate.firstMismatch(viaBLAS, viaReference, Approximate.backends(sumLength: 4)) == nil)
        var y = [Double](repeating: .nan, count: 6)
        BLAS<Double>.gemv(.none, alpha: 1, a, [1, 2, 3, 4], beta: 0, into: &y)
        #expect(y.allSatisfy { $0.isFinite })
    }

    @Test func zeroInnerDimensionScalesC() {
        let a = Matrix<Double>(rows: 3, columns: 0), b = Matrix<Double>(rows: 0, columns: 2)
        var viaBLAS = Matrix<Double>(rows: 3, columns: 2, repeating: 2)
        var viaReference = viaBLAS
        BLAS<Double>.gemm(.none, .none, alpha: 1, a, b, beta: 0.5, into: &viaBLAS)
        Reference<Double>.gemm(.none, .none, alpha: 1, a, b, beta: 0.5, into: &viaReference)
        #expect(viaBLAS == Matrix<Double>(rows: 3, columns: 2, repeating: 1))
        #expect(viaReference == viaBLAS)
    }

    @Test(arguments: [(1, 1), (1, 9), (9, 1), (3, 5), (300, 257)])
    func gemvAgreesBothWays(shape: (Int, Int)) {
        Self.checkGemvBothWays(rows: shape.0, columns: shape.1, seed: UInt64(shape.0 * 1000 + shape.1))
    }

    /// BLAS's `gemv` against the reference's on a random `rows × columns` matrix, as it is and transposed.
    static func checkGemvBothWays(rows: Int, columns: Int, seed: UInt64, _ note: String = "") {
        var rng = SeededGenerator(seed: seed)
        let a = Matrix<Double>.randomUniform(rows: rows, columns: columns, using: &rng)
        for trans in [Transpose.none, .transpose] {
            let (outCount, inCount) = trans == .none ? (rows, columns) : (columns, rows)
            let x = Matrix<Double>.randomUniform(rows: 1, columns: inCount, using: &rng).elements
            let y0 = Matrix<Double>.randomUniform(rows: 1, columns: outCount, using: &rng).elements
            var viaBLAS = y0, viaReference = y0
            BLAS<Double>.gemv(trans, alpha: -0.6, a, x, beta: 2.5, into: &viaBLAS)
            Reference<Double>.gemv(trans, alpha: -0.6, a, x, beta: 2.5, into: &viaReference)
            let mismatch = Approximate.firstMismatch(viaBLAS, viaReference, Approximate.backends(sumLength: inCount))
            #expect(mismatch == nil, "gemv \(rows)×\(columns) \(trans)\(note): \(mismatch ?? "")")
            #expect(viaBLAS != y0)
        }
    }

    @Test(arguments: [(1, 1), (1, 6), (6, 1), (4, 7), (300, 259)])
    func gerAgreesAndEqualsRankOneGemm(shape: (Int, Int)) {
        let (rows, columns) = shape
        var rng = SeededGenerator(seed: UInt64(rows * 7919 + columns))
        let x = Matrix<Double>.randomUniform(rows: rows, columns: 1, using: &rng)
        let y = Matrix<Double>.randomUniform(rows: 1, columns: columns, using: &rng)
        let a0 = Matrix<Double>.randomUniform(rows: rows, columns: columns, using: &rng)
        var viaBLAS = a0, viaReference = a0, viaGemm = a0
        BLAS<Double>.ger(alpha: 1.7, x.elements, y.elements, into: &viaBLAS)
        Reference<Double>.ger(alpha: 1.7, x.elements, y.elements, into: &viaReference)
        Reference<Double>.gemm(.none, .none, alpha: 1.7, x, y, beta: 1, into: &viaGemm)
        #expect(Approximate.firstMismatch(viaBLAS, viaReference, Approximate.backends(sumLength: 1)) == nil)
        #expect(Approximate.firstMismatch(viaBLAS, viaGemm, Approximate.backends(sumLength: 1)) == nil)
        #expect(viaBLAS != a0)
    }

    @Test(arguments: [1, 2, 17, 1000])
    func levelOneOperationsAgree(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count))
        let x = Matrix<Double>.randomUniform(rows: 1, columns: count, using: &rng).elements
        let y0 = Matrix<Double>.randomUniform(rows: 1, columns: count, using: &rng).elements
        var axpyBLAS = y0, axpyReference = y0
        BLAS<Double>.axpy(alpha: 0.3, x, into: &axpyBLAS)
        Reference<Double>.axpy(alpha: 0.3, x, into: &axpyReference)
        #expect(Approximate.firstMismatch(axpyBLAS, axpyReference, Approximate.backends(sumLength: 1)) == nil)
        #expect(axpyBLAS != y0)
        var scalBLAS = x, scalReference = x
        BLAS<Double>.scal(alpha: -2.5, &scalBLAS)
        Reference<Double>.scal(alpha: -2.5, &scalReference)
        #expect(scalBLAS == scalReference)  // One multiplication each: exact.
        #expect(scalBLAS == x.map { -2.5 * $0 })
        let dotBLAS = BLAS<Double>.dot(x, y0), dotReference = Reference<Double>.dot(x, y0)
        #expect(Approximate.backends(sumLength: count).accepts(dotBLAS, dotReference))
    }

    @Test func dotOfKnownVectors() {
        // 1·4 + 2·5 + 3·6 = 32.
        #expect(BLAS<Double>.dot([1, 2, 3], [4, 5, 6]) == 32)
        #expect(Reference<Double>.dot([1, 2, 3], [4, 5, 6]) == 32)
    }
}
