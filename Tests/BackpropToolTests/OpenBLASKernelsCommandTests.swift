// OpenBLASKernelsCommandTests.swift: `backprop` runs OpenBLAS's best kernels for the processor, says so, and keeps a user's OPENBLAS_CORETYPE.
import Foundation
import Linalg
import Testing
import TestSupport

@Suite struct OpenBLASKernelsCommandTests {
    static let small = ["train", "--limit", "300", "--hidden", "8", "--epochs", "1", "--seed", "3"]

    @Test func trainSaysWhichKernelsItChoseAndKeepsTheUsersChoice() throws {
        let note = "OpenBLAS: "
        // The user's variable, whatever it names, is kept: no restart, no note.
        let kept = try Tool.run(Self.small, environment: ["OPENBLAS_CORETYPE": "Prescott"])
        #expect(kept.status == 0, "\(kept.standardError)")
        #expect(!kept.standardOutput.contains(note), "\(kept.standardOutput)")

        // Left to itself, it runs the family this process's OpenBLAS and processor call for
        // (computed here, in the test's own process), and names it.
        let run = try Tool.run(Self.small)
        #expect(run.status == 0, "\(run.standardError)")
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, let core = OpenBLASKernels.suggestedCore {
            #expect(run.standardOutput.contains("\(note)\(core) kernels (OpenBLAS "), "\(run.standardOutput)")
            #expect(run.standardOutput.contains("took \(BLASThreads.coreName)"), "\(run.standardOutput)")
        } else {
            #expect(!run.standardOutput.contains(note), "\(run.standardOutput)")
        }
    }
}
