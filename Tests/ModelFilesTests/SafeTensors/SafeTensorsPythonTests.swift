// SafeTensorsPythonTests.swift: files agree with Python's `safetensors` package, bit for bit, in both directions.
import Backprop
import ModelFiles
import Datasets
import Foundation
import Testing
import TestSupport

/// Files agree with Python's `safetensors` package, bit for bit, in both directions.
/// Needs `pip install safetensors numpy`; without it these tests fail and say so.
@Suite struct SafeTensorsPythonTests {
    @Test func pythonReadsTheModelsWeSave() throws {
        try Python.requireSafetensors()
        let model = try ModelFixtures.scaledRegression()
        let path = TestData.temporaryDirectory().appendingPathComponent("model.safetensors").path
        try model.save(to: path)
        let loaded = try Python.loadSafetensors(path)

        let expected: [String: (shape: [Int], values: [Double])] = [
            "layers.0.weight": ([3, 2], [0.1, 1.0 / 3.0, Double.leastNonzeroMagnitude, -0.0, 1e300, -1e-300]),
            "layers.1.weight": ([2, 1], [2.0 / 3.0, -.pi]),
            "layers.1.bias": ([1], [-0.0]),
            "scaling.offset": ([3], [0.1, -0.0, 1e300]),
            "scaling.scale": ([3], [1.0 / 3.0, Double.leastNonzeroMagnitude, 7]),
        ]
        #expect(Set(loaded.tensors.keys) == Set(expected.keys))
        for (name, want) in expected {
            let got = try #require(loaded.tensors[name], "\(name) missing in Python")
            #expect(got.dtype == "float64" && got.shape == want.shape, "\(name)")
            #expect(got.bits == want.values.map(\.bitPattern), "\(name)")
        }
        #expect(loaded.metadata["format"] == "backprop-model" && loaded.metadata["activations"] == "tanh,identity")
        #expect(loaded.metadata["loss"] == "squared_error" && loaded.metadata["scaling_method"] == "standardize")
        #expect(loaded.metadata["meta.epochs"] == "12" && loaded.metadata["meta.created_by"] == "ModelFileTests")
    }

    @Test func pythonReadsAnyContainerWeWrite() throws {
        try Python.requireSafetensors()
        let values: [Double] = [.nan, .infinity, -.infinity, -0.0, 0x1p-1074, 0x1.fffffffffffffp+1023]
        let st = SafeTensors(tensors: ["odd": .init(shape: [2, 1, 3], values: values), "scalar": .init(shape: [], values: [0.1]),
                                       "empty": .init(shape: [0], values: [])],
                             metadata: ["ünïcode": "ok"])
        let path = TestData.temporaryDirectory().appendingPathComponent("c.safetensors").path
        try st.write(to: path)
        let loaded = try Python.loadSafetensors(path)
        #expect(loaded.metadata == ["ünïcode": "ok"])
        #expect(loaded.tensors["odd"]?.shape == [2, 1, 3] && loaded.tensors["odd"]?.bits == values.map(\.bitPattern))
        #expect(loaded.tensors["scalar"]?.shape == [] && loaded.tensors["scalar"]?.bits == [(0.1).bitPattern])
        #expect(loaded.tensors["empty"]?.shape == [0] && loaded.tensors["empty"]?.bits == [])
    }

    /// A model file made by NumPy, partly in float32 (as PyTorch users often save), loads exactly:
    /// each float32 is the nearest float32 to the double given, widened without change.
    @Test func weLoadAModelPythonWrote() throws {
        try Python.requireSafetensors()
        let path = TestData.temporaryDirectory().appendingPathComponent("numpy.safetensors").path
        _ = try Python.run("""
            import sys
            import numpy as np
            from safetensors.numpy import save_file
            save_file({
                "layers.0.weight": np.array([[0.1, -0.5], [1/3, 2.0], [0.25, -0.0]], dtype=np.float32),
                "layers.0.bias": np.array([0.5, -1.5], dtype=np.float32),
                "layers.1.weight": np.array([[1/3], [-2.0]], dtype=np.float64),
            }, sys.argv[1], metadata={"format": "backprop-model", "version": "1", "loss": "squared_error",
                                      "activations": "tanh,identity", "meta.source": "numpy"})
            """, [path])
        let model = try SavedModel.load(path: path)
        let w0: [Double] = [0.1, -0.5, 1.0 / 3.0, 2.0, 0.25, -0.0].map { Double(Float($0)) }
        #expect(model.layers.count == 2 && model.layers[0].activation == .tanh && model.layers[1].activation == .identity)
        #expect(model.layers[0].weights.rows == 3 && model.layers[0].weights.columns == 2)
        #expect(model.layers[0].weights.elements.map(\.bitPattern) == w0.map(\.bitPattern))
        #expect(model.layers[0].weights.elements[0] != 0.1)  // Really float32: 0.1 is not a float32.
        #expect(model.layers[0].bias == [0.5, -1.5])
        #expect(model.layers[1].weights.elements.map(\.bitPattern) == [(1.0 / 3.0).bitPattern, (-2.0).bitPattern])
        #expect(model.layers[1].bias == nil && model.scaler == nil && model.metadata == ["source": "numpy"])
    }
}
