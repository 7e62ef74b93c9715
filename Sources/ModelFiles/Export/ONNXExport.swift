// ONNXExport.swift: a ``SavedModel`` as an ONNX model (opset ``opsetVersion``), for ONNX Runtime and other ONNX tools.
import Backprop
import Datasets
import Foundation

/// A ``SavedModel`` as an ONNX model (opset ``opsetVersion``), for ONNX Runtime and other ONNX tools.
///
/// The graph takes `input` (`batch × inputCount`, the raw features, `batch` symbolic) and computes,
/// with every constant an initializer in the chosen element type:
/// - the input scaling, when the model has one: `Sub(input, scaling.offset)` then `Mul(·, scaling.scale)`
///   (the same two roundings as ``/Datasets/FeatureScaler``);
/// - per layer l: `MatMul(·, layers.l.weight)` (`fan_in × fan_out`, as stored here), `Add(·, layers.l.bias)`
///   when the layer has a bias, then the activation: nothing for identity, `Sigmoid`, `Tanh`, `Relu`,
///   or `Softmax` over axis 1.
///
/// Outputs: first `probabilities` (softmax models) or `outputs` (others), `batch × outputCount`, what
/// `backprop predict` prints; then, for softmax models, `class` (`int64`, `batch`), the first index of
/// each row's largest probability (`ArgMax`). The class names, loss, scaling method and the model's
/// metadata are in the model's `metadata_props`.
public enum ONNXExport {
    /// The operator set the graph is written against.
    public static let opsetVersion: Int64 = 17
    /// The IR version that goes with ``opsetVersion``.
    public static let irVersion: Int64 = 8

    /// The name of the graph's first output for `model`.
    public static func outputName(_ model: SavedModel) -> String {
        model.layers.last!.activation == .softmax ? "probabilities" : "outputs"
    }

    /// The `.onnx` file's bytes for `model` with its constants as `elementType` (`.double` keeps
    /// every parameter bit for bit; `.float` rounds each to the nearest float32).
    /// - Precondition: every layer is dense (``SavedModel/denseOnly(_:)`` is nil).
    public static func encoded(_ model: SavedModel, elementType: ONNXProto.ElementType = .double) -> Data {
        if let problem = model.denseOnly("ONNX") { preconditionFailure("ONNXExport: \(problem)") }
        var nodes: [ONNXProto.Node] = []
        var initializers: [ONNXProto.Tensor] = []
        var current = "input"
        func constant(_ name: String, _ dims: [Int], _ values: [Double]) -> String {
            initializers.append(.init(name: name, dims: dims, type: elementType, values: values))
            return name
        }
        func node(_ op: String, _ inputs: [String], _ output: String, _ attributes: [ONNXProto.Attribute] = []) {
            nodes.append(.init(op: op, inputs: inputs, outputs: [output], name: output, attributes: attributes))
            current = output
        }
        if let scaler = model.scaler {
            let offset = constant("scaling.offset", [scaler.featureCount], scaler.offset)
            let scale = constant("scaling.scale", [scaler.featureCount], scaler.scale)
            node("Sub", [current, offset], "scaling.centered")
            node("Mul", [current, scale], "scaled_input")
        }
        let last = model.layers.count - 1
        let finalName = outputName(model)
        for (l, layer) in model.layers.enumerated() {
            let weight = constant("layers.\(l).weight", [layer.weights.rows, layer.weights.columns], layer.weights.elements)
            let isLast = l == last
            let afterAffine = isLast && layer.activation == .identity ? finalName : "layers.\(l).preactivation"
            if let bias = layer.bias {
                node("MatMul", [current, weight], "layers.\(l).product")
                node("Add", [current, constant("layers.\(l).bias", [bias.count], bias)], afterAffine)
            } else {
                node("MatMul", [current, weight], afterAffine)
            }
            let activated = isLast ? finalName : "layers.\(l).output"
            switch layer.activation {
            case .identity: break
            case .sigmoid: node("Sigmoid", [current], activated)
            case .tanh: node("Tanh", [current], activated)
            case .relu: node("Relu", [current], activated)
            case .softmax: node("Softmax", [current], activated, [.int("axis", 1)])
            }
        }
        if current != finalName { node("Identity", [current], finalName) }  // A bias-free identity layer alone.

        let batch = ONNXProto.ValueInfo.Dimension.parameter("batch")
        var outputs = [ONNXProto.ValueInfo(name: finalName, elementType: elementType.rawValue,
                                           shape: [batch, .value(model.outputCount)])]
        if model.layers[last].activation == .softmax {
            node("ArgMax", [finalName], "class", [.int("axis", 1), .int("keepdims", 0)])
            outputs.append(.init(name: "class", elementType: 7, shape: [batch]))  // INT64
        }
        let graph = ONNXProto.Graph(
            name: "backprop", nodes: nodes, initializers: initializers,
            inputs: [.init(name: "input", elementType: elementType.rawValue, shape: [batch, .value(model.inputCount)])],
            outputs: outputs,
            docString: "Dense network exported by backprop: raw features in, \(finalName) out.")
        var metadata: [(key: String, value: String)] = [("loss", model.loss.rawValue),
                                                        ("scaling_method", model.scaler?.method.rawValue ?? "none")]
        if let names = model.classNames {
            let json = try! JSONSerialization.data(withJSONObject: names)  // An array of strings always serialises.
            metadata.append(("class_names", String(decoding: json, as: UTF8.self)))
        }
        for key in model.metadata.keys.sorted() { metadata.append(("meta." + key, model.metadata[key]!)) }
        let proto = ONNXProto.Model(irVersion: irVersion, opsetVersion: opsetVersion, producerName: "backprop",
                                    producerVersion: String(SavedModel.version), graph: graph, metadata: metadata)
        return Data(proto.encoded())
    }
}
