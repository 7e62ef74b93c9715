// ModelFileTests.swift: saving and loading models.
import Backprop
import ModelFiles
import Datasets
import Foundation
import Testing
import TestSupport

/// Saving and loading models: bit-exact round trips in both formats, the two formats agreeing,
/// format detection, and construction checks.
@Suite struct ModelFileTests {
    static let cases: [(String, ModelFormat)] = ["scaledRegression", "classifier", "bare"].flatMap { name in
        ModelFormat.allCases.map { (name, $0) }
    }

    static func fixture(_ name: String) throws -> SavedModel {
        try #require(try ModelFixtures.all().first { $0.0 == name }?.1)
    }

    @Test(arguments: cases)
    func roundTripIsBitExact(name: String, format: ModelFormat) throws {
        let model = try Self.fixture(name)
        let path = TestData.temporaryDirectory().appendingPathComponent("model.\(format.rawValue)").path
        try model.save(to: path)
        let back = try SavedModel.load(path: path)
        #expect(back == model)
        #expect(ModelFixtures.bits(back) == ModelFixtures.bits(model))
        #expect(Approximate.isNontrivial(back.layers[0].weights.elements))
    }

    /// The JSON and the safetensors file of one model load as the same model, network and all.
    @Test(arguments: ["scaledRegression", "classifier", "bare"])
    func bothFormatsGiveTheSameModel(name: String) throws {
        let model = try Self.fixture(name)
        let dir = TestData.temporaryDirectory()
        let json = dir.appendingPathComponent("m.json").path, st = dir.appendingPathComponent("m.safetensors").path
        try model.save(to: json)
        try model.save(to: st)
        let a = try SavedModel.load(path: json), b = try SavedModel.load(path: st)
        #expect(a == b && ModelFixtures.bits(a) == ModelFixtures.bits(b))
        #expect(a.network(Reference<Double>.self) == b.network(Reference<Double>.self))
        #expect(a.network(BLAS<Double>.self).layers == model.layers && a.network(BLAS<Double>.self).loss == model.loss)
        // And through the other format once more: JSON → safetensors → load.
        let again = dir.appendingPathComponent("again.safetensors").path
        try a.save(to: again)
        #expect(ModelFixtures.bits(try SavedModel.load(path: again)) == ModelFixtures.bits(model))
    }

    @Test func aNetworkAndItsScalerMakeAModel() throws {
        let network = try Network<BLAS<Double>>(layers: [Layer<Double>.dense(weights: Matrix<Double>([[0.5], [-0.25]]), bias: [0.125], activation: .sigmoid)],
                                        loss: .squaredError)
        let scaler = FeatureScaler(method: .unitRange, offset: [0, 10], scale: [0.5, 0.1])
        let model = try SavedModel(network: network, scaler: scaler, metadata: ["epochs": "1"])
        #expect(model.layers == network.layers && model.loss == .squaredError && model.scaler == scaler)
        #expect(model.network(BLAS<Double>.self) == network)
        #expect(model.inputCount == 2 && model.outputCount == 1)
    }

    /// The hand-written JSON file and the hand-built safetensors container below describe one model.
    @Test func theHandWrittenFilesLoadAsTheSameModel() throws {
        let dir = TestData.temporaryDirectory()
        let json = dir.appendingPathComponent("good.json").path, st = dir.appendingPathComponent("good.safetensors").path
        try Data(ModelFileErrorTests.goodJSON.utf8).write(to: URL(fileURLWithPath: json))
        try ModelFileErrorTests.goodContainer().write(to: st)
        let a = try SavedModel.load(path: json), b = try SavedModel.load(path: st)
        let expected = try SavedModel(
            layers: [Layer<Double>.dense(weights: Matrix<Double>([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]), activation: .sigmoid),
                     Layer<Double>.dense(weights: Matrix<Double>([[0.1], [-0.3]]), bias: [0.2], activation: .sigmoid)],
            loss: .squaredError, scaler: FeatureScaler(method: .standardize, offset: [1, 2, 3], scale: [0.5, 0.25, 2]),
            classNames: ["no", "yes"], metadata: ["epochs": "3"])
        #expect(a == expected)
        #expect(b == expected)
    }

    /// The JSON is for people too: one weight row a line, shortest round-trip numbers, and the
    /// `layers`/`loss` fields of case files, so the case reader takes them as they are.
    @Test func theJSONReadsLikeACaseFile() throws {
        let model = try ModelFixtures.scaledRegression()
        let text = String(decoding: model.encoded(.json), as: UTF8.self)
        #expect(text.contains("\"format\": \"backprop-model\""))
        #expect(text.contains("\"version\": 2,"))
        #expect(text.components(separatedBy: "\"kind\": \"dense\"").count == model.layers.count + 1)
        #expect(text.contains("[0.1, 0.3333333333333333]"))
        #expect(text.contains("[5e-324, -0.0]"))
        #expect(text.contains("\"loss\": \"squared_error\""))
        #expect(text.contains("\"method\": \"standardize\""))
        #expect(text.contains("\"epochs\": \"12\""))
        let asCase = "{\"learning_rate\": 0.5, \"inputs\": [[1, 2, 3]], \"targets\": [[0.5]],\n" + text.dropFirst(2)
        let c = try TrainingCase.parse(Data(asCase.utf8), file: "model-as-case.json")
        #expect(c.layers == model.layers && c.loss == model.loss)
        #expect(c.layers.flatMap { $0.weights.elements.map(\.bitPattern) } == model.layers.flatMap { $0.weights.elements.map(\.bitPattern) })
    }

    @Test func theSafetensorsMetadataDescribesTheModel() throws {
        let model = try ModelFixtures.classifier()
        let st = try SafeTensors.decode(model.encoded(.safetensors), file: "m")
        #expect(st.metadata["format"] == "backprop-model" && st.metadata["version"] == "2")
        #expect(st.metadata["kinds"] == "dense,dense")
        #expect(st.metadata["loss"] == "cross_entropy" && st.metadata["activations"] == "relu,softmax")
        #expect(st.metadata["layout"] == "weights are fan_in x fan_out, row-major; a layer computes f(x @ W + b)")
        #expect(st.metadata["class_names"] == #"["cat", "dog", "naïve \"quoted\" bird"]"#)
        #expect(st.metadata["scaling_method"] == nil)
        #expect(Set(st.tensors.keys) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"])
        #expect(st.tensors["layers.0.weight"]?.shape == [2, 3])
        #expect(st.tensors["layers.0.weight"]?.values == [0.5, -0.25, 1e-5, 0.3, 0.7, -1.1])  // Row-major fan_in × fan_out.

        let scaled = try SafeTensors.decode(try ModelFixtures.scaledRegression().encoded(.safetensors), file: "s")
        #expect(scaled.metadata["scaling_method"] == "standardize" && scaled.metadata["meta.epochs"] == "12")
        #expect(scaled.metadata["epochs"] == nil && scaled.tensors["layers.0.bias"] == nil)
        #expect(scaled.tensors["scaling.scale"]?.shape == [3])
    }

    /// User metadata keys that look like the format's own stay separate from them.
    @Test func userMetadataCannotCollideWithTheFormats() throws {
        var model = try ModelFixtures.bare()
        model.metadata = ["format": "mine", "loss": "x", "meta.nested": "y", "": "empty key"]
        for format in ModelFormat.allCases {
            let back = try SavedModel.decode(model.encoded(format), file: "m.\(format.rawValue)")
            #expect(back.metadata == model.metadata && back.loss == .squaredError, "\(format)")
        }
    }

    @Test func theFormatComesFromTheContentNotTheName() throws {
        let model = try ModelFixtures.scaledRegression()
        let dir = TestData.temporaryDirectory()
        for (name, format) in [("really-safetensors.json", ModelFormat.safetensors), ("really-json.safetensors", .json),
                               ("model.bin", .safetensors), ("model", .json)] {
            let path = dir.appendingPathComponent(name).path
            try model.save(to: path, format: format)
            #expect(ModelFixtures.bits(try SavedModel.load(path: path)) == ModelFixtures.bits(model), "\(name)")
        }
    }

    @Test func anUnknownExtensionNeedsAFormat() throws {
        let path = TestData.temporaryDirectory().appendingPathComponent("model.bin").path
        #expect(throws: ModelError.unknownFormat(path: path)) { try ModelFixtures.bare().save(to: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(ModelFormat(path: "a/B.SafeTensors") == .safetensors && ModelFormat(path: "x.JSON") == .json)
        #expect(ModelFormat(path: "x.npz") == nil && ModelFormat(path: "json") == nil)
    }

    @Test func anUnwritablePathIsAFileWriteError() throws {
        let dir = TestData.temporaryDirectory()
        let file = dir.appendingPathComponent("file").path
        try Data().write(to: URL(fileURLWithPath: file))
        let error = try #require(throws: FileWriteError.self) { try ModelFixtures.bare().save(to: file + "/model.json") }
        #expect(error.reason == .notADirectory)
    }

    @Test func constructionChecksTheModel() throws {
        let good = Layer<Double>.dense(weights: Matrix<Double>([[0.5], [0.25]]), activation: .sigmoid)
        #expect(throws: ModelError.network(.noLayers)) { try SavedModel(layers: [], loss: .squaredError) }
        #expect(throws: ModelError.network(.crossEntropyWithoutSoftmax(activation: .sigmoid))) {
            try SavedModel(layers: [good], loss: .crossEntropy)
        }
        var nan = good
        nan.weights[1, 0] = .nan
        #expect(throws: ModelError.nonFinite(layer: 0, parameter: "weights", index: 1)) { try SavedModel(layers: [nan], loss: .squaredError) }
        var inf = good
        inf.bias = [-.infinity]
        #expect(throws: ModelError.nonFinite(layer: 0, parameter: "bias", index: 0)) { try SavedModel(layers: [inf], loss: .squaredError) }
        #expect(throws: ModelError.scalerFeatures(count: 3, inputs: 2)) {
            try SavedModel(layers: [good], loss: .squaredError, scaler: .identity(featureCount: 3))
        }
        #expect(throws: ModelError.classNames(count: 3, outputs: 1)) {
            try SavedModel(layers: [good], loss: .squaredError, classNames: ["a", "b", "c"])
        }
        #expect(throws: Never.self) { try SavedModel(layers: [good], loss: .squaredError, classNames: ["only"]) }
        #expect(ModelError.nonFinite(layer: 0, parameter: "weights", index: 1).description.contains("not finite"))
    }
}
