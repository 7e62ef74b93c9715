// Conformances.swift: Float and Double as kernel scalars: each requirement one call of the C kernel in that precision.
import CKernels

// Float runs the f32 kernels, Double the f64 ones.

extension Double: KernelScalar {
    @inlinable public static func _exp(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) { ck_exp_f64(x, y, n) }
    @inlinable public static func _sigmoid(_ h: UnsafePointer<Double>, _ a: UnsafeMutablePointer<Double>, _ n: Int) { ck_sigmoid_f64(h, a, n) }
    @inlinable public static func _tanh(_ h: UnsafePointer<Double>, _ a: UnsafeMutablePointer<Double>, _ n: Int) { ck_tanh_f64(h, a, n) }
    @inlinable public static func _relu(_ h: UnsafePointer<Double>, _ a: UnsafeMutablePointer<Double>, _ n: Int) { ck_relu_f64(h, a, n) }
    @inlinable public static func _mulSigmoidDerivative(_ d: UnsafeMutablePointer<Double>, _ a: UnsafePointer<Double>, _ n: Int) {
        ck_mul_sigmoid_derivative_f64(d, a, n)
    }
    @inlinable public static func _mulTanhDerivative(_ d: UnsafeMutablePointer<Double>, _ a: UnsafePointer<Double>, _ n: Int) {
        ck_mul_tanh_derivative_f64(d, a, n)
    }
    @inlinable public static func _mulReluDerivative(_ d: UnsafeMutablePointer<Double>, _ h: UnsafePointer<Double>, _ n: Int) {
        ck_mul_relu_derivative_f64(d, h, n)
    }
    @inlinable public static func _softmaxRows(_ h: UnsafePointer<Double>, _ a: UnsafeMutablePointer<Double>, _ rows: Int, _ columns: Int) {
        ck_softmax_rows_f64(h, a, rows, columns)
    }
    @inlinable public static func _crossEntropySum(_ h: UnsafePointer<Double>, _ t: UnsafePointer<Double>, _ rows: Int, _ columns: Int) -> Double {
        ck_cross_entropy_sum_f64(h, t, rows, columns)
    }
    @inlinable public static func _squaredErrorSum(_ y: UnsafePointer<Double>, _ t: UnsafePointer<Double>, _ n: Int) -> Double {
        ck_squared_error_sum_f64(y, t, n)
    }
    @inlinable public static func _subtract(_ t: UnsafePointer<Double>, _ y: UnsafePointer<Double>, _ d: UnsafeMutablePointer<Double>, _ n: Int) {
        ck_subtract_f64(t, y, d, n)
    }
    @inlinable public static func _axpby(_ a: Double, _ x0: UnsafePointer<Double>, _ b: Double, _ x1: UnsafePointer<Double>,
                                         _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        ck_axpby_f64(a, x0, b, x1, y, n)
    }
    @inlinable public static func _multiply(_ x: UnsafePointer<Double>, _ m: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        ck_multiply_f64(x, m, y, n)
    }
    @inlinable public static func _sum(_ x: UnsafePointer<Double>, _ n: Int) -> Double { ck_sum_f64(x, n) }
    @inlinable public static func _adam(_ theta: UnsafeMutablePointer<Double>, _ g: UnsafePointer<Double>, _ m: UnsafeMutablePointer<Double>,
                                        _ v: UnsafeMutablePointer<Double>, _ n: Int, _ beta1: Double, _ beta2: Double, _ stepSize: Double,
                                        _ inverseCorrection2: Double, _ epsilon: Double) {
        ck_adam_f64(theta, g, m, v, n, beta1, beta2, stepSize, inverseCorrection2, epsilon)
    }
    @inlinable public static func _momentum(_ theta: UnsafeMutablePointer<Double>, _ g: UnsafePointer<Double>, _ v: UnsafeMutablePointer<Double>,
                                            _ n: Int, _ mu: Double, _ eta: Double, _ nesterov: Bool) {
        ck_momentum_f64(theta, g, v, n, mu, eta, nesterov ? 1 : 0)
    }
    @inlinable public static func _dropout(_ states: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<Double>, _ mask: UnsafeMutablePointer<Double>,
                                           _ dropped: UnsafeMutablePointer<Double>, _ rows: Int, _ columns: Int, _ rate: Double, _ keep: Double) {
        ck_dropout_f64(states, a, mask, dropped, rows, columns, rate, keep)
    }
    @inlinable public static func _scaleBytes(_ x: UnsafePointer<UInt8>, _ offset: UnsafePointer<Double>, _ scale: UnsafePointer<Double>,
                                              _ out: UnsafeMutablePointer<Double>, _ n: Int) {
        ck_scale_bytes_f64(x, offset, scale, out, n)
    }
    @inlinable public static func _scaleDoubles(_ x: UnsafePointer<Double>, _ offset: UnsafePointer<Double>, _ scale: UnsafePointer<Double>,
                                                _ out: UnsafeMutablePointer<Double>, _ n: Int) {
        ck_scale_doubles_f64(x, offset, scale, out, n)
    }
}

extension Float: KernelScalar {
    @inlinable public static func _exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { ck_exp_f32(x, y, n) }
    @inlinable public static func _sigmoid(_ h: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, _ n: Int) { ck_sigmoid_f32(h, a, n) }
    @inlinable public static func _tanh(_ h: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, _ n: Int) { ck_tanh_f32(h, a, n) }
    @inlinable public static func _relu(_ h: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, _ n: Int) { ck_relu_f32(h, a, n) }
    @inlinable public static func _mulSigmoidDerivative(_ d: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ n: Int) {
        ck_mul_sigmoid_derivative_f32(d, a, n)
    }
    @inlinable public static func _mulTanhDerivative(_ d: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ n: Int) {
        ck_mul_tanh_derivative_f32(d, a, n)
    }
    @inlinable public static func _mulReluDerivative(_ d: UnsafeMutablePointer<Float>, _ h: UnsafePointer<Float>, _ n: Int) {
        ck_mul_relu_derivative_f32(d, h, n)
    }
    @inlinable public static func _softmaxRows(_ h: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, _ rows: Int, _ columns: Int) {
        ck_softmax_rows_f32(h, a, rows, columns)
    }
    @inlinable public static func _crossEntropySum(_ h: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ rows: Int, _ columns: Int) -> Double {
        ck_cross_entropy_sum_f32(h, t, rows, columns)
    }
    @inlinable public static func _squaredErrorSum(_ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ n: Int) -> Double {
        ck_squared_error_sum_f32(y, t, n)
    }
    @inlinable public static func _subtract(_ t: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ n: Int) {
        ck_subtract_f32(t, y, d, n)
    }
    @inlinable public static func _axpby(_ a: Float, _ x0: UnsafePointer<Float>, _ b: Float, _ x1: UnsafePointer<Float>,
                                         _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        ck_axpby_f32(a, x0, b, x1, y, n)
    }
    @inlinable public static func _multiply(_ x: UnsafePointer<Float>, _ m: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        ck_multiply_f32(x, m, y, n)
    }
    @inlinable public static func _sum(_ x: UnsafePointer<Float>, _ n: Int) -> Double { ck_sum_f32(x, n) }
    @inlinable public static func _adam(_ theta: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                                        _ v: UnsafeMutablePointer<Float>, _ n: Int, _ beta1: Float, _ beta2: Float, _ stepSize: Float,
                                        _ inverseCorrection2: Float, _ epsilon: Float) {
        ck_adam_f32(theta, g, m, v, n, beta1, beta2, stepSize, inverseCorrection2, epsilon)
    }
    @inlinable public static func _momentum(_ theta: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                                            _ n: Int, _ mu: Float, _ eta: Float, _ nesterov: Bool) {
        ck_momentum_f32(theta, g, v, n, mu, eta, nesterov ? 1 : 0)
    }
    @inlinable public static func _dropout(_ states: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<Float>, _ mask: UnsafeMutablePointer<Float>,
                                           _ dropped: UnsafeMutablePointer<Float>, _ rows: Int, _ columns: Int, _ rate: Double, _ keep: Float) {
        ck_dropout_f32(states, a, mask, dropped, rows, columns, rate, keep)
    }
    @inlinable public static func _scaleBytes(_ x: UnsafePointer<UInt8>, _ offset: UnsafePointer<Double>, _ scale: UnsafePointer<Double>,
                                              _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        ck_scale_bytes_f32(x, offset, scale, out, n)
    }
    @inlinable public static func _scaleDoubles(_ x: UnsafePointer<Double>, _ offset: UnsafePointer<Double>, _ scale: UnsafePointer<Double>,
                                                _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        ck_scale_doubles_f32(x, offset, scale, out, n)
    }
}
