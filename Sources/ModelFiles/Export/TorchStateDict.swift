// TorchStateDict.swift: a model as the state dict of a `torch.nn.Sequential`, in a safetensors file.
import Backprop
import Datasets
import Foundation
import Linalg

/// A model as the state dict of a `torch.nn.Sequential`, in a safetensors file.
///
/// The module has one entry per step of `ExportPlan`: for a dense layer `Linear(fan_in, fan_out, bias=…)`
/// then its activation (`Identity`, `Sigmoid`, `Tanh`, `ReLU` or `Softmax(dim=1)`); for a conv2d
/// `Conv2d(in, out, kernel_size=(kh, kw), stride=…, padding=…, bias=…)` then its activation;
/// `MaxPool2d` and `AvgPool2d(kernel_size=…, stride=…)`, `Flatten()` and `LeakyReLU(negative_slope=α)`
/// for the other kinds; and `Flatten()` or `Unflatten(1, (C, H, W))` where the plan has them. The
/// tensors are `{i}.weight` and `{i}.bias` of the `Linear` and `Conv2d` at index i, counted as PyTorch
/// counts the Sequential's entries (every module, parameter-free ones included, so a dense-only model's
/// layer l is at 2l): a `Linear`'s weight is `[fan_out, fan_in]` (the transpose of this package's), a
/// `Conv2d`'s `[out, in, kh, kw]` (as here); a bias only where the layer has one. Nothing else:
/// `model.load_state_dict(safetensors.torch.load_file(path), strict=True)` accepts them. The module
/// takes `[N, C, H, W]` when the first layer is an image layer (`ExportPlan`), `[N, inputs]` otherwise.
///
/// The rest is string metadata: the keys of the package's own safetensors format (`format`,
/// `version`, `loss`, `kinds`, `layer_settings`, `activations`, `scaling_method`, `class_names`, `meta.*`),
/// `layout` (this convention in words), `scaling_offset` and `scaling_scale` (JSON arrays, only when
/// scaled: the caller applies `(x − offset) · scale` to the flat features before the module), and
/// `pytorch` (the module as code). Files PyTorch saves back with that metadata, in float32 or float64, load here.
public enum TorchStateDict {
    /// The `layout` metadata value.
    static let layout = "torch.nn.Sequential state dict: {i}.weight and {i}.bias of the module at index i (every module counted); "
        + "a Linear's weight is fan_out x fan_in (it computes f(x @ W.T + b)), a Conv2d's [out, in, kh, kw]"
    static let offsetKey = "scaling_offset", scaleKey = "scaling_scale"

    /// The PyTorch module of an activation.
    static func module(_ activation: Activation) -> String {
        switch activation {
        case .identity: return "torch.nn.Identity()"
        case .sigmoid: return "torch.nn.Sigmoid()"
        case .tanh: return "torch.nn.Tanh()"
        case .relu: return "torch.nn.ReLU()"
        case .softmax: return "torch.nn.Softmax(dim=1)"
        }
    }

    /// The PyTorch module of `step` of a model of `layers`.
    static func module(_ step: ExportPlan.Step, _ layers: [Layer<Double>]) -> String {
        func pair(_ a: Int, _ b: Int) -> String { "(\(a), \(b))" }
        func bias(_ b: [Double]?) -> String { b == nil ? "False" : "True" }
        switch step {
        case .flatten: return "torch.nn.Flatten()"
        case .unflatten(let l): return "torch.nn.Unflatten(1, (" + ExportPlan.imageShape(layers[l])!.map(String.init).joined(separator: ", ") + "))"
        case .activation(let l): return module(layers[l].activation)
        case .layer(let l):
            switch layers[l] {
            case .dense(let d):
                return "torch.nn.Linear(\(d.inputCount), \(d.outputCount), bias=\(bias(d.bias)))"
            case .conv2d(let c):
                let s = c.shape
                return "torch.nn.Conv2d(\(s.channels), \(s.filters), kernel_size=\(pair(s.kernelHeight, s.kernelWidth)), "
                    + "stride=\(pair(s.strideHeight, s.strideWidth)), padding=\(pair(s.paddingHeight, s.paddingWidth)), bias=\(bias(c.bias)))"
            case .maxPool2D(let p):
                return "torch.nn.MaxPool2d(kernel_size=\(pair(p.shape.kernelHeight, p.shape.kernelWidth)), stride=\(pair(p.shape.strideHeight, p.shape.strideWidth)))"
            case .avgPool2D(let p):
                return "torch.nn.AvgPool2d(kernel_size=\(pair(p.shape.kernelHeight, p.shape.kernelWidth)), stride=\(pair(p.shape.strideHeight, p.shape.strideWidth)))"
            case .flatten:
                return "torch.nn.Flatten()"
            case .leakyReLU(let r):
                return "torch.nn.LeakyReLU(negative_slope=\(r.slope))"
            }
        }
    }

    /// The `torch.nn.Sequential(...)` expression whose state dict the file holds.
    public static func sequential(_ model: SavedModel) -> String {
        let parts = ExportPlan.steps(model).map { module($0, model.layers) }
        return "torch.nn.Sequential(\n    " + parts.joined(separator: ",\n    ") + ",\n)"
    }

    /// Python that rebuilds the module from the file at `path` and predicts with it, the input
    /// scaling included (`predict` takes rows of raw features, as `backprop predict` does).
    public static func pytorchCode(_ model: SavedModel, path: String) -> String {
        var lines = ["import json", "import torch", "from safetensors import safe_open", "from safetensors.torch import load_file", "",
                     "model = \(sequential(model)).double()",
                     "model.load_state_dict(load_file(\(JSONText.string(path))), strict=True)"]
        let shape = ExportPlan.inputShape(model)
        let image = shape.count == 3 ? ".reshape(-1, \(shape.map(String.init).joined(separator: ", ")))" : ""
        let input = "x: batch × \(model.inputCount)" + (image.isEmpty ? "" : ", each a \(shape.map(String.init).joined(separator: "×")) image (NCHW)")
        if model.scaler != nil {
            lines += ["with safe_open(\(JSONText.string(path)), framework=\"pt\") as f:",
                      "    meta = f.metadata()",
                      "offset = torch.tensor(json.loads(meta[\"\(offsetKey)\"]), dtype=torch.float64)",
                      "scale = torch.tensor(json.loads(meta[\"\(scaleKey)\"]), dtype=torch.float64)",
                      "predict = lambda x: model(((x - offset) * scale)\(image))  # \(input), raw features"]
        } else {
            lines.append("predict = lambda x: model(x\(image))  # \(input), \(model.precision.rawValue)")
        }
        return lines.joined(separator: "\n")
    }

    /// The model as a state-dict container (F32 tensors for a float32 model, F64 for a float64 one).
    public static func container(_ model: SavedModel) -> SafeTensors {
        let own = ModelSafeTensors.container(model)
        var metadata = own.metadata
        metadata["layout"] = layout
        metadata["pytorch"] = sequential(model)
        if let scaler = model.scaler {
            metadata[offsetKey] = JSONText.vector(scaler.offset)
            metadata[scaleKey] = JSONText.vector(scaler.scale)
        }
        var tensors: [String: SafeTensors.Tensor] = [:]
        let indices = ExportPlan.moduleIndices(ExportPlan.steps(model), layers: model.layers.count)
        for (l, layer) in model.layers.enumerated() {
            switch layer {
            case .dense(let dense):
                let w = dense.weights
                var transposed = [Double](repeating: 0, count: w.elements.count)
                for i in 0..<w.rows { for j in 0..<w.columns { transposed[j * w.rows + i] = w[i, j] } }
                tensors["\(indices[l]).weight"] = .init(shape: [w.columns, w.rows], values: transposed, precision: model.precision)
            case .conv2d(let conv):
                let s = conv.shape
                tensors["\(indices[l]).weight"] = .init(shape: [s.filters, s.channels, s.kernelHeight, s.kernelWidth],
                                                        values: conv.weights.elements, precision: model.precision)
            case .maxPool2D, .avgPool2D, .flatten, .leakyReLU:
                continue
            }
            if let bias = layer.bias { tensors["\(indices[l]).bias"] = .init(shape: [bias.count], values: bias, precision: model.precision) }
        }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    /// Whether a container is in this layout: it holds a tensor named by a module index (`0.weight`,
    /// `3.bias`, …), or, for a model without parameters, says so in its `layout` metadata.
    static func matches(_ st: SafeTensors) -> Bool {
        st.tensors.keys.contains { $0.first?.isNumber == true } || st.metadata["layout"] == layout
    }

    /// Whether the file at `path` is a safetensors container in this layout (false when it cannot be read).
    public static func isStateDict(path: String) -> Bool {
        (try? SafeTensors.read(path: path)).map(matches) ?? false
    }

    /// Reads a model from a state-dict container. The module indices follow from the `kinds` and
    /// `activations` metadata (`ExportPlan`); the tensor names, ranks and finiteness are checked
    /// here under their own names; the weights are then put in the package's layout and checked as
    /// `ModelSafeTensors` checks its own files (metadata, settings, chaining shapes).
    static func read(_ st: SafeTensors, file: String) throws(FileFormatError) -> SavedModel {
        let r = JSONReader(file: file), sr = SafeTensorsReader(container: st, file: file)
        func metaField(_ key: String) -> String { "\(SafeTensors.field(SafeTensors.metadataKey))[\(JSONText.string(key))]" }
        let activations = try ParameterTensors.activations("activations", sr)
        let kinds = try ParameterTensors.kinds("kinds", layers: activations.count, sr)
        let indices = ExportPlan.moduleIndices(ExportPlan.steps(kinds: kinds, activations: activations), layers: kinds.count)
        var tensors: [String: SafeTensors.Tensor] = [:]
        var expected: Set<String> = []
        for (l, kind) in kinds.enumerated() where kind == "dense" || kind == "conv2d" {
            let name = "\(indices[l]).weight", biasName = "\(indices[l]).bias"
            guard let w = st.tensors[name] else {
                throw r.fail(SafeTensors.field(name), "missing tensor (layer \(l), a \(kind), is module \(indices[l]) of the kinds and activations metadata)")
            }
            expected.formUnion([name, biasName])
            if kind == "conv2d" {  // [out, in, kh, kw] as here; its shape is checked against the layer's settings.
                if w.shape.count == 4, let i = w.values.firstIndex(where: { !$0.isFinite }) {
                    let columns = w.shape.dropFirst().reduce(1, *)
                    throw r.fail("\(name)[\(i / columns)][\(i % columns)]", "value \(w.values[i]) is not finite")
                }
                tensors[ParameterTensors.weightName("layers", l)] = w
                if let b = st.tensors[biasName] {
                    guard b.shape == [w.shape.first ?? 0] else {
                        throw r.fail(SafeTensors.field(biasName, "shape"), "expected [\(w.shape.first ?? 0)] (out of \(name)), found \(b.shape)")
                    }
                    tensors[ParameterTensors.biasName("layers", l)] = b
                }
                continue
            }
            guard w.shape.count == 2, w.shape[0] > 0, w.shape[1] > 0 else {
                throw r.fail(SafeTensors.field(name, "shape"), "expected [fan_out, fan_in], both at least 1, found \(w.shape)")
            }
            if let i = w.values.firstIndex(where: { !$0.isFinite }) {
                throw r.fail("\(name)[\(i / w.shape[1])][\(i % w.shape[1])]", "value \(w.values[i]) is not finite")
            }
            let (rows, columns) = (w.shape[1], w.shape[0])  // fan_in, fan_out
            if l > 0, kinds[l - 1] == "dense", let previous = st.tensors["\(indices[l - 1]).weight"], previous.shape.count == 2, previous.shape[0] != rows {
                throw r.fail(SafeTensors.field(name, "shape"),
                             "fan_in \(rows) (the second dimension), but layer \(l - 1) has \(previous.shape[0]) outputs")
            }
            var values = [Double](repeating: 0, count: w.values.count)
            for o in 0..<columns { for i in 0..<rows { values[i * columns + o] = w.values[o * rows + i] } }
            tensors[ParameterTensors.weightName("layers", l)] = .init(shape: [rows, columns], values: values, precision: w.precision)
            if let b = st.tensors[biasName] {
                guard b.shape == [columns] else {
                    throw r.fail(SafeTensors.field(biasName, "shape"), "expected [\(columns)] (fan_out of \(name)), found \(b.shape)")
                }
                tensors[ParameterTensors.biasName("layers", l)] = b
            }
        }
        if let stray = st.tensors.keys.sorted().first(where: { !expected.contains($0) }) {
            let modules = kinds.indices.filter { kinds[$0] == "dense" || kinds[$0] == "conv2d" }.map { String(indices[$0]) }
            throw r.fail(SafeTensors.field(stray), "unexpected tensor (the model's parameters are in modules \(modules.joined(separator: ", ")) of its torch.nn.Sequential)")
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
        do {
            return try ModelSafeTensors.read(SafeTensors(tensors: tensors, metadata: metadata), file: file)
        } catch {
            // A conv2d's tensors are checked there, under this package's names: give them back their names in this file.
            var field = error.field ?? "", problem = error.problem
            for l in kinds.indices where kinds[l] == "conv2d" {
                for part in ["weight", "bias"] {
                    field = field.replacingOccurrences(of: "layers.\(l).\(part)", with: "\(indices[l]).\(part)")
                    problem = problem.replacingOccurrences(of: "layers.\(l).\(part)", with: "\(indices[l]).\(part)")
                }
            }
            throw FileFormatError(file: error.file, field: error.field == nil ? nil : field, problem: problem)
        }
    }
}

extension SavedModel {
    /// The file's bytes as a PyTorch state dict (see ``TorchStateDict``).
    public func torchStateDict() -> Data { TorchStateDict.container(self).encoded() }
}
