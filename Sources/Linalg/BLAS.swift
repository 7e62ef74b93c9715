// BLAS.swift: the OpenBLAS backend.
import CBLAS

/// The OpenBLAS backend: every operation is one CBLAS call on the matrices' own storage
/// (row-major, leading dimension = `columns`), with no copies around the call.
///
/// Shapes are checked in Swift before the call, so a mismatch is a Swift precondition naming
/// the shapes, never an OpenBLAS message on stderr. Sizes are converted to CBLAS's 32-bit
/// `blasint` with a check that they fit.
///
/// `BLAS<Float>` calls the single-precision routines (`cblas_sgemm`, …), `BLAS<Double>` the
/// double-precision ones (`cblas_dgemm`, …).
public enum BLAS<Scalar: BLASScalar>: LinearAlgebra {
    public static var name: String { "blas" }

    public typealias InDouble = BLAS<Double>

    public static func setThreadsPerCall(_ count: Int) { BLASThreads.set(count) }

    @inlinable
    public static func gemm(_ transA: Transpose, _ transB: Transpose, alpha: Scalar,
                            _ a: Matrix<Scalar>, _ b: Matrix<Scalar>, beta: Scalar, into c: inout Matrix<Scalar>) {
        let (m, n, k) = ShapeCheck.gemm(transA, transB, a, b, c)
        if m == 0 || n == 0 { return }
        if k == 0 {  // op(A)·op(B) is empty: C ← β·C, which BLAS may skip when β = 1.
            scal(alpha: beta, &c.elements)
            return
        }
        let lda = blasInt(max(1, a.columns)), ldb = blasInt(max(1, b.columns)), ldc = blasInt(max(1, c.columns))
        a.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    Scalar._gemm(transA.cblas, transB.cblas, blasInt(m), blasInt(n), blasInt(k),
                                 alpha, pa.baseAddress, lda, pb.baseAddress, ldb, beta, pc.baseAddress, ldc)
                }
            }
        }
    }

    @inlinable
    public static func gemv(_ transA: Transpose, alpha: Scalar, _ a: Matrix<Scalar>, _ x: UnsafeBufferPointer<Scalar>,
                            beta: Scalar, into y: UnsafeMutableBufferPointer<Scalar>) {
        let (m, n) = ShapeCheck.gemv(transA, a, x: x.count, y: y.count)
        if m == 0 { return }
        if n == 0 {  // y ← β·y; β = 0 overwrites (NaN in y does not survive), as in gemm.
            for i in y.indices { y[i] = beta == 0 ? 0 : beta * y[i] }
            return
        }
        a.elements.withUnsafeBufferPointer { pa in
            let lda = blasInt(max(1, a.columns))
            if level2RunsBetterAsGemm(entries: m * n) {  // yᵀ = α·xᵀ·op(A)ᵀ + β·yᵀ, one row.
                Scalar._gemm(CblasNoTrans, transA == .none ? CblasTrans : CblasNoTrans, 1, blasInt(m), blasInt(n), alpha,
                             x.baseAddress, blasInt(n), pa.baseAddress, lda, beta, y.baseAddress, blasInt(max(1, m)))
            } else {  // CBLAS takes A's stored shape, not op(A)'s.
                Scalar._gemv(transA.cblas, blasInt(a.rows), blasInt(a.columns), alpha, pa.baseAddress, lda, x.baseAddress, beta, y.baseAddress)
            }
        }
    }

    @inlinable
    public static func ger(alpha: Scalar, _ x: UnsafeBufferPointer<Scalar>, _ y: UnsafeBufferPointer<Scalar>, into a: inout Matrix<Scalar>) {
        ShapeCheck.ger(x: x.count, y: y.count, a)
        if a.rows == 0 || a.columns == 0 { return }
        let lda = blasInt(max(1, a.columns))
        a.elements.withUnsafeMutableBufferPointer { pa in
            if level2RunsBetterAsGemm(entries: a.rows * a.columns) {  // A = α·x·yᵀ + A, a rank-one product.
                Scalar._gemm(CblasNoTrans, CblasNoTrans, blasInt(a.rows), blasInt(a.columns), 1, alpha, x.baseAddress, 1,
                             y.baseAddress, lda, 1, pa.baseAddress, lda)
            } else {
                Scalar._ger(blasInt(x.count), blasInt(y.count), alpha, x.baseAddress, y.baseAddress, pa.baseAddress, lda)
            }
        }
    }

    /// Whether a `gemv` or `ger` over a matrix of `entries` runs as the equivalent `gemm` (one row, or
    /// rank one). OpenBLAS 0.3.21 runs `gemv` on every thread of its pool from 9,216 entries and `ger`
    /// from 8,193, but a `gemm` on one thread up to 262,144 multiply-adds (`interface/gemv.c`,
    /// `ger.c`, `gemm.c`); in between, waking the pool costs more than the product saves (a batch-1
    /// training step of 784-128-10 took twice as long on two threads as on one). So with more than
    /// one thread, in that range, the call is the `gemm`; otherwise OpenBLAS's own routine.
    @inlinable
    static func level2RunsBetterAsGemm(entries: Int) -> Bool {
        entries > 8192 && entries <= 262_144 && BLASThreads.count > 1
    }

    @inlinable
    public static func axpy(alpha: Scalar, _ x: UnsafeBufferPointer<Scalar>, into y: UnsafeMutableBufferPointer<Scalar>) {
        ShapeCheck.sameLength("axpy", x: x.count, y: y.count)
        if x.isEmpty { return }
        Scalar._axpy(blasInt(x.count), alpha, x.baseAddress, y.baseAddress)
    }

    @inlinable
    public static func scal(alpha: Scalar, _ x: inout [Scalar]) {
        if x.isEmpty { return }
        if alpha == 0 {
            // scal(0) may keep NaN (0·NaN); β = 0 means "overwrite", as in gemm.
            for i in x.indices { x[i] = 0 }
            return
        }
        x.withUnsafeMutableBufferPointer { px in
            Scalar._scal(blasInt(px.count), alpha, px.baseAddress)
        }
    }

    @inlinable
    public static func dot(_ x: [Scalar], _ y: [Scalar]) -> Scalar {
        ShapeCheck.sameLength("dot", x: x.count, y: y.count)
        if x.isEmpty { return 0 }
        return x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in
                Scalar._dot(blasInt(px.count), px.baseAddress, py.baseAddress)
            }
        }
    }
}

extension Transpose {
    @usableFromInline
    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// `n` as CBLAS's 32-bit `blasint`, stopping with a message when it does not fit.
@inlinable
func blasInt(_ n: Int) -> blasint {
    guard let value = blasint(exactly: n) else {
        preconditionFailure("BLAS: size \(n) does not fit the 32-bit blasint of this OpenBLAS")
    }
    return value
}
