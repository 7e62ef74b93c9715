// PrecisionTrainingTests.swift: Float32 training against float64.
import Backprop
import Datasets
import Linalg
import Testing
import TestSupport

/// Float32 training against float64: the same network (the float32 weights are the float64 ones
/// rounded, since initialisers draw in Double), the same batch, the same arithmetic in less precision.
@Suite struct PrecisionTrainingTests {
    func networks() throws -> (Network<BLAS<Double>>, Network<BLAS<Float>>) {
        var rng = SeededGenerator(seed: 21)
        let double = try Network<BLAS<Double>>.make(sizes: [2, 16, 8, 3], hidden: .tanh, output: .softmax, loss: .crossEntropy, using: &rng)
        return (double, double.converted(to: BLAS<Float>.self))
    }

    /// Batch gradients agree to 1e-4 of each layer's largest gradient: each entry is a sum over 64
    /// samples of products that went through about ten float32 roundings (forward, softmax, δ chained
    /// back through two layers), so its error is below ~(64 + 10)·2⁻²⁴ ≈ 4.4e-6 of the terms' scale;
    /// 1e-4 leaves a wide margin, and a wrong float32 kernel (a missing factor, a dropped term) is off by far more.
    @Test func float32GradientsAgreeWithFloat64() throws {
        let (double, float) = try networks()
        let data = try SyntheticData.spirals(perClass: 32, seed: 3)
        let scaler = FeatureScaler.fit(.standardize, on: data)
        let rows = Array(0..<64)
        let x = Matrix<Double>(rows: 64, columns: 2, elements: data.features(rows: rows, scaler: scaler))
        var t = Matrix<Double>(rows: 64, columns: 3)
        for (i, row) in rows.enumerated() { t[i, data.labels[row]] = 1 }

        var g64 = ParameterArrays<Double>(zerosLike: double.layers), g32 = ParameterArrays<Float>(zerosLike: float.layers)
        let loss64 = double.gradients(inputs: x, targets: t, workspace: Workspace(batch: 64, layers: double.layers), into: &g64)
        let loss32 = float.gradients(inputs: x.converted(), targets: t.converted(), workspace: Workspace(batch: 64, layers: float.layers), into: &g32)
        #expect(abs(loss32 - loss64) <= 1e-5 * abs(loss64))
        for l in double.layers.indices {
            let largest = g64.weights[l].elements.map(abs).max()!
            #expect(largest > 1e-3, "layer \(l): the comparison must not be made on near-zero gradients")
            let rule = Tolerance(absolute: 0, relative: 0, ofFieldLargest: 1e-4)
            let mismatch = zip(g32.weights[l].elements, g64.weights[l].elements).enumerated().first {
                !rule.accepts(Double($0.element.0), $0.element.1, fieldLargest: largest)
            }
            #expect(mismatch == nil, "layer \(l) weight gradient \(mismatch.map { "\($0.offset): \($0.element)" } ?? "")")
        }
    }

    /// Ten epochs of Adam in each precision on the same data reach the same accuracy within two
    /// samples in a hundred (the trajectories part by rounding, not by the maths).
    @Test func float32TrainsAsWellAsFloat64() throws {
        let (double, float) = try networks()
        let data = try SyntheticData.spirals(perClass: 100, seed: 4)
        let scaler = FeatureScaler.fit(.standardize, on: data)
        var config = TrainingConfiguration()
        config.epochs = 10
        config.batchSize = 32
        config.learningRate = 0.01
        config.validationFraction = 0
        config.patience = nil
        let t64 = try Trainer(network: double, configuration: config), t32 = try Trainer(network: float, configuration: config)
        try t64.train(training: data, validation: nil, scaler: scaler)
        try t32.train(training: data, validation: nil, scaler: scaler)
        let a64 = t64.network.evaluate(data, scaler: scaler).accuracy, a32 = t32.network.evaluate(data, scaler: scaler).accuracy
        #expect(a64 > 0.6, "float64 must learn something for the comparison to mean anything (accuracy \(a64))")
        #expect(abs(a32 - a64) <= 0.02, "accuracy float32 \(a32), float64 \(a64)")
    }

    /// A float32 network's gradients checked by finite differences taken in float64 on its promotion.
    /// In float32 the difference quotient itself would be off by ε·|L|/h ≈ 0.1 at h = 1e-6, so a
    /// worst error under 1e-2 shows the differences ran in float64.
    @Test func gradientCheckOfAFloat32NetworkRunsInFloat64() throws {
        let (_, float) = try networks()
        var rng = SeededGenerator(seed: 8)
        let x = Matrix<Double>.randomNormal(rows: 5, columns: 2, using: &rng)
        var t = Matrix<Double>(rows: 5, columns: 3)
        for i in 0..<5 { t[i, i % 3] = 1 }
        let report = float.gradientCheck(inputs: x, targets: t)
        #expect(report.worst < 1e-2, "worst relative error \(report.worst)")
        #expect(report.layers.allSatisfy { $0.largestGradient > 1e-4 })
    }
}
