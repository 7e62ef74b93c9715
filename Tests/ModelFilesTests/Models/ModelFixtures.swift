// ModelFixtures.swift: small models whose numbers stress exact storage.
import Backprop
import ModelFiles
import Datasets

/// Small models whose numbers stress exact storage: values with no short decimal form (0.1, 1/3,
/// π), the smallest subnormal, negative zero, and magnitudes near the ends of the range.
enum ModelFixtures {
    /// 3 → 2 → 1, a bias on the last layer only, standardised inputs, user metadata.
    static func scaledRegression() throws -> SavedModel {
        let w0 = Matrix<Double>([[0.1, 1.0 / 3.0], [Double.leastNonzeroMagnitude, -0.0], [1e300, -1e-300]])
        let w1 = Matrix<Double>([[2.0 / 3.0], [-.pi]])
        return try SavedModel(
            layers: [Layer<Double>.dense(weights: w0, activation: .tanh), Layer<Double>.dense(weights: w1, bias: [-0.0], activation: .identity)],
            loss: .squaredError,
            scaler: FeatureScaler(method: .standardize, offset: [0.1, -0.0, 1e300], scale: [1.0 / 3.0, Double.leastNonzeroMagnitude, 7]),
            metadata: ["epochs": "12", "test_accuracy": "0.875", "created_by": "ModelFileTests"])
    }

    /// 2 → 3 → 3 softmax classifier, biases on every layer, class names, no scaler.
    static func classifier() throws -> SavedModel {
        let w0 = Matrix<Double>([[0.5, -0.25, 1e-5], [0.3, 0.7, -1.1]])
        let w1 = Matrix<Double>([[0.1, 0.2, 0.3], [-0.4, 0.5, -0.6], [0.7, -0.8, 0.9]])
        return try SavedModel(
            layers: [Layer<Double>.dense(weights: w0, bias: [0.1, -0.0, 1.0 / 3.0], activation: .relu),
                     Layer<Double>.dense(weights: w1, bias: [1e300, -1e300, Double.leastNonzeroMagnitude], activation: .softmax)],
            loss: .crossEntropy, classNames: ["cat", "dog", "naïve \"quoted\" bird"])
    }

    /// 2 → 1 without biases or scaler: a binary classifier with two class names for its one output.
    static func bare() throws -> SavedModel {
        try SavedModel(layers: [Layer<Double>.dense(weights: Matrix<Double>([[0.1], [-0.0]]), activation: .sigmoid)],
                       loss: .squaredError, classNames: ["no", "yes"])
    }

    static func all() throws -> [(String, SavedModel)] {
        [("scaledRegression", try scaledRegression()), ("classifier", try classifier()), ("bare", try bare())]
    }

    /// Every number of a model, as bit patterns, in a fixed order: what "bit-exact" compares.
    static func bits(_ model: SavedModel) -> [UInt64] {
        var out: [UInt64] = []
        for layer in model.layers {
            out += layer.weights.elements.map(\.bitPattern)
            out += (layer.bias ?? []).map(\.bitPattern)
        }
        out += (model.scaler?.offset ?? []).map(\.bitPattern)
        out += (model.scaler?.scale ?? []).map(\.bitPattern)
        return out
    }
}
