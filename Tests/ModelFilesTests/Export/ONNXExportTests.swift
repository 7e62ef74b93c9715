// ONNXExportTests.swift: exported ONNX models pass onnx.checker and ONNX Runtime computes what `backprop predict` computes.
import Backprop
import Datasets
import Foundation
import ModelFiles
import Testing
import TestSupport

/// The exported ONNX models pass `onnx.checker` (full check, with shape inference) and ONNX Runtime
/// computes from them what `backprop predict` computes, in float64 and float32.
/// Needs Python's onnx and onnxruntime (`scripts/setup.sh --python`); fails, saying so, without them.
@Suite struct ONNXExportTests {
    /// Checks the file, runs it on the inputs in `sys.argv[1]`, and prints what the graph declares and computes.
    static let script = """
        import json, sys
        import numpy as np
        import onnx, onnx.checker, onnxruntime as ort
        x = json.load(open(sys.argv[1]))
        path, dtype = sys.argv[2], sys.argv[3]
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        results = session.run(None, {"input": np.array(x, dtype=dtype)})
        graph = model.graph
        print(json.dumps({
            "opset": [[o.domain, o.version] for o in model.opset_import],
            "inputs": [i.name for i in graph.input], "outputs": [o.name for o in graph.output],
            "initializers": {t.name: [int(t.data_type), list(t.dims)] for t in graph.initializer},
            "ops": [n.op_type for n in graph.node],
            "metadata": {p.key: p.value for p in model.metadata_props},
            "results": [r.astype(np.float64).tolist() for r in results],
            "result_types": [str(r.dtype) for r in results]}))
        """

    @Test(arguments: [ONNXProto.ElementType.double, .float])
    func onnxRuntimeComputesWhatPredictComputes(_ type: ONNXProto.ElementType) throws {
        try Python.require(["numpy", "onnx", "onnxruntime"], install: "pip install onnx onnxruntime numpy")
        let tolerance = type == .double ? Tolerance(absolute: 1e-12, relative: 1e-6) : Tolerance(absolute: 1e-7, relative: 1e-5)
        for (name, model) in try ExchangeFixtures.models() {
            let path = TestData.temporaryDirectory().appendingPathComponent("\(name).onnx").path
            try ONNXExport.encoded(model, elementType: type).write(to: URL(fileURLWithPath: path))
            let x = ExchangeFixtures.inputs(model, rows: 9)
            let expected = ExchangeFixtures.predictions(model, x)
            let out = try #require(try Python.json(Self.script, input: ExchangeFixtures.rows(x),
                                                   arguments: [path, type == .double ? "float64" : "float32"]) as? [String: Any])
            let results = try #require(out["results"] as? [Any])
            let probabilities = try #require(results.first as? [[Double]], "\(name)")
            #expect(probabilities.count == 9)
            let got = probabilities.flatMap { $0 }
            #expect(Approximate.firstMismatch(got, expected.elements, tolerance) == nil, "\(name) \(type)")
            #expect(Approximate.isNontrivial(expected.elements))
            #expect((out["result_types"] as? [String])?.first == (type == .double ? "float64" : "float32"))
            #expect((out["opset"] as? [[Any]])?.first?.last as? Int == Int(ONNXExport.opsetVersion))
            #expect(out["inputs"] as? [String] == ["input"])

            let initializers = try #require(out["initializers"] as? [String: [Any]])
            #expect(initializers.values.allSatisfy { $0.first as? Int == Int(type.rawValue) }, "\(name): \(initializers)")
            #expect(initializers["layers.0.weight"]?.last as? [Int] == [model.layers[0].inputCount, model.layers[0].outputCount])
            #expect((initializers["scaling.offset"] != nil) == (model.scaler != nil))
            let metadata = out["metadata"] as? [String: String]
            #expect(metadata?["loss"] == model.loss.rawValue)

            if model.layers.last!.activation == .softmax {
                #expect(out["outputs"] as? [String] == ["probabilities", "class"])
                let classes = try #require(results.last as? [Double])
                #expect(classes.map { Int($0) } == (0..<x.rows).map { expected.argmax(row: $0) })
                #expect(metadata?["class_names"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String] == model.classNames)
            } else {
                #expect(out["outputs"] as? [String] == ["outputs"])
            }
        }
    }

    /// A float32 export holds each parameter rounded to float32: ONNX's own numpy_helper reads them back.
    @Test func parametersAreStoredExactlyInTheirElementType() throws {
        try Python.require(["numpy", "onnx"], install: "pip install onnx numpy")
        let model = try ExchangeFixtures.models()[0].1
        for type in ONNXProto.ElementType.allCases {
            let path = TestData.temporaryDirectory().appendingPathComponent("m.onnx").path
            try ONNXExport.encoded(model, elementType: type).write(to: URL(fileURLWithPath: path))
            let out = try Python.json("""
                import json, sys
                import numpy as np
                import onnx
                from onnx import numpy_helper
                m = onnx.load(sys.argv[2])
                print(json.dumps({t.name: [format(int(b), "016x") for b in numpy_helper.to_array(t).astype(np.float64).reshape(-1).view("<u8")]
                                  for t in m.graph.initializer}))
                """, input: [], arguments: [path]) as? [String: [String]]
            let want = model.layers[0].weights.elements.map { type == .double ? $0 : Double(Float($0)) }
            #expect(out?["layers.0.weight"]?.compactMap { UInt64($0, radix: 16) } == want.map(\.bitPattern), "\(type)")
            let scale = model.scaler!.scale.map { type == .double ? $0 : Double(Float($0)) }
            #expect(out?["scaling.scale"]?.compactMap { UInt64($0, radix: 16) } == scale.map(\.bitPattern), "\(type)")
        }
    }
}
