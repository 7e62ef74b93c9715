// LocatedMessageTests.swift: messages quote a short piece of the input and locate the problem.
import Foundation
import Testing
import TestSupport

/// Messages quote at most ~200 characters of the input and say how long it was, give the line and
/// column of a JSON syntax error, name the field of a number a Double cannot hold, and say which
/// kind a file is when it is given where another kind belongs.
@Suite struct LocatedMessageTests {
    func expectRefused(_ arguments: [String], _ messages: [String], shorterThan limit: Int = 1_000,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let run = try Tool.run(arguments)
        #expect(run.status != 0 && run.status < 128, "\(arguments): status \(run.status)", sourceLocation: sourceLocation)
        for message in messages {
            #expect(run.standardError.contains(message), "\(arguments): \(run.standardError.prefix(2_000))", sourceLocation: sourceLocation)
        }
        #expect(run.standardError.count < limit, "\(arguments): \(run.standardError.count) characters of error", sourceLocation: sourceLocation)
    }

    static let model = #"{"format": "backprop-model", "version": 1, "layers": [{"weights": [[VALUE]], "bias": null, "activation": "sigmoid"}], "loss": "squared_error"}"#

    @Test func longInputIsCutAndItsLengthSaid() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("wide.csv").path
        try (String(repeating: "a", count: 100_000) + ",b,label\n1,2,0\n").write(toFile: csv, atomically: true, encoding: .utf8)
        try expectRefused(["train", "--data", csv, "--label-column", "zzz"], ["no column named \"zzz\"", "…\" (100000 characters)"])
        let longName = String(repeating: "z", count: 100_000)
        try expectRefused(["train", "--data", csv, "--label-column", longName], ["(100000 characters)"])

        let name = String(repeating: "s", count: 50_000)
        let caseFile = dir.appendingPathComponent("case.json").path
        try #"{"name": "x", "layers": [{"weights": [[1.0]], "bias": null, "activation": "\#(name)"}], "loss": "squared_error", "learning_rate": 0.5, "inputs": [[1.0]], "targets": [[1.0]]}"#
            .write(toFile: caseFile, atomically: true, encoding: .utf8)
        try expectRefused(["step", caseFile], ["layers[0].activation: unknown activation \"sss", "…\" (50000 characters)"])
    }

    @Test func jsonThatIsNotJSONGetsTheLineAndColumn() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("broken.json").path
        try "{\n  \"layers\": [\n    {\"weights\": [[1.0]],, }\n]}".write(toFile: file, atomically: true, encoding: .utf8)
        for command in [["step", file], ["inspect", file], ["quiz", file]] {
            try expectRefused(command, ["broken.json: not valid JSON at line 3, column 25: expected a quoted member name, found \", }\""])
        }
    }

    @Test func numbersADoubleCannotHoldNameTheField() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (value, message) in [("1e999", "the number \"1e999\" is beyond the range of a Double"),
                                 ("-1e400", "the number \"-1e400\" is beyond the range of a Double"),
                                 ("NaN", "NaN is not a number JSON can hold"),
                                 ("Infinity", "Infinity is not a number JSON can hold")] {
            let file = dir.appendingPathComponent("m.json").path
            try Self.model.replacingOccurrences(of: "VALUE", with: value).write(toFile: file, atomically: true, encoding: .utf8)
            try expectRefused(["inspect", file], ["m.json: layers[0].weights[0][0]: line 1, column 69: " + message])
        }
    }

    @Test func aFileOfTheWrongKindSaysWhichKindItIsAndWhichWasWanted() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("tiny.csv").path
        try "a,b,label\n0,1,0\n1,0,1\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let model = dir.appendingPathComponent("m.json").path, safetensors = dir.appendingPathComponent("m.safetensors").path
        let checkpoint = dir.appendingPathComponent("run.safetensors").path
        for save in [model, safetensors] {
            let run = try Tool.run(["train", "--data", csv, "--hidden", "2", "--epochs", "1", "--save", save,
                                    "--checkpoint", checkpoint, "--checkpoint-every", "1"])
            #expect(run.status == 0, "\(run.standardError)")
        }
        let caseFile = TestData.vectorsDirectory.appendingPathComponent("seed-quiz.json").path
        let isModel = "this is a model saved by `backprop train --save`"
        let isCheckpoint = "this is a training checkpoint"
        let isCase = "this is a test-vector case file"
        try expectRefused(["inspect", checkpoint], [isCheckpoint, "but a model saved by `backprop train --save` was wanted"])
        try expectRefused(["evaluate", caseFile, "--data", csv], [isCase, "but a model saved by `backprop train --save` was wanted"])
        try expectRefused(["train", "--resume", model], [isModel, "but a training checkpoint"])
        try expectRefused(["train", "--resume", safetensors], [isModel, "but a training checkpoint"])
        try expectRefused(["train", "--resume", caseFile], [isCase, "but a training checkpoint"])
        try expectRefused(["step", model], [isModel, "but a test-vector case file"])
    }
}
