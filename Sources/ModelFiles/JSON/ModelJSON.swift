// ModelJSON.swift: the JSON model format (described at ``SavedModel``).
import Backprop
import Datasets
import Foundation
import Linalg

/// The JSON model format (described at ``SavedModel``): `layers` and `loss` as in the test-vector
/// files, plus `format`, `version`, `scaling`, `class_names` and `metadata`.
enum ModelJSON {
    /// The model as JSON text, one weight row a line; numbers in Swift's shortest round-trip form.
    static func text(_ model: SavedModel) -> String {
        var fields: [String] = []
        fields.append("  \"format\": \(JSONText.string(SavedModel.formatName))")
        fields.append("  \"version\": \(SavedModel.version)")
        fields.append("  \"precision\": \(JSONText.string(model.precision.rawValue))")
        switch model.precision {
        case .float32: fields.append("  \"layers\": \(LayersJSON.write(model.definition.converted(to: Float.self).layers, indent: 2))")
        case .float64: fields.append("  \"layers\": \(LayersJSON.write(model.layers, indent: 2))")
        }
        fields.append("  \"loss\": \(JSONText.string(model.loss.rawValue))")
        if let scaler = model.scaler {
            fields.append("  \"scaling\": {\n"
                          + "    \"method\": \(JSONText.string(scaler.method.rawValue)),\n"
                          + "    \"offset\": \(JSONText.vector(scaler.offset)),\n"
                          + "    \"scale\": \(JSONText.vector(scaler.scale))\n  }")
        } else {
            fields.append("  \"scaling\": null")
        }
        fields.append("  \"class_names\": " + (model.classNames.map { "[" + $0.map(JSONText.string).joined(separator: ", ") + "]" } ?? "null"))
        let pairs = model.metadata.keys.sorted().map { "    \(JSONText.string($0)): \(JSONText.string(model.metadata[$0]!))" }
        fields.append("  \"metadata\": " + (pairs.isEmpty ? "{}" : "{\n" + pairs.joined(separator: ",\n") + "\n  }"))
        return "{\n" + fields.joined(separator: ",\n") + "\n}\n"
    }

    /// Reads and checks a JSON model; every problem names `file` and the field.
    static func read(_ data: Data, file: String) throws(FileFormatError) -> SavedModel {
        let r = JSONReader(file: file)
        let root = try r.object(try JSONValue.parse(data, file: file), nil)
        if let kind = FileKind.of(json: root), kind != .model { throw r.fail(nil, kind.given(whereWanted: .model)) }
        let format = try r.string(try r.member(root, "format", at: nil), "format")
        if format != SavedModel.formatName {
            throw r.fail("format", "expected \"\(SavedModel.formatName)\", found \(Excerpt.quoted(format))")
        }
        let version = try r.number(try r.member(root, "version", at: nil), "version")
        guard let known = Int(exactly: version), SavedModel.readableVersions.contains(known) else {
            let shown = Int(exactly: version).map(String.init) ?? "\(version)"
            throw r.fail("version", Names.unsupportedVersion(shown, readable: SavedModel.readableVersions))
        }
        let layers = try LayersJSON.read(try r.member(root, "layers", at: nil), r)
        let lossName = try r.string(try r.member(root, "loss", at: nil), "loss")
        guard let loss = Loss(rawValue: lossName) else {
            throw r.fail("loss", Names.unknown(lossName, Loss.self))
        }
        let network = try LayersJSON.network(layers, loss: loss, r)
        var precision = Precision.float64
        if let value = root["precision"], value != .null {
            let name = try r.string(value, "precision")
            guard let given = Precision(rawValue: name) else {
                throw r.fail("precision", Names.unknown(name, Precision.self))
            }
            precision = given
        }

        let inputs = network.inputCount, outputs = network.outputCount
        var scaler: FeatureScaler? = nil
        if let value = root["scaling"], value != .null {
            scaler = try readScaler(value, r, inputs: inputs)
        }
        var classNames: [String]? = nil
        if let value = root["class_names"], value != .null {
            classNames = try Self.classNames(value, outputs: outputs, r, "class_names")
        }
        var metadata: [String: String] = [:]
        if let value = root["metadata"], value != .null {
            for (key, item) in try r.object(value, "metadata") {
                metadata[key] = try r.string(item, "metadata[\(JSONText.string(key))]")
            }
        }
        do {
            return try SavedModel(network, precision: precision, scaler: scaler, classNames: classNames, metadata: metadata)
        } catch {
            throw r.fail(nil, error.description)  // Unreachable: every rule was checked above with its field.
        }
    }

    /// `scaling`: a known method and `inputs` finite offsets and finite non-zero scales.
    /// `class_names` (at `field`): an array of strings, one per output (or two for a single output).
    static func classNames(_ value: JSONValue, outputs: Int, _ r: JSONReader, _ field: String) throws(FileFormatError) -> [String] {
        let items = try r.array(value, field)
        if !(items.count == outputs || (outputs == 1 && items.count == 2)) {
            throw r.fail(field, "\(items.count) names for \(outputs) outputs (expected one per output, or two for a single output)")
        }
        var names: [String] = []
        for (i, item) in items.enumerated() { names.append(try r.string(item, "\(field)[\(i)]")) }
        return names
    }

    private static func readScaler(_ value: JSONValue, _ r: JSONReader, inputs: Int) throws(FileFormatError) -> FeatureScaler {
        let object = try r.object(value, "scaling")
        let name = try r.string(try r.member(object, "method", at: "scaling"), "scaling.method")
        guard let method = FeatureScaler.Method(rawValue: name) else {
            throw r.fail("scaling.method", Names.unknown(name, FeatureScaler.Method.self))
        }
        let what = " (one per input of layer 0)"
        let offset = try r.vector(try r.member(object, "offset", at: "scaling"), "scaling.offset", count: inputs, what: what)
        let scale = try r.vector(try r.member(object, "scale", at: "scaling"), "scaling.scale", count: inputs, what: what)
        if let j = scale.firstIndex(of: 0) { throw r.fail("scaling.scale[\(j)]", "a scale of 0 would erase the feature") }
        return FeatureScaler(method: method, offset: offset, scale: scale)
    }
}
