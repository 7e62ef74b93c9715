import Linalg

extension Network {
    /// Runs `inputs` (`batch × inputCount`) through every layer, writing each layer's H = X·W + b
    /// (one `gemm`) and A = f(H) into `workspace`, whose batch must be `inputs.rows`.
    public func forward(_ inputs: Matrix<Scalar>, workspace: Workspace<Scalar>) {
        var unused = SeededGenerator(seed: 0)
        forward(inputs, workspace: workspace, dropout: 0, using: &unused)
    }

    /// The training forward pass: as ``forward(_:workspace:)``, and with `dropout` > 0 each hidden
    /// unit's output is zeroed with probability `dropout` and the rest scaled by 1/(1 − dropout)
    /// (inverted dropout), with the masks drawn from one seed taken from `rng` and kept for the
    /// backward pass.
    public func forward(_ inputs: Matrix<Scalar>, workspace: Workspace<Scalar>, dropout: Double, using rng: inout SeededGenerator) {
        forward(inputs, workspace: workspace, dropout: dropout, masks: DropoutMasks(seed: rng.next()))
    }

    /// The training forward pass with the dropout masks of `masks`: row i of `inputs` is sample
    /// `masks.firstSample + i` of its batch, and its masks depend on that position alone, so a
    /// batch split across threads or processes drops the same units as the whole batch.
    /// A loop over the layers: each layer's forward (``DenseLayer``), then its dropout (hidden layers only).
    @_specialize(exported: true, where Backend == BLAS<Double>)
    @_specialize(exported: true, where Backend == BLAS<Float>)
    @_specialize(exported: true, where Backend == Reference<Double>)
    @_specialize(exported: true, where Backend == Reference<Float>)
    public func forward(_ inputs: Matrix<Scalar>, workspace: Workspace<Scalar>, dropout: Double, masks: DropoutMasks) {
        precondition(dropout >= 0 && dropout < 1, "forward: dropout rate \(dropout) must be in [0, 1)")
        precondition(inputs.rows == workspace.batch && inputs.columns == inputCount,
                     "forward: inputs \(inputs.rows)×\(inputs.columns) for a network of \(inputCount) inputs and a workspace of batch \(workspace.batch)")
        for l in layers.indices {
            let buffers = workspace.layers[l]
            layers[l].forward(l == 0 ? inputs : workspace.layers[l - 1].output, into: buffers, on: Backend.self)
            buffers.dropout.forward(buffers.activations, rate: l < layers.count - 1 ? dropout : 0, masks: masks, layer: l)
        }
    }

    /// The network's outputs for `inputs` (`batch × inputCount` → `batch × outputCount`).
    /// Allocates a workspace; training loops call ``forward(_:workspace:)`` with one of their own.
    @_specialize(exported: true, where Backend == BLAS<Double>)
    @_specialize(exported: true, where Backend == BLAS<Float>)
    @_specialize(exported: true, where Backend == Reference<Double>)
    @_specialize(exported: true, where Backend == Reference<Float>)
    public func predict(_ inputs: Matrix<Scalar>) -> Matrix<Scalar> {
        let workspace = Workspace(batch: inputs.rows, layers: layers)
        forward(inputs, workspace: workspace)
        return workspace.outputs
    }

    /// Backpropagation over a batch: runs the forward pass, then the backward pass, which writes
    /// ∂L/∂W and ∂L/∂b of the batch-mean loss L into `gradients` (which must have this network's
    /// shapes); returns L.
    ///
    /// With Δ_l the error terms (−∂ℓ/∂H_l per sample) and n the batch size:
    /// ∂L/∂W_l = −(1/n)·A_{l−1}ᵀ·Δ_l (`gemm`), ∂L/∂b_l = −(1/n)·Δ_lᵀ·1 (`gemv`),
    /// Δ_{l−1} = (Δ_l·W_lᵀ) ⊙ f′(H_{l−1}) (`gemm`). Nothing is allocated.
    @discardableResult
    public func gradients(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, workspace: Workspace<Scalar>,
                          into gradients: inout Gradients<Scalar>) -> Double {
        var unused = SeededGenerator(seed: 0)
        return self.gradients(inputs: inputs, targets: targets, workspace: workspace, into: &gradients,
                              dropout: 0, using: &unused)
    }

    /// The same with inverted dropout on the hidden layers (see ``forward(_:workspace:dropout:using:)``):
    /// the error terms of a dropped unit are zero and the kept ones are scaled like its output.
    @discardableResult
    public func gradients(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, workspace: Workspace<Scalar>, into gradients: inout Gradients<Scalar>,
                          dropout: Double, using rng: inout SeededGenerator) -> Double {
        self.gradients(inputs: inputs, targets: targets, workspace: workspace, into: &gradients, dropout: dropout,
                       masks: DropoutMasks(seed: rng.next()))
    }

    /// The same with the dropout masks of `masks` (see ``forward(_:workspace:dropout:masks:)``).
    /// `afterLayer(l, gradients)`, when given, is called on this thread as soon as layer `l`'s ∂L/∂W
    /// and ∂L/∂b are final in `gradients`, from the output layer down to layer 0 (a distributed run
    /// starts each layer's exchange there, while the layers below are still being computed); it must
    /// not change `gradients`.
    @discardableResult
    @_specialize(exported: true, where Backend == BLAS<Double>)
    @_specialize(exported: true, where Backend == BLAS<Float>)
    @_specialize(exported: true, where Backend == Reference<Double>)
    @_specialize(exported: true, where Backend == Reference<Float>)
    public func gradients(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, workspace: Workspace<Scalar>, into gradients: inout Gradients<Scalar>,
                          dropout: Double, masks: DropoutMasks, afterLayer: ((Int, Gradients<Scalar>) -> Void)? = nil) -> Double {
        precondition(targets.rows == inputs.rows && targets.columns == outputCount,
                     "gradients: targets \(targets.rows)×\(targets.columns) for inputs \(inputs.rows)×\(inputs.columns) and \(outputCount) outputs")
        forward(inputs, workspace: workspace, dropout: dropout, masks: masks)
        return backward(inputs: inputs, targets: targets, workspace: workspace, into: &gradients, afterLayer: afterLayer)
    }

    /// The backward pass after ``forward(_:workspace:dropout:masks:)`` on the same `inputs` and
    /// `workspace`: the loss and its error terms at the output, then a loop over the layers from the
    /// output down, each layer's backward (``DenseLayer``) and, below it, the next layer's dropout and
    /// f′, and `afterLayer` (see ``gradients(inputs:targets:workspace:into:dropout:masks:afterLayer:)``).
    /// Returns the batch-mean loss.
    func backward(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, workspace: Workspace<Scalar>, into gradients: inout Gradients<Scalar>,
                  afterLayer: ((Int, Gradients<Scalar>) -> Void)? = nil) -> Double {
        let output = workspace.layers[layers.count - 1]
        let lossValue = loss.value(outputs: output.activations, preActivations: output.preActivations, targets: targets)
        loss.outputErrorTerms(outputs: output.activations, preActivations: output.preActivations, targets: targets,
                              activation: layers[layers.count - 1].activation, into: &output.errorTerms)
        let scale = -1 / Scalar(inputs.rows)
        for l in layers.indices.reversed() {
            let below = l > 0 ? workspace.layers[l - 1] : nil
            layers[l].backward(input: below?.output ?? inputs, buffers: workspace.layers[l], scale: scale,
                               ones: workspace.ones, weightGradient: &gradients.weights[l],
                               biasGradient: &gradients.biases[l], below: below, on: Backend.self)
            afterLayer?(l, gradients)
            if let below { layers[l - 1].backwardThroughActivation(below) }
        }
        return lossValue
    }
}
