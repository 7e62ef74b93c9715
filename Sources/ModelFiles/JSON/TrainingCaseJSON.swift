// TrainingCaseJSON.swift: test-vector case files (Tests/Vectors/FORMAT.md) read and written.
import Backprop
import Datasets
import Foundation

extension TrainingCase {
    /// Reads and checks a case file. Every problem names the file and the field.
    public static func load(path: String) throws(FileFormatError) -> TrainingCase {
        try parse(try FileFormatError.contents(of: path), file: path)
    }

    /// Parses case-file JSON; `file` names the source in errors.
    public static func parse(_ data: Data, file: String) throws(FileFormatError) -> TrainingCase {
        let r = JSONReader(file: file)
        let root = try r.object(try JSONValue.parse(data, file: file), nil)
        // A model with inputs and targets added is a case (the layers are the same); without, say what it is.
        if FileKind.of(json: root) == .model && (root["inputs"] == nil || root["targets"] == nil) {
            throw r.fail(nil, FileKind.model.given(whereWanted: .caseFile))
        }
        let layers = try LayersJSON.read(try r.member(root, "layers", at: nil), r)
        let lossName = try r.string(try r.member(root, "loss", at: nil), "loss")
        guard let loss = Loss(rawValue: lossName) else {
            throw r.fail("loss", Names.unknown(lossName, Loss.self))
        }
        let network = try LayersJSON.network(layers, loss: loss, r)
        let learningRate = try r.number(try r.member(root, "learning_rate", at: nil), "learning_rate")
        let nIn = layers[0].inputCount, nOut = layers[layers.count - 1].outputCount
        let inputs = try r.matrix(try r.member(root, "inputs", at: nil), "inputs", columns: nIn,
                                  what: " (n_in: layer 0 has that many inputs)")
        let targets = try r.matrix(try r.member(root, "targets", at: nil), "targets", rows: inputs.rows, columns: nOut,
                                   what: " (batch × n_out, as inputs has \(inputs.rows) rows)")
        var name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        if let value = root["name"] { name = try r.string(value, "name") }
        var description: String? = nil
        if let value = root["description"] { description = try r.string(value, "description") }
        var expected: Expected? = nil
        if let value = root["expected"] {
            expected = try readResult(value, "expected", r, layers: layers, batch: inputs.rows)
        }
        return TrainingCase(name: name, description: description, network, learningRate: learningRate,
                            inputs: inputs, targets: targets, expected: expected)
    }

    /// Reads an `expected`-shaped block: outputs, loss, weight_steps, bias_steps.
    static func readResult(_ value: JSONValue, _ field: String, _ r: JSONReader,
                           layers: [Layer<Double>], batch: Int) throws(FileFormatError) -> Expected {
        let o = try r.object(value, field)
        let nOut = layers[layers.count - 1].outputCount
        let outputs = try r.matrix(try r.member(o, "outputs", at: field), "\(field).outputs", rows: batch, columns: nOut,
                                   what: " (batch × n_out)")
        let loss = try r.number(try r.member(o, "loss", at: field), "\(field).loss")
        let weightSteps = try r.array(try r.member(o, "weight_steps", at: field), "\(field).weight_steps")
        if weightSteps.count != layers.count {
            throw r.fail("\(field).weight_steps", "expected \(layers.count) matrices (one per layer), found \(weightSteps.count)")
        }
        let biasSteps = try r.array(try r.member(o, "bias_steps", at: field), "\(field).bias_steps")
        if biasSteps.count != layers.count {
            throw r.fail("\(field).bias_steps", "expected \(layers.count) entries (one per layer), found \(biasSteps.count)")
        }
        var steps = ParameterArrays(zerosLike: layers)
        for (l, layer) in layers.enumerated() {
            let weightPath = "\(field).weight_steps[\(l)]"
            if layer.weights.elements.isEmpty {
                guard weightSteps[l] == .null else { throw r.fail(weightPath, "expected null, as layer \(l) (\(layer.kindName)) has no weights") }
            } else {
                steps.weights[l] = try r.matrix(weightSteps[l], weightPath, rows: layer.weights.rows, columns: layer.weights.columns,
                                                what: " (the shape of layer \(l)'s weights)")
            }
            let path = "\(field).bias_steps[\(l)]"
            switch (layer.bias, biasSteps[l]) {
            case (nil, .null): break
            case (nil, _): throw r.fail(path, "expected null, as layer \(l) has no bias")
            case (.some(let bias), .null): throw r.fail(path, "expected \(bias.count) numbers, as layer \(l) has a bias; found null")
            case (.some(let bias), let v): steps.biases[l] = try r.vector(v, path, count: bias.count, what: " (the length of layer \(l)'s bias)")
            }
        }
        return Expected(outputs: outputs, loss: loss, steps: steps)
    }

    /// The case as JSON, in FORMAT.md's layout, with `computed` added as a block shaped like `expected`.
    /// Numbers round-trip exactly.
    public func json(computed: StepResult<Double>? = nil) -> String {
        var fields: [String] = []
        fields.append("  \"name\": \(JSONText.string(name))")
        if let description { fields.append("  \"description\": \(JSONText.string(description))") }
        fields.append("  \"layers\": \(LayersJSON.write(layers, indent: 2, kinds: false))")
        fields.append("  \"loss\": \(JSONText.string(loss.rawValue))")
        fields.append("  \"learning_rate\": \(JSONText.number(learningRate))")
        fields.append("  \"inputs\": \(JSONText.matrix(inputs, indent: 2))")
        fields.append("  \"targets\": \(JSONText.matrix(targets, indent: 2))")
        if let expected {
            fields.append("  \"expected\": " + Self.resultJSON(outputs: expected.outputs, loss: expected.loss, steps: expected.steps))
        }
        if let computed {
            fields.append("  \"computed\": " + Self.resultJSON(outputs: computed.outputs, loss: computed.loss, steps: computed.steps))
        }
        return "{\n" + fields.joined(separator: ",\n") + "\n}\n"
    }

    static func resultJSON(outputs: Matrix<Double>, loss: Double, steps: ParameterArrays<Double>) -> String {
        "{\n"
            + "    \"outputs\": \(JSONText.matrix(outputs, indent: 4)),\n"
            + "    \"loss\": \(JSONText.number(loss)),\n"
            + "    \"weight_steps\": [\n"
            + steps.weights.map { "      " + ($0.elements.isEmpty ? "null" : JSONText.matrix($0, indent: 6)) }.joined(separator: ",\n") + "\n    ],\n"
            + "    \"bias_steps\": [" + steps.biases.map { $0.map(JSONText.vector) ?? "null" }.joined(separator: ", ") + "]\n"
            + "  }"
    }
}
