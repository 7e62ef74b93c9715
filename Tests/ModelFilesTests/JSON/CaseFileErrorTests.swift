// CaseFileErrorTests.swift: bad case files give an error naming the file, the field and the problem.
import Backprop
import ModelFiles
import Foundation
import Testing
import TestSupport

/// Bad case files give an error naming the file, the field and the problem.
@Suite struct CaseFileErrorTests {
    static let good = """
        {"layers": [{"weights": [[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]], "bias": null, "activation": "sigmoid"},
                    {"weights": [[0.1], [-0.3]], "bias": [0.2], "activation": "sigmoid"}],
         "loss": "squared_error", "learning_rate": 0.5,
         "inputs": [[0.5, 0.1, -0.2]], "targets": [[0.6]]}
        """

    func error(_ text: String) -> FileFormatError? {
        do {
            _ = try TrainingCase.parse(Data(text.utf8), file: "case.json")
            return nil
        } catch {
            return error
        }
    }

    @Test func theGoodFileParses() throws {
        let c = try TrainingCase.parse(Data(Self.good.utf8), file: "dir/case.json")
        #expect(c.name == "case" && c.layers.count == 2 && c.layers[1].bias == [0.2] && c.learningRate == 0.5)
    }

    static let badFiles: [(String, String, String?, String)] = [
        ("empty file", "", nil, "empty"),
        ("not JSON", "{\"layers\": [", nil, "not valid JSON"),
        ("not an object", "[1, 2]", nil, "expected an object"),
        ("missing field", good.replacingOccurrences(of: "\"learning_rate\": 0.5,", with: ""), "learning_rate", "missing field"),
        ("missing weights", good.replacingOccurrences(of: "\"weights\": [[0.1], [-0.3]], ", with: ""), "layers[1].weights", "missing field"),
        ("wrong fan-in", good.replacingOccurrences(of: "[[0.1], [-0.3]]", with: "[[0.1], [-0.3], [0.4]]"), "layers[1].weights", "expected 2 rows"),
        ("ragged weights", good.replacingOccurrences(of: "[0.1, -0.2]", with: "[0.1]"), "layers[0].weights[1]", "expected 2 numbers"),
        ("bias length", good.replacingOccurrences(of: "[0.2]", with: "[0.2, 0.3]"), "layers[1].bias", "expected 1 numbers"),
        ("unknown activation", good.replacingOccurrences(of: "\"activation\": \"sigmoid\"}]", with: "\"activation\": \"swish\"}]"),
         "layers[1].activation", "unknown activation \"swish\""),
        ("softmax without cross-entropy", good.replacingOccurrences(of: "\"activation\": \"sigmoid\"}]", with: "\"activation\": \"softmax\"}]"),
         "loss", "softmax output needs the cross_entropy loss"),
        ("softmax not last", good.replacingOccurrences(of: "\"bias\": null, \"activation\": \"sigmoid\"", with: "\"bias\": null, \"activation\": \"softmax\""),
         "layers[0].activation", "only allowed on the last layer"),
        ("cross-entropy without softmax", good.replacingOccurrences(of: "squared_error", with: "cross_entropy"), "loss", "needs a softmax output"),
        ("unknown loss", good.replacingOccurrences(of: "squared_error", with: "hinge"), "loss", "unknown loss"),
        ("string for a number", good.replacingOccurrences(of: "\"learning_rate\": 0.5", with: "\"learning_rate\": \"0.5\""), "learning_rate", "expected a number, found a string"),
        ("string in weights", good.replacingOccurrences(of: "-0.3", with: "\"-0.3\""), "layers[1].weights[1][0]", "expected a number, found a string"),
        ("inputs width", good.replacingOccurrences(of: "[[0.5, 0.1, -0.2]]", with: "[[0.5, 0.1]]"), "inputs[0]", "expected 3 numbers"),
        ("targets rows", good.replacingOccurrences(of: "[[0.6]]", with: "[[0.6], [0.7]]"), "targets", "expected 1 rows"),
        ("no layers", good.replacingOccurrences(of: "\"layers\": [", with: "\"layers\": [], \"x\": ["), "layers", "at least one layer"),
    ]

    @Test(arguments: badFiles)
    func badFileNamesFieldAndProblem(label: String, text: String, field: String?, problem: String) throws {
        let error = try #require(self.error(text), "\(label): parsed without error")
        #expect(error.file == "case.json", "\(label)")
        #expect(error.field == field, "\(label): \(error)")
        #expect(error.problem.contains(problem), "\(label): \(error)")
        #expect(error.description.hasPrefix("case.json: "), "\(label)")
    }

    @Test func missingFileIsAnErrorNotACrash() {
        #expect(throws: FileFormatError.self) { try TrainingCase.load(path: "/nonexistent/case.json") }
    }

    @Test func jsonRoundTripIsExact() throws {
        for file in try TestData.vectorFiles() {
            let c = try TrainingCase.load(path: file.path)
            let again = try TrainingCase.parse(Data(c.json().utf8), file: "round-trip")
            #expect(again.layers == c.layers && again.inputs == c.inputs && again.targets == c.targets)
            #expect(again.expected == c.expected && again.learningRate == c.learningRate)
        }
    }
}
