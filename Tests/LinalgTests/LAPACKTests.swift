// LAPACKTests.swift: LAPACK results checked by their defining identities, and failures reported as errors.
import Linalg
import Testing
import TestSupport

/// LAPACK results checked by their defining identities, and failures reported as errors.
@Suite struct LAPACKTests {
    func product(_ a: Matrix<Double>, _ b: Matrix<Double>, _ ta: Transpose = .none, _ tb: Transpose = .none) -> Matrix<Double> {
        var c = Matrix<Double>(rows: ta == .none ? a.rows : a.columns, columns: tb == .none ? b.columns : b.rows)
        Reference<Double>.gemm(ta, tb, alpha: 1, a, b, beta: 0, into: &c)
        return c
    }

    @Test(arguments: [1, 3, 50])
    func solveSatisfiesAxEqualsB(n: Int) throws {
        var rng = SeededGenerator(seed: UInt64(n))
        var a = Matrix<Double>.randomUniform(rows: n, columns: n, using: &rng)
        for i in 0..<n { a[i, i] += Double(n) }  // Diagonally dominant: well conditioned.
        let b = Matrix<Double>.randomUniform(rows: n, columns: 3, using: &rng)
        let x = try LAPACK.solve(a, b)
        #expect(x.rows == n && x.columns == 3)
        #expect(Approximate.firstMismatch(product(a, x), b, Approximate.identity(size: n)) == nil)
    }

    @Test func solveOfKnownSystem() throws {
        // 2x + y = 5, x + 3y = 10 → x = 1, y = 3.
        let x = try LAPACK.solve(Matrix<Double>([[2, 1], [1, 3]]), Matrix<Double>([[5], [10]]))
        #expect(Approximate.firstMismatch(x.elements, [1, 3], Approximate.identity(size: 2)) == nil)
    }

    @Test func singularSystemThrows() {
        let singular = Matrix<Double>([[1, 2], [2, 4]])
        #expect(throws: LinearAlgebraError.singularMatrix(pivot: 2)) {
            try LAPACK.solve(singular, Matrix<Double>([[1], [2]]))
        }
        let error = LinearAlgebraError.singularMatrix(pivot: 2)
        #expect(error.description.contains("singular"))
    }

    @Test func leastSquaresRecoversAnExactFitAndSatisfiesNormalEquations() throws {
        var rng = SeededGenerator(seed: 11)
        let a = Matrix<Double>.randomUniform(rows: 20, columns: 4, using: &rng)
        let x0 = Matrix<Double>.randomUniform(rows: 4, columns: 2, using: &rng)
        let exact = try LAPACK.leastSquares(a, product(a, x0))
        #expect(Approximate.firstMismatch(exact, x0, Approximate.identity(size: 20)) == nil)

        let b = Matrix<Double>.randomUniform(rows: 20, columns: 2, using: &rng)
        let x = try LAPACK.leastSquares(a, b)
        var residual = product(a, x)
        for i in residual.elements.indices { residual.elements[i] -= b.elements[i] }
        // Aᵀ·(A·x − b) = 0 at the minimiser, while the residual itself is not zero.
        let normal = product(a, residual, .transpose)
        #expect(Approximate.firstMismatch(normal.elements, [0, 0, 0, 0, 0, 0, 0, 0], Approximate.identity(size: 20)) == nil)
        #expect(Approximate.isNontrivial(residual.elements, threshold: 1e-3))
    }

    @Test func leastSquaresOfRankDeficientMatrixThrows() {
        // A zero column makes R's last diagonal element exactly zero, which dgels detects.
        let a = Matrix<Double>([[1, 0], [2, 0], [3, 0]])
        #expect(throws: LinearAlgebraError.rankDeficient(index: 2)) {
            try LAPACK.leastSquares(a, Matrix<Double>([[1], [2], [3]]))
        }
    }

    @Test(arguments: [(6, 4), (4, 6), (5, 5), (1, 3), (3, 1)])
    func qrHasOrthonormalQAndReproducesA(shape: (Int, Int)) throws {
        let (m, n) = shape
        var rng = SeededGenerator(seed: UInt64(m * 10 + n))
        let a = Matrix<Double>.randomUniform(rows: m, columns: n, using: &rng)
        let (q, r) = try LAPACK.qr(a)
        let k = min(m, n)
        #expect(q.rows == m && q.columns == k && r.rows == k && r.columns == n)
        #expect(Approximate.firstMismatch(product(q, q, .transpose), Matrix<Double>.identity(k), Approximate.identity(size: m)) == nil)
        #expect(Approximate.firstMismatch(product(q, r), a, Approximate.identity(size: m)) == nil)
        for i in 0..<k { for j in 0..<min(i, n) { #expect(r[i, j] == 0) } }
    }

    @Test(arguments: [(7, 3), (3, 7), (6, 6)])
    func svdReproducesA(shape: (Int, Int)) throws {
        let (m, n) = shape
        var rng = SeededGenerator(seed: UInt64(m * 100 + n))
        let a = Matrix<Double>.randomUniform(rows: m, columns: n, using: &rng)
        let (u, s, vt) = try LAPACK.svd(a)
        let k = min(m, n)
        #expect(u.rows == m && u.columns == k && s.count == k && vt.rows == k && vt.columns == n)
        var us = u
        for i in 0..<m { for j in 0..<k { us[i, j] *= s[j] } }
        #expect(Approximate.firstMismatch(product(us, vt), a, Approximate.identity(size: max(m, n))) == nil)
        #expect(Approximate.firstMismatch(product(u, u, .transpose), Matrix<Double>.identity(k), Approximate.identity(size: m)) == nil)
        #expect(Approximate.firstMismatch(product(vt, vt, .none, .transpose), Matrix<Double>.identity(k), Approximate.identity(size: n)) == nil)
        #expect(zip(s, s.dropFirst()).allSatisfy { $0 >= $1 } && s.allSatisfy { $0 >= 0 })
    }

    @Test func svdOfKnownMatrix() throws {
        // The singular values of diag(3, −5) are 5 and 3.
        let (_, s, _) = try LAPACK.svd(Matrix<Double>([[3, 0], [0, -5]]))
        #expect(Approximate.firstMismatch(s, [5, 3], Approximate.identity(size: 2)) == nil)
    }
}
