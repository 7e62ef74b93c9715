import Linalg

extension Network {
    /// The lesson's single-sample step, as vectors: h = Wᵀ·x + b (`gemv`), a = f(h), the error terms
    /// δ, and the weight steps ΔW = η·x·δᵀ as outer products (`ger`), Δb = η·δ. Nothing is applied.
    /// A zero step element has its product's sign, as NumPy's `η * δ * x` has (`−0.0` stays `−0.0`).
    ///
    /// `input` has `inputCount` entries, `target` has `outputCount`. Equal, up to rounding, to
    /// ``computeStep(inputs:targets:learningRate:)`` on a batch of one. Allocates its vectors and the
    /// result; a training loop keeps a ``SampleWorkspace`` and calls
    /// ``sampleStep(input:target:learningRate:workspace:)``, which this calls and equals bit for bit.
    public func sampleStep(input: [Double], target: [Double], learningRate: Double) -> StepResult {
        let workspace = SampleWorkspace(layers: layers)
        let lossValue = sampleStep(input: input, target: target, learningRate: learningRate, workspace: workspace)
        return StepResult(outputs: workspace.outputs, loss: lossValue, steps: workspace.steps)
    }

    /// The same step into `workspace`, which must have been made for this network's shapes
    /// (``SampleWorkspace/init(layers:)``): writes each layer's h, a and δ and the steps
    /// (`workspace.steps`) over the last step's, and returns the sample's loss ℓ. Allocates nothing
    /// (unless the caller still holds a copy of one of the workspace's arrays; see ``SampleWorkspace``).
    @discardableResult
    public func sampleStep(input: [Double], target: [Double], learningRate: Double,
                           workspace: SampleWorkspace) -> Double {
        let layers = definition.layers
        precondition(input.count == inputCount && target.count == outputCount,
                     "sampleStep: input[\(input.count)] and target[\(target.count)] for a network of \(inputCount) inputs and \(outputCount) outputs")
        precondition(workspace.fits(layers), "sampleStep: the workspace was made for other layer shapes than this network's")
        let vectors = workspace.layers
        // Forward: h_l = W_lᵀ·x + b_l (b copied into h, then gemv with β = 1), a_l = f(h_l).
        for l in layers.indices {
            let v = vectors[l]
            var beta = 0.0
            if let bias = layers[l].bias {
                v.preActivations.elements.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: bias) }
                beta = 1
            }
            Backend.gemv(.transpose, alpha: 1, layers[l].weights, l == 0 ? input : vectors[l - 1].activations.elements,
                         beta: beta, into: &v.preActivations.elements)
            layers[l].activation.apply(v.preActivations, into: &v.activations)
        }
        let last = layers.count - 1, top = vectors[last]
        let t = Matrix(rows: 1, columns: outputCount, elements: target)
        let lossValue = loss.value(outputs: top.activations, preActivations: top.preActivations, targets: t)
        loss.outputErrorTerms(outputs: top.activations, preActivations: top.preActivations, targets: t,
                              activation: layers[last].activation, into: &top.errorTerms)

        // Backward, from the top: ΔW_l = η·x·δ_lᵀ (ger onto zeros), Δb_l = η·δ_l (axpy onto zeros),
        // each zero then given its product's sign; below, δ_{l−1} = (W_l·δ_l) ⊙ f′(h_{l−1}).
        for l in layers.indices.reversed() {
            let x = l == 0 ? input : vectors[l - 1].activations.elements
            let delta = vectors[l].errorTerms.elements
            workspace.steps.weights[l].elements.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            Backend.ger(alpha: learningRate, x, delta, into: &workspace.steps.weights[l])
            restoreZeroProductSigns(&workspace.steps.weights[l].elements, alpha: learningRate, x: x, y: delta)
            if workspace.steps.biases[l] != nil {
                workspace.steps.biases[l]!.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                Backend.axpy(alpha: learningRate, delta, into: &workspace.steps.biases[l]!)
                restoreZeroProductSigns(&workspace.steps.biases[l]!, alpha: learningRate, x: workspace.one, y: delta)
            }
            if l > 0 {
                let below = vectors[l - 1]
                Backend.gemv(.none, alpha: 1, layers[l].weights, delta, beta: 0, into: &below.errorTerms.elements)
                layers[l - 1].activation.multiplyDerivative(into: &below.errorTerms, preActivations: below.preActivations,
                                                            activations: below.activations)
            }
        }
        return lossValue
    }
}
