// TorchStateDictTests.swift: models exported as PyTorch state dicts.
import Backprop
import ModelFiles
import Datasets
import Foundation
import Testing
import TestSupport

/// Models exported as PyTorch state dicts: read back here bit for bit, laid out as safetensors'
/// NumPy reader sees them, and (when torch is importable) loaded strictly into the
/// `torch.nn.Sequential` the file describes, predicting what `backprop predict` predicts, and saved
/// back by PyTorch in float32 to be read here again.
@Suite struct TorchStateDictTests {
    /// Whether Python can import torch (`pip install torch==2.13.0+cpu`; `make test` says when it cannot).

    @Test func readsBackBitForBit() throws {
        for (name, model) in try ExchangeFixtures.models() {
            let loaded = try SavedModel.decode(model.torchStateDict(), file: "\(name).safetensors")
            #expect(loaded == model, "\(name)")
        }
    }

    @Test func safetensorsSeesTheTorchLayout() throws {
        try Python.requireSafetensors()
        let model = try ExchangeFixtures.models()[1].1  // 3 → 4 → 4 (no bias) → 2, scaled.
        let path = TestData.temporaryDirectory().appendingPathComponent("torch.safetensors").path
        try AtomicFile.write(model.torchStateDict(), to: path)
        let loaded = try Python.loadSafetensors(path)
        #expect(Set(loaded.tensors.keys) == ["0.weight", "0.bias", "2.weight", "4.weight", "4.bias"])
        for (l, layer) in model.layers.enumerated() {
            let w = try #require(loaded.tensors["\(2 * l).weight"])
            #expect(w.shape == [layer.outputCount, layer.inputCount])
            // Element [o][i] of PyTorch's weight is element [i][o] of ours.
            let transposed = (0..<layer.outputCount).flatMap { o in (0..<layer.inputCount).map { i in layer.weights[i, o].bitPattern } }
            #expect(w.bits == transposed, "layer \(l)")
        }
        #expect(loaded.metadata["activations"] == "sigmoid,tanh,identity")
        #expect(loaded.metadata["scaling_offset"] == "[-1.0, 0.0, 3.0]")
    }

    @Test func wrongShapesAreNamedInTheTorchLayout() throws {
        let model = try ExchangeFixtures.models()[0].1
        var st = try SafeTensors.decode(model.torchStateDict(), file: "m")
        st.tensors["2.weight"] = .init(shape: [3, 4], values: [Double](repeating: 0, count: 12))
        #expect(throws: FileFormatError(file: "m.safetensors", field: "header[\"2.weight\"].shape",
                                        problem: "fan_in 4 (the second dimension), but layer 0 has 5 outputs")) {
            try SavedModel.decode(st.encoded(), file: "m.safetensors")
        }
        st = try SafeTensors.decode(model.torchStateDict(), file: "m")
        st.tensors["1.weight"] = .init(shape: [1], values: [0])
        #expect(throws: FileFormatError(file: "m.safetensors", field: "header[\"1.weight\"]",
                                        problem: "unexpected tensor (the model's parameters are in modules 0, 2 of its torch.nn.Sequential)")) {
            try SavedModel.decode(st.encoded(), file: "m.safetensors")
        }
    }

    @Test(.enabled(if: Python.torchAvailable, "torch is not importable: pip install torch==2.13.0+cpu (see scripts/setup.sh --python)"))
    func pytorchLoadsStrictlyPredictsTheSameAndSavesBack() throws {
        for (name, model) in try ExchangeFixtures.models() {
            let folder = TestData.temporaryDirectory()
            let path = folder.appendingPathComponent("\(name).safetensors").path
            let back = folder.appendingPathComponent("\(name)-float32.safetensors").path
            try AtomicFile.write(model.torchStateDict(), to: path)
            let x = ExchangeFixtures.inputs(model, rows: 6)
            // The code `backprop inspect` prints, run as it is, then PyTorch saves the weights back in float32.
            let script = TorchStateDict.pytorchCode(model, path: path) + """

                import sys
                from safetensors.torch import save_file
                x = torch.tensor(json.load(open(sys.argv[1])), dtype=torch.float64)
                with torch.no_grad():
                    y = predict(x)
                with safe_open(\(String(reflecting: path)), framework="pt") as f:
                    metadata = f.metadata()
                save_file({k: v.float() for k, v in model.state_dict().items()}, sys.argv[2], metadata=metadata)
                print(json.dumps(y.tolist()))
                """
            let out = try #require(try Python.json(script, input: ExchangeFixtures.rows(x), arguments: [back]) as? [[Double]])
            let expected = ExchangeFixtures.predictions(model, x)
            #expect(Approximate.firstMismatch(out.flatMap { $0 }, expected.elements, Tolerance(absolute: 1e-12, relative: 1e-9)) == nil, "\(name)")

            let reloaded = try SavedModel.load(path: back)
            for (l, layer) in model.layers.enumerated() {
                #expect(reloaded.layers[l].weights.elements == layer.weights.elements.map { Double(Float($0)) }, "\(name) layer \(l)")
                #expect(reloaded.layers[l].bias == layer.bias.map { $0.map { Double(Float($0)) } }, "\(name) layer \(l)")
                #expect(reloaded.layers[l].activation == layer.activation)
            }
            #expect(reloaded.scaler == model.scaler && reloaded.classNames == model.classNames && reloaded.loss == model.loss)
        }
    }
}
