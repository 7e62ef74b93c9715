// ReleaseOneFilesTests.swift: files written by release 1 load, predict the same and resume to the same weights.
import Backprop
import ModelFiles
import Datasets
import Foundation
import TestSupport
import XCTest

final class ReleaseOneFilesTests: XCTestCase {
    static let folder = TestData.packageRoot.appendingPathComponent("Tests/Fixtures/release-1")
    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Every number of `text` in order, and the text with each number replaced by `#`.
    static func numbers(_ text: String) -> (skeleton: String, values: [Double]) {
        let pattern = /-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/
        let values = text.matches(of: pattern).map { Double(String($0.output.0))! }
        return (text.replacing(pattern, with: "#"), values)
    }

    /// `text` has `expected`'s text, and its numbers within `tolerance` (relative, at least absolute)
    /// of `expected`'s: the elementwise kernels pick their instruction set at run time, and release 1
    /// wrote these on an AVX-512 machine, so the last bits may differ on another (or under a sanitizer).
    static func agree(_ text: String, _ expected: String, tolerance: Double, _ what: String) {
        let (a, b) = (numbers(text), numbers(expected))
        XCTAssertEqual(a.skeleton, b.skeleton, what)
        XCTAssertEqual(a.values.count, b.values.count, what)
        for (x, y) in zip(a.values, b.values) where abs(x - y) > tolerance * max(1, abs(y)) {
            XCTFail("\(what): \(x) against release 1's \(y)")
            return
        }
    }

    /// Every model predicts the CSV release 1's `backprop predict --output` wrote for it (within the
    /// rounding of the model's precision).
    func testModelsPredictWhatReleaseOnePredicted() throws {
        let out = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        for model in ["f32.json", "f32.safetensors", "f64.json", "f64.safetensors"] {
            let written = out.appendingPathComponent(model + ".csv").path
            let result = try Tool.run(["predict", Self.path(model), Self.path("data.csv"), "--label-column", "label",
                                       "--output", written])
            XCTAssertEqual(result.status, 0, "\(model): \(result.standardError)")
            let expected = "pred-" + model.replacingOccurrences(of: ".", with: "-") + ".csv"
            Self.agree(try String(contentsOfFile: written, encoding: .utf8),
                       try String(contentsOfFile: Self.path(expected), encoding: .utf8),
                       tolerance: model.hasPrefix("f32") ? 1e-6 : 1e-13, model)
        }
    }

    /// Release 1's checkpoints, taken after epoch 2 of a 4-epoch run (6 steps an epoch), resume in this build to the
    /// weights release 1's uninterrupted run saved (bit for bit on the machine that wrote them).
    func testCheckpointsResumeToReleaseOneWeights() throws {
        let data = try CSV.loadDataset(Self.path("data.csv"), hasHeader: true, label: .name("label"))
        for precision in ["float32", "float64"] {
            let checkpoint = try Checkpoint.load(path: Self.path(precision + ".ckpt"))
            XCTAssertEqual(checkpoint.history.count, 2, precision)
            let expected = try SavedModel.load(path: Self.path(precision + "-uninterrupted.json"))
            let resumed: SavedModel
            if precision == "float32" {
                let trainer = try checkpoint.trainer(BLAS<Float>.self)
                try trainer.train(training: data, validation: nil, scaler: checkpoint.scaler)
                resumed = try SavedModel(network: trainer.network)
            } else {
                let trainer = try checkpoint.trainer(BLAS<Double>.self)
                try trainer.train(training: data, validation: nil, scaler: checkpoint.scaler)
                resumed = try SavedModel(network: trainer.network)
            }
            XCTAssertEqual(resumed.precision, expected.precision, precision)
            let tolerance = precision == "float32" ? 1e-5 : 1e-12  // Two epochs of rounding differences at most.
            for (r, e) in zip(resumed.layers, expected.layers) {
                let values = zip(r.weights.elements + (r.bias ?? []), e.weights.elements + (e.bias ?? []))
                XCTAssertTrue(values.allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }, "\(precision): resumed weights differ from release 1's")
            }
        }
    }

    /// Release 1's `backprop step` output is still what this build prints for the same case (its
    /// text, and its numbers to within float64 rounding).
    func testStepPrintsReleaseOneBytes() throws {
        let result = try Tool.run(["step", TestData.vectorsDirectory.appendingPathComponent("three-hidden-layers.json").path])
        XCTAssertEqual(result.status, 0, result.standardError)
        Self.agree(result.standardOutput, try String(contentsOfFile: Self.path("step-three-hidden-layers.json"), encoding: .utf8),
                   tolerance: 1e-13, "step")
    }

    /// Release 1's PyTorch state dict export reads back as the model it came from.
    func testTorchStateDictReadsBack() throws {
        let torch = try SavedModel.load(path: Self.path("f64.torch.safetensors"))
        let model = try SavedModel.load(path: Self.path("f64.json"))
        XCTAssertEqual(torch.layers, model.layers)
    }
}
