// ExchangeFixtures.swift: models with ordinary random numbers for the files other tools read (ONNX, PyTorch).
import Backprop
import ModelFiles
import Datasets
import Foundation

/// Models with ordinary random numbers for the files other tools read (ONNX, PyTorch): every
/// activation, layers with and without a bias, with and without input scaling.
enum ExchangeFixtures {
    /// A layer of uniform random weights in [−1, 1) and, when `bias`, a random bias.
    static func layer(_ fanIn: Int, _ fanOut: Int, _ activation: Activation, bias: Bool, _ rng: inout SeededGenerator) -> Layer<Double> {
        let w = Matrix<Double>.randomUniform(rows: fanIn, columns: fanOut, using: &rng)
        let b = bias ? Matrix<Double>.randomUniform(rows: 1, columns: fanOut, using: &rng).elements : nil
        return Layer<Double>.dense(weights: w, bias: b, activation: activation)
    }

    /// (name, model): a standardised 4 → 5 (ReLU) → 3 softmax classifier with class names; a
    /// 3 → 4 (sigmoid) → 4 (tanh, no bias) → 2 identity regression scaled to unit range; and a bias-free
    /// 2 → 1 sigmoid without scaling.
    static func models() throws -> [(String, SavedModel)] {
        var rng = SeededGenerator(seed: 13)
        let classifier = try SavedModel(
            layers: [layer(4, 5, .relu, bias: true, &rng), layer(5, 3, .softmax, bias: true, &rng)], loss: .crossEntropy,
            scaler: FeatureScaler(method: .standardize, offset: [0.5, -1, 2, 0.25], scale: [2, 0.5, 1.0 / 3.0, 4]),
            classNames: ["cat", "dog", "naïve \"bird\""], metadata: ["epochs": "3"])
        let regression = try SavedModel(
            layers: [layer(3, 4, .sigmoid, bias: true, &rng), layer(4, 4, .tanh, bias: false, &rng),
                     layer(4, 2, .identity, bias: true, &rng)], loss: .squaredError,
            scaler: FeatureScaler(method: .unitRange, offset: [-1, 0, 3], scale: [0.5, 0.1, 2]))
        let bare = try SavedModel(layers: [layer(2, 1, .sigmoid, bias: false, &rng)], loss: .squaredError)
        return [("classifier", classifier), ("regression", regression), ("bare", bare)]
    }

    /// `rows` raw input rows for `model`, uniform in [−3, 3), row-major.
    static func inputs(_ model: SavedModel, rows: Int, seed: UInt64 = 7) -> Matrix<Double> {
        var rng = SeededGenerator(seed: seed)
        return Matrix<Double>.randomUniform(rows: rows, columns: model.inputCount, in: -3..<3, using: &rng)
    }

    /// What `backprop predict` computes: the inputs scaled by the model's scaler, through the network on BLAS.
    static func predictions(_ model: SavedModel, _ x: Matrix<Double>) -> Matrix<Double> {
        var scaled = x
        if let scaler = model.scaler {
            for i in 0..<x.rows { for j in 0..<x.columns { scaled[i, j] = scaler.apply(x[i, j], feature: j) } }
        }
        return model.network(BLAS<Double>.self).predict(scaled)
    }

    /// Rows of a matrix as nested arrays, for JSON.
    static func rows(_ m: Matrix<Double>) -> [[Double]] { (0..<m.rows).map { m.row($0) } }
}
