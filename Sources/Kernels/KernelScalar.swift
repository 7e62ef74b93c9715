// KernelScalar.swift: a floating-point type the element-wise kernels of `CKernels` run in.
import CKernels

/// A floating-point type the element-wise kernels of `CKernels` run in: `Float` and `Double`.
///
/// Each requirement is one C kernel over raw pointers and an element count (see `CKernels.h` for
/// the exact contract); callers normally use the checked buffer forms in ``Kernel``.
public protocol KernelScalar: BinaryFloatingPoint, Sendable {
    /// 1 for `Float` (the `_f32` kernels), 0 for `Double` (the `_f64` ones).
    static var _kernelIsFloat32: Int32 { get }
}

/// Each kernel once for both precisions: the C header's precision-generic entry points, told which
/// kernel to run by ``KernelScalar/_kernelIsFloat32`` (a constant once specialised: no branch).
extension KernelScalar {
    @usableFromInline static var f32: Int32 { _kernelIsFloat32 }

    @inlinable public static func _exp(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, _ n: Int) { ck_exp(f32, x, y, n) }
    @inlinable public static func _sigmoid(_ h: UnsafePointer<Self>, _ a: UnsafeMutablePointer<Self>, _ n: Int) { ck_sigmoid(f32, h, a, n) }
    @inlinable public static func _tanh(_ h: UnsafePointer<Self>, _ a: UnsafeMutablePointer<Self>, _ n: Int) { ck_tanh(f32, h, a, n) }
    @inlinable public static func _relu(_ h: UnsafePointer<Self>, _ a: UnsafeMutablePointer<Self>, _ n: Int) { ck_relu(f32, h, a, n) }
    @inlinable public static func _mulSigmoidDerivative(_ d: UnsafeMutablePointer<Self>, _ a: UnsafePointer<Self>, _ n: Int) {
        ck_mul_sigmoid_derivative(f32, d, a, n)
    }
    @inlinable public static func _mulTanhDerivative(_ d: UnsafeMutablePointer<Self>, _ a: UnsafePointer<Self>, _ n: Int) {
        ck_mul_tanh_derivative(f32, d, a, n)
    }
    @inlinable public static func _mulReluDerivative(_ d: UnsafeMutablePointer<Self>, _ h: UnsafePointer<Self>, _ n: Int) {
        ck_mul_relu_derivative(f32, d, h, n)
    }
    @inlinable public static func _softmaxRows(_ h: UnsafePointer<Self>, _ a: UnsafeMutablePointer<Self>, _ rows: Int, _ columns: Int) {
        ck_softmax_rows(f32, h, a, rows, columns)
    }
    @inlinable public static func _crossEntropySum(_ h: UnsafePointer<Self>, _ t: UnsafePointer<Self>, _ rows: Int, _ columns: Int) -> Double {
        ck_cross_entropy_sum(f32, h, t, rows, columns)
    }
    @inlinable public static func _squaredErrorSum(_ y: UnsafePointer<Self>, _ t: UnsafePointer<Self>, _ n: Int) -> Double {
        ck_squared_error_sum(f32, y, t, n)
    }
    @inlinable public static func _subtract(_ t: UnsafePointer<Self>, _ y: UnsafePointer<Self>, _ d: UnsafeMutablePointer<Self>, _ n: Int) {
        ck_subtract(f32, t, y, d, n)
    }
    @inlinable public static func _axpby(_ a: Self, _ x0: UnsafePointer<Self>, _ b: Self, _ x1: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, _ n: Int) {
        ck_axpby(f32, Double(a), x0, Double(b), x1, y, n)
    }
    @inlinable public static func _multiply(_ x: UnsafePointer<Self>, _ m: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, _ n: Int) {
        ck_multiply(f32, x, m, y, n)
    }
    @inlinable public static func _sum(_ x: UnsafePointer<Self>, _ n: Int) -> Double { ck_sum(f32, x, n) }
    @inlinable public static func _adam(_ theta: UnsafeMutablePointer<Self>, _ g: UnsafePointer<Self>, _ m: UnsafeMutablePointer<Self>, _ v: UnsafeMutablePointer<Self>, _ n: Int, _ beta1: Self, _ beta2: Self, _ stepSize: Self, _ inverseCorrection2: Self, _ epsilon: Self) {
        ck_adam(f32, theta, g, m, v, n, Double(beta1), Double(beta2), Double(stepSize), Double(inverseCorrection2), Double(epsilon))
    }
    @inlinable public static func _momentum(_ theta: UnsafeMutablePointer<Self>, _ g: UnsafePointer<Self>, _ v: UnsafeMutablePointer<Self>, _ n: Int, _ mu: Self, _ eta: Self, _ nesterov: Bool) {
        ck_momentum(f32, theta, g, v, n, Double(mu), Double(eta), nesterov ? 1 : 0)
    }
    @inlinable public static func _dropout(_ states: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<Self>, _ mask: UnsafeMutablePointer<Self>, _ dropped: UnsafeMutablePointer<Self>, _ rows: Int, _ columns: Int, _ rate: Double, _ keep: Self) {
        ck_dropout(f32, states, a, mask, dropped, rows, columns, rate, Double(keep))
    }
    @inlinable public static func _scaleBytes(_ x: UnsafePointer<UInt8>, _ offset: UnsafePointer<Double>, _ scale: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        ck_scale_bytes(f32, x, offset, scale, out, n)
    }
    @inlinable public static func _scaleDoubles(_ x: UnsafePointer<Double>, _ offset: UnsafePointer<Double>, _ scale: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Self>, _ n: Int) {
        ck_scale_doubles(f32, x, offset, scale, out, n)
    }
}
