// NetworkError.swift: why a list of layers and a loss do not form a network this package can train.
/// Why a list of layers and a loss do not form a network this package can train.
/// Layer indices are 0-based, counted from the input side, as in the files' `layers` arrays.
public enum NetworkError: Error, Equatable, CustomStringConvertible {
    /// The list of layers is empty.
    case noLayers
    /// Layer `layer`'s weights have no rows or no columns.
    case emptyLayer(layer: Int, fanIn: Int, fanOut: Int)
    /// Layer `layer` has `fanIn` weight rows, but the layer below has `previousFanOut` outputs.
    case fanInMismatch(layer: Int, fanIn: Int, previousFanOut: Int)
    /// Layer `layer`'s bias has `count` entries instead of `fanOut`.
    case biasLength(layer: Int, count: Int, fanOut: Int)
    /// Softmax on layer `layer`, which is not the last one.
    case softmaxNotLast(layer: Int)
    /// A softmax output with a loss other than cross-entropy.
    case softmaxWithoutCrossEntropy(loss: Loss)
    /// Cross-entropy after an output activation other than softmax.
    case crossEntropyWithoutSoftmax(activation: Activation)
    /// Layer `layer`, of kind `kind` (``Layer/kindName``), has its `name` (input shape, kernel,
    /// window, stride, padding, filters) `values`, some entry below `minimum`.
    case sizeTooSmall(layer: Int, kind: String, name: String, values: [Int], minimum: Int)
    /// Layer `layer`'s kernel or pooling window (kh, kw) is larger than its input (C, H, W) with
    /// zero padding (ph, pw) added on each side.
    case windowLargerThanInput(layer: Int, kind: String, window: [Int], input: [Int], padding: [Int])
    /// Convolution layer `layer`'s weights are `rows × columns`; its input channels and kernel need
    /// `patchSize` = C·kh·kw columns (one row per filter).
    case filterWeightsShape(layer: Int, rows: Int, columns: Int, patchSize: Int)
    /// Convolution layer `layer`'s bias has `count` entries instead of one per filter.
    case filterBiasLength(layer: Int, count: Int, filters: Int)
    /// Layer `layer`, of kind `kind`, has its setting `name` at `value`, which is not a finite number.
    case settingNotFinite(layer: Int, kind: String, name: String, value: Double)

    public var description: String {
        switch self {
        case .noLayers:
            return "the network has no layers"
        case .emptyLayer(let l, let fanIn, let fanOut):
            return "layer \(l): weights are \(fanIn)×\(fanOut); a layer needs at least one input and one output"
        case .fanInMismatch(let l, let fanIn, let previous):
            return "layer \(l): weights have \(fanIn) rows (fan_in) but layer \(l - 1) has \(previous) outputs"
        case .biasLength(let l, let count, let fanOut):
            return "layer \(l): bias has \(count) entries, the layer has \(fanOut) outputs"
        case .softmaxNotLast(let l):
            return "layer \(l): softmax is only allowed on the last layer"
        case .softmaxWithoutCrossEntropy(let loss):
            return "a softmax output needs the cross_entropy loss, not \(loss.rawValue)"
        case .crossEntropyWithoutSoftmax(let activation):
            return "the cross_entropy loss needs a softmax output layer, not \(activation.rawValue)"
        case .sizeTooSmall(let l, let kind, let name, let values, let minimum):
            return "layer \(l) (\(kind)): \(name) \(Self.dims(values)) must be at least \(minimum) in every entry"
        case .windowLargerThanInput(let l, let kind, let window, let input, let padding):
            let padded = [input[1] + 2 * padding[0], input[2] + 2 * padding[1]]
            return "layer \(l) (\(kind)): window \(Self.dims(window)) is larger than the padded input \(Self.dims(padded)) "
                + "(input \(Self.dims(input)), padding \(Self.dims(padding)))"
        case .filterWeightsShape(let l, let rows, let columns, let patchSize):
            return "layer \(l) (conv2d): weights are \(rows)×\(columns); the input channels and kernel need \(patchSize) columns "
                + "(filters × C·kh·kw, PyTorch's [out, in, kh, kw] flattened)"
        case .filterBiasLength(let l, let count, let filters):
            return "layer \(l) (conv2d): bias has \(count) entries, the layer has \(filters) filters"
        case .settingNotFinite(let l, let kind, let name, let value):
            return "layer \(l) (\(kind)): \(name) must be a finite number, not \(value)"
        }
    }

    /// Sizes as "2×7×5".
    private static func dims(_ values: [Int]) -> String { values.map(String.init).joined(separator: "×") }
}
