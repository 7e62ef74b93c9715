// IgnoredOptionTests.swift: an option the command would not use is refused, naming it and why, instead of being ignored.
import Foundation
import Testing
import TestSupport

/// An option the command would not use is refused, naming it and why, instead of being ignored.
@Suite struct IgnoredOptionTests {
    func expectRefused(_ arguments: [String], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let run = try Tool.run(arguments)
        #expect(run.status != 0 && run.status < 128, "\(arguments): status \(run.status)", sourceLocation: sourceLocation)
        #expect(run.standardError.contains(message), "\(arguments): \(run.standardError)", sourceLocation: sourceLocation)
    }

    @Test func resumeRefusesTheOptionsItsCheckpointFixes() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("tiny.csv").path
        try "a,b,label\n0,1,0\n1,0,1\n1,1,1\n0,0,0\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let checkpoint = dir.appendingPathComponent("run.safetensors").path
        let first = try Tool.run(["train", "--data", csv, "--hidden", "3", "--epochs", "2", "--checkpoint", checkpoint, "--checkpoint-every", "1"])
        #expect(first.status == 0, "\(first.standardError)")
        // Each of these was accepted and silently replaced by the checkpoint's own value.
        for option in [["--epochs", "5"], ["--hidden", "4"], ["--learning-rate", "0.1"], ["--data", csv], ["--threads", "1"],
                       ["--seed", "7"], ["--activation", "tanh"], ["--optimizer", "sgd"], ["--log-gradients"], ["--limit", "2"]] {
            try expectRefused(["train", "--resume", checkpoint] + option,
                              "\(option[0]) cannot be used with --resume: the checkpoint fixes the data, architecture and training options")
        }
        try expectRefused(["train", "--resume", checkpoint, "--epochs", "5", "--dropout", "0"], "--epochs, --dropout cannot be used with --resume")
        // What the checkpoint does not fix is still allowed.
        let resumed = try Tool.run(["train", "--resume", checkpoint, "--save", dir.appendingPathComponent("m.json").path])
        #expect(resumed.status == 0, "\(resumed.standardError)")
    }

    @Test func optionsWithoutTheOptionThatUsesThemAreRefused() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("tiny.csv").path
        try "a,b,label\n0,1,0\n1,0,1\n".write(toFile: csv, atomically: true, encoding: .utf8)
        try expectRefused(["train", "--data", csv, "--checkpoint", dir.appendingPathComponent("c").path],
                          "no checkpoint is written without --checkpoint-every N")
        try expectRefused(["train", "--data", csv, "--labels", "l.idx"], "--labels l.idx: only IDX images or a .npy array in --data take a labels file")
        try expectRefused(["train", "--labels", "l.idx"], "Fashion-MNIST, which brings its own labels")
        try expectRefused(["train", "--data", csv, "--test-labels", "l.idx"], "no --test-data is given")
        try expectRefused(["predict", "m.json", "images.idx", "--label-column", "label"],
                          "--label-column: only a .csv INPUT has columns and a header; images.idx is read as IDX images")
        try expectRefused(["predict", "m.json", "images.idx", "--no-header"], "--no-header: only a .csv INPUT")
        try expectRefused(["evaluate", "m.json", "--data", csv, "--test-data", csv, "--limit", "1"],
                          "--limit 1: evaluate uses the whole test set (\(csv)), which --limit (the first N training samples) does not cut")
        try expectRefused(["evaluate", "m.json", "--limit", "5"], "--limit 5: evaluate uses the whole test set (Fashion-MNIST's own)")
    }
}
