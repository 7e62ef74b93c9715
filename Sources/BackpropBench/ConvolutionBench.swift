// ConvolutionBench.swift: a convolution layer's passes against their own gemm calls, and one epoch of `make run-cnn`'s network beside PyTorch's.
import Backprop
import CMallocCounter
import Foundation

/// One convolution layer's passes on the BLAS backend (OpenBLAS at 1 thread) against the same
/// passes' `gemm` calls alone, on the same shapes.
struct ConvolutionResult: Encodable {
    var layer: String, batch: Int, precision: Precision
    /// "forward" (im2col, gemm, back to NCHW with the bias) or "forward + backward" (then the weight
    /// gradient from the forward's im2col, and the input gradient: gemm and col2im).
    var pass: String
    /// Median seconds of the pass, and of its gemm calls alone.
    var seconds, gemmSeconds: Double
    /// Heap allocations per pass after warm-up (nil when the malloc counter is not active).
    var allocationsPerPass: Double?
    var overGemm: Double { seconds / gemmSeconds }
}

/// The run-cnn network's second convolution (32×14×14 in, 64 filters 3×3, padding 1) on the 64
/// samples one of two workers takes of a batch of 128; `--quick`: 8 samples.
func measureConvolutionLayer(quick: Bool, log: (String) -> Void) -> [ConvolutionResult] {
    let shape = ConvolutionShape(channels: 32, height: 14, width: 14, filters: 64, kernel: (3, 3), padding: (1, 1))
    let batch = quick ? 8 : 64
    BLASThreads.set(1)
    log("convolution layer: \(shape), batch \(batch)")
    return convolutionRows(BLAS<Float>.self, shape, batch: batch, quick: quick) + convolutionRows(BLAS<Double>.self, shape, batch: batch, quick: quick)
}

private func convolutionRows<S: BLASScalar>(_: BLAS<S>.Type, _ shape: ConvolutionShape, batch: Int, quick: Bool) -> [ConvolutionResult] {
    var rng = SeededGenerator(seed: 11)
    let x = Matrix<S>.randomUniform(rows: batch, columns: shape.inputCount, using: &rng)
    let w = Matrix<S>.randomUniform(rows: shape.filters, columns: shape.patchSize, using: &rng)
    let d = Matrix<S>.randomUniform(rows: batch, columns: shape.outputCount, using: &rng)
    let bias = [S](repeating: 0.5, count: shape.filters)
    let scratch = ConvolutionScratch<S>(shape: shape, batch: batch)
    var y = Matrix<S>(rows: batch, columns: shape.outputCount), g = w, e = x
    let forward = { BLAS<S>.convolve(shape, x, weights: w, bias: bias, into: &y, scratch: scratch) }
    let both = {
        forward()
        BLAS<S>.convolutionWeightGradient(shape, x, errors: d, alpha: 1, into: &g, scratch: scratch, afterForward: true)
        BLAS<S>.convolutionInputGradient(shape, errors: d, weights: w, into: &e, scratch: scratch)
    }
    // The same gemm calls on operands of the same shapes: columns·Wᵀ; Dᵀ·columns; D·W.
    let positions = batch * shape.outputPositions
    var columns = Matrix<S>.randomUniform(rows: positions, columns: shape.patchSize, using: &rng)
    var channelsLast = Matrix<S>.randomUniform(rows: positions, columns: shape.filters, using: &rng)
    let forwardGemm = { BLAS<S>.gemm(.none, .transpose, alpha: 1, columns, w, beta: 0, into: &channelsLast) }
    let bothGemms = {
        forwardGemm()
        BLAS<S>.gemm(.transpose, .none, alpha: 1, channelsLast, columns, beta: 0, into: &g)
        BLAS<S>.gemm(.none, .none, alpha: 1, channelsLast, w, beta: 0, into: &columns)
    }
    let budget = quick ? 0.2 : 2
    let name = "conv \(shape.filters) \(shape.kernelHeight)x\(shape.kernelWidth) on \(shape.channels)×\(shape.height)×\(shape.width)"
    return [("forward", forward, forwardGemm), ("forward + backward", both, bothGemms)].map { pass, run, gemms in
        let (seconds, gemmSeconds) = Timing.alternatingMedians(samples: quick ? 5 : 15, budget: budget, run, gemms)
        let repeats = quick ? 3 : 20
        let before = malloc_counter_allocations()
        for _ in 0..<repeats { run() }
        let allocations = mallocCounterActive ? Double(malloc_counter_allocations() - before) / Double(repeats) : nil
        return ConvolutionResult(layer: name, batch: batch, precision: S.precision, pass: pass, seconds: seconds,
                                 gemmSeconds: gemmSeconds, allocationsPerPass: allocations)
    }
}

func convolutionTable(_ results: [ConvolutionResult]) -> Table {
    var table = Table(header: ["layer", "batch", "precision", "pass", "time", "its gemm calls", "ratio", "allocations"])
    for r in results {
        table.rows.append([r.layer, String(r.batch), r.precision.rawValue, r.pass, formatSeconds(r.seconds), formatSeconds(r.gemmSeconds),
                           String(format: "%.2f×", r.overGemm), r.allocationsPerPass.map { String(format: "%.0f", $0) } ?? "—"])
    }
    table.rightAligned = [1, 4, 5, 6, 7]
    return table
}

/// One epoch of `make run-cnn`'s network by one framework, in a process of its own.
struct CNNEpoch: Encodable {
    var framework: String
    var epochSeconds: Double?
    var testAccuracy: Double?
    /// The process's peak resident memory (its `ru_maxrss`, as `wait4` reports it).
    var peakResidentBytes: Double
    var command: String
    var note: String?
}

/// The run-cnn network with its dropout, inputs scaled to [0, 1] (`--scaling unit-range`: pixel/255), float32, batch 128,
/// Adam η = 0.001 at a constant rate, 2 threads
/// (backprop: 2 workers, OpenBLAS at 1 thread each; PyTorch: `torch.set_num_threads(2)`), one epoch
/// of Fashion-MNIST's 60,000 images (from `data`, a folder of its gzip IDX files, or the default), then the
/// test set: `tool` in one process, `script` (PyTorch) in another; each process's peak memory from the kernel.
func measureCNNEpochs(tool: String, python: String, script: String, data: String?, log: (String) -> Void) -> [CNNEpoch] {
    let output = NSTemporaryDirectory() + "backprop-bench-cnn-\(getpid()).txt"
    defer { try? FileManager.default.removeItem(atPath: output) }
    func read() -> String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
    var runs: [CNNEpoch] = []
    let arguments = ["train", "--layers", cnnLayers, "--epochs", "1", "--batch-size", "128", "--optimizer", "adam", "--learning-rate", "0.001",
                     "--schedule", "constant", "--scaling", "unit-range", "--threads", "2", "--precision", "float32"]
        + (data.map { directory in
            ["train-images", "train-labels", "t10k-images", "t10k-labels"].enumerated().flatMap { i, name in
                [["--data", "--labels", "--test-data", "--test-labels"][i], "\(directory)/\(name)-idx\(name.hasSuffix("images") ? 3 : 1)-ubyte.gz"]
            }
        } ?? [])
    log("cnn epoch: \(tool) \(arguments.joined(separator: " "))")
    if let m = measurePeakMemory(tool, arguments, output: output) {
        // "trained 1 epochs in 151.6 s; test accuracy 85.79% (loss 0.4452) on 10000 samples"
        let text = read()
        let seconds = number(after: "trained 1 epochs in ", in: text), accuracy = number(after: "test accuracy ", in: text)
        runs.append(CNNEpoch(framework: "backprop", epochSeconds: seconds, testAccuracy: accuracy.map { $0 / 100 },
                             peakResidentBytes: m.peakResidentBytes, command: m.command,
                             note: m.status == 0 ? nil : "exit status \(m.status)"))
    }
    log("cnn epoch: \(python) \(script)")
    if let m = measurePeakMemory(python, [script, "--threads", "2"] + (data.map { ["--data", $0] } ?? []), output: output, search: true) {
        let json = (try? JSONSerialization.jsonObject(with: Data(read().utf8))) as? [String: Any]
        let note = json == nil ? "no result (exit status \(m.status))" : json?["note"] as? String
        runs.append(CNNEpoch(framework: "PyTorch " + (json?["torch_version"] as? String ?? ""), epochSeconds: json?["epoch_seconds"] as? Double,
                             testAccuracy: json?["test_accuracy"] as? Double, peakResidentBytes: m.peakResidentBytes,
                             command: m.command, note: note))
    }
    return runs
}

/// The network of `make run-cnn`.
let cnnLayers = "conv 32 3x3 same, relu, maxpool 2, conv 64 3x3 same, relu, maxpool 2, dropout 0.25, flatten, dense 256, relu, dropout 0.5, dense 10, softmax"

/// The number that follows `prefix` in `text`, if any.
private func number(after prefix: String, in text: String) -> Double? {
    guard let range = text.range(of: prefix) else { return nil }
    return Double(text[range.upperBound...].prefix { $0.isNumber || $0 == "." })
}

func cnnEpochTable(_ runs: [CNNEpoch]) -> Table {
    var table = Table(header: ["framework", "epoch", "samples/s", "test accuracy", "peak memory", "epoch time / backprop's"])
    let ours = runs.first { $0.framework == "backprop" }?.epochSeconds
    for r in runs {
        table.rows.append([r.framework, r.epochSeconds.map(formatSeconds) ?? "—", r.epochSeconds.map { formatRate(60_000 / $0) } ?? "—",
                           r.testAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "—", String(format: "%.0f MB", r.peakResidentBytes / 1e6),
                           r.epochSeconds.flatMap { seconds in ours.map { String(format: "%.2f×", seconds / $0) } } ?? "—"])
    }
    table.rightAligned = [1, 2, 3, 4, 5]
    return table
}
