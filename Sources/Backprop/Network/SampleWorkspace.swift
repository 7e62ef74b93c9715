import Linalg

/// The vectors one sample's step writes (``Network/sampleStep(input:target:learningRate:workspace:)``),
/// allocated once for a network's shapes and reused, so a steady-state single-sample step allocates nothing.
///
/// After a step it holds that step's results: each layer's h, a and δ, and the weight and bias steps
/// in ``steps``. The next step overwrites them all. Copying ``steps`` (or any buffer) out and holding
/// the copy makes the next step copy that array before writing (Swift's copy-on-write): read, then drop.
public final class SampleWorkspace {
    /// One layer's vectors, each `1 × fanOut`. As in ``Workspace/LayerBuffers``, the properties skip the
    /// runtime's exclusivity bookkeeping: the step's accesses to them never overlap.
    public final class LayerVectors {
        /// h = Wᵀ·x + b.
        @exclusivity(unchecked) public internal(set) var preActivations: Matrix
        /// a = f(h): the layer's output.
        @exclusivity(unchecked) public internal(set) var activations: Matrix
        /// δ = −∂ℓ/∂h (the lesson's error terms).
        @exclusivity(unchecked) public internal(set) var errorTerms: Matrix

        init(fanOut: Int) {
            preActivations = Matrix(rows: 1, columns: fanOut)
            activations = Matrix(rows: 1, columns: fanOut)
            errorTerms = Matrix(rows: 1, columns: fanOut)
        }
    }

    /// From input side to output.
    public let layers: [LayerVectors]
    /// The last step's ΔW = η·x·δᵀ (`fanIn × fanOut`) and Δb = η·δ per layer: what is added to the weights.
    @exclusivity(unchecked) public internal(set) var steps: Gradients
    /// The one-element vector [1]: a bias step's zeros get their sign as the products η·δ_j·1.
    let one: [Double] = [1]
    /// The shapes these vectors were made for, per layer (plain values: checking them retains nothing).
    let fanIns: [Int], fanOuts: [Int], hasBias: [Bool]

    /// Vectors for one sample through `layers` (the network's, or layers of the same shapes).
    public init(layers: [DenseLayer]) {
        self.layers = layers.map { LayerVectors(fanOut: $0.fanOut) }
        steps = Gradients(zerosLike: layers)
        fanIns = layers.map(\.fanIn)
        fanOuts = layers.map(\.fanOut)
        hasBias = layers.map { $0.bias != nil }
    }

    /// The network's output a for the last step (`1 × outputCount`).
    public var outputs: Matrix { layers[layers.count - 1].activations }

    /// Whether these vectors fit `layers`: the same count, and per layer the same fanIn, fanOut and bias presence.
    func fits(_ layers: [DenseLayer]) -> Bool {
        guard layers.count == fanIns.count else { return false }
        for l in layers.indices where layers[l].fanIn != fanIns[l] || layers[l].fanOut != fanOuts[l]
            || (layers[l].bias != nil) != hasBias[l] {
            return false
        }
        return true
    }
}
