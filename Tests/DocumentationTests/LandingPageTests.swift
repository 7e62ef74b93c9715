// LandingPageTests.swift: the listings of the five modules' landing pages (`Sources/<Module>/<Module>.docc/<Module>.md`), run.
import Backprop
import Datasets
import Foundation
import ModelFiles
import NumPyFormat
import Testing
import TestSupport

/// The listings of the five modules' landing pages (`Sources/<Module>/<Module>.docc/<Module>.md`), run.
@Suite struct LandingPageTests {
    @Test func backprop() throws {
        // listing: backprop-step
        var network = try Network<BLAS<Double>>(layers: [
            Layer<Double>.dense(weights: Matrix<Double>([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]), activation: .sigmoid),
            Layer<Double>.dense(weights: Matrix<Double>([[0.1], [-0.3]]), activation: .sigmoid),
        ], loss: .squaredError)
        let result = network.step(inputs: Matrix<Double>([[0.5, 0.1, -0.2]]), targets: Matrix<Double>([[0.6]]), learningRate: 0.5)
        // result.steps.weights[1] is the quiz's [[0.00804047], [0.00555918]]; the network is updated.
        // end listing
        #expect(NumPyFormat.string(result.steps.weights[1].elements) == "[0.00804047 0.00555918]")
        #expect(network.layers[1].weights[0, 0] == 0.1 + result.steps.weights[1][0, 0])
    }

    @Test func linalg() {
        // listing: linalg-gemm
        let x = Matrix<Double>([[1, 2, 3], [4, 5, 6]])          // batch × fanIn = 2 × 3
        let w = Matrix<Double>([[1, 0], [0, 1], [1, 1]])        // fanIn × fanOut = 3 × 2
        var h = Matrix<Double>(rows: 2, columns: 2)
        BLAS<Double>.gemm(.none, .none, alpha: 1, x, w, beta: 0, into: &h)   // h = x·w: [[4, 5], [10, 11]]
        // end listing
        #expect(h == Matrix<Double>([[4, 5], [10, 11]]))
    }

    @Test func datasets() throws {
        // listing: datasets-load
        let (train, test) = try FashionMNIST.load()          // /usr/share/datasets/fashion-mnist
        let scaler = FeatureScaler.fit(.standardize, on: train)
        let batch = train.features(rows: 0..<128, scaler: scaler)   // 128 × 784, row-major
        // end listing
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(batch.count == 128 * 784)
    }

    @Test func numPyFormat() {
        // listing: numpyformat-print
        print(NumPyFormat.string([0.008040473948045291, 0.005559180911682829]))
        // [0.00804047 0.00555918]
        // end listing
        #expect(NumPyFormat.string([0.008040473948045291, 0.005559180911682829]) == "[0.00804047 0.00555918]")
    }

    @Test func modelFiles() throws {
        let path = TestData.packageRoot.appendingPathComponent("Tests/Fixtures/release-1/f32.json").path
        let directory = TestData.temporaryDirectory().path
        // listing: modelfiles-load
        let model = try SavedModel.load(path: path)              // JSON or safetensors, told apart by content
        let network = model.network(BLAS<Float>.self)            // ready to predict (inputs scaled by model.scaler)
        try model.save(to: directory + "/model.safetensors")     // atomically
        try AtomicFile.write(ONNXExport.encoded(model, elementType: .float), to: directory + "/model.onnx")
        // end listing
        #expect(network.inputCount == model.inputCount && network.parameterCount > 0)
        #expect(try SavedModel.load(path: directory + "/model.safetensors").layers == model.layers)
        #expect(FileManager.default.fileExists(atPath: directory + "/model.onnx"))
    }
}
