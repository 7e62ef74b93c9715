/// Whether an operand enters a product as it is or transposed (BLAS's `trans` argument).
public enum Transpose: Sendable {
    /// op(A) = A.
    case none
    /// op(A) = Aᵀ (read in place; nothing is copied).
    case transpose

    /// The operand's shape after this transpose is applied to a `rows × columns` matrix.
    @inlinable
    func shape(_ m: Matrix) -> (rows: Int, columns: Int) {
        self == .none ? (m.rows, m.columns) : (m.columns, m.rows)
    }
}

/// The dense linear algebra a network needs, named and shaped as in BLAS.
///
/// Two conformers: ``BLAS`` (OpenBLAS through CBLAS) and ``Reference`` (plain Swift loops,
/// the readable specification the tests hold the BLAS one to). Networks take the backend
/// as a generic parameter so the compiler specialises the hot path for it.
///
/// Shapes are checked before any work: a mismatch stops with a precondition naming both shapes.
/// Vectors are `[Double]`; matrices are row-major ``Matrix``. Nothing is allocated by these calls.
public protocol LinearAlgebra: SendableMetatype {
    /// A short name for reports: "blas" or "reference".
    static var name: String { get }

    /// C ← α·op(A)·op(B) + β·C, with op(A) `m × k`, op(B) `k × n`, C `m × n`.
    /// When β is 0, C's old contents are ignored (NaN in C does not propagate).
    static func gemm(_ transA: Transpose, _ transB: Transpose, alpha: Double,
                     _ a: Matrix, _ b: Matrix, beta: Double, into c: inout Matrix)

    /// y ← α·op(A)·x + β·y, with op(A) `m × n`, x of length n, y of length m.
    /// When β is 0, y's old contents are ignored.
    static func gemv(_ transA: Transpose, alpha: Double, _ a: Matrix, _ x: [Double],
                     beta: Double, into y: inout [Double])

    /// A ← α·x·yᵀ + A, with x of length `A.rows` and y of length `A.columns` (an outer product).
    static func ger(alpha: Double, _ x: [Double], _ y: [Double], into a: inout Matrix)

    /// y ← α·x + y, for vectors of equal length.
    static func axpy(alpha: Double, _ x: [Double], into y: inout [Double])

    /// x ← α·x.
    static func scal(alpha: Double, _ x: inout [Double])

    /// xᵀ·y, for vectors of equal length.
    static func dot(_ x: [Double], _ y: [Double]) -> Double
}

/// Shape checks shared by both backends, so both stop with the same message.
@usableFromInline
enum ShapeCheck {
    @inlinable
    static func gemm(_ transA: Transpose, _ transB: Transpose, _ a: Matrix, _ b: Matrix,
                     _ c: Matrix) -> (m: Int, n: Int, k: Int) {
        let (m, k) = transA.shape(a)
        let (kb, n) = transB.shape(b)
        precondition(k == kb && c.rows == m && c.columns == n,
                     "gemm: op(A) \(m)×\(k) · op(B) \(kb)×\(n) does not fit C \(c.rows)×\(c.columns)")
        return (m, n, k)
    }

    @inlinable
    static func gemv(_ transA: Transpose, _ a: Matrix, _ x: [Double], _ y: [Double]) -> (m: Int, n: Int) {
        let (m, n) = transA.shape(a)
        precondition(x.count == n && y.count == m,
                     "gemv: op(A) \(m)×\(n) · x[\(x.count)] does not fit y[\(y.count)]")
        return (m, n)
    }

    @inlinable
    static func ger(_ x: [Double], _ y: [Double], _ a: Matrix) {
        precondition(x.count == a.rows && y.count == a.columns,
                     "ger: x[\(x.count)] · y[\(y.count)]ᵀ does not fit A \(a.rows)×\(a.columns)")
    }

    @inlinable
    static func sameLength(_ op: StaticString, _ x: [Double], _ y: [Double]) {
        precondition(x.count == y.count, "\(op): x[\(x.count)] and y[\(y.count)] differ in length")
    }
}
