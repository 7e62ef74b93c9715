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

    /// A conv2d layer reading `input` with `filters` filters of `kernel`, uniform random weights in [−1, 1).
    static func conv(_ input: (Int, Int, Int), _ filters: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                     _ activation: Activation, bias: Bool, _ rng: inout SeededGenerator) -> Layer<Double> {
        let w = Matrix<Double>.randomUniform(rows: filters, columns: input.0 * kernel.0 * kernel.1, using: &rng)
        let b = bias ? Matrix<Double>.randomUniform(rows: 1, columns: filters, using: &rng).elements : nil
        return .conv2d(Conv2D(input: input, weights: w, bias: b, kernel: kernel, stride: stride, padding: padding, activation: activation))
    }

    /// (name, model) with image layers, every kind among them:
    /// - "cnn": a standardised 2×7×6 input → conv 3 filters 3×2, stride 2, padding 1, tanh ((7 + 2 − 3)/2 + 1 = 4,
    ///   (6 + 2 − 2)/2 + 1 = 4: 3×4×4) → leaky ReLU 0.1 (48) → max pool 2, stride 1 (3×3×3) → conv 2 filters 2×2, no bias,
    ///   ReLU (2×2×2) → average pool 2, stride 1 (2×1×1) → flatten (2) → dense 3 softmax, with class names;
    /// - "unflattened": 12 inputs → dense 18 sigmoid → conv over 2×3×3, 2 filters 2×2, identity (2×2×2) → average pool
    ///   1×2, stride 1 (2×2×1) → dense 2 identity, with no flatten layer (the exports reshape and flatten themselves);
    /// - "conv-softmax": 1×4×4 → conv 2 filters 3×3, softmax over all 2×2×2 outputs.
    static func imageModels() throws -> [(String, SavedModel)] {
        var rng = SeededGenerator(seed: 21)
        let features = 2 * 7 * 6
        var scalerRNG = SeededGenerator(seed: 5)
        let offset = Matrix<Double>.randomUniform(rows: 1, columns: features, using: &scalerRNG).elements
        let scale = Matrix<Double>.randomUniform(rows: 1, columns: features, in: 0.5..<2, using: &scalerRNG).elements
        let cnn = try SavedModel(
            layers: [conv((2, 7, 6), 3, kernel: (3, 2), stride: (2, 2), padding: (1, 1), .tanh, bias: true, &rng),
                     .leakyReLU(LeakyReLU(features: 48, slope: 0.1)),
                     .maxPool2D(MaxPool2D(input: (3, 4, 4), window: (2, 2), stride: (1, 1))),
                     conv((3, 3, 3), 2, kernel: (2, 2), .relu, bias: false, &rng),
                     .avgPool2D(AvgPool2D(input: (2, 2, 2), window: (2, 2), stride: (1, 1))),
                     .flatten(Flatten(input: (2, 1, 1))),
                     layer(2, 3, .softmax, bias: true, &rng)], loss: .crossEntropy,
            scaler: FeatureScaler(method: .standardize, offset: offset, scale: scale), classNames: ["a", "b", "c"])
        let unflattened = try SavedModel(
            layers: [layer(12, 18, .sigmoid, bias: true, &rng), conv((2, 3, 3), 2, kernel: (2, 2), .identity, bias: true, &rng),
                     .avgPool2D(AvgPool2D(input: (2, 2, 2), window: (1, 2), stride: (1, 1))),
                     layer(4, 2, .identity, bias: true, &rng)], loss: .squaredError)
        let convSoftmax = try SavedModel(layers: [conv((1, 4, 4), 2, kernel: (3, 3), .softmax, bias: true, &rng)], loss: .crossEntropy)
        return [("cnn", cnn), ("unflattened", unflattened), ("conv-softmax", convSoftmax)]
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
