// ConvolutionTrainingTests.swift: a convolutional network learns a tiny synthetic image task through the Trainer, on BLAS in float32.
import Backprop
import Datasets
import Linalg
import Testing

@Suite struct ConvolutionTrainingTests {
    /// 1×6×6 images of a bright vertical bar (class 0) or horizontal bar (class 1) at a random place,
    /// on noise: no single pixel tells the classes apart, a 3×3 edge filter does.
    static func bars(samples: Int, seed: UInt64) throws -> Dataset {
        var rng = SeededGenerator(seed: seed)
        var features: [Double] = [], labels: [Int] = []
        for i in 0..<samples {
            let label = i % 2, place = Int(rng.nextUniform() * 6) % 6
            var image = (0..<36).map { _ in 0.3 * rng.nextNormal() }
            for k in 0..<6 { image[label == 0 ? k * 6 + place : place * 6 + k] += 1 }
            features += image
            labels.append(label)
        }
        return try Dataset(features: .doubles(features), labels: labels, featureCount: 36, classCount: 2, source: "bars")
    }

    @Test func aConvolutionalNetworkLearnsBarsInFloat32() throws {
        let data = try Self.bars(samples: 256, seed: 1)
        var rng = SeededGenerator(seed: 2)
        let layers: [Layer<Float>] = [
            .conv2d(Conv2D(input: (1, 6, 6), weights: .randomNormal(rows: 4, columns: 9, scale: (2.0 / 9).squareRoot(), using: &rng),
                           bias: [0, 0, 0, 0], kernel: (3, 3), padding: (1, 1), activation: .relu)),
            .maxPool2D(MaxPool2D(input: (4, 6, 6), window: (2, 2))),
            .flatten(Flatten(input: (4, 3, 3))),
            .dense(weights: .randomNormal(rows: 36, columns: 2, scale: (1.0 / 36).squareRoot(), using: &rng), bias: [0, 0], activation: .softmax),
        ]
        let network = try Network<BLAS<Float>>(layers: layers, loss: .crossEntropy)
        var config = TrainingConfiguration()
        config.epochs = 30
        config.batchSize = 16
        config.learningRate = 0.01
        config.validationFraction = 0
        config.patience = nil
        let trainer = try Trainer(network: network, optimizer: .adam, configuration: config)
        let scaler = FeatureScaler.identity(featureCount: 36)
        let history = try trainer.train(training: data, validation: nil, scaler: scaler)
        // Chance level for two balanced classes is log 2 ≈ 0.693.
        #expect(history[0].trainingLoss > 0.3, "the first epoch already solved it, so the test shows nothing")
        #expect(history.last!.trainingLoss < 0.5 * history[0].trainingLoss, "loss \(history.map(\.trainingLoss))")
        let test = try Self.bars(samples: 200, seed: 3)
        #expect(trainer.network.evaluate(test, scaler: scaler).accuracy > 0.9)
    }
}
