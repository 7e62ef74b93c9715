// Kernels.swift: the kernels timed on either backend and from C.
import Backprop
import Foundation

/// One kernel at one size, callable on either backend and (for plain BLAS calls) from C.
struct Kernel {
    /// "gemm", "gemv", "ger", or a fused piece of the network ("dense-forward", "dense-gradients").
    let name: String
    /// The shape as the table shows it, e.g. "128×256×784" (m×n×k) or "256×256".
    let shape: String
    /// The size of a square kernel (for the plot and the break-even size), nil for other shapes.
    let squareSize: Int?
    /// Floating-point operations of one call (the multiply-adds counted as two).
    let flops: Double
    /// The same call for `bench/cblas_bench.c`, or nil when the kernel is not one BLAS call.
    let cSpec: String?
    /// Whether the reference backend is timed at this size (it is slow: m·n·k scalar steps).
    let timeReference: Bool
    /// Makes a closure that runs the kernel once on `backend`, with its operands preallocated.
    let prepare: (_ backend: any LinearAlgebra<Double>.Type) -> () -> Void
}

/// C ← op(A)·op(B) for op(A) m×k and op(B) k×n.
func gemmKernel(_ m: Int, _ n: Int, _ k: Int, _ transA: Transpose = .none, _ transB: Transpose = .none,
                referenceUpTo limit: Double) -> Kernel {
    var rng = SeededGenerator(seed: 1)
    let a = transA == .none ? Matrix<Double>.randomUniform(rows: m, columns: k, using: &rng)
        : Matrix<Double>.randomUniform(rows: k, columns: m, using: &rng)
    let b = transB == .none ? Matrix<Double>.randomUniform(rows: k, columns: n, using: &rng)
        : Matrix<Double>.randomUniform(rows: n, columns: k, using: &rng)
    let t = { (x: Transpose) in x == .none ? "N" : "T" }
    let flops = 2 * Double(m) * Double(n) * Double(k)
    let label = transA == .none && transB == .none ? "\(m)×\(n)×\(k)" : "\(m)×\(n)×\(k) \(t(transA))\(t(transB))"
    return Kernel(name: "gemm", shape: label, squareSize: m == n && n == k ? n : nil, flops: flops,
                  cSpec: "gemm:\(m):\(n):\(k):\(t(transA)):\(t(transB))", timeReference: flops <= limit) { backend in
        var c = Matrix<Double>(rows: m, columns: n)
        return { backend.gemm(transA, transB, alpha: 1, a, b, beta: 0, into: &c) }
    }
}

/// y ← op(A)·x for op(A) m×n.
func gemvKernel(_ m: Int, _ n: Int, _ transA: Transpose = .none) -> Kernel {
    var rng = SeededGenerator(seed: 2)
    let a = transA == .none ? Matrix<Double>.randomUniform(rows: m, columns: n, using: &rng)
        : Matrix<Double>.randomUniform(rows: n, columns: m, using: &rng)
    let x = Matrix<Double>.randomUniform(rows: 1, columns: n, using: &rng).elements
    let label = transA == .none ? "\(m)×\(n)" : "\(m)×\(n) T"
    return Kernel(name: "gemv", shape: label, squareSize: m == n ? n : nil, flops: 2 * Double(m * n),
                  cSpec: "gemv:\(m):\(n):\(transA == .none ? "N" : "T")", timeReference: true) { backend in
        var y = [Double](repeating: 0, count: m)
        return { backend.gemv(transA, alpha: 1, a, x, beta: 0, into: &y) }
    }
}

/// A ← A + α·x·yᵀ for A m×n.
func gerKernel(_ m: Int, _ n: Int) -> Kernel {
    var rng = SeededGenerator(seed: 3)
    let x = Matrix<Double>.randomUniform(rows: 1, columns: m, using: &rng).elements
    let y = Matrix<Double>.randomUniform(rows: 1, columns: n, using: &rng).elements
    return Kernel(name: "ger", shape: "\(m)×\(n)", squareSize: m == n ? n : nil, flops: 2 * Double(m * n),
                  cSpec: "ger:\(m):\(n)", timeReference: true) { backend in
        var a = Matrix<Double>(rows: m, columns: n)
        return { backend.ger(alpha: 1e-9, x, y, into: &a) }
    }
}

/// The network's fused pieces for one dense layer of `fanIn → fanOut` on a batch:
/// forward (H = X·W + b broadcast, then A = f(H)) or forward and backward (the loss, its error
/// terms, ∂L/∂W by `gemm`, ∂L/∂b by `gemv`), through the public `Network` API.
func denseKernel(batch: Int, fanIn: Int, fanOut: Int, activation: Activation, withGradients: Bool) -> Kernel {
    var rng = SeededGenerator(seed: 4)
    let layer = Layer<Double>.dense(weights: Initializer.he.weights(fanIn: fanIn, fanOut: fanOut, using: &rng),
                           bias: [Double](repeating: 0.1, count: fanOut), activation: activation)
    let x = Matrix<Double>.randomUniform(rows: batch, columns: fanIn, using: &rng)
    let t = Matrix<Double>.randomUniform(rows: batch, columns: fanOut, in: 0..<1, using: &rng)
    let gemmFlops = 2 * Double(batch) * Double(fanIn) * Double(fanOut)
    return Kernel(name: withGradients ? "dense-gradients" : "dense-forward",
                  shape: "\(batch)×\(fanIn)→\(fanOut) \(activation.rawValue)", squareSize: nil,
                  flops: withGradients ? 2 * gemmFlops : gemmFlops, cSpec: nil,
                  timeReference: Double(batch * fanIn * fanOut) <= 3e7) { backend in
        func make<B: LinearAlgebra>(_: B.Type) -> () -> Void where B.Scalar == Double {
            let network = try! Network<B>(layers: [layer], loss: .squaredError)
            let workspace = Workspace<Double>(batch: batch, layers: network.layers)
            var gradients = ParameterArrays<Double>(zerosLike: network.layers)
            if withGradients {
                return { network.gradients(inputs: x, targets: t, workspace: workspace, into: &gradients) }
            }
            return { network.forward(x, workspace: workspace) }
        }
        return backend == BLAS<Double>.self ? make(BLAS<Double>.self) : make(Reference<Double>.self)
    }
}

/// What was measured for one kernel: median seconds per call, per backend and thread count.
struct KernelResult: Encodable {
    var kernel, shape: String
    var squareSize: Int?
    var flops: Double
    /// The package's BLAS backend with OpenBLAS at 1 and at 2 threads.
    var blas1: Double?, blas2: Double?
    /// The same call from C, at 1 and 2 threads.
    var c1: Double?, c2: Double?
    /// The pure-Swift reference backend (single-threaded), nil where too slow to time.
    var reference: Double?

    /// Swift API time over C time (1 = no overhead).
    var swiftOverC1: Double? { ratio(blas1, c1) }
    var swiftOverC2: Double? { ratio(blas2, c2) }
    /// How many times faster BLAS (1 thread) is than the reference.
    var blasSpeedUp: Double? { ratio(reference, blas1) }

    func gflops(_ seconds: Double?) -> Double? { seconds.map { flops / $0 / 1e9 } }

    private enum Keys: String, CodingKey {
        case kernel, shape, squareSize, flops, blas1, blas2, c1, c2, reference
        case blas1GFLOPS, blas2GFLOPS, c1GFLOPS, c2GFLOPS, referenceGFLOPS, swiftOverC1, swiftOverC2, blasSpeedUp
    }

    /// Times in seconds, and the rates and ratios derived from them.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(kernel, forKey: .kernel)
        try c.encode(shape, forKey: .shape)
        try c.encode(squareSize, forKey: .squareSize)
        try c.encode(flops, forKey: .flops)
        try c.encode(blas1, forKey: .blas1)
        try c.encode(blas2, forKey: .blas2)
        try c.encode(c1, forKey: .c1)
        try c.encode(c2, forKey: .c2)
        try c.encode(reference, forKey: .reference)
        try c.encode(gflops(blas1), forKey: .blas1GFLOPS)
        try c.encode(gflops(blas2), forKey: .blas2GFLOPS)
        try c.encode(gflops(c1), forKey: .c1GFLOPS)
        try c.encode(gflops(c2), forKey: .c2GFLOPS)
        try c.encode(gflops(reference), forKey: .referenceGFLOPS)
        try c.encode(swiftOverC1, forKey: .swiftOverC1)
        try c.encode(swiftOverC2, forKey: .swiftOverC2)
        try c.encode(blasSpeedUp, forKey: .blasSpeedUp)
    }
}

func ratio(_ a: Double?, _ b: Double?) -> Double? {
    guard let a, let b, b > 0 else { return nil }
    return a / b
}

/// The kernel set: the lesson's sizes up to 2048, square and the network's own shapes.
func kernelSet(quick: Bool) -> [Kernel] {
    // The reference gemm takes about a second per 1e9 multiply-adds; keep it to the sizes that time quickly.
    let referenceLimit = quick ? 2 * 128.0 * 128 * 128 : 2 * 512.0 * 512 * 512
    let squares = quick ? [4, 16, 64, 256] : [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048]
    var kernels: [Kernel] = []
    kernels.append(gemmKernel(1, 2, 3, referenceUpTo: referenceLimit))  // The lesson: x (1×3) · W_ih (3×2).
    kernels += squares.map { gemmKernel($0, $0, $0, referenceUpTo: referenceLimit) }
    // The 784-256-128-10 network at batch 128: the forward products, the weight gradients
    // (Xᵀ·Δ) and the error terms (Δ·Wᵀ) of its two large layers, with the transposes it uses.
    let network: [(Int, Int, Int, Transpose, Transpose)] = quick
        ? [(128, 256, 784, .none, .none)]
        : [(128, 256, 784, .none, .none), (784, 256, 128, .transpose, .none), (128, 256, 128, .none, .transpose),
           (128, 128, 256, .none, .none), (256, 128, 128, .transpose, .none), (128, 10, 128, .none, .none)]
    kernels += network.map { gemmKernel($0.0, $0.1, $0.2, $0.3, $0.4, referenceUpTo: referenceLimit) }

    let vectorSizes = quick ? [16, 256] : [16, 64, 256, 1024, 2048]
    kernels.append(gemvKernel(2, 3, .transpose))  // The lesson: h = W_ihᵀ·x, W_ih 3×2.
    kernels += vectorSizes.map { gemvKernel($0, $0) }
    if !quick { kernels.append(gemvKernel(256, 784, .transpose)) }  // One sample through the first layer.
    kernels.append(gerKernel(3, 2))  // The lesson: ΔW_ih = η·x·δ_hᵀ.
    kernels += vectorSizes.map { gerKernel($0, $0) }
    if !quick { kernels.append(gerKernel(784, 256)) }

    kernels.append(denseKernel(batch: 128, fanIn: 784, fanOut: 256, activation: .relu, withGradients: false))
    if !quick {
        kernels.append(denseKernel(batch: 128, fanIn: 784, fanOut: 256, activation: .relu, withGradients: true))
        kernels.append(denseKernel(batch: 128, fanIn: 784, fanOut: 128, activation: .sigmoid, withGradients: false))
    }
    return kernels
}

/// Times every kernel: C and the Swift BLAS backend alternately at 1 and 2 OpenBLAS threads (each
/// pair three times, keeping the fastest median of each, so a burst of load on the shared machine
/// does not decide a ratio), and the reference backend once.
func measureKernels(_ kernels: [Kernel], cBench: String?, quick: Bool, log: (String) -> Void) -> [KernelResult] {
    var results = kernels.map {
        KernelResult(kernel: $0.name, shape: $0.shape, squareSize: $0.squareSize, flops: $0.flops)
    }
    let rounds = quick ? 1 : 3
    let budget = quick ? 0.3 : 1.0
    for threads in [1, 2] {
        BLASThreads.set(threads)
        for round in 0..<rounds {
            log("kernels: C at \(threads) thread(s), round \(round + 1) of \(rounds)")
            if let cBench {
                let specs = kernels.compactMap(\.cSpec)
                let times = runCBench(cBench, threads: threads, specs: specs)
                for (i, kernel) in kernels.enumerated() {
                    guard let spec = kernel.cSpec, let t = times[spec] else { continue }
                    let old = threads == 1 ? results[i].c1 : results[i].c2
                    let best = min(old ?? .infinity, t)
                    if threads == 1 { results[i].c1 = best } else { results[i].c2 = best }
                }
            }
            log("kernels: Swift BLAS backend at \(threads) thread(s), round \(round + 1) of \(rounds)")
            for (i, kernel) in kernels.enumerated() {
                let t = Timing.median(budget: budget, kernel.prepare(BLAS<Double>.self))
                let old = threads == 1 ? results[i].blas1 : results[i].blas2
                let best = min(old ?? .infinity, t)
                if threads == 1 { results[i].blas1 = best } else { results[i].blas2 = best }
            }
        }
    }
    BLASThreads.set(1)
    log("kernels: reference backend")
    for (i, kernel) in kernels.enumerated() where kernel.timeReference {
        let big = kernel.flops > 5e7
        results[i].reference = Timing.median(warmUp: big ? 1 : 2, samples: big ? 3 : 7, budget: budget,
                                             kernel.prepare(Reference<Double>.self))
    }
    return results
}

/// Runs `bench/cblas_bench.c`'s binary; its lines are "SPEC SECONDS". Missing or failing: empty.
func runCBench(_ path: String, threads: Int, specs: [String]) -> [String: Double] {
    // Let the previous phase's OpenBLAS threads go to sleep first: they spin for a while after a
    // call, and would take a core from the child.
    usleep(200_000)
    guard let output = runProcess(path, [String(threads)] + specs, environment: ProcessInfo.processInfo.environment), output.status == 0 else {
        FileHandle.standardError.write("bench: \(path) failed; the C column stays empty\n".data(using: .utf8)!)
        return [:]
    }
    var times: [String: Double] = [:]
    for line in output.standardOutput.split(separator: "\n") {
        let parts = line.split(separator: " ")
        if parts.count == 2, let t = Double(parts[1]) { times[String(parts[0])] = t }
    }
    return times
}

/// For each kernel family (square gemm, gemv, ger), the smallest size from which the BLAS backend
/// (1 thread) is faster than the reference at that size and every larger size measured.
func breakEvenSizes(_ results: [KernelResult]) -> [String: Int] {
    var sizes: [String: Int] = [:]
    for family in ["gemm", "gemv", "ger"] {
        let squares = results.filter { $0.kernel == family && $0.squareSize != nil && $0.reference != nil && $0.blas1 != nil }
            .sorted { $0.squareSize! < $1.squareSize! }
        var from: Int? = nil
        for r in squares.reversed() {
            if r.blas1! < r.reference! { from = r.squareSize } else { break }
        }
        if let from { sizes[family] = from }
    }
    return sizes
}
