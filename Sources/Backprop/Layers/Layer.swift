// Layer.swift: the list of layer kinds (`Layer`) and what a kind provides (`LayerKind`).
import Linalg

/// What a layer kind provides to the network that holds it: its shapes, its parameters, and its
/// forward and backward passes over a batch.
///
/// Every layer maps a batch `x` of `batch × inputCount` values (one sample a row) to
/// `batch × outputCount` values, its activations `a = f(h)`. A kind without parameters has 0 × 0
/// ``weights`` and no ``bias``. The passes read and write the layer's ``LayerBuffers`` and nothing
/// else, and allocate nothing.
///
/// The error terms are the lesson's δ: `δ = −∂ℓ/∂h` per sample (ℓ the sample's own loss, not divided
/// by the batch size). The network's backward pass (`Network/Backprop.swift`) sets the scale of the
/// parameter gradients, the one place the sign, the 1/n and η meet (`BackwardScale`).
public protocol LayerKind<Scalar>: Equatable, Sendable {
    /// The precision of the parameters and of the passes.
    associatedtype Scalar: BLASScalar

    /// Values per sample the layer reads.
    var inputCount: Int { get }
    /// Values per sample the layer writes.
    var outputCount: Int { get }
    /// The weight parameters, row-major (0 × 0 when the kind has none).
    var weights: Matrix<Scalar> { get set }
    /// The bias parameters, or nil.
    var bias: [Scalar]? { get set }
    /// The element-wise nonlinearity f applied to the layer's pre-activations h.
    var activation: Activation { get }

    /// Why these parameters do not make a layer (`layer` is its place in the network), or nil.
    func problem(layer: Int) -> NetworkError?

    /// The working storage the passes need for `batch` samples beyond h, a and δ (none by default),
    /// allocated once with the layer's ``LayerBuffers``. Called only on a valid layer.
    func scratch(batch: Int) -> LayerScratch<Scalar>

    /// The forward pass over `x` (`batch × inputCount`): h into `buffers.preActivations`, a = f(h)
    /// into `buffers.activations` (both `batch × outputCount`).
    func forward<Backend: LinearAlgebra<Scalar>>(_ x: Matrix<Scalar>, into buffers: LayerBuffers<Scalar>, on: Backend.Type)

    /// The backward pass, after ``forward(_:into:on:)`` of the same `x` into the same `buffers`.
    ///
    /// On entry `buffers.errorTerms` holds −∂ℓ/∂a for the layer's (dropped-out) output; the pass
    /// turns it into δ = −∂ℓ/∂h in place (through the dropout mask, then ⊙ f′(h); under softmax it
    /// already is δ, see ``Activation/softmax``), writes `scale`·∂h/∂θ·δ summed over the batch into
    /// `weightGradient` and `biasGradient` (for a dense layer `scale`·xᵀ·δ and `scale`·Σδ), and,
    /// given the layer below's buffers, −∂ℓ/∂x into `below.errorTerms`. With `signedZeros`, a
    /// parameter entry that comes out zero gets the sign of its product, as NumPy's `η * δ * x`
    /// has (the lesson's printed step).
    func backward<Backend: LinearAlgebra<Scalar>>(input x: Matrix<Scalar>, buffers: LayerBuffers<Scalar>, scale: Scalar,
                                                  signedZeros: Bool, weightGradient: inout Matrix<Scalar>,
                                                  biasGradient: inout [Scalar]?, below: LayerBuffers<Scalar>?, on: Backend.Type)
}

extension LayerKind {
    public func scratch(batch: Int) -> LayerScratch<Scalar> { LayerScratch() }
}

/// One layer of a network, of one of the kinds the package knows, in precision `Scalar`.
///
/// Each kind is a type of its own conforming to ``LayerKind`` (its parameters, forward and backward
/// together in one file); this list of them makes a pass over a network a `switch` per layer rather
/// than a dynamic call. Adding a kind is its type, a case here with a line in each switch below, and
/// its entry in the file formats and in the command line's layer list (`docs/adding-a-layer.md`).
public enum Layer<Scalar: BLASScalar>: Equatable, Sendable {
    /// A fully connected layer, `a = f(x·W + b)`.
    case dense(Dense<Scalar>)
    /// A 2-D convolution over NCHW samples, then an activation.
    case conv2d(Conv2D<Scalar>)
    /// 2-D max pooling per channel.
    case maxPool2D(MaxPool2D<Scalar>)
    /// 2-D average pooling per channel.
    case avgPool2D(AvgPool2D<Scalar>)
    /// From C × H × W samples to C·H·W features.
    case flatten(Flatten<Scalar>)
    /// The leaky ReLU as a layer of its own.
    case leakyReLU(LeakyReLU<Scalar>)

    /// A dense layer over `weights` (`fanIn × fanOut`) and `bias` (`fanOut` entries or nil): ``Dense``.
    public static func dense(weights: Matrix<Scalar>, bias: [Scalar]? = nil, activation: Activation) -> Layer {
        .dense(Dense(weights: weights, bias: bias, activation: activation))
    }

    /// The kind's name in model, checkpoint and case files (`"kind"` in JSON, `kinds` in safetensors metadata).
    public var kindName: String {
        switch self {
        case .dense: "dense"
        case .conv2d: "conv2d"
        case .maxPool2D: MaxPool2D<Scalar>.kindName
        case .avgPool2D: AvgPool2D<Scalar>.kindName
        case .flatten: "flatten"
        case .leakyReLU: "leaky_relu"
        }
    }
    /// Every kind's name, as ``kindName`` gives them.
    public static var kindNames: [String] { ["dense", "conv2d", MaxPool2D<Scalar>.kindName, AvgPool2D<Scalar>.kindName, "flatten", "leaky_relu"] }

    /// Values per sample the layer reads.
    public var inputCount: Int {
        switch self {
        case .dense(let layer): layer.inputCount
        case .conv2d(let layer): layer.inputCount
        case .maxPool2D(let layer): layer.inputCount
        case .avgPool2D(let layer): layer.inputCount
        case .flatten(let layer): layer.inputCount
        case .leakyReLU(let layer): layer.inputCount
        }
    }
    /// Values per sample the layer writes.
    public var outputCount: Int {
        switch self {
        case .dense(let layer): layer.outputCount
        case .conv2d(let layer): layer.outputCount
        case .maxPool2D(let layer): layer.outputCount
        case .avgPool2D(let layer): layer.outputCount
        case .flatten(let layer): layer.outputCount
        case .leakyReLU(let layer): layer.outputCount
        }
    }
    /// The element-wise nonlinearity after the layer's map.
    public var activation: Activation {
        switch self {
        case .dense(let layer): layer.activation
        case .conv2d(let layer): layer.activation
        case .maxPool2D(let layer): layer.activation
        case .avgPool2D(let layer): layer.activation
        case .flatten(let layer): layer.activation
        case .leakyReLU(let layer): layer.activation
        }
    }
    /// Why the layer's parameters do not make a layer (`layer` is its place in the network), or nil.
    func problem(layer l: Int) -> NetworkError? {
        switch self {
        case .dense(let layer): layer.problem(layer: l)
        case .conv2d(let layer): layer.problem(layer: l)
        case .maxPool2D(let layer): layer.problem(layer: l)
        case .avgPool2D(let layer): layer.problem(layer: l)
        case .flatten(let layer): layer.problem(layer: l)
        case .leakyReLU(let layer): layer.problem(layer: l)
        }
    }
    /// ``LayerKind/scratch(batch:)`` of the layer's kind.
    func scratch(batch: Int) -> LayerScratch<Scalar> {
        switch self {
        case .dense(let layer): layer.scratch(batch: batch)
        case .conv2d(let layer): layer.scratch(batch: batch)
        case .maxPool2D(let layer): layer.scratch(batch: batch)
        case .avgPool2D(let layer): layer.scratch(batch: batch)
        case .flatten(let layer): layer.scratch(batch: batch)
        case .leakyReLU(let layer): layer.scratch(batch: batch)
        }
    }
    /// One sample's output shape: [C, H′, W′] for a convolution or a pool (NCHW), [values] otherwise.
    public var outputShape: [Int] {
        switch self {
        case .conv2d(let layer): [layer.shape.filters, layer.shape.outputHeight, layer.shape.outputWidth]
        case .maxPool2D(let layer): [layer.shape.channels, layer.shape.outputHeight, layer.shape.outputWidth]
        case .avgPool2D(let layer): [layer.shape.channels, layer.shape.outputHeight, layer.shape.outputWidth]
        case .dense, .flatten, .leakyReLU: [outputCount]
        }
    }

    /// Weights plus biases.
    public var parameterCount: Int { weights.elements.count + (bias?.count ?? 0) }

    /// The weight parameters (0 × 0 for a kind without).
    public var weights: Matrix<Scalar> {
        get {
            switch self {
            case .dense(let layer): layer.weights
            case .conv2d(let layer): layer.weights
            case .maxPool2D(let layer): layer.weights
            case .avgPool2D(let layer): layer.weights
            case .flatten(let layer): layer.weights
            case .leakyReLU(let layer): layer.weights
            }
        }
        set { withParameters { weights, _ in weights = newValue } }
    }

    /// The bias parameters, or nil.
    public var bias: [Scalar]? {
        get {
            switch self {
            case .dense(let layer): layer.bias
            case .conv2d(let layer): layer.bias
            case .maxPool2D(let layer): layer.bias
            case .avgPool2D(let layer): layer.bias
            case .flatten(let layer): layer.bias
            case .leakyReLU(let layer): layer.bias
            }
        }
        set { withParameters { _, bias in bias = newValue } }
    }

    /// Runs `body` on the layer's weights and bias in place (no copy: the layer lets go of its own
    /// reference while `body` runs). `body` must keep their shapes.
    public mutating func withParameters<R>(_ body: (inout Matrix<Scalar>, inout [Scalar]?) -> R) -> R {
        switch self {
        case .dense(var layer):
            self = .dense(.placeholder)
            defer { self = .dense(layer) }
            return body(&layer.weights, &layer.bias)
        case .conv2d(var layer):
            self = .conv2d(layer.placeholder)
            defer { self = .conv2d(layer) }
            return body(&layer.weights, &layer.bias)
        case .maxPool2D, .avgPool2D, .flatten, .leakyReLU:
            var weights = Matrix<Scalar>(rows: 0, columns: 0), bias: [Scalar]? = nil
            defer { precondition(weights.elements.isEmpty && bias == nil, "withParameters: a \(kindName) layer has no parameters to set") }
            return body(&weights, &bias)
        }
    }

    /// The layer in precision `Other`, every parameter rounded to nearest (exact from `Float` to `Double`).
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> Layer<Other> {
        switch self {
        case .dense(let layer): .dense(layer.converted(to: Other.self))
        case .conv2d(let layer): .conv2d(layer.converted(to: Other.self))
        case .maxPool2D(let layer): .maxPool2D(layer.converted(to: Other.self))
        case .avgPool2D(let layer): .avgPool2D(layer.converted(to: Other.self))
        case .flatten(let layer): .flatten(layer.converted(to: Other.self))
        case .leakyReLU(let layer): .leakyReLU(layer.converted(to: Other.self))
        }
    }

    /// ``LayerKind/forward(_:into:on:)`` of the layer's kind.
    @inline(__always)
    func forward<Backend: LinearAlgebra<Scalar>>(_ x: Matrix<Scalar>, into buffers: LayerBuffers<Scalar>, on backend: Backend.Type) {
        switch self {
        case .dense(let layer): layer.forward(x, into: buffers, on: backend)
        case .conv2d(let layer): layer.forward(x, into: buffers, on: backend)
        case .maxPool2D(let layer): layer.forward(x, into: buffers, on: backend)
        case .avgPool2D(let layer): layer.forward(x, into: buffers, on: backend)
        case .flatten(let layer): layer.forward(x, into: buffers, on: backend)
        case .leakyReLU(let layer): layer.forward(x, into: buffers, on: backend)
        }
    }

    /// ``LayerKind/backward(input:buffers:scale:signedZeros:weightGradient:biasGradient:below:on:)`` of the layer's kind.
    @inline(__always)
    func backward<Backend: LinearAlgebra<Scalar>>(input x: Matrix<Scalar>, buffers: LayerBuffers<Scalar>, scale: Scalar, signedZeros: Bool,
                                                  weightGradient: inout Matrix<Scalar>, biasGradient: inout [Scalar]?,
                                                  below: LayerBuffers<Scalar>?, on backend: Backend.Type) {
        switch self {
        case .dense(let layer):
            layer.backward(input: x, buffers: buffers, scale: scale, signedZeros: signedZeros, weightGradient: &weightGradient,
                           biasGradient: &biasGradient, below: below, on: backend)
        case .conv2d(let layer):
            layer.backward(input: x, buffers: buffers, scale: scale, signedZeros: signedZeros, weightGradient: &weightGradient,
                           biasGradient: &biasGradient, below: below, on: backend)
        case .maxPool2D(let layer):
            layer.backward(input: x, buffers: buffers, scale: scale, signedZeros: signedZeros, weightGradient: &weightGradient,
                           biasGradient: &biasGradient, below: below, on: backend)
        case .avgPool2D(let layer):
            layer.backward(input: x, buffers: buffers, scale: scale, signedZeros: signedZeros, weightGradient: &weightGradient,
                           biasGradient: &biasGradient, below: below, on: backend)
        case .flatten(let layer):
            layer.backward(input: x, buffers: buffers, scale: scale, signedZeros: signedZeros, weightGradient: &weightGradient,
                           biasGradient: &biasGradient, below: below, on: backend)
        case .leakyReLU(let layer):
            layer.backward(input: x, buffers: buffers, scale: scale, signedZeros: signedZeros, weightGradient: &weightGradient,
                           biasGradient: &biasGradient, below: below, on: backend)
        }
    }
}
