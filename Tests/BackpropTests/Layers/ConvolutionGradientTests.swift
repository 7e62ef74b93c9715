// ConvolutionGradientTests.swift: finite-difference gradient checks of networks built from every image kind (conv, max-pool, avg-pool, flatten) on both backends.
import Backprop
import Linalg
import Testing
import TestSupport

@Suite struct ConvolutionGradientTests {
    /// conv→relu→maxpool→conv→tanh→avgpool→flatten→dense→softmax with cross-entropy in float64
    /// (``ConvolutionFixtures/layers(seed:)``): every parameter's backprop gradient against central
    /// differences. The lower convolution's gradients pass through every kind's input gradient above it.
    @Test(arguments: ["blas", "reference"], [1, 3])
    func everyParameterAgreesWithFiniteDifferences(backend: String, batch: Int) throws {
        let (x, t) = ConvolutionFixtures.batch(batch, seed: UInt64(20 + batch))
        let report = backend == "blas" ? try ConvolutionFixtures.network(BLAS<Double>.self).gradientCheck(inputs: x, targets: t, floor: 1e-5)
                                        : try ConvolutionFixtures.network(Reference<Double>.self).gradientCheck(inputs: x, targets: t, floor: 1e-5)
        // Rounding bounds the agreement (see gradientCheck); a wrong derivative gives errors near 1.
        #expect(report.worst < 1e-4, "\(report.layers.map(\.worst))")
        #expect(report.layers.allSatisfy { $0.checked == $0.total })
        // Not passing on zeros: each layer with parameters (the two convolutions and the dense) has clearly non-zero gradients.
        for l in [0, 2, 5] { #expect(report.layers[l].largestGradient > 1e-3, "layer \(l): \(report.layers[l].largestGradient)") }
        #expect(report.layers[0].total == 3 * 18 + 3 && report.layers[2].total == 4 * 12 + 4)
    }

    /// The input gradient of a convolution as the network's first layer's `below` never sees: a
    /// layer-0 identity dense layer receives −∂ℓ/∂x of the convolution above it, compared with central
    /// differences of the loss in each input.
    @Test(arguments: ["blas", "reference"])
    func inputGradientsAgreeWithFiniteDifferences(backend: String) throws {
        let (x, t) = ConvolutionFixtures.batch(2, seed: 31)
        let layers = [Layer<Double>.dense(weights: .identity(70), activation: .identity)] + ConvolutionFixtures.layers(seed: 5)
        func check<B: LinearAlgebra>(_: B.Type) throws where B.Scalar == Double {
            let network = try Network<B>(layers: layers, loss: .crossEntropy)
            let workspace = Workspace<Double>(batch: 2, layers: network.layers)
            var gradients = ParameterArrays<Double>(zerosLike: network.layers)
            network.gradients(inputs: x, targets: t, workspace: workspace, into: &gradients)
            let analytic = workspace.layers[0].errorTerms  // −∂ℓ/∂x per sample (ℓ the sample's own loss).
            func loss(_ x: Matrix<Double>) -> Double {  // Σ over the batch of ℓ, from the batch mean.
                network.forward(x, workspace: workspace)
                let last = workspace.layers[workspace.layers.count - 1]
                return 2 * network.loss.value(outputs: last.activations, preActivations: last.preActivations, targets: t)
            }
            let h = 1e-6
            var worst = 0.0
            for k in x.elements.indices {
                var plus = x, minus = x
                plus.elements[k] += h
                minus.elements[k] -= h
                let numeric = -(loss(plus) - loss(minus)) / (2 * h)
                worst = max(worst, abs(analytic.elements[k] - numeric) / max(abs(numeric), 1e-5))
            }
            #expect(worst < 1e-4, "\(B.self): worst relative error \(worst)")
            #expect(analytic.elements.contains { abs($0) > 1e-3 })
        }
        if backend == "blas" { try check(BLAS<Double>.self) } else { try check(Reference<Double>.self) }
    }

    /// The lesson's single-sample step (``Network/computeStep(inputs:targets:learningRate:)`` on one row,
    /// which writes Δθ = η·δ·x directly) is −η times the gradient of the batch path, on both backends.
    @Test func theSingleSampleStepIsMinusEtaTimesTheGradient() throws {
        let (x, t) = ConvolutionFixtures.batch(1, seed: 8)
        func check<B: LinearAlgebra>(_: B.Type) throws where B.Scalar == Double {
            let network = try ConvolutionFixtures.network(B.self)
            let step = network.computeStep(inputs: x, targets: t, learningRate: 0.5)
            var g = ParameterArrays<Double>(zerosLike: network.layers)
            network.gradients(inputs: x, targets: t, workspace: Workspace(batch: 1, layers: network.layers), into: &g)
            g.scale(by: -0.5)
            #expect(Approximate.firstMismatch(step.outputs, network.predict(x), Approximate.backends(sumLength: 20)) == nil)
            for l in g.weights.indices {
                #expect(Approximate.firstMismatch(step.steps.weights[l], g.weights[l], Approximate.backends(sumLength: 20)) == nil, "layer \(l)")
                #expect(Approximate.firstMismatch(step.steps.biases[l] ?? [], g.biases[l] ?? [], Approximate.backends(sumLength: 20)) == nil, "layer \(l)")
            }
            #expect(step.steps.weights[0].elements.contains { abs($0) > 1e-4 })
        }
        try check(BLAS<Double>.self)
        try check(Reference<Double>.self)
    }
}
