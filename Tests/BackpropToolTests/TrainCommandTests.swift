// TrainCommandTests.swift: `backprop train`, `evaluate`, `predict` and `inspect` end to end on a slice of Fashion-MNIST.
import Backprop
import ModelFiles
import Foundation
import Testing
import TestSupport

/// `backprop train`, `evaluate`, `predict` and `inspect` end to end on a slice of Fashion-MNIST.
@Suite(.serialized) struct TrainCommandTests {
    static let small = ["--limit", "2000", "--hidden", "32", "--batch-size", "50", "--threads", "1"]

    @Test func trainSavesAModelThatEvaluatePredictAndInspectRead() throws {
        let dir = TestData.temporaryDirectory()
        let model = dir.appendingPathComponent("model.json").path
        let train = try Tool.run(["train"] + Self.small + ["--epochs", "2", "--save", model])
        #expect(train.status == 0, "\(train.standardError)")
        let lines = train.standardOutput.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("epoch ") }.count == 2, "one plain line per epoch when not on a terminal")
        let summary = try #require(lines.first { $0.contains("test accuracy") })
        let accuracy = try #require(summary.firstMatch(of: /test accuracy ([0-9.]+)%/)?.1)
        #expect(Double(accuracy)! > 70)

        // evaluate recomputes the test accuracy from the saved file: the same figure.
        let evaluate = try Tool.run(["evaluate", model])
        #expect(evaluate.status == 0, "\(evaluate.standardError)")
        #expect(evaluate.standardOutput.contains("accuracy \(accuracy)%"), "\(evaluate.standardOutput)")
        #expect(evaluate.standardOutput.contains("Ankle boot"))
        #expect(evaluate.standardOutput.contains("confusion matrix"))

        let predict = try Tool.run(["predict", model, "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "--limit", "5"])
        #expect(predict.status == 0, "\(predict.standardError)")
        let rows = predict.standardOutput.split(separator: "\n")
        #expect(rows.count == 6 && rows[0].hasPrefix("row\tclass\tname\tp0"))
        for row in rows.dropFirst() {
            let fields = row.split(separator: "\t")
            let probabilities = fields.suffix(10).map { Double($0)! }
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-5, "softmax outputs sum to 1: \(row)")
            #expect(Int(fields[1]) == probabilities.indices.max { probabilities[$0] < probabilities[$1] })
        }

        let inspect = try Tool.run(["inspect", model])
        #expect(inspect.status == 0, "\(inspect.standardError)")
        #expect(inspect.standardOutput.contains("784 → 32 → 10"))
        let parameters: Int = 784 * 32 + 32 + 32 * 10 + 10  // Weights and biases of 784-32-10.
        #expect(inspect.standardOutput.contains("parameters \(parameters)"))
    }

    @Test func trainHelpDocumentsEveryOption() throws {
        let help = try Tool.run(["train", "--help"]).standardOutput
        for option in ["--data", "--labels", "--test-data", "--hidden", "--activation", "--output", "--initializer", "--optimizer",
                       "--learning-rate", "--schedule", "--batch-size", "--epochs", "--seed", "--threads", "--validation-fraction",
                       "--patience", "--monitor", "--weight-decay", "--dropout", "--scaling", "--save", "--checkpoint", "--checkpoint-every",
                       "--resume", "--log-gradients", "--limit", "--distributed", "--exchange-timeout"] {
            #expect(help.contains(option), "train --help does not mention \(option)")
        }
    }

    @Test func badOptionsAndInputsAreClearErrors() throws {
        let cases: [([String], String)] = [
            (["train", "--optimizer", "adagrad"], "--optimizer adagrad: unknown"),
            (["train", "--hidden", "64,x"], "'x' is not a positive layer size"),
            (["train", "--batch-size", "0"], "batch size must be at least 1"),
            (["train", "--save", "model.txt"], "must end in .json or .safetensors"),
            (["train", "--exchange-timeout", "0"], "--exchange-timeout must be a positive number of seconds, got 0.0"),
            (["train", "--exchange-timeout", "nan"], "--exchange-timeout must be a positive number of seconds, got nan"),
            (["train", "--data", "/nonexistent/train.csv"], "/nonexistent/train.csv"),
            (["train", "--data", "images.idx"], "need --labels"),
            (["evaluate", "/nonexistent/model.json"], "/nonexistent/model.json"),
            (["train", "--resume", "/nonexistent/checkpoint.safetensors"], "/nonexistent/checkpoint.safetensors"),
        ]
        for (arguments, message) in cases {
            let run = try Tool.run(arguments)
            #expect(run.status != 0, "\(arguments) succeeded")
            #expect(run.standardError.contains(message), "\(arguments): \(run.standardError)")
        }
    }

    @Test func unwritableOutputsAndMismatchedDataAreClearErrorsBeforeAnyWork() throws {
        let dir = TestData.temporaryDirectory()
        let cases: [([String], String)] = [
            (["train", "--save", "/nonexistent/dir/model.json"], "the folder /nonexistent/dir does not exist"),
            (["train", "--checkpoint-every", "1", "--checkpoint", "/proc/version/x.ckpt"], "/proc/version is a file, not a folder"),
            (["train", "--save", dir.path], "must end in .json or .safetensors"),
        ]
        for (arguments, message) in cases {
            let run = try Tool.run(arguments)
            #expect(run.status != 0, "\(arguments) succeeded")
            #expect(run.standardError.contains(message), "\(arguments): \(run.standardError)")
            #expect(!run.standardOutput.contains("epoch "), "\(arguments) trained before failing")
        }

        // A model for 784 inputs given CSV data with 2 features.
        let model = dir.appendingPathComponent("m.json").path
        #expect(try Tool.run(["train", "--limit", "300", "--hidden", "8", "--epochs", "1", "--save", model]).status == 0)
        let csv = dir.appendingPathComponent("two.csv")
        try "a,b,label\n0.5,1,0\n2,3,1\n".write(to: csv, atomically: true, encoding: .utf8)
        let evaluate = try Tool.run(["evaluate", model, "--data", csv.path])
        #expect(evaluate.status != 0)
        #expect(evaluate.standardError.contains("has 2 features per sample; the model \(model) takes 784 inputs"), "\(evaluate.standardError)")
        let predict = try Tool.run(["predict", model, csv.path, "--label-column", "label"])
        #expect(predict.status != 0)
        #expect(predict.standardError.contains("takes 784 inputs"))
        // NaN in the data is refused with its place named.
        try "a,b,label\n0.5,nan,0\n".write(to: csv, atomically: true, encoding: .utf8)
        let nan = try Tool.run(["train", "--data", csv.path, "--epochs", "1"])
        #expect(nan.status != 0)
        #expect(nan.standardError.contains("two.csv:2"), "\(nan.standardError)")
    }

    @Test func aKilledRunResumedFromItsCheckpointEndsWithTheSameWeights() throws {
        let dir = TestData.temporaryDirectory()
        let options = Self.small + ["--epochs", "6", "--dropout", "0.2", "--patience", "0", "--checkpoint-every", "1"]
        let whole = dir.appendingPathComponent("whole.safetensors").path
        let first = try Tool.run(["train"] + options + ["--checkpoint", dir.appendingPathComponent("a.ckpt").path, "--save", whole])
        #expect(first.status == 0, "\(first.standardError)")

        // Start the same run, kill it once a checkpoint exists, and resume.
        let checkpoint = dir.appendingPathComponent("b.ckpt").path
        let process = Process()
        process.executableURL = Tool.executable
        process.arguments = ["train"] + options + ["--checkpoint", checkpoint]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: checkpoint) && Date() < deadline { usleep(20_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: checkpoint))

        let resumed = dir.appendingPathComponent("resumed.safetensors").path
        let second = try Tool.run(["train", "--resume", checkpoint, "--save", resumed])
        #expect(second.status == 0, "\(second.standardError)")
        let a = try SavedModel.load(path: whole), b = try SavedModel.load(path: resumed)
        let bits = { (m: SavedModel) in parameterBits(m.layers) }
        #expect(bits(a) == bits(b))
        #expect(a.scaler == b.scaler)
    }
}

/// `backprop inspect` on a model of image layers: each layer's kind, output shape and parameter count.
@Suite struct InspectImageModelTests {
    @Test func eachLayerShowsItsOutputShapeAndParameters() throws {
        var rng = SeededGenerator(seed: 2)
        let layers: [Layer<Double>] = [
            .conv2d(Conv2D(input: (1, 6, 6), weights: .randomNormal(rows: 2, columns: 9, scale: 0.3, using: &rng), bias: [0.1, -0.1],
                           kernel: (3, 3), padding: (1, 1), activation: .relu)),
            .maxPool2D(MaxPool2D(input: (2, 6, 6), window: (2, 2))),
            .flatten(Flatten(input: (2, 3, 3))),
            .dense(weights: .randomNormal(rows: 18, columns: 3, scale: 0.3, using: &rng), bias: [0, 0, 0], activation: .softmax),
        ]
        let path = TestData.temporaryDirectory().appendingPathComponent("cnn.json").path
        try SavedModel(layers: layers, loss: .crossEntropy).save(to: path)
        let run = try Tool.run(["inspect", path])
        #expect(run.status == 0, "\(run.standardError)")
        let rows = run.standardOutput.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        func row(_ l: Int) -> [String] { rows.first { $0.first == String(l) && $0.count > 3 } ?? [] }
        // conv 1×6×6 → 2 filters 3×3, padding 1: 2×6×6 and 2·9 + 2 = 20 parameters; pool 2: 2×3×3; flatten 18; dense 18·3 + 3 = 57.
        #expect(Array(row(0).prefix(4)) == ["0", "conv2d", "2×6×6", "20"])
        #expect(Array(row(1).prefix(4)) == ["1", "maxpool2d", "2×3×3", "0"])
        #expect(Array(row(2).prefix(4)) == ["2", "flatten", "18", "0"])
        #expect(Array(row(3).prefix(4)) == ["3", "dense", "3", "57"])
        #expect(run.standardOutput.contains("parameters 77"))
        #expect(run.standardOutput.contains("torch.nn.Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=True),"))
        #expect(run.standardOutput.contains("torch.nn.MaxPool2d(kernel_size=(2, 2), "))
    }
}
