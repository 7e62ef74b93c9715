import Linalg

extension Network {
    /// Runs `inputs` (`batch × inputCount`) through every layer, writing each layer's H = X·W + b
    /// (one `gemm`) and A = f(H) into `workspace`, whose batch must be `inputs.rows`.
    public func forward(_ inputs: Matrix, workspace: Workspace) {
        precondition(inputs.rows == workspace.batch && inputs.columns == inputCount,
                     "forward: inputs \(inputs.rows)×\(inputs.columns) for a network of \(inputCount) inputs and a workspace of batch \(workspace.batch)")
        for l in layers.indices {
            let buffers = workspace.layers[l]
            let x = l == 0 ? inputs : workspace.layers[l - 1].activations
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
