// CheckpointInputTests.swift: a checkpoint is outside input (`train --resume FILE`).
import Backprop
import ModelFiles
import Datasets
import Foundation
import Testing
import TestSupport

/// A checkpoint is outside input (`train --resume FILE`): each field that the resumed run would
/// trust is checked at load time. The tests marked "Was" are bugs found while writing the fuzz
/// target that resumes each checkpoint it can load (Fuzz/Sources/fuzz-checkpoint), confirmed by
/// running the edited file through it under ASan: before the fix the file crashed the resumed
/// run, overflowed a heap buffer or asked for terabytes; now loading it is a FileFormatError
/// naming the field.
@Suite struct CheckpointInputTests {
    /// A container of a run that has taken Adam steps: its slots hold one array per parameter array.
    static func container() throws -> SafeTensors {
        let data = try SyntheticData.spirals(perClass: 20, seed: 3)
        var rng = SeededGenerator(seed: 4)
        let network = try Network<Reference<Double>>.make(sizes: [2, 3, 2], hidden: .tanh, output: .softmax, loss: .crossEntropy, using: &rng)
        var config = TrainingConfiguration()
        config.epochs = 1
        config.batchSize = 16
        let trainer = try Trainer(network: network, optimizer: .adam, configuration: config)
        try trainer.train(training: data, validation: nil, scaler: .identity(featureCount: 2))
        let path = TestData.temporaryDirectory().appendingPathComponent("adam.ckpt").path
        try Checkpoint(trainer, scaler: .identity(featureCount: 2)).save(to: path)
        return try SafeTensors.read(path: path)
    }

    /// Loads `container` after `change`, expecting an error on `field`.
    func rejected(field: String, _ change: (inout SafeTensors) -> Void) throws -> FileFormatError {
        var container = try Self.container()
        _ = try Checkpoint.decode(container.encoded(), file: "ok.ckpt")  // the unchanged file loads
        change(&container)
        let error = try #require(throws: FileFormatError.self) { try Checkpoint.decode(container.encoded(), file: "bad.ckpt") }
        #expect(error.file == "bad.ckpt" && error.field == field, "\(error)")
        return error
    }

    func setConfiguration(_ container: inout SafeTensors, _ key: String, _ value: String) {
        let json = container.metadata["configuration"]!
        let pattern = try! NSRegularExpression(pattern: "\"\(key)\":[^,}]*")
        container.metadata["configuration"] = pattern.stringByReplacingMatches(
            in: json, range: NSRange(json.startIndex..., in: json), withTemplate: "\"\(key)\":\(value)")
    }

    /// Was a heap-buffer-overflow in Adam.update on resume: the update loop indexes each slot
    /// array by the parameter index, unchecked.
    @Test func optimizerSlotOfWrongLengthIsRejected() throws {
        let error = try rejected(field: #"header["optimizer.m.0"].shape"#) { $0.tensors["optimizer.m.0"] = .init(shape: [1], values: [0]) }
        #expect(error.problem.contains("expected [6]"))
    }

    /// Was a 10¹²-element allocation while loading (`(0..<arrays).map` before any tensor was looked up).
    @Test func absurdOptimizerArrayCountIsRejectedBeforeAllocating() throws {
        let error = try rejected(field: #"header["__metadata__"]["optimizer_arrays"]"#) { $0.metadata["optimizer_arrays"] = "1000000000000" }
        #expect(error.problem.contains("expected 0 or 4"))
    }

    /// Was an arithmetic-overflow trap in Adam.update (`step += 1`) on resume.
    @Test func optimizerStepNearIntMaxIsRejected() throws {
        _ = try rejected(field: #"header["__metadata__"]["optimizer_step"]"#) { $0.metadata["optimizer_step"] = String(Int.max) }
    }

    /// Was a 10¹⁵-element allocation in the resumed trainer (per-thread buffers sized by `threads`).
    @Test func absurdThreadCountIsRejected() throws {
        let error = try rejected(field: #"header["__metadata__"]["configuration"]"#) { setConfiguration(&$0, "threads", "1000000000000000") }
        #expect(error.problem.contains("threads must be in 1...\(TrainingConfiguration.maximumThreads)"))
        var config = TrainingConfiguration()
        config.threads = TrainingConfiguration.maximumThreads + 1
        #expect(config.problem != nil)
    }

    /// Found by libFuzzer (fuzz-checkpoint, in a 180 s run): a NaN in scaling.offset tripped
    /// FeatureScaler's precondition while loading, so `train --resume` crashed.
    @Test func nonFiniteOrZeroScalingIsRejected() throws {
        let nan = try rejected(field: "scaling.offset[0]") { $0.tensors["scaling.offset"] = .init(shape: [2], values: [.nan, 0.5]) }
        #expect(nan.problem.contains("not finite"))
        _ = try rejected(field: "scaling.scale[1]") { $0.tensors["scaling.scale"] = .init(shape: [2], values: [1, 0]) }
        _ = try rejected(field: "scaling.scale[0]") { $0.tensors["scaling.scale"] = .init(shape: [2], values: [-.infinity, 1]) }
    }

    /// Any configuration the trainer would refuse is refused at load time, naming the field.
    @Test func invalidConfigurationIsRejected() throws {
        _ = try rejected(field: #"header["__metadata__"]["configuration"]"#) { setConfiguration(&$0, "batchSize", "0") }
    }

    /// The counter would overflow (`+= 1`) on a run without patience; it can never exceed the epochs run.
    @Test func epochsWithoutImprovementBeyondHistoryIsRejected() throws {
        _ = try rejected(field: #"header["__metadata__"]["epochs_without_improvement"]"#) { $0.metadata["epochs_without_improvement"] = String(Int.max) }
    }

    /// The best weights replace the network at the end of an early-stopped run: another shape
    /// would leave a network that no longer fits the data.
    @Test func bestLayersOfAnotherShapeAreRejected() throws {
        _ = try rejected(field: #"header["best.0.weight"].shape"#) { container in
            for (name, tensor) in container.tensors where name.hasPrefix("layers.") {
                container.tensors["best" + name.dropFirst("layers".count)] = tensor
            }
            container.tensors["best.0.weight"] = .init(shape: [5, 3], values: [Double](repeating: 0.1, count: 15))
        }
    }

    /// Was an arithmetic-overflow trap in Trainer.train (`(count + batchSize − 1) / batchSize`) for a
    /// checkpoint (or `--batch-size`) near Int.max: such a batch size means one batch of everything.
    @Test func batchSizeNearIntMaxTrainsOneBatch() throws {
        let data = try SyntheticData.spirals(perClass: 10, seed: 5)
        func train(batchSize: Int) throws -> [Double] {
            var rng = SeededGenerator(seed: 6)
            let network = try Network<Reference<Double>>.make(sizes: [2, 4, 2], hidden: .tanh, output: .softmax, loss: .crossEntropy, using: &rng)
            var config = TrainingConfiguration()
            config.epochs = 2
            config.batchSize = batchSize
            let trainer = try Trainer(network: network, optimizer: .gradientDescent, configuration: config)
            try trainer.train(training: data, validation: nil, scaler: .identity(featureCount: 2))
            return trainer.network.layers.flatMap(\.weights.elements)
        }
        let huge = try train(batchSize: Int.max)
        #expect(huge == (try train(batchSize: data.count)))
        #expect(huge != (try train(batchSize: 1)))  // the weights did move, differently per batch size
    }

    /// The same rule for a program that resumes a trainer from its own OptimizerState: refused
    /// with an OptimizerStateError, not an out-of-bounds write in the first update.
    @Test func trainerRefusesOptimizerStateOfWrongShape() throws {
        var rng = SeededGenerator(seed: 8)
        let network = try Network<Reference<Double>>.make(sizes: [2, 3, 2], hidden: .tanh, output: .softmax, loss: .crossEntropy, using: &rng)
        let state = TrainerState(network: network, rng: SeededGenerator(seed: 9))
        func resume(_ slots: [String: [[Double]]]) throws -> Trainer<Reference<Double>> {
            try Trainer(resuming: state, optimizer: .adam, optimizerState: OptimizerState(step: 1, slots: slots),
                        schedule: ConstantRate(), scheduleState: [], configuration: TrainingConfiguration())
        }
        let right = network.parameterArrayLengths.map { [Double](repeating: 0, count: $0) }
        _ = try resume(["m": right, "v": right])
        _ = try resume(["m": [], "v": []])
        var short = right
        short[2].removeLast()
        #expect(throws: OptimizerStateError.self) { try resume(["m": right, "v": short]) }
        #expect(throws: OptimizerStateError.self) { try resume(["m": Array(right.dropLast()), "v": right]) }
    }
}
