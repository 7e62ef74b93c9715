import Linalg

extension Network {
    /// The number of parameter arrays: each layer's weights, then its bias when it has one.
    public var parameterArrayCount: Int {
        layers.reduce(0) { $0 + ($1.bias == nil ? 1 : 2) }
    }

    /// Calls `body` once per parameter array, in the order of ``parameterArrayCount``: index k,
    /// the parameters (mutable, flat, row-major) and the matching entries of `gradients`.
    /// The arrays' lengths must not change. Optimisers are written against this.
    public mutating func updateParameters(with gradients: Gradients,
                                          _ body: (_ k: Int, _ parameters: inout [Double], _ gradient: [Double]) -> Void) {
        precondition(gradients.weights.count == layers.count,
                     "updateParameters: gradients for \(gradients.weights.count) layers, network has \(layers.count)")
        var k = 0
        for l in layers.indices {
            let count = layers[l].weights.elements.count
            body(k, &layers[l].weights.elements, gradients.weights[l].elements)
            precondition(layers[l].weights.elements.count == count, "updateParameters: layer \(l)'s weights changed length")
            k += 1
            if layers[l].bias != nil {
                body(k, &layers[l].bias!, gradients.biases[l]!)
                k += 1
            }
        }
    }

    /// The parameter arrays' lengths, in ``updateParameters(with:_:)`` order (to size optimiser state).
    public var parameterArrayLengths: [Int] {
        layers.flatMap { layer in [layer.weights.elements.count] + (layer.bias.map { [$0.count] } ?? []) }
    }
}
