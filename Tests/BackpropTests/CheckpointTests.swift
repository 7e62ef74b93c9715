import Backprop
import Datasets
import Foundation
import Testing
import TestSupport

/// A run interrupted after a checkpoint and resumed from it ends exactly where an uninterrupted run does.
@Suite struct CheckpointTests {
    struct Interrupted: Error {}

    func makeTrainer(optimizer: any Optimizer, schedule: any LearningRateSchedule) throws -> Trainer<BLAS<Double>> {
        var rng = SeededGenerator(seed: 11)
        let network = try Network<BLAS<Double>>.make(sizes: [2, 12, 2], hidden: .tanh, output: .softmax, loss: .crossEntropy, using: &rng)
        var config = TrainingConfiguration()
        config.epochs = 6
        config.batchSize = 16
        config.learningRate = 0.05
        config.dropout = 0.1
        config.patience = 3
        config.seed = 12
        return try Trainer(network: network, optimizer: optimizer, schedule: schedule, configuration: config)
    }

    static let setups: [(String, String)] = [("adam", "plateau"), ("nesterov", "step"), ("sgd", "exponential")]

    @Test(arguments: setups)
    func resumeEqualsUninterrupted(optimizerName: String, scheduleName: String) throws {
        let data = try TrainerTests.spirals(perClass: 60, seed: 9)
        let (training, validation) = Trainer<BLAS<Double>>.split(data, validationFraction: 0.25, seed: 12)
        let scaler = FeatureScaler.fit(.standardize, on: training)
        let fresh = { try self.makeTrainer(optimizer: Optimizers.make(optimizerName)!, schedule: LearningRateSchedules.make(scheduleName)!) }

        let whole = try fresh()
        try whole.train(training: training, validation: validation, scaler: scaler)

        let path = TestData.temporaryDirectory().appendingPathComponent("run.ckpt").path
        let first = try fresh()
        #expect(throws: Interrupted.self) {
            try first.train(training: training, validation: validation, scaler: scaler, checkpoint: { trainer in
                try Checkpoint(trainer, scaler: scaler, run: ["note": "test"]).save(to: path)
                if trainer.history.count == 3 { throw Interrupted() }
            })
        }
        let saved = try Checkpoint.load(path: path)
        #expect(saved.history.count == 3 && saved.run == ["note": "test"] && saved.scaler == scaler)
        let second = try saved.trainer(BLAS<Double>.self)
        try second.train(training: training, validation: validation, scaler: scaler)

        let bits = { (n: Network<BLAS<Double>>) in n.layers.flatMap { $0.weights.elements.map(\.bitPattern) + ($0.bias ?? []).map(\.bitPattern) } }
        #expect(bits(second.network) == bits(whole.network))
        // Timings differ; every learned figure must not.
        #expect(second.history.map(\.trainingLoss) == whole.history.map(\.trainingLoss))
        #expect(second.history.map(\.validationLoss) == whole.history.map(\.validationLoss))
        #expect(second.history.map(\.learningRate) == whole.history.map(\.learningRate))
    }

    @Test func aDamagedCheckpointIsAnErrorNamingTheField() throws {
        let dir = TestData.temporaryDirectory()
        let path = dir.appendingPathComponent("bad.ckpt").path
        var rng = SeededGenerator(seed: 1)
        let network = try Network<BLAS<Double>>.make(sizes: [2, 3, 2], hidden: .relu, output: .softmax, loss: .crossEntropy, using: &rng)
        let trainer = try Trainer(network: network)
        var container = try SafeTensors.decode(
            { () -> Data in try! Checkpoint(trainer, scaler: .identity(featureCount: 2)).save(to: path); return try Data(contentsOf: URL(fileURLWithPath: path)) }(),
            file: path)
        container.metadata["optimizer"] = "adagrad"
        try container.write(to: path)
        let loaded = try Checkpoint.load(path: path)
        #expect(throws: FileFormatError.self) { try loaded.trainer(BLAS<Double>.self, file: path) }
        container.tensors["layers.1.weight"] = .init(shape: [4, 2], values: [Double](repeating: 0, count: 8))
        try container.write(to: path)
        let error = try #require(throws: FileFormatError.self) { try Checkpoint.load(path: path) }
        #expect(error.field == #"header["layers.1.weight"].shape"# && error.problem.contains("layer 0 has 3 outputs"))
        container.metadata["format"] = "something-else"
        try container.write(to: path)
        #expect(throws: FileFormatError.self) { try Checkpoint.load(path: path) }
    }
}
