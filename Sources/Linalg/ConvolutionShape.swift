// ConvolutionShape.swift: the geometry of a 2-D convolution or pooling over NCHW samples (sizes, kernel, stride, padding) and the sizes it implies.

/// The geometry of a 2-D cross-correlation (as PyTorch's `conv2d`) over a batch of NCHW samples:
/// input channels C, height H and width W; F filters of kernel kh × kw; stride (sh, sw); symmetric
/// zero padding (ph, pw). A pooling window is the same geometry with F = C and no padding.
///
/// A sample is one row of a batch matrix: its C·H·W values in C, H, W order (row-major). The output
/// is F × H′ × W′ per sample, H′ = ⌊(H + 2ph − kh)/sh⌋ + 1 and W′ likewise, in the same order.
/// Sizes are in elements. The shape is valid (``isValid``) when every size, kernel and stride is at
/// least 1, the padding at least 0 and the kernel fits the padded input; the operations that take it
/// check that with a precondition.
public struct ConvolutionShape: Equatable, Sendable, CustomStringConvertible {
    /// Input channels C, height H and width W.
    public let channels: Int, height: Int, width: Int
    /// Output channels (filters) F.
    public let filters: Int
    /// Kernel (window) height kh and width kw.
    public let kernelHeight: Int, kernelWidth: Int
    /// Stride along the height sh and the width sw.
    public let strideHeight: Int, strideWidth: Int
    /// Zero rows added above and below (ph), zero columns left and right (pw).
    public let paddingHeight: Int, paddingWidth: Int

    /// The geometry of the given sizes (not checked here; see ``isValid``).
    public init(channels: Int, height: Int, width: Int, filters: Int, kernel: (height: Int, width: Int),
                stride: (height: Int, width: Int) = (1, 1), padding: (height: Int, width: Int) = (0, 0)) {
        self.channels = channels
        self.height = height
        self.width = width
        self.filters = filters
        (kernelHeight, kernelWidth) = kernel
        (strideHeight, strideWidth) = stride
        (paddingHeight, paddingWidth) = padding
    }

    /// H′ = ⌊(H + 2ph − kh)/sh⌋ + 1 (meaningful when ``isValid``).
    @inlinable public var outputHeight: Int { (height + 2 * paddingHeight - kernelHeight) / strideHeight + 1 }
    /// W′ = ⌊(W + 2pw − kw)/sw⌋ + 1 (meaningful when ``isValid``).
    @inlinable public var outputWidth: Int { (width + 2 * paddingWidth - kernelWidth) / strideWidth + 1 }
    /// H′·W′: output positions per channel.
    @inlinable public var outputPositions: Int { outputHeight * outputWidth }
    /// C·H·W: values per input sample.
    @inlinable public var inputCount: Int { channels * height * width }
    /// F·H′·W′: values per output sample.
    @inlinable public var outputCount: Int { filters * outputPositions }
    /// C·kh·kw: the values one filter reads at one position (a row of the im2col matrix, a row of the weights).
    @inlinable public var patchSize: Int { channels * kernelHeight * kernelWidth }

    /// Whether the sizes make a convolution: C, H, W, F, kh, kw, sh, sw ≥ 1, ph, pw ≥ 0, kh ≤ H + 2ph, kw ≤ W + 2pw.
    public var isValid: Bool {
        [channels, height, width, filters, kernelHeight, kernelWidth, strideHeight, strideWidth].allSatisfy { $0 >= 1 }
            && paddingHeight >= 0 && paddingWidth >= 0
            && kernelHeight <= height + 2 * paddingHeight && kernelWidth <= width + 2 * paddingWidth
    }

    public var description: String {
        "input \(channels)×\(height)×\(width), \(filters) filters \(kernelHeight)×\(kernelWidth), "
            + "stride \(strideHeight)×\(strideWidth), padding \(paddingHeight)×\(paddingWidth)"
    }

    /// Stops with a message naming the shapes unless this geometry is valid, `x` is `batch × C·H·W`,
    /// `weights` (when given) `F × C·kh·kw` and `y` `batch × F·H′·W′`. Returns the batch size.
    @inlinable
    func check<Scalar: BLASScalar>(_ op: StaticString, x: Matrix<Scalar>, weights: Matrix<Scalar>?, y: Matrix<Scalar>) -> Int {
        precondition(isValid, "\(op): invalid geometry (\(self))")
        precondition(x.columns == inputCount && y.columns == outputCount && x.rows == y.rows,
                     "\(op): input \(x.rows)×\(x.columns) and output \(y.rows)×\(y.columns) do not fit \(self) (\(inputCount) in, \(outputCount) out per sample)")
        if let weights {
            precondition(weights.rows == filters && weights.columns == patchSize,
                         "\(op): weights \(weights.rows)×\(weights.columns) do not fit \(self) (\(filters)×\(patchSize))")
        }
        return x.rows
    }
}
