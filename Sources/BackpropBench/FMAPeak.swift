// FMAPeak.swift: the machine's FMA peak measured in the run, OpenBLAS's large-gemm rate, and each epoch's achieved GFLOP/s as a fraction of them.
import Backprop
import CFMAProbe
import Foundation

/// The peak of one precision at one thread count, measured in this run.
///
/// `fmaGFLOPS`: the best GFLOP/s of the FMA probe (`fma_probe_gflops`: every thread at once),
/// the processor's FMA throughput with nothing read from or written to memory. `gemmGFLOPS`: the
/// best of one `gemmSize`³ `gemm` with OpenBLAS at `threads` threads, what OpenBLAS's kernels for
/// this processor attain on a product that fits them well.
struct PeakRate: Encodable {
    var precision: Precision
    var threads, gemmSize: Int
    var fmaGFLOPS, gemmGFLOPS: Double
}

/// The probe's instruction set and the peaks at 1 and 2 threads in both precisions.
struct MachinePeak: Encodable {
    /// `fma_probe_isa()`: "avx512", "avx2+fma" or "baseline" (no FMA: then the figures are no peak).
    var isa: String
    var rates: [PeakRate]

    func rate(_ precision: Precision, threads: Int) -> PeakRate? {
        rates.first { $0.precision == precision && $0.threads == threads }
    }
}

/// The best of a few calls of an n×n×n gemm on `B`, OpenBLAS at the threads set now, in GFLOP/s.
private func bestGemm<B: LinearAlgebra>(_: B.Type, n: Int, calls: Int) -> Double {
    var rng = SeededGenerator(seed: 11)
    let a = Matrix<B.Scalar>.randomUniform(rows: n, columns: n, using: &rng)
    let b = Matrix<B.Scalar>.randomUniform(rows: n, columns: n, using: &rng)
    var c = Matrix<B.Scalar>(rows: n, columns: n)
    B.gemm(.none, .none, alpha: 1, a, b, beta: 0, into: &c)  // Warm-up: OpenBLAS's buffers and threads.
    var best = 0.0
    for _ in 0..<calls {
        let start = MonotonicClock.seconds()
        B.gemm(.none, .none, alpha: 1, a, b, beta: 0, into: &c)
        best = max(best, 2 * Double(n) * Double(n) * Double(n) / (MonotonicClock.seconds() - start) / 1e9)
    }
    return best
}

/// Measures the FMA peak and the large-gemm rate, float32 and float64, at 1 and 2 threads. The
/// best sample counts (a peak: samples slowed by other work on a shared machine are dropped); the
/// probe's samples last about a millisecond each and are taken many times.
func measurePeak(quick: Bool, log: (String) -> Void) -> MachinePeak {
    var rates: [PeakRate] = []
    let n = quick ? 512 : 1024
    for threads in [1, 2] {
        for precision in [Precision.float32, .float64] {
            log("peak: FMA probe and \(n)³ gemm, \(precision.rawValue), \(threads) thread(s)")
            var fma = 0.0
            for _ in 0..<(quick ? 40 : 200) {  // About a millisecond each: many, to catch both cores free.
                fma = max(fma, fma_probe_gflops(precision == .float32 ? 32 : 64, Int32(threads), 1 << 18))
            }
            BLASThreads.set(threads)
            let calls = quick ? 3 : 6
            let gemm = precision == .float32 ? bestGemm(BLAS<Float>.self, n: n, calls: calls) : bestGemm(BLAS<Double>.self, n: n, calls: calls)
            rates.append(PeakRate(precision: precision, threads: threads, gemmSize: n, fmaGFLOPS: fma, gemmGFLOPS: gemm))
        }
    }
    BLASThreads.set(1)
    // An unoptimised build of the probe keeps its chains in memory: its figures are no peak.
    #if DEBUG
    let debug = " (a debug build: not a peak)"
    #else
    let debug = ""
    #endif
    return MachinePeak(isa: String(cString: fma_probe_isa()) + debug, rates: rates)
}

/// One training epoch's achieved rate: its products' FLOPs (``NetworkSpec/flopsPerSample``) times
/// samples per second, against the peaks at the thread count it ran on.
struct AchievedRate: Encodable {
    /// "epoch" (the epoch section) or "peers" (this package's runs of the peer comparison).
    var section: String
    var network, optimizer: String
    var precision: Precision
    var threads: String
    /// Cores the arrangement uses (1 for "1 thread", else 2): the peak it is compared with.
    var cores: Int
    var samplesPerSecond, flopsPerSample: Double
    /// Derived: samples/s × FLOPs a sample, and its fractions of the peaks (nil without a peak).
    var gflops: Double, fmaPeakGFLOPS: Double?, gemmPeakGFLOPS: Double?, fractionOfFMAPeak: Double?, fractionOfGemmPeak: Double?
}

/// The epoch section's rows and this package's peer runs, each against the peak at its core count.
func achievedRates(epochs: [EpochResult], peers: PeerComparison?, peak: MachinePeak?) -> [AchievedRate] {
    func rate(_ section: String, _ spec: NetworkSpec, _ precision: Precision, _ threads: String, _ cores: Int,
              _ samplesPerSecond: Double) -> AchievedRate {
        let p = peak?.rate(precision, threads: cores)
        let gflops = samplesPerSecond * spec.flopsPerSample / 1e9
        return AchievedRate(section: section, network: spec.name, optimizer: spec.optimizer, precision: precision, threads: threads,
                            cores: cores, samplesPerSecond: samplesPerSecond, flopsPerSample: spec.flopsPerSample, gflops: gflops,
                            fmaPeakGFLOPS: p?.fmaGFLOPS, gemmPeakGFLOPS: p?.gemmGFLOPS,
                            fractionOfFMAPeak: p.map { gflops / $0.fmaGFLOPS }, fractionOfGemmPeak: p.map { gflops / $0.gemmGFLOPS })
    }
    var rates = epochs.map { rate("epoch", .large, $0.precision, $0.mode.rawValue, $0.mode.threads, $0.samplesPerSecond) }
    for run in peers?.swift ?? [] {
        guard let problem = PeerProblem.all.first(where: { $0.name == run.problem }),
              let precision = Precision(rawValue: run.precision) else { continue }
        rates.append(rate("peers", problem.spec, precision, run.threads, 2, run.samplesPerSecond))
    }
    return rates
}

/// The peaks, one row per precision and thread count.
func peakTable(_ peak: MachinePeak) -> Table {
    var table = Table(header: ["precision", "threads", "FMA peak GFLOP/s", "per thread", "gemm GFLOP/s", "gemm/FMA peak"],
                      rightAligned: Set(1...5))
    for r in peak.rates {
        table.rows.append([r.precision.rawValue, String(r.threads), format(r.fmaGFLOPS, "%.1f"), format(r.fmaGFLOPS / Double(r.threads), "%.1f"),
                           "\(format(r.gemmGFLOPS, "%.1f")) (\(r.gemmSize)³)", format(r.gemmGFLOPS / r.fmaGFLOPS * 100, "%.0f%%")])
    }
    return table
}

/// Each epoch's achieved GFLOP/s and its fractions of the peaks.
func achievedTable(_ rates: [AchievedRate]) -> Table {
    var table = Table(header: ["epoch", "precision", "threads", "samples/s", "MFLOP/sample", "GFLOP/s", "of FMA peak", "of gemm rate"],
                      rightAligned: Set(3...7))
    for r in rates {
        table.rows.append(["\(r.network), \(r.optimizer) (\(r.section))", r.precision.rawValue, r.threads, formatRate(r.samplesPerSecond),
                           format(r.flopsPerSample / 1e6, "%.3f"), format(r.gflops, "%.1f"),
                           format(r.fractionOfFMAPeak.map { $0 * 100 }, "%.0f%%"), format(r.fractionOfGemmPeak.map { $0 * 100 }, "%.0f%%")])
    }
    return table
}

/// The issue's goal: float32 784-256-128-10 ReLU/Adam at ≥ 60% of the FMA peak (the best arrangement's epoch).
func peakTargets(_ rates: [AchievedRate]) -> [TargetResult] {
    let candidates = rates.filter { $0.network == NetworkSpec.large.name && $0.optimizer == "adam" && $0.precision == .float32
        && $0.fractionOfFMAPeak != nil }
    guard let best = candidates.max(by: { $0.fractionOfFMAPeak! < $1.fractionOfFMAPeak! }) else {
        return [TargetResult(target: "float32 784-256-128-10 relu Adam epoch ≥ 60% of the FMA peak", measured: "not measured",
                             met: nil, note: "needs the peak and epoch (or peers) sections")]
    }
    return [TargetResult(
        target: "float32 784-256-128-10 relu Adam epoch ≥ 60% of the FMA peak",
        measured: String(format: "%.0f%% (%.1f against %.1f GFLOP/s, %@, %@)", best.fractionOfFMAPeak! * 100, best.gflops,
                         best.fmaPeakGFLOPS!, best.threads, best.section),
        met: best.fractionOfFMAPeak! >= 0.6,
        note: String(format: "the best of %d epoch rows; of OpenBLAS's large-gemm rate: %.0f%%", candidates.count,
                     (best.fractionOfGemmPeak ?? .nan) * 100))]
}

/// The peaks' and achieved rates' lines of bench.csv.
func peakCSVLines(_ peak: MachinePeak?, _ rates: [AchievedRate], _ add: (String, String, String, String, String, String, Double?, String) -> Void) {
    for r in peak?.rates ?? [] {
        add("peak", "fma probe \(r.precision.rawValue)", peak!.isa, "c", String(r.threads), "rate", r.fmaGFLOPS, "GFLOP/s")
        add("peak", "gemm \(r.precision.rawValue)", "\(r.gemmSize)×\(r.gemmSize)×\(r.gemmSize)", "blas", String(r.threads), "rate", r.gemmGFLOPS, "GFLOP/s")
    }
    for r in rates {
        let name = "\(r.network) \(r.optimizer) \(r.precision.rawValue) (\(r.section))"
        add("achieved", name, "batch 128", "blas", r.threads, "rate", r.gflops, "GFLOP/s")
        add("achieved", name, "batch 128", "blas", r.threads, "fraction of fma peak", r.fractionOfFMAPeak, "ratio")
        add("achieved", name, "batch 128", "blas", r.threads, "fraction of gemm rate", r.fractionOfGemmPeak, "ratio")
    }
}

/// A note when OpenBLAS runs kernels older than the processor all the same (a user's
/// `OPENBLAS_CORETYPE` that names them: otherwise the bench restarted on better ones,
/// `OpenBLASKernels`): which core type to ask for instead.
func olderKernelsNote(isa: String, core: String) -> String? {
    guard let better = OpenBLASKernels.suggestedCore(current: core, flags: OpenBLASKernels.processorFlags) else { return nil }
    return "OpenBLAS runs its \(core) kernels, older than this \(isa) processor, so its gemm reaches a small part of the FMA peak; "
        + "OPENBLAS_CORETYPE=\(better) (set before the program starts) selects kernels that use the FMA units"
}
