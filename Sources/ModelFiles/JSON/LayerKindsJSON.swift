// LayerKindsJSON.swift: the entries of a `layers` array for the kinds other than dense (conv2d, maxpool2d, avgpool2d, flatten, leaky_relu) — reading them with their fields checked, and writing them.
import Backprop
import Linalg

/// The image kinds' entries in a `layers` array (``LayersJSON``). Sizes are JSON integers:
/// - `{"kind": "conv2d", "input_shape": [C, H, W], "kernel": [kh, kw], "stride": [sh, sw], "padding": [ph, pw],
///   "weights": F rows of C·kh·kw (PyTorch's `[out, in, kh, kw]` flattened), "bias": null | [F], "activation": …}`
///   (the filter count F is the weights' rows);
/// - `{"kind": "maxpool2d" | "avgpool2d", "input_shape": [C, H, W], "window": [kh, kw], "stride": [sh, sw]}`;
/// - `{"kind": "flatten", "input_shape": [C, H, W]}`;
/// - `{"kind": "leaky_relu", "features": N, "slope": α}`.
/// Geometry that makes no layer (a kernel larger than its padded input, a zero stride) is reported
/// when the layers become a network, naming the layer. Safetensors files keep the same entries without
/// `weights`, `bias` and `activation` (``settings(_:)``), which are tensors and metadata lists there.
enum LayerKindsJSON {
    /// Where a conv2d layer's weights (`F × C·kh·kw`), bias and activation come from, given its
    /// `[C, kh, kw]` as read from its entry.
    typealias ConvParameters = (_ patch: [Int]) throws(FileFormatError) -> (weights: Matrix<Double>, bias: [Double]?, activation: Activation)

    /// The layer of `kind` (not "dense") from `object` at `path`; a conv2d's weights, bias and
    /// activation from `parameters` when given, else from the entry's own fields.
    static func read(kind: String, _ object: [String: JSONValue], at path: String, _ reader: JSONReader,
                     parameters: ConvParameters? = nil) throws(FileFormatError) -> Layer<Double> {
        if kind == "leaky_relu" {
            let field = "\(path).features"
            let features = try integer(try reader.number(try reader.member(object, "features", at: path), field), field, reader)
            try checkCount([features], field, "features", reader)
            return .leakyReLU(LeakyReLU(features: features, slope: try reader.number(try reader.member(object, "slope", at: path), "\(path).slope")))
        }
        let input = try sizes(object, "input_shape", count: 3, at: path, reader)
        try checkCount(input, "\(path).input_shape", "an input", reader)
        let shape = (channels: input[0], height: input[1], width: input[2])
        switch kind {
        case "conv2d":
            let kernel = try sizes(object, "kernel", count: 2, at: path, reader)
            let stride = try sizes(object, "stride", count: 2, at: path, reader), padding = try sizes(object, "padding", count: 2, at: path, reader)
            // The patch, and the output positions times the patch (the im2col matrix a sample needs).
            try checkCount([input[0], kernel[0], kernel[1]], "\(path).kernel", "a patch", reader)
            if stride.allSatisfy({ $0 >= 1 }) {
                let height = max(0, (input[1] + 2 * padding[0] - kernel[0]) / stride[0] + 1)
                let width = max(0, (input[2] + 2 * padding[1] - kernel[1]) / stride[1] + 1)
                let positions: [Int] = [height, width]
                try checkCount(positions + [input[0], kernel[0], kernel[1]], "\(path).padding", "output positions × patch", reader)
            }
            let (weights, bias, activation) = if let parameters { try parameters([input[0], kernel[0], kernel[1]]) }
                else { try convParameters(object, patch: input[0] * kernel[0] * kernel[1], at: path, reader) }
            return .conv2d(Conv2D(input: shape, weights: weights, bias: bias, kernel: (kernel[0], kernel[1]), stride: (stride[0], stride[1]),
                                  padding: (padding[0], padding[1]), activation: activation))
        case "maxpool2d", "avgpool2d":
            let window = try sizes(object, "window", count: 2, at: path, reader), stride = try sizes(object, "stride", count: 2, at: path, reader)
            let geometry = ConvolutionShape(channels: shape.channels, height: shape.height, width: shape.width, filters: shape.channels,
                                            kernel: (window[0], window[1]), stride: (stride[0], stride[1]))
            return kind == "maxpool2d" ? .maxPool2D(MaxPool2D(shape: geometry)) : .avgPool2D(AvgPool2D(shape: geometry))
        default:
            return .flatten(Flatten(input: shape))
        }
    }

    /// A conv2d entry's `weights` (F rows of `patch` values), `bias` and `activation`.
    private static func convParameters(_ object: [String: JSONValue], patch: Int, at path: String,
                                       _ reader: JSONReader) throws(FileFormatError) -> (weights: Matrix<Double>, bias: [Double]?, activation: Activation) {
        let weights = try reader.matrix(try reader.member(object, "weights", at: path), "\(path).weights", columns: patch,
                                        what: " (C·kh·kw of input_shape and kernel)")
        var bias: [Double]? = nil
        let biasValue = try reader.member(object, "bias", at: path)
        if biasValue != .null { bias = try reader.vector(biasValue, "\(path).bias", count: weights.rows, what: " (one per filter, a weight row each)") }
        return (weights, bias, try LayersJSON.activation(object, at: path, reader))
    }

    /// The most values a sample may have at one layer read from a file, 2²⁴ (128 MiB a sample in
    /// float64): a larger size is refused before any arithmetic or allocation depends on it, as a
    /// parameter-free layer's sizes are not backed by data in the file.
    static let valuesPerSampleLimit = 1 << 24

    /// Refuses `factors` whose product passes ``valuesPerSampleLimit`` (computed without overflow).
    private static func checkCount(_ factors: [Int], _ field: String, _ what: String, _ reader: JSONReader) throws(FileFormatError) {
        let product = factors.reduce(1.0) { $0 * Double($1) }
        if product > Double(valuesPerSampleLimit) {
            throw reader.fail(field, "\(what) of \(factors.map(String.init).joined(separator: "×")) values is more than a layer read from a file may have (\(valuesPerSampleLimit))")
        }
    }

    /// `count` integers at `object[key]`.
    private static func sizes(_ object: [String: JSONValue], _ key: String, count: Int, at path: String,
                              _ reader: JSONReader) throws(FileFormatError) -> [Int] {
        let field = "\(path).\(key)"
        var out: [Int] = []
        for (i, v) in try reader.vector(try reader.member(object, key, at: path), field, count: count).enumerated() {
            out.append(try integer(v, "\(field)[\(i)]", reader))
        }
        return out
    }

    /// `value` as an integer size, or an error at `field`.
    private static func integer(_ value: Double, _ field: String, _ reader: JSONReader) throws(FileFormatError) -> Int {
        guard value == value.rounded(), abs(value) < 2_147_483_648 else { throw reader.fail(field, "expected an integer size, found \(value)") }
        guard value >= 0 else { throw reader.fail(field, "expected a size of at least 0, found \(Int(value))") }
        return Int(value)
    }

    /// The entry's fields after `"kind"`, one string each (a weight matrix over several lines, indented for `indent`).
    static func fields<Scalar: BLASScalar>(_ layer: Layer<Scalar>, indent: Int) -> [String] {
        guard case .conv2d(let conv) = layer else { return settingFields(layer) }
        return settingFields(layer) + ["\"weights\": \(JSONText.matrix(conv.weights, indent: indent + 4))",
                                       "\"bias\": \(conv.bias.map(JSONText.vector) ?? "null")", "\"activation\": \(JSONText.string(conv.activation.rawValue))"]
    }

    /// The layer's settings as a one-line JSON object: its entry without `kind`, `weights`, `bias` and
    /// `activation` (`{}` for a dense layer), as safetensors files keep them.
    static func settings<Scalar: BLASScalar>(_ layer: Layer<Scalar>) -> String {
        if case .dense = layer { return "{}" }
        return "{" + settingFields(layer).joined(separator: ", ") + "}"
    }

    /// The entry's fields other than `kind` and the conv2d's weights, bias and activation.
    private static func settingFields<Scalar: BLASScalar>(_ layer: Layer<Scalar>) -> [String] {
        func pair(_ a: Int, _ b: Int) -> String { "[\(a), \(b)]" }
        func input(_ s: ConvolutionShape) -> String { "\"input_shape\": [\(s.channels), \(s.height), \(s.width)]" }
        switch layer {
        case .conv2d(let conv):
            let s = conv.shape
            return [input(s), "\"kernel\": \(pair(s.kernelHeight, s.kernelWidth))", "\"stride\": \(pair(s.strideHeight, s.strideWidth))",
                    "\"padding\": \(pair(s.paddingHeight, s.paddingWidth))"]
        case .maxPool2D(let pool):
            return [input(pool.shape), "\"window\": \(pair(pool.shape.kernelHeight, pool.shape.kernelWidth))",
                    "\"stride\": \(pair(pool.shape.strideHeight, pool.shape.strideWidth))"]
        case .avgPool2D(let pool):
            return [input(pool.shape), "\"window\": \(pair(pool.shape.kernelHeight, pool.shape.kernelWidth))",
                    "\"stride\": \(pair(pool.shape.strideHeight, pool.shape.strideWidth))"]
        case .flatten(let flatten):
            return ["\"input_shape\": [\(flatten.channels), \(flatten.height), \(flatten.width)]"]
        case .leakyReLU(let leaky):
            return ["\"features\": \(leaky.features)", "\"slope\": \(JSONText.number(leaky.slope))"]
        case .dense:
            preconditionFailure("LayerKindsJSON: a dense layer is written by LayersJSON")
        }
    }
}
