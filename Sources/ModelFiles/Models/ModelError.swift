// ModelError.swift: why layers, a loss, a scaler and class names do not make a model that can be saved and used.
/// Why layers, a loss, a scaler and class names do not make a model that can be saved and used.
import Backprop
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The layers and loss do not form a network.
    case network(NetworkError)
    /// A weight or bias is NaN or infinite; `index` counts row-major within the layer's `parameter`.
    case nonFinite(layer: Int, parameter: String, index: Int)
    /// The scaler maps a different number of features than the network takes.
    case scalerFeatures(count: Int, inputs: Int)
    /// The class names do not match the outputs (one name per output, or two for a single output).
    case classNames(count: Int, outputs: Int)
    /// `save` was given no format and the path's extension names none.
    case unknownFormat(path: String)

    public var description: String {
        switch self {
        case .network(let error):
            return error.description
        case .nonFinite(let l, let parameter, let index):
            return "layer \(l): \(parameter) element \(index) is not finite; a model with NaN or infinite parameters cannot be saved"
        case .scalerFeatures(let count, let inputs):
            return "the input scaler has \(count) features but the network takes \(inputs) inputs"
        case .classNames(let count, let outputs):
            return "\(count) class names for \(outputs) outputs (expected one per output, or two for a single output)"
        case .unknownFormat(let path):
            let known = ModelFormat.allCases.map { ".\($0.rawValue)" }.joined(separator: " or ")
            return "cannot tell the model format of \(path): its extension is not \(known); pass the format"
        }
    }
}
