// Distributed.swift: epochs of `backprop train --distributed` under `mpirun`, as its process 0 reported them.
import Foundation

/// Epochs of `backprop train --distributed` under `mpirun`, as its process 0 reported them.
struct DistributedResult: Encodable {
    var processes: Int
    /// Worker threads in each process (`--threads`).
    var threads, samples, epochs: Int
    var samplesPerSecond, trainingSeconds: Double
    /// Time process 0 spent inside MPI_Allreduce, after a barrier (so without waiting for the others).
    var allReduceSeconds: Double
    /// Time process 0 spent in that barrier: waiting for the slowest process of each step.
    var waitingSeconds: Double?
    var allReduceCalls, valuesPerCall: Int
    /// Between two test hosts (`scripts/hosts.sh`): the link, "veth" or "veth at RATE" when rate-limited;
    /// nil for processes on one machine.
    var link: String?
    /// `--exchange`: "overlapped" (one all-reduce per layer during backprop) or "blocking" (one after it).
    var exchange: String = "blocking"
    var command: String

    var allReduceShare: Double { allReduceSeconds / trainingSeconds }
}

/// The settings the distributed bench trains with, spelled out so its figures do not move with
/// `backprop train`'s defaults.
let runSettings = ["--batch-size", "128", "--dropout", "0.3", "--learning-rate", "0.001", "--schedule", "plateau"]

/// Runs the default network (784-256-128-10, batch 128, dropout 0.3, Adam) on 1 process × 1 thread,
/// 2 processes × 1 thread, and 1 process × 2 threads for comparison with in-process parallelism.
func measureDistributed(tool: String, quick: Bool, log: (String) -> Void) -> ([DistributedResult], String?) {
    guard let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first(where: FileManager.default.isExecutableFile) else {
        return ([], "mpirun not found (scripts/setup.sh --mpi installs Open MPI)")
    }
    let epochs = quick ? 1 : 2
    let common = ["train", "--distributed", "--epochs", String(epochs), "--validation-fraction", "0", "--patience", "0"] + runSettings
        + (quick ? ["--limit", "10000"] : [])
    var results: [DistributedResult] = []
    var notes: [String] = []
    for (processes, threads) in [(1, 1), (2, 1), (1, 2)] {
        // mpirun binds each process to a core when there are no more processes than cores; one process
        // with two threads needs both. OpenBLAS runs single-threaded in every configuration.
        let launch = ["--oversubscribe", "-np", String(processes), "-x", "OPENBLAS_NUM_THREADS=1", "-x", "BACKPROP_MPI_TIME_WAITING=1"]
            + (getuid() == 0 ? ["--allow-run-as-root"] : []) + (threads > 1 ? ["--bind-to", "none"] : [])
        let arguments = launch + [tool] + common + ["--threads", String(threads)]
        switch runDistributed(mpirun, arguments, processes: processes, threads: threads, epochs: epochs, log: log) {
        case .success(let result): results.append(result)
        case .failure(let note): notes.append(note.message)
        }
    }
    return (results, notes.isEmpty ? nil : notes.joined(separator: "; "))
}

/// Runs the default network on two test hosts (`script`, i.e. `scripts/hosts.sh`, with its hosts up),
/// one process each, over the bare link and the link rate-limited to each of `rates` (tc tbf), with
/// the exchange blocking (one all-reduce after backprop) and overlapped (one per layer during it).
func measureHosts(tool: String, script: String, quick: Bool, rates: [String], log: (String) -> Void) -> ([DistributedResult], String?) {
    let epochs = quick ? 1 : 2
    let arguments = ["mpirun", tool, "train", "--distributed", "--epochs", String(epochs), "--validation-fraction", "0",
                     "--patience", "0", "--threads", "1"] + runSettings + (quick ? ["--limit", "10000"] : [])
    var results: [DistributedResult] = []
    var notes: [String] = []
    for rate in [nil] + rates.map(Optional.some) {
        if let failure = runScript(script, ["slow", rate ?? "off"]) { notes.append(failure); continue }
        for exchange in ["blocking", "overlapped"] {
            switch runDistributed(script, arguments + ["--exchange", exchange], processes: 2, threads: 1, epochs: epochs, log: log) {
            case .success(var result):
                result.link = rate.map { "veth at \($0)" } ?? "veth"
                result.exchange = exchange
                results.append(result)
            case .failure(let note): notes.append(note.message)
            }
        }
    }
    if let failure = runScript(script, ["slow", "off"]) { notes.append(failure) }
    return (results, notes.isEmpty ? nil : notes.joined(separator: "; "))
}

/// A failed distributed run: its command, status and the end of its output.
struct DistributedFailure: Error { let message: String }

/// Runs `executable arguments...` (mpirun, or a script that starts it) with OpenBLAS at one thread and
/// the wait for the slowest process timed apart, and reads process 0's report.
func runDistributed(_ executable: String, _ arguments: [String], processes: Int, threads: Int, epochs: Int,
                    log: (String) -> Void) -> Result<DistributedResult, DistributedFailure> {
    let command = ([URL(fileURLWithPath: executable).lastPathComponent] + arguments).joined(separator: " ")
    log("distributed: \(command)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(["OPENBLAS_NUM_THREADS": "1", "BACKPROP_MPI_TIME_WAITING": "1"]) { $1 }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch { return .failure(DistributedFailure(message: "\(command): \(error)")) }
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0, let result = parseDistributed(text, processes: processes, threads: threads,
                                                                        epochs: epochs, command: command) else {
        return .failure(DistributedFailure(message: "\(command) failed (status \(process.terminationStatus)): \(text.suffix(300))"))
    }
    return .success(result)
}

/// Runs `script arguments...`; nil when it succeeds, else what went wrong.
private func runScript(_ script: String, _ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: script)
    process.arguments = arguments
    do { try process.run() } catch { return "\(script): \(error)" }
    process.waitUntilExit()
    return process.terminationStatus == 0 ? nil : "\(script) \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus))"
}

/// The numbers of process 0's "training ... on N samples" and "distributed over ..." lines.
func parseDistributed(_ text: String, processes: Int, threads: Int, epochs: Int, command: String) -> DistributedResult? {
    guard let header = text.firstMatch(of: /training .* on (\d+) samples/),
          let line = text.firstMatch(of: /distributed over \d+ process\(es\): ([0-9.]+) samples\/s in training \(([0-9.]+) s\); all-reduce ([0-9.]+) s in (\d+) calls of (\d+) values/),
          let samples = Int(header.1), let rate = Double(line.1), let seconds = Double(line.2), let reduce = Double(line.3),
          let calls = Int(line.4), let values = Int(line.5) else { return nil }
    let waiting = text.firstMatch(of: /after ([0-9.]+) s waiting for the slowest process/).flatMap { Double($0.1) }
    return DistributedResult(processes: processes, threads: threads, samples: samples, epochs: epochs, samplesPerSecond: rate,
                             trainingSeconds: seconds, allReduceSeconds: reduce, waitingSeconds: waiting, allReduceCalls: calls,
                             valuesPerCall: values, link: nil, command: command)
}

func distributedTable(_ results: [DistributedResult]) -> Table {
    var table = Table(header: [results.contains { $0.link != nil } ? "link" : "processes × threads", "exchange", "samples/s", "vs 1 × 1", "training s",
                               "all-reduce s", "share", "calls", "ms per call", "values per call", "waiting s"],
                      rightAligned: Set(2...10))
    let base = results.first { $0.processes == 1 && $0.threads == 1 }?.samplesPerSecond
    for r in results {
        table.rows.append([r.link ?? "\(r.processes) × \(r.threads)", r.processes > 1 ? r.exchange : "—", format(r.samplesPerSecond, "%.0f"),
                           ratioText(base.map { r.samplesPerSecond / $0 }), format(r.trainingSeconds),
                           format(r.allReduceSeconds, "%.3f"), format(100 * r.allReduceShare, "%.1f%%"), String(r.allReduceCalls),
                           format(r.allReduceCalls > 0 ? 1e3 * r.allReduceSeconds / Double(r.allReduceCalls) : nil, "%.3f"),
                           String(r.valuesPerCall), format(r.waitingSeconds, "%.3f")])
    }
    return table
}
