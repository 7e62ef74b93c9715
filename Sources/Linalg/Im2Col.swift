// Im2Col.swift: the layout transforms around the BLAS convolution's gemm (im2col, col2im, NCHW ↔ channels-last).

/// The layout transforms that turn a batch's convolution into one `gemm` (``BLAS``'s convolution
/// operations). Shapes are those of ``ConvolutionShape`` and ``ConvolutionScratch``; the callers
/// check them. Nothing is allocated.
@usableFromInline
enum Im2Col {
    /// Calls `body(r, k, low, high)` for every kernel row of the `batch·H′·W′ × C·kh·kw` im2col
    /// matrix, in storage order: its kw entries start at r; entry r + v copies the batch's input
    /// (`batch × C·H·W`, row-major) at offset k + v for v in low..<high and lies in the zero padding
    /// otherwise (low = high = 0 for a padding row).
    @inlinable @inline(__always)
    static func forEachKernelRow(_ s: ConvolutionShape, batch: Int, _ body: (_ r: Int, _ k: Int, _ low: Int, _ high: Int) -> Void) {
        let (h, w, kh, kw) = (s.height, s.width, s.kernelHeight, s.kernelWidth)
        let (oh, ow, inputCount, plane) = (s.outputHeight, s.outputWidth, s.inputCount, s.height * s.width)
        var r = 0
        for n in 0..<batch {
            for i in 0..<oh {
                for j in 0..<ow {
                    let left = j * s.strideWidth - s.paddingWidth  // Input column of v = 0.
                    let low = max(0, -left), high = max(low, min(kw, w - left))
                    for c in 0..<s.channels {
                        for u in 0..<kh {
                            let y = i * s.strideHeight + u - s.paddingHeight
                            if y >= 0 && y < h {
                                body(r, n * inputCount + c * plane + y * w + left, low, high)
                            } else {
                                body(r, 0, 0, 0)
                            }
                            r += kw
                        }
                    }
                }
            }
        }
    }

    /// im2col: `columns` (`batch·H′·W′ × C·kh·kw`) ← every sample's padded input patches, row
    /// (n·H′ + i)·W′ + j holding Xpad[n, c, i·sh + u, j·sw + v] at column (c·kh + u)·kw + v (0 in the padding).
    @inlinable
    static func gather<Scalar: BLASScalar>(_ s: ConvolutionShape, _ x: Matrix<Scalar>, into columns: inout Matrix<Scalar>) {
        let kw = s.kernelWidth
        x.elements.withUnsafeBufferPointer { xp in
            columns.elements.withUnsafeMutableBufferPointer { cp in
                forEachKernelRow(s, batch: x.rows) { r, k, low, high in
                    for v in 0..<low { cp[r + v] = 0 }
                    for v in low..<high { cp[r + v] = xp[k + v] }
                    for v in high..<kw { cp[r + v] = 0 }
                }
            }
        }
    }

    /// col2im, im2col's adjoint: `e` (`batch × C·H·W`) ← the sum, at each input position, of the
    /// entries of `columns` that ``gather(_:_:into:)`` would have copied from it (padding entries dropped).
    @inlinable
    static func scatter<Scalar: BLASScalar>(_ s: ConvolutionShape, _ columns: Matrix<Scalar>, into e: inout Matrix<Scalar>) {
        columns.elements.withUnsafeBufferPointer { cp in
            e.elements.withUnsafeMutableBufferPointer { ep in
                ep.update(repeating: 0)
                forEachKernelRow(s, batch: e.rows) { r, k, low, high in
                    for v in low..<high { ep[k + v] += cp[r + v] }
                }
            }
        }
    }

    /// `channelsLast` (`batch·P × F`, P = H′·W′) ← `d` (`batch × F·P`, NCHW): entry (n·P + p, f) = d[n, f·P + p].
    @inlinable
    static func toChannelsLast<Scalar: BLASScalar>(_ s: ConvolutionShape, _ d: Matrix<Scalar>, into channelsLast: inout Matrix<Scalar>) {
        let (f, p) = (s.filters, s.outputPositions)
        d.elements.withUnsafeBufferPointer { dp in
            channelsLast.elements.withUnsafeMutableBufferPointer { cp in
                for n in 0..<d.rows {
                    for k in 0..<f {
                        for q in 0..<p { cp[(n * p + q) * f + k] = dp[(n * f + k) * p + q] }
                    }
                }
            }
        }
    }

    /// `y` (`batch × F·P`, NCHW) ← `channelsLast` (`batch·P × F`) transposed back per sample, plus `bias[f]` when given.
    @inlinable
    static func fromChannelsLast<Scalar: BLASScalar>(_ s: ConvolutionShape, _ channelsLast: Matrix<Scalar>, bias: [Scalar]?,
                                                     into y: inout Matrix<Scalar>) {
        let (f, p) = (s.filters, s.outputPositions)
        channelsLast.elements.withUnsafeBufferPointer { cp in
            y.elements.withUnsafeMutableBufferPointer { yp in
                for n in 0..<y.rows {
                    for k in 0..<f {
                        let b = bias?[k] ?? 0
                        for q in 0..<p { yp[(n * f + k) * p + q] = cp[(n * p + q) * f + k] + b }
                    }
                }
            }
        }
    }
}
