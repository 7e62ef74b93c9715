// Tool.swift: runs the built `backprop` executable for the tool's tests.
import Foundation

/// Runs the built `backprop` executable, which `swift test` builds beside the test bundle.
public enum Tool {
    /// What one run printed and how it ended.
    public struct Output {
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
    }

    /// The `backprop` binary in the same build folder as the running tests.
    public static var executable: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = bundle.deletingLastPathComponent()
        // Linux runs .../debug/BackpropPackageTests.xctest; be tolerant of a bundle layout too.
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("backprop").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("backprop")
    }

    /// Runs `backprop arguments...` to completion, with `standardInput` closed.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        try run(executable, arguments, environment: environment)
    }

    /// Runs the program at `executable` with `arguments` to completion, with `standardInput` closed.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read before waiting, so a large output cannot fill the pipe and stall the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      standardOutput: String(decoding: outData, as: UTF8.self),
                      standardError: String(decoding: errData, as: UTF8.self))
    }
}
