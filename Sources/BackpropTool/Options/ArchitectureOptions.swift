// ArchitectureOptions.swift: `train`'s network shape options (--hidden, --activation, --output, --scaling).
import ArgumentParser
import Backprop
import Datasets

/// The network's shape: hidden sizes, activations, initialiser.
struct ArchitectureOptions: ParsableArguments {
    @Option(name: .customLong("hidden"), help: ArgumentHelp("Hidden layer sizes, comma-separated (empty for none). Default: 256,128.", valueName: "SIZES"))
    var hiddenGiven: String?
    var hidden: String { hiddenGiven ?? "256,128" }

    @Option(name: .customLong("activation"), help: "Hidden activation (softmax belongs on the output layer only). Default: relu.")
    var activationGiven: HiddenActivation?
    var activation: Activation { activationGiven?.activation ?? .relu }

    @Option(name: .customLong("output"), help: "Output activation: softmax (with the cross_entropy loss), sigmoid or identity (with squared_error). Default: softmax.")
    var outputGiven: Activation?
    var output: Activation { outputGiven ?? .softmax }

    @Option(help: "Weight initialiser: lesson (N(0, 1/fan_in)), glorot, he or orthogonal. Default: he for relu, glorot otherwise.")
    var initializer: Initializer?

    @Option(help: ArgumentHelp("The network as layer words, comma-separated, read left to right (instead of --hidden, --activation and --output), e.g. \"conv 32 3x3 same, relu, maxpool 2, flatten, dense 128, relu, dense 10, softmax\". Words: conv FILTERS KxK [stride S] [pad P|same|valid] [nobias]; maxpool K [stride S]; avgpool K [stride S]; flatten; dense N [nobias]; an activation (for the conv or dense before it); dropout P (on the output of the layer before it, while training; with these words, only they place dropout).", valueName: "SPEC"))
    var layers: String?

    @Option(help: ArgumentHelp("The shape of one sample for --layers with image layers, channels × height × width (NCHW). Default: the shape the data gives: 1xHxW for IDX images (N×H×W, as Fashion-MNIST's 1x28x28) and .npy arrays N×H×W, CxHxW for .npy arrays N×C×H×W; CSV rows need it. When both are known they must agree.", valueName: "CxHxW"))
    var inputShape: String?

    /// The options given on the command line, not defaulted: what `train --resume` refuses.
    var given: [String] {
        [("--hidden", hiddenGiven != nil), ("--activation", activationGiven != nil), ("--output", outputGiven != nil),
         ("--initializer", initializer != nil), ("--layers", layers != nil), ("--input-shape", inputShape != nil)].filter(\.1).map(\.0)
    }

    func validate() throws {
        if let layers {
            let dense = [("--hidden", hiddenGiven != nil), ("--activation", activationGiven != nil), ("--output", outputGiven != nil)].filter(\.1).map(\.0)
            if !dense.isEmpty { throw ValidationError("\(dense.joined(separator: ", ")) cannot be used with --layers, which gives every layer") }
            let spec = try LayerSpec(layers)
            if inputShape != nil && !spec.hasImageLayers { throw ValidationError("--input-shape is for --layers with image layers (conv, pools, flatten)") }
            _ = try imageShape()
            return
        }
        if inputShape != nil { throw ValidationError("--input-shape needs --layers") }
        // Hidden-to-hidden layers need no data to be checked: before any file is read.
        try LayerMemory.check(sizes: hiddenSizes(), firstLayer: 1, option: "--hidden \(hidden)")
    }

    /// `--input-shape` as [C, H, W], or nil when not given.
    func imageShape() throws -> [Int]? {
        guard let inputShape else { return nil }
        let parts = inputShape.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 3, let c = parts[0], let h = parts[1], let w = parts[2], [c, h, w].allSatisfy({ $0 >= 1 && $0 <= LayerSpec.largestSize }) else {
            throw ValidationError("--input-shape \(inputShape.prefix(40)): expected CxHxW, three whole numbers from 1 to \(LayerSpec.largestSize) (e.g. 1x28x28)")
        }
        return [c, h, w]
    }

    func hiddenSizes() throws -> [Int] {
        if hidden.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
        return try hidden.split(separator: ",").map { part in
            guard let n = Int(part.trimmingCharacters(in: .whitespaces)), n >= 1 else {
                throw ValidationError("--hidden \(hidden): '\(part)' is not a positive layer size")
            }
            return n
        }
    }

    /// The network for samples of `inputs` features in `classes` classes: from --layers (its image
    /// layers reading samples of --input-shape, or of `dataImageShape`, the shape the data file
    /// gives its samples; the two must agree), or --hidden and the activations. `dataSource` names
    /// the data in messages. `dropout` holds the rates the `dropout P` words of --layers place, one
    /// per layer, or nil without such words.
    func makeNetwork<B: LinearAlgebra>(_: B.Type, inputs: Int, classes: Int, dataImageShape: [Int]?, dataSource: String,
                                       using rng: inout SeededGenerator) throws -> (network: Network<B>, dropout: DropoutRates?) {
        if let layers {
            let spec = try LayerSpec(layers)
            var shape = [inputs]
            if spec.hasImageLayers {
                shape = try Self.sampleShape(given: imageShape(), data: dataImageShape, inputs: inputs, dataSource: dataSource)
            }
            let built = try spec.layers(input: shape, classes: classes, initializer: initializer, using: &rng)
            let definition = try NetworkDefinition(layers: built.layers,
                                                   loss: built.layers.last!.activation == .softmax ? .crossEntropy : .squaredError)
            return (Network<B>(definition.converted(to: B.Scalar.self)), spec.hasDropout ? DropoutRates(perLayer: built.dropout) : nil)
        }
        let sizes = try [inputs] + hiddenSizes() + [classes]
        try LayerMemory.check(sizes: sizes, option: "--hidden \(hidden)", bytesPerValue: MemoryLayout<B.Scalar>.size)
        return (try Network<B>.make(sizes: sizes, hidden: activation, output: output,
                                    loss: output == .softmax ? .crossEntropy : .squaredError, initializer: initializer, using: &rng), nil)
    }

    /// The C×H×W shape image layers read: `given` (--input-shape) or `data` (the file's own), which
    /// must agree when both are known; CSV rows and 2-D arrays have none, so need --input-shape.
    static func sampleShape(given: [Int]?, data: [Int]?, inputs: Int, dataSource: String) throws -> [Int] {
        func text(_ s: [Int]) -> String { s.map(String.init).joined(separator: "x") }
        guard let image = given ?? data else {
            throw ValidationError("--layers: its image layers need the shape of a sample, and \(dataSource) does not give one "
                + "(it has \(inputs) features a sample): give --input-shape CxHxW")
        }
        if let given, let data, given != data {
            throw ValidationError("--input-shape \(text(given)) does not match the data: \(dataSource) holds samples of \(text(data))")
        }
        guard image.reduce(1, *) == inputs else {
            throw ValidationError("--input-shape \(text(image)): \(image.reduce(1, *)) values a sample, but the data has \(inputs) features")
        }
        return image
    }

    /// What the network's summary adds to its sizes: the hidden activation and the output kind.
    var details: [String] { layers != nil ? ["from --layers"] : [activation.rawValue, "\(output.rawValue) output"] }
}

extension Activation: ExpressibleByArgument {}
extension Monitor: ExpressibleByArgument {}
extension Initializer: ExpressibleByArgument {}

/// How inputs are scaled before the network sees them.
enum ScalingChoice: String, ExpressibleByArgument, CaseIterable {
    case none, unitRange = "unit-range", standardize
    var method: FeatureScaler.Method {
        switch self {
        case .none: return .none
        case .unitRange: return .unitRange
        case .standardize: return .standardize
        }
    }
}
