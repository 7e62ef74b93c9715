import CBLAS

/// The OpenBLAS backend: every operation is one CBLAS call on the matrices' own storage
/// (row-major, leading dimension = `columns`), with no copies around the call.
///
/// Shapes are checked in Swift before the call, so a mismatch is a Swift precondition naming
/// the shapes, never an OpenBLAS message on stderr. Sizes are converted to CBLAS's 32-bit
/// `blasint` with a check that they fit.
public enum BLAS: LinearAlgebra {
    public static let name = "blas"

    @inlinable
    public static func gemm(_ transA: Transpose, _ transB: Transpose, alpha: Double,
                            _ a: Matrix, _ b: Matrix, beta: Double, into c: inout Matrix) {
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
                    cblas_dgemm(CblasRowMajor, transA.cblas, transB.cblas,
                                blasInt(m), blasInt(n), blasInt(k),
                                alpha, pa.baseAddress, lda, pb.baseAddress, ldb,
                                beta, pc.baseAddress, ldc)
                }
            }
        }
    }

    @inlinable
    public static func gemv(_ transA: Transpose, alpha: Double, _ a: Matrix, _ x: [Double],
                            beta: Double, into y: inout [Double]) {
        let (m, n) = ShapeCheck.gemv(transA, a, x, y)
        if m == 0 { return }
        if n == 0 {
            scal(alpha: beta, &y)
            return
        }
        a.elements.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    // CBLAS takes A's stored shape, not op(A)'s.
                    cblas_dgemv(CblasRowMajor, transA.cblas, blasInt(a.rows), blasInt(a.columns),
                                alpha, pa.baseAddress, blasInt(max(1, a.columns)),
                                px.baseAddress, 1, beta, py.baseAddress, 1)
                }
            }
        }
    }

    @inlinable
    public static func ger(alpha: Double, _ x: [Double], _ y: [Double], into a: inout Matrix) {
        ShapeCheck.ger(x, y, a)
        if a.rows == 0 || a.columns == 0 { return }
        let lda = blasInt(max(1, a.columns))
        x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in
                a.elements.withUnsafeMutableBufferPointer { pa in
                    cblas_dger(CblasRowMajor, blasInt(x.count), blasInt(y.count), alpha,
                               px.baseAddress, 1, py.baseAddress, 1, pa.baseAddress, lda)
                }
            }
        }
    }

    @inlinable
    public static func axpy(alpha: Double, _ x: [Double], into y: inout [Double]) {
        ShapeCheck.sameLength("axpy", x, y)
        if x.isEmpty { return }
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                cblas_daxpy(blasInt(px.count), alpha, px.baseAddress, 1, py.baseAddress, 1)
            }
        }
    }

    @inlinable
    public static func scal(alpha: Double, _ x: inout [Double]) {
        if x.isEmpty { return }
        if alpha == 0 {
            // dscal(0) may keep NaN (0·NaN); β = 0 means "overwrite", as in gemm.
            for i in x.indices { x[i] = 0 }
            return
        }
        x.withUnsafeMutableBufferPointer { px in
            cblas_dscal(blasInt(px.count), alpha, px.baseAddress, 1)
        }
    }

    @inlinable
    public static func dot(_ x: [Double], _ y: [Double]) -> Double {
        ShapeCheck.sameLength("dot", x, y)
        if x.isEmpty { return 0 }
        return x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in
                cblas_ddot(blasInt(px.count), px.baseAddress, 1, py.baseAddress, 1)
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
