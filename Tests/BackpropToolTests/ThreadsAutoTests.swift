// ThreadsAutoTests.swift: `train --threads auto`: its report line, that the count it names repeats the run's weights, and its refusals.
import Foundation
import Testing
import TestSupport

/// `train --threads auto` reports its choice and timings in one line at the start, and giving the
/// worker count it names trains to the same saved model, bit for bit (the README's promise: the
/// same seed and thread arrangement give the same weights). Which arrangement wins is not tested.
@Suite(.serialized) struct ThreadsAutoTests {
    static let small = ["--limit", "2000", "--hidden", "32", "--batch-size", "50", "--epochs", "1", "--dropout", "0.2"]

    @Test func autoReportsItsChoiceAndTheCountItNamesRepeatsTheWeights() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let auto = dir.appendingPathComponent("auto.json").path, byHand = dir.appendingPathComponent("by-hand.json").path
        let run = try Tool.run(["train"] + Self.small + ["--threads", "auto", "--save", auto])
        #expect(run.status == 0, "\(run.standardError)")
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("training ") == true)
        // Under the header (beside OpenBLAS's kernels, when the tool chose them: OpenBLASKernels).
        let report = try #require(lines.dropFirst().prefix(2).first { $0.hasPrefix("threads: ") }, "\(run.standardOutput)")
        let match = try #require(report.firstMatch(of: /^threads: auto chose (\d+) workers? × (\d+) OpenBLAS threads? \(a batch's gradients took (.*)\); --threads (\d+) repeats this run's weights$/),
                                 "the line under the header reports the choice: \(report)")
        #expect(match.1 == match.4, "the count to repeat it is the chosen worker count")
        #expect(match.3.contains("2 workers × 1 OpenBLAS thread: ") && match.3.contains("1 worker × 2 OpenBLAS threads: "))
        #expect(lines.first!.contains("\(match.1) thread(s)"), "the header names the chosen worker count")

        let again = try Tool.run(["train"] + Self.small + ["--threads", String(match.4), "--save", byHand])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(!again.standardOutput.contains("threads: auto"), "a fixed count is not timed")
        #expect(try Data(contentsOf: URL(fileURLWithPath: auto)) == Data(contentsOf: URL(fileURLWithPath: byHand)))
    }

    @Test func badThreadValuesAreClearErrors() throws {
        let cases: [([String], String)] = [
            (["train", "--threads", "fast"], "The value 'fast' is invalid for '--threads <N|auto>'"),
            (["train", "--threads", "auto", "--distributed"], "--threads auto: not with --distributed"),
            (["train", "--threads", "auto", "--resume", "run.ckpt"], "--threads cannot be used with --resume"),
        ]
        for (arguments, message) in cases {
            let run = try Tool.run(arguments)
            #expect(run.status != 0 && run.status < 128, "\(arguments): status \(run.status)")
            #expect(run.standardError.contains(message), "\(arguments): \(run.standardError)")
        }
    }
}
