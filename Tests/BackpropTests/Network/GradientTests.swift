// GradientTests.swift: Backprop's gradients against central finite differences, and the two step paths against each other.
import Backprop
import Linalg
import Testing
import TestSupport

/// Backprop's gradients against central finite differences, and the two step paths against each other.
@Suite struct GradientTests {
    /// A random network of the given hidden activations and output, with biases.
    static func randomNetwork<B: LinearAlgebra>(_ backend: B.Type, sizes: [Int], hidden: Activation, output: Activation,
                                                loss: Loss, seed: UInt64) -> Network<B> where B.Scalar == Double {
        var rng = SeededGenerator(seed: seed)
        var layers: [Layer<Double>] = []
        for l in 0..<(sizes.count - 1) {
            let w = Matrix<Double>.randomNormal(rows: sizes[l], columns: sizes[l + 1], scale: 0.8, using: &rng)
            let b = Matrix<Double>.randomNormal(rows: 1, columns: sizes[l + 1], scale: 0.3, using: &rng).elements
            layers.append(Layer<Double>.dense(weights: w, bias: b, activation: l == sizes.count - 2 ? output : hidden))
        }
        return try! Network<B>(layers: layers, loss: loss)
    }

    static let cases: [(Activation, Activation, Loss)] = [
        (.sigmoid, .sigmoid, .squaredError), (.tanh, .identity, .squaredError),
        (.relu, .tanh, .squaredError), (.identity, .softmax, .crossEntropy), (.tanh, .softmax, .crossEntropy),
    ]

    @Test(arguments: cases)
    func gradientsMatchCentralDifferences(hidden: Activation, output: Activation, loss: Loss) {
        let network = Self.randomNetwork(BLAS<Double>.self, sizes: [4, 5, 3], hidden: hidden, output: output, loss: loss, seed: 3)
        var rng = SeededGenerator(seed: 5)
        let x = Matrix<Double>.randomNormal(rows: 6, columns: 4, using: &rng)
        var t = Matrix<Double>.randomUniform(rows: 6, columns: 3, in: 0..<1, using: &rng)
        if loss == .crossEntropy {  // One-hot targets.
            for i in 0..<6 { for j in 0..<3 { t[i, j] = j == i % 3 ? 1 : 0 } }
        }
        var g = ParameterArrays<Double>(zerosLike: network.layers)
        network.gradients(inputs: x, targets: t, workspace: Workspace<Double>(batch: 6, layers: network.layers), into: &g)

        let h = 1e-6
        func lossAt(_ n: Network<BLAS<Double>>) -> Double {
            let out = Workspace<Double>(batch: 6, layers: n.layers)
            n.forward(x, workspace: out)
            let last = out.layers[out.layers.count - 1]
            return n.loss.value(outputs: last.activations, preActivations: last.preActivations, targets: t)
        }
        for l in network.layers.indices {
            var numeric: [Double] = []
            for i in network.layers[l].weights.elements.indices {
                var plus = network.layers[l], minus = network.layers[l]
                plus.weights.elements[i] += h
                minus.weights.elements[i] -= h
                var np = network, nm = network
                np.setParameters(layer: l, weights: plus.weights, bias: plus.bias)
                nm.setParameters(layer: l, weights: minus.weights, bias: minus.bias)
                numeric.append((lossAt(np) - lossAt(nm)) / (2 * h))
            }
            let mismatch = Approximate.firstMismatch(g.weights[l].elements, numeric, Tolerance(absolute: 1e-8, relative: 1e-5))
            #expect(mismatch == nil, "layer \(l) \(hidden)/\(output): \(mismatch ?? "")")
            #expect(Approximate.isNontrivial(numeric, threshold: 1e-6))
        }
    }

    @Test(arguments: cases)
    func samplePathEqualsBatchPathOnOneSample(hidden: Activation, output: Activation, loss: Loss) {
        let network = Self.randomNetwork(Reference<Double>.self, sizes: [3, 4, 2], hidden: hidden, output: output, loss: loss, seed: 9)
        let x: [Double] = [0.3, -1.2, 0.8]
        let t: [Double] = loss == .crossEntropy ? [0, 1] : [0.25, -0.5]
        let viaVectors = network.computeStep(inputs: Matrix([x]), targets: Matrix([t]), learningRate: 0.4)
        var g = ParameterArrays<Double>(zerosLike: network.layers)
        let viaMatrices = network.gradients(inputs: Matrix<Double>(rows: 1, columns: 3, elements: x),
                                            targets: Matrix<Double>(rows: 1, columns: 2, elements: t),
                                            workspace: Workspace<Double>(batch: 1, layers: network.layers), into: &g)
        #expect(Tolerance.vectors.accepts(viaVectors.loss, viaMatrices))
        var steps = g
        steps.scale(by: -0.4)
        for l in network.layers.indices {
            #expect(Approximate.firstMismatch(viaVectors.steps.weights[l], steps.weights[l], .vectors) == nil)
            #expect(Approximate.firstMismatch(viaVectors.steps.biases[l]!, steps.biases[l]!, .vectors) == nil)
        }
    }

    @Test func aBatchOfOneSampleRepeatedGivesThatSamplesStep() {
        let network = Self.randomNetwork(BLAS<Double>.self, sizes: [3, 4, 2], hidden: .tanh, output: .sigmoid, loss: .squaredError, seed: 2)
        let x: [Double] = [0.5, 0.1, -0.2], t: [Double] = [0.6, 0.1]
        let single = network.computeStep(inputs: Matrix([x]), targets: Matrix([t]), learningRate: 0.5)
        let repeated = network.computeStep(inputs: Matrix<Double>(rows: 5, columns: 3, elements: Array((0..<5).map { _ in x }.joined())),
                                           targets: Matrix<Double>(rows: 5, columns: 2, elements: Array((0..<5).map { _ in t }.joined())),
                                           learningRate: 0.5)
        for l in network.layers.indices {
            #expect(Approximate.firstMismatch(repeated.steps.weights[l], single.steps.weights[l], .vectors) == nil)
        }
    }
}
