import Datasets
import Foundation
import Linalg

/// The safetensors model format.
///
/// Tensors (F64 when written; F32 is read too):
/// - `layers.{l}.weight`: shape `[fan_in, fan_out]`, row-major, as everywhere in this package
///   (note: PyTorch's `nn.Linear.weight` is the transpose, `[fan_out, fan_in]`);
/// - `layers.{l}.bias`: shape `[fan_out]`, only for layers with a bias;
/// - `scaling.offset`, `scaling.scale`: shape `[n_in]`, only when the inputs are scaled.
///
/// `__metadata__` (all strings): `format` (`backprop-model`), `version` (`1`), `loss`, `activations`
/// (comma-separated, one per layer, which also gives the layer count), `scaling_method` (only when
/// scaled), `class_names` (a JSON array, only for classifiers), `layout` (a sentence stating the
/// weight convention), and each user metadata entry under `meta.` + its key.
enum ModelSafeTensors {
    static let layout = "weights are fan_in x fan_out, row-major; a layer computes f(x @ W + b)"
    /// Prefix of user metadata keys, so they cannot collide with the format's own.
    static let userPrefix = "meta."

    static func weightName(_ l: Int) -> String { "layers.\(l).weight" }
    static func biasName(_ l: Int) -> String { "layers.\(l).bias" }
    static let offsetName = "scaling.offset"
    static let scaleName = "scaling.scale"

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
        for (l, layer) in model.layers.enumerated() {
            tensors[weightName(l)] = .init(shape: [layer.fanIn, layer.fanOut], values: layer.weights.elements)
            if let bias = layer.bias { tensors[biasName(l)] = .init(shape: [bias.count], values: bias) }
        }
        if let scaler = model.scaler {
            metadata["scaling_method"] = scaler.method.rawValue
            tensors[offsetName] = .init(shape: [scaler.featureCount], values: scaler.offset)
            tensors[scaleName] = .init(shape: [scaler.featureCount], values: scaler.scale)
        }
        if let names = model.classNames {
            metadata["class_names"] = "[" + names.map(JSONText.string).joined(separator: ", ") + "]"
        }
        for (key, value) in model.metadata { metadata[userPrefix + key] = value }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    /// Reads and checks a model from a decoded container; every problem names `file` and the field.
    static func read(_ st: SafeTensors, file: String) throws(FileFormatError) -> SavedModel {
        let r = JSONReader(file: file)
        func metaField(_ key: String) -> String { "\(SafeTensors.field(SafeTensors.metadataKey))[\(JSONText.string(key))]" }
        func required(_ key: String) throws(FileFormatError) -> String {
            guard let value = st.metadata[key] else { throw r.fail(metaField(key), "missing field") }
            return value
        }
        let format = try required("format")
        if let kind = FileKind.of(format: format), kind != .model { throw r.fail(nil, kind.given(whereWanted: .model)) }
        if format != SavedModel.formatName {
            throw r.fail(metaField("format"), "expected \"\(SavedModel.formatName)\", found \(JSONText.string(format))")
        }
        let version = try required("version")
        if version != String(SavedModel.version) {
            throw r.fail(metaField("version"), "version \(JSONText.string(version)) is not supported (this build reads version \(SavedModel.version))")
        }
        let lossName = try required("loss")
        guard let loss = Loss(rawValue: lossName) else {
            let known = Loss.allCases.map(\.rawValue).joined(separator: ", ")
            throw r.fail(metaField("loss"), "unknown loss \(Excerpt.quoted(lossName)) (expected one of \(known))")
        }
        var activations: [Activation] = []
        for name in try required("activations").split(separator: ",", omittingEmptySubsequences: false) {
            guard let activation = Activation(rawValue: String(name)) else {
                let known = Activation.allCases.map(\.rawValue).joined(separator: ", ")
                throw r.fail(metaField("activations"), "layer \(activations.count): unknown activation \(Excerpt.quoted(name)) (expected one of \(known))")
            }
            activations.append(activation)
        }

        var expected: Set<String> = []
        var layers: [DenseLayer] = []
        for (l, activation) in activations.enumerated() {
            let name = weightName(l)
            guard let w = st.tensors[name] else {
                throw r.fail(SafeTensors.field(name), "missing tensor (the activations metadata lists \(activations.count) layers)")
            }
            guard w.shape.count == 2, w.shape[0] > 0, w.shape[1] > 0 else {
                throw r.fail(SafeTensors.field(name, "shape"), "expected [fan_in, fan_out], both at least 1, found \(w.shape)")
            }
            if let previous = layers.last, w.shape[0] != previous.fanOut {
                throw r.fail(SafeTensors.field(name, "shape"), "fan_in \(w.shape[0]) (the first dimension), but layer \(l - 1) has \(previous.fanOut) outputs")
            }
            try checkFinite(w.values, name, columns: w.shape[1], r)
            var bias: [Double]? = nil
            if let b = st.tensors[biasName(l)] {
                guard b.shape == [w.shape[1]] else {
                    throw r.fail(SafeTensors.field(biasName(l), "shape"), "expected [\(w.shape[1])] (fan_out of \(name)), found \(b.shape)")
                }
                try checkFinite(b.values, biasName(l), columns: 0, r)
                bias = b.values
            }
            expected.formUnion([name, biasName(l)])
            layers.append(DenseLayer(weights: Matrix(rows: w.shape[0], columns: w.shape[1], elements: w.values),
                                     bias: bias, activation: activation))
        }
        do {
            try Network<Reference>.validate(layers, loss)
        } catch {
            switch error {
            case .softmaxNotLast(let l):
                throw r.fail(metaField("activations"), "layer \(l): softmax is only allowed on the last layer")
            case .softmaxWithoutCrossEntropy, .crossEntropyWithoutSoftmax:
                throw r.fail(metaField("loss"), error.description)
            default:
                throw r.fail(nil, error.description)  // Shapes were checked above with their fields.
            }
        }

        let inputs = layers[0].fanIn
        var scaler: FeatureScaler? = nil
        if let methodName = st.metadata["scaling_method"] {
            scaler = try readScaler(methodName, st, inputs: inputs, r, metaField("scaling_method"))
            expected.formUnion([offsetName, scaleName])
        }
        if let stray = st.tensors.keys.sorted().first(where: { !expected.contains($0) }) {
            let why = stray.hasPrefix("scaling.") ? "no scaling_method metadata" : "\(activations.count) layers in the activations metadata"
            throw r.fail(SafeTensors.field(stray), "unexpected tensor (the model has \(why))")
        }
        let classNames = try st.metadata["class_names"].map { text throws(FileFormatError) in
            try readClassNames(text, outputs: layers[layers.count - 1].fanOut, r, metaField("class_names"))
        }
        var metadata: [String: String] = [:]
        for (key, value) in st.metadata where key.hasPrefix(userPrefix) {
            metadata[String(key.dropFirst(userPrefix.count))] = value
        }
        do {
            return try SavedModel(layers: layers, loss: loss, scaler: scaler, classNames: classNames, metadata: metadata)
        } catch {
            throw r.fail(nil, error.description)  // Unreachable: every rule was checked above with its field.
        }
    }

    /// NaN or infinity in a parameter tensor is an error naming the element (`[i][j]` for a matrix).
    private static func checkFinite(_ values: [Double], _ name: String, columns: Int, _ r: JSONReader) throws(FileFormatError) {
        guard let i = values.firstIndex(where: { !$0.isFinite }) else { return }
        let index = columns > 0 ? "[\(i / columns)][\(i % columns)]" : "[\(i)]"
        throw r.fail("\(name)\(index)", "value \(values[i]) is not finite")
    }

    private static func readScaler(_ methodName: String, _ st: SafeTensors, inputs: Int, _ r: JSONReader,
                                   _ methodField: String) throws(FileFormatError) -> FeatureScaler {
        guard let method = FeatureScaler.Method(rawValue: methodName) else {
            let known = FeatureScaler.Method.allCases.map(\.rawValue).joined(separator: ", ")
            throw r.fail(methodField, "unknown scaling method \(JSONText.string(methodName)) (expected one of \(known))")
        }
        var parts: [[Double]] = []
        for name in [offsetName, scaleName] {
            guard let t = st.tensors[name] else { throw r.fail(SafeTensors.field(name), "missing tensor (scaling_method is set)") }
            guard t.shape == [inputs] else {
                throw r.fail(SafeTensors.field(name, "shape"), "expected [\(inputs)] (one per input of layer 0), found \(t.shape)")
            }
            try checkFinite(t.values, name, columns: 0, r)
            parts.append(t.values)
        }
        if let j = parts[1].firstIndex(of: 0) { throw r.fail("\(scaleName)[\(j)]", "a scale of 0 would erase the feature") }
        return FeatureScaler(method: method, offset: parts[0], scale: parts[1])
    }

    /// `class_names`: a JSON array of strings, one per output (or two for a single output).
    private static func readClassNames(_ text: String, outputs: Int, _ r: JSONReader, _ field: String) throws(FileFormatError) -> [String] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(Data(text.utf8), file: r.file)
        } catch {
            throw r.fail(field, "expected a JSON array of strings: \(error.problem)")
        }
        let items = try r.array(value, field)
        if !(items.count == outputs || (outputs == 1 && items.count == 2)) {
            throw r.fail(field, "\(items.count) names for \(outputs) outputs (expected one per output, or two for a single output)")
        }
        var names: [String] = []
        for (i, item) in items.enumerated() { names.append(try r.string(item, "\(field)[\(i)]")) }
        return names
    }
}
