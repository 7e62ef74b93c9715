// ConvolutionScratch.swift: the matrices a convolution's im2col + gemm passes work in, allocated once per geometry and batch size.

/// Working storage for the convolution operations of ``LinearAlgebra`` over `batch` samples of one
/// ``ConvolutionShape``, allocated once and reused so a pass allocates nothing. The ``BLAS`` backend
/// writes the whole batch's im2col matrix and its channels-last product here; ``Reference``
/// (direct loops) leaves it untouched. Its contents between calls mean nothing.
public final class ConvolutionScratch<Scalar: BLASScalar> {
    /// The geometry these matrices fit.
    public let shape: ConvolutionShape
    /// Samples these matrices fit.
    public let batch: Int
    /// The im2col matrix, `batch·H′·W′ × C·kh·kw`: row (n·H′ + i)·W′ + j holds sample n's padded input
    /// patch under output position (i, j), in the weights' (c, u, v) order.
    @exclusivity(unchecked) public var columns: Matrix<Scalar>
    /// A `batch·H′·W′ × F` matrix: outputs or error terms channels-last (row per sample and position).
    @exclusivity(unchecked) public var channelsLast: Matrix<Scalar>
    /// Whether `columns` still holds the im2col matrix of the last forward pass's input (set by
    /// ``BLAS``'s convolve and weight gradient, cleared by its input gradient, which overwrites it).
    @usableFromInline @exclusivity(unchecked) var holdsInputColumns = false

    /// Scratch for `batch` samples of `shape` (which must be valid).
    public init(shape: ConvolutionShape, batch: Int) {
        precondition(shape.isValid && batch >= 0, "ConvolutionScratch: invalid geometry (\(shape)) or batch \(batch)")
        self.shape = shape
        self.batch = batch
        columns = Matrix(rows: batch * shape.outputPositions, columns: shape.patchSize)
        channelsLast = Matrix(rows: batch * shape.outputPositions, columns: shape.filters)
    }

    /// Values a scratch of `shape` holds per sample (``columns`` and ``channelsLast``), for callers
    /// that bound its size before allocating one.
    public static func valuesPerSample(_ shape: ConvolutionShape) -> Int { shape.outputPositions * (shape.patchSize + shape.filters) }

    /// Stops with a message unless this scratch fits `shape` at `batch` samples.
    @inlinable
    func check(_ op: StaticString, _ shape: ConvolutionShape, batch: Int) {
        precondition(shape == self.shape && batch == self.batch,
                     "\(op): scratch for \(self.batch) samples of (\(self.shape)) used for \(batch) samples of (\(shape))")
    }
}
