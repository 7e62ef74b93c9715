// TrainingOptions.swift: optimiser, schedule and the numbers of a run.
import ArgumentParser
import Backprop
import Datasets

/// Optimiser, schedule and the numbers of a run. The defaults are the default run's (`make run`):
/// the library's ``TrainingConfiguration`` with the settings below chosen by measurement for the
/// default Fashion-MNIST network (the README's "The default run" gives the figures).
struct TrainingOptions: ParsableArguments {
    /// The default run's settings. The library keeps general defaults of its own (a validation
    /// split, no dropout, one thread): these suit this network, not every network, and a library
    /// does not switch OpenBLAS to one thread unasked (more threads do).
    static let defaults: TrainingConfiguration = {
        var c = TrainingConfiguration()
        c.learningRate = 0.002
        c.batchSize = 256
        c.validationFraction = 0
        c.dropout = 0.2
        c.threads = 2
        return c
    }()
    /// The default run's schedule.
    static let defaultSchedule = "cosine"

    @Option(name: .customLong("optimizer"), help: "Optimiser: sgd (the lesson's), momentum, nesterov or adam. Default: adam.")
    var optimizerGiven: String?
    var optimizer: String { optimizerGiven ?? "adam" }

    @Option(name: .customLong("learning-rate"), help: "Base learning rate η. Default: \(defaults.learningRate).")
    var learningRateGiven: Double?
    var learningRate: Double { learningRateGiven ?? Self.defaults.learningRate }

    @Option(name: .customLong("schedule"), help: "Learning-rate schedule: constant, step (halve every 10 epochs), exponential (×0.95 an epoch), plateau (halve after 2 epochs without improvement) or cosine (half a cosine from η down to 0 over the run's epochs). Default: \(defaultSchedule).")
    var scheduleGiven: String?
    var schedule: String { scheduleGiven ?? Self.defaultSchedule }

    @Option(name: .customLong("batch-size"), help: "Samples per mini-batch. Default: \(defaults.batchSize).")
    var batchSizeGiven: Int?
    var batchSize: Int { batchSizeGiven ?? Self.defaults.batchSize }

    @Option(name: .customLong("epochs"), help: "Passes over the training data. Default: \(defaults.epochs).")
    var epochsGiven: Int?
    var epochs: Int { epochsGiven ?? Self.defaults.epochs }

    @Option(name: .customLong("seed"), help: "Seed for initial weights, the validation split, shuffles and dropout. Default: \(defaults.seed).")
    var seedGiven: UInt64?
    var seed: UInt64 { seedGiven ?? Self.defaults.seed }

    @Option(name: .customLong("threads"), help: ArgumentHelp("Threads, each computing the gradients of a slice of every batch (OpenBLAS then runs single-threaded; with 1, OpenBLAS uses its own threads), or auto: time a batch's gradients on 2 workers and on 1 worker with OpenBLAS on every core at start-up and take the faster (reported in one line; the two sum in different orders, so their weights differ in the last bits: --threads with the chosen count repeats a run exactly). Default: \(defaults.threads).", valueName: "N|auto"))
    var threadsGiven: ThreadCount?
    /// The worker count given, or the default; with `--threads auto`, the default until the run chooses.
    var threads: Int {
        if case .count(let n) = threadsGiven { return n }
        return Self.defaults.threads
    }
    /// `--threads auto`.
    var autoThreads: Bool { threadsGiven == .auto }

    @Option(name: .customLong("validation-fraction"), help: "Fraction of the training data held out for validation (0 for none). Default: \(defaults.validationFraction).")
    var validationFractionGiven: Double?
    var validationFraction: Double { validationFractionGiven ?? Self.defaults.validationFraction }

    @Option(name: .customLong("patience"), help: "Stop after this many epochs without improvement of the monitored loss (0: never stop early). Default: \(defaults.patience ?? 0).")
    var patienceGiven: Int?
    var patience: Int { patienceGiven ?? Self.defaults.patience ?? 0 }

    @Option(name: .customLong("monitor"), help: "What early stopping watches on the validation split, and which weights it restores: loss or accuracy. Default: \(defaults.monitor.rawValue).")
    var monitorGiven: Monitor?
    var monitor: Monitor { monitorGiven ?? Self.defaults.monitor }

    @Option(name: .customLong("weight-decay"), help: "L2 weight decay λ (adds λ·W to ∂L/∂W). Default: \(defaults.weightDecay).")
    var weightDecayGiven: Double?
    var weightDecay: Double { weightDecayGiven ?? Self.defaults.weightDecay }

    @Option(name: .customLong("dropout"), help: "Dropout rate on every layer's output but the last. Default: \(defaults.dropout.hidden) with --hidden; with --layers, none but what its dropout P words place.")
    var dropoutGiven: Double?
    var dropout: DropoutRates { dropoutGiven.map { DropoutRates(hidden: $0) } ?? Self.defaults.dropout }

    @Option(name: .customLong("scaling"), help: "Input scaling, fitted on the training data: none, unit-range or standardize. Default: standardize.")
    var scalingGiven: ScalingChoice?
    var scaling: ScalingChoice { scalingGiven ?? .standardize }

    @Flag(help: "Print each layer's mean gradient norm |∂L/∂W| every epoch.")
    var logGradients = false

    /// The options given on the command line, not defaulted: what `train --resume` refuses.
    var given: [String] {
        let options: [(String, Any?)] = [
            ("--optimizer", optimizerGiven), ("--learning-rate", learningRateGiven), ("--schedule", scheduleGiven),
            ("--batch-size", batchSizeGiven), ("--epochs", epochsGiven), ("--seed", seedGiven), ("--threads", threadsGiven),
            ("--validation-fraction", validationFractionGiven), ("--patience", patienceGiven), ("--monitor", monitorGiven),
            ("--weight-decay", weightDecayGiven), ("--dropout", dropoutGiven), ("--scaling", scalingGiven),
        ]
        return options.filter { $0.1 != nil }.map(\.0) + (logGradients ? ["--log-gradients"] : [])
    }

    func validate() throws {
        guard Optimizer.names.contains(optimizer) else {
            throw ValidationError("--optimizer \(optimizer): unknown (expected one of \(Optimizer.names.joined(separator: ", ")))")
        }
        guard LearningRateSchedules.names.contains(schedule) else {
            throw ValidationError("--schedule \(schedule): unknown (expected one of \(LearningRateSchedules.names.joined(separator: ", ")))")
        }
        if patience < 0 { throw ValidationError("--patience must be ≥ 0, got \(patience)") }
    }

    var configuration: TrainingConfiguration {
        var c = Self.defaults
        c.epochs = epochs
        c.batchSize = batchSize
        c.learningRate = learningRate
        c.seed = seed
        c.validationFraction = validationFraction
        c.patience = patience == 0 ? nil : patience
        c.weightDecay = weightDecay
        c.monitor = monitor
        c.dropout = dropout
        c.threads = threads
        c.logGradients = logGradients
        return c
    }

    func makeOptimizer() -> Optimizer { Optimizer(name: optimizer)! }
    func makeSchedule() -> any LearningRateSchedule { LearningRateSchedules.make(schedule, epochs: epochs)! }
}
