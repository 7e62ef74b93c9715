// NetworkValidationTests.swift: a list of layers and a loss that do not form a network are refused, naming the rule broken.
import Backprop
import Linalg
import Testing

@Suite struct NetworkValidationTests {
    func layer(_ fanIn: Int, _ fanOut: Int, _ f: Activation = .sigmoid, bias: Int? = nil) -> Layer<Double> {
        Layer<Double>.dense(weights: Matrix<Double>(rows: fanIn, columns: fanOut, repeating: 0.1),
                   bias: bias.map { [Double](repeating: 0, count: $0) }, activation: f)
    }

    @Test func invalidArchitecturesAreRejectedWithTheLayerNamed() {
        #expect(throws: NetworkError.noLayers) { try Network<BLAS<Double>>(layers: [], loss: .squaredError) }
        #expect(throws: NetworkError.fanInMismatch(layer: 1, fanIn: 4, previousFanOut: 2)) {
            try Network<BLAS<Double>>(layers: [layer(3, 2), layer(4, 1)], loss: .squaredError)
        }
        #expect(throws: NetworkError.biasLength(layer: 0, count: 3, fanOut: 2)) {
            try Network<BLAS<Double>>(layers: [layer(3, 2, bias: 3)], loss: .squaredError)
        }
        #expect(throws: NetworkError.softmaxNotLast(layer: 0)) {
            try Network<BLAS<Double>>(layers: [layer(3, 2, .softmax), layer(2, 2, .softmax)], loss: .crossEntropy)
        }
        #expect(throws: NetworkError.softmaxWithoutCrossEntropy(loss: .squaredError)) {
            try Network<BLAS<Double>>(layers: [layer(3, 2, .softmax)], loss: .squaredError)
        }
        #expect(throws: NetworkError.crossEntropyWithoutSoftmax(activation: .sigmoid)) {
            try Network<BLAS<Double>>(layers: [layer(3, 2)], loss: .crossEntropy)
        }
        #expect(NetworkError.fanInMismatch(layer: 1, fanIn: 4, previousFanOut: 2).description
                == "layer 1: weights have 4 rows (fan_in) but layer 0 has 2 outputs")
    }

    @Test func deepNetworksOfAnyDepthTrain() throws {
        var rng = SeededGenerator(seed: 4)
        let sizes = [2, 6, 6, 6, 6, 1]
        let layers = (0..<5).map { l in
            Layer<Double>.dense(weights: Matrix<Double>.randomNormal(rows: sizes[l], columns: sizes[l + 1], scale: 0.7, using: &rng),
                       bias: [Double](repeating: 0, count: sizes[l + 1]), activation: l == 4 ? .sigmoid : .tanh)
        }
        var network = try Network<BLAS<Double>>(layers: layers, loss: .squaredError)
        let x = Matrix<Double>([[0, 0], [0, 1], [1, 0], [1, 1]]), t = Matrix<Double>([[0], [1], [1], [0]])
        let first = network.step(inputs: x, targets: t, learningRate: 0.5).loss
        var last = first
        for _ in 0..<2000 { last = network.step(inputs: x, targets: t, learningRate: 0.5).loss }
        #expect(last < first / 10, "XOR loss went from \(first) to \(last)")
    }
}
