// TorchStateDict.swift: a model as the state dict of a `torch.nn.Sequential`, in a safetensors file.
import Backprop
import Datasets
import Foundation
import Linalg

/// A model as the state dict of a `torch.nn.Sequential`, in a safetensors file.
///
/// The module is, for each layer l, `Linear(fan_in, fan_out, bias=…)` at index 2l and its activation
/// at 2l + 1 (`Identity`, `Sigmoid`, `Tanh`, `ReLU` or `Softmax(dim=1)`), so the tensors are
/// `{2l}.weight` (`[fan_out, fan_in]`, the transpose of this package's weights) and `{2l}.bias`
/// (`[fan_out]`, only where the layer has one), and nothing else:
/// `model.load_state_dict(safetensors.torch.load_file(path), strict=True)` accepts them.
///
/// The rest is string metadata: the keys of the package's own safetensors format (`format`,
/// `version`, `loss`, `activations`, `scaling_method`, `class_names`, `meta.*`), `layout` (this
/// convention in words), `scaling_offset` and `scaling_scale` (JSON arrays, only when scaled: the
/// caller applies `(x − offset) · scale` before the module), and `pytorch` (the module as code).
/// Files PyTorch saves back with that metadata, in float32 or float64, load here.
public enum TorchStateDict {
    /// The `layout` metadata value.
    static let layout = "torch.nn.Sequential state dict: {2l}.weight is fan_out x fan_in; layer l computes f(x @ W.T + b)"
    static func weightName(_ l: Int) -> String { "\(2 * l).weight" }
    static func biasName(_ l: Int) -> String { "\(2 * l).bias" }
    static let offsetKey = "scaling_offset", scaleKey = "scaling_scale"

    /// The PyTorch module of layer l's activation.
    static func module(_ activation: Activation) -> String {
        switch activation {
        case .identity: return "torch.nn.Identity()"
        case .sigmoid: return "torch.nn.Sigmoid()"
        case .tanh: return "torch.nn.Tanh()"
        case .relu: return "torch.nn.ReLU()"
        case .softmax: return "torch.nn.Softmax(dim=1)"
        }
    }

    /// The `torch.nn.Sequential(...)` expression whose state dict the file holds.
    public static func sequential(_ model: SavedModel) -> String {
        let parts = model.layers.flatMap { layer in
            ["torch.nn.Linear(\(layer.inputCount), \(layer.outputCount), bias=\(layer.bias == nil ? "False" : "True"))", module(layer.activation)]
        }
        return "torch.nn.Sequential(\n    " + parts.joined(separator: ",\n    ") + ",\n)"
    }

    /// Python that rebuilds the module from the file at `path` and predicts with it, the input
    /// scaling included.
    public static func pytorchCode(_ model: SavedModel, path: String) -> String {
        var lines = ["import json", "import torch", "from safetensors import safe_open", "from safetensors.torch import load_file", "",
                     "model = \(sequential(model)).double()",
                     "model.load_state_dict(load_file(\(JSONText.string(path))), strict=True)"]
        if model.scaler != nil {
            lines += ["with safe_open(\(JSONText.string(path)), framework=\"pt\") as f:",
                      "    meta = f.metadata()",
                      "offset = torch.tensor(json.loads(meta[\"\(offsetKey)\"]), dtype=torch.float64)",
                      "scale = torch.tensor(json.loads(meta[\"\(scaleKey)\"]), dtype=torch.float64)",
                      "predict = lambda x: model((x - offset) * scale)  # x: batch × \(model.inputCount), raw features"]
        } else {
            lines.append("predict = lambda x: model(x)  # x: batch × \(model.inputCount), \(model.precision.rawValue)")
        }
        return lines.joined(separator: "\n")
    }

    /// The model as a state-dict container (F32 tensors for a float32 model, F64 for a float64 one).
    /// - Precondition: every layer is dense (``SavedModel/denseOnly(_:)`` is nil).
    public static func container(_ model: SavedModel) -> SafeTensors {
        if let problem = model.denseOnly("PyTorch") { preconditionFailure("TorchStateDict: \(problem)") }
        let own = ModelSafeTensors.container(model)
        var metadata = own.metadata
        metadata["layout"] = layout
        metadata["pytorch"] = sequential(model)
        if let scaler = model.scaler {
            metadata[offsetKey] = JSONText.vector(scaler.offset)
            metadata[scaleKey] = JSONText.vector(scaler.scale)
        }
        var tensors: [String: SafeTensors.Tensor] = [:]
        for (l, layer) in model.layers.enumerated() {
            let w = layer.weights
            var transposed = [Double](repeating: 0, count: w.elements.count)
            for i in 0..<w.rows { for j in 0..<w.columns { transposed[j * w.rows + i] = w[i, j] } }
            tensors[weightName(l)] = .init(shape: [layer.outputCount, layer.inputCount], values: transposed, precision: model.precision)
            if let bias = layer.bias { tensors[biasName(l)] = .init(shape: [bias.count], values: bias, precision: model.precision) }
        }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    /// Whether a container is in this layout: it holds a tensor `0.weight`.
    static func matches(_ st: SafeTensors) -> Bool { st.tensors[weightName(0)] != nil }

    /// Whether the file at `path` is a safetensors container in this layout (false when it cannot be read).
    public static func isStateDict(path: String) -> Bool {
        (try? SafeTensors.read(path: path)).map(matches) ?? false
    }

    /// Reads a model from a state-dict container. The tensor names, ranks and finiteness are
    /// checked here under their own names; the weights are then transposed into the package's
    /// layout and checked as ``ModelSafeTensors`` checks its own files (metadata, chaining shapes).
    static func read(_ st: SafeTensors, file: String) throws(FileFormatError) -> SavedModel {
        let r = JSONReader(file: file)
        func metaField(_ key: String) -> String { "\(SafeTensors.field(SafeTensors.metadataKey))[\(JSONText.string(key))]" }
        let layerCount = st.metadata["activations"].map { $0.split(separator: ",", omittingEmptySubsequences: false).count } ?? 0
        var tensors: [String: SafeTensors.Tensor] = [:]
        var expected: Set<String> = []
        for l in 0..<layerCount {
            guard let w = st.tensors[weightName(l)] else {
                throw r.fail(SafeTensors.field(weightName(l)), "missing tensor (the activations metadata lists \(layerCount) layers)")
            }
            guard w.shape.count == 2, w.shape[0] > 0, w.shape[1] > 0 else {
                throw r.fail(SafeTensors.field(weightName(l), "shape"), "expected [fan_out, fan_in], both at least 1, found \(w.shape)")
            }
            if let i = w.values.firstIndex(where: { !$0.isFinite }) {
                throw r.fail("\(weightName(l))[\(i / w.shape[1])][\(i % w.shape[1])]", "value \(w.values[i]) is not finite")
            }
            let (rows, columns) = (w.shape[1], w.shape[0])  // fan_in, fan_out
            if l > 0, let previous = st.tensors[weightName(l - 1)], previous.shape.count == 2, previous.shape[0] != rows {
                throw r.fail(SafeTensors.field(weightName(l), "shape"),
                             "fan_in \(rows) (the second dimension), but layer \(l - 1) has \(previous.shape[0]) outputs")
            }
            var values = [Double](repeating: 0, count: w.values.count)
            for o in 0..<columns { for i in 0..<rows { values[i * columns + o] = w.values[o * rows + i] } }
            tensors[ParameterTensors.weightName("layers", l)] = .init(shape: [rows, columns], values: values, precision: w.precision)
            if let b = st.tensors[biasName(l)] {
                guard b.shape == [columns] else {
                    throw r.fail(SafeTensors.field(biasName(l), "shape"), "expected [\(columns)] (fan_out of \(weightName(l))), found \(b.shape)")
                }
                tensors[ParameterTensors.biasName("layers", l)] = b
            }
            expected.formUnion([weightName(l), biasName(l)])
        }
        if let stray = st.tensors.keys.sorted().first(where: { !expected.contains($0) }) {
            throw r.fail(SafeTensors.field(stray), "unexpected tensor (a state dict of \(layerCount) Linear layers at indices 0, 2, …)")
        }
        var metadata = st.metadata
        if st.metadata["scaling_method"] != nil {
            for (key, name) in [(offsetKey, ParameterTensors.offsetName), (scaleKey, ParameterTensors.scaleName)] {
                guard let text = st.metadata[key] else { throw r.fail(metaField(key), "missing field (scaling_method is set)") }
                let values: [Double]
                do {
                    values = try r.vector(try JSONValue.parse(Data(text.utf8), file: file), metaField(key))
                } catch {
                    throw r.fail(metaField(key), "expected a JSON array of numbers: \(error.problem)")
                }
                tensors[name] = .init(shape: [values.count], values: values)
                metadata[key] = nil
            }
        }
        return try ModelSafeTensors.read(SafeTensors(tensors: tensors, metadata: metadata), file: file)
    }
}

extension SavedModel {
    /// The file's bytes as a PyTorch state dict (see ``TorchStateDict``).
    public func torchStateDict() -> Data { TorchStateDict.container(self).encoded() }
}
