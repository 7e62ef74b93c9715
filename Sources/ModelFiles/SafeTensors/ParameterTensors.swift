// ParameterTensors.swift: the safetensors encoding of a network's layers and of a feature scaler, shared by model files and checkpoints.
import Backprop
import Datasets
import Foundation
import Linalg

/// The safetensors encoding of a network's layers and of a feature scaler, shared by model files
/// and checkpoints: F32 or F64 tensors (the network's precision) `{prefix}.{l}.weight` (`[fan_in, fan_out]`
/// for a dense layer, `[out, in, kh, kw]` for a conv2d, row-major), `{prefix}.{l}.bias` (only where a
/// layer has one), `scaling.offset` and `scaling.scale` (`[n_in]`); the kinds, the other kinds'
/// settings (`layer_settings`), the activations and the scaling method live in the metadata.
enum ParameterTensors {
    static func weightName(_ prefix: String, _ l: Int) -> String { "\(prefix).\(l).weight" }
    static func biasName(_ prefix: String, _ l: Int) -> String { "\(prefix).\(l).bias" }
    static let offsetName = "scaling.offset"
    static let scaleName = "scaling.scale"

    /// Adds the parameters of `layers` as tensors of dtype F32 or F64 for `precision`: a dense layer's
    /// `{prefix}.{l}.weight` (`[fan_in, fan_out]`), a conv2d's (`[out, in, kh, kw]`, PyTorch's `Conv2d.weight`),
    /// and either's `{prefix}.{l}.bias` (`[fan_out]` or `[out]`, where it has one); the other kinds have none.
    static func put(_ layers: [Layer<Double>], prefix: String, precision: Precision,
                    into tensors: inout [String: SafeTensors.Tensor]) {
        for (l, layer) in layers.enumerated() where !layer.weights.elements.isEmpty {
            var shape = [layer.weights.rows, layer.weights.columns]
            if case .conv2d(let conv) = layer { shape = [conv.shape.filters, conv.shape.channels, conv.shape.kernelHeight, conv.shape.kernelWidth] }
            tensors[weightName(prefix, l)] = .init(shape: shape, values: layer.weights.elements, precision: precision)
            if let b = layer.bias { tensors[biasName(prefix, l)] = .init(shape: [b.count], values: b, precision: precision) }
        }
    }

    /// The names of the tensors `layers` are stored in under `prefix`.
    static func names(_ layers: [Layer<Double>], prefix: String) -> Set<String> {
        Set(layers.indices.flatMap { l in
            (layers[l].weights.elements.isEmpty ? [] : [weightName(prefix, l)]) + (layers[l].bias == nil ? [] : [biasName(prefix, l)])
        })
    }

    /// `.float32` when every one of the `layers` layers' tensors under `prefix` is F32, else `.float64`;
    /// for layers without any parameters, the `precision` metadata entry (float64 when absent).
    static func precision(prefix: String, layers: Int, _ container: SafeTensors) -> Precision {
        let names = (0..<layers).flatMap { [weightName(prefix, $0), biasName(prefix, $0)] }
        let all = names.compactMap { container.tensors[$0] }
        if all.isEmpty { return container.metadata["precision"].flatMap(Precision.init(rawValue:)) ?? .float64 }
        return all.allSatisfy { $0.precision == .float32 } ? .float32 : .float64
    }

    /// Reads one layer per entry of `kinds`: a dense or conv2d layer from `{prefix}.{l}.weight` and,
    /// where `biases[l]` says so (or, with `biases` nil, where the tensor is present), `{prefix}.{l}.bias`,
    /// with its activation from `activations`; the other kinds from their `settings` alone (their
    /// activation must be identity). Checks that dense shapes chain, a conv2d's weight is
    /// `[out, in, kh, kw]` of its settings, and every parameter is finite; the rules that involve the
    /// loss, and the geometry that makes no layer, are the caller's (``network(_:_:activationsKey:lossKey:_:)``).
    static func layers(prefix: String, kinds: [String], settings: [[String: JSONValue]], activations: [Activation], biases: [Bool]?,
                       _ r: SafeTensorsReader) throws(FileFormatError) -> [Layer<Double>] {
        var layers: [Layer<Double>] = []
        for (l, activation) in activations.enumerated() {
            let name = weightName(prefix, l), kind = kinds[l]
            let hasBias = biases?[l] ?? (r.container.tensors[biasName(prefix, l)] != nil)
            func bias(_ count: Int) throws(FileFormatError) -> [Double]? {
                guard hasBias else { return nil }
                let values = try r.tensor(biasName(prefix, l), shape: [count], what: " (fan_out of \(name))").values
                try r.checkFinite(values, biasName(prefix, l), columns: 0)
                return values
            }
            if kind == "dense" {
                let w = try r.tensor(name, missing: " (the activations metadata lists \(activations.count) layers)")
                guard w.shape.count == 2, w.shape[0] > 0, w.shape[1] > 0 else {
                    throw r.fail(SafeTensors.field(name, "shape"), "expected [fan_in, fan_out], both at least 1, found \(w.shape)")
                }
                if let previous = layers.last, w.shape[0] != previous.outputCount {
                    throw r.fail(SafeTensors.field(name, "shape"), "fan_in \(w.shape[0]) (the first dimension), but layer \(l - 1) has \(previous.outputCount) outputs")
                }
                try r.checkFinite(w.values, name, columns: w.shape[1])
                layers.append(.dense(weights: Matrix(rows: w.shape[0], columns: w.shape[1], elements: w.values),
                                     bias: try bias(w.shape[1]), activation: activation))
                continue
            }
            let path = SafeTensorsReader.metadataField(settingsKey) + "[\(l)]"
            if kind != "conv2d" {
                if activation != .identity {
                    throw r.fail(SafeTensorsReader.metadataField("activations"), "layer \(l) (\(kind)): expected identity (the kind has no activation of its own), found \(activation.rawValue)")
                }
                if hasBias { throw r.fail(SafeTensors.field(biasName(prefix, l)), "layer \(l) (\(kind)) has no parameters, so no bias") }
                layers.append(try LayerKindsJSON.read(kind: kind, settings[l], at: path, JSONReader(file: r.file)))
                continue
            }
            layers.append(try LayerKindsJSON.read(kind: kind, settings[l], at: path, JSONReader(file: r.file)) { patch throws(FileFormatError) in
                let w = try r.tensor(name, missing: " (layer \(l) is a conv2d)")
                guard w.shape.count == 4, w.shape[0] > 0, Array(w.shape.dropFirst()) == patch else {
                    let wanted = "[filters, " + patch.map(String.init).joined(separator: ", ") + "]"
                    throw r.fail(SafeTensors.field(name, "shape"),
                                 "layer \(l) (conv2d): expected \(wanted) ([out, in, kh, kw] of its input_shape and kernel, at least 1 filter), found \(w.shape)")
                }
                let columns = patch.reduce(1, *)
                try r.checkFinite(w.values, name, columns: columns)
                return (Matrix(rows: w.shape[0], columns: columns, elements: w.values), try bias(w.shape[0]), activation)
            })
        }
        return layers
    }

    /// The activations listed in metadata entry `key` (comma-separated, one per layer).
    static func activations(_ key: String, _ r: SafeTensorsReader) throws(FileFormatError) -> [Activation] {
        var activations: [Activation] = []
        for name in try r.string(key).split(separator: ",", omittingEmptySubsequences: false) {
            guard let activation = Activation(rawValue: String(name)) else {
                throw r.fail(SafeTensorsReader.metadataField(key), "layer \(activations.count): " + Names.unknown(name, Activation.self))
            }
            activations.append(activation)
        }
        return activations
    }

    /// The metadata entry that holds the layers' settings: a JSON array, one object per layer, as
    /// ``LayerKindsJSON/settings(_:)`` writes them (`{}` for a dense layer). Written only for a network
    /// with a layer of another kind than dense, so that dense files stay as they were.
    static let settingsKey = "layer_settings"

    /// The metadata entries `kinds` of `layers` and, when a layer is not dense, `layer_settings`.
    static func kindMetadata(_ layers: [Layer<Double>]) -> [String: String] {
        var metadata = ["kinds": layers.map(\.kindName).joined(separator: ",")]
        if layers.contains(where: { $0.kindName != "dense" }) {
            metadata[settingsKey] = "[" + layers.map { LayerKindsJSON.settings($0) }.joined(separator: ", ") + "]"
        }
        return metadata
    }

    /// The layer kinds of metadata entry `key`, one known kind per layer, comma-separated; every
    /// layer is dense when the entry is absent (as in version 1).
    static func kinds(_ key: String, layers: Int, _ r: SafeTensorsReader) throws(FileFormatError) -> [String] {
        guard r.container.metadata[key] != nil else { return Array(repeating: "dense", count: layers) }
        let kinds = try r.string(key).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for (l, kind) in kinds.enumerated() where !Layer<Double>.kindNames.contains(kind) {
            throw r.fail(SafeTensorsReader.metadataField(key), "layer \(l): " + Names.unknownKind(kind))
        }
        if kinds.count != layers {
            throw r.fail(SafeTensorsReader.metadataField(key), "\(kinds.count) layer kinds for \(layers) layers in the activations metadata")
        }
        return kinds
    }

    /// The settings of each of `kinds`' layers from metadata entry ``settingsKey``, which must be
    /// there when a kind is not dense; empty objects for dense layers only.
    static func settings(kinds: [String], _ r: SafeTensorsReader) throws(FileFormatError) -> [[String: JSONValue]] {
        guard let l = kinds.firstIndex(where: { $0 != "dense" }) else { return kinds.map { _ in [:] } }
        let field = SafeTensorsReader.metadataField(settingsKey)
        let reader = JSONReader(file: r.file)
        guard let text = r.container.metadata[settingsKey] else {
            throw r.fail(field, "missing field (layer \(l) is \(kinds[l]), whose settings it holds)")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(Data(text.utf8), file: r.file)
        } catch {
            throw r.fail(field, "expected a JSON array of one object per layer: \(error.problem)")
        }
        let items = try reader.array(value, field)
        guard items.count == kinds.count else {
            throw r.fail(field, "\(items.count) entries for \(kinds.count) layers in the kinds metadata")
        }
        var settings: [[String: JSONValue]] = []
        for (l, item) in items.enumerated() { settings.append(try reader.object(item, "\(field)[\(l)]")) }
        return settings
    }

    /// The loss in metadata entry `key`.
    static func loss(_ key: String, _ r: SafeTensorsReader) throws(FileFormatError) -> Loss {
        let name = try r.string(key)
        guard let loss = Loss(rawValue: name) else {
            throw r.fail(SafeTensorsReader.metadataField(key), Names.unknown(name, Loss.self))
        }
        return loss
    }

    /// The network of `layers` and `loss`, its rules checked; a broken rule names the metadata entry
    /// `activationsKey` or `lossKey` it comes from.
    static func network(_ layers: [Layer<Double>], _ loss: Loss, activationsKey: String, lossKey: String,
                        _ r: SafeTensorsReader) throws(FileFormatError) -> NetworkDefinition<Double> {
        do {
            return try NetworkDefinition(layers: layers, loss: loss)
        } catch {
            switch error {
            case .softmaxNotLast(let l):
                throw r.fail(SafeTensorsReader.metadataField(activationsKey), "layer \(l): softmax is only allowed on the last layer")
            case .softmaxWithoutCrossEntropy, .crossEntropyWithoutSoftmax:
                throw r.fail(SafeTensorsReader.metadataField(lossKey), error.description)
            default:
                throw r.fail(nil, error.description)  // Shapes were checked with their fields by layers(prefix:...).
            }
        }
    }

    /// Adds the scaler's `scaling.offset` and `scaling.scale` tensors.
    static func put(_ scaler: FeatureScaler, into tensors: inout [String: SafeTensors.Tensor]) {
        tensors[offsetName] = .init(shape: [scaler.featureCount], values: scaler.offset)
        tensors[scaleName] = .init(shape: [scaler.featureCount], values: scaler.scale)
    }

    /// The scaler of method metadata entry `methodKey` and the `scaling.offset` and `scaling.scale`
    /// tensors, `inputs` entries each, finite, no scale 0 (FeatureScaler's rules, checked here to
    /// name the field instead of trapping).
    static func scaler(methodKey: String, inputs: Int, _ r: SafeTensorsReader) throws(FileFormatError) -> FeatureScaler {
        let methodName = try r.string(methodKey)
        guard let method = FeatureScaler.Method(rawValue: methodName) else {
            throw r.fail(SafeTensorsReader.metadataField(methodKey), Names.unknown(methodName, FeatureScaler.Method.self))
        }
        var parts: [[Double]] = []
        for name in [offsetName, scaleName] {
            let t = try r.tensor(name, shape: [inputs], what: " (one per input of layer 0)", missing: " (scaling_method is set)")
            try r.checkFinite(t.values, name, columns: 0)
            parts.append(t.values)
        }
        if let j = parts[1].firstIndex(of: 0) { throw r.fail("\(scaleName)[\(j)]", "a scale of 0 would erase the feature") }
        return FeatureScaler(method: method, offset: parts[0], scale: parts[1])
    }
}
