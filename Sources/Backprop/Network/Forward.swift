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
    /// (inverted dropout), with the masks drawn from one seed taken from `rng` and kept for the
    /// backward pass.
    public func forward(_ inputs: Matrix, workspace: Workspace, dropout: Double, using rng: inout SeededGenerator) {
        forward(inputs, workspace: workspace, dropout: dropout, masks: DropoutMasks(seed: rng.next()))
    }

    /// The training forward pass with the dropout masks of `masks`: row i of `inputs` is sample
    /// `masks.firstSample + i` of its batch, and its masks depend on that position alone, so a
    /// batch split across threads or processes drops the same units as the whole batch.
    public func forward(_ inputs: Matrix, workspace: Workspace, dropout: Double, masks: DropoutMasks) {
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
            if buffers.usesDropout { Self.drop(buffers, rate: dropout, masks: masks, layer: l) }
        }
    }

    /// Draws a fresh mask, row by row from each sample's own generator, and writes A ⊙ mask into
    /// the layer's `dropped` buffer.
    static func drop(_ buffers: Workspace.LayerBuffers, rate: Double, masks: DropoutMasks, layer: Int) {
        let a = buffers.activations
        if buffers.mask == nil {
            buffers.mask = Matrix(rows: a.rows, columns: a.columns)
            buffers.dropped = Matrix(rows: a.rows, columns: a.columns)
        }
        let keep = 1 / (1 - rate)
        let (rows, columns) = (a.rows, a.columns)
        a.elements.withUnsafeBufferPointer { a in
            buffers.mask!.elements.withUnsafeMutableBufferPointer { m in
                buffers.dropped!.elements.withUnsafeMutableBufferPointer { d in
                    for row in 0..<rows {
                        var rng = masks.generator(sample: row, layer: layer)
                        for i in (row * columns)..<((row + 1) * columns) {
                            m[i] = rng.nextUniform() < rate ? 0 : keep
                            d[i] = a[i] * m[i]
                        }
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

/// Where a training pass's dropout masks come from: sample `firstSample + i` of a batch (row i of
/// the pass) draws its mask in hidden layer l from a generator seeded by (`seed`, its position in the
/// batch, l). The trainer draws one `seed` per batch, so the masks do not depend on how many threads
/// or processes share the batch.
public struct DropoutMasks: Sendable, Equatable {
    /// One per batch.
    public var seed: UInt64
    /// The position in the batch of the pass's first row.
    public var firstSample: Int

    /// Masks for a batch drawn with `seed`, for a pass whose first row is sample `firstSample` of the batch.
    public init(seed: UInt64, firstSample: Int = 0) {
        self.seed = seed
        self.firstSample = firstSample
    }

    /// The masks of a pass that starts `offset` samples further into the same batch.
    public func advanced(by offset: Int) -> DropoutMasks {
        DropoutMasks(seed: seed, firstSample: firstSample + offset)
    }

    /// The generator of row `sample` of the pass in hidden layer `layer`. SeededGenerator's
    /// SplitMix64 seeding spreads the combined seed over its state, so nearby positions give
    /// unrelated streams.
    func generator(sample: Int, layer: Int) -> SeededGenerator {
        let position = UInt64(firstSample + sample)
        return SeededGenerator(seed: seed ^ (position &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(layer) &* 0xD1B5_4A32_D192_ED03))
    }
}
