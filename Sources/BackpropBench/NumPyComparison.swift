// NumPyComparison.swift: what `scripts/numpy_bench.py` measured (its JSON line).
import Foundation

/// What `scripts/numpy_bench.py` measured (its JSON line).
struct NumPyResult: Codable {
    var numpyVersion, pythonVersion: String
    /// threadpoolctl's description of the BLAS NumPy calls (library, version, kernel family, threads).
    var blas: [String: JSONScalar]
    var network: String
    var batch, samples: Int
    /// The faster of the epoch runs, and its BLAS thread count ("default" or "1").
    var epochSeconds, samplesPerSecond: Double
    var blasThreads: String
    var epochSecondsByThreads: [String: Double]
    var trainingLoss, quizStepSeconds: Double
}

/// A JSON string, number or null, enough for threadpoolctl's fields.
enum JSONScalar: Codable, CustomStringConvertible {
    case string(String), number(Double), null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let n = try? container.decode(Double.self) { self = .number(n) }
        else { self = .string(try container.decode(String.self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let s): try container.encode(s)
        case .number(let n): try container.encode(n)
        case .null: try container.encodeNil()
        }
    }

    var description: String {
        switch self {
        case .string(let s): return s
        case .number(let n): return n == n.rounded() ? String(Int(n)) : String(n)
        case .null: return "null"
        }
    }
}

/// Runs the NumPy script with `python`; nil (with the reason) when Python or NumPy is missing or it fails.
func runNumPy(python: String, script: String, quick: Bool, log: (String) -> Void) -> (NumPyResult?, String?) {
    log("numpy: \(script)\(quick ? " --quick" : "")")
    guard let check = runProcess("/usr/bin/env", [python, "-c", "import numpy"]), check.status == 0 else {
        return (nil, "\(python) with NumPy not found; the NumPy comparison is skipped")
    }
    guard let output = runProcess("/usr/bin/env", [python, script] + (quick ? ["--quick"] : [])), output.status == 0 else {
        return (nil, "the NumPy script failed; the comparison is skipped")
    }
    guard let line = output.standardOutput.split(separator: "\n").last,
          let result = try? JSONDecoder().decode(NumPyResult.self, from: Data(line.utf8)) else {
        return (nil, "the NumPy script printed no result line; the comparison is skipped")
    }
    return (result, nil)
}
