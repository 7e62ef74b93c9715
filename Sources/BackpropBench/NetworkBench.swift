// NetworkBench.swift: the networks the bench trains, their steps against their gemm calls, and their allocations.
import Backprop
import CMallocCounter
import Datasets
import Dispatch
import Foundation

/// A network the bench trains: its layer sizes, activations, loss and optimiser.
struct NetworkSpec {
    let name: String
    let sizes: [Int]
    let hidden: Activation
    let output: Activation
    let loss: Loss
    let bias: Bool
    let optimizer: String

    /// The lesson's quiz network: 3-2-1, sigmoid, squared error, no biases, plain gradient descent.
    static let quiz = NetworkSpec(name: "quiz 3-2-1 sigmoid", sizes: [3, 2, 1], hidden: .sigmoid, output: .sigmoid,
                                  loss: .squaredError, bias: false, optimizer: "sgd")
    static let small = NetworkSpec(name: "784-128-10 sigmoid", sizes: [784, 128, 10], hidden: .sigmoid, output: .softmax,
                                   loss: .crossEntropy, bias: true, optimizer: "adam")
    static let large = NetworkSpec(name: "784-256-128-10 relu", sizes: [784, 256, 128, 10], hidden: .relu, output: .softmax,
                                   loss: .crossEntropy, bias: true, optimizer: "adam")

    func make<B: LinearAlgebra>(_: B.Type) -> Network<B> {
        var rng = SeededGenerator(seed: 7)
        return try! Network<B>.make(sizes: sizes, hidden: hidden, output: output, loss: loss, bias: bias, using: &rng)
    }

    /// Multiply-adds ×2 of one sample's forward and backward products (no error terms into the inputs).
    var flopsPerSample: Double {
        var total = 0.0
        for l in 0..<(sizes.count - 1) {
            let product = 2 * Double(sizes[l] * sizes[l + 1])
            total += l == 0 ? 2 * product : 3 * product
        }
        return total
    }
}

/// How a step uses the two cores.
enum ThreadMode: String, Codable, CaseIterable {
    /// One worker, OpenBLAS at one thread.
    case one = "1 thread"
    /// One worker, OpenBLAS at two threads (OpenBLAS splits each product).
    case blas = "2 BLAS threads"
    /// Two workers each on half the batch, OpenBLAS at one thread each (the trainer's data parallelism).
    case workers = "2 workers"

    var threads: Int { self == .one ? 1 : 2 }
    var workers: Int { self == .workers ? 2 : 1 }
    var blasThreads: Int { self == .blas ? 2 : 1 }
}

/// One training-step measurement.
struct StepResult: Encodable {
    var network: String
    var batch: Int
    var backend: String
    /// The precision the network computes in.
    var precision: Precision
    var mode: ThreadMode
    /// Median seconds of one step (forward, backward, optimiser update, and in the trainer the
    /// batch's feature conversion, one-hot targets, finiteness check and progress event).
    var stepSeconds: Double
    /// Median seconds of the same step's BLAS calls alone (`gemm`; `gemv`, `ger` and `axpy` for the
    /// "sample" path), on the same backend and threads.
    var floorSeconds: Double
    /// Heap allocations per step after warm-up (nil when the malloc counter is not active).
    var allocationsPerStep: Double?
    /// Steps timed.
    var steps: Int
    /// How the step was driven: "trainer" (Trainer.train's per-batch path), "loop" (gradients + update)
    /// or "sample" (`Network.computeStep` on one row into a reused `Workspace`, nothing applied).
    var path: String

    var stepsPerSecond: Double { 1 / stepSeconds }
    var samplesPerSecond: Double { Double(batch) / stepSeconds }
    var overFloor: Double { stepSeconds / floorSeconds }

    private enum Keys: String, CodingKey {
        case network, batch, backend, precision, mode, stepSeconds, floorSeconds, allocationsPerStep, steps, path
        case stepsPerSecond, samplesPerSecond, overFloor
    }

    /// The measured fields, and the rates and the ratio derived from them.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(network, forKey: .network)
        try c.encode(batch, forKey: .batch)
        try c.encode(backend, forKey: .backend)
        try c.encode(precision, forKey: .precision)
        try c.encode(mode, forKey: .mode)
        try c.encode(stepSeconds, forKey: .stepSeconds)
        try c.encode(floorSeconds, forKey: .floorSeconds)
        try c.encode(allocationsPerStep, forKey: .allocationsPerStep)
        try c.encode(steps, forKey: .steps)
        try c.encode(path, forKey: .path)
        try c.encode(stepsPerSecond, forKey: .stepsPerSecond)
        try c.encode(samplesPerSecond, forKey: .samplesPerSecond)
        try c.encode(overFloor, forKey: .overFloor)
    }
}

/// One `gemm` call's operands: C ← op(A)·op(B) + β·C.
struct GemmCall<Scalar: BLASScalar> { var transA: Transpose, transB: Transpose, a: Matrix<Scalar>, b: Matrix<Scalar>, beta: Scalar, c: Matrix<Scalar> }

/// The `gemm` calls of one training step (Forward.swift and Backward.swift): per layer, H = X·W
/// (β = 1 onto the broadcast bias); then from the top, ∂L/∂W = Xᵀ·Δ and, below the top layer's
/// inputs, Δ·Wᵀ. Operands are preallocated; the closure runs them in order.
func gemmCalls<B: LinearAlgebra>(_: B.Type, sizes: [Int], batch: Int, bias: Bool) -> () -> Void {
    var rng = SeededGenerator(seed: 9)
    func random(_ r: Int, _ c: Int) -> Matrix<B.Scalar> { .randomUniform(rows: r, columns: c, using: &rng) }
    var calls: [GemmCall<B.Scalar>] = []
    let layers = sizes.count - 1
    for l in 0..<layers {
        calls.append(GemmCall(transA: .none, transB: .none, a: random(batch, sizes[l]), b: random(sizes[l], sizes[l + 1]),
                          beta: bias ? 1 : 0, c: random(batch, sizes[l + 1])))
    }
    for l in (0..<layers).reversed() {
        calls.append(GemmCall(transA: .transpose, transB: .none, a: random(batch, sizes[l]), b: random(batch, sizes[l + 1]),
                          beta: 0, c: random(sizes[l], sizes[l + 1])))
        if l > 0 {
            calls.append(GemmCall(transA: .none, transB: .transpose, a: random(batch, sizes[l + 1]), b: random(sizes[l], sizes[l + 1]),
                              beta: 0, c: random(batch, sizes[l])))
        }
    }
    return {
        for i in calls.indices {
            B.gemm(calls[i].transA, calls[i].transB, alpha: 1, calls[i].a, calls[i].b, beta: calls[i].beta, into: &calls[i].c)
        }
    }
}

/// A box the concurrent floor runs write through; each worker touches only its own closure.
final class FloorWorkers: @unchecked Sendable {
    let runs: [() -> Void]
    init(_ runs: [() -> Void]) { self.runs = runs }
}

/// The median time of a step's `gemm` calls alone, split over workers as DataParallelGradients splits the batch.
func floorSeconds<B: LinearAlgebra>(_: B.Type, spec: NetworkSpec, batch: Int, mode: ThreadMode, budget: Double) -> Double {
    let used = max(1, min(mode.workers, batch / 16))  // DataParallelGradients.minimumSlice
    let slices = (0..<used).map { w in batch / used + (w < batch % used ? 1 : 0) }
    let workers = FloorWorkers(slices.map { gemmCalls(B.self, sizes: spec.sizes, batch: $0, bias: spec.bias) })
    if used == 1 { return Timing.median(budget: budget, workers.runs[0]) }
    return Timing.median(budget: budget) {
        DispatchQueue.concurrentPerform(iterations: used) { w in workers.runs[w]() }
    }
}

/// Times training steps through `Trainer.train`: the interval between two consecutive batch events
/// is one whole per-batch iteration. The first `warmUp` batches (which allocate the workspaces) are
/// left out; the rest give the median and the heap allocations per step.
func trainerSteps<B: LinearAlgebra>(_: B.Type, spec: NetworkSpec, data: Dataset, batch: Int, mode: ThreadMode,
                                    steps: Int) -> (median: Double, allocationsPerStep: Double?, steps: Int) {
    let warmUp = 3
    let steps = max(warmUp + 3, min(steps, data.count / batch))
    let subset = data.subset(Array(0..<(steps * batch)))
    BLASThreads.set(mode.blasThreads)
    let config = oneEpoch(batch: batch, threads: mode.workers)
    let trainer = try! Trainer(network: spec.make(B.self), optimizer: Optimizer(name: spec.optimizer)!, configuration: config)
    let scaler = FeatureScaler.fit(.standardize, on: subset)
    var times = [Double](repeating: 0, count: steps + 1)
    var counts = [UInt64](repeating: 0, count: steps + 1)
    _ = try! trainer.train(training: subset, validation: nil, scaler: scaler, progress: { event in
        if case .batch(_, let b, _, _, _, _) = event {  // Nothing here may allocate.
            times[b] = MonotonicClock.seconds()
            counts[b] = UInt64(malloc_counter_allocations())
        }
    })
    let intervals = (warmUp + 1...steps).map { times[$0] - times[$0 - 1] }
    let measured = Double(steps - warmUp)
    let allocations = mallocCounterActive ? Double(counts[steps] - counts[warmUp]) / measured : nil
    return (Timing.median(intervals), allocations, steps - warmUp)
}

/// Times the lesson's step as a loop: `Network.gradients` into a reused workspace, then the
/// optimiser's update (batch `inputs.rows`), in `B`'s precision.
func loopSteps<B: LinearAlgebra>(_: B.Type, spec: NetworkSpec, inputs: Matrix<Double>, targets: Matrix<Double>,
                                 budget: Double) -> (median: Double, allocationsPerStep: Double?) {
    BLASThreads.set(1)
    var network = spec.make(B.self)
    let optimizer = Optimizer(name: spec.optimizer)!, split = ParallelElementwise<B.Scalar>.serial()
    var slots = OptimizerSlots<B.Scalar>()
    let workspace = Workspace<B.Scalar>(batch: inputs.rows, layers: network.layers)
    var gradients = ParameterArrays<B.Scalar>(zerosLike: network.layers)
    let inputs = inputs.converted(to: B.Scalar.self), targets = targets.converted(to: B.Scalar.self)
    let step = {
        network.gradients(inputs: inputs, targets: targets, workspace: workspace, into: &gradients)
        optimizer.update(&network, gradients: gradients, learningRate: 0.5, slots: &slots, split: split)
    }
    let median = Timing.median(budget: budget, step)
    let repeats = 1000
    let before = malloc_counter_allocations()
    for _ in 0..<repeats { step() }
    let allocations = mallocCounterActive ? Double(malloc_counter_allocations() - before) / Double(repeats) : nil
    return (median, allocations)
}

/// The backends a step is measured on: BLAS in both precisions, the reference in float64 (its
/// float32 loops run no faster, and it is the specification, not a contender).
let stepBackends: [(name: String, precision: Precision)] = [("blas", .float64), ("blas", .float32), ("reference", .float64)]

/// Runs `body` with the backend named `name` in `precision`.
func withBackend<R>(_ name: String, _ precision: Precision, _ body: (any LinearAlgebra.Type) -> R) -> R {
    switch (name, precision) {
    case ("blas", .float64): return body(BLAS<Double>.self)
    case ("blas", .float32): return body(BLAS<Float>.self)
    case (_, .float64): return body(Reference<Double>.self)
    case (_, .float32): return body(Reference<Float>.self)
    }
}

/// Training steps per second for each network, batch size, backend, precision and thread mode, beside their floors.
func measureSteps(data: Dataset, quick: Bool, log: (String) -> Void) -> [StepResult] {
    var results: [StepResult] = []
    let budget = quick ? 0.15 : 0.5

    // The lesson's quiz network, one sample: the quiz's own numbers.
    let quizX = Lesson.quiz.inputs, quizT = Lesson.quiz.targets
    for (backend, precision) in stepBackends {
        log("steps: \(NetworkSpec.quiz.name), \(backend), \(precision.rawValue)")
        func run<B: LinearAlgebra>(_: B.Type) -> StepResult {
            let (median, allocations) = loopSteps(B.self, spec: .quiz, inputs: quizX, targets: quizT, budget: budget)
            let floor = floorSeconds(B.self, spec: .quiz, batch: 1, mode: .one, budget: budget)
            return StepResult(network: NetworkSpec.quiz.name, batch: 1, backend: backend, precision: precision, mode: .one,
                              stepSeconds: median, floorSeconds: floor, allocationsPerStep: allocations, steps: 0, path: "loop")
        }
        results.append(withBackend(backend, precision) { run($0) })
    }
    // The same network's single-sample step (gemv, ger) into a reused workspace, against its BLAS calls.
    let quizInput = quizX.row(0), quizTarget = quizT.row(0)
    for (backend, precision) in stepBackends {
        log("steps: \(NetworkSpec.quiz.name), one-row computeStep, \(backend), \(precision.rawValue)")
        let (median, floor, allocations) = sampleSteps(spec: .quiz, backend: backend, precision: precision, input: quizInput,
                                                       target: quizTarget, budget: budget)
        results.append(StepResult(network: NetworkSpec.quiz.name, batch: 1, backend: backend, precision: precision, mode: .one,
                                  stepSeconds: median, floorSeconds: floor, allocationsPerStep: allocations,
                                  steps: 0, path: "sample"))
    }

    let specs: [NetworkSpec] = quick ? [.large] : [.small, .large]
    let batches = quick ? [1, 128] : [1, 32, 128, 512]
    for spec in specs {
        for batch in batches {
            for (backend, precision) in stepBackends {
                let modes: [ThreadMode] = backend == "blas" ? ThreadMode.allCases : [.one, .workers]
                for mode in modes {
                    // Batch 1 cannot be split: the two-worker mode would repeat the one-thread row.
                    if batch == 1 && mode == .workers { continue }
                    if quick && backend == "reference" && batch > 1 { continue }
                    log("steps: \(spec.name), batch \(batch), \(backend), \(precision.rawValue), \(mode.rawValue)")
                    // A probe of a few steps sets how many fit the budget.
                    func run<B: LinearAlgebra>(_ b: B.Type) -> StepResult {
                        let probe = trainerSteps(B.self, spec: spec, data: data, batch: batch, mode: mode, steps: 6)
                        let wanted = Int(budget / probe.median) + 3
                        let timed = trainerSteps(B.self, spec: spec, data: data, batch: batch, mode: mode,
                                                 steps: min(max(wanted, 8), 4000))
                        BLASThreads.set(mode.blasThreads)
                        let floor = floorSeconds(B.self, spec: spec, batch: batch, mode: mode, budget: budget)
                        return StepResult(network: spec.name, batch: batch, backend: B.name, precision: precision, mode: mode,
                                          stepSeconds: timed.median, floorSeconds: floor,
                                          allocationsPerStep: timed.allocationsPerStep, steps: timed.steps, path: "trainer")
                    }
                    results.append(withBackend(backend, precision) { run($0) })
                }
            }
        }
    }
    BLASThreads.set(1)
    return results
}

/// One epoch of training through `Trainer.train`.
struct EpochResult: Encodable {
    var network, backend: String
    var precision: Precision
    var mode: ThreadMode
    var batch, samples: Int
    var seconds, samplesPerSecond: Double
    /// Samples per second if the step took only its `gemm` calls (from the batch-size step floor).
    var floorSamplesPerSecond: Double?
    var trainingLoss: Double
}

/// One Fashion-MNIST epoch of 784-256-128-10 Adam at batch 128 on BLAS, per thread mode and precision.
func measureEpochs(data: Dataset, steps: [StepResult], quick: Bool, log: (String) -> Void) -> [EpochResult] {
    var results: [EpochResult] = []
    let spec = NetworkSpec.large, batch = 128
    for mode in ThreadMode.allCases {
        for precision in [Precision.float64, .float32] {
            log("epoch: \(spec.name), \(data.count) samples, blas, \(precision.rawValue), \(mode.rawValue)")
            BLASThreads.set(mode.blasThreads)
            let config = oneEpoch(batch: batch, threads: mode.workers)
            func run<B: LinearAlgebra>(_: B.Type) -> EpochMetrics {
                let trainer = try! Trainer(network: spec.make(B.self), optimizer: .adam, configuration: config)
                let scaler = FeatureScaler.fit(.standardize, on: data)
                return try! trainer.train(training: data, validation: nil, scaler: scaler)[0]
            }
            let metrics = withBackend("blas", precision) { run($0) }
            let floor = steps.first {
                $0.network == spec.name && $0.batch == batch && $0.backend == "blas" && $0.precision == precision && $0.mode == mode
            }
            results.append(EpochResult(network: spec.name, backend: "blas", precision: precision, mode: mode, batch: batch,
                                       samples: data.count, seconds: metrics.seconds, samplesPerSecond: metrics.samplesPerSecond,
                                       floorSamplesPerSecond: floor.map { Double(batch) / $0.floorSeconds },
                                       trainingLoss: metrics.trainingLoss))
        }
    }
    BLASThreads.set(1)
    return results
}

/// What `train --threads auto` would choose for the epoch's network at batch 128, per precision
/// (``Trainer/chooseThreads(network:training:scaler:batchSize:dropout:cores:budget:)``'s one-line summary),
/// to read beside the epoch rows of the arrangements it chooses between.
func autoThreadChoices(data: Dataset, log: (String) -> Void) -> [String: String] {
    var choices: [String: String] = [:]
    let scaler = FeatureScaler.fit(.standardize, on: data)
    for precision in [Precision.float64, .float32] {
        log("epoch: --threads auto's choice, \(precision.rawValue)")
        func choose<B: LinearAlgebra>(_: B.Type) -> String {
            Trainer<B>.chooseThreads(network: NetworkSpec.large.make(B.self), training: data, scaler: scaler, batchSize: 128, dropout: 0).summary
        }
        choices[precision.rawValue] = withBackend("blas", precision) { choose($0) }
    }
    BLASThreads.set(1)
    return choices
}

/// The bench's runs: one epoch of `batch`-sample batches on `threads` workers, no validation, no early stopping.
func oneEpoch(batch: Int, threads: Int) -> TrainingConfiguration {
    var config = TrainingConfiguration()
    config.epochs = 1
    config.batchSize = batch
    config.validationFraction = 0
    config.patience = nil
    config.threads = threads
    return config
}

/// Whether the malloc counter linked into this binary sees the process's allocations.
let mallocCounterActive = malloc_counter_is_active() != 0
