import Linalg

extension Network {
    /// Runs `inputs` (`batch × inputCount`) through every layer, writing each layer's H = X·W + b
    /// (one `gemm`) and A = f(H) into `workspace`, whose batch must be `inputs.rows`.
    public func forward(_ inputs: Matrix, workspace: Workspace) {
        var unused = SeededGenerator(seed: 0)
        forward(inputs, workspace: workspace, dropout: 0, using: &unused)
    }

    /// The training forward pass: as ``forward(_:workspace:)``, and with `dropout` > 0 each hidden
    /// unit's output is zeroed with probability `dropout` and the rest scaled by 1/(1 − dropout)
    /// (inverted dropout), with the masks drawn from `rng` and kept for the backward pass.
    public func forward(_ inputs: Matrix, workspace: Workspace, dropout: Double, using rng: inout SeededGenerator) {
        precondition(dropout >= 0 && dropout < 1, "forward: dropout rate \(dropout) must be in [0, 1)")
        precondition(inputs.rows == workspace.batch && inputs.columns == inputCount,
                     "forward: inputs \(inputs.rows)×\(inputs.columns) for a network of \(inputCount) inputs and a workspace of batch \(workspace.batch)")
        for l in layers.indices {
            let buffers = workspace.layers[l]
            let x = l == 0 ? inputs : workspace.layers[l - 1].output
            let layer = layers[l]
            var beta = 0.0
            if let bias = layer.bias {
                // Start H from b in every row, then accumulate X·W onto it (β = 1).
                buffers.preActivations.elements.withUnsafeMutableBufferPointer { h in
                    for row in 0..<x.rows {
                        for j in 0..<bias.count { h[row * bias.count + j] = bias[j] }
                    }
                }
                beta = 1
            }
            Backend.gemm(.none, .none, alpha: 1, x, layer.weights, beta: beta, into: &buffers.preActivations)
            layer.activation.apply(buffers.preActivations, into: &buffers.activations)
            buffers.usesDropout = dropout > 0 && l < layers.count - 1
            if buffers.usesDropout { Self.drop(buffers, rate: dropout, using: &rng) }
        }
    }

    /// Draws a fresh mask and writes A ⊙ mask into the layer's `dropped` buffer.
    static func drop(_ buffers: Workspace.LayerBuffers, rate: Double, using rng: inout SeededGenerator) {
        let a = buffers.activations
        if buffers.mask == nil {
            buffers.mask = Matrix(rows: a.rows, columns: a.columns)
            buffers.dropped = Matrix(rows: a.rows, columns: a.columns)
        }
        let keep = 1 / (1 - rate)
        a.elements.withUnsafeBufferPointer { a in
            buffers.mask!.elements.withUnsafeMutableBufferPointer { m in
                buffers.dropped!.elements.withUnsafeMutableBufferPointer { d in
                    for i in a.indices {
                        m[i] = rng.nextUniform() < rate ? 0 : keep
                        d[i] = a[i] * m[i]
                    }
                }
            }
        }
    }

    /// The network's outputs for `inputs` (`batch × inputCount` → `batch × outputCount`).
    /// Allocates a workspace; training loops call ``forward(_:workspace:)`` with one of their own.
    public func predict(_ inputs: Matrix) -> Matrix {
        let workspace = Workspace(batch: inputs.rows, layers: layers)
        forward(inputs, workspace: workspace)
        return workspace.outputs
    }
}
