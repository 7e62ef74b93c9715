// Trainer.swift: trains a network on a labelled data set.
import Datasets
import Foundation
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
    /// The update rule.
    public let optimizer: Optimizer
    /// The rule's per-parameter state (velocities, moments) as it stands, in the network's precision.
    public private(set) var optimizerSlots = OptimizerSlots<Backend.Scalar>()
    /// The learning-rate schedule, with its state as it stands.
    public private(set) var schedule: any LearningRateSchedule

    private let parallel: DataParallelGradients<Backend>
    private var gradients: ParameterArrays<Backend.Scalar>
    /// A distributed run's all-reduce buffer: every layer's ∂L/∂W and ∂L/∂b, then the loss (one call per step).
    private var reduced: [Double] = []
    /// The current epoch's order of the training samples (a permutation of their indices).
    private var order: [Int] = []
    /// The current epoch's per-layer sums of ‖∂L/∂W‖ / batches (when logging gradients).
    private var norms: [Double] = []

    /// A trainer for `network`. With `configuration.threads` > 1, each backend call is set to one
    /// thread (``/Linalg/LinearAlgebra/setThreadsPerCall(_:)``): the trainer's threads share the cores.
    public init(network: Network<Backend>, optimizer: Optimizer = .adam,
                schedule: any LearningRateSchedule = ConstantRate(),
                configuration: TrainingConfiguration = TrainingConfiguration()) throws(TrainingError) {
        if let problem = configuration.problem ?? configuration.dropout.problem(layers: network.layers.count) ?? optimizer.problem {
            throw .invalidConfiguration(problem)
        }
        self.configuration = configuration
        self.state = TrainerState(network: network, rng: SeededGenerator(seed: configuration.seed))
        self.optimizer = optimizer
        self.schedule = schedule
        self.parallel = DataParallelGradients(workers: configuration.threads)
        self.gradients = ParameterArrays(zerosLike: network.layers)
        if configuration.threads > 1 { Backend.setThreadsPerCall(1) }
    }

    /// Continues a run from a checkpoint's `state`, optimiser state and schedule state.
    /// - Throws: ``OptimizerStateError`` when `optimizerState` does not fit `optimizer` and the network.
    public convenience init(resuming state: TrainerState<Backend>, optimizer: Optimizer,
                            optimizerState: OptimizerState, schedule: any LearningRateSchedule,
                            scheduleState: [Double], configuration: TrainingConfiguration) throws {
        try self.init(network: state.network, optimizer: optimizer, schedule: schedule, configuration: configuration)
        self.state = state
        // The update indexes the slot arrays unchecked: each slot must be empty (no step taken yet)
        // or hold one array of each parameter array's length (OptimizerSlots checks).
        optimizerSlots = try OptimizerSlots(optimizerState, names: optimizer.slotNames,
                                            lengths: state.network.parameterArrayLengths, optimizer: optimizer.name)
        self.schedule.restore(scheduleState)
    }

    /// The optimiser's state in `Double` (exact from `Float`), as checkpoints save it.
    public var optimizerState: OptimizerState { optimizerSlots.saved(names: optimizer.slotNames) }

    /// Runs the remaining epochs. `scaler` maps raw features to network inputs (fit it on `training`).
    /// `progress` is told of each batch and, at the end of each epoch, of its ``EpochMetrics`` (this
    /// trainer then holds the epoch's final weights); `checkpoint` is called right after with this
    /// trainer, to save if it wants. What either throws ends the run and is rethrown.
    ///
    /// With a `reduction` of more than one process, this is one process of a data-parallel run: every
    /// process must call it with the same data, configuration and starting state. Each computes the
    /// gradients of its ``GradientReduction/shard(of:)`` of every batch, one ``GradientReduction/sum(_:)``
    /// per step combines them (or, when the reduction ``GradientReduction/overlapsSums`` and each process
    /// runs one thread, one ``GradientReduction/startSum(_:)`` per layer during the backward pass, with the
    /// same sums), and all take the same step, so their weights stay identical (checked
    /// at the end of every epoch). Each process evaluates its shard of the validation split, and one
    /// sum of the loss and correct counts gives every process the whole split's figures.
    /// - Throws: ``TrainingError/dataMismatch(_:)`` when the data does not fit the network,
    ///   ``TrainingError/nonFinite(epoch:batch:what:)`` when a loss or gradient overflows,
    ///   ``TrainingError/processesDiverged(epoch:)`` when processes end an epoch with different weights,
    ///   and what `reduction`, `progress` and `checkpoint` throw.
    @discardableResult
    @_specialize(exported: true, where Backend == BLAS<Double>)
    @_specialize(exported: true, where Backend == BLAS<Float>)
    @_specialize(exported: true, where Backend == Reference<Double>)
    @_specialize(exported: true, where Backend == Reference<Float>)
    public func train(training: Dataset, validation: Dataset?, scaler: FeatureScaler,
                      reduction: (any GradientReduction)? = nil,
                      checkpoint: (Trainer) throws -> Void = { _ in },
                      progress: (TrainingEvent) throws -> Void = { _ in }) throws -> [EpochMetrics] {
        try check(training, scaler)
        if let validation { try check(validation, scaler) }
        let distributed = reduction.flatMap { $0.size > 1 ? $0 : nil }
        order = Array(0..<training.count)
        norms = [Double](repeating: 0, count: state.network.layers.count)
        if distributed != nil && reduced.count != state.network.parameterCount + 1 {
            reduced = [Double](repeating: 0, count: state.network.parameterCount + 1)
        }
        while !state.stopped && state.history.count < configuration.epochs {
            var metrics = try trainEpoch(training, scaler: scaler, distributed, progress)
            if let validation {
                let result = try validate(validation, scaler: scaler, distributed)
                metrics.validationLoss = result.loss
                metrics.validationAccuracy = result.accuracy
            }
            if let distributed, try !distributed.allEqual(state.network.parameterChecksum()) {
                throw TrainingError.processesDiverged(epoch: metrics.epoch)
            }
            endEpoch(metrics, monitored: configuration.monitor.value(of: metrics), restoresBest: validation != nil)
            try progress(.epoch(metrics))
            try checkpoint(self)
        }
        if validation != nil, configuration.patience != nil, let best = state.bestLayers {
            for l in best.indices {
                state.network.setParameters(layer: l, weights: best[l].weights, bias: best[l].bias)
            }
        }
        return state.history
    }

    /// The network's loss and accuracy on `data` (inputs scaled by `scaler`, labels one-hot), its rows
    /// split over the trainer's threads (``TrainingConfiguration/threads``; parts of at least 1,000
    /// rows). The counts are ``Network/evaluate(_:scaler:batchSize:)``'s; the mean loss differs from
    /// it only in the rounding of the parts' sum. Outputs must have one unit per class.
    public func evaluate(_ data: Dataset, scaler: FeatureScaler) -> Evaluation {
        let sums = ParallelEvaluation.sums(state.network, data, rows: 0..<data.count, scaler: scaler, on: parallel.threads)
        return Evaluation(summedLoss: sums.loss, confusion: sums.confusion, count: data.count)
    }

    /// The validation loss and accuracy (``evaluate(_:scaler:)``): on one process of the whole split;
    /// on several, each evaluates its ``GradientReduction/shard(of:)`` and one ``GradientReduction/sum(_:)``
    /// of the summed loss and the correct count combines them (every process gets the same figures).
    private func validate(_ data: Dataset, scaler: FeatureScaler,
                          _ distributed: (any GradientReduction)?) throws -> (loss: Double, accuracy: Double) {
        guard let distributed, data.count > 0 else {
            let result = evaluate(data, scaler: scaler)
            return (result.loss, result.accuracy)
        }
        let part = ParallelEvaluation.sums(state.network, data, rows: distributed.shard(of: data.count), scaler: scaler,
                                           on: parallel.threads)
        var sums = [part.loss, Double(Evaluation.correctCount(part.confusion))]
        try sums.withUnsafeMutableBufferPointer { try distributed.sum($0) }
        return (sums[0] / Double(data.count), sums[1] / Double(data.count))
    }

    /// One epoch: a fresh shuffle, then ``trainBatch(_:epoch:batch:of:rate:_:scaler:_:)`` on each
    /// mini-batch in turn. Returns the epoch's metrics without the validation figures.
    private func trainEpoch(_ training: Dataset, scaler: FeatureScaler, _ distributed: (any GradientReduction)?,
                            _ progress: (TrainingEvent) throws -> Void) throws -> EpochMetrics {
        let batchSize = configuration.batchSize
        // Not (count + batchSize − 1) / batchSize: that overflows for a batch size near Int.max.
        let batches = training.count / batchSize + (training.count % batchSize == 0 ? 0 : 1)
        let epoch = state.history.count
        let rate = schedule.learningRate(epoch: epoch, base: configuration.learningRate)
        for i in order.indices { order[i] = i }
        order.seededShuffle(using: &state.rng)
        for l in norms.indices { norms[l] = 0 }
        let started = MonotonicClock.seconds()
        var lossSum = 0.0
        for b in 0..<batches {
            let rows = order[(b * batchSize)..<min((b + 1) * batchSize, training.count)]
            let loss = try trainBatch(rows, epoch: epoch, batch: b, of: batches, rate: rate, training, scaler: scaler, distributed)
            lossSum += loss * Double(rows.count)
            let elapsed = MonotonicClock.seconds() - started
            try progress(.batch(epoch: epoch + 1, batch: b + 1, batches: batches, loss: loss,
                            samplesPerSecond: Double(b * batchSize + rows.count) / max(elapsed, 1e-9), elapsed: elapsed))
        }
        let seconds = MonotonicClock.seconds() - started
        return EpochMetrics(epoch: epoch + 1, trainingLoss: lossSum / Double(training.count),
                            validationLoss: nil, validationAccuracy: nil, learningRate: rate,
                            samplesPerSecond: Double(training.count) / max(seconds, 1e-9), seconds: seconds,
                            gradientNorms: configuration.logGradients ? norms : nil)
    }

    /// One step on the mini-batch `rows` of `training` (0-based `batch` of `batches` in `epoch`): its
    /// gradients (this process's threads, then the sum over processes when `distributed`), weight
    /// decay, the check that loss and gradients are finite, the gradient norms, and the optimiser's
    /// update at `rate`. Returns the batch-mean loss.
    private func trainBatch(_ rows: ArraySlice<Int>, epoch: Int, batch b: Int, of batches: Int, rate: Double,
                            _ training: Dataset, scaler: FeatureScaler, _ distributed: (any GradientReduction)?) throws -> Double {
        let masks = DropoutMasks(seed: state.rng.next())
        let loss: Double
        if let distributed {
            let shard = distributed.shard(of: rows.count)
            let mine = rows[(rows.startIndex + shard.lowerBound)..<(rows.startIndex + shard.upperBound)]
            let masks = masks.advanced(by: shard.lowerBound)
            if distributed.overlapsSums && configuration.threads == 1 {
                loss = try overlappedStep(mine, of: rows.count, training, scaler: scaler, masks: masks, distributed)
            } else {
                let local = mine.isEmpty ? 0 : parallel.compute(state.network, data: training, rows: mine, scaler: scaler,
                                                                dropout: configuration.dropout, masks: masks, into: &gradients)
                loss = try gradients.sumOverProcesses(loss: local, samples: mine.count, of: rows.count, distributed, buffer: &reduced)
            }
        } else {
            loss = parallel.compute(state.network, data: training, rows: rows, scaler: scaler,
                                    dropout: configuration.dropout, masks: masks, into: &gradients)
        }
        if configuration.weightDecay > 0 {
            for l in gradients.weights.indices {
                Backend.axpy(alpha: Backend.Scalar(configuration.weightDecay), state.network.layers[l].weights.elements,
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
        optimizer.update(&state.network, gradients: gradients, learningRate: rate, slots: &optimizerSlots, split: parallel.split)
        return loss
    }

    /// A distributed step's gradients with the exchange overlapped with the backward pass (a
    /// `reduction` that ``GradientReduction/overlapsSums``, one thread per process: the rule, since
    /// several threads combine their slices only after the whole backward pass): this process's `mine`
    /// of a `total`-sample batch, each layer above 0 summed over the processes
    /// (``GradientReduction/startSum(_:)``) as soon as its gradients are final, layer 0 with the loss
    /// once the pass ends, then every sum waited for (``GradientReduction/finishSums()``). Each value
    /// is summed as ``ParameterArrays/sumOverProcesses(loss:samples:of:_:buffer:)`` sums it, so the
    /// weights are the same, bit for bit. Leaves the batch's mean gradients in `gradients`; returns its loss.
    private func overlappedStep(_ mine: ArraySlice<Int>, of total: Int, _ training: Dataset, scaler: FeatureScaler,
                                masks: DropoutMasks, _ reduction: any GradientReduction) throws -> Double {
        try reduced.withUnsafeMutableBufferPointer { whole in
            let buffer = whole  // Not the inout parameter: the layers' callback captures it.
            var failure: (any Error)? = nil
            func start(_ l: Int, _ g: ParameterArrays<Backend.Scalar>) {
                guard failure == nil, l > 0 else { return }
                do { try reduction.startSum(g.pack(layer: l, samples: mine.count, into: buffer)) } catch { failure = error }
            }
            var local = 0.0
            if mine.isEmpty {
                for l in gradients.weights.indices.reversed() { start(l, gradients) }
            } else {
                local = parallel.compute(state.network, data: training, rows: mine, scaler: scaler, dropout: configuration.dropout,
                                         masks: masks, into: &gradients, afterLayer: start)
            }
            if let failure { throw failure }
            let last = gradients.pack(layer: 0, samples: mine.count, into: buffer)
            buffer[buffer.count - 1] = mine.isEmpty ? 0 : Double(mine.count) * local
            try reduction.startSum(UnsafeMutableBufferPointer(start: last.baseAddress, count: last.count + 1))
            try reduction.finishSums()
            return gradients.unpack(buffer, total: total)
        }
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

    /// Throws unless `data` fits the network (features = inputs, classes ≤ outputs), `scaler` fits
    /// `data`, and `data` has samples: what training checks of its training and validation sets,
    /// for a caller to check any other set (a test set) before the first epoch.
    public func check(_ data: Dataset, _ scaler: FeatureScaler) throws(TrainingError) {
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
