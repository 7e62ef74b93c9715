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
        }
    }
}
