// ONNXExport.swift: a ``SavedModel`` as an ONNX model (opset ``opsetVersion``), for ONNX Runtime and other ONNX tools.
import Backprop
import Datasets
import Foundation

/// A ``SavedModel`` as an ONNX model (opset ``opsetVersion``), for ONNX Runtime and other ONNX tools.
///
/// The graph takes `input`, the raw features (`batch` symbolic): `batch × inputCount`, or
/// `batch × C × H × W` when the first layer is an image layer (conv2d, a pool or flatten; NCHW, the
/// same values in the same order). It computes, with every constant an initializer in the chosen
/// element type, the steps of `ExportPlan`:
/// - the input scaling, when the model has one: `Sub(input, scaling.offset)` then `Mul(·, scaling.scale)`
///   (the same two roundings as ``/Datasets/FeatureScaler``; the constants shaped like one sample);
/// - a dense layer l: `MatMul(·, layers.l.weight)` (`fan_in × fan_out`, as stored here), `Add(·, layers.l.bias)`
///   when the layer has a bias;
/// - a conv2d: `Conv` (`layers.l.weight` `[out, in, kh, kw]`, `layers.l.bias` when it has one,
///   `kernel_shape`, `strides`, `pads` the same on both sides, `group` 1);
/// - a max or average pool: `MaxPool` or `AveragePool` (`kernel_shape`, `strides`, no padding, as here,
///   so `count_include_pad` 0 changes nothing) — in a float64 graph, `Conv` and `AveragePool`, which
///   ONNX Runtime has no float64 kernels for, are spelled out in `Pad`, `Slice`, `Einsum`, `Sum` and `Div`
///   (`ONNXGraphBuilder`); flatten: `Flatten` (axis 1); leaky ReLU: `LeakyRelu`
///   (`alpha` is a float32 attribute: a float64 model's slope is rounded to float32 there);
/// - a dense or conv2d layer's activation: nothing for identity, `Sigmoid`, `Tanh`, `Relu`, or
///   `Softmax` over axis 1; and `Flatten` or `Reshape` where `ExportPlan` has them.
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
    public static func encoded(_ model: SavedModel, elementType: ONNXProto.ElementType = .double) -> Data {
        var g = ONNXGraphBuilder(elementType: elementType, input: "input")
        func pair(_ a: Int, _ b: Int) -> [Int64] { [Int64(a), Int64(b)] }
        let inputShape = ExportPlan.inputShape(model)
        if let scaler = model.scaler {
            let offset = g.constant("scaling.offset", inputShape, scaler.offset)
            let scale = g.constant("scaling.scale", inputShape, scaler.scale)
            g.node("Sub", [g.current, offset], "scaling.centered")
            g.node("Mul", [g.current, scale], "scaled_input")
        }
        for (k, step) in ExportPlan.steps(model).enumerated() {
            switch step {
            case .flatten:
                g.node("Flatten", [g.current], "step.\(k).flattened", [.int("axis", 1)])
            case .unflatten(let l):
                let shape = g.integers("layers.\(l).input_shape", [-1] + ExportPlan.imageShape(model.layers[l])!)
                g.node("Reshape", [g.current, shape], "layers.\(l).input")
            case .activation(let l):
                switch model.layers[l].activation {
                case .identity: break
                case .sigmoid: g.node("Sigmoid", [g.current], "layers.\(l).output")
                case .tanh: g.node("Tanh", [g.current], "layers.\(l).output")
                case .relu: g.node("Relu", [g.current], "layers.\(l).output")
                case .softmax: g.node("Softmax", [g.current], "layers.\(l).output", [.int("axis", 1)])
                }
            case .layer(let l):
                let output = "layers.\(l).output"
                switch model.layers[l] {
                case .dense(let dense):
                    let weight = g.constant("layers.\(l).weight", [dense.weights.rows, dense.weights.columns], dense.weights.elements)
                    if let bias = dense.bias {
                        g.node("MatMul", [g.current, weight], "layers.\(l).product")
                        g.node("Add", [g.current, g.constant("layers.\(l).bias", [bias.count], bias)], "layers.\(l).preactivation")
                    } else {
                        g.node("MatMul", [g.current, weight], "layers.\(l).preactivation")
                    }
                case .conv2d(let conv):
                    g.convolution(conv, layer: l, into: "layers.\(l).preactivation")
                case .maxPool2D(let pool):
                    g.node("MaxPool", [g.current], output, [.ints("kernel_shape", pair(pool.shape.kernelHeight, pool.shape.kernelWidth)),
                                                            .ints("strides", pair(pool.shape.strideHeight, pool.shape.strideWidth))])
                case .avgPool2D(let pool):
                    g.averagePool(pool.shape, layer: l, into: output)
                case .flatten:
                    g.node("Flatten", [g.current], output, [.int("axis", 1)])
                case .leakyReLU(let leaky):
                    g.node("LeakyRelu", [g.current], output, [.float("alpha", Float(leaky.slope))])
                }
            }
        }
        // The last operator writes the graph's output.
        let finalName = outputName(model)
        g.nameLastOutput(finalName)

        let batch = ONNXProto.ValueInfo.Dimension.parameter("batch")
        var outputs = [ONNXProto.ValueInfo(name: finalName, elementType: elementType.rawValue,
                                           shape: [batch, .value(model.outputCount)])]
        if model.layers.last!.activation == .softmax {
            g.node("ArgMax", [finalName], "class", [.int("axis", 1), .int("keepdims", 0)])
            outputs.append(.init(name: "class", elementType: 7, shape: [batch]))  // INT64
        }
        let graph = ONNXProto.Graph(
            name: "backprop", nodes: g.nodes, initializers: g.initializers,
            inputs: [.init(name: "input", elementType: elementType.rawValue, shape: [batch] + inputShape.map { .value($0) })],
            outputs: outputs,
            docString: "Network exported by backprop: raw features in, \(finalName) out.")
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
