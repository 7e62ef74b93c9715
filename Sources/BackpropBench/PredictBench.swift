// PredictBench.swift: prediction: the Swift API's single-sample predict (time, allocations) and the forward pass of a 1,024-row block, beside ONNX Runtime running the same model exported with `backprop export --format onnx`.
import Backprop
import ModelFiles
import CMallocCounter
import Datasets
import Foundation

/// One network, precision and batch: this package's time per call and ONNX Runtime's on the same
/// inputs and threads.
struct PredictResult: Encodable {
    var network, precision: String
    var batch: Int
    /// Threads on both sides: OpenBLAS's, and ONNX Runtime's intra-op threads.
    var threads: Int
    /// `Network.predict(_:workspace:into:)` (batch 1) or `Network.forward` into a reused workspace (the predict tool's block).
    var backpropSeconds: Double
    var onnxSeconds: Double?
    /// Heap allocations per call after warm-up (batch 1 only).
    var allocationsPerCall: Double?
}

/// The prediction figures, and what kept any from being measured.
struct PredictComparison: Encodable {
    var results: [PredictResult]
    var onnxruntimeVersion: String?
    var notes: [String]
}

/// The networks timed: the 784-64-10 and the bench's 784-256-128-10 (ReLU, softmax).
let predictSpecs = [
    NetworkSpec(name: "784-64-10 relu", sizes: [784, 64, 10], hidden: .relu, output: .softmax, loss: .crossEntropy, bias: true, optimizer: "adam"),
    NetworkSpec.large,
]

/// This package's side of one network in one precision: batch 1 on one thread (time and
/// allocations per call) and a block of `inputs.rows` on one and on two threads (OpenBLAS's; two
/// as `backprop predict` runs it).
func predictTimes<B: LinearAlgebra>(_: B.Type, spec: NetworkSpec, inputs: Matrix<Double>, budget: Double)
    -> (one: Double, block: [Int: Double], allocations: Double?) {
    let network = spec.make(B.self)
    let x = inputs.converted(to: B.Scalar.self)
    let row = Matrix(rows: 1, columns: x.columns, elements: Array(x.elements[0..<x.columns]))
    let single = Workspace<B.Scalar>(batch: 1, layers: network.layers), block = Workspace<B.Scalar>(batch: x.rows, layers: network.layers)
    var out = [B.Scalar](repeating: 0, count: network.outputCount)
    BLASThreads.set(1)
    let one = Timing.median(samples: 15, minimumSample: 0.001, budget: budget) { network.predict(row, workspace: single, into: &out) }
    let before = malloc_counter_allocations()
    for _ in 0..<1000 { network.predict(row, workspace: single, into: &out) }
    let allocations = mallocCounterActive ? Double(malloc_counter_allocations() - before) / 1000 : nil
    var blockSeconds: [Int: Double] = [:]
    for threads in [1, 2] {
        BLASThreads.set(threads)
        blockSeconds[threads] = Timing.median(samples: 21, minimumSample: 0.02, budget: budget) { network.forward(x, workspace: block) }
    }
    BLASThreads.set(1)
    return (one, blockSeconds, allocations)
}

/// Times this package's prediction, and (unless `quick`) ONNX Runtime's on the same models exported
/// by `tool` (`backprop export --format onnx`) when `python` can import onnxruntime.
func measurePredict(tool: String, python: String, script: String, quick: Bool, log: (String) -> Void) -> PredictComparison {
    var rng = SeededGenerator(seed: 11)
    let rows = 1024
    let inputs = Matrix<Double>.randomUniform(rows: rows, columns: 784, using: &rng)
    var results: [PredictResult] = []
    var notes: [String] = []
    var jobs: [[String: Any]] = []
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-bench-predict-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let inputFile = folder + "/inputs.npy"
    try? Data(NumPy.encode(inputs.elements, rows: rows, columns: 784)).write(to: URL(fileURLWithPath: inputFile))
    let wantONNX = !quick && (runProcess("/usr/bin/env", [python, "-c", "import onnxruntime"])?.status == 0)
    if quick { notes.append("--quick: ONNX Runtime is not run") } else if !wantONNX {
        notes.append("\(python) cannot import onnxruntime (scripts/setup.sh --python); its column is empty")
    }
    for spec in predictSpecs {
        for precision in [Precision.float32, .float64] {
            log("predict: \(spec.name) \(precision.rawValue)")
            let t = precision == .float32 ? predictTimes(BLAS<Float>.self, spec: spec, inputs: inputs, budget: quick ? 0.3 : 2)
                : predictTimes(BLAS<Double>.self, spec: spec, inputs: inputs, budget: quick ? 0.3 : 2)
            results.append(PredictResult(network: spec.name, precision: precision.rawValue, batch: 1, threads: 1, backpropSeconds: t.one, allocationsPerCall: t.allocations))
            for threads in [1, 2] {
                results.append(PredictResult(network: spec.name, precision: precision.rawValue, batch: rows, threads: threads,
                                             backpropSeconds: t.block[threads]!))
            }
            guard wantONNX else { continue }
            let base = folder + "/\(spec.sizes.map(String.init).joined(separator: "-"))-\(precision.rawValue)"
            func network<B: LinearAlgebra>(_: B.Type) -> SavedModel { try! SavedModel(network: spec.make(B.self)) }
            let saved = precision == .float32 ? network(BLAS<Float>.self) : network(BLAS<Double>.self)
            let export = (try? saved.save(to: base + ".json")).flatMap {
                runProcess(tool, ["export", base + ".json", "--format", "onnx", "--output", base + ".onnx"])
            }
            guard export?.status == 0 else { notes.append("could not export \(spec.name) \(precision.rawValue) with \(tool)"); continue }
            for (batch, threads) in [(1, 1), (rows, 1), (rows, 2)] {
                jobs.append(["model": base + ".onnx", "dtype": precision.rawValue, "batch": batch, "threads": threads, "inputs": inputFile])
            }
        }
    }
    var version: String? = nil
    if !jobs.isEmpty, let data = try? JSONSerialization.data(withJSONObject: jobs),
       (try? data.write(to: URL(fileURLWithPath: folder + "/jobs.json"))) != nil {
        log("predict: \(script)")
        if let run = runProcess("/usr/bin/env", [python, script, folder + "/jobs.json"]), run.status == 0,
           let line = run.standardOutput.split(separator: "\n").last,
           let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
           let timed = json["results"] as? [[String: Any]] {
            version = json["onnxruntimeVersion"] as? String
            for job in timed {
                guard let model = job["model"] as? String, let batch = job["batch"] as? Int, let seconds = job["seconds"] as? Double,
                      let dtype = job["dtype"] as? String,
                      let threads = job["threads"] as? Int,
                      let k = results.firstIndex(where: { r in r.batch == batch && r.threads == threads && r.precision == dtype
                          && model.hasSuffix("/" + predictSpecs.first { $0.name == r.network }!.sizes.map(String.init).joined(separator: "-") + "-\(dtype).onnx") })
                else { continue }
                results[k].onnxSeconds = seconds
            }
        } else {
            notes.append("the ONNX Runtime script failed; its column is empty")
        }
    }
    return PredictComparison(results: results, onnxruntimeVersion: version, notes: notes)
}

extension PredictComparison {
    /// Per network, precision and batch: each side's time per call and this package's speed ratio (> 1: faster).
    var table: Table {
        var table = Table(header: ["network", "precision", "batch", "threads", "backprop", "ONNX Runtime", "ORT time / backprop time",
                                   "allocations"], rightAligned: Set(2...7))
        for r in results {
            table.rows.append([r.network, r.precision, String(r.batch), String(r.threads), formatSeconds(r.backpropSeconds),
                               r.onnxSeconds.map(formatSeconds) ?? "—", r.onnxSeconds.map { ratioText($0 / r.backpropSeconds) } ?? "—",
                               r.allocationsPerCall.map { format($0, "%.2f") } ?? "—"])
        }
        return table
    }

    /// The goals: ahead of ONNX Runtime at batch 1,024 (on 2 threads, as `backprop predict`), within 2× of it at
    /// batch 1 (every network and precision).
    var targets: [TargetResult] {
        func goal(_ label: String, batch: Int, threads: Int, _ met: @escaping (Double) -> Bool) -> TargetResult {
            let ratios = results.filter { $0.batch == batch && $0.threads == threads }.compactMap { r in r.onnxSeconds.map { $0 / r.backpropSeconds } }
            return TargetResult(target: label,
                                measured: ratios.isEmpty ? "not measured" : "ORT time / backprop time " + ratios.map { format($0, "%.2f") }.joined(separator: ", "),
                                met: ratios.isEmpty ? nil : ratios.allSatisfy(met),
                                note: "784-64-10 and 784-256-128-10, float32 then float64 each; same inputs and threads")
        }
        return [goal("prediction at batch 1,024, 2 threads, ahead of ONNX Runtime", batch: 1024, threads: 2) { $0 > 1 },
                goal("prediction at batch 1 within 2× of ONNX Runtime", batch: 1, threads: 1) { $0 >= 0.5 }]
    }
}
