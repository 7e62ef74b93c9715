// LAPACK.swift: LAPACK solvers (gesv, gels, QR, SVD) with shape checks, and their errors.
import CBLAS

/// A LAPACK routine that could not produce its result. Raised instead of stopping, because
/// a singular or ill-conditioned input is a property of the data, not a programming error.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// `dgesv`: U(i, i) is exactly zero (1-based `pivot`), so A is singular.
    case singularMatrix(pivot: Int)
    /// `dgels`: the diagonal element `index` (1-based) of the triangular factor is zero, so A lacks full rank.
    case rankDeficient(index: Int)
    /// `dgesdd`: the SVD did not converge (`info` as LAPACK reports it).
    case noConvergence(routine: String, info: Int)
    /// LAPACK rejected argument `index` (1-based) of `routine`; a bug in this package if it happens.
    case illegalArgument(routine: String, index: Int)

    public var description: String {
        switch self {
        case .singularMatrix(let pivot):
            return "singular matrix: pivot \(pivot) of the LU factorisation is exactly zero"
        case .rankDeficient(let index):
            return "rank-deficient matrix: diagonal element \(index) of the triangular factor is zero"
        case .noConvergence(let routine, let info):
            return "\(routine) did not converge (info = \(info))"
        case .illegalArgument(let routine, let index):
            return "\(routine): argument \(index) has an illegal value"
        }
    }
}

/// Factorisations and solvers from LAPACK (through LAPACKE's row-major interface), in `Float`
/// (the `s` routines) or `Double` (the `d` routines); errors name the routine with its precision letter.
/// Inputs are taken by value and never modified; LAPACK works on copies it may overwrite.
public enum LAPACK {
    /// Solves A·X = B for square A (`n × n`) and B (`n × nrhs`) by LU with partial pivoting (`dgesv`).
    /// - Throws: ``LinearAlgebraError/singularMatrix(pivot:)`` when A is singular.
    public static func solve<Scalar: BLASScalar>(_ a: Matrix<Scalar>, _ b: Matrix<Scalar>) throws -> Matrix<Scalar> {
        precondition(a.rows == a.columns && b.rows == a.rows,
                     "LAPACK.solve: A \(a.rows)×\(a.columns) and B \(b.rows)×\(b.columns) do not form a square system")
        var lu = a, x = b
        var pivots = [Int32](repeating: 0, count: a.rows)
        if a.rows == 0 || b.columns == 0 { return x }
        let info = Scalar._gesv(lapackInt(a.rows), lapackInt(b.columns), &lu.elements, lapackInt(a.columns), &pivots,
                                &x.elements, lapackInt(b.columns))
        try check(info, Scalar.routine("gesv")) { .singularMatrix(pivot: $0) }
        return x
    }

    /// The least-squares solution X (`n × nrhs`) minimising ‖A·X − B‖ for A `m × n` with m ≥ n and
    /// full column rank, or the minimum-norm solution of the underdetermined system when m < n (`dgels`).
    /// - Throws: ``LinearAlgebraError/rankDeficient(index:)`` when A lacks full rank.
    public static func leastSquares<Scalar: BLASScalar>(_ a: Matrix<Scalar>, _ b: Matrix<Scalar>) throws -> Matrix<Scalar> {
        precondition(b.rows == a.rows,
                     "LAPACK.leastSquares: A \(a.rows)×\(a.columns) and B \(b.rows)×\(b.columns) differ in rows")
        let (m, n, nrhs) = (a.rows, a.columns, b.columns)
        // dgels overwrites a max(m, n) × nrhs right-hand side with the solution in its first n rows.
        var qr = a
        var work = Matrix<Scalar>(rows: max(m, n), columns: nrhs)
        work.elements.replaceSubrange(0..<(m * nrhs), with: b.elements)
        if m == 0 || n == 0 || nrhs == 0 { return Matrix<Scalar>(rows: n, columns: nrhs) }
        let info = Scalar._gels(lapackInt(m), lapackInt(n), lapackInt(nrhs), &qr.elements, lapackInt(n),
                                &work.elements, lapackInt(nrhs))
        try check(info, Scalar.routine("gels")) { .rankDeficient(index: $0) }
        return Matrix(rows: n, columns: nrhs, elements: Array(work.elements[0..<(n * nrhs)]))
    }

    /// The reduced QR factorisation A = Q·R of A (`m × n`), with k = min(m, n):
    /// Q is `m × k` with orthonormal columns (QᵀQ = I), R is `k × n` upper triangular
    /// (`dgeqrf`, then `dorgqr` for the explicit Q).
    public static func qr<Scalar: BLASScalar>(_ a: Matrix<Scalar>) throws -> (q: Matrix<Scalar>, r: Matrix<Scalar>) {
        let (m, n) = (a.rows, a.columns)
        let k = min(m, n)
        if k == 0 { return (Matrix<Scalar>(rows: m, columns: 0), Matrix<Scalar>(rows: 0, columns: n)) }
        var factors = a
        var tau = [Scalar](repeating: 0, count: k)
        let info = Scalar._geqrf(lapackInt(m), lapackInt(n), &factors.elements, lapackInt(n), &tau)
        try check(info, Scalar.routine("geqrf")) { .illegalArgument(routine: Scalar.routine("geqrf"), index: $0) }

        var r = Matrix<Scalar>(rows: k, columns: n)
        for i in 0..<k {
            for j in i..<n { r[i, j] = factors[i, j] }
        }
        // orgqr builds Q in place from the reflectors in the first k columns (leading dimension n).
        let info2 = Scalar._orgqr(lapackInt(m), lapackInt(k), lapackInt(k), &factors.elements, lapackInt(n), tau)
        try check(info2, Scalar.routine("orgqr")) { .illegalArgument(routine: Scalar.routine("orgqr"), index: $0) }
        var q = Matrix<Scalar>(rows: m, columns: k)
        for i in 0..<m {
            for j in 0..<k { q[i, j] = factors[i, j] }
        }
        return (q, r)
    }

    /// The thin singular value decomposition A = U·diag(σ)·Vᵀ of A (`m × n`), with k = min(m, n):
    /// U is `m × k`, σ has k values in decreasing order, Vᵀ is `k × n` (`dgesdd`, divide and conquer).
    /// - Throws: ``LinearAlgebraError/noConvergence(routine:info:)`` when the iteration fails.
    public static func svd<Scalar: BLASScalar>(_ a: Matrix<Scalar>) throws -> (u: Matrix<Scalar>, singularValues: [Scalar], vt: Matrix<Scalar>) {
        let (m, n) = (a.rows, a.columns)
        let k = min(m, n)
        var u = Matrix<Scalar>(rows: m, columns: k), vt = Matrix<Scalar>(rows: k, columns: n)
        var s = [Scalar](repeating: 0, count: k)
        if k == 0 { return (u, s, vt) }
        var work = a
        let info = Scalar._gesdd(lapackInt(m), lapackInt(n), &work.elements, lapackInt(n), &s,
                                 &u.elements, lapackInt(k), &vt.elements, lapackInt(n))
        try check(info, Scalar.routine("gesdd")) { .noConvergence(routine: Scalar.routine("gesdd"), info: $0) }
        return (u, s, vt)
    }

    /// Turns LAPACK's `info` into a Swift error: < 0 is an illegal argument, > 0 the routine's own failure.
    private static func check(_ info: Int32, _ routine: String,
                              failure: (Int) -> LinearAlgebraError) throws {
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: routine, index: Int(-info)) }
        if info > 0 { throw failure(Int(info)) }
    }

    private static func lapackInt(_ n: Int) -> Int32 {
        guard let value = Int32(exactly: n) else {
            preconditionFailure("LAPACK: size \(n) does not fit LAPACKE's 32-bit lapack_int")
        }
        return value
    }
}
