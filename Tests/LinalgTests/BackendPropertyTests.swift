// BackendPropertyTests.swift: properties over generated shapes and values (a seeded generator, so a failure reproduces).
import Linalg
import Testing
import TestSupport

/// Properties over generated shapes and values (a seeded generator, so a failure reproduces):
/// the BLAS backend equals the reference on every shape, including empty dimensions, and both
/// obey the algebra the network relies on.
@Suite struct BackendPropertyTests {
    /// A dimension from 0 to 40, with 0, 1 and awkward sizes drawn more often than a uniform draw would.
    static func dimension(_ rng: inout SeededGenerator) -> Int {
        let special = [0, 1, 1, 2, 3, 7, 16, 17, 33]
        return rng.nextUniform() < 0.5 ? special[Int(rng.next() % UInt64(special.count))] : Int(rng.next() % 41)
    }

    /// Values of mixed magnitude and sign.
    static func values(_ rows: Int, _ columns: Int, _ rng: inout SeededGenerator) -> Matrix<Double> {
        var m = Matrix<Double>.randomUniform(rows: rows, columns: columns, using: &rng)
        for i in m.elements.indices where rng.nextUniform() < 0.2 { m.elements[i] *= 1000 }
        return m
    }

    @Test func gemmMatchesTheReferenceOnGeneratedShapes() {
        var rng = SeededGenerator(seed: 2024)
        for trial in 0..<300 {
            let (m, n, k) = (Self.dimension(&rng), Self.dimension(&rng), Self.dimension(&rng))
            let transA: Transpose = rng.next() % 2 == 0 ? .none : .transpose
            let transB: Transpose = rng.next() % 2 == 0 ? .none : .transpose
            let a = transA == .none ? Self.values(m, k, &rng) : Self.values(k, m, &rng)
            let b = transB == .none ? Self.values(k, n, &rng) : Self.values(n, k, &rng)
            let alpha: Double = [0, 1, -1, 0.37, 2.5][Int(rng.next() % 5)]
            let beta: Double = [0, 1, -0.5, 3][Int(rng.next() % 4)]
            // With β = 0 the old C is garbage (NaN) that must not leak into the result.
            let c0 = beta == 0 ? Matrix<Double>(rows: m, columns: n, repeating: .nan) : Self.values(m, n, &rng)
            var viaBLAS = c0, viaReference = c0
            BLAS<Double>.gemm(transA, transB, alpha: alpha, a, b, beta: beta, into: &viaBLAS)
            Reference<Double>.gemm(transA, transB, alpha: alpha, a, b, beta: beta, into: &viaReference)
            // Entries reach 1000·1000·k, so the tolerance scales with that magnitude.
            let tolerance = Tolerance(absolute: 1e-9 * Double(max(k, 1)), relative: 1e-12)
            let mismatch = Approximate.firstMismatch(viaBLAS, viaReference, tolerance)
            #expect(mismatch == nil, "trial \(trial): \(m)×\(n)×\(k) \(transA)/\(transB) α \(alpha) β \(beta): \(mismatch ?? "")")
        }
    }

    @Test func gemvAndGerMatchTheReferenceOnGeneratedShapes() {
        var rng = SeededGenerator(seed: 77)
        for trial in 0..<300 {
            let (rows, columns) = (Self.dimension(&rng), Self.dimension(&rng))
            let a = Self.values(rows, columns, &rng)
            let trans: Transpose = rng.next() % 2 == 0 ? .none : .transpose
            let (outCount, inCount) = trans == .none ? (rows, columns) : (columns, rows)
            let x = Self.values(1, inCount, &rng).elements
            let beta: Double = [0, 1, -2][Int(rng.next() % 3)]
            let y0 = beta == 0 ? [Double](repeating: .nan, count: outCount) : Self.values(1, outCount, &rng).elements
            var yBLAS = y0, yReference = y0
            BLAS<Double>.gemv(trans, alpha: 0.5, a, x, beta: beta, into: &yBLAS)
            Reference<Double>.gemv(trans, alpha: 0.5, a, x, beta: beta, into: &yReference)
            let tolerance = Tolerance(absolute: 1e-9 * Double(max(inCount, 1)), relative: 1e-12)
            #expect(Approximate.firstMismatch(yBLAS, yReference, tolerance) == nil, "gemv trial \(trial) \(rows)×\(columns)")

            let u = Self.values(1, rows, &rng).elements, v = Self.values(1, columns, &rng).elements
            var gerBLAS = a, gerReference = a
            BLAS<Double>.ger(alpha: -1.5, u, v, into: &gerBLAS)
            Reference<Double>.ger(alpha: -1.5, u, v, into: &gerReference)
            #expect(Approximate.firstMismatch(gerBLAS, gerReference, Tolerance(absolute: 1e-9, relative: 1e-12)) == nil,
                    "ger trial \(trial) \(rows)×\(columns)")
        }
    }

    @Test func productTransposeIsTheReversedProductOfTransposes() {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<100 {
            let (m, n, k) = (Self.dimension(&rng), Self.dimension(&rng), Self.dimension(&rng))
            let a = Matrix<Double>.randomUniform(rows: m, columns: k, using: &rng)
            let b = Matrix<Double>.randomUniform(rows: k, columns: n, using: &rng)
            var ab = Matrix<Double>(rows: m, columns: n), btat = Matrix<Double>(rows: n, columns: m)
            BLAS<Double>.gemm(.none, .none, alpha: 1, a, b, beta: 0, into: &ab)
            BLAS<Double>.gemm(.none, .none, alpha: 1, b.transposed, a.transposed, beta: 0, into: &btat)
            #expect(Approximate.firstMismatch(ab.transposed, btat, Approximate.backends(sumLength: k)) == nil, "\(m)×\(n)×\(k)")
        }
    }

    @Test func gerEqualsARankOneGemm() {
        var rng = SeededGenerator(seed: 6)
        for _ in 0..<100 {
            let (rows, columns) = (Self.dimension(&rng), Self.dimension(&rng))
            let x = Matrix<Double>.randomUniform(rows: rows, columns: 1, using: &rng)
            let y = Matrix<Double>.randomUniform(rows: 1, columns: columns, using: &rng)
            let a0 = Matrix<Double>.randomUniform(rows: rows, columns: columns, using: &rng)
            var viaGer = a0, viaGemm = a0
            BLAS<Double>.ger(alpha: 0.75, x.elements, y.elements, into: &viaGer)
            BLAS<Double>.gemm(.none, .none, alpha: 0.75, x, y, beta: 1, into: &viaGemm)
            #expect(Approximate.firstMismatch(viaGer, viaGemm, Approximate.backends(sumLength: 1)) == nil)
        }
    }
}
