/// Why a list of layers and a loss do not form a network this package can train.
/// Layer indices are 0-based, counted from the input side, as in the files' `layers` arrays.
public enum NetworkError: Error, Equatable, CustomStringConvertible {
    case noLayers
    case emptyLayer(layer: Int, fanIn: Int, fanOut: Int)
    case fanInMismatch(layer: Int, fanIn: Int, previousFanOut: Int)
    case biasLength(layer: Int, count: Int, fanOut: Int)
    case softmaxNotLast(layer: Int)
    case softmaxWithoutCrossEntropy(loss: Loss)
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
