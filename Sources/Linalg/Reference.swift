/// The pure-Swift reference backend: plain loop nests that follow the BLAS definitions
/// word for word. It is the specification the BLAS backend is tested against, and is kept
/// simple to read rather than fast.
public enum Reference: LinearAlgebra {
    public static let name = "reference"

    public static func gemm(_ transA: Transpose, _ transB: Transpose, alpha: Double,
                            _ a: Matrix, _ b: Matrix, beta: Double, into c: inout Matrix) {
        let (m, n, k) = ShapeCheck.gemm(transA, transB, a, b, c)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aip = transA == .none ? a[i, p] : a[p, i]
                    let bpj = transB == .none ? b[p, j] : b[j, p]
                    sum += aip * bpj
                }
                c[i, j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[i, j]
            }
        }
    }

    public static func gemv(_ transA: Transpose, alpha: Double, _ a: Matrix, _ x: [Double],
                            beta: Double, into y: inout [Double]) {
        let (m, n) = ShapeCheck.gemv(transA, a, x, y)
        for i in 0..<m {
            var sum = 0.0
            for j in 0..<n {
                sum += (transA == .none ? a[i, j] : a[j, i]) * x[j]
            }
            y[i] = beta == 0 ? alpha * sum : alpha * sum + beta * y[i]
        }
    }

    public static func ger(alpha: Double, _ x: [Double], _ y: [Double], into a: inout Matrix) {
        ShapeCheck.ger(x, y, a)
        for i in 0..<a.rows {
            for j in 0..<a.columns {
                a[i, j] += alpha * x[i] * y[j]
            }
        }
    }

    public static func axpy(alpha: Double, _ x: [Double], into y: inout [Double]) {
        ShapeCheck.sameLength("axpy", x, y)
        for i in x.indices { y[i] += alpha * x[i] }
    }

    public static func scal(alpha: Double, _ x: inout [Double]) {
        for i in x.indices { x[i] = alpha == 0 ? 0 : alpha * x[i] }
    }

    public static func dot(_ x: [Double], _ y: [Double]) -> Double {
        ShapeCheck.sameLength("dot", x, y)
        var sum = 0.0
        for i in x.indices { sum += x[i] * y[i] }
        return sum
    }
}
