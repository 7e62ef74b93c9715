// ImageModelFileTests.swift: image and leaky ReLU layers in safetensors model files and checkpoints — kept bit for bit, a resumed run of a conv net ending where an uninterrupted one does, and malformed files named by layer.
import Backprop
import Datasets
import Foundation
import ModelFiles
import Testing
import TestSupport

@Suite struct ImageModelFileTests {
    /// Every kind is written (conv weights `[out, in, kh, kw]`, settings in `layer_settings`) and read
    /// back to the same model, in both precisions, and safetensors' own NumPy reader sees the layout.
    @Test(arguments: [Precision.float64, .float32])
    func safetensorsKeepsEveryKind(_ precision: Precision) throws {
        for (name, original) in try ExchangeFixtures.imageModels() {
            let model = try SavedModel(original.definition, precision: precision, scaler: original.scaler, classNames: original.classNames)
            let loaded = try SavedModel.decode(model.encoded(.safetensors), file: "\(name).safetensors")
            #expect(loaded == model, "\(name)")
            #expect(loaded.precision == precision)
        }
        let cnn = try ExchangeFixtures.imageModels()[0].1
        let st = try SafeTensors.decode(cnn.encoded(.safetensors), file: "cnn")
        #expect(st.metadata["kinds"] == "conv2d,leaky_relu,maxpool2d,conv2d,avgpool2d,flatten,dense")
        #expect(st.metadata["activations"] == "tanh,identity,identity,relu,identity,identity,softmax")
        #expect(Set(st.tensors.keys) == ["layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.6.weight", "layers.6.bias",
                                         "scaling.offset", "scaling.scale"])
        #expect(st.tensors["layers.0.weight"]?.shape == [3, 2, 3, 2])  // [out, in, kh, kw]
        #expect(st.tensors["layers.3.weight"]?.shape == [2, 3, 2, 2])
        try Python.requireSafetensors()
        let path = TestData.temporaryDirectory().appendingPathComponent("cnn.safetensors").path
        try cnn.save(to: path)
        let numpy = try Python.loadSafetensors(path)
        #expect(numpy.tensors["layers.0.weight"]?.shape == [3, 2, 3, 2])
        #expect(numpy.tensors["layers.0.weight"]?.bits == cnn.layers[0].weights.elements.map(\.bitPattern))
        let settings = try #require(numpy.metadata["layer_settings"])
        #expect(settings.hasPrefix(#"[{"input_shape": [2, 7, 6], "kernel": [3, 2], "stride": [2, 2], "padding": [1, 1]}, {"features": 48, "slope": 0.1}, "#),
                "\(settings)")
    }

    /// A model without parameters (a leaky ReLU alone) keeps its precision, which no tensor tells,
    /// in safetensors and in the PyTorch layout.
    @Test(arguments: [Precision.float64, .float32])
    func aModelWithoutParametersKeepsItsPrecision(_ precision: Precision) throws {
        let model = try SavedModel(layers: [.leakyReLU(LeakyReLU(features: 3, slope: 0.3))], loss: .squaredError, precision: precision,
                                   scaler: FeatureScaler(method: .standardize, offset: [1, 2, 3], scale: [0.5, 0.25, 2]))
        #expect(try SavedModel.decode(model.encoded(.safetensors), file: "m.safetensors") == model)
        #expect(try SavedModel.decode(model.torchStateDict(), file: "m.safetensors") == model)
    }

    /// A conv net (conv, leaky ReLU, max pool, conv, average pool, flatten, dense) trained with
    /// checkpoints, interrupted after epoch 2 and resumed from its checkpoint, ends with the same bits
    /// as the run that was never interrupted, in both precisions.
    @Test func aConvNetResumesToTheSameWeights() throws {
        try resume(BLAS<Double>.self)
        try resume(BLAS<Float>.self)
    }

    /// 48 random 1×6×6 images in 2 classes (the class: whether the left half is brighter).
    static func images() throws -> Dataset {
        var rng = SeededGenerator(seed: 4)
        let x = Matrix<Double>.randomUniform(rows: 48, columns: 36, in: 0..<1, using: &rng)
        let labels = (0..<48).map { n in
            let left = (0..<36).filter { $0 % 6 < 3 }.reduce(0.0) { $0 + x[n, $1] }
            return left > x.row(n).reduce(0, +) - left ? 1 : 0
        }
        return try Dataset(features: .doubles(x.elements), labels: labels, featureCount: 36, classCount: 2, source: "images")
    }

    func resume<B: LinearAlgebra>(_: B.Type) throws {
        let data = try Self.images()
        let scaler = FeatureScaler.fit(.standardize, on: data)
        func fresh() throws -> Trainer<B> {
            var rng = SeededGenerator(seed: 8)
            let layers: [Layer<Double>] = [
                ExchangeFixtures.conv((1, 6, 6), 3, kernel: (3, 3), padding: (1, 1), .identity, bias: true, &rng),
                .leakyReLU(LeakyReLU(features: 108, slope: 0.05)),
                .maxPool2D(MaxPool2D(input: (3, 6, 6), window: (2, 2))),
                ExchangeFixtures.conv((3, 3, 3), 2, kernel: (2, 2), .tanh, bias: false, &rng),
                .avgPool2D(AvgPool2D(input: (2, 2, 2), window: (2, 2))),
                .flatten(Flatten(input: (2, 1, 1))),
                ExchangeFixtures.layer(2, 2, .softmax, bias: true, &rng),
            ]
            var config = TrainingConfiguration()
            config.epochs = 5
            config.batchSize = 8
            config.learningRate = 0.05
            config.seed = 3
            let network = Network<B>(try NetworkDefinition(layers: layers, loss: .crossEntropy).converted(to: B.Scalar.self))
            return try Trainer(network: network, optimizer: Optimizer(name: "adam")!, schedule: LearningRateSchedules.make("cosine", epochs: 5)!,
                               configuration: config)
        }
        let whole = try fresh()
        try whole.train(training: data, validation: nil, scaler: scaler)

        let path = TestData.temporaryDirectory().appendingPathComponent("cnn.ckpt").path
        let first = try fresh()
        let saved = try first.trainInterrupted(training: data, validation: nil, scaler: scaler, stoppingAfter: 2, path: path)
        #expect(saved.layers.map(\.kindName) == ["conv2d", "leaky_relu", "maxpool2d", "conv2d", "avgpool2d", "flatten", "dense"])
        let resumed = try saved.trainer(B.self, file: path)
        try resumed.train(training: data, validation: nil, scaler: scaler)
        let bits = { (n: Network<B>) in parameterBits(n.definition.converted(to: Double.self).layers) }
        #expect(resumed.history.count == 5)
        #expect(bits(resumed.network) == bits(whole.network), "\(B.Scalar.precision)")
        #expect(bits(first.network) != bits(whole.network), "the interrupted run stopped early")
    }

    /// Each malformed image layer in a safetensors model file is an error naming the field and the layer.
    @Test func malformedImageLayersAreNamed() throws {
        let model = try ExchangeFixtures.imageModels()[0].1
        let good = try SafeTensors.decode(model.encoded(.safetensors), file: "m")
        let settingsField = #"header["__metadata__"]["layer_settings"]"#
        let settings = try #require(good.metadata["layer_settings"])
        let cases: [(String, (inout SafeTensors) -> Void, String)] = [
            ("conv weight of the wrong shape", { $0.tensors["layers.3.weight"] = .init(shape: [2, 3, 3, 2], values: [Double](repeating: 0.5, count: 36)) },
             #"m.safetensors: header["layers.3.weight"].shape: layer 3 (conv2d): expected [filters, 3, 2, 2] ([out, in, kh, kw] of its input_shape and kernel, at least 1 filter), found [2, 3, 3, 2]"#),
            ("conv weight as a matrix", { $0.tensors["layers.0.weight"] = .init(shape: [3, 12], values: [Double](repeating: 0.5, count: 36)) },
             #"header["layers.0.weight"].shape: layer 0 (conv2d): expected [filters, 2, 3, 2]"#),
            ("conv bias of the wrong length", { $0.tensors["layers.0.bias"] = .init(shape: [2], values: [0, 0]) },
             #"header["layers.0.bias"].shape: expected [3] (fan_out of layers.0.weight), found [2]"#),
            ("conv weight missing", { $0.tensors["layers.3.weight"] = nil }, #"header["layers.3.weight"]: missing tensor (layer 3 is a conv2d)"#),
            ("no settings", { $0.metadata["layer_settings"] = nil }, "\(settingsField): missing field (layer 0 is conv2d, whose settings it holds)"),
            ("settings not JSON", { $0.metadata["layer_settings"] = "[{" }, "\(settingsField): expected a JSON array of one object per layer"),
            ("one settings entry too few", { $0.metadata["layer_settings"] = "[{}]" }, "\(settingsField): 1 entries for 7 layers in the kinds metadata"),
            ("a kernel setting missing", { $0.metadata["layer_settings"] = settings.replacingOccurrences(of: #""kernel": [3, 2], "#, with: "") },
             "\(settingsField)[0].kernel: missing field"),
            ("a negative stride", { $0.metadata["layer_settings"] = settings.replacingOccurrences(of: #""stride": [1, 1]}, {"input_shape": [3, 3, 3]"#,
                                                                                                    with: #""stride": [-1, 1]}, {"input_shape": [3, 3, 3]"#) },
             "\(settingsField)[2].stride[0]: expected a size of at least 0, found -1"),
            ("a window larger than its input", { $0.metadata["layer_settings"] = settings.replacingOccurrences(of: #""window": [2, 2], "stride": [1, 1]}, {"input_shape": [3, 3, 3]"#,
                                                                                                                with: #""window": [5, 2], "stride": [1, 1]}, {"input_shape": [3, 3, 3]"#) },
             "layer 2"),
            ("a slope that is not a number", { $0.metadata["layer_settings"] = settings.replacingOccurrences(of: #""slope": 0.1"#, with: #""slope": "steep""#) },
             "\(settingsField)[1].slope"),
            ("an activation on a pool", { $0.metadata["activations"] = "tanh,identity,sigmoid,relu,identity,identity,softmax" },
             #"header["__metadata__"]["activations"]: layer 2 (maxpool2d): expected identity (the kind has no activation of its own), found sigmoid"#),
            ("a tensor for a pool", { $0.tensors["layers.2.weight"] = .init(shape: [1, 1], values: [1]) },
             #"header["layers.2.weight"]: unexpected tensor (the model has 7 layers in the activations metadata, of kinds conv2d, leaky_relu, maxpool2d"#),
        ]
        for (what, damage, message) in cases {
            var st = good
            damage(&st)
            do {
                _ = try SavedModel.decode(st.encoded(), file: "m.safetensors")
                Issue.record("\(what): loaded")
            } catch {
                #expect(error.description.contains(message), "\(what): \(error.description)")
            }
        }
    }
}
