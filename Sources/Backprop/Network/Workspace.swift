import Linalg

/// The per-layer matrices (in precision `Scalar`) one forward and backward pass over a batch writes, allocated once per
/// batch size and reused, so a steady-state training step allocates nothing.
public final class Workspace<Scalar: BLASScalar> {
    /// One layer's buffers, all `batch × fanOut`. Their properties skip the runtime's exclusivity
    /// bookkeeping (a step touches them dozens of times; the passes' accesses never overlap), which
    /// was a quarter of the non-BLAS time of the lesson's single-sample step.
    public final class LayerBuffers {
        /// Pre-activations H = X·W + b.
        @exclusivity(unchecked) public internal(set) var preActivations: Matrix<Scalar>
        /// Activations A = f(H): the layer's output.
        @exclusivity(unchecked) public internal(set) var activations: Matrix<Scalar>
        /// Error terms Δ = −∂ℓ/∂H per sample (the lesson's δ).
        @exclusivity(unchecked) public internal(set) var errorTerms: Matrix<Scalar>
        /// The layer's inverted dropout: its mask and A ⊙ mask from the last forward pass.
        let dropout = Dropout<Scalar>()

        /// What the next layer reads: A, or A ⊙ mask during a training pass with dropout.
        var output: Matrix<Scalar> { dropout.output(activations) }

        init(batch: Int, fanOut: Int) {
            preActivations = Matrix(rows: batch, columns: fanOut)
            activations = Matrix(rows: batch, columns: fanOut)
            errorTerms = Matrix(rows: batch, columns: fanOut)
        }
    }

    /// Samples per batch these buffers hold.
    public let batch: Int
    /// From input side to output.
    public let layers: [LayerBuffers]
    /// `batch` ones: column sums of Δ (bias gradients) are one `gemv` with it.
    let ones: [Scalar]

    /// Buffers for `batch` samples through `layers`.
    public init(batch: Int, layers: [DenseLayer<Scalar>]) {
        self.batch = batch
        self.layers = layers.map { LayerBuffers(batch: batch, fanOut: $0.fanOut) }
        self.ones = [Scalar](repeating: 1, count: batch)
    }

    /// The network's output for the last forward pass (`batch × outputCount`).
    public var outputs: Matrix<Scalar> { layers[layers.count - 1].activations }
}
