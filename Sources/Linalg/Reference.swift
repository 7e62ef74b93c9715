// Reference.swift: the pure-Swift reference backend.
/// The pure-Swift reference backend: plain loop nests that follow the BLAS definitions
/// word for word. It is the specification the BLAS backend is tested against, and is kept
/// simple to read rather than fast.
/// Generic over the precision: `Reference<Float>` rounds every operation to `Float` as a float32
/// BLAS does, accumulating in `Scalar` in the order of the definitions.
public enum Reference<Scalar: BLASScalar>: LinearAlgebra {
    public static var name: String { "reference" }

    public typealias InDouble = Reference<Double>

    public static func setThreadsPerCall(_ count: Int) {
        precondition(count >= 1, "Reference.setThreadsPerCall: thread count \(count) must be at least 1")
    }

    @inlinable
    public static func gemm(_ transA: Transpose, _ transB: Transpose, alpha: Scalar,
                            _ a: Matrix<Scalar>, _ b: Matrix<Scalar>, beta: Scalar, into c: inout Matrix<Scalar>) {
        let (m, n, k) = ShapeCheck.gemm(transA, transB, a, b, c)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Scalar = 0
                for p in 0..<k {
                    let aip = transA == .none ? a[i, p] : a[p, i]
                    let bpj = transB == .none ? b[p, j] : b[j, p]
                    sum += aip * bpj
                }
                c[i, j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[i, j]
            }
        }
    }

    @inlinable
    public static func gemv(_ transA: Transpose, alpha: Scalar, _ a: Matrix<Scalar>, _ x: UnsafeBufferPointer<Scalar>,
                            beta: Scalar, into y: UnsafeMutableBufferPointer<Scalar>) {
        let (m, n) = ShapeCheck.gemv(transA, a, x: x.count, y: y.count)
        for i in 0..<m {
            var sum: Scalar = 0
            for j in 0..<n {
                sum += (transA == .none ? a[i, j] : a[j, i]) * x[j]
            }
            y[i] = beta == 0 ? alpha * sum : alpha * sum + beta * y[i]
        }
    }

    @inlinable
    public static func ger(alpha: Scalar, _ x: UnsafeBufferPointer<Scalar>, _ y: UnsafeBufferPointer<Scalar>, into a: inout Matrix<Scalar>) {
        ShapeCheck.ger(x: x.count, y: y.count, a)
        for i in 0..<a.rows {
            for j in 0..<a.columns {
                a[i, j] += alpha * x[i] * y[j]
            }
        }
    }

    @inlinable
    public static func axpy(alpha: Scalar, _ x: UnsafeBufferPointer<Scalar>, into y: UnsafeMutableBufferPointer<Scalar>) {
        ShapeCheck.sameLength("axpy", x: x.count, y: y.count)
        for i in x.indices { y[i] += alpha * x[i] }
    }

    @inlinable
    public static func scal(alpha: Scalar, _ x: inout [Scalar]) {
        for i in x.indices { x[i] = alpha == 0 ? 0 : alpha * x[i] }
    }

    @inlinable
    public static func dot(_ x: [Scalar], _ y: [Scalar]) -> Scalar {
        ShapeCheck.sameLength("dot", x: x.count, y: y.count)
        var sum: Scalar = 0
        for i in x.indices { sum += x[i] * y[i] }
        return sum
    }
}
