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
    public func sampleStep(input: [Scalar], target: [Scalar], learningRate: Scalar) -> StepResult<Scalar> {
        let workspace = SampleWorkspace(layers: layers)
        let lossValue = sampleStep(input: input, target: target, learningRate: learningRate, workspace: workspace)
        return StepResult(outputs: workspace.outputs, loss: lossValue, steps: workspace.steps)
    }

    /// The same step into `workspace`, which must have been made for this network's shapes
    /// (``SampleWorkspace/init(layers:)``): writes each layer's h, a and δ and the steps
    /// (`workspace.steps`) over the last step's, and returns the sample's loss ℓ. Allocates nothing
    /// (unless the caller still holds a copy of one of the workspace's arrays; see ``SampleWorkspace``).
    @discardableResult
    @_specialize(exported: true, where Backend == BLAS<Double>)
    @_specialize(exported: true, where Backend == BLAS<Float>)
    @_specialize(exported: true, where Backend == Reference<Double>)
    @_specialize(exported: true, where Backend == Reference<Float>)
    public func sampleStep(input: [Scalar], target: [Scalar], learningRate: Scalar,
                           workspace: SampleWorkspace<Scalar>) -> Double {
        // The specialisations above are exported, so a caller in another module runs the backend's
        // calls directly rather than through the protocol's witness table (the generic code's cost).
        // Read once into locals: every value loaded from a class or an array for a call is retained
        // around it (the runtime's atomic reference counting is most of this step's non-BLAS time).
        let layers = definition.layers, last = layers.count - 1
        precondition(input.count == layers[0].fanIn && target.count == layers[last].fanOut,
                     "sampleStep: input[\(input.count)] and target[\(target.count)] for a network of \(inputCount) inputs and \(outputCount) outputs")
        precondition(workspace.fits(layers), "sampleStep: the workspace was made for other layer shapes than this network's")
        // Forward: h_l = W_lᵀ·x + b_l (b copied into h, then gemv with β = 1), a_l = f(h_l).
        for l in layers.indices {
            var beta: Scalar = 0
            if let bias = layers[l].bias {
                workspace.preActivations[l].elements.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: bias) }
                beta = 1
            }
            Backend.gemv(.transpose, alpha: 1, layers[l].weights, l == 0 ? input : workspace.activations[l - 1].elements,
                         beta: beta, into: &workspace.preActivations[l].elements)
            layers[l].activation.apply(workspace.preActivations[l], into: &workspace.activations[l])
        }
        let y = workspace.activations[last], h = workspace.preActivations[last]
        let t = Matrix(rows: 1, columns: target.count, elements: target)
        let lossValue = definition.loss.value(outputs: y, preActivations: h, targets: t)
        definition.loss.outputErrorTerms(outputs: y, preActivations: h, targets: t, activation: layers[last].activation,
                                         into: &workspace.errorTerms[last])

        // Backward, from the top: ΔW_l = η·x·δ_lᵀ (ger onto zeros), Δb_l = η·δ_l (axpy onto zeros),
        // each zero then given its product's sign; below, δ_{l−1} = (W_l·δ_l) ⊙ f′(h_{l−1}).
        for l in layers.indices.reversed() {
            let a = l > 0 ? workspace.activations[l - 1] : nil  // The layer's input x, but for the first layer.
            let x = a?.elements ?? input
            let delta = workspace.errorTerms[l].elements
            workspace.steps.weights[l].elements.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            Backend.ger(alpha: learningRate, x, delta, into: &workspace.steps.weights[l])
            restoreZeroProductSigns(&workspace.steps.weights[l].elements, alpha: learningRate, x: x, y: delta)
            if workspace.hasBias[l] {
                workspace.steps.biases[l]!.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                Backend.axpy(alpha: learningRate, delta, into: &workspace.steps.biases[l]!)
                restoreZeroProductSigns(&workspace.steps.biases[l]!, alpha: learningRate, x: workspace.one, y: delta)
            }
            if let a {
                Backend.gemv(.none, alpha: 1, layers[l].weights, delta, beta: 0, into: &workspace.errorTerms[l - 1].elements)
                layers[l - 1].activation.multiplyDerivative(into: &workspace.errorTerms[l - 1],
                                                            preActivations: workspace.preActivations[l - 1], activations: a)
            }
        }
        return lossValue
    }
}
