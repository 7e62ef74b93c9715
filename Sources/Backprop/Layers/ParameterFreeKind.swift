// ParameterFreeKind.swift: what layer kinds without parameters (pooling, flatten) share — no weights, no bias, identity activation; a pool's window geometry.
import Linalg

/// A layer kind without parameters: 0 × 0 ``LayerKind/weights``, no ``LayerKind/bias``, the identity activation.
/// Setting parameters other than those is a programming error (a precondition names the shape).
public protocol ParameterFreeKind: LayerKind {}

extension ParameterFreeKind {
    public var weights: Matrix<Scalar> {
        get { Matrix(rows: 0, columns: 0) }
        set { precondition(newValue.rows == 0 && newValue.columns == 0, "\(Self.self) has no weights; given \(newValue.rows)×\(newValue.columns)") }
    }
    public var bias: [Scalar]? {
        get { nil }
        set { precondition(newValue == nil, "\(Self.self) has no bias; given \(newValue!.count) entries") }
    }
    public var activation: Activation { .identity }

    /// The backward pass of a kind without parameters: δ = (what came down) ⊙ dropout mask in place,
    /// then, given the layer below, `body(δ, below)` writes −∂ℓ/∂x into the layer below's error terms.
    @inline(__always)
    func passDown(_ buffers: LayerBuffers<Scalar>, to below: LayerBuffers<Scalar>?,
                  _ body: (_ delta: UnsafeBufferPointer<Scalar>, _ below: UnsafeMutableBufferPointer<Scalar>) -> Void) {
        buffers.dropout.backward(&buffers.errorTerms)
        guard let below else { return }
        buffers.errorTerms.elements.withUnsafeBufferPointer { dp in
            below.errorTerms.elements.withUnsafeMutableBufferPointer { ep in body(dp, ep) }
        }
    }
}

/// A 2-D pooling kind over NCHW samples: a kh × kw window moved by (sh, sw) over each channel, no
/// padding; C × H′ × W′ outputs with H′ = ⌊(H − kh)/sh⌋ + 1 and W′ likewise (``shape``, whose
/// `filters` is C and whose kernel is the window).
public protocol PoolingKind: ParameterFreeKind {
    /// The input size, window and stride.
    var shape: ConvolutionShape { get }
    /// The kind's name, as ``Layer/kindName`` gives it.
    static var kindName: String { get }
    /// A pool of geometry `shape` (`filters` = `channels`, no padding; checked by ``LayerKind/problem(layer:)``).
    init(shape: ConvolutionShape)
}

extension PoolingKind {
    public var inputCount: Int { shape.inputCount }
    public var outputCount: Int { shape.isValid ? shape.outputCount : 0 }

    public func problem(layer l: Int) -> NetworkError? { shape.problem(layer: l, kind: Self.kindName) }

    /// A pool over samples of `input` (C, H, W) with `window` (kh, kw), moved by `stride` (the window when nil).
    public init(input: (channels: Int, height: Int, width: Int), window: (height: Int, width: Int),
                stride: (height: Int, width: Int)? = nil) {
        self.init(shape: ConvolutionShape(channels: input.channels, height: input.height, width: input.width,
                                          filters: input.channels, kernel: window, stride: stride ?? window))
    }
}

extension ConvolutionShape {
    /// Calls `body(o, corner)` for every pooling window of a `batch`-sample pass, in output order:
    /// o is the output's offset in the batch's outputs (`batch × C·H′·W′`), corner the offset of the
    /// window's top-left value in the batch's inputs (`batch × C·H·W`).
    @inline(__always)
    func forEachWindow(batch: Int, _ body: (_ o: Int, _ corner: Int) -> Void) {
        let plane = height * width
        var o = 0
        for n in 0..<batch {
            for c in 0..<channels {
                for i in 0..<outputHeight {
                    for j in 0..<outputWidth {
                        body(o, n * inputCount + c * plane + i * strideHeight * width + j * strideWidth)
                        o += 1
                    }
                }
            }
        }
    }

    /// Calls `body(k)` with each value's offset from its window's corner, in row-major window order.
    @inline(__always)
    func forEachWindowOffset(_ body: (_ k: Int) -> Void) {
        for u in 0..<kernelHeight {
            for v in 0..<kernelWidth { body(u * width + v) }
        }
    }
}
