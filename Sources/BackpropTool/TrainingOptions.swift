import ArgumentParser
import Backprop
import Datasets

/// Optimiser, schedule and the numbers of a run.
struct TrainingOptions: ParsableArguments {
    @Option(name: .customLong("optimizer"), help: "Optimiser: sgd (the lesson's), momentum, nesterov or adam. Default: adam.")
    var optimizerGiven: String?
    var optimizer: String { optimizerGiven ?? "adam" }

    @Option(name: .customLong("learning-rate"), help: "Base learning rate η. Default: 0.001.")
    var learningRateGiven: Double?
    var learningRate: Double { learningRateGiven ?? 0.001 }

    @Option(name: .customLong("schedule"), help: "Learning-rate schedule: constant, step (halve every 10 epochs), exponential (×0.95 an epoch) or plateau (halve after 2 epochs without improvement). Default: plateau.")
    var scheduleGiven: String?
    var schedule: String { scheduleGiven ?? "plateau" }

    @Option(name: .customLong("batch-size"), help: "Samples per mini-batch. Default: 128.")
    var batchSizeGiven: Int?
    var batchSize: Int { batchSizeGiven ?? 128 }

    @Option(name: .customLong("epochs"), help: "Passes over the training data. Default: 30.")
    var epochsGiven: Int?
    var epochs: Int { epochsGiven ?? 30 }

    @Option(name: .customLong("seed"), help: "Seed for initial weights, the validation split, shuffles and dropout. Default: 1.")
    var seedGiven: UInt64?
    var seed: UInt64 { seedGiven ?? 1 }

    @Option(name: .customLong("threads"), help: "Threads, each computing the gradients of a slice of every batch (OpenBLAS then runs single-threaded). Default: 2.")
    var threadsGiven: Int?
    var threads: Int { threadsGiven ?? 2 }

    @Option(name: .customLong("validation-fraction"), help: "Fraction of the training data held out for validation (0 for none). Default: 0.1.")
    var validationFractionGiven: Double?
    var validationFraction: Double { validationFractionGiven ?? 0.1 }

    @Option(name: .customLong("patience"), help: "Stop after this many epochs without improvement of the monitored loss (0: never stop early). Default: 6.")
    var patienceGiven: Int?
    var patience: Int { patienceGiven ?? 6 }

    @Option(name: .customLong("monitor"), help: "What early stopping watches on the validation split, and which weights it restores: loss or accuracy. Default: accuracy.")
    var monitorGiven: Monitor?
    var monitor: Monitor { monitorGiven ?? .validationAccuracy }

    @Option(name: .customLong("weight-decay"), help: "L2 weight decay λ (adds λ·W to ∂L/∂W). Default: 0.0.")
    var weightDecayGiven: Double?
    var weightDecay: Double { weightDecayGiven ?? 0.0 }

    @Option(name: .customLong("dropout"), help: "Dropout rate on the hidden layers. Default: 0.3.")
    var dropoutGiven: Double?
    var dropout: Double { dropoutGiven ?? 0.3 }

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
        var c = TrainingConfiguration()
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
