// PrecisionCommandTests.swift: `--precision` on the commands that compute.
import Backprop
import ModelFiles
import Foundation
import Testing
import TestSupport

/// `--precision` on the commands that compute: the vectors pass in float32 under its derived
/// tolerance, a float32 model is saved as float32 and read back in either precision.
@Suite(.serialized) struct PrecisionCommandTests {
    @Test func theVectorsPassInFloat32OnBothBackends() throws {
        let run = try Tool.run(["verify", TestData.vectorsDirectory.path, "--backend", "both", "--precision", "float32"])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardOutput.contains("13 passed, 0 failed"))
        #expect(run.standardOutput.contains("[blas, reference, float32]"))
    }

    /// The float32 tolerance is not so loose that a float64 step's answer nudged by 1e-4 passes.
    @Test func float32VerificationStillCatchesAWrongAnswer() throws {
        let source = try String(contentsOf: TestData.vectorsDirectory.appendingPathComponent("seed-quiz.json"), encoding: .utf8)
        let case_ = try TrainingCase.parse(Data(source.utf8), file: "seed-quiz.json")
        var expected = try #require(case_.expected)
        expected.loss *= 1 + 1e-4
        let nudged = TrainingCase(name: "nudged", case_.definition, learningRate: case_.learningRate, inputs: case_.inputs,
                                  targets: case_.targets, expected: expected)
        let path = TestData.temporaryDirectory().appendingPathComponent("nudged.json").path
        try nudged.json().write(toFile: path, atomically: true, encoding: .utf8)
        let run = try Tool.run(["verify", path, "--precision", "float32"])
        #expect(run.status != 0 && run.standardOutput.contains("loss: got"), "\(run.standardOutput)")
    }

    @Test func stepAndGradcheckTakeThePrecision() throws {
        let file = TestData.vectorsDirectory.appendingPathComponent("three-hidden-layers.json").path
        let step = try Tool.run(["step", file, "--precision", "float32"])
        #expect(step.status == 0, "\(step.standardError)")
        #expect(step.standardOutput.contains("\"computed\""))
        let check = try Tool.run(["gradcheck", file, "--precision", "float32"])
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
        #expect(check.standardOutput.contains("float32") && check.standardOutput.contains("PASS"))
    }

    @Test func aFloat32RunSavesAFloat32ModelThatEvaluatesInEitherPrecision() throws {
        let model = TestData.temporaryDirectory().appendingPathComponent("f32.safetensors").path
        let train = try Tool.run(["train"] + TrainCommandTests.small + ["--epochs", "1", "--precision", "float32", "--save", model])
        #expect(train.status == 0, "\(train.standardError)")
        #expect(train.standardOutput.contains("float32"))
        let accuracy = try #require(train.standardOutput.firstMatch(of: /test accuracy ([0-9.]+)%/)?.1)
        #expect(try SavedModel.load(path: model).precision == .float32)

        // In the model's own precision evaluate gives train's figure; in float64 (the float32
        // weights widened exactly) the outputs differ only by float32 rounding: the same to 0.2%.
        let own = try Tool.run(["evaluate", model])
        #expect(own.standardOutput.contains("accuracy \(accuracy)%") && own.standardOutput.contains("(float32)"), "\(own.standardOutput)")
        let wide = try Tool.run(["evaluate", model, "--precision", "float64"])
        #expect(wide.status == 0 && wide.standardOutput.contains("(float64)"), "\(wide.standardError)")
        let wideAccuracy = try #require(wide.standardOutput.firstMatch(of: /accuracy ([0-9.]+)%/)?.1)
        #expect(abs(Double(wideAccuracy)! - Double(accuracy)!) <= 0.2)
        let inspect = try Tool.run(["inspect", model])
        #expect(inspect.standardOutput.contains("precision  float32"))
    }

    @Test func aCheckpointResumesInItsOwnPrecisionOnly() throws {
        let dir = TestData.temporaryDirectory()
        let checkpoint = dir.appendingPathComponent("run.ckpt").path
        let first = try Tool.run(["train"] + TrainCommandTests.small
                                 + ["--epochs", "1", "--precision", "float32", "--checkpoint-every", "1", "--checkpoint", checkpoint])
        #expect(first.status == 0, "\(first.standardError)")
        let refused = try Tool.run(["train", "--resume", checkpoint, "--precision", "float64"])
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("float32") && refused.standardError.contains("resumes only in float32"), "\(refused.standardError)")
    }
}
