// FuzzSupport.swift: starts libFuzzer and gives path-based readers a temporary file holding the input.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer's entry point for programs that have their own `main` (SwiftPM names each executable's
/// entry point itself, so a target cannot simply leave `main` to libFuzzer).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// Runs libFuzzer with the process's arguments, calling `test` with each input; exits with its status.
/// `test` must return normally (throwing readers are wrapped in `try?`): any crash, trap, hang or
/// oversized allocation inside it is what the fuzzer reports.
public func runFuzzer(_ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, test))
}

/// The input as bytes (libFuzzer may pass a null pointer for the empty input).
public func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}

/// Writes `bytes` to this process's scratch file `name` (in $TMPDIR or /tmp, replaced on every
/// call) and returns its path, for readers that only take a path.
public func scratchFile(_ name: String, _ bytes: [UInt8]) -> String {
    let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    let path = "\(directory)/backprop-fuzz-\(getpid())-\(name)"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0, "cannot create \(path)")
    var done = 0
    bytes.withUnsafeBytes { buffer in
        while done < buffer.count {
            let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
            precondition(n > 0, "cannot write \(path)")
            done += n
        }
    }
    close(fd)
    if !registered.contains(path) {
        registered.append(path)
        if registered.count == 1 { atexit { for path in registered { unlink(path) } } }
    }
    return path
}

/// Scratch files to remove at exit. libFuzzer calls the test from one thread only.
nonisolated(unsafe) private var registered: [String] = []
