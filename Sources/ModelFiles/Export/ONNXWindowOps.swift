// ONNXWindowOps.swift: the window operators of an ONNX export — Conv and AveragePool, or, in a float64 graph, the same sums spelled out in operators ONNX Runtime runs in float64.
import Backprop
import Linalg

extension ONNXGraphBuilder {
    /// Layer `l`'s convolution of ``current`` (`[N, C, H, W]`) into `output` (`[N, F, H′, W′]`), before its activation.
    ///
    /// In float32: one `Conv` (weight `layers.l.weight`, `[out, in, kh, kw]`; bias `layers.l.bias` when
    /// there is one; `kernel_shape`, `strides`, `pads` the same on both sides, `dilations` 1, `group` 1).
    /// ONNX Runtime has no float64 `Conv` kernel (1.32, CPU), so a float64 graph spells the same sum out:
    /// `Pad` (when padded), then for each kernel offset (u, v) a strided `Slice` of the input and an
    /// `Einsum` `fc,nchw->nfhw` with the weights at that offset (`layers.l.weight.u.v`, `[out, in]`),
    /// and one `Sum` of those terms and the bias (`[out, 1, 1]`).
    mutating func convolution(_ conv: Conv2D<Double>, layer l: Int, into output: String) {
        let s = conv.shape
        if elementType == .float {
            var inputs = [current, constant("layers.\(l).weight", [s.filters, s.channels, s.kernelHeight, s.kernelWidth], conv.weights.elements)]
            if let bias = conv.bias { inputs.append(constant("layers.\(l).bias", [bias.count], bias)) }
            node("Conv", inputs, output, [.ints("kernel_shape", [s.kernelHeight, s.kernelWidth].map(Int64.init)),
                                          .ints("strides", [s.strideHeight, s.strideWidth].map(Int64.init)),
                                          .ints("pads", [s.paddingHeight, s.paddingWidth, s.paddingHeight, s.paddingWidth].map(Int64.init)),
                                          .ints("dilations", [1, 1]), .int("group", 1)])
            return
        }
        if s.paddingHeight > 0 || s.paddingWidth > 0 {
            let pads = integers("layers.\(l).pads", [0, 0, s.paddingHeight, s.paddingWidth, 0, 0, s.paddingHeight, s.paddingWidth])
            node("Pad", [current, pads], "layers.\(l).padded")
        }
        var terms: [String] = []
        for (u, v, slice) in windowSlices(s, name: "layers.\(l)") {
            let k = s.kernelHeight * s.kernelWidth
            let w = (0..<s.filters).flatMap { f in (0..<s.channels).map { c in conv.weights[f, c * k + u * s.kernelWidth + v] } }
            let weight = constant("layers.\(l).weight.\(u).\(v)", [s.filters, s.channels], w)
            node("Einsum", [weight, slice], "layers.\(l).term.\(u).\(v)", [.string("equation", "fc,nchw->nfhw")])
            terms.append(current)
        }
        if let bias = conv.bias { terms.append(constant("layers.\(l).bias", [bias.count, 1, 1], bias)) }
        node("Sum", terms, output)
    }

    /// Layer `l`'s average pool of ``current`` into `output`: `AveragePool` (`kernel_shape`, `strides`,
    /// no padding, as here, so `count_include_pad` 0 changes nothing) in float32; in float64, which
    /// ONNX Runtime has no kernel for, the `Sum` of the window's strided `Slice`s divided (`Div`) by kh·kw.
    mutating func averagePool(_ s: ConvolutionShape, layer l: Int, into output: String) {
        if elementType == .float {
            node("AveragePool", [current], output, [.ints("kernel_shape", [s.kernelHeight, s.kernelWidth].map(Int64.init)),
                                                    .ints("strides", [s.strideHeight, s.strideWidth].map(Int64.init)), .int("count_include_pad", 0)])
            return
        }
        node("Sum", windowSlices(s, name: "layers.\(l)").map(\.slice), "layers.\(l).window_sum")
        node("Div", [current, constant("layers.\(l).window_area", [1], [Double(s.kernelHeight * s.kernelWidth)])], output)
    }

    /// For each window offset (u, v) of `s`, row by row, a `Slice` of ``current`` (padded already)
    /// holding the input value at that offset of every window (rows u, u + sh, …, columns v, v + sw, …),
    /// and its name.
    private mutating func windowSlices(_ s: ConvolutionShape, name: String) -> [(u: Int, v: Int, slice: String)] {
        let input = current
        var slices: [(u: Int, v: Int, slice: String)] = []
        let axes = integers("\(name).slice_axes", [2, 3]), steps = integers("\(name).slice_steps", [s.strideHeight, s.strideWidth])
        for u in 0..<s.kernelHeight {
            for v in 0..<s.kernelWidth {
                let starts = integers("\(name).slice_starts.\(u).\(v)", [u, v])
                let ends = integers("\(name).slice_ends.\(u).\(v)", [u + s.strideHeight * (s.outputHeight - 1) + 1, v + s.strideWidth * (s.outputWidth - 1) + 1])
                node("Slice", [input, starts, ends, axes, steps], "\(name).slice.\(u).\(v)")
                slices.append((u, v, current))
            }
        }
        return slices
    }
}
