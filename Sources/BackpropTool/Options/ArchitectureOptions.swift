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

    /// The options given on the command line, not defaulted: what `train --resume` refuses.
    var given: [String] {
        [("--hidden", hiddenGiven != nil), ("--activation", activationGiven != nil), ("--output", outputGiven != nil),
         ("--initializer", initializer != nil)].filter(\.1).map(\.0)
    }

    func validate() throws {
        // Hidden-to-hidden layers need no data to be checked: before any file is read.
        try LayerMemory.check(sizes: hiddenSizes(), firstLayer: 1, option: "--hidden \(hidden)")
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

    func makeNetwork<B: LinearAlgebra>(_: B.Type, inputs: Int, classes: Int, using rng: inout SeededGenerator) throws -> Network<B> {
        let sizes = try [inputs] + hiddenSizes() + [classes]
        try LayerMemory.check(sizes: sizes, option: "--hidden \(hidden)", bytesPerValue: MemoryLayout<B.Scalar>.size)
        return try Network<B>.make(sizes: sizes, hidden: activation, output: output,
                               loss: output == .softmax ? .crossEntropy : .squaredError, initializer: initializer, using: &rng)
    }

    /// What the network's summary adds to its sizes: the hidden activation and the output kind.
    var details: [String] { [activation.rawValue, "\(output.rawValue) output"] }
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
