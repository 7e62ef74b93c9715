// PrecisionFileTests.swift: models keep the precision they were trained in.
import Backprop
import ModelFiles
import Foundation
import Linalg
import Testing
import TestSupport

/// Models keep the precision they were trained in: F32 tensors or the shortest text of each `Float`,
/// read back to the same bits, and loadable into a network of the other precision.
@Suite struct PrecisionFileTests {
    /// A float32 network with values whose float32 and float64 texts differ (0.1f is 0.10000000149011612).
    func float32Network() throws -> Network<BLAS<Float>> {
        var rng = SeededGenerator(seed: 5)
        var network = try Network<BLAS<Float>>.make(sizes: [3, 4, 2], hidden: .tanh, output: .softmax, loss: .crossEntropy, using: &rng)
        var w = network.layers[0].weights
        w[0, 0] = 0.1
        w[0, 1] = -Float.leastNonzeroMagnitude
        w[1, 0] = Float.greatestFiniteMagnitude
        w[1, 1] = -0.0
        network.setParameters(layer: 0, weights: w, bias: network.layers[0].bias)
        return network
    }

    func bits(_ network: Network<BLAS<Float>>) -> [UInt32] {
        network.layers.flatMap { $0.weights.elements.map(\.bitPattern) + ($0.bias ?? []).map(\.bitPattern) }
    }

    @Test(arguments: [ModelFormat.json, .safetensors])
    func aFloat32ModelReadsBackBitForBit(format: ModelFormat) throws {
        let network = try float32Network()
        let model = try SavedModel(network: network)
        #expect(model.precision == .float32)
        let loaded = try SavedModel.decode(model.encoded(format), file: "model.\(format.rawValue)")
        #expect(loaded.precision == .float32)
        #expect(bits(loaded.network(BLAS<Float>.self)) == bits(network))
    }

    @Test func theJSONOfAFloat32ModelHoldsEachFloatsShortestText() throws {
        let text = String(decoding: try SavedModel(network: float32Network()).encoded(.json), as: UTF8.self)
        #expect(text.contains(#""precision": "float32""#))
        #expect(text.contains("[0.1, -1e-45, "), "first weight row: \(text.split(separator: "\n").first { $0.contains("0.1") } ?? "")")
        #expect(text.contains("3.4028235e+38"))
        #expect(!text.contains("0.10000000149011612"))
    }

    @Test func theSafetensorsOfAFloat32ModelAreF32() throws {
        let data = try SavedModel(network: float32Network()).encoded(.safetensors)
        let header = String(decoding: data.prefix(2048), as: UTF8.self)
        #expect(header.contains(#""layers.0.weight":{"dtype":"F32","shape":[3,4]"#), "\(header.prefix(200))")
        #expect(!header.contains("F64"))
        // 4 bytes per parameter: (3·4 + 4) + (4·2 + 2) = 26 values after the 8-byte length and the header.
        let headerLength = data.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(data.count - 8 - headerLength == 26 * 4)
    }

    @Test func aFloat32ModelLoadsIntoFloat64ExactlyAndBack() throws {
        let network = try float32Network()
        let model = try SavedModel(network: network)
        let double = model.network(BLAS<Double>.self)
        for (a, b) in zip(double.layers, network.layers) {
            #expect(a.weights.elements == b.weights.elements.map(Double.init))
        }
        // Saved from the float64 network it is a float64 model; rounded back to float32 it is the original.
        let widened = try SavedModel(network: double)
        #expect(widened.precision == .float64)
        #expect(bits(widened.network(BLAS<Float>.self)) == bits(network))
    }

    @Test func aFloat64ModelLoadsIntoFloat32RoundedToNearest() throws {
        let layers = [Layer.dense(weights: Matrix<Double>([[0.1, 1.0 / 3.0]]), bias: [2.0 / 3.0, -1e-50], activation: .identity)]
        let model = try SavedModel(layers: layers, loss: .squaredError)
        let float = model.network(Reference<Float>.self)
        #expect(float.layers[0].weights.elements == [Float(0.1), Float(1.0 / 3.0)])
        #expect(float.layers[0].bias == [Float(2.0 / 3.0), -0.0])
    }

    @Test func anUnknownPrecisionIsAnErrorNamingTheField() throws {
        var text = String(decoding: try SavedModel(network: float32Network()).encoded(.json), as: UTF8.self)
        text = text.replacingOccurrences(of: #""precision": "float32""#, with: #""precision": "float16""#)
        let error = try #require(throws: FileFormatError.self) { try SavedModel.decode(Data(text.utf8), file: "m.json") }
        #expect(error.field == "precision" && error.problem.contains("float16"))
    }

    /// NumPy reads our F32 tensors as float32 with the same bits.
    @Test func pythonReadsAFloat32ModelAsFloat32() throws {
        try Python.requireSafetensors()
        let network = try float32Network()
        let path = TestData.temporaryDirectory().appendingPathComponent("f32.safetensors").path
        try SavedModel(network: network).save(to: path)
        let loaded = try Python.loadSafetensors(path)
        let weights = try #require(loaded.tensors["layers.0.weight"])
        #expect(weights.dtype == "float32" && weights.shape == [3, 4])
        #expect(weights.bits == network.layers[0].weights.elements.map { Double($0).bitPattern })
    }
}
