// Im2Col.swift: the layout transforms around the BLAS convolution's gemm (im2col, col2im, NCHW ↔ channels-last).
import Kernels

/// The layout transforms that turn a batch's convolution into one `gemm` (``BLAS``'s convolution
/// operations). Shapes are those of ``ConvolutionShape`` and ``ConvolutionScratch``; the callers
/// check them. Each is one compiled C loop (`Kernels`' image kernels), so it runs at full speed
/// from generic code too; nothing is allocated.
@usableFromInline
enum Im2Col {
    /// im2col: `columns` (`batch·H′·W′ × C·kh·kw`) ← every sample's padded input patches, row
    /// (n·H′ + i)·W′ + j holding Xpad[n, c, i·sh + u, j·sw + v] at column (c·kh + u)·kw + v (0 in the padding).
    @inlinable
    static func gather<Scalar: BLASScalar>(_ s: ConvolutionShape, _ x: Matrix<Scalar>, into columns: inout Matrix<Scalar>) {
        withStorage(of: x, and: &columns, batch: x.rows) { Scalar._im2col(s.geometry, $0, $1, batch: x.rows) }
    }

    /// col2im, im2col's adjoint: `e` (`batch × C·H·W`) ← the sum, at each input position, of the
    /// entries of `columns` that ``gather(_:_:into:)`` would have copied from it (padding entries
    /// dropped), added in the columns' row order.
    @inlinable
    static func scatter<Scalar: BLASScalar>(_ s: ConvolutionShape, _ columns: Matrix<Scalar>, into e: inout Matrix<Scalar>) {
        let batch = e.rows
        withStorage(of: columns, and: &e, batch: batch) { Scalar._col2im(s.geometry, $0, $1, batch: batch) }
    }

    /// `channelsLast` (`batch·P × F`, P = H′·W′) ← `d` (`batch × F·P`, NCHW): entry (n·P + p, f) = d[n, f·P + p].
    @inlinable
    static func toChannelsLast<Scalar: BLASScalar>(_ s: ConvolutionShape, _ d: Matrix<Scalar>, into channelsLast: inout Matrix<Scalar>) {
        withStorage(of: d, and: &channelsLast, batch: d.rows) {
            Scalar._toChannelsLast($0, $1, batch: d.rows, filters: s.filters, positions: s.outputPositions)
        }
    }

    /// Runs `body` on the storage of `source` (read) and `target` (written) when `batch` > 0 (the
    /// kernels take base addresses, which an empty batch does not have).
    @inlinable
    static func withStorage<Scalar: BLASScalar>(of source: Matrix<Scalar>, and target: inout Matrix<Scalar>, batch: Int,
                                                _ body: (UnsafePointer<Scalar>, UnsafeMutablePointer<Scalar>) -> Void) {
        guard batch > 0 else { return }
        source.elements.withUnsafeBufferPointer { sp in
            target.elements.withUnsafeMutableBufferPointer { tp in body(sp.baseAddress!, tp.baseAddress!) }
        }
    }

    /// `y` (`batch × F·P`, NCHW) ← `channelsLast` (`batch·P × F`) transposed back per sample, plus `bias[f]` when given.
    @inlinable
    static func fromChannelsLast<Scalar: BLASScalar>(_ s: ConvolutionShape, _ channelsLast: Matrix<Scalar>, bias: [Scalar]?,
                                                     into y: inout Matrix<Scalar>) {
        guard y.rows > 0 else { return }
        channelsLast.elements.withUnsafeBufferPointer { cp in
            y.elements.withUnsafeMutableBufferPointer { yp in
                func run(_ b: UnsafePointer<Scalar>?) {
                    Scalar._fromChannelsLast(cp.baseAddress!, bias: b, yp.baseAddress!, batch: y.rows, filters: s.filters,
                                             positions: s.outputPositions)
                }
                if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
            }
        }
    }
}

extension ConvolutionShape {
    /// This geometry as the image kernels take it.
    @inlinable public var geometry: ImageGeometry {
        ImageGeometry(channels: channels, height: height, width: width, kernel: (kernelHeight, kernelWidth),
                      stride: (strideHeight, strideWidth), padding: (paddingHeight, paddingWidth))
    }
}
