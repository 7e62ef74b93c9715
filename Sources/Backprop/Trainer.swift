import Datasets
import Foundation
import Kernels
import Linalg

/// Trains a network on a labelled data set: epochs of shuffled mini-batches, each batch's
/// gradients through the backend's `gemm` path, an ``Optimizer`` step, per-epoch metrics,
/// a learning-rate schedule, and early stopping.
///
/// Reproducible: the same configuration (seed included), backend, data and BLAS thread count give
/// bit-identical weights. Everything that changes during a run is in ``state``, so a run can be
/// checkpointed and resumed to the same final weights. Dropout masks depend only on the seed and
/// each sample's place in its batch, so the thread count, and the number of processes of a
/// distributed run (a ``GradientReduction``), change the weights only by floating-point summation order.
public final class Trainer<Backend: LinearAlgebra> {
    /// The run's settings, fixed at creation.
    public let configuration: TrainingConfiguration
    /// The network being trained (after ``train(training:validation:scaler:reduction:checkpoint:progress:)``:
    /// the best one seen on the validation split, when early stopping is on).
    public var network: Network<Backend> { state.network }
    /// The metrics of the epochs run so far.
    public var history: [EpochMetrics] { state.history }
    /// Everything a checkpoint must hold to continue this run exactly.
    public private(set) var state: TrainerState<Backend>
    /// The update rule, with its state (velocities, moments) as it stands.
    public private(set) var optimizer: any Optimizer
    /// The learning-rate schedule, with its state as it stands.
    public private(set) var schedule: any LearningRateSchedule

    private let parallel: DataParallelGradients<Backend>
    private var gradients: Gradients
    /// A distributed run's all-reduce buffer: every layer's ∂L/∂W and ∂L/∂b, then the loss (one call per step).
    private var reduced: [Double] = []

    /// A trainer for `network`. With `configuration.threads` > 1, OpenBLAS is set to one thread.
    public init(network: Network<Backend>, optimizer: any Optimizer = Adam(),
                schedule: any LearningRateSchedule = ConstantRate(),
                configuration: TrainingConfiguration = TrainingConfiguration()) throws(TrainingError) {
        if let problem = configuration.problem { throw .invalidConfiguration(problem) }
        self.configuration = configuration
        self.state = TrainerState(network: network, rng: SeededGenerator(seed: configuration.seed))
        self.optimizer = optimizer
        self.schedule = schedule
        self.parallel = DataParallelGradients(workers: configuration.threads)
        self.gradients = Gradients(zerosLike: network.layers)
        if configuration.threads > 1 && Backend.self == BLAS.self { BLASThreads.set(1) }
    }

    /// Continues a run from a checkpoint's `state`, optimiser state and schedule state.
    public convenience init(resuming state: TrainerState<Backend>, optimizer: any Optimizer,
                            optimizerState: OptimizerState, schedule: any LearningRateSchedule,
                            scheduleState: [Double], configuration: TrainingConfiguration) throws {
        try self.init(network: state.network, optimizer: optimizer, schedule: schedule, configuration: configuration)
        self.state = state
        // The optimisers index their slot arrays unchecked in the update loop: a slot must be
        // empty (no step taken yet) or hold one array of each parameter array's length.
        let lengths = state.network.parameterArrayLengths
        for (name, arrays) in optimizerState.slots.sorted(by: { $0.key < $1.key })
        where !arrays.isEmpty && arrays.map(\.count) != lengths {
            throw OptimizerStateError(problem: "slot \"\(name)\" has arrays of lengths \(arrays.map(\.count)), the network's parameters \(lengths)")
        }
        try self.optimizer.restore(optimizerState)
        self.schedule.restore(scheduleState)
    }

    /// Splits `data` into a training part and a held-out validation part of `fraction` of the
    /// samples, chosen by a generator seeded with `seed` (independent of the training shuffles).
    public static func split(_ data: Dataset, validationFraction fraction: Double, seed: UInt64) -> (training: Dataset, validation: Dataset?) {
        let held = Int((Double(data.count) * fraction).rounded())
        guard held > 0 && held < data.count else { return (data, nil) }
        var rng = SeededGenerator(seed: seed ^ 0x5EED_5EED_5EED_5EED)
        var order = Array(0..<data.count)
        order.seededShuffle(using: &rng)
        return (data.subset(Array(order[held...]).sorted()), data.subset(Array(order[..<held]).sorted()))
    }

    /// Runs the remaining epochs. `scaler` maps raw features to network inputs (fit it on `training`).
    /// `checkpoint` is called at the end of each epoch with this trainer, to save if it wants.
    ///
    /// With a `reduction` of more than one process, this is one process of a data-parallel run: every
    /// process must call it with the same data, configuration and starting state. Each computes the
    /// gradients of its ``GradientReduction/shard(of:)`` of every batch, one ``GradientReduction/sum(_:)``
    /// per step combines them, and all take the same step, so their weights stay identical (checked
    /// at the end of every epoch). Every process evaluates the validation split itself.
    /// - Throws: ``TrainingError/dataMismatch(_:)`` when the data does not fit the network,
    ///   ``TrainingError/nonFinite(epoch:batch:what:)`` when a loss or gradient overflows,
    ///   ``TrainingError/processesDiverged(epoch:)`` when processes end an epoch with different weights,
    ///   and what `reduction` throws.
    @discardableResult
    public func train(training: Dataset, validation: Dataset?, scaler: FeatureScaler,
                      reduction: (any GradientReduction)? = nil,
                      checkpoint: (Trainer) throws -> Void = { _ in },
                      progress: (TrainingEvent) -> Void = { _ in }) throws -> [EpochMetrics] {
        try check(training, scaler)
        if let validation { try check(validation, scaler) }
        let batchSize = configuration.batchSize
        // Not (count + batchSize − 1) / batchSize: that overflows for a batch size near Int.max.
        let batches = training.count / batchSize + (training.count % batchSize == 0 ? 0 : 1)
        var order = Array(0..<training.count)
        var norms = [Double](repeating: 0, count: state.network.layers.count)
        let distributed = reduction.flatMap { $0.size > 1 ? $0 : nil }
        if distributed != nil && reduced.count != state.network.parameterCount + 1 {
            reduced = [Double](repeating: 0, count: state.network.parameterCount + 1)
        }

        while !state.stopped && state.history.count < configuration.epochs {
            let epoch = state.history.count
            let rate = schedule.learningRate(epoch: epoch, base: configuration.learningRate)
            for i in order.indices { order[i] = i }
            order.seededShuffle(using: &state.rng)
            for l in norms.indices { norms[l] = 0 }
            let started = MonotonicClock.seconds()
            var lossSum = 0.0

            for b in 0..<batches {
                let rows = order[(b * batchSize)..<min((b + 1) * batchSize, training.count)]
                let masks = DropoutMasks(seed: state.rng.next())
                let loss: Double
                if let distributed {
                    let shard = distributed.shard(of: rows.count)
                    let mine = rows[(rows.startIndex + shard.lowerBound)..<(rows.startIndex + shard.upperBound)]
                    let local = mine.isEmpty ? 0 : parallel.compute(state.network, data: training, rows: mine, scaler: scaler,
                                                                    dropout: configuration.dropout,
                                                                    masks: masks.advanced(by: shard.lowerBound), into: &gradients)
                    loss = try allReduce(local, samples: mine.count, of: rows.count, distributed)
                } else {
                    loss = parallel.compute(state.network, data: training, rows: rows, scaler: scaler,
                                            dropout: configuration.dropout, masks: masks, into: &gradients)
                }
                if configuration.weightDecay > 0 {
                    for l in gradients.weights.indices {
                        Backend.axpy(alpha: configuration.weightDecay, state.network.layers[l].weights.elements,
                                     into: &gradients.weights[l].elements)
                    }
                }
                if !loss.isFinite { throw TrainingError.nonFinite(epoch: epoch + 1, batch: b + 1, what: "the loss (\(loss))") }
                if let l = gradients.firstNonFiniteLayer() {
                    throw TrainingError.nonFinite(epoch: epoch + 1, batch: b + 1, what: "the gradient of layer \(l)")
                }
                if configuration.logGradients {
                    for l in norms.indices { norms[l] += gradients.weightNorm(layer: l) / Double(batches) }
                }
                optimizer.update(&state.network, gradients: gradients, learningRate: rate, split: parallel.split)
                lossSum += loss * Double(rows.count)
                let elapsed = MonotonicClock.seconds() - started
                progress(.batch(epoch: epoch + 1, batch: b + 1, batches: batches, loss: loss,
                                samplesPerSecond: Double(b * batchSize + rows.count) / max(elapsed, 1e-9), elapsed: elapsed))
            }
            let seconds = MonotonicClock.seconds() - started
            var metrics = EpochMetrics(epoch: epoch + 1, trainingLoss: lossSum / Double(training.count),
                                       validationLoss: nil, validationAccuracy: nil, learningRate: rate,
                                       samplesPerSecond: Double(training.count) / max(seconds, 1e-9), seconds: seconds,
                                       gradientNorms: configuration.logGradients ? norms : nil)
            if let validation {
                let result = state.network.evaluate(validation, scaler: scaler)
                metrics.validationLoss = result.loss
                metrics.validationAccuracy = result.accuracy
            }
            if let distributed, try !distributed.allEqual(state.network.parameterChecksum()) {
                throw TrainingError.processesDiverged(epoch: epoch + 1)
            }
            endEpoch(metrics, monitored: configuration.monitor.value(of: metrics), restoresBest: validation != nil)
            progress(.epoch(metrics))
            try checkpoint(self)
        }
        if validation != nil, configuration.patience != nil, let best = state.bestLayers {
            for l in best.indices {
                state.network.setParameters(layer: l, weights: best[l].weights, bias: best[l].bias)
            }
        }
        return state.history
    }

    /// Turns this process's mean `gradients` and `loss` over `samples` of a `total`-sample batch into
    /// the whole batch's, summed over all processes in one all-reduce of ``reduced``; returns the batch loss.
    private func allReduce(_ loss: Double, samples: Int, of total: Int, _ reduction: any GradientReduction) throws -> Double {
        let weight = Double(samples), n = Double(total)
        var loss = loss
        try reduced.withUnsafeMutableBufferPointer { buffer in
            var k = 0
            // Means times sample counts are sums; a process with no samples sends zeros.
            func pack(_ x: UnsafeBufferPointer<Double>) {
                for i in x.indices { buffer[k + i] = samples == 0 ? 0 : weight * x[i] }
                k += x.count
            }
            for l in gradients.weights.indices {
                gradients.weights[l].elements.withUnsafeBufferPointer(pack)
                gradients.biases[l]?.withUnsafeBufferPointer(pack)
            }
            buffer[k] = samples == 0 ? 0 : weight * loss
            try reduction.sum(buffer)
            k = 0
            func unpack(_ y: inout UnsafeMutableBufferPointer<Double>) {
                for i in y.indices { y[i] = buffer[k + i] / n }
                k += y.count
            }
            for l in gradients.weights.indices {
                gradients.weights[l].elements.withUnsafeMutableBufferPointer(unpack)
                if gradients.biases[l] != nil { gradients.biases[l]!.withUnsafeMutableBufferPointer(unpack) }
            }
            loss = buffer[k] / n
        }
        return loss
    }

    /// Schedule, early-stopping bookkeeping and history at the end of an epoch.
    private func endEpoch(_ metrics: EpochMetrics, monitored: Double, restoresBest: Bool) {
        // Schedules watch a loss whatever early stopping watches.
        schedule.endEpoch(monitoredLoss: metrics.validationLoss ?? metrics.trainingLoss)
        if monitored < state.bestMonitored - configuration.tolerance {
            state.bestMonitored = monitored
            state.epochsWithoutImprovement = 0
            if restoresBest { state.bestLayers = state.network.layers }
        } else {
            state.epochsWithoutImprovement += 1
            if let patience = configuration.patience, state.epochsWithoutImprovement >= patience {
                state.stopped = true
            }
        }
        state.history.append(metrics)
    }

    private func check(_ data: Dataset, _ scaler: FeatureScaler) throws(TrainingError) {
        let net = state.network
        if data.featureCount != net.inputCount {
            throw .dataMismatch("\(data.source) has \(data.featureCount) features per sample; the network takes \(net.inputCount) inputs")
        }
        if data.classCount > net.outputCount {
            throw .dataMismatch("\(data.source) has \(data.classCount) classes; the network has \(net.outputCount) outputs")
        }
        if scaler.featureCount != data.featureCount {
            throw .dataMismatch("the scaler is for \(scaler.featureCount) features, \(data.source) has \(data.featureCount)")
        }
        if data.count == 0 { throw .dataMismatch("\(data.source) has no samples") }
    }
}

/// What changes during a run, so a checkpoint holding it continues the run exactly.
public struct TrainerState<Backend: LinearAlgebra>: Sendable {
    /// The current weights.
    public var network: Network<Backend>
    /// Drives the shuffles and dropout masks.
    public var rng: SeededGenerator
    /// One entry per finished epoch.
    public var history: [EpochMetrics] = []
    /// The best monitored loss so far, and the layers that had it (with a validation split).
    public var bestMonitored = Double.infinity
    /// The layers at the best monitored loss (kept only with a validation split); restored at the end.
    public var bestLayers: [DenseLayer]?
    /// Epochs since the monitored loss last improved by more than the tolerance.
    public var epochsWithoutImprovement = 0
    /// Early stopping has ended the run.
    public var stopped = false

    /// The state before the first epoch.
    public init(network: Network<Backend>, rng: SeededGenerator) {
        self.network = network
        self.rng = rng
    }
}

extension Gradients {
    /// The first layer whose weight or bias gradient holds a NaN or infinity, or nil.
    /// One pass summing each array (``Kernel/sum(_:)``): any NaN or ±∞ makes the sum non-finite.
    func firstNonFiniteLayer() -> Int? {
        for l in weights.indices {
            var sum = weights[l].elements.withUnsafeBufferPointer(Kernel.sum)
            if let b = biases[l] { sum += b.withUnsafeBufferPointer(Kernel.sum) }
            if !sum.isFinite { return l }  // Also when finite entries are so huge that they overflow: diverged all the same.
        }
        return nil
    }
}

extension Network {
    /// A hash of every parameter's bits (FNV-1a over the 64-bit words): equal networks give equal
    /// checksums, and any differing bit almost surely changes it.
    public func parameterChecksum() -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ x: UnsafeBufferPointer<Double>) {
            for v in x { hash = (hash ^ v.bitPattern) &* 0x100_0000_01B3 }
        }
        for layer in layers {
            layer.weights.elements.withUnsafeBufferPointer(mix)
            layer.bias?.withUnsafeBufferPointer(mix)
        }
        return hash
    }
}

extension Array where Element == Int {
    /// Fisher–Yates with `rng`, written out so the order depends only on the generator, not on the
    /// standard library's shuffle algorithm.
    mutating func seededShuffle(using rng: inout SeededGenerator) {
        guard count > 1 else { return }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))  // Modulo bias < 2^-40 for data-set sizes: negligible.
            swapAt(i, j)
        }
    }
}
