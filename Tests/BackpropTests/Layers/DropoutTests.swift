// DropoutTests.swift: dropout rates per layer: the same masks as one rate for every hidden layer, only the chosen layer dropped, gradients against finite differences with the masks held fixed, the checkpoint encoding, and the rates a trainer refuses.
import Backprop
import Foundation
import Linalg
import Testing

@Suite struct DropoutTests {
    /// 5 → 8 (ReLU) → 7 (tanh) → 3 softmax, float64, on a batch of 12 with one-hot targets.
    static func problem() throws -> (Network<BLAS<Double>>, Matrix<Double>, Matrix<Double>) {
        var rng = SeededGenerator(seed: 11)
        let network = try Network<BLAS<Double>>(layers: [
            .dense(weights: .randomNormal(rows: 5, columns: 8, scale: 0.6, using: &rng), bias: [Double](repeating: 0.05, count: 8), activation: .relu),
            .dense(weights: .randomNormal(rows: 8, columns: 7, scale: 0.5, using: &rng), bias: [Double](repeating: -0.02, count: 7), activation: .tanh),
            .dense(weights: .randomNormal(rows: 7, columns: 3, scale: 0.5, using: &rng), bias: [0.1, 0, -0.1], activation: .softmax),
        ], loss: .crossEntropy)
        let x = Matrix<Double>.randomNormal(rows: 12, columns: 5, scale: 1, using: &rng)
        var t = Matrix<Double>(rows: 12, columns: 3)
        for r in 0..<12 { t[r, r % 3] = 1 }
        return (network, x, t)
    }

    static func gradients(_ network: Network<BLAS<Double>>, _ x: Matrix<Double>, _ t: Matrix<Double>,
                          _ dropout: DropoutRates, seed: UInt64 = 42) -> (loss: Double, gradients: ParameterArrays<Double>) {
        var g = ParameterArrays(zerosLike: network.layers)
        let loss = network.gradients(inputs: x, targets: t, workspace: Workspace(batch: x.rows, layers: network.layers), into: &g,
                                     dropout: dropout, masks: DropoutMasks(seed: seed))
        return (loss, g)
    }

    /// A rate given per layer draws the masks one rate for every hidden layer draws: the same gradients, bit for bit.
    @Test func perLayerRatesEqualToTheHiddenRateGiveTheSameGradients() throws {
        let (network, x, t) = try Self.problem()
        let hidden = Self.gradients(network, x, t, DropoutRates(hidden: 0.4))
        let perLayer = Self.gradients(network, x, t, DropoutRates(perLayer: [0.4, 0.4, 0]))
        #expect(hidden.loss.bitPattern == perLayer.loss.bitPattern)
        #expect(hidden.gradients == perLayer.gradients)
        #expect(hidden.gradients != Self.gradients(network, x, t, .none).gradients, "the rate drops units")
    }

    /// Three identity layers (W = I, no bias) show where and how much a pass drops: each output entry
    /// is x times the product of the kept scales 1/(1 − r) of the layers that kept it, or 0. A rate on
    /// layer 1 alone gives 0 or x/(1 − r), zero with probability r; the same rate on layers 0 and 1
    /// gives 0 or x/(1 − r)², zero with probability 1 − (1 − r)²; no rate gives x.
    @Test(arguments: [([0.0, 0.4, 0], 1), ([0.4, 0.4, 0], 2), ([0.0, 0, 0], 0)])
    func anIdentityNetworkShowsWhichLayersDrop(rates: [Double], droppingLayers: Int) throws {
        let identity = Layer<Double>.dense(weights: .identity(6), activation: .identity)
        let network = try Network<BLAS<Double>>(layers: [identity, identity, identity], loss: .squaredError)
        var rng = SeededGenerator(seed: 3)
        let x = Matrix<Double>.randomNormal(rows: 500, columns: 6, scale: 1, using: &rng)
        let workspace = Workspace(batch: 500, layers: network.layers)
        network.forward(x, workspace: workspace, dropout: DropoutRates(perLayer: rates), masks: DropoutMasks(seed: 9))
        let kept = pow(1 / (1 - 0.4), Double(droppingLayers))
        var zeros = 0
        for (y, x) in zip(workspace.outputs.elements, x.elements) {
            if y == 0 { zeros += 1 } else { #expect(abs(y - x * kept) <= 1e-15 * abs(y), "\(y) for \(x)") }
        }
        let expected = 1 - pow(1 - 0.4, Double(droppingLayers))
        // 3,000 entries: the zero fraction's standard deviation is at most 0.009; 0.04 is over 4 of them.
        #expect(abs(Double(zeros) / 3000 - expected) < 0.04, "\(zeros) zeros, expected a fraction \(expected)")
    }

    /// With the masks held fixed (same seed), the loss is a smooth function of the weights almost
    /// everywhere, and backprop through a per-layer rate matches central differences of it.
    @Test(arguments: [[0.0, 0.5, 0], [0.3, 0, 0], [0.2, 0.6, 0]])
    func gradientsThroughPerLayerDropoutMatchFiniteDifferences(rates: [Double]) throws {
        let (network, x, t) = try Self.problem()
        let dropout = DropoutRates(perLayer: rates)
        let analytic = Self.gradients(network, x, t, dropout).gradients
        let h = 1e-6
        var worst = 0.0, largest = 0.0
        for l in network.layers.indices {
            var weights = network.layers[l].weights
            for i in weights.elements.indices {
                let saved = weights.elements[i]
                func loss(_ value: Double) -> Double {
                    weights.elements[i] = value
                    var moved = network
                    moved.setParameters(layer: l, weights: weights, bias: network.layers[l].bias)
                    return Self.gradients(moved, x, t, dropout).loss
                }
                let numeric = (loss(saved + h) - loss(saved - h)) / (2 * h)
                weights.elements[i] = saved
                let a = analytic.weights[l].elements[i]
                worst = max(worst, abs(numeric - a) / max(1e-3, abs(numeric) + abs(a)))
                largest = max(largest, abs(a))
            }
        }
        #expect(worst < 1e-6, "\(rates): worst relative difference \(worst)")
        #expect(largest > 1e-2)
    }

    /// A checkpoint's configuration keeps one rate as a number (as files written before per-layer rates
    /// hold it) and per-layer rates as an array; both read back equal.
    @Test func theConfigurationEncodesARateAsANumberAndRatesAsAnArray() throws {
        var config = TrainingConfiguration()
        config.dropout = 0.25
        let one = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        #expect(one.contains("\"dropout\":0.25"), "\(one)")
        config.dropout = DropoutRates(perLayer: [0, 0.5, 0])
        let data = try JSONEncoder().encode(config)
        #expect(String(decoding: data, as: UTF8.self).contains("\"dropout\":[0,0.5,0]"))
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: data) == config)
        let old = one.replacingOccurrences(of: "\"dropout\":0.25", with: "\"dropout\":0.2")
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: Data(old.utf8)).dropout == DropoutRates(hidden: 0.2))
    }

    /// Rates that do not fit the network are refused when the trainer is made, each named.
    @Test(arguments: [
        (DropoutRates(perLayer: [0.5, 0]), "dropout gives 2 per-layer rates for a network of 3 layers"),
        (DropoutRates(perLayer: [0, 0, 0.5]), "dropout on the output layer (0.5) is not allowed"),
        (DropoutRates(perLayer: [0, 1, 0]), "dropout on layer 1 must be in [0, 1), got 1.0"),
        (DropoutRates(hidden: -0.1), "dropout must be in [0, 1), got -0.1"),
    ])
    func ratesThatDoNotFitAreRefused(dropout: DropoutRates, message: String) throws {
        let (network, _, _) = try Self.problem()
        var config = TrainingConfiguration()
        config.dropout = dropout
        #expect { try Trainer(network: network, configuration: config) } throws: { "\($0)".contains(message) }
    }
}
