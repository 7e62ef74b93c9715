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
    /// `batch` ones: a bias gradient is Δᵀ·1, one `gemv` with it.
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

    /// Inverted dropout on the layer's output after its forward pass, at `rate` (nothing when 0), with
    /// the masks of `masks` for layer `layer` (``Dropout/forward(_:rate:masks:layer:)``).
    @inline(__always)
    func drop(rate: Double, masks: DropoutMasks, layer: Int) {
        dropout.forward(&activations, rate: rate, masks: masks, layer: layer)
    }

    /// `body` on what the next layer reads, A or, after a training pass that dropped, A ⊙ mask, lent
    /// in place (an `inout` access, where a load would copy the matrix); `body` must not change it.
    @inline(__always)
    func withOutput<R>(_ body: (inout Matrix<Scalar>) -> R) -> R {
        dropout.isActive ? dropout.withDropped(body) : body(&activations)
    }

    /// A = f(H) of `activation`, in place in ``activations``.
    @inline(__always)
    func activate(_ activation: Activation) {
        let columns = preActivations.columns
        preActivations.elements.withUnsafeMutableBufferPointer { h in
            activations.elements.withUnsafeMutableBufferPointer { activation.apply(UnsafeBufferPointer(h), columns: columns, into: $0) }
        }
    }

    /// `body` on ``errorTerms``' storage in place (reading it, not copying the matrix).
    @inline(__always)
    func withErrorTerms<R>(_ body: (UnsafeBufferPointer<Scalar>) -> R) -> R {
        errorTerms.elements.withUnsafeMutableBufferPointer { body(UnsafeBufferPointer($0)) }
    }

    /// The lesson's δ = −∂ℓ/∂h, formed in place in ``errorTerms`` from what the layer above passed
    /// down (−∂ℓ/∂a): ⊙ the dropout mask, then ⊙ f′(h) of `activation` (see ``Activation/softmax``).
    @inline(__always)
    func formDelta(through activation: Activation) {
        dropout.backward(&errorTerms)
        errorTerms.elements.withUnsafeMutableBufferPointer { d in
            preActivations.elements.withUnsafeMutableBufferPointer { h in
                activations.elements.withUnsafeMutableBufferPointer { a in
                    activation.multiplyDerivative(inPlace: d, preActivations: UnsafeBufferPointer(h), activations: UnsafeBufferPointer(a))
                }
            }
        }
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
    /// ``layers`` again as unretained references, in memory of their own: a pass reaches a layer's
    /// buffers with no atomic retain and release (``layers`` keeps them alive).
    private let unretained: UnsafeMutableBufferPointer<Unmanaged<LayerBuffers<Scalar>>>
    /// The network's layers as a pass lends them to the layer code (``lend(_:)``): copies of their
    /// bytes that own nothing (never retained, never deinitialized), in memory of this workspace's own.
    /// A load of a `Layer` from the network's array would copy it, retaining its arrays atomically on
    /// every pass, and an `inout` access to that array, shared by the workers, would overlap theirs.
    private let lent: UnsafeMutableBufferPointer<Layer<Scalar>>

    /// Buffers for `batch` samples through `layers`.
    public init(batch: Int, layers: [Layer<Scalar>]) {
        let ones = [Scalar](repeating: 1, count: batch)
        self.batch = batch
        self.layers = layers.map { LayerBuffers(batch: batch, outputCount: $0.outputCount, ones: ones, scratch: $0.scratch(batch: batch)) }
        outputCounts = layers.map(\.outputCount)
        unretained = .allocate(capacity: self.layers.count)
        _ = unretained.initialize(fromContentsOf: self.layers.map { Unmanaged.passUnretained($0) })
        lent = .allocate(capacity: layers.count)
    }

    deinit {
        unretained.deallocate()
        lent.deallocate()  // Bytes only: the layers they copy belong to the network.
    }

    /// Copies the bytes of `layers` (the network's, one per buffer) for one pass to lend with
    /// ``withLentLayer(_:_:)``: valid while the network is alive and unchanged, as it is during a pass.
    @inline(__always)
    func lend(_ layers: [Layer<Scalar>]) {
        precondition(layers.count == lent.count, "lend: \(layers.count) layers for a workspace of \(lent.count)")
        layers.withUnsafeBufferPointer {
            UnsafeMutableRawPointer(lent.baseAddress!).copyMemory(from: $0.baseAddress!, byteCount: $0.count * MemoryLayout<Layer<Scalar>>.stride)
        }
    }

    /// `body` on layer `l` as ``lend(_:)`` copied it, lent in place (`inout`: no copy, no retain); `body` must not change it.
    @inline(__always)
    func withLentLayer<R>(_ l: Int, _ body: (inout Layer<Scalar>) -> R) -> R {
        body(&lent[l])
    }

    /// `body` on layer `l`'s buffers, reached without reference counting.
    @inline(__always)
    func withLayer<R>(_ l: Int, _ body: (LayerBuffers<Scalar>) -> R) -> R {
        unretained[l]._withUnsafeGuaranteedRef(body)
    }

    /// `body(x, buffers, below)` for layer `l`: its input x (`inputs` for the first layer, else the
    /// output of the layer below), its buffers, and the buffers of the layer below (nil for the
    /// first), each lent in place: copies would cost atomic retains on every pass.
    @inline(__always)
    func withLayer<R>(_ l: Int, inputs: Matrix<Scalar>, _ body: (Matrix<Scalar>, LayerBuffers<Scalar>, LayerBuffers<Scalar>?) -> R) -> R {
        withLayer(l) { buffers in
            l == 0 ? body(inputs, buffers, nil) : withLayer(l - 1) { below in below.withOutput { body($0, buffers, below) } }
        }
    }

    /// The network's output for the last forward pass (`batch × outputCount`).
    public var outputs: Matrix<Scalar> { layers[layers.count - 1].activations }

    /// Whether these buffers fit `network` at `batch` rows: one per layer, each as wide as its layer's output.
    func fits(_ network: NetworkDefinition<Scalar>, batch: Int) -> Bool {
        batch == self.batch && network.outputCounts == outputCounts
    }
}
