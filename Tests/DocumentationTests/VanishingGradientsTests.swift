// VanishingGradientsTests.swift: the listings of `VanishingGradients.md`, run.
import Backprop
import Foundation
import NumPyFormat
import Testing
import TestSupport

/// The listings of `VanishingGradients.md`, run.
@Suite struct VanishingGradientsTests {
    static let article = "Sources/Backprop/Backprop.docc/VanishingGradients.md"

    @Test func sigmoidDerivativeBoundAndLayerNorms() throws {
        let transcript = try Transcript.record {
            Transcript.current?.begin("sigmoid-derivative")
            // listing: sigmoid-derivative
            // σ′(h) = σ(h)·(1 − σ(h)) is largest at h = 0, where it is exactly 1/4.
            let hs = stride(from: -6.0, through: 6.0, by: 0.01).map { $0 }
            let largest = hs.map { Activation.sigmoid($0) * (1 - Activation.sigmoid($0)) }.max()!
            print("largest σ′:", largest)
            print("after the output layer and one hidden layer, at most:", largest * largest)
            // end listing
            #expect(largest == 0.25)

            Transcript.current?.begin("layer-norms")
            // listing: layer-norms
            // One batch through six layers, once with sigmoid hidden units and once with ReLU.
            var rng = SeededGenerator(seed: 1)
            let inputs = Matrix<Double>.randomNormal(rows: 50, columns: 784, using: &rng)   // batch × 784
            var targets = Matrix<Double>(rows: 50, columns: 10)
            for i in 0..<50 { targets[i, i % 10] = 1 }

            for hidden in [Activation.sigmoid, .relu] {
                var weightsRNG = SeededGenerator(seed: 2)
                let network = try Network<BLAS<Double>>.make(sizes: [784, 64, 64, 64, 64, 64, 10], hidden: hidden,
                                                     output: .softmax, loss: .crossEntropy, using: &weightsRNG)
                var gradients = ParameterArrays<Double>(zerosLike: network.layers)
                network.gradients(inputs: inputs, targets: targets,
                                  workspace: Workspace<Double>(batch: 50, layers: network.layers), into: &gradients)
                // ‖∂L/∂W_l‖ / √(fan_in·fan_out): the root-mean-square entry, comparable across layer sizes.
                let rms = network.layers.indices.map { l in
                    gradients.weightNorm(layer: l) / Double(network.layers[l].weights.elements.count).squareRoot()
                }
                print(hidden.rawValue, rms.map { String(format: "%.1e", $0) }.joined(separator: "  "))
            }
            // end listing
        }
        try ArticleCheck.outputs(of: transcript, article: Self.article, tests: #filePath)
    }
}
