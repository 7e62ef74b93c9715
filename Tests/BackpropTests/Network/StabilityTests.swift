// StabilityTests.swift: pre-activations in the thousands give finite, correct outputs, losses and steps.
import Backprop
import Linalg
import Testing
import TestSupport

/// Pre-activations in the thousands give finite, correct outputs, losses and steps.
@Suite struct StabilityTests {
    @Test func sigmoidSaturatesWithoutOverflow() {
        #expect(Activation.sigmoid(1000) == 1)
        #expect(Activation.sigmoid(-1000) == 0)  // e^−1000 is below the smallest Double.
        #expect(Activation.sigmoid(-700) > 0 && Activation.sigmoid(-700) < 1e-300)
        // σ(−x) = 1 − σ(x), and σ(0) = ½.
        #expect(Activation.sigmoid(0) == 0.5)
        #expect(abs(Activation.sigmoid(-2) - (1 - Activation.sigmoid(2))) <= 0x1p-52)  // One rounding of 1 − σ.
    }

    @Test func softmaxCrossEntropyWithHugeLogitsIsFiniteAndExact() throws {
        // One layer, identity weights, so H = X: logits [3000, 0, −3000], target class 1.
        let layer = Layer<Double>.dense(weights: Matrix<Double>.identity(3), bias: nil, activation: .softmax)
        let network = try Network<BLAS<Double>>(layers: [layer], loss: .crossEntropy)
        let x = Matrix<Double>([[3000, 0, -3000]]), t = Matrix<Double>([[0, 1, 0]])
        let result = network.computeStep(inputs: x, targets: t, learningRate: 1)
        // y = [1, e^−3000, 0] → loss = −log y_1 = 3000 exactly (log-softmax, not log of an underflowed 0).
        #expect(result.outputs.elements == [1, 0, 0])
        #expect(result.loss == 3000)
        // Step = η·xᵀ(t − y) = xᵀ·[−1, 1, 0]: row i is x_i·[−1, 1, 0].
        #expect(result.steps.weights[0] == Matrix<Double>([[-3000, 3000, 0], [0, 0, 0], [3000, -3000, 0]]))
    }

    @Test func sigmoidNetworkWithHugePreActivationsHasFiniteSteps() throws {
        let layers = [
            Layer<Double>.dense(weights: Matrix<Double>([[2000, -2000]]), bias: [0, 0], activation: .sigmoid),
            Layer<Double>.dense(weights: Matrix<Double>([[3000], [-3000]]), bias: nil, activation: .sigmoid),
        ]
        try check(Network<BLAS<Double>>(layers: layers, loss: .squaredError))
        try check(Network<Reference<Double>>(layers: layers, loss: .squaredError))
        func check<B>(_ network: Network<B>) where B.Scalar == Double {
            let result = network.computeStep(inputs: Matrix<Double>([[1], [-1]]), targets: Matrix<Double>([[0.5], [0.5]]), learningRate: 1)
            let all = [result.loss] + result.outputs.elements + result.steps.weights.flatMap(\.elements)
            #expect(all.allSatisfy { $0.isFinite })
            // x = 1: a = σ([2000, −2000]) = [1, 0], y = σ(3000) = 1; x = −1: a = [0, 1], y = σ(−3000) = 0.
            // Loss = mean of ½·(0.5)² = 0.125.
            #expect(result.outputs.elements == [1, 0])
            #expect(result.loss == 0.125)
        }
    }
}
