import ArgumentParser
import Backprop
import Datasets
import Foundation

/// `backprop train`: trains a network on labelled data and reports test accuracy.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a dense network on labelled data (Fashion-MNIST by default), then evaluate it on the test set.",
        discussion: """
            Every matrix product runs in OpenBLAS. With --threads N, each batch is split across N threads,
            each running single-threaded BLAS on its slice; the slice gradients are summed in a fixed order,
            so the same seed and thread count give bit-identical weights.
            """
    )

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var architecture: ArchitectureOptions
    @OptionGroup var training: TrainingOptions

    func validate() throws {
        if let problem = training.configuration.problem { throw ValidationError(problem) }
    }

    func run() throws {
        let (all, test, classNames) = try dataOptions.load()
        let config = training.configuration
        let (trainingSet, validationSet) = Trainer<BLAS>.split(all, validationFraction: config.validationFraction, seed: config.seed)
        let scaler = FeatureScaler.fit(training.scaling.method, on: trainingSet)
        var rng = SeededGenerator(seed: config.seed)
        let network = try architecture.makeNetwork(inputs: all.featureCount, classes: all.classCount, using: &rng)
        let trainer = try Trainer(network: network, optimizer: training.makeOptimizer(), schedule: training.makeSchedule(),
                                  configuration: config)

        print("training \(architecture.describe(network)) on \(trainingSet.count) samples"
              + (validationSet.map { ", validating on \($0.count)" } ?? "")
              + "; \(training.optimizer), η = \(config.learningRate), batch \(config.batchSize), \(config.threads) thread(s)")
        var terminal = TrainingTerminal(epochs: config.epochs)
        let started = Date()
        try trainer.train(training: trainingSet, validation: validationSet, scaler: scaler, progress: { terminal.report($0) })
        let seconds = Date().timeIntervalSince(started)
        if trainer.state.stopped {
            print("stopped early after epoch \(trainer.history.count): no improvement for \(config.patience ?? 0) epochs; best weights restored")
        }
        var summary = String(format: "trained %d epochs in %.1f s", trainer.history.count, seconds)
        if let test {
            let result = trainer.network.evaluate(test, scaler: scaler)
            summary += String(format: "; test accuracy %.2f%% (loss %.4f) on %d samples", 100 * result.accuracy, result.loss, test.count)
        }
        print(summary)
        _ = classNames
    }
}

/// The network's shape: hidden sizes, activations, initialiser.
struct ArchitectureOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Hidden layer sizes, comma-separated (empty for none).", valueName: "SIZES"))
    var hidden = "256,128"

    @Option(help: "Hidden activation: identity, sigmoid, tanh or relu.")
    var activation: Activation = .relu

    @Option(help: "Output activation: softmax (with the cross_entropy loss), sigmoid or identity (with squared_error).")
    var output: Activation = .softmax

    @Option(help: "Weight initialiser: lesson (N(0, 1/fan_in)), glorot, he or orthogonal. Default: he for relu, glorot otherwise.")
    var initializer: Initializer?

    func validate() throws {
        _ = try hiddenSizes()
        if activation == .softmax { throw ValidationError("--activation softmax: softmax is only allowed on the output layer") }
    }

    func hiddenSizes() throws -> [Int] {
        if hidden.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
        return try hidden.split(separator: ",").map { part in
            guard let n = Int(part.trimmingCharacters(in: .whitespaces)), n >= 1 else {
                throw ValidationError("--hidden \(hidden): '\(part)' is not a positive layer size")
            }
            return n
        }
    }

    func makeNetwork(inputs: Int, classes: Int, using rng: inout SeededGenerator) throws -> Network<BLAS> {
        try Network<BLAS>.make(sizes: [inputs] + hiddenSizes() + [classes], hidden: activation, output: output,
                               loss: output == .softmax ? .crossEntropy : .squaredError, initializer: initializer, using: &rng)
    }

    func describe<B>(_ network: Network<B>) -> String {
        let sizes = [network.inputCount] + network.layers.map(\.fanOut)
        return sizes.map(String.init).joined(separator: "-") + " (\(activation.rawValue), \(output.rawValue) output, "
            + "\(network.parameterCount) parameters)"
    }
}

extension Activation: ExpressibleByArgument {}
extension Initializer: ExpressibleByArgument {}

/// How inputs are scaled before the network sees them.
enum ScalingChoice: String, ExpressibleByArgument, CaseIterable {
    case none, unitRange = "unit-range", standardize
    var method: FeatureScaler.Method {
        switch self {
        case .none: return .none
        case .unitRange: return .unitRange
        case .standardize: return .standardize
        }
    }
}

/// Optimiser, schedule and the numbers of a run.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Optimiser: sgd (the lesson's), momentum, nesterov or adam.")
    var optimizer = "adam"

    @Option(help: "Base learning rate η.")
    var learningRate = 0.001

    @Option(help: "Learning-rate schedule: constant, step (halve every 10 epochs), exponential (×0.95 an epoch) or plateau (halve after 2 epochs without improvement).")
    var schedule = "constant"

    @Option(help: "Samples per mini-batch.")
    var batchSize = 128

    @Option(help: "Passes over the training data.")
    var epochs = 20

    @Option(help: "Seed for initial weights, the validation split, shuffles and dropout.")
    var seed: UInt64 = 1

    @Option(help: "Threads, each computing the gradients of a slice of every batch (OpenBLAS then runs single-threaded).")
    var threads = 2

    @Option(help: "Fraction of the training data held out for validation (0 for none).")
    var validationFraction = 0.1

    @Option(help: "Stop after this many epochs without improvement of the monitored loss (0: never stop early).")
    var patience = 5

    @Option(help: "L2 weight decay λ (adds λ·W to ∂L/∂W).")
    var weightDecay = 0.0

    @Option(help: "Dropout rate on the hidden layers.")
    var dropout = 0.0

    @Option(help: "Input scaling, fitted on the training data: none, unit-range or standardize.")
    var scaling: ScalingChoice = .standardize

    @Flag(help: "Print each layer's mean gradient norm |∂L/∂W| every epoch.")
    var logGradients = false

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
        c.dropout = dropout
        c.threads = threads
        c.logGradients = logGradients
        return c
    }

    func makeOptimizer() -> any Optimizer { Optimizers.make(optimizer)! }
    func makeSchedule() -> any LearningRateSchedule { LearningRateSchedules.make(schedule)! }
}
