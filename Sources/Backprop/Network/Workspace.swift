// Workspace.swift: the buffers one pass over a batch writes, per layer, allocated once per batch size.
import Linalg

/// One layer's matrices for one batch size, all `batch × outputCount`: what its forward pass
/// writes and its backward pass reads and rewrites. Their properties skip the runtime's
/// exclusivity bookkeeping (a step touches them dozens of times; the passes' accesses never overlap).
public final class LayerBuffers<Scalar: BLASScalar> {
    /// Pre-activations h (for a dense layer H = X·W + b).
    @exclusivity(unchecked) public internal(set) var preActivations: Matrix<Scalar>
    /// Activations a = f(h): the layer's output.
    @exclusivity(unchecked) public internal(set) var activations: Matrix<Scalar>
    /// The error terms: −∂ℓ/∂a as the layer above passes them down, δ = −∂ℓ/∂h once the layer's
    /// backward pass has run (the lesson's δ, per sample).
    @exclusivity(unchecked) public internal(set) var errorTerms: Matrix<Scalar>
    /// The layer's inverted dropout: its mask and A ⊙ mask from the last training forward pass.
    let dropout = Dropout<Scalar>()
    /// `batch` ones: a bias gradient is Δᵀ·1, one `gemv` with it (for one sample, the factor 1 of the step's signs).
    let ones: [Scalar]
    /// The kind's own working storage for this batch size (``LayerKind/scratch(batch:)``).
    public let scratch: LayerScratch<Scalar>

    init(batch: Int, outputCount: Int, ones: [Scalar], scratch: LayerScratch<Scalar>) {
        preActivations = Matrix(rows: batch, columns: outputCount)
        activations = Matrix(rows: batch, columns: outputCount)
        errorTerms = Matrix(rows: batch, columns: outputCount)
        self.ones = ones
        self.scratch = scratch
    }

    /// What the next layer reads: A, or A ⊙ mask during a training pass with dropout.
    var output: Matrix<Scalar> { dropout.output(activations) }

    /// The lesson's δ = −∂ℓ/∂h, formed in place in ``errorTerms`` from what the layer above passed
    /// down (−∂ℓ/∂a): ⊙ the dropout mask, then ⊙ f′(h) of `activation` (see ``Activation/softmax``).
    @inline(__always)
    func delta(through activation: Activation) -> Matrix<Scalar> {
        dropout.backward(&errorTerms)
        activation.multiplyDerivative(into: &errorTerms, preActivations: preActivations, activations: activations)
        return errorTerms
    }
}

/// The buffers (in precision `Scalar`) one forward and backward pass over a batch writes, one
/// ``LayerBuffers`` per layer, allocated once per batch size and reused, so a steady-state training
/// step, of any batch size including the lesson's single sample, allocates nothing.
public final class Workspace<Scalar: BLASScalar> {
    /// Samples per batch these buffers hold.
    public let batch: Int
    /// From input side to output.
    public let layers: [LayerBuffers<Scalar>]
    /// Each layer's outputs per sample.
    let outputCounts: [Int]

    /// Buffers for `batch` samples through `layers`.
    public init(batch: Int, layers: [Layer<Scalar>]) {
        let ones = [Scalar](repeating: 1, count: batch)
        self.batch = batch
        self.layers = layers.map { LayerBuffers(batch: batch, outputCount: $0.outputCount, ones: ones, scratch: $0.scratch(batch: batch)) }
        outputCounts = layers.map(\.outputCount)
    }

    /// The network's output for the last forward pass (`batch × outputCount`).
    public var outputs: Matrix<Scalar> { layers[layers.count - 1].activations }

    /// Whether these buffers fit `network` at `batch` rows: one per layer, each as wide as its layer's output.
    func fits(_ network: NetworkDefinition<Scalar>, batch: Int) -> Bool {
        batch == self.batch && network.outputCounts == outputCounts
    }
}
