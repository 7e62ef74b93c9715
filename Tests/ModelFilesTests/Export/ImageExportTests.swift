// ImageExportTests.swift: models with image and leaky ReLU layers exported to ONNX and PyTorch, run by ONNX Runtime and PyTorch, compute what `backprop predict` computes.
import Backprop
import Datasets
import Foundation
import Linalg
import ModelFiles
import Testing
import TestSupport

/// Models with every layer kind (``ExchangeFixtures/imageModels()``: stride 2, padding, several
/// channels, a network without flatten layers, a conv2d under softmax) exported to ONNX and PyTorch.
@Suite struct ImageExportTests {
    /// Checks the ONNX file, feeds it the rows of `sys.argv[1]` shaped as its input declares, prints the results and the graph.
    static let onnxScript = """
        import json, sys
        import numpy as np
        import onnx, onnx.checker, onnxruntime as ort
        x = json.load(open(sys.argv[1]))
        path, dtype = sys.argv[2], sys.argv[3]
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim[1:]]
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        results = session.run(None, {"input": np.array(x, dtype=dtype).reshape([-1] + shape)})
        print(json.dumps({"input_shape": shape, "ops": [n.op_type for n in model.graph.node],
                          "attributes": {n.op_type: {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
                                         for n in model.graph.node if n.op_type in ("Conv", "AveragePool", "LeakyRelu")},
                          "results": [r.astype(np.float64).tolist() for r in results], "result_types": [str(r.dtype) for r in results]},
                         default=lambda v: v.decode() if isinstance(v, bytes) else float(v)))
        """

    /// What `backprop predict` prints for a model of `precision`: the scaled rows through the network in that precision.
    static func predictions(_ model: SavedModel, _ x: Matrix<Double>, _ precision: Precision) -> [Double] {
        guard precision == .float32 else { return ExchangeFixtures.predictions(model, x).elements }
        var scaled = x
        if let scaler = model.scaler {
            for i in 0..<x.rows { for j in 0..<x.columns { scaled[i, j] = scaler.apply(x[i, j], feature: j) } }
        }
        return model.network(BLAS<Float>.self).predict(scaled.converted(to: Float.self)).elements.map(Double.init)
    }

    @Test(arguments: [ONNXProto.ElementType.double, .float])
    func onnxRuntimeComputesWhatPredictComputes(_ type: ONNXProto.ElementType) throws {
        try Python.require(["numpy", "onnx", "onnxruntime"], install: "pip install onnx onnxruntime numpy")
        let precision: Precision = type == .double ? .float64 : .float32
        let tolerance = type == .double ? Tolerance(absolute: 1e-12, relative: 1e-6) : Tolerance(absolute: 1e-7, relative: 1e-5)
        for (name, original) in try ExchangeFixtures.imageModels() {
            let model = try SavedModel(original.definition, precision: precision, scaler: original.scaler, classNames: original.classNames)
            let path = TestData.temporaryDirectory().appendingPathComponent("\(name).onnx").path
            try ONNXExport.encoded(model, elementType: type).write(to: URL(fileURLWithPath: path))
            let x = ExchangeFixtures.inputs(model, rows: 7)
            let expected = Self.predictions(model, x, precision)
            let out = try #require(try Python.json(Self.onnxScript, input: ExchangeFixtures.rows(x),
                                                   arguments: [path, type == .double ? "float64" : "float32"]) as? [String: Any])
            let results = try #require(out["results"] as? [Any])
            let got = try #require(results.first as? [[Double]], "\(name)").flatMap { $0 }
            #expect(got.count == expected.count, "\(name)")
            #expect(Approximate.firstMismatch(got, expected, tolerance) == nil, "\(name) \(type)")
            #expect(Approximate.isNontrivial(expected))
            #expect((out["result_types"] as? [String])?.first == (type == .double ? "float64" : "float32"))
            let ops = out["ops"] as? [String] ?? []
            let attributes = out["attributes"] as? [String: [String: Any]] ?? [:]
            if type == .double {
                // ONNX Runtime has no float64 Conv or AveragePool: the export spells them out.
                #expect(!ops.contains("Conv") && !ops.contains("AveragePool") && (name == "unflattened" || ops.contains("Einsum")), "\(ops)")
            }
            switch (name, type) {
            case ("cnn", .float):
                #expect(ops == ["Sub", "Mul", "Conv", "Tanh", "LeakyRelu", "MaxPool", "Conv", "Relu", "AveragePool", "Flatten", "MatMul", "Add",
                                "Softmax", "ArgMax"], "\(ops)")
                #expect(attributes["Conv"]?["pads"] as? [Int] == [0, 0, 0, 0], "the last Conv has no padding")  // One entry per op type: the last.
                #expect(attributes["AveragePool"]?["count_include_pad"] as? Int == 0)
                #expect((attributes["LeakyRelu"]?["alpha"] as? Double).map { Float($0) } == Float(0.1))
            case ("cnn", _):
                #expect(Set(ops) == ["Sub", "Mul", "Pad", "Slice", "Einsum", "Sum", "Tanh", "LeakyRelu", "MaxPool", "Relu", "Div", "Flatten",
                                     "MatMul", "Add", "Softmax", "ArgMax"], "\(ops)")
            case ("unflattened", .float):
                #expect(ops == ["MatMul", "Add", "Sigmoid", "Reshape", "Conv", "AveragePool", "Flatten", "MatMul", "Add"], "\(ops)")
            case ("conv-softmax", .float):
                #expect(ops == ["Conv", "Flatten", "Softmax", "ArgMax"], "\(ops)")
            default:
                #expect(ops.contains("Reshape") == (name == "unflattened"))
            }
            if name == "cnn" {
                #expect(out["input_shape"] as? [Int] == [2, 7, 6])
                let classes = try #require(results.last as? [Double])
                let rows = Matrix(rows: 7, columns: 3, elements: expected)
                #expect(classes.map { Int($0) } == (0..<7).map { rows.argmax(row: $0) })
            } else if name == "unflattened" {
                #expect(out["input_shape"] as? [Int] == [12])
            }
        }
    }

    /// The first Conv of "cnn" (float32) has stride 2 and padding 1 on every side.
    @Test func theConvAttributesAreWritten() throws {
        try Python.require(["onnx"], install: "pip install onnx")
        let model = try ExchangeFixtures.imageModels()[0].1
        let path = TestData.temporaryDirectory().appendingPathComponent("cnn.onnx").path
        try ONNXExport.encoded(model, elementType: .float).write(to: URL(fileURLWithPath: path))
        let script = """
            import json, sys, onnx
            node = [n for n in onnx.load(sys.argv[2]).graph.node if n.op_type == "Conv"][0]
            print(json.dumps({a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}))
            """
        let out = try #require(try Python.json(script, input: [Int](), arguments: [path]) as? [String: Any])
        #expect(out["kernel_shape"] as? [Int] == [3, 2])
        #expect(out["strides"] as? [Int] == [2, 2])
        #expect(out["pads"] as? [Int] == [1, 1, 1, 1])
        #expect(out["group"] as? Int == 1)
    }

    @Test func theStateDictReadsBackBitForBit() throws {
        for (name, model) in try ExchangeFixtures.imageModels() {
            let st = try SafeTensors.decode(model.torchStateDict(), file: name)
            if name == "cnn" {
                // Conv2d at 0 (then Tanh at 1), LeakyReLU 2, MaxPool2d 3, Conv2d 4 (ReLU 5), AvgPool2d 6, Flatten 7, Linear 8 (Softmax 9).
                #expect(Set(st.tensors.keys) == ["0.weight", "0.bias", "4.weight", "8.weight", "8.bias"])
                #expect(st.tensors["4.weight"]?.shape == [2, 3, 2, 2])
                #expect(st.tensors["8.weight"]?.shape == [3, 2])
            }
            #expect(try SavedModel.decode(model.torchStateDict(), file: "\(name).safetensors") == model, "\(name)")
        }
    }

    /// The code `backprop inspect` prints loads each state dict strictly and predicts what `backprop
    /// predict` predicts: float64 to 1e-10, and a float32 model (F32 tensors) to 1e-5 of the float32 prediction.
    @Test(.enabled(if: Python.torchAvailable, "torch is not importable: pip install torch==2.13.0+cpu (see scripts/setup.sh --python)"),
          arguments: [Precision.float64, .float32])
    func pytorchLoadsStrictlyAndPredictsTheSame(_ precision: Precision) throws {
        for (name, original) in try ExchangeFixtures.imageModels() {
            let model = try SavedModel(original.definition, precision: precision, scaler: original.scaler, classNames: original.classNames)
            let path = TestData.temporaryDirectory().appendingPathComponent("\(name).safetensors").path
            try AtomicFile.write(model.torchStateDict(), to: path)
            let x = ExchangeFixtures.inputs(model, rows: 5)
            let script = TorchStateDict.pytorchCode(model, path: path) + """

                import sys
                x = torch.tensor(json.load(open(sys.argv[1])), dtype=torch.float64)
                with torch.no_grad():
                    y = predict(x)
                print(json.dumps(y.tolist()))
                """
            let out = try #require(try Python.json(script, input: ExchangeFixtures.rows(x)) as? [[Double]], "\(name)")
            let tolerance = precision == .float64 ? Tolerance(absolute: 1e-12, relative: 1e-10) : Tolerance(absolute: 1e-7, relative: 1e-5)
            #expect(Approximate.firstMismatch(out.flatMap { $0 }, Self.predictions(model, x, precision), tolerance) == nil, "\(name) \(precision)")
        }
    }

    /// A state dict whose conv tensor does not fit the layer is refused, naming the tensor and the layer.
    @Test func aWrongConvTensorIsNamed() throws {
        let model = try ExchangeFixtures.imageModels()[0].1
        var st = try SafeTensors.decode(model.torchStateDict(), file: "m")
        st.tensors["4.weight"] = .init(shape: [2, 3, 3, 3], values: [Double](repeating: 0.1, count: 54))
        do {
            _ = try SavedModel.decode(st.encoded(), file: "m.safetensors")
            Issue.record("loaded")
        } catch {
            #expect(error.description.contains(#"header["4.weight"].shape: layer 3 (conv2d): expected [filters, 3, 2, 2]"#), "\(error.description)")
            #expect(error.description.contains("found [2, 3, 3, 3]"), "\(error.description)")
        }
        st = try SafeTensors.decode(model.torchStateDict(), file: "m")
        st.tensors["3.weight"] = .init(shape: [1], values: [0])
        #expect(throws: FileFormatError(file: "m.safetensors", field: "header[\"3.weight\"]",
                                        problem: "unexpected tensor (the model's parameters are in modules 0, 4, 8 of its torch.nn.Sequential)")) {
            try SavedModel.decode(st.encoded(), file: "m.safetensors")
        }
    }
}
