// ModelSafeTensors.swift: the safetensors model format.
import Backprop
import Datasets
import Foundation
import Linalg

/// The safetensors model format.
///
/// Tensors (F32 for a float32 model, F64 for a float64 one; either is read):
/// - `layers.{l}.weight`: a dense layer's, shape `[fan_in, fan_out]`, row-major, as everywhere in this package
///   (note: PyTorch's `nn.Linear.weight` is the transpose, `[fan_out, fan_in]`); a conv2d's, `[out, in, kh, kw]`
///   (as PyTorch's `nn.Conv2d.weight`); none for the kinds without parameters;
/// - `layers.{l}.bias`: shape `[fan_out]` (or `[out]`), only for layers with a bias;
/// - `scaling.offset`, `scaling.scale`: shape `[n_in]`, only when the inputs are scaled.
///
/// `__metadata__` (all strings): `format` (`backprop-model`), `version` (`2`; `1` is read too), `loss`,
/// `kinds` (comma-separated layer kinds: `dense`, `conv2d`, `maxpool2d`, `avgpool2d`, `flatten`, `leaky_relu`;
/// absent in version 1), `layer_settings` (only when a kind is not dense: a JSON array of one object per
/// layer, the layer's entry of a JSON model file without `kind`, `weights`, `bias` and `activation`, `{}`
/// for dense, e.g. `{"input_shape": [1, 28, 28], "kernel": [3, 3], "stride": [1, 1], "padding": [1, 1]}`),
/// `activations` (comma-separated, one per layer, which also gives the layer count; `identity` for
/// the kinds without an activation of their own), `scaling_method` (only when
/// scaled), `class_names` (a JSON array, only for classifiers), `precision` (only when no layer has
/// parameters, so no tensor tells it), `layout` (a sentence stating the
/// weight convention), and each user metadata entry under `meta.` + its key. The layer and scaler
/// tensors are written and read by `ParameterTensors`, as in checkpoints.
enum ModelSafeTensors {
    static let layout = "weights are fan_in x fan_out, row-major; a layer computes f(x @ W + b)"
    /// Prefix of user metadata keys, so they cannot collide with the format's own.
    static let userPrefix = "meta."

    /// The model as a container.
    static func container(_ model: SavedModel) -> SafeTensors {
        var tensors: [String: SafeTensors.Tensor] = [:]
        var metadata: [String: String] = [
            "format": SavedModel.formatName,
            "version": String(SavedModel.version),
            "loss": model.loss.rawValue,
            "activations": model.layers.map(\.activation.rawValue).joined(separator: ","),
            "layout": layout,
        ]
        metadata.merge(ParameterTensors.kindMetadata(model.layers)) { $1 }
        ParameterTensors.put(model.layers, prefix: "layers", precision: model.precision, into: &tensors)
        if tensors.isEmpty { metadata["precision"] = model.precision.rawValue }  // No tensor to tell it by.
        if let scaler = model.scaler {
            metadata["scaling_method"] = scaler.method.rawValue
            ParameterTensors.put(scaler, into: &tensors)
        }
        if let names = model.classNames {
            metadata["class_names"] = "[" + names.map(JSONText.string).joined(separator: ", ") + "]"
        }
        for (key, value) in model.metadata { metadata[userPrefix + key] = value }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    /// Reads and checks a model from a decoded container; every problem names `file` and the field.
    static func read(_ st: SafeTensors, file: String) throws(FileFormatError) -> SavedModel {
        let r = SafeTensorsReader(container: st, file: file)
        let format = try r.string("format")
        if let kind = FileKind.of(format: format), kind != .model {
            throw r.fail(SafeTensorsReader.metadataField("format"), kind.given(whereWanted: .model))
        }
        if format != SavedModel.formatName {
            throw r.fail(SafeTensorsReader.metadataField("format"), "expected \"\(SavedModel.formatName)\", found \(JSONText.string(format))")
        }
        let version = try r.string("version")
        guard let known = Int(version), SavedModel.readableVersions.contains(known) else {
            throw r.fail(SafeTensorsReader.metadataField("version"), Names.unsupportedVersion(JSONText.string(version), readable: SavedModel.readableVersions))
        }
        let loss = try ParameterTensors.loss("loss", r)
        let activations = try ParameterTensors.activations("activations", r)
        let kinds = try ParameterTensors.kinds("kinds", layers: activations.count, r)
        let settings = try ParameterTensors.settings(kinds: kinds, r)
        let layers = try ParameterTensors.layers(prefix: "layers", kinds: kinds, settings: settings, activations: activations, biases: nil, r)
        let network = try ParameterTensors.network(layers, loss, activationsKey: "activations", lossKey: "loss", r)
        var expected = ParameterTensors.names(layers, prefix: "layers")
        var scaler: FeatureScaler? = nil
        if st.metadata["scaling_method"] != nil {
            scaler = try ParameterTensors.scaler(methodKey: "scaling_method", inputs: network.inputCount, r)
            expected.formUnion([ParameterTensors.offsetName, ParameterTensors.scaleName])
        }
        if let stray = st.tensors.keys.sorted().first(where: { !expected.contains($0) }) {
            let why = stray.hasPrefix("scaling.") ? "no scaling_method metadata"
                : "\(activations.count) layers in the activations metadata, of kinds \(kinds.joined(separator: ", "))"
            throw r.fail(SafeTensors.field(stray), "unexpected tensor (the model has \(why))")
        }
        let classNames = try st.metadata["class_names"].map { text throws(FileFormatError) in
            try readClassNames(text, outputs: network.outputCount, JSONReader(file: file), SafeTensorsReader.metadataField("class_names"))
        }
        var metadata: [String: String] = [:]
        for (key, value) in st.metadata where key.hasPrefix(userPrefix) {
            metadata[String(key.dropFirst(userPrefix.count))] = value
        }
        do {
            return try SavedModel(network, precision: ParameterTensors.precision(prefix: "layers", layers: layers.count, st),
                                  scaler: scaler, classNames: classNames, metadata: metadata)
        } catch {
            throw r.fail(nil, error.description)  // Unreachable: every rule was checked above with its field.
        }
    }

    /// `class_names`: a JSON array of strings, one per output (or two for a single output).
    private static func readClassNames(_ text: String, outputs: Int, _ r: JSONReader, _ field: String) throws(FileFormatError) -> [String] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(Data(text.utf8), file: r.file)
        } catch {
            throw r.fail(field, "expected a JSON array of strings: \(error.problem)")
        }
        return try ModelJSON.classNames(value, outputs: outputs, r, field)
    }
}
