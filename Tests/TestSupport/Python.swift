// Python.swift: runs `python3` scripts for the tests that check against Python.
import Foundation

/// Runs `python3` scripts for the tests that check against Python: NumPy and Python's own
/// `safetensors` package. A missing `python3` or package is an error that says how to install it:
/// these tests fail rather than skip.
public enum Python {
    /// Whether PyTorch and safetensors' torch loader import (the PyTorch checks run only then).
    public static let torchAvailable = (try? run("import torch, safetensors.torch")) != nil

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `python3 -c script arguments...` and returns its standard output; a non-zero exit throws
    /// with the standard error.
    public static func run(_ script: String, _ arguments: [String] = []) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(description: "cannot start python3 (\(error)); install Python 3, then `pip install safetensors numpy`")
        }
        // Read before waiting, so a large output cannot fill the pipe and stall the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 exited with status \(process.terminationStatus): \(String(decoding: errData, as: UTF8.self))")
        }
        return String(decoding: outData, as: UTF8.self)
    }

    /// Throws, saying `pip install safetensors numpy`, unless Python can import `safetensors.numpy`.
    public static func requireSafetensors() throws {
        do {
            _ = try run("import numpy, safetensors.numpy")
        } catch {
            throw Failure(description: "these tests need Python's safetensors and numpy: run `pip install safetensors numpy` (\(error))")
        }
    }

    /// Loads a safetensors file with `safetensors.numpy.load_file` and returns its metadata and,
    /// per tensor, NumPy's dtype name, shape, and the values' float64 bit patterns.
    public static func loadSafetensors(_ path: String) throws -> (metadata: [String: String], tensors: [String: (dtype: String, shape: [Int], bits: [UInt64])]) {
        let script = """
            import json, sys
            import numpy as np
            from safetensors import safe_open
            from safetensors.numpy import load_file
            tensors = load_file(sys.argv[1])
            with safe_open(sys.argv[1], framework="numpy") as f:
                metadata = f.metadata() or {}
            out = {"metadata": metadata, "tensors": {}}
            for name, a in tensors.items():
                wide = np.ascontiguousarray(a.astype(np.float64)).reshape(-1)
                out["tensors"][name] = {"dtype": str(a.dtype), "shape": list(a.shape),
                                        "bits": [format(int(b), "016x") for b in wide.view("<u8")]}
            print(json.dumps(out))
            """
        let text = try run(script, [path])
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let metadata = root["metadata"] as? [String: String],
              let tensors = root["tensors"] as? [String: [String: Any]] else {
            throw Failure(description: "unexpected output from python3: \(text)")
        }
        var out: [String: (dtype: String, shape: [Int], bits: [UInt64])] = [:]
        for (name, t) in tensors {
            guard let dtype = t["dtype"] as? String, let shape = t["shape"] as? [Int], let bits = t["bits"] as? [String] else {
                throw Failure(description: "unexpected entry for \(name): \(t)")
            }
            out[name] = (dtype, shape, bits.compactMap { UInt64($0, radix: 16) })
        }
        return (metadata, out)
    }
}
