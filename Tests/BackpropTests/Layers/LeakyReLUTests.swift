// LeakyReLUTests.swift: the layer docs/adding-a-layer.md adds: its definition by hand, finite differences on both backends, training, its file entry, and PyTorch's leaky_relu.
import Backprop
import Datasets
import Foundation
import Linalg
import ModelFiles
import Testing
import TestSupport

@Suite struct LeakyReLUTests {
    /// 2 → 6 (identity) → leaky ReLU (α = 0.1) → 3 softmax: the leaky ReLU as its own layer.
    static func layers(seed: UInt64, slope: Double = 0.1) -> [Layer<Double>] {
        var rng = SeededGenerator(seed: seed)
        return [
            .dense(weights: .randomNormal(rows: 2, columns: 6, scale: 0.8, using: &rng), bias: [0.1, -0.2, 0.05, 0.3, -0.1, 0.2], activation: .identity),
            .leakyReLU(LeakyReLU(features: 6, slope: slope)),
            .dense(weights: .randomNormal(rows: 6, columns: 2, scale: 0.8, using: &rng), bias: [0, 0], activation: .softmax),
        ]
    }

    /// a = x for x > 0 and α·x otherwise, worked by hand; at 0 the output is 0 and the slope below is α (PyTorch's rule).
    @Test func forwardAndBackwardByHand() throws {
        let network = try Network<BLAS<Double>>(layers: [.dense(weights: .identity(4), activation: .identity),
                                                         .leakyReLU(LeakyReLU(features: 4, slope: 0.25))], loss: .squaredError)
        let x = Matrix<Double>([[2, -4, 0, -0.5]])
        #expect(network.predict(x) == Matrix([[2, -1, 0, -0.125]]))
        // Targets 0: ℓ = ½Σa², so −∂ℓ/∂a = −a and −∂ℓ/∂x = −a·(1 or α): [−2, 0.25, 0, 0.03125]; the identity layer's ΔW = η·xᵀ·δ.
        let step = network.computeStep(inputs: x, targets: Matrix(rows: 1, columns: 4), learningRate: 1)
        #expect((0..<4).map { step.steps.weights[0][$0, $0] } == [-4, -1, 0, -0.015625])
    }

    /// Every parameter's backprop gradient against central differences, both backends, batch 1 and 5;
    /// the slope is used (α = 0.1 changes the lower layer's gradients) and the gradients are not zero.
    @Test(arguments: ["blas", "reference"], [1, 5])
    func gradientsAgreeWithFiniteDifferences(backend: String, batch: Int) throws {
        var rng = SeededGenerator(seed: 7)
        let x = Matrix<Double>.randomNormal(rows: batch, columns: 2, scale: 1, using: &rng)
        var t = Matrix<Double>(rows: batch, columns: 2)
        for r in 0..<batch { t[r, r % 2] = 1 }
        let layers = Self.layers(seed: 3)
        let report = backend == "blas" ? try Network<BLAS<Double>>(layers: layers, loss: .crossEntropy).gradientCheck(inputs: x, targets: t)
                                        : try Network<Reference<Double>>(layers: layers, loss: .crossEntropy).gradientCheck(inputs: x, targets: t)
        // Rounding bounds the agreement near 1e-6; a wrong slope (1 or 0 below zero) gives errors near 1.
        #expect(report.worst < 1e-4, "\(report.layers.map(\.worst))")
        // The slope is exercised: some inputs of the leaky ReLU are negative.
        #expect(try Network<BLAS<Double>>(layers: [layers[0]], loss: .squaredError).predict(x).elements.contains { $0 < -1e-3 })
        #expect(report.layers[0].largestGradient > 1e-3 && report.layers[2].largestGradient > 1e-3)
        #expect(report.layers[1].total == 0)
    }

    /// Trained on the two spirals through the Trainer, the network with a leaky ReLU learns them.
    @Test func trainsOnSpirals() throws {
        let data = try SyntheticData.spirals(perClass: 150, seed: 4)
        var rng = SeededGenerator(seed: 5)
        let layers: [Layer<Float>] = [
            .dense(weights: .randomNormal(rows: 2, columns: 32, scale: 0.7, using: &rng), bias: [Float](repeating: 0, count: 32), activation: .identity),
            .leakyReLU(LeakyReLU(features: 32, slope: 0.05)),
            .dense(weights: .randomNormal(rows: 32, columns: 32, scale: 0.25, using: &rng), bias: [Float](repeating: 0, count: 32), activation: .identity),
            .leakyReLU(LeakyReLU(features: 32, slope: 0.05)),
            .dense(weights: .randomNormal(rows: 32, columns: 2, scale: 0.25, using: &rng), bias: [0, 0], activation: .softmax),
        ]
        var configuration = TrainingConfiguration()
        (configuration.epochs, configuration.batchSize, configuration.learningRate, configuration.validationFraction) = (150, 32, 0.01, 0)
        let trainer = try Trainer(network: Network<BLAS<Float>>(layers: layers, loss: .crossEntropy), optimizer: .adam, configuration: configuration)
        let scaler = FeatureScaler.fit(.standardize, on: data)
        let before = trainer.evaluate(data, scaler: scaler)
        try trainer.train(training: data, validation: nil, scaler: scaler)
        let after = trainer.evaluate(data, scaler: scaler)
        #expect(after.loss < 0.5 * before.loss, "loss \(before.loss) → \(after.loss)")
        #expect(after.accuracy > 0.9, "accuracy \(after.accuracy)")
    }

    /// A model with a leaky ReLU keeps it in a JSON file (kind, features, slope) and in a safetensors
    /// file (its settings in the metadata), and reads back the same layers from either.
    @Test func jsonAndSafetensorsKeepIt() throws {
        let model = try SavedModel(layers: Self.layers(seed: 3, slope: 0.2), loss: .crossEntropy)
        let dir = TestData.temporaryDirectory()
        let json = dir.appendingPathComponent("m.json").path
        try model.save(to: json)
        let text = try String(contentsOfFile: json, encoding: .utf8)
        #expect(text.contains("\"kind\": \"leaky_relu\"") && text.contains("\"features\": 6") && text.contains("\"slope\": 0.2"))
        let loaded = try SavedModel.load(path: json)
        #expect(loaded.layers == model.layers)
        let st = dir.appendingPathComponent("m.safetensors").path
        try model.save(to: st)
        #expect(try SavedModel.load(path: st).layers == model.layers)
        let metadata = try SafeTensors.read(path: st).metadata
        #expect(metadata["layer_settings"]?.contains("{\"features\": 6, \"slope\": 0.2}") == true, "\(metadata)")
    }

    /// A non-finite slope or no features is refused when the layers become a network, naming the layer.
    @Test func badSettingsAreNamed() {
        #expect(throws: NetworkError.settingNotFinite(layer: 1, kind: "leaky_relu", name: "slope", value: .infinity)) {
            try Network<BLAS<Double>>(layers: Self.layers(seed: 1, slope: .infinity), loss: .crossEntropy)
        }
        #expect(throws: NetworkError.sizeTooSmall(layer: 0, kind: "leaky_relu", name: "features", values: [0], minimum: 1)) {
            try Network<BLAS<Double>>(layers: [.leakyReLU(LeakyReLU(features: 0))], loss: .squaredError)
        }
    }

    /// The forward pass and the input gradient against PyTorch's `leaky_relu` in float64 (skipped
    /// when torch is not importable).
    @Test(.enabled(if: Python.torchAvailable, "torch is not importable: pip install torch==2.13.0+cpu (see scripts/setup.sh --python)"))
    func matchesPyTorch() throws {
        let values: [Double] = [1.5, -2, 0, -0.25, 3, -7]
        let network = try Network<BLAS<Double>>(layers: [.dense(weights: .identity(6), activation: .identity),
                                                         .leakyReLU(LeakyReLU(features: 6, slope: 0.3))], loss: .squaredError)
        let x = Matrix([values])
        let ours = network.predict(x).elements
        let workspace = Workspace<Double>(batch: 1, layers: network.layers)
        var gradients = ParameterArrays<Double>(zerosLike: network.layers)
        network.gradients(inputs: x, targets: Matrix(rows: 1, columns: 6), workspace: workspace, into: &gradients)
        let inputGradient = workspace.layers[0].errorTerms.elements.map { -$0 }  // ∂ℓ/∂x
        let output = try Python.run("""
            import json, sys, torch
            x = torch.tensor(json.loads(sys.argv[1]), dtype=torch.float64, requires_grad=True)
            a = torch.nn.functional.leaky_relu(x, 0.3)
            (0.5 * (a * a).sum()).backward()
            print(json.dumps([a.tolist(), x.grad.tolist()]))
            """, ["\(values)"])
        let theirs = try JSONDecoder().decode([[Double]].self, from: Data(output.utf8))
        #expect(ours == theirs[0])
        #expect(inputGradient == theirs[1])
    }
}
