// ParameterTensors.swift: the safetensors encoding of a network's layers and of a feature scaler, shared by model files and checkpoints.
import Backprop
import Datasets
import Linalg

/// The safetensors encoding of a network's layers and of a feature scaler, shared by model files
/// and checkpoints: F32 or F64 tensors (the network's precision) `{prefix}.{l}.weight` (`[fan_in, fan_out]`, row-major),
/// `{prefix}.{l}.bias` (`[fan_out]`, only where a layer has one), `scaling.offset` and
/// `scaling.scale` (`[n_in]`); the activations and the scaling method live in the metadata.
enum ParameterTensors {
    static func weightName(_ prefix: String, _ l: Int) -> String { "\(prefix).\(l).weight" }
    static func biasName(_ prefix: String, _ l: Int) -> String { "\(prefix).\(l).bias" }
    static let offsetName = "scaling.offset"
    static let scaleName = "scaling.scale"

    /// Adds `layers` as `{prefix}.{l}.weight` and `{prefix}.{l}.bias` tensors of dtype F32 or F64 for `precision`.
    /// - Precondition: every layer is dense (the only kind these files hold so far; ``SavedModel/save(to:format:)``
    ///   throws ``ModelError/kindNotInFormat(layer:kind:format:)`` before reaching here).
    static func put(_ layers: [Layer<Double>], prefix: String, precision: Precision,
                    into tensors: inout [String: SafeTensors.Tensor]) {
        if let problem = ModelError.denseOnly(layers, format: "safetensors") { preconditionFailure("safetensors: \(problem)") }
        for (l, layer) in layers.enumerated() {
            tensors[weightName(prefix, l)] = .init(shape: [layer.weights.rows, layer.weights.columns], values: layer.weights.elements, precision: precision)
            if let b = layer.bias { tensors[biasName(prefix, l)] = .init(shape: [b.count], values: b, precision: precision) }
        }
    }

    /// `.float32` when every one of the `layers` layers' tensors under `prefix` is F32, else `.float64`.
    static func precision(prefix: String, layers: Int, _ container: SafeTensors) -> Precision {
        let names = (0..<layers).flatMap { [weightName(prefix, $0), biasName(prefix, $0)] }
        let all = names.compactMap { container.tensors[$0] }
        return all.allSatisfy { $0.precision == .float32 } ? .float32 : .float64
    }

    /// Reads one layer per entry of `activations` from `{prefix}.{l}.weight` and, where `biases[l]`
    /// says so (or, with `biases` nil, where the tensor is present), `{prefix}.{l}.bias`. Checks that
    /// shapes chain and every parameter is finite; the rules that involve the loss are the caller's.
    static func layers(prefix: String, activations: [Activation], biases: [Bool]?,
                       _ r: SafeTensorsReader) throws(FileFormatError) -> [Layer<Double>] {
        var layers: [Layer<Double>] = []
        for (l, activation) in activations.enumerated() {
            let name = weightName(prefix, l)
            let w = try r.tensor(name, missing: " (the activations metadata lists \(activations.count) layers)")
            guard w.shape.count == 2, w.shape[0] > 0, w.shape[1] > 0 else {
                throw r.fail(SafeTensors.field(name, "shape"), "expected [fan_in, fan_out], both at least 1, found \(w.shape)")
            }
            if let previous = layers.last, w.shape[0] != previous.outputCount {
                throw r.fail(SafeTensors.field(name, "shape"), "fan_in \(w.shape[0]) (the first dimension), but layer \(l - 1) has \(previous.outputCount) outputs")
            }
            try r.checkFinite(w.values, name, columns: w.shape[1])
            var bias: [Double]? = nil
            if biases?[l] ?? (r.container.tensors[biasName(prefix, l)] != nil) {
                bias = try r.tensor(biasName(prefix, l), shape: [w.shape[1]], what: " (fan_out of \(name))").values
                try r.checkFinite(bias!, biasName(prefix, l), columns: 0)
            }
            layers.append(.dense(weights: Matrix(rows: w.shape[0], columns: w.shape[1], elements: w.values),
                                     bias: bias, activation: activation))
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

    /// Checks metadata entry `key`, when present (it is from version 2 on): one known layer kind per
    /// layer, comma-separated. Every kind read today is dense: the image kinds (conv2d, pools,
    /// flatten) are refused with a message, rather than read as dense layers.
    static func checkKinds(_ key: String, layers: Int, _ r: SafeTensorsReader) throws(FileFormatError) {
        guard r.container.metadata[key] != nil else { return }
        let kinds = try r.string(key).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for (l, kind) in kinds.enumerated() where !Layer<Double>.kindNames.contains(kind) {
            throw r.fail(SafeTensorsReader.metadataField(key), "layer \(l): " + Names.unknownKind(kind))
        }
        if let l = kinds.firstIndex(where: { $0 != "dense" }) {
            throw r.fail(SafeTensorsReader.metadataField(key),
                         "layer \(l): layer kind \(Excerpt.quoted(kinds[l])) is not read from safetensors files yet (only dense is; JSON model files hold every kind)")
        }
        if kinds.count != layers {
            throw r.fail(SafeTensorsReader.metadataField(key), "\(kinds.count) layer kinds for \(layers) layers in the activations metadata")
        }
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
