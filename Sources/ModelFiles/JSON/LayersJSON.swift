// LayersJSON.swift: the `layers` array of case and model files (`vectors/FORMAT.md`), an ordered list of layer kinds.
import Backprop
import Datasets
import Foundation
import Linalg

/// The `layers` array of case and model files (`vectors/FORMAT.md`), an ordered list of layer kinds:
/// `[{"kind": "dense", "weights": [[...]], "bias": null | [...], "activation": "sigmoid"}, ...]`
/// (`kind` may be left out for a dense layer, as files of version 1 and older case files do).
/// The image kinds (conv2d, maxpool2d, avgpool2d, flatten) have fields of their own: ``LayerKindsJSON``.
enum LayersJSON {
    /// Reads and checks the layers: rectangular weights, bias lengths, known activations,
    /// and that each layer's fan-in is the previous layer's fan-out.
    static func read(_ value: JSONValue, _ reader: JSONReader, field: String = "layers") throws(FileFormatError) -> [Layer<Double>] {
        let items = try reader.array(value, field)
        if items.isEmpty { throw reader.fail(field, "expected at least one layer, found none") }
        var layers: [Layer<Double>] = []
        for (l, item) in items.enumerated() {
            let path = "\(field)[\(l)]"
            let object = try reader.object(item, path)
            if let value = object["kind"] {
                let kind = try reader.string(value, "\(path).kind")
                guard Layer<Double>.kindNames.contains(kind) else {
                    throw reader.fail("\(path).kind", Names.unknownKind(kind))
                }
                if kind != "dense" {
                    layers.append(try LayerKindsJSON.read(kind: kind, object, at: path, reader))
                    continue
                }
            }
            let expectedRows = layers.last?.outputCount
            let weights = try reader.matrix(try reader.member(object, "weights", at: path), "\(path).weights",
                                            rows: expectedRows,
                                            what: expectedRows.map { _ in " (fan_in: layer \(l - 1) has that many outputs)" } ?? "")
            var bias: [Double]? = nil
            let biasValue = try reader.member(object, "bias", at: path)
            if biasValue != .null {
                bias = try reader.vector(biasValue, "\(path).bias", count: weights.columns, what: " (fan_out of the weights)")
            }
            layers.append(.dense(weights: weights, bias: bias, activation: try activation(object, at: path, reader)))
        }
        return layers
    }

    /// The entry's `activation`, one of ``Activation``'s names.
    static func activation(_ object: [String: JSONValue], at path: String, _ reader: JSONReader) throws(FileFormatError) -> Activation {
        let name = try reader.string(try reader.member(object, "activation", at: path), "\(path).activation")
        guard let activation = Activation(rawValue: name) else {
            throw reader.fail("\(path).activation", Names.unknown(name, Activation.self))
        }
        return activation
    }

    /// The network of `layers` and `loss`, its rules checked; a rule that involves the loss names
    /// the field at fault.
    static func network(_ layers: [Layer<Double>], loss: Loss, _ reader: JSONReader, field: String = "layers") throws(FileFormatError) -> NetworkDefinition<Double> {
        do {
            return try NetworkDefinition(layers: layers, loss: loss)
        } catch {
            switch error {
            case .softmaxNotLast(let l):
                throw reader.fail("\(field)[\(l)].activation", "softmax is only allowed on the last layer")
            case .softmaxWithoutCrossEntropy(let loss):
                throw reader.fail("loss", "a softmax output needs the cross_entropy loss, not \(loss.rawValue)")
            case .crossEntropyWithoutSoftmax(let activation):
                throw reader.fail("loss", "cross_entropy needs a softmax output layer, but layer \(layers.count - 1) is \(activation.rawValue)")
            default:
                throw reader.fail(field, error.description)
            }
        }
    }

    /// The layers as JSON text, one weight row a line, indented by `indent` spaces; each number in
    /// the shortest text that reads back to the same `Scalar` (so a float32 model's `0.1` is `0.1`).
    /// With `kinds` false, a dense layer's `kind` is left out (case files, whose layers are dense
    /// unless they say otherwise: `backprop step` prints a case as it was given); any other kind is always named.
    static func write<Scalar: BLASScalar>(_ layers: [Layer<Scalar>], indent: Int, kinds: Bool = true) -> String {
        let pad = String(repeating: " ", count: indent)
        let items = layers.map { layer in
            if case .dense = layer {} else {
                let fields = ["\"kind\": \(JSONText.string(layer.kindName))"] + LayerKindsJSON.fields(layer, indent: indent)
                return "\(pad)  {\n" + fields.map { "\(pad)    \($0)" }.joined(separator: ",\n") + "\n\(pad)  }"
            }
            return "\(pad)  {\n"
            + (kinds || layer.kindName != "dense" ? "\(pad)    \"kind\": \(JSONText.string(layer.kindName)),\n" : "")
            + "\(pad)    \"weights\": \(JSONText.matrix(layer.weights, indent: indent + 4)),\n"
            + "\(pad)    \"bias\": \(layer.bias.map(JSONText.vector) ?? "null"),\n"
            + "\(pad)    \"activation\": \(JSONText.string(layer.activation.rawValue))\n"
            + "\(pad)  }"
        }
        return "[\n" + items.joined(separator: ",\n") + "\n\(pad)]"
    }
}

/// JSON text for numbers, strings, vectors and matrices. Numbers are written with Swift's
/// shortest round-trip form of their own precision, so reading them back (and rounding to that
/// precision) gives the same bits.
enum JSONText {
    static func number<Scalar: BLASScalar>(_ x: Scalar) -> String {
        precondition(x.isFinite, "JSON has no representation for \(x)")
        return x.description
    }

    static func vector<Scalar: BLASScalar>(_ v: [Scalar]) -> String {
        "[" + v.map(number).joined(separator: ", ") + "]"
    }

    /// Rows on their own lines, indented by `indent` spaces.
    static func matrix<Scalar: BLASScalar>(_ m: Matrix<Scalar>, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent + 2)
        return "[\n" + (0..<m.rows).map { pad + vector(m.row($0)) }.joined(separator: ",\n")
            + "\n" + String(repeating: " ", count: indent) + "]"
    }

    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
