// Report.swift: the bench's plain-text tables, CSV and JSON.
import Linalg
import Foundation

/// A plain-text table: a header row and rows of cells, columns padded to their widest cell.
struct Table {
    var header: [String]
    var rows: [[String]] = []
    /// Columns aligned right (numbers); the others align left.
    var rightAligned: Set<Int> = []

    var text: String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}

func format(_ value: Double?, _ spec: String = "%.2f") -> String {
    guard let value, value.isFinite else { return "—" }
    return String(format: spec, value)
}

func ratioText(_ value: Double?) -> String { format(value, "%.2f×") }

/// One of the targets, checked against this run.
struct TargetResult: Encodable {
    var target, measured: String
    /// nil when this run could not measure it.
    var met: Bool?
    var note: String
}

/// Every figure of a run, as bench.json holds it.
struct BenchResults: Encodable {
    var environment: BenchEnvironment
    var kernels: [KernelResult]
    /// Per kernel family, the smallest square size from which BLAS (1 thread) beats the reference.
    var blasWinsFrom: [String: Int]
    var steps: [StepResult]
    var epochs: [EpochResult]
    /// Per precision, what `train --threads auto` chose for the epoch's network (its one-line summary).
    var threadChoices: [String: String]
    /// The FMA peak and large-gemm rate measured in this run, and each epoch's fraction of them.
    var peak: MachinePeak?
    var achieved: [AchievedRate]
    var numpy: NumPyResult?
    var numpyNote: String?
    var peers: PeerComparison?
    var predict: PredictComparison?
    var memory: [MemoryResult]
    var memoryNote: String?
    var distributed: [DistributedResult]
    var distributedNote: String?
    var targets: [TargetResult]
}

func kernelTable(_ results: [KernelResult]) -> Table {
    var table = Table(header: ["kernel", "shape", "BLAS 1t", "GFLOP/s", "C 1t", "Swift/C", "BLAS 2t", "GFLOP/s",
                               "C 2t", "Swift/C", "reference", "GFLOP/s", "BLAS/ref"],
                      rightAligned: Set(2...12))
    for r in results {
        table.rows.append([r.kernel, r.shape,
                           r.blas1.map(formatSeconds) ?? "—", format(r.gflops(r.blas1)),
                           r.c1.map(formatSeconds) ?? "—", format(r.swiftOverC1, "%.3f"),
                           r.blas2.map(formatSeconds) ?? "—", format(r.gflops(r.blas2)),
                           r.c2.map(formatSeconds) ?? "—", format(r.swiftOverC2, "%.3f"),
                           r.reference.map(formatSeconds) ?? "—", format(r.gflops(r.reference)),
                           r.blasSpeedUp.map { String(format: $0 >= 10 ? "%.0f×" : "%.2f×", $0) } ?? "—"])
    }
    return table
}

func stepTable(_ results: [StepResult]) -> Table {
    var table = Table(header: ["network", "batch", "backend", "precision", "threads", "path", "step", "steps/s", "samples/s",
                               "BLAS floor", "step/floor", "allocs/step"],
                      rightAligned: Set([1] + Array(6...11)))
    for r in results {
        table.rows.append([r.network, String(r.batch), r.backend, r.precision.rawValue, r.mode.rawValue, r.path, formatSeconds(r.stepSeconds),
                           formatRate(r.stepsPerSecond), formatRate(r.samplesPerSecond), formatSeconds(r.floorSeconds),
                           ratioText(r.overFloor), r.allocationsPerStep.map { format($0, "%.2f") } ?? "n/a"])
    }
    return table
}

func epochTable(_ results: [EpochResult], numpy: NumPyResult?) -> Table {
    var table = Table(header: ["epoch", "threads", "samples", "seconds", "samples/s", "gemm-floor samples/s", "vs NumPy", "loss"],
                      rightAligned: Set(2...7))
    for r in results {
        table.rows.append(["\(r.network), \(r.backend) \(r.precision.rawValue), batch \(r.batch)", r.mode.rawValue, String(r.samples),
                           format(r.seconds), formatRate(r.samplesPerSecond), r.floorSamplesPerSecond.map(formatRate) ?? "—",
                           ratioText(numpy.map { r.samplesPerSecond / $0.samplesPerSecond }), format(r.trainingLoss, "%.4f")])
    }
    if let numpy {
        let defaultThreads = numpy.blas["num_threads"].map { "\($0) BLAS threads" } ?? "default threads"
        let threads = numpy.blasThreads == "1" ? "1 BLAS thread" : defaultThreads
        table.rows.append(["\(numpy.network), NumPy \(numpy.numpyVersion), batch \(numpy.batch)", threads, String(numpy.samples),
                           format(numpy.epochSeconds), formatRate(numpy.samplesPerSecond), "—", "1.00×",
                           format(numpy.trainingLoss, "%.4f")])
    }
    return table
}

/// The targets, each met or missed by how much.
func evaluateTargets(kernels: [KernelResult], steps: [StepResult], epochs: [EpochResult], numpy: NumPyResult?,
                     memory: [MemoryResult]) -> [TargetResult] {
    var targets: [TargetResult] = []

    // 1. The Swift API's gemm within 5% of the C call at n ≥ 256.
    var worst: (ratio: Double, label: String)? = nil
    for r in kernels where r.kernel == "gemm" && (r.squareSize ?? 0) >= 256 {
        for (value, threads) in [(r.swiftOverC1, 1), (r.swiftOverC2, 2)] {
            guard let value else { continue }
            if worst == nil || value > worst!.ratio { worst = (value, "\(r.shape), \(threads) thread(s)") }
        }
    }
    targets.append(TargetResult(
        target: "Swift gemm within 5% of C at n ≥ 256",
        measured: worst.map { String(format: "worst Swift/C %.3f (%@)", $0.ratio, $0.label) } ?? "not measured",
        met: worst.map { $0.ratio <= 1.05 },
        note: worst == nil ? "no C timings (the C program was not built)" : "each side the fastest median of its rounds"))

    // 2. A steady-state training step allocates nothing. OpenBLAS's own mallocs (a job array per
    // threaded dgemm; a buffer per call in the kernels it picks for this processor when
    // OPENBLAS_CORETYPE is unset) are counted apart by the malloc counter, not against the package.
    let counted = steps.filter { $0.allocationsPerStep != nil }
    let own = counted.filter { $0.mode != .blas }
    let allocating = own.filter { $0.allocationsPerStep! > 0 }
    let openBLAS = counted.filter { $0.mode == .blas && $0.allocationsPerStep! > 0 }
    targets.append(TargetResult(
        target: "steady-state training step allocates nothing",
        measured: own.isEmpty ? "not measured"
            : allocating.isEmpty ? "0 allocations per step in all \(own.count) configurations with OpenBLAS at 1 thread"
            : "\(allocating.count) of \(own.count) configurations allocate, up to "
              + format(allocating.map { $0.allocationsPerStep! }.max(), "%.2f") + " per step",
        met: own.isEmpty ? nil : allocating.isEmpty,
        note: own.isEmpty ? "the malloc counter is not active in this binary"
            : !allocating.isEmpty ? allocating.map { "\($0.network) batch \($0.batch) \($0.backend) \($0.mode.rawValue)" }.prefix(4).joined(separator: "; ")
            : openBLAS.isEmpty ? "" : "with OpenBLAS at 2 threads, up to "
              + format(openBLAS.map { $0.allocationsPerStep! }.max(), "%.0f")
              + " per step inside OpenBLAS (its threaded gemm mallocs a job array per call)"))

    // 3. The Fashion-MNIST step within 1.15× its own gemm calls, at 1 thread and with 2 workers, in both precisions.
    let large = NetworkSpec.large.name
    for precision in [Precision.float64, .float32] {
    let pick = { (mode: ThreadMode) in
        steps.first { $0.network == large && $0.batch == 128 && $0.backend == "blas" && $0.precision == precision && $0.mode == mode }
    }
    for mode in [ThreadMode.one, .workers] {
        guard let r = pick(mode) else { continue }
        targets.append(TargetResult(
            target: "784-256-128-10 relu step (Adam, batch 128, \(mode.rawValue), \(precision.rawValue)) ≤ 1.15× its gemm calls",
            measured: "\(ratioText(r.overFloor)) (\(formatSeconds(r.stepSeconds)) against \(formatSeconds(r.floorSeconds)))",
            met: r.overFloor <= 1.15,
            note: mode == .workers ? "the floor: both workers' gemm calls run concurrently, OpenBLAS at 1 thread each"
                : pick(.blas).map { "OpenBLAS at 2 threads (not a target): \(ratioText($0.overFloor))" } ?? ""))
    }
    }

    // 4. The lesson's single-sample step (Network.computeStep on one row into a reused Workspace) within 1.3× its
    // BLAS calls, allocating nothing, in both precisions.
    for precision in [Precision.float64, .float32] {
        let quizRows = steps.filter { $0.network == NetworkSpec.quiz.name && $0.backend == "blas" && $0.precision == precision }
        guard let sample = quizRows.first(where: { $0.path == "sample" }) else { continue }
        let loop = quizRows.first { $0.path == "loop" }
        targets.append(TargetResult(
            target: "lesson's single-sample step (\(precision.rawValue)) ≤ 1.3× its BLAS calls, allocation-free",
            measured: "\(ratioText(sample.overFloor)) (\(formatSeconds(sample.stepSeconds)) against \(formatSeconds(sample.floorSeconds))), "
                + (sample.allocationsPerStep.map { format($0, "%.2f") + " allocations per step" } ?? "allocations not counted"),
            met: sample.allocationsPerStep.map { sample.overFloor <= 1.3 && $0 == 0 },
            note: "computeStep on one row into a reused Workspace; the floor: its 3 gemv and 2 ger calls"
                + (loop.map { "; the quiz as gradients + update (5 gemm, 2 axpy): \(ratioText($0.overFloor)) its gemm calls" } ?? "")))
    }

    // The float32 epoch against the float64 one, in the trainer's default mode (2 workers).
    let epoch = { (p: Precision) in epochs.first { $0.precision == p && $0.mode == .workers } }
    if let e64 = epoch(.float64), let e32 = epoch(.float32) {
        let ratio = e32.samplesPerSecond / e64.samplesPerSecond
        targets.append(TargetResult(
            target: "float32 epoch ≥ 1.8× the float64 epoch",
            measured: String(format: "%.2f× (%@ against %@ samples/s)", ratio, formatRate(e32.samplesPerSecond), formatRate(e64.samplesPerSecond)),
            met: ratio >= 1.8, note: "784-256-128-10 relu Adam, batch 128, 2 workers, one epoch each"))
    } else {
        targets.append(TargetResult(target: "float32 epoch ≥ 1.8× the float64 epoch", measured: "not measured", met: nil, note: "no epoch section"))
    }
    let peak = { (p: String) in memory.first { $0.command.contains("--precision \(p)") && $0.status == 0 } }
    if let m64 = peak("float64"), let m32 = peak("float32") {
        let ratio = m32.peakResidentBytes / m64.peakResidentBytes
        targets.append(TargetResult(
            target: "peak memory of a float32 run ≤ 0.6× the float64 run",
            measured: String(format: "%.2f× (%.1f MB against %.1f MB)", ratio, m32.peakResidentBytes / 1e6, m64.peakResidentBytes / 1e6),
            met: ratio <= 0.6, note: "`backprop train` on Fashion-MNIST; the images stay bytes in both, so the difference is the network, its buffers and the batch"))
    }

    // 5. The lesson's quiz step at least 50× faster than NumPy's.
    let quiz = steps.filter { $0.network == NetworkSpec.quiz.name && $0.path == "loop" }
    if let blas = quiz.first(where: { $0.backend == "blas" }) {
        let reference = quiz.first { $0.backend == "reference" }
        let ratio = numpy.map { $0.quizStepSeconds / blas.stepSeconds }
        let referenceRatio = numpy.flatMap { n in reference.map { n.quizStepSeconds / $0.stepSeconds } }
        targets.append(TargetResult(
            target: "lesson's quiz step ≥ 50× faster than NumPy's",
            measured: ratio.map { String(format: "%.1f× (BLAS backend %@ against NumPy %@)", $0, formatSeconds(blas.stepSeconds), formatSeconds(numpy!.quizStepSeconds)) }
                ?? "BLAS backend \(formatSeconds(blas.stepSeconds)); NumPy not run",
            met: ratio.map { $0 >= 50 },
            note: referenceRatio.map { String(format: "reference backend: %.1f× (%@)", $0, formatSeconds(reference!.stepSeconds)) } ?? ""))
    }

    // 6. Peak memory of a full training run under 150 MB.
    if let memory = memory.first {
        let mb = memory.peakResidentBytes / 1e6
        targets.append(TargetResult(
            target: "peak memory of a Fashion-MNIST training run < 150 MB",
            measured: String(format: "%.1f MB (%@, %.0f s)", mb, memory.command, memory.seconds),
            met: memory.status == 0 ? mb < 150 : nil,
            note: memory.status == 0 ? "peak resident set size (wait4's ru_maxrss)" : "the run failed with status \(memory.status)"))
    }
    return targets
}

func targetTable(_ targets: [TargetResult]) -> Table {
    var table = Table(header: ["target", "result", "measured", "note"])
    for t in targets {
        table.rows.append([t.target, t.met.map { $0 ? "met" : "MISSED" } ?? "n/a", t.measured, t.note])
    }
    return table
}

/// The figures in long form: one value per line, with what it is, its unit, and where it came from.
func csv(_ results: BenchResults) -> String {
    var lines = ["section,name,shape,backend,threads,metric,value,unit"]
    func add(_ section: String, _ name: String, _ shape: String, _ backend: String, _ threads: String,
             _ metric: String, _ value: Double?, _ unit: String) {
        guard let value, value.isFinite else { return }
        let fields = [section, name, shape, backend, threads, metric]
            .map { $0.contains(",") || $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }
        lines.append(fields.joined(separator: ",") + ",\(value),\(unit)")
    }
    for k in results.kernels {
        for (backend, threads, seconds) in [("blas", "1", k.blas1), ("c", "1", k.c1), ("blas", "2", k.blas2),
                                            ("c", "2", k.c2), ("reference", "1", k.reference)] {
            add("kernel", k.kernel, k.shape, backend, threads, "median time", seconds, "s")
            add("kernel", k.kernel, k.shape, backend, threads, "rate", k.gflops(seconds), "GFLOP/s")
        }
        add("kernel", k.kernel, k.shape, "blas", "1", "swift/c time ratio", k.swiftOverC1, "ratio")
        add("kernel", k.kernel, k.shape, "blas", "2", "swift/c time ratio", k.swiftOverC2, "ratio")
        add("kernel", k.kernel, k.shape, "blas", "1", "speed-up over reference", k.blasSpeedUp, "ratio")
    }
    for (family, size) in results.blasWinsFrom.sorted(by: { $0.key < $1.key }) {
        add("kernel", family, "square", "blas", "1", "blas faster than reference from size", Double(size), "n")
    }
    for s in results.steps {
        let shape = (s.path == "sample" ? "batch 1, computeStep" : "batch \(s.batch)") + ", \(s.precision.rawValue)"
        for (what, value, unit) in [("median step time", s.stepSeconds, "s"), ("steps per second", s.stepsPerSecond, "1/s"),
                                    ("samples per second", s.samplesPerSecond, "1/s"), ("gemm floor time", s.floorSeconds, "s"),
                                    ("step/floor", s.overFloor, "ratio"), ("allocations per step", s.allocationsPerStep, "count")] {
            add("step", s.network, shape, s.backend, s.mode.rawValue, what, value, unit)
        }
    }
    for e in results.epochs {
        let shape = "batch \(e.batch), \(e.samples) samples, \(e.precision.rawValue)"
        for (what, value, unit) in [("seconds", e.seconds, "s"), ("samples per second", e.samplesPerSecond, "1/s"),
                                    ("gemm-floor samples per second", e.floorSamplesPerSecond, "1/s"), ("training loss", e.trainingLoss, "nats")] {
            add("epoch", e.network, shape, e.backend, e.mode.rawValue, what, value, unit)
        }
    }
    for d in results.distributed {
        let shape = "batch 128, \(d.samples) samples, \(d.epochs) epoch(s)"
        let name = "784-256-128-10 on \(d.processes) MPI process(es)" + (d.link.map { ", one per test host, link \($0)" } ?? "")
            + (d.processes > 1 ? ", exchange \(d.exchange)" : "")
        add("distributed", name, shape, "blas", String(d.threads), "samples per second", d.samplesPerSecond, "1/s")
        add("distributed", name, shape, "blas", String(d.threads), "training seconds", d.trainingSeconds, "s")
        add("distributed", name, shape, "blas", String(d.threads), "all-reduce seconds", d.allReduceSeconds, "s")
        add("distributed", name, shape, "blas", String(d.threads), "all-reduce calls", Double(d.allReduceCalls), "count")
        add("distributed", name, shape, "blas", String(d.threads), "waiting seconds", d.waitingSeconds, "s")
    }
    if let n = results.numpy {
        let threads = n.blasThreads == "1" ? "1" : n.blas["num_threads"]?.description ?? "default"
        for (t, seconds) in n.epochSecondsByThreads.sorted(by: { $0.key < $1.key }) {
            add("numpy", n.network, "batch \(n.batch), \(n.samples) samples", "numpy \(n.numpyVersion)", t, "epoch seconds (each run)", seconds, "s")
        }
        add("numpy", n.network, "batch \(n.batch), \(n.samples) samples", "numpy \(n.numpyVersion)", threads, "epoch seconds", n.epochSeconds, "s")
        add("numpy", n.network, "batch \(n.batch), \(n.samples) samples", "numpy \(n.numpyVersion)", threads, "samples per second", n.samplesPerSecond, "1/s")
        add("numpy", "quiz step", "batch 1", "numpy \(n.numpyVersion)", threads, "median step time", n.quizStepSeconds, "s")
    }
    results.peers?.csvLines(add)
    peakCSVLines(results.peak, results.achieved, add)
    for r in results.predict?.results ?? [] {
        let shape = "batch \(r.batch)"
        add("predict", "\(r.network) \(r.precision)", shape, "backprop", String(r.threads), "median time", r.backpropSeconds, "s")
        add("predict", "\(r.network) \(r.precision)", shape, "onnxruntime", String(r.threads), "median time", r.onnxSeconds, "s")
        add("predict", "\(r.network) \(r.precision)", shape, "backprop", String(r.threads), "allocations per call", r.allocationsPerCall, "count")
    }
    for m in results.memory {
        add("memory", m.command, "", "blas", "2", "peak resident memory", m.peakResidentBytes / 1e6, "MB")
    }
    return lines.joined(separator: "\n") + "\n"
}
