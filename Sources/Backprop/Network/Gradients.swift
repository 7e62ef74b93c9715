import Kernels
import Linalg

/// One array per layer with the network's parameter shapes: used for ∂L/∂W and ∂L/∂b,
/// for weight steps, and for optimiser state.
public struct Gradients<Scalar: BLASScalar>: Equatable, Sendable {
    /// Per layer, `fanIn × fanOut`.
    public var weights: [Matrix<Scalar>]
    /// Per layer, `fanOut` entries, or nil where the layer has no bias.
    public var biases: [[Scalar]?]

    /// Zeros shaped like `layers`.
    public init(zerosLike layers: [DenseLayer<Scalar>]) {
        weights = layers.map { Matrix(rows: $0.fanIn, columns: $0.fanOut) }
        biases = layers.map { $0.bias.map { [Scalar](repeating: 0, count: $0.count) } }
    }

    /// Arrays given per layer: `weights[l]` `fanIn × fanOut`, `biases[l]` of `fanOut` entries or nil.
    public init(weights: [Matrix<Scalar>], biases: [[Scalar]?]) {
        precondition(weights.count == biases.count, "Gradients: \(weights.count) weight and \(biases.count) bias entries")
        self.weights = weights
        self.biases = biases
    }

    /// The same arrays in precision `Other`, each value rounded to nearest (exact from `Float` to `Double`).
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> Gradients<Other> {
        Gradients<Other>(weights: weights.map { $0.converted(to: Other.self) }, biases: biases.map { $0?.map { Other($0) } })
    }

    /// Every value multiplied by `alpha` (a copy).
    public func scaled(by alpha: Scalar) -> Gradients {
        Gradients(weights: weights.map { Matrix(rows: $0.rows, columns: $0.columns, elements: $0.elements.map { alpha * $0 }) },
                  biases: biases.map { $0?.map { alpha * $0 } })
    }

    /// The Euclidean norm of layer `l`'s weight entries, summed in `Double`.
    public func weightNorm(layer l: Int) -> Double {
        weights[l].elements.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
    }

    /// The first layer whose weight or bias gradient holds a NaN or infinity, or nil.
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
