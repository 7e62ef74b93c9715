import ArgumentParser
import Backprop
import Datasets
import Foundation
#if MPI
import BackpropMPI
#endif

/// `backprop train`: trains a network on labelled data and reports test accuracy.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a dense network on labelled data (Fashion-MNIST by default), then evaluate it on the test set.",
        discussion: """
            Every matrix product runs in OpenBLAS. With --threads N, each batch is split across N threads,
            each running single-threaded BLAS on its slice; the slice gradients are summed in a fixed order,
            so the same seed and thread count give bit-identical weights (and another thread count the same
            weights up to rounding: dropout masks depend on each sample's place in its batch, not on the thread).

            With --distributed, under mpirun, every process holds the model, computes the gradients of its
            share of each batch, and one MPI_Allreduce per step sums them; process 0 alone prints, saves and
            writes checkpoints (needs a build with --traits MPI; see the README).

            With --checkpoint-every N, the whole run (weights, optimiser state, generator, history) is saved
            atomically every N epochs to --checkpoint; --resume FILE continues it, with the data, architecture
            and training options it was started with, to the same final weights as a run that never stopped.
            """
    )

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var architecture: ArchitectureOptions
    @OptionGroup var training: TrainingOptions

    @Option(help: ArgumentHelp("Save the trained model here: .json (readable, FORMAT.md's layers) or .safetensors.", valueName: "FILE"))
    var save: String?

    @Option(help: ArgumentHelp("Where checkpoints are written.", valueName: "FILE"))
    var checkpoint = "backprop-checkpoint.safetensors"

    @Option(help: ArgumentHelp("Write a checkpoint every N epochs (0: never).", valueName: "N"))
    var checkpointEvery = 0

    @Option(help: ArgumentHelp("Continue the run saved in this checkpoint (its own data and training options are used).", valueName: "FILE"))
    var resume: String?

    @Flag(help: "Data-parallel training across the processes of an MPI job: start with `mpirun -np N backprop train --distributed ...` (needs a build with --traits MPI).")
    var distributed = false

    /// Whether this build has MPI (the package trait MPI).
    static var builtWithMPI: Bool {
        #if MPI
        return true
        #else
        return false
        #endif
    }

    func validate() throws {
        if let problem = training.configuration.problem { throw ValidationError(problem) }
        if checkpointEvery < 0 { throw ValidationError("--checkpoint-every must be ≥ 0, got \(checkpointEvery)") }
        if let save, ModelFormat(path: save) == nil {
            throw ValidationError("--save \(save): the file name must end in .json or .safetensors")
        }
        if let save { try OutputPath.check(save, option: "--save") }
        if checkpointEvery > 0 { try OutputPath.check(checkpoint, option: "--checkpoint") }
        if distributed && !Self.builtWithMPI {
            throw ValidationError("--distributed: this backprop was built without MPI; build it with `swift build -c release --traits MPI` (Debian's libopenmpi-dev and openmpi-bin installed) and start it with `mpirun -np N backprop train --distributed ...`")
        }
    }

    func run() throws {
        #if MPI
        if distributed {
            let mpi = try MPICommunicator.start()
            // A measuring aid (`make bench` sets it): time the wait for the slowest process apart from the exchange.
            mpi.separatesWaiting = ProcessInfo.processInfo.environment["BACKPROP_MPI_TIME_WAITING"] == "1"
            // Several processes on one machine share its cores: OpenBLAS's own threads would oversubscribe them.
            if let local = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init), local > 1 {
                BLASThreads.set(1)
            }
            do {
                try train(reduction: mpi, synchronize: {
                    // Start the clocks together: the all-reduce time then excludes waiting for slower start-up.
                    try mpi.barrier()
                    mpi.resetStatistics()
                }) {
                    "all-reduce \(String(format: "%.3f", mpi.reductionSeconds)) s in \(mpi.reductions) calls of \(mpi.reducedValues / max(mpi.reductions, 1)) values"
                        + (mpi.separatesWaiting ? String(format: " after %.3f s waiting for the slowest process", mpi.waitingSeconds) : "")
                }
            } catch {
                // The other processes may be waiting in an all-reduce this one will never join: end them all.
                FileHandle.standardError.write(Data("Error: process \(mpi.rank) of \(mpi.size): \(error)\n".utf8))
                mpi.abort(code: 1)
            }
            mpi.finish()
            return
        }
        #endif
        try train(reduction: nil, synchronize: {}) { "" }
    }

    /// The run, on one process or as process `reduction.rank` of a distributed run (process 0 prints and writes files).
    private func train(reduction: (any GradientReduction)?, synchronize: () throws -> Void, reductionSummary: () -> String) throws {
        let leader = (reduction?.rank ?? 0) == 0
        let processes = reduction?.size ?? 1
        func say(_ line: String) { if leader { print(line) } }
        let run = try resume.map(resumed) ?? fresh()
        let config = run.trainer.configuration
        say("training \(run.description) on \(run.training.count) samples"
            + (run.validation.map { ", validating on \($0.count)" } ?? "")
            + "; \(run.trainer.optimizer.name), η = \(config.learningRate), batch \(config.batchSize), \(config.threads) thread(s)"
            + (reduction == nil ? "" : " in each of \(processes) process(es)")
            + (resume.map { "; resumed from \($0) after epoch \(run.trainer.history.count)" } ?? ""))
        // mpirun hands its processes a pseudo-terminal whatever its own output is: plain lines there.
        var terminal = reduction == nil ? TrainingTerminal(epochs: config.epochs) : TrainingTerminal(epochs: config.epochs, live: false)
        let started = Date()
        let epochsBefore = run.trainer.history.count
        let every = checkpointEvery
        var step = 0
        let dieAt = TestHook.dieAtStep(rank: reduction?.rank ?? 0)
        try synchronize()
        try run.trainer.train(training: run.training, validation: run.validation, scaler: run.scaler, reduction: reduction,
                              checkpoint: { trainer in
            let epoch = trainer.history.count
            let last = trainer.state.stopped || epoch == config.epochs
            guard leader && every > 0 && (epoch % every == 0 || last) else { return }
            try Checkpoint(trainer, scaler: run.scaler, classNames: run.classNames, run: run.record).save(to: checkpoint)
            terminal.report(.checkpoint(path: checkpoint, epoch: epoch))
        }, progress: { event in
            if case .batch = event {
                step += 1
                if step == dieAt { TestHook.die(rank: reduction?.rank ?? 0, step: step) }
            }
            if leader { terminal.report(event) }
        })
        let seconds = Date().timeIntervalSince(started)
        if let reduction {
            let epochs = run.trainer.history.dropFirst(epochsBefore)
            let trainingSeconds = epochs.reduce(0) { $0 + $1.seconds }
            say(String(format: "distributed over %d process(es): %.0f samples/s in training (%.2f s); ", processes,
                       Double(epochs.count * run.training.count) / max(trainingSeconds, 1e-9), trainingSeconds)
                + reductionSummary() + " on process \(reduction.rank)")
        }
        guard leader else { return }
        let history = run.trainer.history
        if run.trainer.state.stopped && history.count < config.epochs {
            print("stopped early after epoch \(history.count): no improvement for \(config.patience ?? 0) epochs")
        }
        if run.validation != nil, config.patience != nil,
           let best = history.first(where: { config.monitor.value(of: $0) == run.trainer.state.bestMonitored }) {
            print("kept the weights of epoch \(best.epoch), the best by validation \(config.monitor == .validationLoss ? "loss" : "accuracy")")
        }
        var summary = String(format: "trained %d epochs in %.1f s", run.trainer.history.count, seconds)
        var metadata = ["epochs": String(run.trainer.history.count), "seed": String(config.seed),
                        "optimizer": run.trainer.optimizer.name, "created_by": "backprop train"]
        if let test = run.test {
            let result = run.trainer.network.evaluate(test, scaler: run.scaler)
            summary += String(format: "; test accuracy %.2f%% (loss %.4f) on %d samples", 100 * result.accuracy, result.loss, test.count)
            metadata["test_accuracy"] = String(format: "%.4f", result.accuracy)
        }
        print(summary)
        if let save {
            try SavedModel(network: run.trainer.network, scaler: run.scaler, classNames: run.classNames, metadata: metadata)
                .save(to: save)
            print("saved the model to \(save)")
        }
    }

    /// Everything a run needs, fresh or resumed.
    struct Run {
        let trainer: Trainer<BLAS>
        let training: Dataset, validation: Dataset?, test: Dataset?
        let scaler: FeatureScaler
        let classNames: [String]?
        let description: String
        /// What a checkpoint records to rebuild the run: the data options' arguments.
        let record: [String: String]
    }

    private func fresh() throws -> Run {
        let (all, test, classNames) = try dataOptions.load()
        let config = training.configuration
        let (trainingSet, validationSet) = Trainer<BLAS>.split(all, validationFraction: config.validationFraction, seed: config.seed)
        let scaler = FeatureScaler.fit(training.scaling.method, on: trainingSet)
        var rng = SeededGenerator(seed: config.seed)
        let network = try architecture.makeNetwork(inputs: all.featureCount, classes: all.classCount, using: &rng)
        let trainer = try Trainer(network: network, optimizer: training.makeOptimizer(), schedule: training.makeSchedule(),
                                  configuration: config)
        return Run(trainer: trainer, training: trainingSet, validation: validationSet, test: test, scaler: scaler,
                   classNames: classNames, description: architecture.describe(network),
                   record: ["data_arguments": dataOptions.arguments.joined(separator: "\u{1F}")])
    }

    private func resumed(_ path: String) throws -> Run {
        let saved = try Checkpoint.load(path: path)
        let arguments = saved.run["data_arguments"].map { $0.split(separator: "\u{1F}").map(String.init) } ?? []
        let options: DataOptions
        do {
            options = try DataOptions.parse(arguments)
        } catch {
            throw ValidationError("\(path): the recorded data options \(arguments) no longer parse: \(error)")
        }
        let (all, test, _) = try options.load()
        let config = saved.configuration
        let (trainingSet, validationSet) = Trainer<BLAS>.split(all, validationFraction: config.validationFraction, seed: config.seed)
        let trainer = try saved.trainer(BLAS.self, file: path)
        guard trainingSet.featureCount == trainer.network.inputCount else {
            throw ValidationError("\(path): the checkpoint's network takes \(trainer.network.inputCount) inputs, the data has \(trainingSet.featureCount) features")
        }
        let sizes = ([trainer.network.inputCount] + trainer.network.layers.map(\.fanOut)).map(String.init).joined(separator: "-")
        return Run(trainer: trainer, training: trainingSet, validation: validationSet, test: test, scaler: saved.scaler,
                   classNames: saved.classNames, description: "\(sizes) (\(trainer.network.parameterCount) parameters)",
                   record: saved.run)
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
extension Monitor: ExpressibleByArgument {}
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

/// Optimiser, schedule and the numbers of a run. The numbers' defaults are the library's
/// (``TrainingConfiguration``), except `--dropout` and `--threads` (the README says why).
struct TrainingOptions: ParsableArguments {
    private static let library = TrainingConfiguration()

    @Option(help: "Optimiser: sgd (the lesson's), momentum, nesterov or adam.")
    var optimizer = "adam"

    @Option(help: "Base learning rate η.")
    var learningRate = TrainingOptions.library.learningRate

    @Option(help: "Learning-rate schedule: constant, step (halve every 10 epochs), exponential (×0.95 an epoch) or plateau (halve after 2 epochs without improvement).")
    var schedule = "plateau"

    @Option(help: "Samples per mini-batch.")
    var batchSize = TrainingOptions.library.batchSize

    @Option(help: "Passes over the training data.")
    var epochs = TrainingOptions.library.epochs

    @Option(help: "Seed for initial weights, the validation split, shuffles and dropout.")
    var seed = TrainingOptions.library.seed

    @Option(help: "Threads, each computing the gradients of a slice of every batch (OpenBLAS then runs single-threaded).")
    var threads = 2  // The library's is 1: a library does not switch OpenBLAS to one thread unasked.

    @Option(help: "Fraction of the training data held out for validation (0 for none).")
    var validationFraction = TrainingOptions.library.validationFraction

    @Option(help: "Stop after this many epochs without improvement of the monitored loss (0: never stop early).")
    var patience = TrainingOptions.library.patience ?? 0

    @Option(help: "What early stopping watches on the validation split, and which weights it restores: loss or accuracy.")
    var monitor = TrainingOptions.library.monitor

    @Option(help: "L2 weight decay λ (adds λ·W to ∂L/∂W).")
    var weightDecay = TrainingOptions.library.weightDecay

    @Option(help: "Dropout rate on the hidden layers.")
    var dropout = 0.3  // The library's is 0: dropout suits this default network, not every network.

    @Option(help: "Input scaling, fitted on the training data: none, unit-range or standardize.")
    var scaling: ScalingChoice = .standardize

    @Flag(help: "Print each layer's mean gradient norm |∂L/∂W| every epoch.")
    var logGradients = TrainingOptions.library.logGradients

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

/// A test hook: `BACKPROP_TEST_DIE_AT_STEP=RANK:STEP` makes process RANK of a distributed run (or the
/// only process, rank 0) kill itself with SIGKILL after its STEP-th batch, so tests can check that the
/// other processes end with an error instead of waiting for it forever. Not for users.
enum TestHook {
    static func dieAtStep(rank: Int) -> Int? {
        guard let value = ProcessInfo.processInfo.environment["BACKPROP_TEST_DIE_AT_STEP"] else { return nil }
        let parts = value.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, parts[0] == rank else { return nil }
        return parts[1]
    }

    static func die(rank: Int, step: Int) -> Never {
        FileHandle.standardError.write(Data("backprop train: process \(rank) killing itself after step \(step) (BACKPROP_TEST_DIE_AT_STEP)\n".utf8))
        kill(getpid(), SIGKILL)
        exit(137)
    }
}
