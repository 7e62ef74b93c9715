// GradientCheck.swift: Backprop's gradients against central finite differences, layer by layer.
import Linalg

/// Backprop's gradients against central finite differences, layer by layer.
public struct GradientCheckReport: Sendable, Equatable {
    /// One layer's comparison.
    public struct Layer: Sendable, Equatable {
        /// Parameters compared, and how many the layer has.
        public var checked: Int, total: Int
        /// The largest relative error among the layer's weights, and among its biases (nil without bias).
        public var worstWeightError: Double, worstBiasError: Double?
        /// The largest |∂L/∂θ| seen, so a report can show the check was not made on zeros.
        public var largestGradient: Double

        /// The larger of ``worstWeightError`` and ``worstBiasError``.
        public var worst: Double { max(worstWeightError, worstBiasError ?? 0) }
    }

    /// One entry per network layer, from input to output.
    public var layers: [Layer]
    /// The largest relative error anywhere.
    public var worst: Double { layers.map(\.worst).max() ?? 0 }
}

extension Network {
    /// Compares ∂L/∂W and ∂L/∂b from backpropagation with the central difference
    /// (L(θ + h) − L(θ − h)) / 2h, for every parameter or, where a layer has more than
    /// `samplesPerLayer`, a seeded random sample of that many.
    ///
    /// The relative error of a pair (a, n) is |a − n| / max(|a|, |n|, `floor`); the floor keeps
    /// parameters whose gradient is (nearly) zero from dividing by zero. Rounding alone makes the
    /// difference quotient uncertain by about ε·|L|/h ≈ 1e-10 at h = 1e-6, so a gradient of 1e-6
    /// can show 1e-4 relative error without any fault; a wrong derivative shows errors near 1.
    /// Costs two forward passes per checked parameter. `inputs` is `batch × inputCount`, `targets` `batch × outputCount`.
    ///
    /// The gradients checked are this network's, in its precision (the inputs and targets rounded to
    /// it); the finite differences always run in `Double` — on this network's backend in `Double`
    /// (``/Linalg/LinearAlgebra/InDouble``; exact from `Float`) — since in `Float` the quotient's
    /// rounding error ε·|L|/h would be about 1e-1 at h = 1e-6. A float32 gradient itself carries
    /// rounding near 1e-6 relative, so expect float32 errors of 1e-5 to 1e-3 without any fault.
    public func gradientCheck(inputs: Matrix<Double>, targets: Matrix<Double>, step h: Double = 1e-6, samplesPerLayer: Int? = nil,
                              seed: UInt64 = 1, floor: Double = 1e-6) -> GradientCheckReport {
        var analytic = ParameterArrays<Scalar>(zerosLike: layers)
        gradients(inputs: inputs.converted(to: Scalar.self), targets: targets.converted(to: Scalar.self),
                  workspace: Workspace(batch: inputs.rows, layers: layers), into: &analytic)
        let promoted = analytic.converted(to: Double.self)
        return converted(to: Backend.InDouble.self).gradientCheck(promoted, inputs: inputs, targets: targets, step: h,
                                                                  samplesPerLayer: samplesPerLayer, seed: seed, floor: floor)
    }
}

extension Network where Backend.Scalar == Double {

    /// The same comparison for gradients `analytic` computed elsewhere (shaped like this network's
    /// parameters): how a new backend or a hand-written backward pass is checked.
    public func gradientCheck(_ analytic: ParameterArrays<Double>, inputs: Matrix<Double>, targets: Matrix<Double>, step h: Double = 1e-6,
                              samplesPerLayer: Int? = nil, seed: UInt64 = 1, floor: Double = 1e-6) -> GradientCheckReport {
        let workspace = Workspace(batch: inputs.rows, layers: layers)

        var probe = self
        func lossAt(_ network: Network) -> Double {
            network.forward(inputs, workspace: workspace)
            let last = workspace.layers[layers.count - 1]
            return network.loss.value(outputs: last.activations, preActivations: last.preActivations, targets: targets)
        }
        /// The central difference for parameter `i` of layer `l` (its weights, or its bias).
        func numeric(_ l: Int, _ i: Int, bias: Bool) -> Double {
            let original = bias ? probe.layers[l].bias![i] : probe.layers[l].weights.elements[i]
            func set(_ value: Double) {
                if bias { probe.definition.layers[l].withParameters { _, b in b![i] = value } } else { probe.definition.layers[l].withParameters { w, _ in w.elements[i] = value } }
            }
            set(original + h)
            let plus = lossAt(probe)
            set(original - h)
            let minus = lossAt(probe)
            set(original)
            return (plus - minus) / (2 * h)
        }
        func relativeError(_ a: Double, _ n: Double) -> Double {
            abs(a - n) / max(abs(a), abs(n), floor)
        }

        var rng = SeededGenerator(seed: seed)
        var report: [GradientCheckReport.Layer] = []
        for l in layers.indices {
            let weightCount = layers[l].weights.elements.count, biasCount = layers[l].bias?.count ?? 0
            var indices = Array(0..<(weightCount + biasCount))  // Biases after the weights.
            if let limit = samplesPerLayer, limit < indices.count {
                indices.seededShuffle(using: &rng)
                indices = Array(indices.prefix(limit))
            }
            var entry = GradientCheckReport.Layer(checked: indices.count, total: weightCount + biasCount,
                                                  worstWeightError: 0, worstBiasError: biasCount > 0 ? 0 : nil, largestGradient: 0)
            for index in indices {
                let isBias = index >= weightCount
                let i = isBias ? index - weightCount : index
                let a = isBias ? analytic.biases[l]![i] : analytic.weights[l].elements[i]
                let error = relativeError(a, numeric(l, i, bias: isBias))
                entry.largestGradient = max(entry.largestGradient, abs(a))
                if isBias { entry.worstBiasError = max(entry.worstBiasError!, error) }
                else { entry.worstWeightError = max(entry.worstWeightError, error) }
            }
            report.append(entry)
        }
        return GradientCheckReport(layers: report)
    }
}
