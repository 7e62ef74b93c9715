// ConvolutionFileTests.swift: model JSON files with image layers: a round trip in float64 and float32, the fields as written, bad fields named, and safetensors refusing the kinds it cannot hold.
import ModelFiles
import Backprop
import Foundation
import Linalg
import Testing
import TestSupport

@Suite struct ConvolutionFileTests {
    @Test(arguments: [Precision.float64, .float32])
    func aModelOfEveryImageKindRoundTripsThroughJSON(precision: Precision) throws {
        let model = try SavedModel(layers: ConvolutionFixtures.layers(seed: 3), loss: .crossEntropy, precision: precision)
        let path = TestData.temporaryDirectory().appendingPathComponent("conv.json").path
        try model.save(to: path)
        let loaded = try SavedModel.load(path: path)
        #expect(loaded == model)
        #expect(loaded.layers.map(\.kindName) == ["conv2d", "maxpool2d", "conv2d", "avgpool2d", "flatten", "dense"])
        // The same network computes the same outputs after the trip (float64: bit for bit).
        let (x, _) = ConvolutionFixtures.batch(2, seed: 4)
        #expect(loaded.network(BLAS<Double>.self).predict(x) == model.network(BLAS<Double>.self).predict(x))
    }

    @Test func theFieldsAreWrittenAsSpecified() throws {
        let model = try SavedModel(layers: ConvolutionFixtures.layers(seed: 3), loss: .crossEntropy)
        let path = TestData.temporaryDirectory().appendingPathComponent("conv.json").path
        try model.save(to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for expected in ["\"kind\": \"conv2d\",\n      \"input_shape\": [2, 7, 5],\n      \"kernel\": [3, 3],\n      \"stride\": [2, 2],\n      \"padding\": [1, 1],\n      \"weights\": [",
                         "\"kind\": \"maxpool2d\",\n      \"input_shape\": [3, 4, 3],\n      \"window\": [2, 2],\n      \"stride\": [1, 1]\n    }",
                         "\"kind\": \"avgpool2d\",\n      \"input_shape\": [4, 4, 3],\n      \"window\": [2, 3],\n      \"stride\": [2, 1]\n    }",
                         "\"kind\": \"flatten\",\n      \"input_shape\": [4, 2, 1]\n    }", "\"activation\": \"relu\"", "\"activation\": \"tanh\""] {
            #expect(text.contains(expected), "missing: \(expected)")
        }
        // Conv weights are F rows of C·kh·kw: the first layer's 3 rows of 18 numbers.
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let layers = root["layers"] as? [[String: Any]], let w = layers[0]["weights"] as? [[Double]] else {
            Issue.record("unexpected JSON")
            return
        }
        #expect(w.count == 3 && w.allSatisfy { $0.count == 18 })
    }

    /// Hand-edited files: each bad field is named.
    @Test func badImageFieldsAreNamed() throws {
        let conv = """
            {"kind": "conv2d", "input_shape": [1, 4, 4], "kernel": [2, 2], "stride": [1, 1], "padding": [0, 0],
             "weights": [[1, 2, 3, 4]], "bias": null, "activation": "relu"}
            """
        let cases: [(String, String)] = [
            (conv.replacingOccurrences(of: "[[1, 2, 3, 4]]", with: "[[1, 2, 3]]"), "layers[0].weights[0]: expected 4 numbers (C·kh·kw of input_shape and kernel), found 3"),
            (conv.replacingOccurrences(of: "\"kernel\": [2, 2]", with: "\"kernel\": [2.5, 2]"), "layers[0].kernel[0]: expected an integer size, found 2.5"),
            (conv.replacingOccurrences(of: "\"stride\": [1, 1], ", with: ""), "layers[0].stride: missing field"),
            (conv.replacingOccurrences(of: "\"bias\": null", with: "\"bias\": [1, 2]"), "layers[0].bias: expected 1 numbers (one per filter, a weight row each), found 2"),
            (conv.replacingOccurrences(of: "\"input_shape\": [1, 4, 4]", with: "\"input_shape\": [1, 1, 4]"), "layer 0 (conv2d): window 2×2 is larger than the padded input 1×4"),
            // Sizes no data in the file backs are bounded before anything is computed or allocated from them.
            ("{\"kind\": \"flatten\", \"input_shape\": [100000, 100000, 100]}",
             "layers[0].input_shape: an input of 100000×100000×100 values is more than a layer read from a file may have (16777216)"),
            (conv.replacingOccurrences(of: "\"kernel\": [2, 2]", with: "\"kernel\": [2000000000, 2000000000]"),
             "layers[0].kernel: a patch of 1×2000000000×2000000000 values is more than a layer read from a file may have"),
            // (4 + 2·3000 − 2)/1 + 1 = 6003 positions a side.
            (conv.replacingOccurrences(of: "\"padding\": [0, 0]", with: "\"padding\": [3000, 3000]"),
             "layers[0].padding: output positions × patch of 6003×6003×1×2×2 values is more than a layer read from a file may have"),
            (conv.replacingOccurrences(of: "\"input_shape\": [1, 4, 4]", with: "\"input_shape\": [-1, 4, 4]"), "layers[0].input_shape[0]: expected a size of at least 0, found -1"),
            ("{\"kind\": \"leaky_relu\", \"features\": 1000000000, \"slope\": 0.1}",
             "layers[0].features: features of 1000000000 values is more than a layer read from a file may have"),
        ]
        for (layer, message) in cases {
            let text = "{\"format\": \"backprop-model\", \"version\": 2, \"loss\": \"squared_error\", \"layers\": [\(layer)]}"
            let path = TestData.temporaryDirectory().appendingPathComponent("bad.json").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            do {
                _ = try SavedModel.load(path: path)
                Issue.record("loaded: \(layer)")
            } catch {
                #expect(error.description.contains(message), "\(error.description)")
            }
        }
    }

    /// A safetensors file whose kinds list an image layer without its settings is refused, not read as dense layers.
    @Test func safetensorsNeedsTheSettingsOfImageKinds() throws {
        let dense = try SavedModel(layers: [.dense(weights: Matrix([[0.5, 1], [2, 3]]), activation: .identity)], loss: .squaredError)
        var container = try SafeTensors.decode(dense.encoded(.safetensors), file: "dense")
        container.metadata["kinds"] = "conv2d"
        let path = TestData.temporaryDirectory().appendingPathComponent("conv.safetensors").path
        try container.encoded().write(to: URL(fileURLWithPath: path))
        #expect(throws: FileFormatError.self) { try SavedModel.load(path: path) }
        do { _ = try SavedModel.load(path: path) } catch {
            #expect(error.description.contains(#"header["__metadata__"]["layer_settings"]: missing field (layer 0 is conv2d, whose settings it holds)"#),
                    "\(error.description)")
        }
    }
}
