// Peers.swift: one epoch of one problem by one framework in one precision (a line of `scripts/peer_bench.py`'s JSON, or this package's own run).
import Backprop
import Datasets
import Foundation

/// One epoch of one problem by one framework in one precision (a line of `scripts/peer_bench.py`'s
/// JSON, or this package's own run).
struct PeerRun: Codable {
    var framework: String
    /// "relu-adam" or "sigmoid-sgd" (``PeerProblem``).
    var problem, precision: String
    var samples: Int
    var epochSeconds, samplesPerSecond: Double
    /// "default" or "1" for the peers (the faster of the two); the thread layout for this package.
    var threads: String
    var trainingLoss: Double
}

/// What `scripts/peer_bench.py` printed.
struct PeerReport: Codable {
    var numpyVersion, pythonVersion: String
    var blas: [String: JSONScalar]
    var torchVersion: String?
    var torchThreads: Int?
    var torchNote: String?
    var jaxVersion: String?
    var jaxNote: String?
    var batch: Int
    var runs: [PeerRun]
}

/// The peers' runs beside this package's on the same problems.
struct PeerComparison: Encodable {
    var peers: PeerReport?
    var swift: [PeerRun]
    var notes: [String]
}

/// The problems of the comparison: the same layers, initialisation, optimiser and learning rate on
/// every side, batch 128, no dropout, no validation, one epoch.
struct PeerProblem {
    let name: String
    let spec: NetworkSpec
    let learningRate: Double

    static let all = [
        PeerProblem(name: "relu-adam", spec: .large, learningRate: 1e-3),
        PeerProblem(name: "sigmoid-sgd", spec: NetworkSpec(name: "784-128-10 sigmoid", sizes: [784, 128, 10], hidden: .sigmoid,
                                                           output: .softmax, loss: .crossEntropy, bias: true, optimizer: "sgd"),
                    learningRate: 0.1),
    ]
}

/// One epoch of `problem` through `Trainer.train` with the CLI's thread layout (2 workers,
/// OpenBLAS at 1 thread each).
func swiftPeerEpoch<B: LinearAlgebra>(_: B.Type, _ problem: PeerProblem, data: Dataset) -> PeerRun {
    BLASThreads.set(1)
    var config = oneEpoch(batch: 128, threads: 2)
    config.learningRate = problem.learningRate
    let trainer = try! Trainer(network: problem.spec.make(B.self), optimizer: Optimizer(name: problem.spec.optimizer)!,
                               configuration: config)
    let metrics = try! trainer.train(training: data, validation: nil, scaler: FeatureScaler.fit(.standardize, on: data))[0]
    return PeerRun(framework: "backprop", problem: problem.name, precision: B.Scalar.precision.rawValue, samples: data.count,
                   epochSeconds: metrics.seconds, samplesPerSecond: metrics.samplesPerSecond, threads: ThreadMode.workers.rawValue,
                   trainingLoss: metrics.trainingLoss)
}

/// Runs the peers' script and this package's epochs on the same problems.
func measurePeers(data: Dataset, python: String, script: String, quick: Bool, log: (String) -> Void) -> PeerComparison {
    var notes: [String] = []
    var report: PeerReport? = nil
    log("peers: \(script)\(quick ? " --quick" : "")")
    if let check = runProcess("/usr/bin/env", [python, "-c", "import numpy"]), check.status == 0 {
        if let output = runProcess("/usr/bin/env", [python, script] + (quick ? ["--quick", "--no-jax"] : [])), output.status == 0,
           let line = output.standardOutput.split(separator: "\n").last {
            report = try? JSONDecoder().decode(PeerReport.self, from: Data(line.utf8))
            if report == nil { notes.append("the peer script printed no result line") }
        } else {
            notes.append("the peer script failed")
        }
    } else {
        notes.append("\(python) with NumPy not found; the peers are not run")
    }
    if let note = report?.torchNote { notes.append(note) }
    if let note = report?.jaxNote { notes.append(note) }
    var swift: [PeerRun] = []
    for problem in PeerProblem.all {
        log("peers: backprop \(problem.name) float64")
        swift.append(swiftPeerEpoch(BLAS<Double>.self, problem, data: data))
        log("peers: backprop \(problem.name) float32")
        swift.append(swiftPeerEpoch(BLAS<Float>.self, problem, data: data))
    }
    return PeerComparison(peers: report, swift: swift, notes: notes)
}

extension PeerComparison {
    func run(_ framework: String, _ problem: String, _ precision: String) -> PeerRun? {
        (framework == "backprop" ? swift : peers?.runs ?? []).first {
            $0.framework == framework && $0.problem == problem && $0.precision == precision
        }
    }

    /// Per problem and precision: samples/s of each side and this package's ratio to each peer.
    var table: Table {
        var table = Table(header: ["problem", "precision", "backprop", "NumPy", "backprop/NumPy", "PyTorch", "backprop/PyTorch",
                                   "JAX", "backprop/JAX", "loss (backprop, NumPy, PyTorch, JAX)"],
                          rightAligned: Set(2...8))
        for problem in PeerProblem.all {
            for precision in ["float64", "float32"] {
                let (ours, numpy, torch) = (run("backprop", problem.name, precision), run("numpy", problem.name, precision),
                                            run("torch", problem.name, precision))
                let jax = run("jax", problem.name, precision)
                func ratio(_ peer: PeerRun?) -> String {
                    guard let ours, let peer else { return "—" }
                    return ratioText(ours.samplesPerSecond / peer.samplesPerSecond)
                }
                table.rows.append([
                    "\(problem.spec.name), \(problem.spec.optimizer)", precision,
                    ours.map { formatRate($0.samplesPerSecond) } ?? "—",
                    numpy.map { "\(formatRate($0.samplesPerSecond)) (\($0.threads == "1" ? "1t" : "default t"))" } ?? "—", ratio(numpy),
                    torch.map { "\(formatRate($0.samplesPerSecond)) (\($0.threads == "1" ? "1t" : "default t"))" } ?? "—", ratio(torch),
                    jax.map { "\(formatRate($0.samplesPerSecond)) (jit)" } ?? "—", ratio(jax),
                    [ours, numpy, torch, jax].map { $0.map { format($0.trainingLoss, "%.4f") } ?? "—" }.joined(separator: ", "),
                ])
            }
        }
        return table
    }

    /// The issue's comparison goals: float64 ≥ 1.5× NumPy float64 on both networks, float32 ≥ 1.5×
    /// PyTorch float32 on 784-256-128-10 Adam.
    var targets: [TargetResult] {
        var targets: [TargetResult] = []
        func goal(_ label: String, _ problem: String, _ precision: String, _ peer: String, _ peerName: String) {
            let (ours, theirs) = (run("backprop", problem, precision), run(peer, problem, precision))
            let ratio = ours.flatMap { o in theirs.map { o.samplesPerSecond / $0.samplesPerSecond } }
            targets.append(TargetResult(
                target: label,
                measured: ratio.map { String(format: "%.2f× (%@ against %@ samples/s)", $0, formatRate(ours!.samplesPerSecond), formatRate(theirs!.samplesPerSecond)) }
                    ?? "not measured",
                met: ratio.map { $0 >= 1.5 },
                note: ours == nil ? "no \(precision) run of this package" : theirs == nil ? "no \(peerName) \(precision) run" : "one epoch each, batch 128; \(peerName) at its faster thread setting"))
        }
        goal("float64 784-256-128-10 relu Adam ≥ 1.5× careful NumPy float64", "relu-adam", "float64", "numpy", "NumPy")
        goal("float64 784-128-10 sigmoid SGD ≥ 1.5× careful NumPy float64", "sigmoid-sgd", "float64", "numpy", "NumPy")
        goal("float32 784-256-128-10 relu Adam ≥ 1.5× PyTorch float32", "relu-adam", "float32", "torch", "PyTorch")
        return targets
    }

    /// The comparison's lines of bench.csv.
    func csvLines(_ add: (String, String, String, String, String, String, Double?, String) -> Void) {
        for r in swift + (peers?.runs ?? []) {
            let name = "\(r.problem) \(r.precision)", shape = "batch 128, \(r.samples) samples"
            add("peers", name, shape, r.framework, r.threads, "samples per second", r.samplesPerSecond, "1/s")
            add("peers", name, shape, r.framework, r.threads, "epoch seconds", r.epochSeconds, "s")
            add("peers", name, shape, r.framework, r.threads, "training loss", r.trainingLoss, "nats")
        }
    }
}
