// GradientCheckTests.swift: `Network.gradientCheck` over random networks of every activation and loss, on both backends.
import Backprop
import Testing
import TestSupport

/// `Network.gradientCheck` over random networks of every activation and loss, with and without
/// biases, batches of 1 and more, on both backends.
@Suite struct GradientCheckTests {
    struct Setup: CustomTestStringConvertible, Sendable {
        let hidden: Activation, output: Activation, loss: Loss, bias: Bool, batch: Int
        var testDescription: String { "\(hidden)→\(output) \(loss.rawValue) bias:\(bias) batch:\(batch)" }
    }

    static let setups: [Setup] = {
        var all: [Setup] = []
        let pairs: [(Activation, Loss)] = [(.identity, .squaredError), (.sigmoid, .squaredError), (.tanh, .squaredError),
                                           (.relu, .squaredError), (.softmax, .crossEntropy)]
        for hidden in [Activation.identity, .sigmoid, .tanh, .relu] {
            for (output, loss) in pairs {
                for (bias, batch) in [(true, 1), (false, 5), (true, 7)] {
                    all.append(Setup(hidden: hidden, output: output, loss: loss, bias: bias, batch: batch))
                }
            }
        }
        return all
    }()

    func check<B: LinearAlgebra>(_ backend: B.Type, _ s: Setup) throws -> GradientCheckReport where B.Scalar == Double {
        var rng = SeededGenerator(seed: UInt64(s.batch * 100 + (s.bias ? 1 : 0)))
        let network = try Network<B>.make(sizes: [4, 6, 5, 3], hidden: s.hidden, output: s.output, loss: s.loss,
                                          initializer: .glorot, bias: s.bias, using: &rng)
        // Non-zero biases, so their gradients are exercised away from the symmetric start.
        var layers = network.layers
        for l in layers.indices where s.bias {
            layers[l].bias = (0..<layers[l].outputCount).map { _ in 0.3 * rng.nextNormal() }
        }
        let shifted = try Network<B>(layers: layers, loss: s.loss)
        let x = Matrix<Double>.randomNormal(rows: s.batch, columns: 4, using: &rng)
        var t = Matrix<Double>.randomUniform(rows: s.batch, columns: 3, in: 0..<1, using: &rng)
        if s.loss == .crossEntropy {
            for i in 0..<s.batch { for j in 0..<3 { t[i, j] = j == (i % 3) ? 1 : 0 } }
        }
        // The quotient's rounding, ε·|L|/h ≈ 1e-10 at h = 1e-6, is 1e-4 of a gradient of 1e-6: the floor
        // of 1e-5 keeps such a gradient's error at rounding level (1e-5) while every layer's largest
        // gradient, above 1e-4 (checked below), is compared fully relatively.
        return shifted.gradientCheck(inputs: x, targets: t, floor: 1e-5)
    }

    @Test(arguments: setups)
    func gradientsAgreeWithFiniteDifferencesOnBothBackends(setup: Setup) throws {
        for report in [try check(BLAS<Double>.self, setup), try check(Reference<Double>.self, setup)] {
            // Rounding bounds the agreement (see gradientCheck); a wrong derivative gives errors near 1.
            #expect(report.worst < 1e-4, "\(setup.testDescription): \(report.layers.map(\.worst))")
            // Guard against passing on zeros: every layer's gradient is clearly non-zero.
            #expect(report.layers.allSatisfy { $0.largestGradient > 1e-4 }, "\(report.layers.map(\.largestGradient))")
            #expect(report.layers.allSatisfy { $0.checked == $0.total })
        }
    }

    @Test func aWrongGradientIsCaughtInItsLayer() throws {
        var rng = SeededGenerator(seed: 3)
        let network = try Network<BLAS<Double>>.make(sizes: [3, 4, 2], hidden: .tanh, output: .identity, loss: .squaredError, using: &rng)
        let x = Matrix<Double>.randomNormal(rows: 4, columns: 3, using: &rng)
        let t = Matrix<Double>.randomNormal(rows: 4, columns: 2, using: &rng)
        var g = ParameterArrays<Double>(zerosLike: network.layers)
        network.gradients(inputs: x, targets: t, workspace: Workspace<Double>(batch: 4, layers: network.layers), into: &g)
        #expect(network.gradientCheck(g, inputs: x, targets: t).worst < 1e-4)
        // One entry of layer 1 off by 1%: that layer reports a relative error of about 1e-2, layer 0 stays clean.
        g.weights[1].elements[3] *= 1.01
        let report = network.gradientCheck(g, inputs: x, targets: t)
        #expect(report.layers[1].worstWeightError > 0.005 && report.layers[1].worstWeightError < 0.02)
        #expect(report.layers[0].worst < 1e-4)
    }

    @Test func largeLayersAreSampled() throws {
        var rng = SeededGenerator(seed: 1)
        let network = try Network<BLAS<Double>>.make(sizes: [50, 40, 3], hidden: .relu, output: .softmax, loss: .crossEntropy, using: &rng)
        let x = Matrix<Double>.randomNormal(rows: 3, columns: 50, using: &rng)
        let t = Matrix<Double>([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        let report = network.gradientCheck(inputs: x, targets: t, samplesPerLayer: 100)
        #expect(report.layers.map(\.checked) == [100, 100])
        #expect(report.layers.map(\.total) == [50 * 40 + 40, 40 * 3 + 3])
        #expect(report.worst < 1e-4)
    }
}
