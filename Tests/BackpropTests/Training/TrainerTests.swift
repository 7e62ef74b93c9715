// TrainerTests.swift: the trainer on small synthetic problems, on real data, and its guarantees (determinism, divergence).
import Backprop
import Datasets
import Foundation
import Testing
import TestSupport

/// The trainer on small synthetic problems, on real data, and its guarantees (determinism, divergence).
@Suite struct TrainerTests {
    static let optimizers: [(String, Double)] = [("sgd", 0.5), ("momentum", 0.1), ("nesterov", 0.1), ("adam", 0.01)]

    @Test(arguments: optimizers)
    func everyOptimizerLearnsXOR(name: String, rate: Double) throws {
        let data = try SyntheticData.xor(samples: 200, seed: 1)
        var rng = SeededGenerator(seed: 2)
        let network = try Network<BLAS<Double>>.make(sizes: [2, 8, 2], hidden: .tanh, output: .softmax, loss: .crossEntropy, using: &rng)
        var config = TrainingConfiguration()
        config.epochs = 150
        config.batchSize = 20
        config.learningRate = rate
        config.validationFraction = 0
        config.patience = nil
        let trainer = try Trainer(network: network, optimizer: Optimizer(name: name)!, configuration: config)
        let scaler = FeatureScaler.identity(featureCount: 2)
        let history = try trainer.train(training: data, validation: nil, scaler: scaler)
        // Chance level for two balanced classes is log 2 ≈ 0.693.
        #expect(history[0].trainingLoss > 0.3, "\(name): the first epoch already solved it, so the test shows nothing")
        #expect(history.last!.trainingLoss < 0.05, "\(name): loss \(history.last!.trainingLoss)")
        #expect(trainer.network.evaluate(data, scaler: scaler).accuracy == 1)
    }

    @Test func adamSeparatesTwoSpirals() throws {
        let data = try SyntheticData.spirals(perClass: 200, seed: 3)
        var rng = SeededGenerator(seed: 4)
        let network = try Network<BLAS<Double>>.make(sizes: [2, 32, 32, 2], hidden: .tanh, output: .softmax, loss: .crossEntropy, using: &rng)
        var config = TrainingConfiguration()
        config.epochs = 300
        config.batchSize = 32
        config.learningRate = 0.01
        config.validationFraction = 0
        config.patience = nil
        let trainer = try Trainer(network: network, optimizer: .adam, configuration: config)
        let scaler = FeatureScaler.fit(.standardize, on: data)
        try trainer.train(training: data, validation: nil, scaler: scaler)
        #expect(trainer.history.last!.trainingLoss < 0.1)
        #expect(trainer.network.evaluate(data, scaler: scaler).accuracy > 0.97)
    }

    @Test func sameSeedGivesBitIdenticalWeightsAndAnotherSeedDoesNot() throws {
        let data = try SyntheticData.spirals(perClass: 100, seed: 5)
        func run(seed: UInt64, threads: Int) throws -> [Layer<Double>] {
            var rng = SeededGenerator(seed: seed)
            let network = try Network<BLAS<Double>>.make(sizes: [2, 16, 2], hidden: .relu, output: .softmax, loss: .crossEntropy, using: &rng)
            var config = TrainingConfiguration()
            config.epochs = 5
            config.batchSize = 40
            config.dropout = 0.2
            config.seed = seed
            config.threads = threads
            let trainer = try Trainer(network: network, configuration: config)
            let (training, validation) = Trainer<BLAS<Double>>.split(data, validationFraction: 0.2, seed: seed)
            try trainer.train(training: training, validation: validation, scaler: .fit(.standardize, on: training))
            return trainer.network.layers
        }
        let bits = parameterBits
        #expect(bits(try run(seed: 7, threads: 1)) == bits(try run(seed: 7, threads: 1)))
        #expect(bits(try run(seed: 7, threads: 2)) == bits(try run(seed: 7, threads: 2)))
        #expect(bits(try run(seed: 7, threads: 1)) != bits(try run(seed: 8, threads: 1)))
    }

    @Test func divergenceStopsWithTheEpochAndBatchAndKeepsTheLastGoodWeights() throws {
        // Squared error on targets of size 1e200 with a linear output: the gradient overflows at once.
        let features = (0..<40).map { Double($0 % 7) }
        let data = try Dataset(features: .doubles(features), labels: (0..<40).map { $0 % 2 }, featureCount: 1, classCount: 2)
        var rng = SeededGenerator(seed: 1)
        let network = try Network<BLAS<Double>>.make(sizes: [1, 4, 2], hidden: .identity, output: .identity, loss: .squaredError, using: &rng)
        var config = TrainingConfiguration()
        config.batchSize = 10
        config.learningRate = 1e300
        config.validationFraction = 0
        let trainer = try Trainer(network: network, optimizer: .gradientDescent, configuration: config)
        var error: TrainingError?
        do {
            try trainer.train(training: data, validation: nil, scaler: .identity(featureCount: 1))
        } catch let e as TrainingError {
            error = e
        }
        guard case .nonFinite(let epoch, let batch, _) = try #require(error) else {
            Issue.record("expected a non-finite error, got \(String(describing: error))")
            return
        }
        #expect(epoch == 1 && batch == 2)  // Batch 1's step makes the weights ~1e300; batch 2 overflows.
        #expect(error!.description.contains("epoch 1, batch 2"))
        #expect(trainer.network.layers.allSatisfy { $0.weights.elements.allSatisfy { $0.isFinite } })
    }

    @Test func oneEpochOnTwoThousandFashionMNISTImagesBeatsSeventyPercent() throws {
        let (train, test) = try FashionMNIST.load()
        let slice = train.subset(Array(0..<2000))
        var rng = SeededGenerator(seed: 1)
        let network = try Network<BLAS<Double>>.make(sizes: [784, 128, 10], hidden: .relu, output: .softmax, loss: .crossEntropy, using: &rng)
        var config = TrainingConfiguration()
        config.epochs = 1
        config.batchSize = 32
        config.validationFraction = 0
        let trainer = try Trainer(network: network, optimizer: .adam, configuration: config)
        let scaler = FeatureScaler.fit(.standardize, on: slice)
        try trainer.train(training: slice, validation: nil, scaler: scaler)
        let accuracy = trainer.network.evaluate(test, scaler: scaler).accuracy
        #expect(accuracy > 0.70, "test accuracy \(accuracy)")
    }

    @Test func dataThatDoesNotFitTheNetworkIsAnError() throws {
        let data = try SyntheticData.xor(samples: 8, seed: 1)
        var rng = SeededGenerator(seed: 1)
        let network = try Network<BLAS<Double>>.make(sizes: [3, 2], hidden: .relu, output: .softmax, loss: .crossEntropy, using: &rng)
        let trainer = try Trainer(network: network)
        #expect(throws: TrainingError.dataMismatch("xor has 2 features per sample; the network takes 3 inputs")) {
            try trainer.train(training: data, validation: nil, scaler: .identity(featureCount: 2))
        }
        var bad = TrainingConfiguration()
        bad.batchSize = 0
        #expect(throws: TrainingError.invalidConfiguration("batch size must be at least 1, got 0")) {
            try Trainer(network: network, configuration: bad)
        }
    }
}

@Suite struct EarlyStoppingTests {
    /// Metrics of one epoch with the given validation figures.
    func metrics(_ epoch: Int, loss: Double, accuracy: Double) -> EpochMetrics {
        EpochMetrics(epoch: epoch, trainingLoss: 1, validationLoss: loss, validationAccuracy: accuracy, learningRate: 0.1,
                     samplesPerSecond: 1, seconds: 1, gradientNorms: nil)
    }

    @Test func theMonitorDecidesWhatImproves() {
        // Loss worsens while accuracy improves: each monitor sees the opposite trend.
        let before = metrics(1, loss: 0.30, accuracy: 0.88), after = metrics(2, loss: 0.31, accuracy: 0.89)
        #expect(Monitor.validationLoss.value(of: after) > Monitor.validationLoss.value(of: before))
        #expect(Monitor.validationAccuracy.value(of: after) < Monitor.validationAccuracy.value(of: before))
        // Without a validation split both fall back to the training loss.
        let plain = EpochMetrics(epoch: 1, trainingLoss: 0.7, validationLoss: nil, validationAccuracy: nil, learningRate: 0.1,
                                 samplesPerSecond: 1, seconds: 1, gradientNorms: nil)
        #expect(Monitor.validationAccuracy.value(of: plain) == 0.7 && Monitor.validationLoss.value(of: plain) == 0.7)
    }

    @Test func earlyStoppingRestoresTheBestWeightsByTheMonitor() throws {
        let data = try SyntheticData.spirals(perClass: 80, seed: 21)
        let (training, validation) = Trainer<BLAS<Double>>.split(data, validationFraction: 0.25, seed: 3)
        let scaler = FeatureScaler.fit(.standardize, on: training)
        for monitor in Monitor.allCases {
            var rng = SeededGenerator(seed: 5)
            let network = try Network<BLAS<Double>>.make(sizes: [2, 24, 2], hidden: .tanh, output: .softmax, loss: .crossEntropy, using: &rng)
            var config = TrainingConfiguration()
            config.epochs = 60
            config.batchSize = 16
            config.learningRate = 0.05
            config.patience = 4
            config.monitor = monitor
            let trainer = try Trainer(network: network, optimizer: .adam, configuration: config)
            try trainer.train(training: training, validation: validation, scaler: scaler)
            // The restored weights are those of the best epoch by the monitor: evaluating them again
            // on the validation split gives that epoch's figures.
            let best = trainer.history.min { monitor.value(of: $0) < monitor.value(of: $1) }!
            let again = trainer.network.evaluate(validation!, scaler: scaler)
            #expect(abs(again.loss - best.validationLoss!) < 1e-12, "\(monitor)")
            #expect(again.accuracy == best.validationAccuracy!, "\(monitor)")
        }
    }
}
