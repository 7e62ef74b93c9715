// ZeroProductSigns.swift: gives the zeros of an outer-product step the sign their product has.
/// Gives the zeros of an outer-product step the sign their product has.
///
/// `ger` and `axpy` add `α·x_i·y_j` into a buffer of `+0.0`, and `+0.0 + (−0.0) = +0.0`, so a product
/// that is `−0.0` (a `−0.0` input, or a zero error term times a negative input) comes out `+0.0`.
/// NumPy's `η * delta * x[:, None]` multiplies without adding and keeps the sign. After the
/// accumulation into zeros, this rewrites each element that is zero as `(α·y_j)·x_i`, which is the
/// same zero with the product's sign; every other element is untouched.
///
/// `matrix` is `x.count × y.count`, row-major, and held `+0.0` before the accumulation.
func restoreZeroProductSigns<Scalar: BLASScalar>(_ matrix: UnsafeMutableBufferPointer<Scalar>, alpha: Scalar,
                                                  x: UnsafeBufferPointer<Scalar>, y: UnsafeBufferPointer<Scalar>) {
    precondition(matrix.count == x.count * y.count,
                 "restoreZeroProductSigns: \(matrix.count) elements for x[\(x.count)] and y[\(y.count)]")
    for i in x.indices {
        for j in y.indices where matrix[i * y.count + j] == 0 {
            matrix[i * y.count + j] = (alpha * y[j]) * x[i]
        }
    }
}
