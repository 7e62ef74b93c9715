// VanishingGradientTests.swift: the lesson's warning, measured.
import Backprop
import Datasets
import Testing

/// The lesson's warning, measured: through many sigmoid layers the gradient shrinks towards the
/// input (σ′ ≤ ¼ at every layer), while ReLU with He initialisation keeps it about level.
@Suite struct VanishingGradientTests {
    func gradientNorms(_ hidden: Activation) throws -> [Double] {
        let (train, _) = try FashionMNIST.load()
        let slice = train.subset(Array(0..<1000))
        var rng = SeededGenerator(seed: 1)
        let network = try Network<BLAS<Double>>.make(sizes: [784, 64, 64, 64, 64, 64, 10], hidden: hidden, output: .softmax,
                                             loss: .crossEntropy, using: &rng)
        var config = TrainingConfiguration()
        config.epochs = 1
        config.batchSize = 50
        config.validationFraction = 0
        config.logGradients = true
        config.learningRate = 0.01
        let trainer = try Trainer(network: network, optimizer: .gradientDescent, configuration: config)
        try trainer.train(training: slice, validation: nil, scaler: .fit(.unitRange, on: slice))
        return try #require(trainer.history[0].gradientNorms)
    }

    @Test func deepSigmoidGradientsVanishTowardsTheInputAndReLUOnesDoNot() throws {
        let sigmoid = try gradientNorms(.sigmoid), relu = try gradientNorms(.relu)
        #expect(sigmoid.count == 6 && relu.count == 6)
        // The first layer's gradient against the last hidden layer's (index 4).
        let sigmoidRatio = sigmoid[0] / sigmoid[4], reluRatio = relu[0] / relu[4]
        #expect(sigmoidRatio < 0.05, "sigmoid norms \(sigmoid)")
        #expect(reluRatio > 0.2, "relu norms \(relu)")
        #expect(sigmoid.allSatisfy { $0 > 0 } && relu.allSatisfy { $0 > 0 })
    }
}
