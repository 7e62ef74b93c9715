// InterchangeCommandTests.swift: the four round trips through the `backprop` tool, each checked by the outside reader.
import Backprop
import ModelFiles
import Foundation
import Testing
import TestSupport

/// The four round trips through the `backprop` tool, each checked by the outside reader:
/// NumPy data in, TensorBoard's EventAccumulator on the logs, ONNX Runtime on the export against
/// `predict --output`, and PyTorch (when importable) on the state dict, which comes back through
/// `evaluate`, `predict` and `train --init-from`.
@Suite(.serialized) struct InterchangeCommandTests {
    static func run(_ arguments: [String]) throws -> String {
        let out = try Tool.run(arguments)
        guard out.status == 0 else {
            throw Python.Failure(description: "backprop \(arguments.joined(separator: " ")) failed: \(out.standardError)")
        }
        return out.standardOutput
    }

    /// Three Gaussian blobs in 4 dimensions, as float32 features and int64 labels.
    static func makeData(_ folder: String) throws {
        _ = try Python.run("""
            import sys
            import numpy as np
            rng = np.random.default_rng(5)
            def blobs(n):
                y = rng.integers(0, 3, n)
                x = rng.normal(size=(n, 4)) + 3 * np.eye(3, 4)[y] + 10
                return x.astype(np.float32), y
            x, y = blobs(240)
            np.savez_compressed(sys.argv[1] + "/train.npz", x=x, y=y)
            tx, ty = blobs(60)
            np.save(sys.argv[1] + "/test-x.npy", tx); np.save(sys.argv[1] + "/test-y.npy", ty)
            np.savez(sys.argv[1] + "/test.npz", features=tx, labels=ty)
            """, [folder])
    }

    @Test func numpyDataTensorBoardLogsONNXAndPyTorchRoundTrips() throws {
        try Python.require(["numpy", "onnx", "onnxruntime", "tensorboard"], install: "pip install numpy onnx onnxruntime tensorboard")
        let d = TestData.temporaryDirectory().path
        try Self.makeData(d)
        let train = try Self.run(["train", "--precision", "float64", "--data", "\(d)/train.npz", "--test-data", "\(d)/test-x.npy", "--test-labels", "\(d)/test-y.npy",
                                  "--hidden", "6", "--epochs", "3", "--patience", "0", "--batch-size", "20", "--threads", "1",
                                  "--learning-rate", "0.01", "--schedule", "constant", "--validation-fraction", "0.1", "--log-dir", "\(d)/runs", "--run-name", "first", "--log-gradients",
                                  "--save", "\(d)/m.safetensors"])
        let accuracy = try #require(train.firstMatch(of: /test accuracy ([0-9.]+)%/)?.1, "\(train)")
        #expect(Double(accuracy)! > 80, "\(train)")

        // TensorBoard's reader sees every figure of every epoch, and the test metrics.
        let scalars = try #require(try Python.json("""
            import json, sys
            from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
            ea = EventAccumulator(sys.argv[2]); ea.Reload()
            print(json.dumps({t: [[e.step, e.value] for e in ea.Scalars(t)] for t in ea.Tags()["scalars"]}))
            """, input: [], arguments: ["\(d)/runs/first"]) as? [String: [[Double]]])
        for tag in ["loss/training", "accuracy/training", "loss/validation", "accuracy/validation", "learning_rate",
                    "gradient_norm/layer_0", "gradient_norm/layer_1"] {
            #expect(scalars[tag]?.map { Int($0[0]) } == [1, 2, 3], "\(tag): \(scalars[tag] ?? [])")
        }
        #expect(scalars["learning_rate"]?.allSatisfy { Float($0[1]) == Float(0.01) } == true)
        let testAccuracy = try #require(scalars["accuracy/test"]?.first)
        #expect(testAccuracy[0] == 3 && String(format: "%.2f", 100 * testAccuracy[1]) == accuracy)
        #expect(scalars["loss/test"]?.count == 1)

        // predict --output writes what ONNX Runtime computes from the export, in float64 and float32.
        _ = try Self.run(["predict", "\(d)/m.safetensors", "\(d)/test.npz", "--features-key", "features", "--output", "\(d)/p.npy"])
        _ = try Self.run(["predict", "\(d)/m.safetensors", "\(d)/test-x.npy", "--output", "\(d)/p.csv"])
        _ = try Self.run(["export", "\(d)/m.safetensors", "--format", "onnx", "--output", "\(d)/m.onnx"])
        _ = try Self.run(["export", "\(d)/m.safetensors", "--format", "onnx", "--precision", "float32", "--output", "\(d)/m32.onnx"])
        let report = try Python.run("""
            import sys
            import numpy as np
            import onnx, onnxruntime as ort
            d = sys.argv[1]
            x = np.load(d + "/test-x.npy")
            p = np.load(d + "/p.npy")
            csv = np.loadtxt(d + "/p.csv", delimiter=",", skiprows=1)
            for name, dtype, tol in [("m.onnx", np.float64, 1e-6), ("m32.onnx", np.float32, 1e-5)]:
                onnx.checker.check_model(onnx.load(d + "/" + name), full_check=True)
                s = ort.InferenceSession(d + "/" + name, providers=["CPUExecutionProvider"])
                probabilities, classes = s.run(None, {"input": x.astype(dtype)})
                assert probabilities.dtype == dtype
                err = np.max(np.abs(probabilities - p) / np.maximum(np.abs(p), 1e-12))
                assert err <= tol, (name, err)
                assert (classes == p.argmax(axis=1)).all(), name
            assert p.shape == (60, 3) and (csv == p).all()
            print("ok")
            """, [d])
        #expect(report.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")

        // The torch layout reads back: the same predictions bit for bit and the same evaluation.
        _ = try Self.run(["export", "\(d)/m.safetensors", "--format", "torch", "--output", "\(d)/m.torch.safetensors"])
        _ = try Self.run(["predict", "\(d)/m.torch.safetensors", "\(d)/test-x.npy", "--output", "\(d)/p-torch.npy"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(d)/p-torch.npy")) == Data(contentsOf: URL(fileURLWithPath: "\(d)/p.npy")))
        let evaluate = try Self.run(["evaluate", "\(d)/m.torch.safetensors", "--data", "\(d)/test.npz",
                                     "--features-key", "features", "--labels-key", "labels"])
        #expect(evaluate.contains("accuracy \(accuracy)%"), "\(evaluate)")

        // train --init-from starts from the file's weights: a step of 1e-12 leaves them where they were.
        _ = try Self.run(["train", "--precision", "float64", "--init-from", "\(d)/m.torch.safetensors", "--data", "\(d)/train.npz", "--epochs", "1",
                          "--optimizer", "sgd", "--learning-rate", "1e-12", "--dropout", "0", "--threads", "1",
                          "--save", "\(d)/again.json"])
        let before = try SavedModel.load(path: "\(d)/m.safetensors"), after = try SavedModel.load(path: "\(d)/again.json")
        #expect(after.scaler == before.scaler)
        for l in before.layers.indices {
            let tolerance = Tolerance(absolute: 1e-9, relative: 0)
            #expect(Approximate.firstMismatch(after.layers[l].weights.elements, before.layers[l].weights.elements, tolerance) == nil)
        }
    }

    @Test(.enabled(if: Python.torchAvailable, "torch is not importable: pip install torch==2.13.0+cpu (see scripts/setup.sh --python)"))
    func theCodeInspectPrintsLoadsTheExportInPyTorch() throws {
        let d = TestData.temporaryDirectory().path
        try Self.makeData(d)
        _ = try Self.run(["train", "--precision", "float64", "--data", "\(d)/train.npz", "--hidden", "5", "--epochs", "1", "--threads", "1",
                          "--save", "\(d)/m.json"])
        _ = try Self.run(["export", "\(d)/m.json", "--format", "torch", "--output", "\(d)/m.safetensors"])
        _ = try Self.run(["predict", "\(d)/m.json", "\(d)/test-x.npy", "--output", "\(d)/p.npy"])
        let inspect = try Self.run(["inspect", "\(d)/m.safetensors"])
        let code = try #require(inspect.components(separatedBy: "(this file is a state dict):\n").last)
        let python = code.split(separator: "\n", omittingEmptySubsequences: false).map { $0.dropFirst(2) }.joined(separator: "\n")
        let out = try Python.run(python + """

            import sys
            import numpy as np
            x = torch.from_numpy(np.load(sys.argv[1] + "/test-x.npy").astype(np.float64))
            with torch.no_grad():
                y = predict(x).numpy()
            p = np.load(sys.argv[1] + "/p.npy")
            print(np.max(np.abs(y - p) / np.maximum(np.abs(p), 1e-12)) <= 1e-9)
            """, [d])
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "True")
    }

    @Test func badExportPredictAndLogOptionsAreClearErrors() throws {
        let d = TestData.temporaryDirectory().path
        let model = "\(d)/m.json"
        try SavedModel(layers: [Layer<Double>.dense(weights: Matrix<Double>([[1], [2]]), activation: .identity)], loss: .squaredError).save(to: model)
        let cases: [([String], String)] = [
            (["export", model, "--format", "onnx", "--output", "\(d)/m.txt"], "Error: --output \(d)/m.txt: an ONNX export is written to a .onnx file"),
            (["export", model, "--format", "torch", "--output", "\(d)/m.onnx"], "Error: --output \(d)/m.onnx: a torch export is written to a .safetensors file"),
            (["export", model, "--format", "onnx", "--output", "/nonexistent/m.onnx"], "Error: --output /nonexistent/m.onnx: the folder /nonexistent does not exist"),
            (["predict", model, "\(d)/x.npy", "--output", "\(d)/p.txt"], "Error: --output \(d)/p.txt: the file name must end in .npy or .csv"),
            (["train", "--data", "\(d)/x.npy"], "Error: --data \(d)/x.npy is read as a .npy array of features, which needs --labels FILE (or give a .csv or .npz file)"),
            (["train", "--data", "\(d)/t.csv", "--features-key", "a"], "Error: --features-key a: only a .npz archive in --data or --test-data has named arrays"),
            (["train", "--data", "\(d)/d.npz", "--labels", "\(d)/y.npy"],
             "Error: --labels \(d)/y.npy: only IDX images or a .npy array in --data take a labels file; --data \(d)/d.npz is a .npz archive, whose labels are an array (--labels-key)"),
            (["predict", model, "\(d)/x.npy", "--features-key", "a"], "Error: --features-key a: only a .npz INPUT has named arrays"),
            (["train", "--init-from", model, "--hidden", "3"],
             "Error: --init-from \(model): --hidden cannot be used with --init-from: the saved model fixes the architecture and the input scaling"),
            (["train", "--run-name", "a"], "Error: --run-name needs --log-dir"),
            (["train", "--log-dir", d, "--run-name", "a/b"], "Error: --run-name a/b: a run name is one folder name (no '/')"),
        ]
        for (arguments, message) in cases {
            let out = try Tool.run(arguments)
            #expect(out.status != 0 && out.standardError.hasPrefix(message), "\(arguments): \(out.standardError)")
        }
    }
}
