import Linalg

/// The vectors one sample's step writes (``Network/sampleStep(input:target:learningRate:workspace:)``),
/// allocated once for a network's shapes and reused, so a steady-state single-sample step allocates nothing.
///
/// After a step it holds that step's results: each layer's h, a and δ (``preActivations``,
/// ``activations``, ``errorTerms``), and the weight and bias steps in ``steps``. The next step
/// overwrites them all. Copying ``steps`` (or any buffer) out and holding the copy makes the next
/// step copy that array before writing (Swift's copy-on-write): read, then drop.
public final class SampleWorkspace<Scalar: BLASScalar> {
    // The vectors are arrays per kind rather than an object per layer: a step then reaches each one
    // through one access to this object, and every value loaded for a call costs an atomic retain and
    // release (most of the step's time beyond its BLAS calls). The properties skip the runtime's
    // exclusivity bookkeeping, as in ``Workspace/LayerBuffers``: the step's accesses never overlap.

    /// Per layer, h = Wᵀ·x + b (`1 × fanOut`).
    @exclusivity(unchecked) public internal(set) var preActivations: [Matrix<Scalar>]
    /// Per layer, a = f(h) (`1 × fanOut`): the layer's output.
    @exclusivity(unchecked) public internal(set) var activations: [Matrix<Scalar>]
    /// Per layer, δ = −∂ℓ/∂h (`1 × fanOut`), the lesson's error terms.
    @exclusivity(unchecked) public internal(set) var errorTerms: [Matrix<Scalar>]
    /// The last step's ΔW = η·x·δᵀ (`fanIn × fanOut`) and Δb = η·δ per layer: what is added to the weights.
    @exclusivity(unchecked) public internal(set) var steps: Gradients<Scalar>
    /// The one-element vector [1]: a bias step's zeros get their sign as the products η·δ_j·1.
    let one: [Scalar] = [1]
    /// The shapes these vectors were made for, per layer (plain values: checking them retains nothing).
    let fanIns: [Int], fanOuts: [Int], hasBias: [Bool]

    /// Vectors for one sample through `layers` (the network's, or layers of the same shapes).
    public init(layers: [DenseLayer<Scalar>]) {
        preActivations = layers.map { Matrix(rows: 1, columns: $0.fanOut) }
        activations = layers.map { Matrix(rows: 1, columns: $0.fanOut) }
        errorTerms = layers.map { Matrix(rows: 1, columns: $0.fanOut) }
        steps = Gradients<Scalar>(zerosLike: layers)
        fanIns = layers.map(\.fanIn)
        fanOuts = layers.map(\.fanOut)
        hasBias = layers.map { $0.bias != nil }
    }

    /// The network's output a for the last step (`1 × outputCount`).
    public var outputs: Matrix<Scalar> { activations[activations.count - 1] }

    /// Whether these vectors fit `layers`: the same count, and per layer the same fanIn, fanOut and bias presence.
    func fits(_ layers: [DenseLayer<Scalar>]) -> Bool {
        guard layers.count == fanIns.count else { return false }
        for l in layers.indices where layers[l].fanIn != fanIns[l] || layers[l].fanOut != fanOuts[l]
            || (layers[l].bias != nil) != hasBias[l] {
            return false
        }
        return true
    }
}
