// Initializer.swift: how a layer's initial weights are drawn (biases start at zero).
import Foundation
import Linalg

/// How a layer's initial weights are drawn (biases start at zero). Seeded: the same generator
/// state gives the same weights.
public enum Initializer: String, CaseIterable, Sendable, Codable {
    /// The lesson's N(0, 1/fan_in): `np.random.normal(scale=n_features**-.5)`.
    case lesson
    /// Glorot/Xavier uniform: U(−a, a), a = √(6 / (fan_in + fan_out)); for tanh and sigmoid.
    case glorot
    /// He normal: N(0, 2/fan_in); for ReLU.
    case he
    /// A random orthogonal matrix (QR of a Gaussian matrix, signs fixed by R's diagonal), scaled by `gain`.
    case orthogonal

    /// A `fanIn × fanOut` weight matrix, drawn in `Double` and rounded to `Scalar` (so a float32
    /// network starts as the rounded float64 one of the same seed).
    public func weights<Scalar: BLASScalar>(fanIn: Int, fanOut: Int, gain: Double = 1, using rng: inout SeededGenerator) -> Matrix<Scalar> {
        switch self {
        case .lesson:
            return .randomNormal(rows: fanIn, columns: fanOut, scale: 1 / Double(fanIn).squareRoot(), using: &rng)
        case .glorot:
            let a = (6 / Double(fanIn + fanOut)).squareRoot()
            return .randomUniform(rows: fanIn, columns: fanOut, in: -a..<a, using: &rng)
        case .he:
            return .randomNormal(rows: fanIn, columns: fanOut, scale: (2 / Double(fanIn)).squareRoot(), using: &rng)
        case .orthogonal:
            // QR of the taller orientation gives orthonormal columns; transpose back for wide shapes.
            let tall = fanIn >= fanOut
            let g = Matrix<Double>.randomNormal(rows: max(fanIn, fanOut), columns: min(fanIn, fanOut), using: &rng)
            guard let (qr, r) = try? LAPACK.qr(g) else {
                preconditionFailure("orthogonal initialisation: QR of a Gaussian matrix failed")
            }
            var q = qr
            for j in 0..<q.columns where r[j, j] < 0 {  // Make the factorisation unique, so Q is Haar-distributed.
                for i in 0..<q.rows { q[i, j] = -q[i, j] }
            }
            var w = tall ? q : q.transposed
            for i in w.elements.indices { w.elements[i] *= gain }
            return w.converted(to: Scalar.self)
        }
    }

    /// A suitable default for layers with `activation`: He for ReLU, Glorot otherwise.
    public static func standard(for activation: Activation) -> Initializer {
        activation == .relu ? .he : .glorot
    }
}

extension Network {
    /// A fresh network: `sizes` = [inputs, hidden…, outputs], `hidden` on every hidden layer,
    /// `output` on the last, biases at zero, weights from `initializer` (default: per activation).
    public static func make(sizes: [Int], hidden: Activation, output: Activation, loss: Loss,
                            initializer: Initializer? = nil, bias: Bool = true,
                            using rng: inout SeededGenerator) throws(NetworkError) -> Network {
        guard sizes.count >= 2 else { throw .noLayers }
        var layers: [Layer<Scalar>] = []
        for l in 0..<(sizes.count - 1) {
            let f = l == sizes.count - 2 ? output : hidden
            let initialize = initializer ?? .standard(for: f)
            let gain = initialize == .orthogonal && f == .relu ? 2.0.squareRoot() : 1
            layers.append(.dense(Dense(
                weights: initialize.weights(fanIn: sizes[l], fanOut: sizes[l + 1], gain: gain, using: &rng),
                bias: bias ? [Scalar](repeating: 0, count: sizes[l + 1]) : nil,
                activation: f)))
        }
        return try Network(layers: layers, loss: loss)
    }
}
