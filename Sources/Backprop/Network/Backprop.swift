// Backprop.swift: the one backprop: forward, backward and the step, at any batch size; the gradient scale (sign, 1/n, η) set once.
import Linalg

extension Network {
    /// Runs `inputs` (`batch × inputCount`) through every layer, writing each layer's h and a = f(h)
    /// into `workspace`, whose batch must be `inputs.rows`. The outputs are `workspace.outputs`.
    public func forward(_ inputs: Matrix<Scalar>, workspace: Workspace<Scalar>) {
        forward(inputs, workspace: workspace, dropout: .none, masks: DropoutMasks(seed: 0))
    }

    /// The training forward pass: as ``forward(_:workspace:)``, and each unit of layer l's output is
    /// zeroed with probability r = `dropout`'s rate for l and the rest scaled by 1/(1 − r)
    /// (inverted dropout), with the masks of `masks`: row i of `inputs` is sample
    /// `masks.firstSample + i` of its batch, and its masks depend on that position alone, so a batch
    /// split across threads or processes drops the same units as the whole batch.
    public func forward(_ inputs: Matrix<Scalar>, workspace: Workspace<Scalar>, dropout: DropoutRates, masks: DropoutMasks) {
        let count = definition.layers.count, last = count - 1
        precondition(dropout.problem(layers: count) == nil, "forward: \(dropout.problem(layers: count) ?? "")")
        precondition(inputs.columns == definition.inputCount && workspace.fits(definition, batch: inputs.rows),
                     "forward: inputs \(inputs.rows)×\(inputs.columns) for a network of \(inputCount) inputs and a workspace of batch \(workspace.batch)")
        workspace.lend(definition.layers)
        for l in 0..<count {
            workspace.withLayer(l, inputs: inputs) { x, buffers, _ in
                workspace.withLentLayer(l) { $0.forward(x, into: buffers, on: Backend.self) }
            }
            workspace.withLayer(l) { $0.drop(rate: dropout.rate(layer: l, last: last), masks: masks, layer: l) }
        }
    }

    /// The network's outputs for `inputs` (`batch × inputCount` → `batch × outputCount`).
    /// Allocates a workspace; loops call ``forward(_:workspace:)`` with one of their own.
    @inlinable
    public func predict(_ inputs: Matrix<Scalar>) -> Matrix<Scalar> {
        var outputs = [Scalar](repeating: 0, count: inputs.rows * outputCount)
        predict(inputs, workspace: Workspace(batch: inputs.rows, layers: layers), into: &outputs)
        return Matrix(rows: inputs.rows, columns: outputCount, elements: outputs)
    }

    /// The network's outputs for `inputs` (`batch × inputCount`, a single sample at batch 1) written
    /// into `outputs` (`batch × outputCount` values, row-major), through `workspace`, whose batch
    /// must be `inputs.rows`; `workspace` is overwritten. Allocates nothing: a loop predicting one
    /// sample at a time keeps one 1-row input matrix (rewriting its elements in place), one
    /// workspace and one output array, and each call reuses them.
    /// - Precondition: the shapes fit (the message names them).
    @_specialize(exported: true, where Backend == BLAS<Double>)
    @_specialize(exported: true, where Backend == BLAS<Float>)
    @_specialize(exported: true, where Backend == Reference<Double>)
    @_specialize(exported: true, where Backend == Reference<Float>)
    public func predict(_ inputs: Matrix<Scalar>, workspace: Workspace<Scalar>, into outputs: inout [Scalar]) {
        precondition(outputs.count == inputs.rows * outputCount,
                     "predict: \(outputs.count) outputs for \(inputs.rows) samples × \(outputCount) outputs")
        forward(inputs, workspace: workspace)
        let result = workspace.layers[workspace.layers.count - 1]
        outputs.withUnsafeMutableBufferPointer { out in
            result.activations.elements.withUnsafeBufferPointer { out.baseAddress!.update(from: $0.baseAddress!, count: out.count) }
        }
    }

    /// Backpropagation over a batch: the forward pass (with `dropout` and `masks`, see
    /// ``forward(_:workspace:dropout:masks:)``), then the backward pass
    /// with the gradient scale, writing ∂L/∂θ of the batch-mean loss L into `gradients` (shaped like
    /// this network's parameters); returns L. Nothing is allocated.
    ///
    /// `afterLayer(l, gradients)`, when given, is called on this thread as soon as layer `l`'s
    /// gradients are final, from the output layer down to layer 0 (a distributed run starts each
    /// layer's exchange there, while the layers below are still being computed); it must not change them.
    @discardableResult
    @_specialize(exported: true, where Backend == BLAS<Double>)
    @_specialize(exported: true, where Backend == BLAS<Float>)
    @_specialize(exported: true, where Backend == Reference<Double>)
    @_specialize(exported: true, where Backend == Reference<Float>)
    public func gradients(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, workspace: Workspace<Scalar>,
                          into gradients: inout ParameterArrays<Scalar>, dropout: DropoutRates = .none, masks: DropoutMasks = DropoutMasks(seed: 0),
                          afterLayer: ((Int, ParameterArrays<Scalar>) -> Void)? = nil) -> Double {
        forward(inputs, workspace: workspace, dropout: dropout, masks: masks)
        return backward(inputs: inputs, targets: targets, workspace: workspace, into: &gradients,
                        scale: .gradient(batch: inputs.rows), afterLayer: afterLayer)
    }

    /// The backward pass after a forward pass of the same `inputs` into the same `workspace`: the
    /// loss and its error terms at the output (−∂ℓ/∂a = T − Y per sample), then each layer's backward
    /// (``LayerKind/backward(input:buffers:scale:signedZeros:weightGradient:biasGradient:below:on:)``)
    /// from the output down, each writing `scale` times its parameters' share of Σ_samples ∂(−ℓ)/∂θ
    /// into `parameters` and passing the error terms to the layer below, then `afterLayer`.
    /// Returns the batch-mean loss L.
    ///
    /// This is where the lesson's sign, the batch mean's 1/n and η are set, once, by `scale`
    /// (``BackwardScale``): the error terms are −∂ℓ/∂h (the lesson's δ), so ∂L/∂θ = −(1/n)·Σ δ·∂h/∂θ
    /// and the lesson's step Δθ = −η·∂L/∂θ = η·δ·x for one sample.
    func backward(inputs: Matrix<Scalar>, targets: Matrix<Scalar>, workspace: Workspace<Scalar>,
                  into parameters: inout ParameterArrays<Scalar>, scale: BackwardScale<Scalar>,
                  afterLayer: ((Int, ParameterArrays<Scalar>) -> Void)? = nil) -> Double {
        precondition(targets.rows == inputs.rows && targets.columns == outputCount,
                     "backward: targets \(targets.rows)×\(targets.columns) for inputs \(inputs.rows)×\(inputs.columns) and \(outputCount) outputs")
        precondition(parameters.weights.count == definition.layers.count,
                     "backward: parameter arrays for \(parameters.weights.count) layers, the network has \(definition.layers.count)")
        let lossValue = workspace.withLayer(definition.layers.count - 1) { loss.startBackward($0, targets: targets) }
        workspace.lend(definition.layers)
        for l in definition.layers.indices.reversed() {
            workspace.withLayer(l, inputs: inputs) { x, buffers, below in
                workspace.withLentLayer(l) {
                    $0.backward(input: x, buffers: buffers, scale: scale.factor, signedZeros: scale.signedZeros,
                                weightGradient: &parameters.weights[l], biasGradient: &parameters.biases[l], below: below, on: Backend.self)
                }
            }
            afterLayer?(l, parameters)
        }
        return lossValue
    }
}

/// The factor the backward pass multiplies each parameter's Σ_samples δ·∂h/∂θ by, with δ = −∂ℓ/∂h
/// the lesson's error terms: the one place the sign, the batch mean's 1/n and the learning rate are set.
struct BackwardScale<Scalar: BLASScalar> {
    /// The factor.
    let factor: Scalar
    /// Whether zero entries take their product's sign (``LayerKind`` says why).
    let signedZeros: Bool

    /// ∂L/∂θ of the batch-mean loss L: −1/n.
    static func gradient(batch n: Int) -> BackwardScale { BackwardScale(factor: -1 / Scalar(n), signedZeros: false) }

    /// The lesson's step of one sample, Δθ = −η·∂ℓ/∂θ = η·δ·x, written directly as the outer product (factor η),
    /// its zeros signed as NumPy's `η * δ * x` signs them.
    static func sampleStep(learningRate eta: Scalar) -> BackwardScale { BackwardScale(factor: eta, signedZeros: true) }
}
