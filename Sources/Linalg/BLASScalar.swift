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
}

extension BLASScalar {
    /// The LAPACK routine's name in this precision, e.g. `routine("gesv")` is "dgesv" for `Double`.
    static func routine(_ name: String) -> String { (precision == .float32 ? "s" : "d") + name }
}

/// Each BLAS and LAPACK routine once for both precisions: the CBLAS shim's precision-generic entry
/// points, told which routine to call by ``precision`` (a constant once specialised: no branch).
extension BLASScalar {
    @usableFromInline static var f32: Int32 { precision == .float32 ? 1 : 0 }

    @inlinable public static func _gemm(_ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, _ m: blasint, _ n: blasint, _ k: blasint,
                                        _ alpha: Self, _ a: UnsafePointer<Self>?, _ lda: blasint, _ b: UnsafePointer<Self>?, _ ldb: blasint,
                                        _ beta: Self, _ c: UnsafeMutablePointer<Self>?, _ ldc: blasint) {
        bp_gemm(f32, transA, transB, m, n, k, Double(alpha), a, lda, b, ldb, Double(beta), c, ldc)
    }
    @inlinable public static func _gemv(_ trans: CBLAS_TRANSPOSE, _ m: blasint, _ n: blasint, _ alpha: Self, _ a: UnsafePointer<Self>?,
                                        _ lda: blasint, _ x: UnsafePointer<Self>?, _ beta: Self, _ y: UnsafeMutablePointer<Self>?) {
        bp_gemv(f32, trans, m, n, Double(alpha), a, lda, x, Double(beta), y)
    }
    @inlinable public static func _ger(_ m: blasint, _ n: blasint, _ alpha: Self, _ x: UnsafePointer<Self>?, _ y: UnsafePointer<Self>?,
                                       _ a: UnsafeMutablePointer<Self>?, _ lda: blasint) {
        bp_ger(f32, m, n, Double(alpha), x, y, a, lda)
    }
    @inlinable public static func _axpy(_ n: blasint, _ alpha: Self, _ x: UnsafePointer<Self>?, _ y: UnsafeMutablePointer<Self>?) {
        bp_axpy(f32, n, Double(alpha), x, y)
    }
    @inlinable public static func _scal(_ n: blasint, _ alpha: Self, _ x: UnsafeMutablePointer<Self>?) {
        bp_scal(f32, n, Double(alpha), x)
    }
    @inlinable public static func _dot(_ n: blasint, _ x: UnsafePointer<Self>?, _ y: UnsafePointer<Self>?) -> Self {
        Self(bp_dot(f32, n, x, y))
    }
    @inlinable public static func _gesv(_ n: Int32, _ nrhs: Int32, _ a: UnsafeMutablePointer<Self>?, _ lda: Int32,
                                        _ ipiv: UnsafeMutablePointer<Int32>?, _ b: UnsafeMutablePointer<Self>?, _ ldb: Int32) -> Int32 {
        bp_gesv(f32, n, nrhs, a, lda, ipiv, b, ldb)
    }
    @inlinable public static func _gels(_ m: Int32, _ n: Int32, _ nrhs: Int32, _ a: UnsafeMutablePointer<Self>?, _ lda: Int32,
                                        _ b: UnsafeMutablePointer<Self>?, _ ldb: Int32) -> Int32 {
        bp_gels(f32, m, n, nrhs, a, lda, b, ldb)
    }
    @inlinable public static func _geqrf(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Self>?, _ lda: Int32,
                                         _ tau: UnsafeMutablePointer<Self>?) -> Int32 {
        bp_geqrf(f32, m, n, a, lda, tau)
    }
    @inlinable public static func _orgqr(_ m: Int32, _ n: Int32, _ k: Int32, _ a: UnsafeMutablePointer<Self>?, _ lda: Int32,
                                         _ tau: UnsafePointer<Self>?) -> Int32 {
        bp_orgqr(f32, m, n, k, a, lda, tau)
    }
    @inlinable public static func _gesdd(_ m: Int32, _ n: Int32, _ a: UnsafeMutablePointer<Self>?, _ lda: Int32, _ s: UnsafeMutablePointer<Self>?,
                                         _ u: UnsafeMutablePointer<Self>?, _ ldu: Int32, _ vt: UnsafeMutablePointer<Self>?, _ ldvt: Int32) -> Int32 {
        bp_gesdd(f32, m, n, a, lda, s, u, ldu, vt, ldvt)
    }
}

extension Float: BLASScalar {
    @inlinable public static var precision: Precision { .float32 }
}

extension Double: BLASScalar {
    @inlinable public static var precision: Precision { .float64 }
}
