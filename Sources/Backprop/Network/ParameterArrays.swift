// ParameterArrays.swift: arrays shaped like a network's parameters (gradients, steps), one weight matrix and optional bias per layer.
import Kernels
import Linalg

/// Arrays shaped like a network's parameters, one weight matrix and one optional bias per layer (a
/// layer kind without parameters has a 0 × 0 matrix and no bias), in precision `Scalar`: what
/// backprop writes its gradients ∂L/∂θ into, and what a step Δθ is.
public struct ParameterArrays<Scalar: BLASScalar>: Equatable, Sendable {
    /// Per layer, shaped like its weights (`fanIn × fanOut` for a dense layer).
    public var weights: [Matrix<Scalar>]
    /// Per layer, shaped like its bias, or nil where the layer has none.
    public var biases: [[Scalar]?]

    /// Zeros shaped like `layers`' parameters.
    public init(zerosLike layers: [Layer<Scalar>]) {
        weights = layers.map { Matrix(rows: $0.weights.rows, columns: $0.weights.columns) }
        biases = layers.map { $0.bias.map { [Scalar](repeating: 0, count: $0.count) } }
    }

    /// Arrays given per layer: `weights[l]` and `biases[l]` (or nil) shaped like layer l's parameters.
    public init(weights: [Matrix<Scalar>], biases: [[Scalar]?]) {
        precondition(weights.count == biases.count, "ParameterArrays: \(weights.count) weight and \(biases.count) bias entries")
        self.weights = weights
        self.biases = biases
    }

    /// The same arrays in precision `Other`, each value rounded to nearest (exact from `Float` to `Double`).
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> ParameterArrays<Other> {
        ParameterArrays<Other>(weights: weights.map { $0.converted(to: Other.self) }, biases: biases.map { $0?.map { Other($0) } })
    }

    /// Every value multiplied by `alpha`, in place.
    public mutating func scale(by alpha: Scalar) {
        for l in weights.indices {
            weights[l].elements.withUnsafeMutableBufferPointer { w in for i in w.indices { w[i] = alpha * w[i] } }
            biases[l]?.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] = alpha * b[i] } }
        }
    }

    /// The Euclidean norm of layer `l`'s weight entries, summed in `Double`.
    public func weightNorm(layer l: Int) -> Double {
        weights[l].elements.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
    }

    /// The first layer whose weight or bias array holds a NaN or infinity, or nil.
    /// One pass summing each array (`Kernel.sum`): any NaN or ±∞ makes the sum non-finite.
    func firstNonFiniteLayer() -> Int? {
        for l in weights.indices {
            var sum = weights[l].elements.withUnsafeBufferPointer { Kernel.sum($0) }
            if let b = biases[l] { sum += b.withUnsafeBufferPointer { Kernel.sum($0) } }
            if !sum.isFinite { return l }  // Also when finite entries are so huge that they overflow: diverged all the same.
        }
        return nil
    }
}

extension Network {
    /// The number of parameter arrays: each layer's weights, then its bias when it has one.
    public var parameterArrayCount: Int { definition.parameterArrayCount }

    /// Calls `body` once per parameter array, in the order of ``parameterArrayCount``: index k,
    /// the parameters (mutable in place, flat, row-major) and the matching entries of `arrays`
    /// (gradients, a step). The arrays' lengths must not change. Optimisers are written against this.
    public mutating func updateParameters(with arrays: ParameterArrays<Scalar>,
                                          _ body: (_ k: Int, _ parameters: inout [Scalar], _ gradient: [Scalar]) -> Void) {
        precondition(arrays.weights.count == layers.count,
                     "updateParameters: arrays for \(arrays.weights.count) layers, network has \(layers.count)")
        var k = 0
        for l in definition.layers.indices {
            definition.layers[l].withParameters { weights, bias in
                let count = weights.elements.count
                body(k, &weights.elements, arrays.weights[l].elements)
                precondition(weights.elements.count == count, "updateParameters: layer \(l)'s weights changed length")
                k += 1
                if bias != nil {
                    body(k, &bias!, arrays.biases[l]!)
                    k += 1
                }
            }
        }
    }

    /// Adds `alpha · arrays` to every parameter: θ ← θ + α·Δθ (BLAS `axpy`). `arrays` must have this network's shapes.
    public mutating func add(_ arrays: ParameterArrays<Scalar>, scaledBy alpha: Scalar = 1) {
        updateParameters(with: arrays) { _, theta, step in Backend.axpy(alpha: alpha, step, into: &theta) }
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
