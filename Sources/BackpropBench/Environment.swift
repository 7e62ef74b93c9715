// Environment.swift: where a result came from: processor, OpenBLAS configuration, thread settings, Swift version.
import Backprop
import Foundation

/// Where a result came from: the machine, OpenBLAS, Swift, and the settings that change speed.
struct BenchEnvironment: Encodable {
    var date, cpuModel: String
    var cores: Int
    var openBLASConfiguration, openBLASCore: String
    /// OpenBLAS's thread count before the bench set it (its default for this machine).
    var openBLASDefaultThreads: Int
    var swiftVersion, kernel: String
    /// OPENBLAS_* and OMP_* variables, which change which kernels and how many threads run.
    var variables: [String: String]
    var quick: Bool
    /// /proc/loadavg's three averages when the bench started and ended: above the core count,
    /// other work shared the machine and the times are pessimistic.
    var loadAverageAtStart: String
    var loadAverageAtEnd = ""

    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func current(quick: Bool, defaultThreads: Int) -> BenchEnvironment {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        var uts = utsname()
        uname(&uts)
        let release = withUnsafeBytes(of: &uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let swift = runProcess("/usr/bin/env", ["swift", "--version"])
            .flatMap { output in (output.standardOutput + output.standardError).split(separator: "\n").first { $0.contains("Swift version") } }
            .map(String.init) ?? "unknown (swift not on PATH)"
        let variables = ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("OPENBLAS_") || $0.key.hasPrefix("OMP_") }
        let formatter = ISO8601DateFormatter()
        return BenchEnvironment(date: formatter.string(from: Date()), cpuModel: model,
                                cores: ProcessInfo.processInfo.activeProcessorCount,
                                openBLASConfiguration: BLASThreads.configuration, openBLASCore: BLASThreads.coreName,
                                openBLASDefaultThreads: defaultThreads, swiftVersion: swift, kernel: "Linux " + release,
                                variables: variables, quick: quick, loadAverageAtStart: loadAverage())
    }

    var lines: [String] {
        ["CPU: \(cpuModel), \(cores) cores; \(kernel)",
         "OpenBLAS: \(openBLASConfiguration); core \(openBLASCore); \(openBLASDefaultThreads) threads by default",
         "Swift: \(swiftVersion)"] + (OpenBLASKernels.replacementNote.map { [$0] } ?? []) + [
         "load average at the start: \(loadAverageAtStart)",
         "environment: " + (variables.isEmpty ? "no OPENBLAS_* or OMP_* variables"
                            : variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))]
    }
}

/// What a child process printed and how it ended.
struct ProcessOutput {
    var status: Int32
    var standardOutput, standardError: String
}

/// This process's environment as the user set it: without the `OPENBLAS_CORETYPE` that
/// `OpenBLASKernels.restartWithBetterKernelsIfNeeded` chose, so the peers (NumPy, PyTorch, JAX,
/// ONNX Runtime, with BLAS libraries of their own) choose their kernels as they would for the user.
let userEnvironment = OpenBLASKernels.environmentBeforeRestart(ProcessInfo.processInfo.environment)

/// Runs `path arguments...` to completion with standard input closed, in `environment` (default:
/// ``userEnvironment``); nil when it cannot start.
func runProcess(_ path: String, _ arguments: [String], environment: [String: String] = userEnvironment) -> ProcessOutput? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    // Read both pipes before waiting, on two threads, so neither can fill and stall the child.
    final class Box: @unchecked Sendable { var data = Data() }
    let errBox = Box()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { errBox.data = err.fileHandleForReading.readDataToEndOfFile() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessOutput(status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
                         standardError: String(decoding: errBox.data, as: UTF8.self))
}

/// Peak resident memory of a child run, read from the kernel's own accounting (wait4's rusage).
struct MemoryResult: Encodable {
    var command: String
    var peakResidentBytes, seconds: Double
    var status: Int32
}

/// Runs `path arguments...` (found on PATH with `search`) with its standard output discarded, or written to the
/// file `output`, and returns its peak resident set size.
func measurePeakMemory(_ path: String, _ arguments: [String], output: String? = nil, search: Bool = false) -> MemoryResult? {
    var pid: pid_t = 0
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let started = MonotonicClock.seconds()
    guard (search ? posix_spawnp : posix_spawn)(&pid, path, &actions, nil, argv, environ) == 0 else { return nil }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return MemoryResult(command: ([URL(fileURLWithPath: path).lastPathComponent] + arguments).joined(separator: " "),
                        peakResidentBytes: Double(usage.ru_maxrss) * 1024, seconds: MonotonicClock.seconds() - started,
                        status: exitStatus)
}
