// SavedModel.swift: a trained model as saved.
import Backprop
import Datasets
import Foundation
import Linalg

/// A trained model as saved: its layers and loss, the input scaling it was trained with, class
/// names, and free metadata.
///
/// A value of this type is always usable: its initialisers check that the layers form a network
/// with the loss, that every parameter is finite, that the scaler has one entry per input and
/// that there is one class name per output (or two for a single output).
///
/// The JSON format (`.json`):
///
///     {"format": "backprop-model", "version": 2,
///      "layers": [{"kind": "dense", "weights": [[...]], "bias": null | [...], "activation": "sigmoid"}, ...],
///      "loss": "squared_error",
///      "scaling": {"method": "standardize", "offset": [...], "scale": [...]} | null,
///      "class_names": ["...", ...] | null,
///      "metadata": {"key": "value", ...}}
///
/// with `layers` and `loss` exactly as in the test-vector files; `scaling`, `class_names` and
/// `metadata` may be left out.
///
/// The precision the model was trained in, `precision`, is kept: a float32 model's JSON numbers are
/// the shortest text of each `Float`, and its safetensors tensors are F32; loading it into a network
/// of either precision converts (exactly into `Double`).
///
/// The safetensors format (`.safetensors`): F32 or F64 tensors `layers.{l}.weight` (a dense layer's
/// `[fan_in, fan_out]`, row-major, the transpose of PyTorch's `nn.Linear.weight`; a conv2d's
/// `[out, in, kh, kw]`), `layers.{l}.bias` (only where a layer has one), `scaling.offset` and
/// `scaling.scale` (only when scaled); the string metadata `format`, `version`, `loss`, `kinds` and
/// `activations` (comma-separated, one per layer), `layer_settings` (the image and leaky ReLU layers'
/// settings, a JSON array; see `ModelSafeTensors`), `scaling_method`,
/// `class_names` (a JSON array), `layout` (the weight convention in words), and each user entry
/// under `meta.` + its key. F32 tensors are read too, and so are PyTorch state dicts (``TorchStateDict``).
///
/// Both formats keep every number bit for bit.
public struct SavedModel: Sendable, Equatable {
    /// The layers and loss, on no backend, held in `Double` (a float32 model's values are `Float`s, exactly).
    public let definition: NetworkDefinition<Double>
    /// The precision the parameters are in (and are written in).
    public let precision: Precision
    /// Applied to raw inputs before the first layer; nil: inputs are used as they are.
    public let scaler: FeatureScaler?
    /// A name per output (or two for a single output, for a binary classifier); nil when not a classifier.
    public let classNames: [String]?
    /// Free strings, e.g. `epochs`, `test_accuracy`, `created_by`.
    public var metadata: [String: String]

    /// The `format` field's value in both file formats.
    public static let formatName = "backprop-model"
    /// The version this build writes: 2, whose layers name their kind. It reads 1 and 2 (version 1,
    /// before layer kinds, holds dense layers only).
    public static let version = 2
    /// The versions this build reads.
    public static let readableVersions = 1...2

    /// A model of `definition` in `precision` (`.float32` rounds every parameter to `Float`) with its
    /// scaling, class names and metadata, checked: every parameter finite (after rounding), the
    /// scaler's features the network's inputs, one class name per output (or two for one output).
    public init(_ definition: NetworkDefinition<Double>, precision: Precision = .float64, scaler: FeatureScaler? = nil,
                classNames: [String]? = nil, metadata: [String: String] = [:]) throws(ModelError) {
        let definition = precision == .float32 ? definition.converted(to: Float.self).converted(to: Double.self) : definition
        for (l, layer) in definition.layers.enumerated() {
            if let i = layer.weights.elements.firstIndex(where: { !$0.isFinite }) {
                throw .nonFinite(layer: l, parameter: "weights", index: i)
            }
            if let i = layer.bias?.firstIndex(where: { !$0.isFinite }) {
                throw .nonFinite(layer: l, parameter: "bias", index: i)
            }
        }
        if let scaler, scaler.featureCount != definition.inputCount {
            throw .scalerFeatures(count: scaler.featureCount, inputs: definition.inputCount)
        }
        let outputs = definition.outputCount
        if let classNames, !(classNames.count == outputs || (outputs == 1 && classNames.count == 2)) {
            throw .classNames(count: classNames.count, outputs: outputs)
        }
        self.definition = definition
        self.precision = precision
        self.scaler = scaler
        self.classNames = classNames
        self.metadata = metadata
    }

    /// A model from its parts, checked (see the type's description).
    public init(layers: [Layer<Double>], loss: Loss, precision: Precision = .float64, scaler: FeatureScaler? = nil,
                classNames: [String]? = nil, metadata: [String: String] = [:]) throws(ModelError) {
        let definition: NetworkDefinition<Double>
        do {
            definition = try NetworkDefinition(layers: layers, loss: loss)
        } catch {
            throw .network(error)
        }
        try self.init(definition, precision: precision, scaler: scaler, classNames: classNames, metadata: metadata)
    }

    /// The model of a trained network, in the network's precision, with the scaling its inputs went through and its class names.
    public init<B: LinearAlgebra>(network: Network<B>, scaler: FeatureScaler? = nil, classNames: [String]? = nil,
                                  metadata: [String: String] = [:]) throws(ModelError) {
        try self.init(network.definition.converted(to: Double.self), precision: B.Scalar.precision, scaler: scaler,
                      classNames: classNames, metadata: metadata)
    }

    /// The layers from input to output.
    public var layers: [Layer<Double>] { definition.layers }
    /// The objective the network was trained with.
    public var loss: Loss { definition.loss }
    /// Inputs per sample (before and after scaling).
    public var inputCount: Int { definition.inputCount }
    /// Outputs per sample.
    public var outputCount: Int { definition.outputCount }

    /// The network on `backend`, in its precision, ready to predict (scale its inputs with ``scaler``
    /// first) or to train on. A float32 model loads into `Double` exactly; a float64 one into `Float`
    /// rounds each parameter to nearest.
    public func network<B: LinearAlgebra>(_ backend: B.Type) -> Network<B> {
        Network<B>(definition.converted(to: B.Scalar.self))
    }

    /// The file's bytes in `format`.
    public func encoded(_ format: ModelFormat) -> Data {
        switch format {
        case .json: return Data(ModelJSON.text(self).utf8)
        case .safetensors: return ModelSafeTensors.container(self).encoded()
        }
    }

    /// Writes the model to `path` atomically (the old file stays whole on failure), in `format` or,
    /// when that is nil, the format the extension names (`.json`, `.safetensors`).
    /// - Throws: ``ModelError/unknownFormat(path:)`` for another extension without a format;
    ///   ``FileWriteError`` when the file cannot be written.
    public func save(to path: String, format: ModelFormat? = nil) throws {
        guard let format = format ?? ModelFormat(path: path) else { throw ModelError.unknownFormat(path: path) }
        try AtomicFile.write(encoded(format), to: path)
    }

    /// Reads and checks a model file, in either format, told apart by its content.
    /// - Throws: ``FileFormatError`` naming the file, the field and the problem.
    public static func load(path: String) throws(FileFormatError) -> SavedModel {
        try decode(try FileFormatError.contents(of: path), file: path)
    }

    /// Decodes model bytes; `file` names the source in errors, and its extension decides which
    /// format's error to give when the content looks like neither.
    public static func decode(_ data: Data, file: String) throws(FileFormatError) -> SavedModel {
        switch detectFormat(data) ?? ModelFormat(path: file) {
        case .json?:
            return try ModelJSON.read(data, file: file)
        case .safetensors?:
            let container = try SafeTensors.decode(data, file: file)
            if TorchStateDict.matches(container) { return try TorchStateDict.read(container, file: file) }
            return try ModelSafeTensors.read(container, file: file)
        case nil:
            throw FileFormatError(file: file, field: nil,
                                  problem: "not a model file: neither a JSON object nor a safetensors container")
        }
    }

    /// Safetensors when the first 8 bytes are a header length that fits the file and the header
    /// opens with `{`; JSON when the first non-blank byte is `{`; otherwise nil.
    static func detectFormat(_ data: Data) -> ModelFormat? {
        let bytes = data.prefix(9)
        if bytes.count == 9, bytes.last == UInt8(ascii: "{") {
            let length = bytes.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if length <= UInt64(data.count - 8) { return .safetensors }
        }
        let first = data.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        return first == UInt8(ascii: "{") ? .json : nil
    }
}
