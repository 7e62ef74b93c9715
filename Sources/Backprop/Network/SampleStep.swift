import Linalg

extension Network {
    /// The lesson's single-sample step, as vectors: h = Wᵀ·x + b (`gemv`), a = f(h), the error terms
    /// δ, and the weight steps ΔW = η·x·δᵀ as outer products (`ger`), Δb = η·δ. Nothing is applied.
    /// A zero step element has its product's sign, as NumPy's `η * δ * x` has (`−0.0` stays `−0.0`).
    ///
    /// `input` has `inputCount` entries, `target` has `outputCount`. Equal, up to rounding, to
    /// ``computeStep(inputs:targets:learningRate:)`` on a batch of one.
    public func sampleStep(input: [Scalar], target: [Scalar], learningRate: Scalar) -> StepResult<Scalar> {
        precondition(input.count == inputCount && target.count == outputCount,
                     "sampleStep: input[\(input.count)] and target[\(target.count)] for a network of \(inputCount) inputs and \(outputCount) outputs")
        // Forward, keeping each layer's h and a as 1 × fanOut matrices.
        var h: [Matrix<Scalar>] = [], a: [Matrix<Scalar>] = []
        for (l, layer) in layers.enumerated() {
            let x = l == 0 ? input : a[l - 1].elements
            var hl = Matrix(rows: 1, columns: layer.fanOut, elements: layer.bias ?? [Scalar](repeating: 0, count: layer.fanOut))
            Backend.gemv(.transpose, alpha: 1, layer.weights, x, beta: layer.bias == nil ? 0 : 1, into: &hl.elements)
            var al = Matrix<Scalar>(rows: 1, columns: layer.fanOut)
            layer.activation.apply(hl, into: &al)
            h.append(hl)
            a.append(al)
        }
        let last = layers.count - 1
        let t = Matrix(rows: 1, columns: outputCount, elements: target)
        let lossValue = loss.value(outputs: a[last], preActivations: h[last], targets: t)
        var delta = Matrix<Scalar>(rows: 1, columns: outputCount)
        loss.outputErrorTerms(outputs: a[last], preActivations: h[last], targets: t,
                              activation: layers[last].activation, into: &delta)

        var steps = Gradients<Scalar>(zerosLike: layers)
        for l in layers.indices.reversed() {
            let x = l == 0 ? input : a[l - 1].elements
            Backend.ger(alpha: learningRate, x, delta.elements, into: &steps.weights[l])
            restoreZeroProductSigns(&steps.weights[l].elements, alpha: learningRate, x: x, y: delta.elements)
            if steps.biases[l] != nil {
                Backend.axpy(alpha: learningRate, delta.elements, into: &steps.biases[l]!)
                restoreZeroProductSigns(&steps.biases[l]!, alpha: learningRate, x: [1], y: delta.elements)
            }
            if l > 0 {
                // δ_{l−1} = (W_l·δ_l) ⊙ f′(h_{l−1}), with the weights from before the step.
                var below = Matrix<Scalar>(rows: 1, columns: layers[l - 1].fanOut)
                Backend.gemv(.none, alpha: 1, layers[l].weights, delta.elements, beta: 0, into: &below.elements)
                layers[l - 1].activation.multiplyDerivative(into: &below, preActivations: h[l - 1], activations: a[l - 1])
                delta = below
            }
        }
        return StepResult(outputs: a[last], loss: lossValue, steps: steps)
    }
}
