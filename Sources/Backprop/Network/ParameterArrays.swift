import Linalg

extension Network {
    /// The number of parameter arrays: each layer's weights, then its bias when it has one.
    public var parameterArrayCount: Int {
        layers.reduce(0) { $0 + ($1.bias == nil ? 1 : 2) }
    }

    /// Calls `body` once per parameter array, in the order of ``parameterArrayCount``: index k,
    /// the parameters (mutable, flat, row-major) and the matching entries of `gradients`.
    /// The arrays' lengths must not change. Optimisers are written against this.
    public mutating func updateParameters(with gradients: Gradients<Scalar>,
                                          _ body: (_ k: Int, _ parameters: inout [Scalar], _ gradient: [Scalar]) -> Void) {
        precondition(gradients.weights.count == layers.count,
                     "updateParameters: gradients for \(gradients.weights.count) layers, network has \(layers.count)")
        var k = 0
        for l in definition.layers.indices {
            let count = definition.layers[l].weights.elements.count
            body(k, &definition.layers[l].weights.elements, gradients.weights[l].elements)
            precondition(definition.layers[l].weights.elements.count == count, "updateParameters: layer \(l)'s weights changed length")
            k += 1
            if definition.layers[l].bias != nil {
                body(k, &definition.layers[l].bias!, gradients.biases[l]!)
                k += 1
            }
        }
    }

    /// The parameter arrays' lengths, in ``updateParameters(with:_:)`` order (to size optimiser state).
    public var parameterArrayLengths: [Int] { definition.parameterArrayLengths }

    /// A hash of every parameter's bits (FNV-1a over the 64-bit words of each value as a `Double`,
    /// which is exact and one-to-one from `Float`): equal networks give equal checksums, and any
    /// differing bit almost surely changes it.
    public func parameterChecksum() -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ x: UnsafeBufferPointer<Scalar>) {
            for v in x { hash = (hash ^ Double(v).bitPattern) &* 0x100_0000_01B3 }
        }
        for layer in layers {
            layer.weights.elements.withUnsafeBufferPointer(mix)
            layer.bias?.withUnsafeBufferPointer(mix)
        }
        return hash
    }
}
