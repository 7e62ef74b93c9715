// main.swift: `make bench`: kernels, training steps against their gemm floor, allocations, peak memory, epochs beside NumPy and PyTorch; tables on standard output, bench.csv and bench.json in the results folder.
import Backprop
import Datasets
import Foundation

// OpenBLAS's best kernels for this processor (it falls back to SSE3 on one it does not know).
OpenBLASKernels.restartWithBetterKernelsIfNeeded()

let usage = """
    usage: backprop-bench [--quick] [--results DIR] [--c-bench PATH] [--python PYTHON] [--numpy-script PATH]
                          [--peer-script PATH] [--cnn-script PATH] [--backprop PATH] [--mpi-backprop PATH] [--hosts-script PATH] [--data DIR]
                          [--only SECTIONS]
                          [--check-allocations]
      --quick              a small subset (make bench-quick)
      --results DIR        where bench.csv and bench.json go (default: results)
      --c-bench PATH       the compiled bench/cblas_bench.c (without it, no C column)
      --python PYTHON      the Python with NumPy for scripts/numpy_bench.py (default: python3)
      --numpy-script PATH  default: scripts/numpy_bench.py
      --peer-script PATH   default: scripts/peer_bench.py (careful NumPy, PyTorch and JAX, float64 and float32)
      --onnx-script PATH   default: scripts/onnx_predict_bench.py (ONNX Runtime's prediction on the exported models)
      --backprop PATH      the backprop tool whose training run's peak memory is measured
                           (default: beside this binary)
      --mpi-backprop PATH  a backprop built with --traits MPI: epochs on 1 and 2 MPI processes and the
                           all-reduce time (without it, that section is skipped)
      --hosts-script PATH  scripts/hosts.sh, its two test hosts up (as root): with --mpi-backprop, epochs on
                           one process per host, over the bare link and rate-limited to 1 and 0.1 Gbit/s
                           (section hosts, run only with this option)
      --data DIR           Fashion-MNIST's IDX files (default: \(FashionMNIST.defaultDirectory))
      --cnn-script PATH    default: scripts/cnn_peer_bench.py (PyTorch's epoch of `make run-cnn`'s network)
      --only SECTIONS      comma-separated subset of kernels,peak,steps,epoch,numpy,peers,predict,conv,cnn,memory,distributed,hosts
                           (epoch and peers measure the peak too: their achieved GFLOP/s are fractions of it;
                           cnn, the epoch beside PyTorch, is left out of --quick)
      --check-allocations  exit with status 1 when a steady-state training step or single-sample predict allocates
                           (with OpenBLAS at 1 thread; at 2, OpenBLAS mallocs inside its threaded gemm)
    """

var options: [String: String] = [:]
var flags: Set<String> = []
do {
    var arguments = CommandLine.arguments.dropFirst()
    while let argument = arguments.popFirst() {
        switch argument {
        case "--quick", "--check-allocations": flags.insert(argument)
        case "--results", "--c-bench", "--python", "--numpy-script", "--peer-script", "--onnx-script", "--cnn-script", "--backprop", "--mpi-backprop", "--hosts-script",
             "--data", "--only":
            guard let value = arguments.popFirst() else { print(usage); exit(2) }
            options[argument] = value
        case "-h", "--help": print(usage); exit(0)
        default: FileHandle.standardError.write("backprop-bench: unknown argument \(argument)\n\(usage)\n".data(using: .utf8)!); exit(2)
        }
    }
}
let quick = flags.contains("--quick")
let sections = Set((options["--only"] ?? "kernels,peak,steps,epoch,numpy,peers,predict,conv,cnn,memory,distributed,hosts").split(separator: ",").map(String.init))
let resultsDirectory = options["--results"] ?? "results"
let benchStarted = MonotonicClock.seconds()

func log(_ message: String) {
    FileHandle.standardError.write(String(format: "[%5.1f s] ", MonotonicClock.seconds() - benchStarted).appending(message + "\n").data(using: .utf8)!)
}

func section(_ title: String) {
    print("\n## " + title + "\n")
}

let defaultThreads = BLASThreads.count
var environment = BenchEnvironment.current(quick: quick, defaultThreads: defaultThreads)
print("# backprop-bench\(quick ? " --quick" : "")\n")
environment.lines.forEach { print($0) }
print("Times are medians of repeated runs after warm-up; the machine may be shared, so expect ±15%.")
if !mallocCounterActive { print("note: the malloc counter is not active; allocations are not counted") }

// Peak memory of a full training run of the command-line tool, in a child process. Measured before
// anything else: a spawned child starts inside this process's memory until it execs, and the
// kernel counts that towards the child's peak, so this process must still be small.
var memory: [MemoryResult] = []
var memoryNote: String? = nil
let tool = options["--backprop"]
    ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("backprop").path
if sections.contains("memory") {
    if FileManager.default.isExecutableFile(atPath: tool) {
        for precision in ["float64", "float32"] {
            let arguments = ["train", "--epochs", quick ? "1" : "10", "--precision", precision] + (options["--data"].map { ["--data", $0] } ?? [])
            log("memory: \(tool) \(arguments.joined(separator: " "))")
            if let result = measurePeakMemory(tool, arguments) { memory.append(result) } else { memoryNote = "could not start \(tool)" }
        }
    } else {
        memoryNote = "\(tool) not found; build it with `swift build -c release` to measure peak memory"
    }
}

// One epoch of `make run-cnn`'s network by backprop and by PyTorch, each in a child process (printed in 3d); measured
// here for the same reason as the peak memory above.
var cnnEpochs: [CNNEpoch] = []
if sections.contains("cnn") && !quick {
    cnnEpochs = measureCNNEpochs(tool: tool, python: options["--python"] ?? "python3", script: options["--cnn-script"] ?? "scripts/cnn_peer_bench.py",
                                 data: options["--data"], log: log)
}

// 1. Kernels.
var kernels: [KernelResult] = []
var blasWinsFrom: [String: Int] = [:]
if sections.contains("kernels") {
    kernels = measureKernels(kernelSet(quick: quick), cBench: options["--c-bench"], quick: quick, log: log)
    section("Kernels: the Swift API (BLAS backend), the same CBLAS call from C, and the reference backend")
    print("BLAS 1t/2t: OpenBLAS at 1 or 2 threads. GFLOP/s = 2·m·n·k/time (gemm), 2·m·n/time (gemv, ger);")
    print("dense-* rows count their gemm FLOPs only. Swift/C: time ratio, 1.000 = no wrapper overhead.\n")
    print(kernelTable(kernels).text)
    blasWinsFrom = breakEvenSizes(kernels)
    print("\nBLAS (1 thread) is faster than the reference from size: "
          + ["gemm", "gemv", "ger"].map { "\($0) \(blasWinsFrom[$0].map { "n = \($0)" } ?? "— (not within the sizes timed)")" }
            .joined(separator: ", "))
}

// 1b. The machine's FMA peak and OpenBLAS's large-gemm rate, which the epochs' achieved GFLOP/s are fractions of.
var peak: MachinePeak? = nil
if sections.contains("peak") || sections.contains("epoch") || sections.contains("peers") {
    let measured = measurePeak(quick: quick, log: log)
    section("Peak: the FMA probe (\(measured.isa)) and a large gemm, GFLOP/s")
    print("FMA probe: independent FMA chains in vector registers on every thread at once (Sources/CFMAProbe), the best of many")
    print("short samples; gemm: OpenBLAS's best n×n×n product at that thread count, the rate its kernels attain here.\n")
    print(peakTable(measured).text)
    if let note = olderKernelsNote(isa: measured.isa, core: environment.openBLASCore) { print("note: \(note)") }
    peak = measured
}

// 2. The network: steps and epochs on Fashion-MNIST (or random bytes of its shape when it is missing).
var steps: [StepResult] = []
var epochs: [EpochResult] = []
var threadChoices: [String: String] = [:]
var peers: PeerComparison? = nil
if sections.contains("steps") || sections.contains("epoch") || sections.contains("peers") {
    log("loading Fashion-MNIST")
    var data: Dataset
    do {
        data = try FashionMNIST.load(directory: options["--data"] ?? FashionMNIST.defaultDirectory).train
    } catch {
        print("note: \(error); using random bytes of Fashion-MNIST's shape")
        var rng = SeededGenerator(seed: 5)
        data = try! Dataset(features: .bytes((0..<(60_000 * 784)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }),
                            labels: (0..<60_000).map { _ in Int(rng.next() % 10) }, featureCount: 784, classCount: 10,
                            source: "random bytes")
    }
    if sections.contains("steps") {
        steps = measureSteps(data: data, quick: quick, log: log)
        section("Training steps: steps per second, and the step against its own BLAS calls")
        print("step: the trainer's whole per-batch iteration (features to Double, forward, backward, optimiser, checks);")
        print("the quiz's loop rows time Network.gradients + the update in a loop, its sample rows Network.computeStep on one row")
        print("into a reused Workspace (gemv, ger; nothing applied). BLAS floor: the same step's gemm calls alone")
        print("(sample: its gemv and ger calls), on the same backend and thread layout. 2 workers: each thread half the")
        print("batch, OpenBLAS at 1 thread.\n")
        print(stepTable(steps).text)
    }
    if sections.contains("epoch") {
        let epochData = quick ? data.subset(Array(0..<10_000)) : data
        epochs = measureEpochs(data: epochData, steps: steps, quick: quick, log: log)
        threadChoices = autoThreadChoices(data: epochData, log: log)
    }
    if sections.contains("peers") {
        peers = measurePeers(data: quick ? data.subset(Array(0..<10_000)) : data, python: options["--python"] ?? "python3",
                             script: options["--peer-script"] ?? "scripts/peer_bench.py", quick: quick, log: log)
    }
}

// 3. NumPy, the lesson's language, on the same epoch.
var numpy: NumPyResult? = nil
var numpyNote: String? = nil
if sections.contains("numpy") {
    (numpy, numpyNote) = runNumPy(python: options["--python"] ?? "python3",
                                  script: options["--numpy-script"] ?? "scripts/numpy_bench.py", quick: quick, log: log)
}
if !epochs.isEmpty || numpy != nil {
    section("One epoch of Fashion-MNIST\(quick ? " (first 10,000 samples)" : ""), and NumPy beside it")
    print(epochTable(epochs, numpy: numpy).text)
    for (precision, choice) in threadChoices.sorted(by: { $0.key > $1.key }) {
        print("train --threads auto, \(precision): \(choice)")
    }
    if let numpy {
        print("\nNumPy \(numpy.numpyVersion) (Python \(numpy.pythonVersion)) BLAS: "
              + numpy.blas.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        print("NumPy epoch seconds by BLAS threads: "
              + numpy.epochSecondsByThreads.sorted { $0.key < $1.key }.map { "\($0.key): \(format($0.value))" }.joined(separator: ", ")
              + "; the faster is compared")
        print("NumPy quiz step: \(formatSeconds(numpy.quizStepSeconds))")
    }
    if let numpyNote { print("note: \(numpyNote)") }
}

// 3b. The same problems beside a careful NumPy and PyTorch, in both precisions.
if let peers {
    section("Beside careful NumPy, PyTorch and JAX: one epoch\(quick ? " of the first 10,000 samples" : ""), samples per second")
    print("Same layers, initialisation, optimiser and learning rate everywhere; batch 128, no dropout, no validation.")
    print("backprop: 2 workers, OpenBLAS at 1 thread each. NumPy, PyTorch: the faster of their default threads and 1 thread;")
    print("JAX: the step jitted, timed after it is compiled, at XLA's default threads.")
    if let p = peers.peers {
        print("NumPy \(p.numpyVersion) (Python \(p.pythonVersion)); PyTorch \(p.torchVersion ?? "not installed")"
              + (p.torchThreads.map { ", \($0) threads by default" } ?? "") + "; JAX \(p.jaxVersion ?? "not installed")\n")
    }
    print(peers.table.text)
    peers.notes.forEach { print("note: \($0)") }
}

// 3b'. Each epoch's achieved GFLOP/s, as a fraction of the peak measured above.
let achieved = achievedRates(epochs: epochs, peers: peers, peak: peak)
if !achieved.isEmpty {
    section("Achieved: each epoch's GFLOP/s against the peak at its thread count")
    print("FLOPs of a sample: 2·m·n·k a gemm, three products a dense layer (forward, weight gradient, error terms) but")
    print("two for the first (no error terms into the inputs); the peaks: the table above at 1 thread (\"1 thread\") or 2.\n")
    print(achievedTable(achieved).text)
}

// 3c. Prediction: the single-sample API, and a block beside ONNX Runtime on the same exported model.
var predict: PredictComparison? = nil
if sections.contains("predict") {
    let comparison = measurePredict(tool: tool, python: options["--python"] ?? "python3",
                                    script: options["--onnx-script"] ?? "scripts/onnx_predict_bench.py", quick: quick, log: log)
    section("Prediction beside ONNX Runtime\(comparison.onnxruntimeVersion.map { " \($0)" } ?? ""): time per call")
    print("backprop: batch 1 is Network.predict(_:workspace:into:) on one row into a reused workspace and output (OpenBLAS")
    print("1 thread); batch 1,024 is Network.forward into a reused workspace, OpenBLAS at 1 and 2 threads (2: a block of")
    print("`backprop predict`). ONNX Runtime: the same model (`backprop export --format onnx`, the model's precision), CPU provider,")
    print("intra-op threads as listed, session.run on the same rows. Ratio > 1: backprop is faster.\n")
    print(comparison.table.text)
    comparison.notes.forEach { print("note: \($0)") }
    predict = comparison
}

// 3d. The convolution layer against its gemm calls; one epoch of `make run-cnn`'s network beside PyTorch (not --quick).
var convolution: [ConvolutionResult] = []
if sections.contains("conv") {
    convolution = measureConvolutionLayer(quick: quick, log: log)
    section("A convolution layer against its own gemm calls (goal ≤ 1.3×)")
    print("BLAS backend, OpenBLAS at 1 thread. forward: im2col, one gemm, back to NCHW with the bias; forward + backward: then the")
    print("weight gradient (one gemm on the forward's im2col) and the input gradient (one gemm, col2im). Its gemm calls: the same")
    print("gemm calls alone on operands of the same shapes. Allocations per pass after warm-up.\n")
    print(convolutionTable(convolution).text)
}
if !cnnEpochs.isEmpty {
    section("One epoch of `make run-cnn`'s network beside PyTorch, float32, batch 128, Adam, 2 threads")
    print("\(cnnLayers); η = 0.001 constant, pixels/255, 60,000 Fashion-MNIST images, then the 10,000 test images; each in a process of its own")
    print("(backprop train: 2 workers, OpenBLAS at 1 thread each; PyTorch: torch.set_num_threads(2)). Peak memory: the process's")
    print("maximum resident set (wait4). Epoch time / backprop's > 1: backprop is faster.\n")
    print(cnnEpochTable(cnnEpochs).text)
    cnnEpochs.compactMap(\.note).forEach { print("note: \($0)") }
}
if !convolution.isEmpty || !cnnEpochs.isEmpty {
    struct ConvolutionReport: Encodable { var layer: [ConvolutionResult]; var epochs: [CNNEpoch] }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try? FileManager.default.createDirectory(atPath: resultsDirectory, withIntermediateDirectories: true)
    try? encoder.encode(ConvolutionReport(layer: convolution, epochs: cnnEpochs))
        .write(to: URL(fileURLWithPath: resultsDirectory + "/convolution.json"))
}

// 4. Peak memory (measured first, above), printed here.
if sections.contains("memory") {
    section("Memory")
    for m in memory {
        print(String(format: "peak resident memory of `%@`: %.1f MB (%.0f s, exit status %d)",
                     m.command, m.peakResidentBytes / 1e6, m.seconds, m.status))
    }
    if let memoryNote { print("note: \(memoryNote)") }
}

// 5. Data-parallel training across MPI processes.
var distributed: [DistributedResult] = []
var distributedNote: String? = nil
if sections.contains("distributed") {
    section("Distributed training: `backprop train --distributed` under mpirun\(quick ? " (first 10,000 samples, 1 epoch)" : "")")
    if let tool = options["--mpi-backprop"] {
        (distributed, distributedNote) = measureDistributed(tool: tool, quick: quick, log: log)
        print("784-256-128-10, batch 128 (the global batch, split across the processes), dropout 0.3, Adam, no validation;")
        print("OpenBLAS at 1 thread in every process. samples/s and training s from process 0's epochs (data loading excluded);")
        print("all-reduce: process 0's time in the exchange's MPI calls (overlapped: one non-blocking all-reduce per layer,")
        print("started as backprop finishes the layer, and the wait for all before the optimiser; blocking: one of every")
        print("gradient and the loss after backprop), timed after a barrier (before the step's first all-reduce); waiting s:")
        print("process 0's time in that barrier, i.e. waiting for the slower process (load imbalance, or a core shared with")
        print("other work); share: all-reduce of the training time.\n")
        print(distributedTable(distributed).text)
    } else {
        distributedNote = "skipped: no backprop built with MPI (scripts/bench.sh builds one with `--traits MPI` when Open MPI is installed: scripts/setup.sh --mpi)"
    }
    if let distributedNote { print("note: \(distributedNote)") }
}

// 6. The same across two test hosts (network namespaces), over a bare and a rate-limited link.
if sections.contains("hosts"), let script = options["--hosts-script"] {
    section("Distributed training across two test hosts: one process on each, Open MPI over TCP on a veth link"
            + (quick ? " (first 10,000 samples, 1 epoch)" : ""))
    if let tool = options["--mpi-backprop"] {
        let (hosts, note) = measureHosts(tool: tool, script: script, quick: quick, rates: ["1gbit", "100mbit"], log: log)
        print("The network and options above, 1 thread per process; the link bare (a veth pair: memory copies), then")
        print("rate-limited with tc's tbf (this kernel has no netem for a delay) to 1 Gbit/s and 100 Mbit/s; each with the")
        print("exchange blocking (the default) and overlapped with backprop (--exchange overlapped).\n")
        print(distributedTable(hosts).text)
        distributed += hosts
        if let note { print("note: \(note)") }
    } else {
        print("note: skipped: --hosts-script needs --mpi-backprop")
    }
}

// 7. The targets, and the files.
let targets = evaluateTargets(kernels: kernels, steps: steps, epochs: epochs, numpy: numpy, memory: memory)
    + (peers?.targets ?? []) + (predict?.targets ?? []) + (peak == nil ? [] : peakTargets(achieved))
section("Targets")
print(targetTable(targets).text)

environment.loadAverageAtEnd = BenchEnvironment.loadAverage()
print("\nload average (1, 5, 15 min) at the start: \(environment.loadAverageAtStart); at the end: \(environment.loadAverageAtEnd)"
      + " — on \(environment.cores) cores, more than \(environment.cores) means other work shared the machine")
let results = BenchResults(environment: environment, kernels: kernels, blasWinsFrom: blasWinsFrom, steps: steps,
                           epochs: epochs, threadChoices: threadChoices, peak: peak, achieved: achieved, numpy: numpy, numpyNote: numpyNote, peers: peers, predict: predict, memory: memory, memoryNote: memoryNote,
                           distributed: distributed, distributedNote: distributedNote, targets: targets)
do {
    try FileManager.default.createDirectory(atPath: resultsDirectory, withIntermediateDirectories: true)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try encoder.encode(results).write(to: URL(fileURLWithPath: resultsDirectory + "/bench.json"))
    try csv(results).write(toFile: resultsDirectory + "/bench.csv", atomically: true, encoding: .utf8)
    print("\nwrote \(resultsDirectory)/bench.json and \(resultsDirectory)/bench.csv (\(String(format: "%.0f", MonotonicClock.seconds() - benchStarted)) s)")
} catch {
    FileHandle.standardError.write("backprop-bench: cannot write results: \(error)\n".data(using: .utf8)!)
    exit(1)
}

if flags.contains("--check-allocations") {
    // OpenBLAS at two threads allocates inside its own threaded gemm; the package's paths must not.
    let allocating = steps.filter { $0.mode != .blas && ($0.allocationsPerStep ?? 0) > 0 }
    let predicting = predict?.results.filter { ($0.allocationsPerCall ?? 0) > 0 } ?? []
    let convolving = convolution.filter { ($0.allocationsPerPass ?? 0) > 0 }
    if !convolving.isEmpty {
        print("--check-allocations: the convolution layer's passes allocate: " + convolving.map { "\($0.pass) \($0.precision)" }.joined(separator: ", "))
        exit(1)
    }
    if !predicting.isEmpty {
        print("--check-allocations: single-sample predict allocates: " + predicting.map { "\($0.network) \($0.precision)" }.joined(separator: ", "))
        exit(1)
    }
    if !mallocCounterActive || steps.isEmpty {
        print("--check-allocations: nothing was counted")
        exit(1)
    }
    if !allocating.isEmpty {
        print("--check-allocations: \(allocating.count) step configuration(s) allocate in steady state")
        exit(1)
    }
}
