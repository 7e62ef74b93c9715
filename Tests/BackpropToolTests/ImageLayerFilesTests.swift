// ImageLayerFilesTests.swift: a `train --layers` conv network through every file: checkpoints killed and resumed to the same bits, a safetensors save, the ONNX and PyTorch exports run by ONNX Runtime and PyTorch, and `--init-from` of the state dict.
import Backprop
import Foundation
import ModelFiles
import Testing
import TestSupport

@Suite(.serialized) struct ImageLayerFilesTests {
    static let layers = "conv 3 3x3 pad 1, relu, maxpool 2, conv 2 2x2 stride 1 nobias, tanh, avgpool 2, flatten, dense 2, softmax"

    /// 96 random 1×6×6 images in 2 classes (whether the left half is brighter) as CSV, 36 features and a label.
    static func makeImages(_ folder: String) throws -> String {
        var rng = SeededGenerator(seed: 6)
        var lines = [((0..<36).map { "p\($0)" } + ["label"]).joined(separator: ",")]
        for _ in 0..<96 {
            let x = Matrix<Double>.randomUniform(rows: 1, columns: 36, in: 0..<1, using: &rng).elements
            let left = (0..<36).filter { $0 % 6 < 3 }.reduce(0.0) { $0 + x[$1] }
            lines.append((x.map { String($0) } + [left > x.reduce(0, +) - left ? "1" : "0"]).joined(separator: ","))
        }
        let path = folder + "/images.csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Tool.Output {
        let out = try Tool.run(arguments, environment: environment)
        #expect(out.status == 0, "backprop \(arguments.joined(separator: " ")): \(out.standardError)")
        return out
    }

    /// A conv run with a checkpoint every epoch, TensorBoard logs and a dropout word, killed in epoch 3
    /// (step 15 of 6 a epoch) and resumed, ends with the bits of the run that was never killed (the
    /// checkpoint keeps the per-layer rates); both save to safetensors.
    @Test(arguments: ["float64", "float32"])
    func aKilledConvRunResumesToTheSameWeights(_ precision: String) throws {
        let d = TestData.temporaryDirectory().path
        let data = try Self.makeImages(d)
        let layers = Self.layers.replacingOccurrences(of: "flatten,", with: "flatten, dropout 0.25,")
        let options = ["train", "--data", data, "--layers", layers, "--input-shape", "1x6x6", "--precision", precision,
                       "--epochs", "4", "--batch-size", "16", "--validation-fraction", "0", "--threads", "1",
                       "--checkpoint-every", "1"]
        _ = try Self.run(options + ["--checkpoint", "\(d)/a.ckpt", "--save", "\(d)/whole.safetensors", "--log-dir", "\(d)/runs"])
        #expect(FileManager.default.fileExists(atPath: "\(d)/runs"), "TensorBoard logs a conv run")

        let killed = try Tool.run(options + ["--checkpoint", "\(d)/b.ckpt"], environment: ["BACKPROP_TEST_DIE_AT_STEP": "0:15"])
        #expect(killed.status != 0)
        let checkpoint = try Checkpoint.load(path: "\(d)/b.ckpt")
        #expect(checkpoint.history.count == 2 && checkpoint.layers.map(\.kindName) == ["conv2d", "maxpool2d", "conv2d", "avgpool2d", "flatten", "dense"])
        #expect(checkpoint.configuration.dropout == DropoutRates(perLayer: [0, 0, 0, 0, 0.25, 0]))

        _ = try Self.run(["train", "--resume", "\(d)/b.ckpt", "--save", "\(d)/resumed.safetensors"])
        let a = try SavedModel.load(path: "\(d)/whole.safetensors"), b = try SavedModel.load(path: "\(d)/resumed.safetensors")
        let bits = { (m: SavedModel) in parameterBits(m.layers) }
        #expect(bits(a) == bits(b), "\(precision)")
        #expect(a.layers.map(\.kindName) == b.layers.map(\.kindName) && a.precision.rawValue == precision)
    }

    /// The saved conv model exported to ONNX (float64 and float32) computes in ONNX Runtime what
    /// `backprop predict` prints; exported for PyTorch, the code `inspect` prints loads it strictly and
    /// predicts the same; and `train --init-from` takes that state dict for the same `--layers`, and
    /// refuses other layers by naming the layer and both shapes.
    @Test func theExportsComputeWhatPredictComputes() throws {
        try Python.require(["numpy", "onnx", "onnxruntime"], install: "pip install numpy onnx onnxruntime")
        let d = TestData.temporaryDirectory().path
        let data = try Self.makeImages(d)
        let train = ["train", "--data", data, "--input-shape", "1x6x6", "--precision", "float64", "--validation-fraction", "0", "--threads", "1"]
        _ = try Self.run(train + ["--layers", Self.layers, "--epochs", "2", "--save", "\(d)/m.safetensors"])
        _ = try Self.run(["predict", "\(d)/m.safetensors", data, "--label-column", "label", "--output", "\(d)/p.npy"])
        _ = try Self.run(["export", "\(d)/m.safetensors", "--format", "onnx", "--output", "\(d)/m.onnx"])
        _ = try Self.run(["export", "\(d)/m.safetensors", "--format", "onnx", "--precision", "float32", "--output", "\(d)/m32.onnx"])
        let report = try Python.run("""
            import sys
            import numpy as np
            import onnx, onnxruntime as ort
            d, data = sys.argv[1], sys.argv[2]
            x = np.loadtxt(data, delimiter=",", skiprows=1)[:, :-1]
            p = np.load(d + "/p.npy")
            for name, dtype, tol in [("m.onnx", np.float64, 1e-6), ("m32.onnx", np.float32, 1e-5)]:
                model = onnx.load(d + "/" + name)
                onnx.checker.check_model(model, full_check=True)
                assert [v.dim_value for v in model.graph.input[0].type.tensor_type.shape.dim[1:]] == [1, 6, 6]
                s = ort.InferenceSession(d + "/" + name, providers=["CPUExecutionProvider"])
                probabilities, classes = s.run(None, {"input": x.reshape(-1, 1, 6, 6).astype(dtype)})
                err = np.max(np.abs(probabilities - p) / np.maximum(np.abs(p), 1e-12))
                assert err <= tol, (name, err)
                assert (classes == p.argmax(axis=1)).all(), name
            print("ok")
            """, [d, data])
        #expect(report.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")

        _ = try Self.run(["export", "\(d)/m.safetensors", "--format", "torch", "--output", "\(d)/m.torch.safetensors"])
        if Python.torchAvailable {
            let inspect = try Self.run(["inspect", "\(d)/m.torch.safetensors"]).standardOutput
            let code = try #require(inspect.components(separatedBy: "(this file is a state dict):\n").last)
            let python = code.split(separator: "\n", omittingEmptySubsequences: false).map { $0.dropFirst(2) }.joined(separator: "\n")
            let out = try Python.run(python + """

                import sys
                import numpy as np
                x = torch.from_numpy(np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)[:, :-1])
                with torch.no_grad():
                    y = predict(x).numpy()
                p = np.load(sys.argv[1] + "/p.npy")
                print(np.max(np.abs(y - p) / np.maximum(np.abs(p), 1e-12)) <= 1e-10)
                """, [d, data])
            #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "True", "\(inspect)")
        }

        // --init-from the state dict with the same --layers: a step of 1e-12 leaves the weights where they were.
        _ = try Self.run(train + ["--layers", Self.layers, "--init-from", "\(d)/m.torch.safetensors", "--epochs", "1", "--optimizer", "sgd",
                                  "--learning-rate", "1e-12", "--dropout", "0", "--save", "\(d)/again.json"])
        let before = try SavedModel.load(path: "\(d)/m.safetensors"), after = try SavedModel.load(path: "\(d)/again.json")
        for l in before.layers.indices {
            #expect(Approximate.firstMismatch(after.layers[l].weights.elements, before.layers[l].weights.elements,
                                              Tolerance(absolute: 1e-9, relative: 0)) == nil, "layer \(l)")
        }
        let other = try Tool.run(train + ["--layers", Self.layers.replacingOccurrences(of: "conv 3 3x3", with: "conv 4 3x3"),
                                          "--init-from", "\(d)/m.torch.safetensors", "--epochs", "1"])
        #expect(other.status != 0)
        #expect(other.standardError.contains("layer 0: the model has conv2d weights [out, in, kh, kw] [3, 1, 3, 3] over 1×6×6, kernel 3×3, stride 1×1, padding 1×1, bias, relu; "
                                             + "--layers gives conv2d weights [out, in, kh, kw] [4, 1, 3, 3]"), "\(other.standardError)")
    }
}
