// CrashSafetyTests.swift: `backprop train` killed at random moments always leaves a checkpoint that loads and resumes.
import Backprop
import ModelFiles
import Foundation
import Testing
import TestSupport

/// `backprop train` killed with SIGKILL at random moments, many of them in the middle of writing a
/// checkpoint, always leaves a checkpoint that loads, and the run resumes from it.
@Suite struct CrashSafetyTests {
    /// Modification time of `path` in nanoseconds, or nil when it does not exist.
    func modified(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec
    }

    @Test func killedTwentyTimesTheCheckpointAlwaysLoadsAndResumes() throws {
        let dir = TestData.temporaryDirectory()
        let checkpoint = dir.appendingPathComponent("run.ckpt").path
        // Tiny epochs and a large network: writing the checkpoint (several MB, fsync'd) takes most of
        // the time, so many kills land inside a write.
        let fresh = ["train", "--limit", "300", "--hidden", "256,128", "--epochs", "100000", "--patience", "0", "--threads", "1"]
        let saving = ["--checkpoint", checkpoint, "--checkpoint-every", "1"]
        var rng = SeededGenerator(seed: UInt64(Date().timeIntervalSince1970))
        var epochs: [Int] = [], killsDuringWrites = 0

        for round in 0..<20 {
            let before = modified(checkpoint)
            let process = Process()
            process.executableURL = Tool.executable
            process.arguments = (before == nil ? fresh : ["train", "--resume", checkpoint]) + saving
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait for this run's first write. Then, in even rounds, kill at a random moment of the
            // next few epochs; in odd rounds, as soon as a temporary checkpoint file appears, which is
            // inside a write (between creating the temporary file and renaming it).
            let deadline = Date().addingTimeInterval(60)
            while modified(checkpoint) == before && Date() < deadline && process.isRunning { usleep(2_000) }
            if round % 2 == 0 {
                usleep(UInt32(rng.next() % 300_000))
            } else {
                while !hasTemporaryFile(dir.path) && Date() < deadline && process.isRunning {}
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "round \(round): the run ended by itself")

            // A write killed midway leaves its temporary file; remove it so the next round's count is fresh.
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".tmp") {
                killsDuringWrites += 1
                try FileManager.default.removeItem(atPath: dir.appendingPathComponent(name).path)
            }
            let saved = try Checkpoint.load(path: checkpoint)
            epochs.append(saved.history.count)
        }
        // Every round resumed from the previous one's checkpoint, so the run only moved forward.
        #expect(zip(epochs, epochs.dropFirst()).allSatisfy { $0 <= $1 }, "epochs per round: \(epochs)")
        #expect(epochs.last! > epochs.first!)
        // Each killed write leaves its temporary file behind (never the checkpoint itself).
        #expect(killsDuringWrites >= 3, "only \(killsDuringWrites) kills landed inside a checkpoint write; epochs \(epochs)")
        try? FileManager.default.removeItem(at: dir)
    }

    /// Whether `folder` holds a temporary file of an atomic write in progress (a tight readdir loop).
    func hasTemporaryFile(_ folder: String) -> Bool {
        guard let d = opendir(folder) else { return false }
        defer { closedir(d) }
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".tmp") { return true }
        }
        return false
    }
}
