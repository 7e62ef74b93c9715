// HostsTests.swift: training across two test hosts in network namespaces, a lost link and a killed process.
import Backprop
import ModelFiles
import Foundation
import Testing
import TestSupport

#if MPI
/// Training across two test hosts: network namespaces node1 and node2 joined by one veth link
/// (`scripts/hosts.sh`), one process on each, Open MPI over TCP on that link only. `make test-hosts`
/// creates the hosts, runs these with `BACKPROP_HOSTS` naming them, and removes them afterwards;
/// without it (as in `make test-mpi`) they are skipped.
@Suite(.serialized, .enabled(if: Hosts.available, "needs the namespace hosts of `make test-hosts`"))
struct HostsTests {
    /// 3,600 training samples: 72 batches of 50 an epoch (an epoch of a second or two), with dropout.
    static let options = ["--limit", "4000", "--hidden", "32", "--batch-size", "50", "--threads", "1", "--dropout", "0.2",
                          "--patience", "0", "--precision", "float64",  // 1e-12 is float64's rounding
                          "--validation-fraction", "0.1"]  // the counts of all-reduces below include the validation shards'
    /// Doubles in one all-reduce: the parameters of 784-32-10 and the loss.
    static let values = 784 * 32 + 32 + 32 * 10 + 10 + 1
    /// The exchange timeout of the fault tests, in seconds.
    static let timeout = 5.0
    /// A bound on any one run: one that hangs fails the test instead of stalling CI.
    static let limit = 120.0

    @Test func twoHostsMatchOneProcessAndTheGradientsCrossTheLink() throws {
        let dir = TestData.temporaryDirectory()
        let two = dir.appendingPathComponent("hosts.json").path, one = dir.appendingPathComponent("one.json").path
        let before = try Hosts.bytesSent()
        let run = try Hosts.train(Self.options + ["--epochs", "2", "--save", two])
        let after = try Hosts.bytesSent()
        #expect(run.status == 0, "\(run.standardError)")
        let plain = try Tool.run(["train"] + Self.options + ["--epochs", "2", "--save", one])
        #expect(plain.status == 0, "\(plain.standardError)")
        try Hosts.expectSameWeights(one, two, within: 1e-12)

        // 2 epochs of 72 all-reduces: each process must send at least its whole buffer's worth to the
        // other (half to be summed there, half summed) for both to end with the sum.
        let lowerBound = 2 * 72 * Self.values * 8
        for host in 0..<2 {
            #expect(after[host] - before[host] >= lowerBound,
                    "node\(host + 1) sent \(after[host] - before[host]) bytes over the link, fewer than the \(lowerBound) the all-reduces need")
        }
    }

    @Test func aLostLinkEndsEveryProcessOnEveryHostAndTheRunResumesFromItsCheckpoint() throws {
        let dir = TestData.temporaryDirectory()
        func file(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let options = Self.options + ["--epochs", "3", "--checkpoint-every", "1"]
        let whole = try Hosts.train(options + ["--checkpoint", file("a.ckpt"), "--save", file("whole.safetensors")])
        #expect(whole.status == 0, "\(whole.standardError)")

        // Host 2's link goes down in the second epoch, just after the checkpoint of the first is written;
        // the exchange overlapped with backprop, so the timeout is the one of the non-blocking per-layer sums.
        let checkpoint = file("b.ckpt")
        var cut = Date()
        let lost = try Hosts.train(options + ["--checkpoint", checkpoint, "--exchange-timeout", String(Self.timeout),
                                              "--exchange", "overlapped"]) {
            while !FileManager.default.fileExists(atPath: checkpoint) && Date().timeIntervalSince(cut) < Self.limit { usleep(10_000) }
            usleep(300_000)
            try Hosts.script(["link", "down"])
            cut = Date()
        }
        defer { _ = try? Hosts.script(["link", "up"]) }
        #expect(!lost.timedOut, "the job hung after host 2's link went down")
        #expect(lost.status != 0)
        let left = Hosts.waitUntilEmpty(deadline: cut.addingTimeInterval(Self.timeout + 30))
        #expect(left.isEmpty, "processes still running \(Self.timeout) + 30 s after the link went down:\n\(left.joined(separator: "\n"))")
        let said = lost.standardError
        #expect(said.contains("process 0 on node1: the all-reduce of the gradients"), "\(said)")
        #expect(said.contains("did not complete within 5 s"), "\(said)")
        #expect(said.contains("process 1 on node2 stopped answering"), "\(said)")
        #expect(said.contains("the last checkpoint is \(checkpoint) (after epoch 1, on node1"), "\(said)")
        #expect(!lost.standardOutput.contains("epoch 2/3"), "epoch 2 ended without host 2:\n\(lost.standardOutput)")
        let saved = try Checkpoint.load(path: checkpoint)
        #expect(saved.history.count == 1, "the checkpoint on disk is the one after epoch 1")

        // With the link back, the run resumes from it (with the default, blocking exchange) to the very
        // weights of the run never interrupted.
        try Hosts.script(["link", "up"])
        let resumed = try Hosts.train(["--resume", checkpoint, "--save", file("resumed.safetensors")])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("resumed from \(checkpoint) after epoch 1"), "\(resumed.standardOutput)")
        let a = try SavedModel.load(path: file("whole.safetensors")), b = try SavedModel.load(path: file("resumed.safetensors"))
        let bits = { (m: SavedModel) in parameterBits(m.layers) }
        #expect(bits(a) == bits(b))
    }

    @Test func aProcessKilledOnHost2EndsTheJobThroughMPIRun() throws {
        // Process 1 (on node2) dies in the 38th step of 72 (epoch 1); the exchange timeout is left at its
        // default (60 s), so an end well before it is mpirun's doing, as without hosts.
        let started = Date()
        let run = try Hosts.train(Self.options + ["--epochs", "2"], environment: ["BACKPROP_TEST_DIE_AT_STEP": "1:38"])
        let seconds = Date().timeIntervalSince(started)
        #expect(!run.timedOut && run.status != 0)
        let said = run.standardOutput + run.standardError
        #expect(said.contains("process 1 killing itself after step 38"), "\(said)")
        #expect(said.contains("rank 1") && said.contains("node2") && said.contains("exited on signal 9"), "\(said)")
        #expect(!said.contains("did not complete within"), "\(said)")
        #expect(seconds < 50, "the job took \(seconds) s to end")
        let left = Hosts.waitUntilEmpty(deadline: Date().addingTimeInterval(10))
        #expect(left.isEmpty, "\(left.joined(separator: "\n"))")
    }

    /// Rate limiting with `tc ... tbf`, since this kernel has no netem to add a delay: at 50 Mbit/s an
    /// all-reduce of 25,451 doubles (204 kB each way) takes at least 33 ms on the wire, several times
    /// its time on the bare link, and an epoch longer than the 5 s timeout; no one exchange comes near it.
    @Test func aSlowLinkSlowsTheRunWithoutTrippingTheTimeout() throws {
        let dir = TestData.temporaryDirectory()
        let two = dir.appendingPathComponent("slow.json").path, one = dir.appendingPathComponent("one.json").path
        try Hosts.script(["slow", "50mbit"])
        defer { _ = try? Hosts.script(["slow", "off"]) }
        // Overlapped: the per-layer sums waited for under the timeout.
        let run = try Hosts.train(Self.options + ["--epochs", "1", "--exchange-timeout", String(Self.timeout), "--exchange", "overlapped",
                                                  "--save", two])
        let shaped = try Hosts.script(["shaped"])
        try Hosts.script(["slow", "off"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(!run.standardError.contains("did not complete within"), "\(run.standardError)")
        // The shaper held packets back (tbf counts each time the rate stopped a packet).
        #expect((Int(shaped.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, "tc: \(shaped)")
        let plain = try Tool.run(["train"] + Self.options + ["--epochs", "1", "--save", one])
        #expect(plain.status == 0, "\(plain.standardError)")
        try Hosts.expectSameWeights(one, two, within: 1e-12)
    }
}

extension HostsTests {
    /// The README's multi-host commands, run as written on the two hosts (from a folder with its
    /// hostfile and `.build-mpi/release/backprop`, the tested build): the run, then the same run with
    /// process 1 killed in epoch 2, and the README's resume command after it, which must end where
    /// the uninterrupted run did.
    @Test func theReadmeMultiHostCommandsRunAsWritten() throws {
        let readme = try String(contentsOfFile: Hosts.packageRoot.appendingPathComponent("README.md").path, encoding: .utf8)
        let blocks = readme.components(separatedBy: "```sh\n").dropFirst().map { $0.components(separatedBy: "\n```")[0] }
        guard let start = blocks.first(where: { $0.contains("--hostfile hosts") && $0.contains("# node1") }),
              let resume = blocks.first(where: { $0.contains("--hostfile hosts") && $0.contains("--resume run.ckpt") }) else {
            Issue.record("README: no sh block with the hostfile and mpirun, or none with its --resume")
            return
        }
        func commands(_ block: String) -> [String] {
            block.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n").map(String.init).filter { $0.hasPrefix("mpirun ") }
        }
        let hostfile = start.split(separator: "\n").filter { $0.hasPrefix("# node") }.map { $0.dropFirst(2) + "\n" }.joined()
        #expect(commands(start).count == 1 && commands(resume).count == 1, "\(start)\n\(resume)")
        func folder() throws -> URL {
            let dir = TestData.temporaryDirectory()
            try hostfile.write(to: dir.appendingPathComponent("hosts"), atomically: true, encoding: .utf8)
            let build = dir.appendingPathComponent(".build-mpi/release")
            try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: build.appendingPathComponent("backprop"), withDestinationURL: Tool.executable)
            return dir
        }
        func run(_ line: String, in dir: URL, environment: [String: String] = [:]) throws -> MPIRun.Output {
            try MPIRun.launch([Hosts.scriptPath, "shell", line], timeout: Self.limit, environment: environment, directory: dir)
        }
        let whole = try folder(), interrupted = try folder()
        let first = try run(commands(start)[0], in: whole)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("in each of 2 process(es)"), "\(first.standardOutput)")
        // 3,000 training samples (train's default keeps no validation split) in batches of 256:
        // 12 steps an epoch; process 1 dies in epoch 2.
        let dying = try run(commands(start)[0], in: interrupted, environment: ["BACKPROP_TEST_DIE_AT_STEP": "1:18"])
        #expect(dying.status != 0 && (dying.standardOutput + dying.standardError).contains("exited on signal 9"), "\(dying.standardError)")
        let resumed = try run(commands(resume)[0], in: interrupted)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("resumed from run.ckpt after epoch 1"), "\(resumed.standardOutput)")
        let a = try SavedModel.load(path: whole.appendingPathComponent("model.json").path)
        let b = try SavedModel.load(path: interrupted.appendingPathComponent("model.json").path)
        let bits = { (m: SavedModel) in parameterBits(m.layers) }
        #expect(bits(a) == bits(b))
    }
}

/// The two namespace hosts of `scripts/hosts.sh`, named by `BACKPROP_HOSTS`.
enum Hosts {
    static var available: Bool { ProcessInfo.processInfo.environment["BACKPROP_HOSTS"] != nil }

    /// The package's folder.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `scripts/hosts.sh` of this package.
    static var scriptPath: String { packageRoot.appendingPathComponent("scripts/hosts.sh").path }

    /// Runs `scripts/hosts.sh arguments...`; returns what it printed, throws when it fails.
    @discardableResult
    static func script(_ arguments: [String]) throws -> String {
        let run = try MPIRun.launch([scriptPath] + arguments, timeout: 30)
        guard run.status == 0 else { throw HostsError(message: "hosts.sh \(arguments.joined(separator: " ")): \(run.standardError)") }
        return run.standardOutput
    }

    /// `backprop train --distributed arguments...` with one process on each host (mpirun started on node1).
    static func train(_ arguments: [String], environment: [String: String] = [:],
                      during: () throws -> Void = {}) throws -> MPIRun.Output {
        try MPIRun.launch([scriptPath, "mpirun", Tool.executable.path, "train", "--distributed"] + arguments,
                          timeout: HostsTests.limit, environment: environment, during: during)
    }

    /// Bytes node1 and node2 have sent over the link (the veth counters).
    static func bytesSent() throws -> [Int] {
        try script(["bytes"]).split(separator: "\n").map { line in
            guard let n = line.split(separator: " ").last.flatMap({ Int($0) }) else { throw HostsError(message: "bytes: \(line)") }
            return n
        }
    }

    /// Waits until no process runs on either host, or `deadline`; returns the ones left.
    static func waitUntilEmpty(deadline: Date) -> [String] {
        var left: [String] = []
        repeat {
            left = ((try? script(["pids"])) ?? "?").split(separator: "\n").map(String.init)
            if left.isEmpty { return [] }
            usleep(250_000)
        } while Date() < deadline
        return left
    }

    /// Expects the two saved models' parameters to agree within `tolerance` relative to their scale.
    static func expectSameWeights(_ a: String, _ b: String, within tolerance: Double) throws {
        let one = try SavedModel.load(path: a), other = try SavedModel.load(path: b)
        #expect(one.layers.allSatisfy { $0.weights.elements.contains { $0 != 0 } }, "trained weights are not all zero")
        for (l, (x, y)) in zip(one.layers, other.layers).enumerated() {
            let difference = MPIRun.relativeDifference(x.weights.elements + (x.bias ?? []), y.weights.elements + (y.bias ?? []))
            #expect(difference <= tolerance, "layer \(l): max |Δw| / max |w| = \(difference)")
        }
    }

    struct HostsError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
#endif
