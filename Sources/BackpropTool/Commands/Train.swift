// Train.swift: `backprop train`.
import ArgumentParser
import Backprop
import ModelFiles
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
            Every matrix product runs in OpenBLAS. With --threads N, each batch is split across N threads, each running single-threaded BLAS on its slice; the slice gradients are summed in a fixed order, so the same seed and thread count give bit-identical weights (and another thread count the same weights up to rounding: dropout masks depend on each sample's place in its batch, not on the thread). With --threads auto, the faster of N workers and one worker with OpenBLAS on every core is chosen at start-up by timing a batch's gradients, and named in one line with the timings; giving that count repeats the run's weights.

            With --distributed, under mpirun, every process holds the model, computes the gradients of its share of each batch, and one all-reduce per step sums them (--exchange overlapped: one per layer, each started as soon as backprop has that layer's gradients); process 0 alone prints, saves and writes checkpoints (needs a build with --traits MPI; see the README).

            With --checkpoint-every N, the whole run (weights, optimiser state, generator, history) is saved atomically every N epochs to --checkpoint; --resume FILE continues it, with the data, architecture and training options it was started with, to the same final weights as a run that never stopped.
            """
    )

    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var architecture: ArchitectureOptions
    @OptionGroup var training: TrainingOptions
    @OptionGroup var initialWeights: InitialWeightsOptions
    @OptionGroup var tensorBoard: TensorBoardOptions

    @Option(help: ArgumentHelp("Save the trained model here: .json (readable, FORMAT.md's layers) or .safetensors.", valueName: "FILE"))
    var save: String?

    @Option(name: .customLong("checkpoint"), help: ArgumentHelp("Where checkpoints are written. Default: backprop-checkpoint.safetensors.", valueName: "FILE"))
    var checkpointGiven: String?
    var checkpoint: String { checkpointGiven ?? "backprop-checkpoint.safetensors" }

    @Option(help: ArgumentHelp("Write a checkpoint every N epochs (0: never).", valueName: "N"))
    var checkpointEvery = 0

    @Option(help: ArgumentHelp("Continue the run saved in this checkpoint (its own data and training options are used).", valueName: "FILE"))
    var resume: String?

    @Flag(help: "Data-parallel training across the processes of an MPI job: start with `mpirun -np N backprop train --distributed ...` (needs a build with --traits MPI).")
    var distributed = false

    @Option(help: ArgumentHelp("Precision to train in: float32 or float64. Default: \(PrecisionDefault.train.rawValue) (see the README). With --resume, the checkpoint's.", valueName: "PRECISION"))
    var precision: Precision?

    @Option(help: ArgumentHelp("With --distributed: end every process when an exchange with the others has not completed in this many seconds (a lost host or link), saying who stopped answering.", valueName: "SECONDS"))
    var exchangeTimeout = 60.0

    @Option(help: ArgumentHelp("With --distributed: blocking (one all-reduce after backprop) or overlapped (one per layer, started as soon as backprop has that layer's gradients; with --threads 1, else blocking). The same weights either way; overlapped did not pay for the default network on the test hosts (README).", valueName: "MODE"))
    var exchange: ExchangeMode = .blocking

    /// Whether this build has MPI (the package trait MPI).
    static var builtWithMPI: Bool {
        #if MPI
        return true
        #else
        return false
        #endif
    }

    func validate() throws {
        if let resume {
            let fixed = dataOptions.given + architecture.given + training.given + initialWeights.given
            if !fixed.isEmpty {
                throw ValidationError("--resume \(resume): \(fixed.joined(separator: ", ")) cannot be used with --resume: "
                    + "the checkpoint fixes the data, architecture and training options of the run it continues")
            }
        }
        try initialWeights.check(architecture: architecture.given, training: training.given)
        if let layers = architecture.layers, let dropout = training.dropoutGiven, try LayerSpec(layers).hasDropout {
            throw ValidationError("--dropout \(dropout): --layers places dropout with its dropout P words; give one or the other")
        }
        if let problem = training.configuration.problem { throw ValidationError(problem) }
        if checkpointEvery < 0 { throw ValidationError("--checkpoint-every must be ≥ 0, got \(checkpointEvery)") }
        if let checkpointGiven, checkpointEvery == 0 {
            throw ValidationError("--checkpoint \(checkpointGiven): no checkpoint is written without --checkpoint-every N (N ≥ 1)")
        }
        if let save, ModelFormat(path: save) == nil {
            throw ValidationError("--save \(save): the file name must end in .json or .safetensors")
        }
        if let save { try OutputPath.check(save, option: "--save") }
        if checkpointEvery > 0 { try OutputPath.check(checkpoint, option: "--checkpoint") }
        if !(exchangeTimeout > 0 && exchangeTimeout.isFinite) {
            throw ValidationError("--exchange-timeout must be a positive number of seconds, got \(exchangeTimeout)")
        }
        if distributed && training.autoThreads {
            throw ValidationError("--threads auto: not with --distributed (the processes share the cores, so one process's timing says nothing of the job's); give --threads N")
        }
        if distributed && !Self.builtWithMPI {
            throw ValidationError("--distributed: this backprop was built without MPI; build it with `swift build -c release --traits MPI` (Debian's libopenmpi-dev and openmpi-bin installed) and start it with `mpirun -np N backprop train --distributed ...`")
        }
    }

    func run() throws {
        #if MPI
        if distributed { return try runDistributed() }
        #endif
        try runTraining(reduction: nil, synchronize: {}, checkpointWritten: { _, _ in }) { "" }
    }

    /// The run, on one process or as process `reduction.rank` of a distributed run (process 0 prints and writes files).
    /// `checkpointWritten` is told, on every process, of each checkpoint on process 0's disk: the one
    /// resumed from, and each written (its path and the epoch it was written after).
    func runTraining(reduction: (any GradientReduction)?, synchronize: () throws -> Void, checkpointWritten: (String, Int) -> Void,
                     reductionSummary: () -> String) throws {
        let saved = try resume.map { try Checkpoint.load(path: $0) }
        if let saved, let precision, precision != saved.precision {
            throw ValidationError("--precision \(precision.rawValue): the checkpoint \(resume!) holds a \(saved.precision.rawValue) run, "
                + "which resumes only in \(saved.precision.rawValue) (leave --precision out)")
        }
        func start<B: LinearAlgebra>(_: B.Type) throws {
            let run: Run<B> = try saved.map { try resumed($0, path: resume!) } ?? fresh()
            try execute(run, reduction: reduction, synchronize: synchronize, checkpointWritten: checkpointWritten,
                        reductionSummary: reductionSummary)
        }
        switch saved?.precision ?? precision ?? PrecisionDefault.train {
        case .float32: try start(BLAS<Float>.self)
        case .float64: try start(BLAS<Double>.self)
        }
    }

    /// The run `run` (see ``runTraining(reduction:synchronize:checkpointWritten:reductionSummary:)``).
    private func execute<B: LinearAlgebra>(_ run: Run<B>, reduction: (any GradientReduction)?, synchronize: () throws -> Void,
                                           checkpointWritten: (String, Int) -> Void, reductionSummary: () -> String) throws {
        let leader = (reduction?.rank ?? 0) == 0
        let processes = reduction?.size ?? 1
        func say(_ line: String) { if leader { print(line) } }
        let config = run.trainer.configuration
        if let resume { checkpointWritten(resume, run.trainer.history.count) }
        say("training \(run.description) on \(run.training.count) samples"
            + (run.validation.map { ", validating on \($0.count)" } ?? "")
            + "; \(run.trainer.optimizer.name), η = \(config.learningRate), batch \(config.batchSize), \(config.dropout), \(B.Scalar.precision.rawValue), \(config.threads) thread(s)"
            + (reduction == nil ? "" : " in each of \(processes) process(es)")
            + (resume.map { "; resumed from \($0) after epoch \(run.trainer.history.count)" } ?? ""))
        if let note = OpenBLASKernels.replacementNote { say(note) }
        if let note = run.threadNote { say(note) }
        // mpirun hands its processes a pseudo-terminal whatever its own output is: plain lines there.
        let log = try leader ? tensorBoard.folder(seed: config.seed).map(TensorBoardLog.init) : nil
        if let log { say("logging to \(log.folder) (view with: tensorboard --logdir \(tensorBoard.logDir!))") }
        var terminal = reduction == nil ? TrainingTerminal(epochs: config.epochs) : TrainingTerminal(epochs: config.epochs, live: false)
        let started = Date()
        let epochsBefore = run.trainer.history.count
        let every = checkpointEvery
        var step = 0
        let dieAt = TestHook.dieAtStep(rank: reduction?.rank ?? 0)
        if let test = run.test {
            // The test set is only used after the last epoch: check that it fits before the first.
            do { try run.trainer.check(test, run.scaler) } catch {
                throw ValidationError("test set: \(error) (checked before the first epoch)")
            }
        }
        try synchronize()
        try run.trainer.train(training: run.training, validation: run.validation, scaler: run.scaler, reduction: reduction,
                              checkpoint: { trainer in
            let epoch = trainer.history.count
            let last = trainer.state.stopped || epoch == config.epochs
            guard every > 0 && (epoch % every == 0 || last) else { return }
            if leader {
                try Checkpoint(trainer, scaler: run.scaler, classNames: run.classNames, run: run.record).save(to: checkpoint)
                terminal.report(.checkpoint(path: checkpoint, epoch: epoch))
            }
            checkpointWritten(checkpoint, epoch)
        }, progress: { event in
            if case .batch = event {
                step += 1
                if step == dieAt { TestHook.die(rank: reduction?.rank ?? 0, step: step) }
            }
            if leader { terminal.report(event) }
            if case .epoch(let metrics) = event, let log {
                try log.epoch(metrics, trainingAccuracy: run.trainer.evaluate(run.training, scaler: run.scaler).accuracy)
            }
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
            let result = run.trainer.evaluate(test, scaler: run.scaler)
            summary += String(format: "; test accuracy %.2f%% (loss %.4f) on %d samples", 100 * result.accuracy, result.loss, test.count)
            metadata["test_accuracy"] = String(format: "%.4f", result.accuracy)
            try log?.test(loss: result.loss, accuracy: result.accuracy, step: history.count)
        }
        print(summary)
        if let save {
            try SavedModel(network: run.trainer.network, scaler: run.scaler, classNames: run.classNames, metadata: metadata)
                .save(to: save)
            print("saved the model to \(save)")
        }
    }

    /// Everything a run needs, fresh or resumed.
    struct Run<B: LinearAlgebra> {
        let trainer: Trainer<B>
        let training: Dataset, validation: Dataset?, test: Dataset?
        let scaler: FeatureScaler
        let classNames: [String]?
        let description: String
        /// With `--threads auto`: the arrangement chosen and the timings (ThreadChoice.summary).
        var threadNote: String? = nil
        /// What a checkpoint records to rebuild the run: the data options' arguments.
        let record: [String: String]
    }

    private func fresh<B: LinearAlgebra>() throws -> Run<B> {
        let (all, test, dataClassNames) = try dataOptions.load()
        var config = training.configuration
        let (trainingSet, validationSet) = Trainer<B>.split(all, validationFraction: config.validationFraction, seed: config.seed)
        var scaler = FeatureScaler.fit(training.scaling.method, on: trainingSet)
        var rng = SeededGenerator(seed: config.seed)
        let built = try architecture.makeNetwork(B.self, inputs: all.featureCount, classes: all.classCount,
                                                 dataImageShape: all.imageShape, dataSource: all.source, using: &rng)
        var network = built.network
        // --layers places dropout by its words (none without them, unless --dropout P is given).
        if let placed = built.dropout { config.dropout = placed } else if architecture.layers != nil && training.dropoutGiven == nil { config.dropout = .none }
        var description = network.definition.summary(details: architecture.details)
        var classNames = dataClassNames
        let specified = architecture.layers == nil ? nil : network.definition.converted(to: Double.self).layers
        if let start = try initialWeights.load(B.self, featureCount: all.featureCount, classCount: all.classCount, layers: specified) {
            (network, scaler) = (start.network, start.scaler)
            classNames = classNames ?? start.classNames
            description = network.definition.summary() + " from \(initialWeights.initFrom!)"
        }
        var threadNote: String? = nil
        if training.autoThreads {
            let blasDefault = BLASThreads.count  // OpenBLAS's threads for --threads 1 (OPENBLAS_NUM_THREADS, else the cores).
            let choice = Trainer<B>.chooseThreads(network: network, training: trainingSet, scaler: scaler, batchSize: config.batchSize,
                                                  dropout: config.dropout)
            config.threads = choice.chosen.workers
            let same = choice.chosen.workers > 1 || choice.chosen.blasThreads == blasDefault ? "--threads \(config.threads)"
                : "--threads 1 with OPENBLAS_NUM_THREADS=\(choice.chosen.blasThreads)"
            threadNote = choice.summary + "; \(same) repeats this run's weights"
        }
        let trainer = try Trainer(network: network, optimizer: training.makeOptimizer(), schedule: training.makeSchedule(),
                                  configuration: config)
        return Run(trainer: trainer, training: trainingSet, validation: validationSet, test: test, scaler: scaler,
                   classNames: classNames, description: description, threadNote: threadNote,
                   record: ["data_arguments": dataOptions.arguments.joined(separator: "\u{1F}")])
    }

    private func resumed<B: LinearAlgebra>(_ saved: Checkpoint, path: String) throws -> Run<B> {
        let arguments = saved.run["data_arguments"].map { $0.split(separator: "\u{1F}").map(String.init) } ?? []
        let options: DataOptions
        do {
            options = try DataOptions.parse(arguments)
        } catch {
            throw ValidationError("\(path): the recorded data options \(arguments) no longer parse: \(error)")
        }
        let (all, test, _) = try options.load()
        let config = saved.configuration
        let (trainingSet, validationSet) = Trainer<B>.split(all, validationFraction: config.validationFraction, seed: config.seed)
        let trainer = try saved.trainer(B.self, file: path)
        guard trainingSet.featureCount == trainer.network.inputCount else {
            throw ValidationError("\(path): the checkpoint's network takes \(trainer.network.inputCount) inputs, the data has \(trainingSet.featureCount) features")
        }
        return Run(trainer: trainer, training: trainingSet, validation: validationSet, test: test, scaler: saved.scaler,
                   classNames: saved.classNames, description: trainer.network.definition.summary(),
                   record: saved.run)
    }
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
