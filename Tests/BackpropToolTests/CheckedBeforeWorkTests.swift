// CheckedBeforeWorkTests.swift: what can be checked before training is checked before training.
import Foundation
import Testing
import TestSupport

/// What can be checked before training is checked before training: count-like options at their
/// extremes, layer sizes whose weights cannot be allocated, and the test set against the network.
@Suite struct CheckedBeforeWorkTests {
    /// A four-sample, two-feature, two-class CSV file in a fresh folder.
    static func tinyData() throws -> (dir: URL, csv: String) {
        let dir = TestData.temporaryDirectory()
        let csv = dir.appendingPathComponent("tiny.csv")
        try "a,b,label\n0,1,0\n1,0,1\n1,1,1\n0,0,0\n".write(to: csv, atomically: true, encoding: .utf8)
        return (dir, csv.path)
    }

    /// Runs `arguments`, expecting a non-zero exit whose standard error holds `message` and no crash.
    func expectRefused(_ arguments: [String], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let run = try Tool.run(arguments)
        #expect(run.status != 0, "\(arguments) succeeded", sourceLocation: sourceLocation)
        #expect(run.status < 128 && !run.standardError.contains("Fatal error") && !run.standardError.contains("crashed"),
                "\(arguments) crashed: \(run.standardError)", sourceLocation: sourceLocation)
        #expect(run.standardError.contains(message), "\(arguments): \(run.standardError)", sourceLocation: sourceLocation)
    }

    @Test func countOptionsAtTheirExtremesAreClearErrors() throws {
        let (dir, csv) = try Self.tinyData()
        defer { try? FileManager.default.removeItem(at: dir) }
        let train = ["train", "--data", csv, "--hidden", "3", "--epochs", "1"]
        try expectRefused(train + ["--epochs=-1"], "epochs must be at least 1, got -1")
        try expectRefused(train + ["--epochs", "0"], "epochs must be at least 1, got 0")
        try expectRefused(train + ["--batch-size", "0"], "batch size must be at least 1, got 0")
        try expectRefused(train + ["--batch-size=-5"], "batch size must be at least 1, got -5")
        try expectRefused(train + ["--threads", "0"], "threads must be in 1...")
        try expectRefused(train + ["--threads", "100000"], "threads must be in 1...")
        try expectRefused(train + ["--checkpoint-every=-1"], "--checkpoint-every must be ≥ 0, got -1")
        try expectRefused(train + ["--patience=-1"], "--patience must be ≥ 0, got -1")
        try expectRefused(train + ["--limit", "0"], "--limit must be at least 1, got 0")
        try expectRefused(train + ["--hidden", "0"], "'0' is not a positive layer size")
        try expectRefused(train + ["--hidden=-3"], "is not a positive layer size")

        let model = dir.appendingPathComponent("m.json").path
        let saved = try Tool.run(train + ["--save", model])
        #expect(saved.status == 0, "\(saved.standardError)")
        // Crashed with "Range requires lowerBound <= upperBound" before it was checked.
        try expectRefused(["predict", model, csv, "--label-column", "label", "--limit=-1"], "--limit must be at least 1, got -1")
        try expectRefused(["predict", model, csv, "--label-column", "label", "--limit", "0"], "--limit must be at least 1, got 0")
        let huge = try Tool.run(["predict", model, csv, "--label-column", "label", "--limit", "99999999999"])
        #expect(huge.status == 0 && huge.standardOutput.split(separator: "\n").count == 5, "a huge limit prints every row: \(huge.standardError)")
    }

    @Test func layersTooLargeToAllocateAreRefusedWithTheirSizeAndMemory() throws {
        let (dir, csv) = try Self.tinyData()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 2 × 99999999999 weights: 1.6e12 bytes in float64 (8 bytes each), which aborted in the allocator before the check.
        try expectRefused(["train", "--data", csv, "--hidden", "99999999999", "--precision", "float64"],
                          "layer 0 (2×99999999999, 199999999998 weights) would take 2.18 TiB")
        // Half that in float32 (4 bytes each).
        try expectRefused(["train", "--data", csv, "--hidden", "99999999999", "--precision", "float32"],
                          "layer 0 (2×99999999999, 199999999998 weights) would take 1.09 TiB")
        // Hidden-to-hidden sizes are checked before any data is read (the data file does not exist).
        try expectRefused(["train", "--data", dir.appendingPathComponent("missing.csv").path, "--hidden", "1000000,1000000", "--precision", "float64"],
                          "layer 1 (1000000×1000000, 1000000000000 weights) would take 7.28 TiB")
        try expectRefused(["train", "--data", csv, "--hidden", "4611686018427387904,4"],
                          "layer 1 (4611686018427387904×4) has more weights than can be counted")
    }

    @Test func aTestSetThatDoesNotFitTheNetworkIsRefusedBeforeTheFirstEpoch() throws {
        let (dir, csv) = try Self.tinyData()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wide = dir.appendingPathComponent("wide.csv")
        try "a,b,c,label\n0,1,1,0\n1,0,1,1\n".write(to: wide, atomically: true, encoding: .utf8)
        let manyClasses = dir.appendingPathComponent("classes.csv")
        try "a,b,label\n0,1,5\n1,0,1\n".write(to: manyClasses, atomically: true, encoding: .utf8)
        for (test, message) in [(wide.path, "wide.csv has 3 features per sample; the network takes 2 inputs"),
                                (manyClasses.path, "classes.csv has 6 classes; the network has 2 outputs")] {
            let run = try Tool.run(["train", "--data", csv, "--test-data", test, "--hidden", "3", "--epochs", "1"])
            #expect(run.status != 0 && run.status < 128, "crashed or passed: \(run.standardError)")
            #expect(run.standardError.contains(message), "\(run.standardError)")
            #expect(run.standardError.contains("checked before the first epoch"))
            #expect(!run.standardOutput.contains("epoch 1"), "trained before checking the test set: \(run.standardOutput)")
        }
    }
}
