import Kernels
import Linalg

extension Network {
    /// Backpropagation over a batch: runs the forward pass, then writes ∂L/∂W and ∂L/∂b of the
    /// batch-mean loss L into `gradients` (which must have this network's shapes) and returns L.
    ///
    /// With Δ_l the error terms (−∂ℓ/∂H_l per sample) and n the batch size:
    /// ∂L/∂W_l = −(1/n)·A_{l−1}ᵀ·Δ_l (`gemm`), ∂L/∂b_l = −(1/n)·Δ_lᵀ·1 (`gemv`),
    /// Δ_{l−1} = (Δ_l·W_lᵀ) ⊙ f′(H_{l−1}) (`gemm`). Nothing is allocated.
    @discardableResult
    public func gradients(inputs: Matrix, targets: Matrix, workspace: Workspace,
                          into gradients: inout Gradients) -> Double {
        var unused = SeededGenerator(seed: 0)
        return self.gradients(inputs: inputs, targets: targets, workspace: workspace, into: &gradients,
                              dropout: 0, using: &unused)
    }

    /// The same with inverted dropout on the hidden layers (see ``forward(_:workspace:dropout:using:)``):
    /// the error terms of a dropped unit are zero and the kept ones are scaled like its output.
    @discardableResult
    public func gradients(inputs: Matrix, targets: Matrix, workspace: Workspace, into gradients: inout Gradients,
                          dropout: Double, using rng: inout SeededGenerator) -> Double {
        self.gradients(inputs: inputs, targets: targets, workspace: workspace, into: &gradients, dropout: dropout,
                       masks: DropoutMasks(seed: rng.next()))
    }

    /// The same with the dropout masks of `masks` (see ``forward(_:workspace:dropout:masks:)``).
    @discardableResult
    public func gradients(inputs: Matrix, targets: Matrix, workspace: Workspace, into gradients: inout Gradients,
                          dropout: Double, masks: DropoutMasks) -> Double {
        precondition(targets.rows == inputs.rows && targets.columns == outputCount,
                     "gradients: targets \(targets.rows)×\(targets.columns) for inputs \(inputs.rows)×\(inputs.columns) and \(outputCount) outputs")
        forward(inputs, workspace: workspace, dropout: dropout, masks: masks)
        let output = workspace.layers[layers.count - 1]
        let lossValue = loss.value(outputs: output.activations, preActivations: output.preActivations, targets: targets)
        loss.outputErrorTerms(outputs: output.activations, preActivations: output.preActivations, targets: targets,
                              activation: layers[layers.count - 1].activation, into: &output.errorTerms)
        let scale = -1 / Double(inputs.rows)
        for l in layers.indices.reversed() {
            let delta = workspace.layers[l].errorTerms
            let x = l == 0 ? inputs : workspace.layers[l - 1].output
            Backend.gemm(.transpose, .none, alpha: scale, x, delta, beta: 0, into: &gradients.weights[l])
            if gradients.biases[l] != nil {
                Backend.gemv(.transpose, alpha: scale, delta, workspace.ones, beta: 0, into: &gradients.biases[l]!)
            }
            if l > 0 {
                let below = workspace.layers[l - 1]
                Backend.gemm(.none, .transpose, alpha: 1, delta, layers[l].weights, beta: 0, into: &below.errorTerms)
                if below.usesDropout {
                    below.errorTerms.elements.withUnsafeMutableBufferPointer { d in
                        below.mask!.elements.withUnsafeBufferPointer { Kernel.multiply(inPlace: d, by: $0) }
                    }
                }
                layers[l - 1].activation.multiplyDerivative(into: &below.errorTerms,
                                                            preActivations: below.preActivations,
                                                            activations: below.activations)
            }
        }
        return lossValue
    }
}
