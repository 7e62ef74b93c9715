// BLASConvolution.swift: BLAS convolution: the forward pass, weight gradient and input gradient each as one gemm over the batch's im2col matrix.

extension BLAS {
    /// im2col of the batch into `scratch.columns`, one `gemm` columns·Wᵀ into `scratch.channelsLast`
    /// (`batch·H′·W′ × F`), then back to NCHW rows with the bias added.
    @inlinable
    public static func convolve(_ shape: ConvolutionShape, _ x: Matrix<Scalar>, weights: Matrix<Scalar>, bias: [Scalar]?,
                                into y: inout Matrix<Scalar>, scratch: ConvolutionScratch<Scalar>) {
        let batch = shape.check("convolve", x: x, weights: weights, y: y)
        scratch.check("convolve", shape, batch: batch)
        precondition(bias == nil || bias!.count == shape.filters, "convolve: bias of \(bias!.count) entries for \(shape.filters) filters")
        Im2Col.gather(shape, x, into: &scratch.columns)
        scratch.holdsInputColumns = true
        gemm(.none, .transpose, alpha: 1, scratch.columns, weights, beta: 0, into: &scratch.channelsLast)
        Im2Col.fromChannelsLast(shape, scratch.channelsLast, bias: bias, into: &y)
    }

    /// im2col of the batch (or, `afterForward`, the one the forward pass left in `scratch`), the error
    /// terms channels-last, then one `gemm` α·Dᵀ·columns (`F × C·kh·kw`).
    @inlinable
    public static func convolutionWeightGradient(_ shape: ConvolutionShape, _ x: Matrix<Scalar>, errors d: Matrix<Scalar>, alpha: Scalar,
                                                 into g: inout Matrix<Scalar>, scratch: ConvolutionScratch<Scalar>, afterForward: Bool) {
        let batch = shape.check("convolutionWeightGradient", x: x, weights: g, y: d)
        scratch.check("convolutionWeightGradient", shape, batch: batch)
        if !(afterForward && scratch.holdsInputColumns) {
            Im2Col.gather(shape, x, into: &scratch.columns)
            scratch.holdsInputColumns = true
        }
        Im2Col.toChannelsLast(shape, d, into: &scratch.channelsLast)
        gemm(.transpose, .none, alpha: alpha, scratch.channelsLast, scratch.columns, beta: 0, into: &g)
    }

    /// The error terms channels-last, one `gemm` D·W into `scratch.columns` (each patch's gradient), then col2im.
    @inlinable
    public static func convolutionInputGradient(_ shape: ConvolutionShape, errors d: Matrix<Scalar>, weights: Matrix<Scalar>,
                                                into e: inout Matrix<Scalar>, scratch: ConvolutionScratch<Scalar>) {
        let batch = shape.check("convolutionInputGradient", x: e, weights: weights, y: d)
        scratch.check("convolutionInputGradient", shape, batch: batch)
        Im2Col.toChannelsLast(shape, d, into: &scratch.channelsLast)
        gemm(.none, .none, alpha: 1, scratch.channelsLast, weights, beta: 0, into: &scratch.columns)
        scratch.holdsInputColumns = false
        Im2Col.scatter(shape, scratch.columns, into: &e)
    }
}
