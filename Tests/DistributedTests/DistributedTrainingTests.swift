// DistributedTrainingTests.swift: `mpirun -np N backprop train --distributed` on this machine against one process.
import Backprop
import ModelFiles
import Foundation
import Testing
import TestSupport

#if MPI
/// `mpirun -np N backprop train --distributed` on this machine (`make test-mpi` builds with the MPI
/// trait and runs these; they need Open MPI's `mpirun` and Fashion-MNIST).
@Suite(.serialized) struct DistributedTrainingTests {
    /// Three epochs of 18 batches of 50 (900 training samples), with dropout, so masks and shards both matter.
    static let small = ["--limit", "1000", "--hidden", "32", "--batch-size", "50", "--threads", "1", "--dropout", "0.2",
                        "--patience", "0", "--precision", "float64",  // 1e-12 is float64's rounding
                        "--validation-fraction", "0.1"]  // the counts of all-reduces below include the validation shards'
    /// ``small`` with the values of some of its options replaced.
    static func small(_ values: [String: String]) -> [String] {
        var options = small
        for i in options.indices.dropFirst() { if let v = values[options[i - 1]] { options[i] = v } }
        return options
    }
    /// A bound on any one run: a job that hangs fails the test instead of stalling CI.
    static let timeout = 60.0

    @Test func twoAndThreeProcessesMatchOneWithTheSameGlobalBatch() throws {
        let dir = TestData.temporaryDirectory()
        func model(_ name: String) -> String { dir.appendingPathComponent(name).path }
        var logs: [Int: String] = [:]
        for processes in [1, 2, 3] {
            let run = try MPIRun.run(processes: processes, ["train", "--distributed"] + Self.small
                                     + ["--epochs", "3", "--save", model("np\(processes).json")], timeout: Self.timeout)
            #expect(run.status == 0, "\(processes) process(es): \(run.standardError)")
            logs[processes] = run.standardOutput
        }
        let plain = try Tool.run(["train"] + Self.small + ["--epochs", "3", "--save", model("plain.json")])
        #expect(plain.status == 0, "\(plain.standardError)")

        // One all-reduce per step (the default, blocking exchange), of every parameter and the loss
        // (784·32 + 32 + 32·10 + 10 + 1 values), and one per epoch of the validation shards' loss and
        // correct count (2 values): 3 · 18 + 3 calls, reported with their mean size.
        let calls = 3 * 18 + 3, mean = (3 * 18 * (784 * 32 + 32 + 32 * 10 + 10 + 1) + 3 * 2) / calls
        #expect(logs[2]?.contains("all-reduce") == true && logs[2]?.contains("in \(calls) calls of \(mean) values") == true, "\(logs[2] ?? "")")
        #expect(logs[2]?.components(separatedBy: "\nepoch ").count == 4, "process 0 alone prints: one line per epoch\n\(logs[2] ?? "")")

        let one = try SavedModel.load(path: model("np1.json"))
        #expect(one.layers.allSatisfy { $0.weights.elements.contains { $0 != 0 } }, "trained weights are not all zero")
        for other in ["np2.json", "np3.json", "plain.json"] {
            let m = try SavedModel.load(path: model(other))
            for (l, (a, b)) in zip(one.layers, m.layers).enumerated() {
                let difference = MPIRun.relativeDifference(a.weights.elements + (a.bias ?? []), b.weights.elements + (b.bias ?? []))
                #expect(difference <= 1e-12, "\(other), layer \(l): max |Δw| / max |w| = \(difference)")
            }
        }
        // Not vacuous: another seed lands far away.
        let other = try MPIRun.run(processes: 2, ["train", "--distributed"] + Self.small
                                   + ["--epochs", "3", "--seed", "2", "--save", model("seed2.json")], timeout: Self.timeout)
        #expect(other.status == 0, "\(other.standardError)")
        let seed2 = try SavedModel.load(path: model("seed2.json"))
        #expect(MPIRun.relativeDifference(one.layers[0].weights.elements, seed2.layers[0].weights.elements) > 1e-3)
    }

    @Test func theOverlappedExchangeIsTakenAndGivesTheBlockingWeightsBitForBit() throws {
        let dir = TestData.temporaryDirectory()
        func model(_ name: String) -> String { dir.appendingPathComponent(name).path }
        func bits(_ path: String) throws -> [UInt64] {
            try parameterBits(SavedModel.load(path: path).layers)
        }
        // Three hidden layers, so that two layers' exchanges are started while backprop goes on below them.
        let options = ["train", "--distributed"] + Self.small(["--hidden": "32,16,16"]) + ["--epochs", "2"]
        for processes in [2, 3] {
            var saved: [String: [UInt64]] = [:]
            for mode in ["overlapped", "blocking"] {
                let path = model("\(mode)\(processes).json")
                let run = try MPIRun.run(processes: processes, options + ["--exchange", mode, "--save", path], timeout: Self.timeout)
                #expect(run.status == 0, "\(processes) processes, \(mode): \(run.standardError)")
                // 2 epochs of 18 steps: 4 all-reduces a step (one per layer) overlapped, 1 blocking, and
                // one a validation.
                let steps = mode == "overlapped" ? "; 36 steps' exchanges overlapped with backprop" : ""
                let calls = 2 * 18 * (mode == "overlapped" ? 4 : 1) + 2
                #expect(run.standardOutput.contains("in \(calls) calls of"), "\(processes) processes, \(mode):\n\(run.standardOutput)")
                #expect(run.standardOutput.contains("overlapped with backprop") == !steps.isEmpty
                        && (steps.isEmpty || run.standardOutput.contains(steps)), "\(processes) processes, \(mode):\n\(run.standardOutput)")
                saved[mode] = try bits(path)
            }
            #expect(saved["overlapped"] != nil && saved["overlapped"] == saved["blocking"],
                    "\(processes) processes: the overlapped exchange's weights differ from the blocking one's")
        }
        // With two threads a process combines its slices only after the whole backward pass: the
        // exchange is blocking whatever --exchange says.
        let threads = try MPIRun.run(processes: 2, ["train", "--distributed"] + Self.small(["--hidden": "32,16,16", "--threads": "2"])
                                     + ["--epochs", "2", "--exchange", "overlapped"], timeout: Self.timeout)
        #expect(threads.status == 0, "\(threads.standardError)")
        #expect(threads.standardOutput.contains("in \(2 * 18 + 2) calls of") && !threads.standardOutput.contains("overlapped with backprop"),
                "\(threads.standardOutput)")
    }

    @Test func aProcessThatDiesEndsTheJobWithAClearErrorAndTheRunResumes() throws {
        let dir = TestData.temporaryDirectory()
        let options = ["train", "--distributed"] + Self.small + ["--epochs", "4", "--checkpoint-every", "1"]
        let whole = dir.appendingPathComponent("whole.safetensors").path
        let first = try MPIRun.run(processes: 2, options + ["--checkpoint", dir.appendingPathComponent("a.ckpt").path,
                                                            "--save", whole], timeout: Self.timeout)
        #expect(first.status == 0, "\(first.standardError)")

        // Process 1 dies in the second batch of epoch 3 (18 batches an epoch): process 0, waiting in the
        // all-reduce, must not wait forever.
        let checkpoint = dir.appendingPathComponent("b.ckpt").path
        let started = Date()
        let dying = try MPIRun.run(processes: 2, options + ["--checkpoint", checkpoint], timeout: Self.timeout,
                                   environment: ["BACKPROP_TEST_DIE_AT_STEP": "1:38"])
        let seconds = Date().timeIntervalSince(started)
        #expect(!dying.timedOut, "the job hung after a process died (killed after \(Self.timeout) s)")
        #expect(dying.status != 0)
        let said = dying.standardOutput + dying.standardError
        #expect(said.contains("process 1 killing itself after step 38"), "\(said)")
        #expect(said.contains("rank 1") && said.contains("exited on signal 9"), "mpirun names the process that died:\n\(said)")
        #expect(!said.contains("epoch 3/4"), "process 0 finished an epoch without process 1:\n\(said)")
        #expect(seconds < Self.timeout)

        // Every process loads the checkpoint process 0 wrote after epoch 2; the run ends where the whole one did.
        let resumed = dir.appendingPathComponent("resumed.safetensors").path
        let second = try MPIRun.run(processes: 2, ["train", "--distributed", "--resume", checkpoint, "--save", resumed],
                                    timeout: Self.timeout)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(second.standardOutput.contains("resumed from \(checkpoint) after epoch 2"), "\(second.standardOutput)")
        let a = try SavedModel.load(path: whole), b = try SavedModel.load(path: resumed)
        let bits = { (m: SavedModel) in parameterBits(m.layers) }
        #expect(bits(a) == bits(b))
    }

    /// A conv network (`--layers`) trains across 2 processes to the weights of one process, with a
    /// checkpoint each epoch and a safetensors save: nothing in the distributed path is dense-only.
    @Test func aConvNetworkTrainsAcrossProcessesAsInOne() throws {
        let dir = TestData.temporaryDirectory()
        let options = ["--layers", "conv 4 3x3, relu, maxpool 2, flatten, dense 10, softmax", "--limit", "600", "--batch-size", "50",
                       "--threads", "1", "--patience", "0", "--precision", "float64", "--validation-fraction", "0.1", "--epochs", "2",
                       "--checkpoint-every", "1"]
        let two = dir.appendingPathComponent("two.safetensors").path, one = dir.appendingPathComponent("one.safetensors").path
        let run = try MPIRun.run(processes: 2, ["train", "--distributed"] + options
                                 + ["--checkpoint", dir.appendingPathComponent("two.ckpt").path, "--save", two], timeout: Self.timeout)
        #expect(run.status == 0, "\(run.standardError)")
        let plain = try Tool.run(["train"] + options + ["--checkpoint", dir.appendingPathComponent("one.ckpt").path, "--save", one])
        #expect(plain.status == 0, "\(plain.standardError)")
        let a = try SavedModel.load(path: one), b = try SavedModel.load(path: two)
        #expect(a.layers.map(\.kindName) == ["conv2d", "maxpool2d", "flatten", "dense"])
        for (l, (x, y)) in zip(a.layers, b.layers).enumerated() where !x.weights.elements.isEmpty {
            let difference = MPIRun.relativeDifference(x.weights.elements + (x.bias ?? []), y.weights.elements + (y.bias ?? []))
            #expect(difference <= 1e-12, "layer \(l): max |Δw| / max |w| = \(difference)")
        }
        #expect(try Checkpoint.load(path: dir.appendingPathComponent("two.ckpt").path).history.count == 2)
    }
}

/// Runs the built `backprop` under `mpirun`, with a time limit.
enum MPIRun {
    struct Output {
        let status: Int32
        let standardOutput: String
        let standardError: String
        let timedOut: Bool
    }

    /// `mpirun --oversubscribe -np processes backprop arguments...` (with `--allow-run-as-root` as root);
    /// killed, and `timedOut`, if it runs longer than `timeout` seconds.
    static func run(processes: Int, _ arguments: [String], timeout: Double,
                    environment: [String: String] = [:]) throws -> Output {
        try launch(["/usr/bin/env", "mpirun", "--oversubscribe", "-np", String(processes)]
                   + (getuid() == 0 ? ["--allow-run-as-root"] : []) + [Tool.executable.path] + arguments,
                   timeout: timeout, environment: environment)
    }

    /// Runs `command` (its first element the executable's path) in `directory` (default: this one) to
    /// its end, or kills it after `timeout` seconds (then `timedOut`); `during` runs on this thread while
    /// it runs, as soon as it has started.
    static func launch(_ command: [String], timeout: Double, environment: [String: String] = [:],
                       directory: URL? = nil, during: () throws -> Void = {}) throws -> Output {
        let process = Process()
        process.currentDirectoryURL = directory
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        // Drain both pipes while waiting, so a chatty job cannot fill one and stall.
        let collected = Collected()
        let readers = [(out, 0), (err, 1)].map { pipe, k in
            Thread { collected.set(k, pipe.fileHandleForReading.readDataToEndOfFile()) }
        }
        try process.run()
        readers.forEach { $0.start() }
        let deadline = Date().addingTimeInterval(timeout)
        try during()
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let timedOut = process.isRunning
        if timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        // Processes orphaned by a killed mpirun could hold the pipes open: wait for them a bounded time.
        let drained = Date().addingTimeInterval(10)
        while !collected.done && Date() < drained { usleep(5_000) }
        return Output(status: process.terminationStatus,
                      standardOutput: String(decoding: collected.data[0], as: UTF8.self),
                      standardError: String(decoding: collected.data[1], as: UTF8.self), timedOut: timedOut)
    }

    /// max |a − b| / max |a|: the parameters' difference relative to their scale.
    static func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        let scale = a.map(abs).max() ?? 0
        let difference = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        return difference / scale
    }

    private final class Collected: @unchecked Sendable {  // Guarded by the lock.
        private let lock = NSLock()
        private var parts: [Data?] = [nil, nil]
        func set(_ k: Int, _ data: Data) { lock.withLock { parts[k] = data } }
        var done: Bool { lock.withLock { parts.allSatisfy { $0 != nil } } }
        var data: [Data] { lock.withLock { parts.map { $0 ?? Data() } } }
    }
}
#else
/// Without the MPI trait, `--distributed` says how to get a build that has it.
@Suite struct DistributedTrainingTests {
    @Test func distributedWithoutMPIIsAClearError() throws {
        let run = try Tool.run(["train", "--distributed", "--limit", "100"])
        #expect(run.status != 0)
        #expect(run.standardError.contains("built without MPI") && run.standardError.contains("--traits MPI"), "\(run.standardError)")
        #expect(!run.standardOutput.contains("epoch "))
    }
}
#endif
