// VerifyCommandTests.swift: `backprop verify` on the vectors, on a damaged case and on a model file.
import Foundation
import Testing
import TestSupport

@Suite struct VerifyCommandTests {
    @Test func everySharedVectorPassesOnBothBackends() throws {
        let count = try TestData.vectorFiles().count
        let run = try Tool.run(["verify", TestData.vectorsDirectory.path, "--backend", "both"])
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardOutput.hasSuffix("\(count) passed, 0 failed\n"))
    }

    @Test func aWrongExpectedValueFailsAndExitsNonZero() throws {
        let source = try String(contentsOf: TestData.vectorsDirectory.appendingPathComponent("seed-quiz.json"), encoding: .utf8)
        let dir = TestData.temporaryDirectory()
        let bad = dir.appendingPathComponent("wrong.json")
        // Change the expected loss in its 4th significant digit: far outside 1e-9 relative.
        try source.replacingOccurrences(of: "\"loss\": 0.006615555805218445", with: "\"loss\": 0.006616555805218445")
            .write(to: bad, atomically: true, encoding: .utf8)
        try "{".write(to: dir.appendingPathComponent("broken.json"), atomically: true, encoding: .utf8)
        let run = try Tool.run(["verify", dir.path])
        #expect(run.status != 0)
        // The computed loss agrees with the vector's 0.006615555805218445 to ~1e-15 (its last digits
        // depend on the exp kernel's rounding); the expected one is the edited value.
        #expect(run.standardOutput.contains("FAIL  seed-quiz [blas]: loss: got 0.0066155558052184"))
        #expect(run.standardOutput.contains(", expected 0.006616555805218445\n"))
        #expect(run.standardOutput.contains("broken.json: not valid JSON"))
        #expect(run.standardOutput.hasSuffix("0 passed, 2 failed\n"))
    }

    @Test func stepPrintsTheCaseWithAComputedBlockThatRoundTrips() throws {
        let file = TestData.vectorsDirectory.appendingPathComponent("softmax-cross-entropy-onehot-batch5.json")
        let run = try Tool.run(["step", file.path, "--backend", "reference"])
        #expect(run.status == 0, "\(run.standardError)")
        // Rename `computed` to `expected` and check it against the original expectation with verify.
        var printed = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as! [String: Any]
        let computed = try #require(printed["computed"] as? [String: Any])
        #expect(printed["expected"] != nil)
        printed["expected"] = computed
        printed["computed"] = nil
        let dir = TestData.temporaryDirectory()
        let roundTrip = dir.appendingPathComponent("round-trip.json")
        try JSONSerialization.data(withJSONObject: printed).write(to: roundTrip)
        let check = try Tool.run(["verify", roundTrip.path])
        #expect(check.status == 0, "\(check.standardOutput)")
        #expect(check.standardOutput.hasSuffix("1 passed, 0 failed\n"))
    }

    @Test func unknownOptionsAndMissingFilesAreClearErrors() throws {
        let unknown = try Tool.run(["verify", "case.json", "--frobnicate"])
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("--frobnicate"))
        let missing = try Tool.run(["step", "/nonexistent/case.json"])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("/nonexistent/case.json: cannot read the file"))
        let badBackend = try Tool.run(["quiz", "--backend", "gpu"])
        #expect(badBackend.status != 0)
        #expect(badBackend.standardError.contains("gpu"))
    }
}

@Suite struct GradcheckCommandTests {
    @Test func everySharedCasePassesAndAModelFileIsChecked() throws {
        // A case with a max-pool tie is left out: the loss has no derivative there, so finite
        // differences do not apply (Tests/Vectors/FORMAT.md; its step is checked by verify).
        for file in try TestData.vectorFiles() where !file.lastPathComponent.contains("-tie-") {
            let run = try Tool.run(["gradcheck", file.path, "--backend", "reference"])
            #expect(run.status == 0, "\(file.lastPathComponent): \(run.standardOutput)\(run.standardError)")
            #expect(run.standardOutput.contains("PASS"))
        }
        let dir = TestData.temporaryDirectory()
        let model = dir.appendingPathComponent("m.safetensors").path
        let train = try Tool.run(["train", "--limit", "500", "--hidden", "16,8", "--epochs", "1", "--save", model])
        #expect(train.status == 0, "\(train.standardError)")
        let check = try Tool.run(["gradcheck", model, "--samples", "50"])
        #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
        #expect(check.standardOutput.contains("checked 50 of \(784 * 16 + 16)"))
        #expect(check.standardOutput.split(separator: "\n").filter { $0.hasPrefix("layer ") }.count == 3)
    }

    @Test func aTooCoarseStepFailsWithNonZeroExit() throws {
        let file = TestData.vectorsDirectory.appendingPathComponent("three-hidden-layers.json")
        let run = try Tool.run(["gradcheck", file.path, "--step", "0.5"])
        #expect(run.status != 0)
        #expect(run.standardOutput.contains("FAIL"))
    }
}
