// Conv2D.swift: a 2-D convolution layer over NCHW samples (PyTorch's conv2d), its parameters, checks, forward and backward.
import Linalg

/// A 2-D convolution in precision `Scalar`, as PyTorch's `conv2d` (a cross-correlation), then an
/// element-wise activation: for each sample (a row of C·H·W values, NCHW),
/// h[f, i, j] = b[f] + Σ_{c,u,v} W[f, c, u, v]·xpad[c, i·sh + u, j·sw + v] and a = f(h), F × H′ × W′ values.
///
/// `weights` is `F × C·kh·kw`, row-major: PyTorch's `[out, in, kh, kw]` weight flattened. `bias`,
/// when present, has F entries. The geometry (``shape``) is fixed at creation; F is the weights' rows.
/// On ``/Linalg/BLAS`` each pass is one `gemm` over the batch's im2col matrix; on ``/Linalg/Reference``, direct loops.
public struct Conv2D<Scalar: BLASScalar>: LayerKind {
    /// `F × C·kh·kw`.
    public var weights: Matrix<Scalar>
    /// F entries, or nil.
    public var bias: [Scalar]?
    /// The nonlinearity applied after the convolution.
    public var activation: Activation
    /// The input size, kernel, stride and padding; ``/Linalg/ConvolutionShape/filters`` is `weights.rows`.
    public let shape: ConvolutionShape

    /// A layer reading samples of `input` (C, H, W) with filters `weights` (`F × C·kh·kw`) of size
    /// `kernel`, moved by `stride` over the input with `padding` zeros on each side. Shapes are checked
    /// when the layer becomes part of a ``Network`` (``problem(layer:)``).
    public init(input: (channels: Int, height: Int, width: Int), weights: Matrix<Scalar>, bias: [Scalar]? = nil,
                kernel: (height: Int, width: Int), stride: (height: Int, width: Int) = (1, 1),
                padding: (height: Int, width: Int) = (0, 0), activation: Activation) {
        self.init(shape: ConvolutionShape(channels: input.channels, height: input.height, width: input.width, filters: weights.rows,
                                          kernel: kernel, stride: stride, padding: padding),
                  weights: weights, bias: bias, activation: activation)
    }

    /// A layer of geometry `shape` (whose `filters` must be `weights.rows`).
    init(shape: ConvolutionShape, weights: Matrix<Scalar>, bias: [Scalar]?, activation: Activation) {
        self.shape = shape
        self.weights = weights
        self.bias = bias
        self.activation = activation
    }

    public var inputCount: Int { shape.inputCount }
    public var outputCount: Int { shape.isValid ? shape.outputCount : 0 }

    /// What ``Layer/withParameters(_:)`` leaves in place meanwhile: the same geometry, no arrays.
    var placeholder: Conv2D { Conv2D(shape: shape, weights: Matrix(rows: 0, columns: 0), bias: nil, activation: activation) }

    public func problem(layer l: Int) -> NetworkError? {
        if let problem = shape.problem(layer: l, kind: "conv2d") { return problem }
        if weights.columns != shape.patchSize {
            return .filterWeightsShape(layer: l, rows: weights.rows, columns: weights.columns, patchSize: shape.patchSize)
        }
        if let b = bias, b.count != shape.filters { return .filterBiasLength(layer: l, count: b.count, filters: shape.filters) }
        return nil
    }

    public func scratch(batch: Int) -> LayerScratch<Scalar> {
        LayerScratch(convolution: ConvolutionScratch(shape: shape, batch: batch))
    }

    /// The layer in precision `Other`, each parameter rounded to nearest.
    public func converted<Other: BLASScalar>(to _: Other.Type = Other.self) -> Conv2D<Other> {
        Conv2D<Other>(shape: shape, weights: weights.converted(to: Other.self), bias: bias?.map { Other($0) }, activation: activation)
    }
}

extension Conv2D {
    /// H = conv(X, W) + b (``/Linalg/LinearAlgebra/convolve(_:_:weights:bias:into:scratch:)``), A = f(H).
    @inline(__always)
    public func forward<Backend: LinearAlgebra<Scalar>>(_ x: Matrix<Scalar>, into buffers: LayerBuffers<Scalar>, on _: Backend.Type) {
        Backend.convolve(shape, x, weights: weights, bias: bias, into: &buffers.preActivations, scratch: buffers.scratch.convolution!)
        buffers.activate(activation)
    }

    /// δ = (what came down) ⊙ mask ⊙ f′(h); ∂W = scale·Σ δ ⋆ x (one gemm on BLAS), ∂b[f] = scale·Σ_{n,i,j} δ[n, f, i, j];
    /// below: the transposed convolution of δ with W. `signedZeros` has no effect (a convolution's
    /// gradient entry is a sum, not one product).
    @inline(__always) public func backward<Backend: LinearAlgebra<Scalar>>(
        input x: Matrix<Scalar>, buffers: LayerBuffers<Scalar>, scale: Scalar, signedZeros: Bool, weightGradient: inout Matrix<Scalar>,
        biasGradient: inout [Scalar]?, below: LayerBuffers<Scalar>?, on _: Backend.Type) {
        buffers.formDelta(through: activation)
        let delta = buffers.errorTerms, scratch = buffers.scratch.convolution!
        Backend.convolutionWeightGradient(shape, x, errors: delta, alpha: scale, into: &weightGradient, scratch: scratch,
                                          afterForward: true)
        if biasGradient != nil {
            let (filters, positions) = (shape.filters, shape.outputPositions)
            delta.elements.withUnsafeBufferPointer { d in
                biasGradient!.withUnsafeMutableBufferPointer { b in
                    for f in 0..<filters {
                        var sum: Scalar = 0
                        for n in 0..<delta.rows {
                            for p in 0..<positions { sum += d[(n * filters + f) * positions + p] }
                        }
                        b[f] = scale * sum
                    }
                }
            }
        }
        if let below {
            Backend.convolutionInputGradient(shape, errors: delta, weights: weights, into: &below.errorTerms, scratch: scratch)
        }
    }
}

extension ConvolutionShape {
    /// Why this geometry makes no layer of kind `kind` at place `layer` (a size below 1, negative
    /// padding, a kernel or window larger than the padded input), or nil.
    func problem(layer l: Int, kind: String) -> NetworkError? {
        let input = [channels, height, width], window = [kernelHeight, kernelWidth], padding = [paddingHeight, paddingWidth]
        let isPool = kind != "conv2d"
        let sizes: [(String, [Int], Int)] = [("input shape", input, 1), (isPool ? "window" : "kernel", window, 1),
                                             ("stride", [strideHeight, strideWidth], 1), ("padding", padding, 0),
                                             ("filters (weight rows)", [filters], 1)]
        for (name, values, minimum) in sizes where values.contains(where: { $0 < minimum }) {
            return .sizeTooSmall(layer: l, kind: kind, name: name, values: values, minimum: minimum)
        }
        if !isValid { return .windowLargerThanInput(layer: l, kind: kind, window: window, input: input, padding: padding) }
        return nil
    }
}
