// BLASScalar.swift: the two precisions, and Float and Double as BLAS and LAPACK scalars (one CBLAS or LAPACKE call each).
import CBLAS
import Kernels

/// The two precisions a network computes in, by the names the command line and model files use.
public enum Precision: String, CaseIterable, Sendable, Codable {
    /// IEEE 754 binary32 (`Float`): half the memory and bandwidth, ~7 significant digits (ε = 2⁻²³).
    case float32
    /// IEEE 754 binary64 (`Double`): ~16 significant digits (ε = 2⁻⁵²).
    case float64
}

/// A floating-point type BLAS and LAPACK compute in: `Float` (the `s` routines) and `Double` (the `d`
/// routines). Each requirement is one CBLAS or LAPACKE call on raw row-major storage, named as in
/// BLAS without its precision letter; ``BLAS`` and ``LAPACK`` wrap them with shape checks, and the
/// element-wise kernels come from `KernelScalar`.
public protocol BLASScalar: KernelScalar, CustomStringConvertible, Codable {
    /// `.float32` or `.float64`.
    static var precision: Precision { get }

    static func _gemm(_ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, _ m: blasint, _ n: blasint, _ k: blasint,
                      _ alpha: Self, _ a: UnsafePointer<Self>?, _ lda: blasint, _ b: UnsafePointer<Self>?, _ ldb: blasint,
                      _ beta: Self, _ c: UnsafeMutablePointer<Self>?, _ ldc: blasint)
    static func _gemv(_ trans: CBLAS_TRANSPOSE, _ m: blasint, _ n: blasint, _ alpha: Self, _ a: UnsafePointer<Self>?,
                      _ lda: blasint, _ x: UnsafePointer<Self>?, _ beta: Self, _ y: UnsafeMutablePointer<Self>?)
    static func _ger(_ m: blasint, _ n: blasint, _ alpha: Self, _ x: UnsafePointer<Self>?, _ y: UnsafePointer<Self>?,
                     _ a: UnsafeMutablePointer<Self>?, _ lda: blasint)
    static func _axpy(_ n: blasint, _ alpha: Self, _ x: UnsafePointer<Self>?, _ y: UnsafeMutablePointer<Self>?)
    static func _scal(_ n: blasint, _ alpha: Self, _ x: UnsafeMutablePointer<Self>?)
    static func _dot(_ n: blasint, _ x: UnsafePointer<Self>?, _ y: UnsafePointer<Self>?) -> Self

    static func _gesv(_ n: Int32, _ nrhs: Int32, _ a: UnsafeMutablePointer<Self>?, _ lda: Int32,
                      _ ipiv: UnsafeMutablePointer<Int32>?, _ b: UnsafeMutablePointer<Self>?, _ ldb: Int32) -> Int32
    static func _gels(_ m: Int32, _ n: Int32, _ nrhs: Int32, _ a: UnsafeMutablePointer<Self>?, _ lda: Int32,
                      _ b: UnsafeMutablePointer<Self>?, _ ldb: Int32) -> Int32
    static func _geqrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Self>?, _ lda: Int32,
                       _ tau: UnsafeMutablePointer<Self>?) -> Int32
    static func _orgqr(_ m: Int32, _ n: Int32, _ k: Int32, _ a: UnsafeMutablePointer<Self>?, _ lda: Int32,
                       _ tau: UnsafePointer<Self>?) -> Int32
    static func _gesdd(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Self>?, _ lda: Int32, _ s: UnsafeMutablePointer<Self>?,
                       _ u: UnsafeMutablePointer<Self>?, _ ldu: Int32, _ vt: UnsafeMutablePointer<Self>?, _ ldvt: Int32) -> Int32
}

extension BLASScalar {
    /// The LAPACK routine's name in this precision, e.g. `routine("gesv")` is "dgesv" for `Double`.
    static func routine(_ name: String) -> String { (precision == .float32 ? "s" : "d") + name }
}

private let lapackRowMajor = LAPACK_ROW_MAJOR
private let noVectors = CChar(UInt8(ascii: "N")), thinVectors = CChar(UInt8(ascii: "S"))

extension Float: BLASScalar {
    public static var precision: Precision { .float32 }
    @inlinable public static func _gemm(_ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, _ m: blasint, _ n: blasint, _ k: blasint,
                                        _ alpha: Float, _ a: UnsafePointer<Float>?, _ lda: blasint, _ b: UnsafePointer<Float>?, _ ldb: blasint,
                                        _ beta: Float, _ c: UnsafeMutablePointer<Float>?, _ ldc: blasint) {
        cblas_sgemm(CblasRowMajor, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
    @inlinable public static func _gemv(_ trans: CBLAS_TRANSPOSE, _ m: blasint, _ n: blasint, _ alpha: Float, _ a: UnsafePointer<Float>?,
                                        _ lda: blasint, _ x: UnsafePointer<Float>?, _ beta: Float, _ y: UnsafeMutablePointer<Float>?) {
        cblas_sgemv(CblasRowMajor, trans, m, n, alpha, a, lda, x, 1, beta, y, 1)
    }
    @inlinable public static func _ger(_ m: blasint, _ n: blasint, _ alpha: Float, _ x: UnsafePointer<Float>?, _ y: UnsafePointer<Float>?,
                                       _ a: UnsafeMutablePointer<Float>?, _ lda: blasint) {
        cblas_sger(CblasRowMajor, m, n, alpha, x, 1, y, 1, a, lda)
    }
    @inlinable public static func _axpy(_ n: blasint, _ alpha: Float, _ x: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>?) {
        cblas_saxpy(n, alpha, x, 1, y, 1)
    }
    @inlinable public static func _scal(_ n: blasint, _ alpha: Float, _ x: UnsafeMutablePointer<Float>?) {
        cblas_sscal(n, alpha, x, 1)
    }
    @inlinable public static func _dot(_ n: blasint, _ x: UnsafePointer<Float>?, _ y: UnsafePointer<Float>?) -> Float {
        cblas_sdot(n, x, 1, y, 1)
    }
    public static func _gesv(_ n: Int32, _ nrhs: Int32, _ a: UnsafeMutablePointer<Float>?, _ lda: Int32,
                             _ ipiv: UnsafeMutablePointer<Int32>?, _ b: UnsafeMutablePointer<Float>?, _ ldb: Int32) -> Int32 {
        LAPACKE_sgesv(lapackRowMajor, n, nrhs, a, lda, ipiv, b, ldb)
    }
    public static func _gels(_ m: Int32, _ n: Int32, _ nrhs: Int32, _ a: UnsafeMutablePointer<Float>?, _ lda: Int32,
                             _ b: UnsafeMutablePointer<Float>?, _ ldb: Int32) -> Int32 {
        LAPACKE_sgels(lapackRowMajor, noVectors, m, n, nrhs, a, lda, b, ldb)
    }
    public static func _geqrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Float>?, _ lda: Int32,
                              _ tau: UnsafeMutablePointer<Float>?) -> Int32 {
        LAPACKE_sgeqrf(lapackRowMajor, m, n, a, lda, tau)
    }
    public static func _orgqr(_ m: Int32, _ n: Int32, _ k: Int32, _ a: UnsafeMutablePointer<Float>?, _ lda: Int32,
                              _ tau: UnsafePointer<Float>?) -> Int32 {
        LAPACKE_sorgqr(lapackRowMajor, m, n, k, a, lda, tau)
    }
    public static func _gesdd(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Float>?, _ lda: Int32, _ s: UnsafeMutablePointer<Float>?,
                              _ u: UnsafeMutablePointer<Float>?, _ ldu: Int32, _ vt: UnsafeMutablePointer<Float>?, _ ldvt: Int32) -> Int32 {
        LAPACKE_sgesdd(lapackRowMajor, thinVectors, m, n, a, lda, s, u, ldu, vt, ldvt)
    }
}

extension Double: BLASScalar {
    public static var precision: Precision { .float64 }
    @inlinable public static func _gemm(_ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, _ m: blasint, _ n: blasint, _ k: blasint,
                                        _ alpha: Double, _ a: UnsafePointer<Double>?, _ lda: blasint, _ b: UnsafePointer<Double>?, _ ldb: blasint,
                                        _ beta: Double, _ c: UnsafeMutablePointer<Double>?, _ ldc: blasint) {
        cblas_dgemm(CblasRowMajor, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
    @inlinable public static func _gemv(_ trans: CBLAS_TRANSPOSE, _ m: blasint, _ n: blasint, _ alpha: Double, _ a: UnsafePointer<Double>?,
                                        _ lda: blasint, _ x: UnsafePointer<Double>?, _ beta: Double, _ y: UnsafeMutablePointer<Double>?) {
        cblas_dgemv(CblasRowMajor, trans, m, n, alpha, a, lda, x, 1, beta, y, 1)
    }
    @inlinable public static func _ger(_ m: blasint, _ n: blasint, _ alpha: Double, _ x: UnsafePointer<Double>?, _ y: UnsafePointer<Double>?,
                                       _ a: UnsafeMutablePointer<Double>?, _ lda: blasint) {
        cblas_dger(CblasRowMajor, m, n, alpha, x, 1, y, 1, a, lda)
    }
    @inlinable public static func _axpy(_ n: blasint, _ alpha: Double, _ x: UnsafePointer<Double>?, _ y: UnsafeMutablePointer<Double>?) {
        cblas_daxpy(n, alpha, x, 1, y, 1)
    }
    @inlinable public static func _scal(_ n: blasint, _ alpha: Double, _ x: UnsafeMutablePointer<Double>?) {
        cblas_dscal(n, alpha, x, 1)
    }
    @inlinable public static func _dot(_ n: blasint, _ x: UnsafePointer<Double>?, _ y: UnsafePointer<Double>?) -> Double {
        cblas_ddot(n, x, 1, y, 1)
    }
    public static func _gesv(_ n: Int32, _ nrhs: Int32, _ a: UnsafeMutablePointer<Double>?, _ lda: Int32,
                             _ ipiv: UnsafeMutablePointer<Int32>?, _ b: UnsafeMutablePointer<Double>?, _ ldb: Int32) -> Int32 {
        LAPACKE_dgesv(lapackRowMajor, n, nrhs, a, lda, ipiv, b, ldb)
    }
    public static func _gels(_ m: Int32, _ n: Int32, _ nrhs: Int32, _ a: UnsafeMutablePointer<Double>?, _ lda: Int32,
                             _ b: UnsafeMutablePointer<Double>?, _ ldb: Int32) -> Int32 {
        LAPACKE_dgels(lapackRowMajor, noVectors, m, n, nrhs, a, lda, b, ldb)
    }
    public static func _geqrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Double>?, _ lda: Int32,
                              _ tau: UnsafeMutablePointer<Double>?) -> Int32 {
        LAPACKE_dgeqrf(lapackRowMajor, m, n, a, lda, tau)
    }
    public static func _orgqr(_ m: Int32, _ n: Int32, _ k: Int32, _ a: UnsafeMutablePointer<Double>?, _ lda: Int32,
                              _ tau: UnsafePointer<Double>?) -> Int32 {
        LAPACKE_dorgqr(lapackRowMajor, m, n, k, a, lda, tau)
    }
    public static func _gesdd(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Double>?, _ lda: Int32, _ s: UnsafeMutablePointer<Double>?,
                              _ u: UnsafeMutablePointer<Double>?, _ ldu: Int32, _ vt: UnsafeMutablePointer<Double>?, _ ldvt: Int32) -> Int32 {
        LAPACKE_dgesdd(lapackRowMajor, thinVectors, m, n, a, lda, s, u, ldu, vt, ldvt)
    }
}
