import ArgumentParser
import Backprop
import Datasets

/// Optimiser, schedule and the numbers of a run. The numbers' defaults are the library's
/// (``TrainingConfiguration``), except `--dropout` and `--threads` (the README says why).
struct TrainingOptions: ParsableArguments {
    private static let library = TrainingConfiguration()

    @Option(name: .customLong("optimizer"), help: "Optimiser: sgd (the lesson's), momentum, nesterov or adam. Default: adam.")
    var optimizerGiven: String?
    var optimizer: String { optimizerGiven ?? "adam" }

    @Option(name: .customLong("learning-rate"), help: "Base learning rate η. Default: \(library.learningRate).")
    var learningRateGiven: Double?
    var learningRate: Double { learningRateGiven ?? Self.library.learningRate }

    @Option(name: .customLong("schedule"), help: "Learning-rate schedule: constant, step (halve every 10 epochs), exponential (×0.95 an epoch) or plateau (halve after 2 epochs without improvement). Default: plateau.")
    var scheduleGiven: String?
    var schedule: String { scheduleGiven ?? "plateau" }

    @Option(name: .customLong("batch-size"), help: "Samples per mini-batch. Default: \(library.batchSize).")
    var batchSizeGiven: Int?
    var batchSize: Int { batchSizeGiven ?? Self.library.batchSize }

    @Option(name: .customLong("epochs"), help: "Passes over the training data. Default: \(library.epochs).")
    var epochsGiven: Int?
    var epochs: Int { epochsGiven ?? Self.library.epochs }

    @Option(name: .customLong("seed"), help: "Seed for initial weights, the validation split, shuffles and dropout. Default: \(library.seed).")
    var seedGiven: UInt64?
    var seed: UInt64 { seedGiven ?? Self.library.seed }

    @Option(name: .customLong("threads"), help: "Threads, each computing the gradients of a slice of every batch (OpenBLAS then runs single-threaded). Default: 2.")
    var threadsGiven: Int?
    var threads: Int { threadsGiven ?? 2 }  // The library's is 1: a library does not switch OpenBLAS to one thread unasked.

    @Option(name: .customLong("validation-fraction"), help: "Fraction of the training data held out for validation (0 for none). Default: \(library.validationFraction).")
    var validationFractionGiven: Double?
    var validationFraction: Double { validationFractionGiven ?? Self.library.validationFraction }

    @Option(name: .customLong("patience"), help: "Stop after this many epochs without improvement of the monitored loss (0: never stop early). Default: \(library.patience ?? 0).")
    var patienceGiven: Int?
    var patience: Int { patienceGiven ?? Self.library.patience ?? 0 }

    @Option(name: .customLong("monitor"), help: "What early stopping watches on the validation split, and which weights it restores: loss or accuracy. Default: \(library.monitor.rawValue).")
    var monitorGiven: Monitor?
    var monitor: Monitor { monitorGiven ?? Self.library.monitor }

    @Option(name: .customLong("weight-decay"), help: "L2 weight decay λ (adds λ·W to ∂L/∂W). Default: \(library.weightDecay).")
    var weightDecayGiven: Double?
    var weightDecay: Double { weightDecayGiven ?? Self.library.weightDecay }

    @Option(name: .customLong("dropout"), help: "Dropout rate on the hidden layers. Default: 0.3.")
    var dropoutGiven: Double?
    var dropout: Double { dropoutGiven ?? 0.3 }  // The library's is 0: dropout suits this default network, not every network.

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
        guard Optimizers.names.contains(optimizer) else {
            throw ValidationError("--optimizer \(optimizer): unknown (expected one of \(Optimizers.names.joined(separator: ", ")))")
        }
        guard LearningRateSchedules.names.contains(schedule) else {
            throw ValidationError("--schedule \(schedule): unknown (expected one of \(LearningRateSchedules.names.joined(separator: ", ")))")
        }
        if patience < 0 { throw ValidationError("--patience must be ≥ 0, got \(patience)") }
    }

    var configuration: TrainingConfiguration {
        var c = Self.library
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

    func makeOptimizer() -> any Optimizer { Optimizers.make(optimizer)! }
    func makeSchedule() -> any LearningRateSchedule { LearningRateSchedules.make(schedule)! }
}
