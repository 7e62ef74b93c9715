// Verify.swift: `backprop verify PATH...`.
import ArgumentParser
import Backprop
import ModelFiles
import Foundation

/// `backprop verify PATH...`: checks case files against their `expected` blocks.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check case files (or folders of them) against their expected outputs, loss and steps.",
        discussion: """
            Agreement is judged per number with |a − e| ≤ 1e-12 + 1e-9·|e| (Tests/Vectors/FORMAT.md); with --precision float32, where the case's numbers are rounded to float32 and every operation is in float32, with |a − e| ≤ 1e-5·|e| + 1e-5·(the field's largest |e|), about 40 roundings of 2⁻²⁴ with a margin of four. Prints one line per case and a last line "N passed, M failed"; exits non-zero when any case fails.
            """
    )

    @Argument(help: "Case files, or folders whose *.json files are all cases.")
    var paths: [String]

    @Option(help: "Backend to check: blas, reference or both.")
    var backend: BackendSelection = .both

    @Option(help: "Precision to compute in: float32 or float64.")
    var precision: Precision = PrecisionDefault.checks

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one case file or folder") }
    }

    func run() throws {
        var passed = 0, failed = 0
        for file in try caseFiles() {
            let line = check(file)
            print(line.ok ? "PASS  \(line.text)" : "FAIL  \(line.text)")
            if line.ok { passed += 1 } else { failed += 1 }
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode.failure }
    }

    /// One case on every selected backend: its line of the report.
    private func check(_ file: String) -> (ok: Bool, text: String) {
        let trainingCase: TrainingCase
        do {
            trainingCase = try TrainingCase.load(path: file)
        } catch {
            return (false, "\(file): \(error)")
        }
        guard trainingCase.expected != nil else {
            return (false, "\(trainingCase.name): \(file) has no expected block to check against")
        }
        for choice in backend.backends {
            if let mismatch = trainingCase.firstMismatch(choice.computeStep(trainingCase, precision: precision),
                                                         tolerance: .step(precision)) {
                return (false, "\(trainingCase.name) [\(choice.rawValue)\(precision == .float64 ? "" : ", \(precision.rawValue)")]: \(mismatch)")
            }
        }
        let backends = backend.backends.map(\.rawValue).joined(separator: ", ")
        return (true, "\(trainingCase.name) [\(backends)\(precision == .float64 ? "" : ", \(precision.rawValue)")]")
    }

    /// The files named, with folders expanded to their `*.json` files in name order.
    private func caseFiles() throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ValidationError("\(path): no such file or folder")
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path)
                    .filter { $0.hasSuffix(".json") }.sorted()
                if names.isEmpty { throw ValidationError("\(path): the folder holds no *.json case files") }
                files += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }
}
