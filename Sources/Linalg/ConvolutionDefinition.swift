// ConvolutionDefinition.swift: the convolution's definition: forward pass, weight gradient and input gradient as direct loops — what Reference runs (the specification), and any backend that brings no faster ones.

/// The three convolution operations written as their definitions, summed in the order written.
/// ``Reference`` uses these (they are its specification); ``BLAS`` replaces them with im2col + one
/// `gemm` each; a backend of one's own gets them unless it brings its own. `scratch` is unused.
extension LinearAlgebra {
    /// Y[n, f, i, j] = b[f] + Σ_{c,u,v} W[f, (c·kh + u)·kw + v]·Xpad[n, c, i·sh + u, j·sw + v], summed in that order.
    @inlinable
    public static func convolve(_ s: ConvolutionShape, _ x: Matrix<Scalar>, weights: Matrix<Scalar>, bias: [Scalar]?,
                                into y: inout Matrix<Scalar>, scratch: ConvolutionScratch<Scalar>) {
        _ = s.check("convolve", x: x, weights: weights, y: y)
        precondition(bias == nil || bias!.count == s.filters, "convolve: bias of \(bias!.count) entries for \(s.filters) filters")
        for n in 0..<x.rows {
            for f in 0..<s.filters {
                for i in 0..<s.outputHeight {
                    for j in 0..<s.outputWidth {
                        var sum: Scalar = bias?[f] ?? 0
                        for c in 0..<s.channels {
                            for u in 0..<s.kernelHeight {
                                for v in 0..<s.kernelWidth {
                                    let xv = s.padded(x, n, c, i * s.strideHeight + u - s.paddingHeight, j * s.strideWidth + v - s.paddingWidth)
                                    sum += weights[f, (c * s.kernelHeight + u) * s.kernelWidth + v] * xv
                                }
                            }
                        }
                        y[n, (f * s.outputHeight + i) * s.outputWidth + j] = sum
                    }
                }
            }
        }
    }

    /// G[f, (c·kh + u)·kw + v] = α·Σ_{n,i,j} D[n, f, i, j]·Xpad[n, c, i·sh + u, j·sw + v] (`afterForward` changes nothing here).
    @inlinable
    public static func convolutionWeightGradient(_ s: ConvolutionShape, _ x: Matrix<Scalar>, errors d: Matrix<Scalar>, alpha: Scalar,
                                                 into g: inout Matrix<Scalar>, scratch: ConvolutionScratch<Scalar>, afterForward: Bool) {
        _ = s.check("convolutionWeightGradient", x: x, weights: g, y: d)
        for f in 0..<s.filters {
            for c in 0..<s.channels {
                for u in 0..<s.kernelHeight {
                    for v in 0..<s.kernelWidth {
                        var sum: Scalar = 0
                        for n in 0..<x.rows {
                            for i in 0..<s.outputHeight {
                                for j in 0..<s.outputWidth {
                                    let xv = s.padded(x, n, c, i * s.strideHeight + u - s.paddingHeight, j * s.strideWidth + v - s.paddingWidth)
                                    sum += d[n, (f * s.outputHeight + i) * s.outputWidth + j] * xv
                                }
                            }
                        }
                        g[f, (c * s.kernelHeight + u) * s.kernelWidth + v] = alpha * sum
                    }
                }
            }
        }
    }

    /// E[n, c, y, x] = Σ W[f, (c·kh + u)·kw + v]·D[n, f, i, j] over (f, u, v, i, j) with i·sh + u − ph = y
    /// and j·sw + v − pw = x: each output's error spread back over the inputs it read.
    @inlinable
    public static func convolutionInputGradient(_ s: ConvolutionShape, errors d: Matrix<Scalar>, weights: Matrix<Scalar>,
                                                into e: inout Matrix<Scalar>, scratch: ConvolutionScratch<Scalar>) {
        _ = s.check("convolutionInputGradient", x: e, weights: weights, y: d)
        for k in e.elements.indices { e.elements[k] = 0 }
        for n in 0..<e.rows {
            for f in 0..<s.filters {
                for i in 0..<s.outputHeight {
                    for j in 0..<s.outputWidth {
                        let delta = d[n, (f * s.outputHeight + i) * s.outputWidth + j]
                        for c in 0..<s.channels {
                            for u in 0..<s.kernelHeight {
                                for v in 0..<s.kernelWidth {
                                    let y = i * s.strideHeight + u - s.paddingHeight, xx = j * s.strideWidth + v - s.paddingWidth
                                    guard y >= 0 && y < s.height && xx >= 0 && xx < s.width else { continue }
                                    e[n, (c * s.height + y) * s.width + xx] += weights[f, (c * s.kernelHeight + u) * s.kernelWidth + v] * delta
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension ConvolutionShape {
    /// Xpad[n, c, y, x]: the input's value at channel c, row y, column x of sample n (y and x counted
    /// in the unpadded input, so already shifted by −ph, −pw), or 0 in the padding.
    @inlinable
    func padded<Scalar: BLASScalar>(_ x: Matrix<Scalar>, _ n: Int, _ c: Int, _ y: Int, _ xx: Int) -> Scalar {
        y >= 0 && y < height && xx >= 0 && xx < width ? x[n, (c * height + y) * width + xx] : 0
    }
}
