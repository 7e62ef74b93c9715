// CheckpointTests.swift: a run interrupted after a checkpoint and resumed from it ends exactly where an uninterrupted run does.
import Backprop
import ModelFiles
import Datasets
import Foundation
import Testing
import TestSupport

/// A run interrupted after a checkpoint and resumed from it ends exactly where an uninterrupted run does.
@Suite struct CheckpointTests {
    func makeTrainer<B: LinearAlgebra>(_: B.Type = BLAS<Double>.self, optimizer: Optimizer,
                                        schedule: any LearningRateSchedule) throws -> Trainer<B> {
        var rng = SeededGenerator(seed: 11)
        let network = try Network<B>.make(sizes: [2, 12, 2], hidden: .tanh, output: .softmax, loss: .crossEntropy, using: &rng)
        var config = TrainingConfiguration()
        config.epochs = 6
        config.batchSize = 16
        config.learningRate = 0.05
        config.dropout = 0.1
        config.patience = 3
        config.seed = 12
        return try Trainer(network: network, optimizer: optimizer, schedule: schedule, configuration: config)
    }

    static let setups: [(String, String)] = [("adam", "plateau"), ("nesterov", "step"), ("sgd", "exponential"), ("momentum", "cosine")]

    @Test(arguments: setups)
    func resumeEqualsUninterrupted(optimizerName: String, scheduleName: String) throws {
        try resumeEqualsUninterrupted(BLAS<Double>.self, optimizerName, scheduleName)
    }

    /// The same in float32: the checkpoint holds F32 parameters and optimiser arrays, which resume bit for bit.
    @Test(arguments: setups)
    func float32ResumeEqualsUninterrupted(optimizerName: String, scheduleName: String) throws {
        try resumeEqualsUninterrupted(BLAS<Float>.self, optimizerName, scheduleName)
    }

    func resumeEqualsUninterrupted<B: LinearAlgebra>(_: B.Type, _ optimizerName: String, _ scheduleName: String) throws {
        let data = try SyntheticData.spirals(perClass: 60, seed: 9)
        let (training, validation) = Trainer<B>.split(data, validationFraction: 0.25, seed: 12)
        let scaler = FeatureScaler.fit(.standardize, on: training)
        let fresh = { try self.makeTrainer(B.self, optimizer: Optimizer(name: optimizerName)!, schedule: LearningRateSchedules.make(scheduleName, epochs: 6)!) }

        let whole = try fresh()
        try whole.train(training: training, validation: validation, scaler: scaler)

        let path = TestData.temporaryDirectory().appendingPathComponent("run.ckpt").path
        let saved = try fresh().trainInterrupted(training: training, validation: validation, scaler: scaler, stoppingAfter: 3,
                                                 path: path, run: ["note": "test"])
        #expect(saved.history.count == 3 && saved.run == ["note": "test"] && saved.scaler == scaler)
        #expect(saved.precision == B.Scalar.precision)
        let dtype = B.Scalar.precision == .float32 ? "F32" : "F64"
        let header = try String(decoding: Data(contentsOf: URL(fileURLWithPath: path)).prefix(4096), as: UTF8.self)
        #expect(header.contains(#""layers.0.weight":{"dtype":"\#(dtype)""#), "checkpoint header: \(header.prefix(300))")
        let second = try saved.trainer(B.self)
        try second.train(training: training, validation: validation, scaler: scaler)

        let bits = { (n: Network<B>) in parameterBits(n.definition.converted(to: Double.self).layers) }
        #expect(bits(second.network) == bits(whole.network))
        // Timings differ; every learned figure must not.
        #expect(second.history.map(\.trainingLoss) == whole.history.map(\.trainingLoss))
        #expect(second.history.map(\.validationLoss) == whole.history.map(\.validationLoss))
        #expect(second.history.map(\.learningRate) == whole.history.map(\.learningRate))
    }

    /// A float32 run's checkpoint does not resume in float64 (or the reverse): the message names the precisions.
    @Test func aCheckpointResumesOnlyInItsPrecision() throws {
        var rng = SeededGenerator(seed: 1)
        let network = try Network<BLAS<Float>>.make(sizes: [2, 3, 2], hidden: .relu, output: .softmax, loss: .crossEntropy, using: &rng)
        let path = TestData.temporaryDirectory().appendingPathComponent("f32.ckpt").path
        try Checkpoint(try Trainer(network: network), scaler: .identity(featureCount: 2)).save(to: path)
        let loaded = try Checkpoint.load(path: path)
        #expect(loaded.precision == .float32)
        let error = try #require(throws: FileFormatError.self) { try loaded.trainer(BLAS<Double>.self, file: path) }
        #expect(error.problem.contains("float32") && error.problem.contains("float64"), "\(error)")
        #expect(try loaded.trainer(BLAS<Float>.self, file: path).network == network)
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
