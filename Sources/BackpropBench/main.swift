// `make bench`: BLAS against the pure-Swift reference for the products a network makes.
import Backprop
import Foundation

/// One kernel at one size: its name, shape label, floating-point operations, and a runner per backend.
struct Kernel {
    let name: String
    let shape: String
    let flops: Double
    let run: (_ backend: LinearAlgebra.Type) -> () -> Void
}

func gemmKernel(_ m: Int, _ n: Int, _ k: Int) -> Kernel {
    var rng = SeededGenerator(seed: 1)
    let a = Matrix.randomUniform(rows: m, columns: k, using: &rng)
    let b = Matrix.randomUniform(rows: k, columns: n, using: &rng)
    return Kernel(name: "gemm", shape: "\(m)×\(n)×\(k)", flops: 2 * Double(m * n * k)) { backend in
        var c = Matrix(rows: m, columns: n)
        return { backend.gemm(.none, .none, alpha: 1, a, b, beta: 0, into: &c) }
    }
}

func gemvKernel(_ m: Int, _ n: Int) -> Kernel {
    var rng = SeededGenerator(seed: 2)
    let a = Matrix.randomUniform(rows: m, columns: n, using: &rng)
    let x = Matrix.randomUniform(rows: 1, columns: n, using: &rng).elements
    return Kernel(name: "gemv", shape: "\(m)×\(n)", flops: 2 * Double(m * n)) { backend in
        var y = [Double](repeating: 0, count: m)
        return { backend.gemv(.none, alpha: 1, a, x, beta: 0, into: &y) }
    }
}

func gerKernel(_ m: Int, _ n: Int) -> Kernel {
    var rng = SeededGenerator(seed: 3)
    let x = Matrix.randomUniform(rows: 1, columns: m, using: &rng).elements
    let y = Matrix.randomUniform(rows: 1, columns: n, using: &rng).elements
    return Kernel(name: "ger", shape: "\(m)×\(n)", flops: 2 * Double(m * n)) { backend in
        var a = Matrix(rows: m, columns: n)
        return { backend.ger(alpha: 1e-9, x, y, into: &a) }
    }
}

let quick = CommandLine.arguments.contains("--quick")
BLASThreads.set(1)
let kernels: [Kernel] =
    (quick ? [3, 64, 256] : [3, 16, 64, 128, 256, 512]).map { gemmKernel($0, $0, $0) }
    + (quick ? [] : [gemmKernel(128, 256, 784), gemmKernel(784, 256, 128)])
    + (quick ? [3, 256] : [3, 64, 256, 1024, 2048]).map { gemvKernel($0, $0) }
    + (quick ? [3, 256] : [3, 64, 256, 1024, 2048]).map { gerKernel($0, $0) }

print("OpenBLAS: \(BLASThreads.configuration), core \(BLASThreads.coreName), \(BLASThreads.count) thread(s)")
print("median of repeated runs after warm-up; GFLOP/s = 2·m·n·k / time (gemm), 2·m·n / time (gemv, ger)\n")
let header = ["kernel", "shape", "blas time", "blas GFLOP/s", "ref time", "ref GFLOP/s", "blas/ref speed-up"]
var rows: [[String]] = []
func format(seconds: Double) -> String {
    seconds < 1e-6 ? String(format: "%.0f ns", seconds * 1e9)
        : seconds < 1e-3 ? String(format: "%.2f µs", seconds * 1e6)
        : String(format: "%.2f ms", seconds * 1e3)
}
for kernel in kernels {
    let blas = Timing.median(kernel.run(BLAS.self))
    let reference = Timing.median(budget: quick ? 0.5 : 2, kernel.run(Reference.self))
    rows.append([kernel.name, kernel.shape, format(seconds: blas), String(format: "%.2f", kernel.flops / blas / 1e9),
                 format(seconds: reference), String(format: "%.2f", kernel.flops / reference / 1e9),
                 String(format: "%.1f×", reference / blas)])
    // Print as we go: the reference kernels at large sizes take a while.
    let widths = [6, 13, 11, 13, 11, 12, 18]
    if rows.count == 1 {
        print(zip(header, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: " "))
    }
    print(zip(rows[rows.count - 1], widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: " "))
}
