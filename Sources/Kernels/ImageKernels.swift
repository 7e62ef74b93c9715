// ImageKernels.swift: the convolution and pooling layout loops (CImageKernels.h) for Swift code generic over the precision.
import CKernels

/// The geometry the image kernels take: input channels, height, width; kernel (window) height and
/// width; stride; zero padding (see `Linalg.ConvolutionShape`, which makes one).
public struct ImageGeometry: Sendable {
    @usableFromInline let shape: ck_conv_shape

    @inlinable
    public init(channels: Int, height: Int, width: Int, kernel: (height: Int, width: Int), stride: (height: Int, width: Int),
                padding: (height: Int, width: Int)) {
        shape = ck_conv_shape(channels: channels, height: height, width: width, kernelHeight: kernel.height,
                              kernelWidth: kernel.width, strideHeight: stride.height, strideWidth: stride.width,
                              paddingHeight: padding.height, paddingWidth: padding.width)
    }
}

/// Each kernel of CImageKernels.h once for both precisions (a constant `f32` once specialised, as in
/// ``KernelScalar``'s element-wise kernels). The callers check every size; nothing is allocated. In
/// generic code that the compiler did not specialise, each is one call into compiled C, not a
/// per-element loop through the protocol's witnesses.
extension KernelScalar {
    @inlinable public static func _im2col(_ g: ImageGeometry, _ x: UnsafePointer<Self>, _ columns: UnsafeMutablePointer<Self>, batch: Int) {
        withUnsafePointer(to: g.shape) { ck_im2col(f32, $0, x, columns, batch) }
    }
    @inlinable public static func _col2im(_ g: ImageGeometry, _ columns: UnsafePointer<Self>, _ e: UnsafeMutablePointer<Self>, batch: Int) {
        withUnsafePointer(to: g.shape) { ck_col2im(f32, $0, columns, e, batch) }
    }
    @inlinable public static func _toChannelsLast(_ d: UnsafePointer<Self>, _ channelsLast: UnsafeMutablePointer<Self>, batch: Int,
                                                  filters: Int, positions: Int) {
        ck_to_channels_last(f32, d, channelsLast, batch, filters, positions)
    }
    @inlinable public static func _fromChannelsLast(_ channelsLast: UnsafePointer<Self>, bias: UnsafePointer<Self>?, _ y: UnsafeMutablePointer<Self>,
                                                    batch: Int, filters: Int, positions: Int) {
        ck_from_channels_last(f32, channelsLast, bias, y, batch, filters, positions)
    }
    @inlinable public static func _maxPool(_ g: ImageGeometry, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>,
                                           argmax: UnsafeMutablePointer<Int>, batch: Int) {
        withUnsafePointer(to: g.shape) { ck_max_pool(f32, $0, x, y, argmax, batch) }
    }
    @inlinable public static func _maxPoolBackward(_ d: UnsafePointer<Self>, argmax: UnsafePointer<Int>, _ e: UnsafeMutablePointer<Self>,
                                                   outputs: Int, inputs: Int) {
        ck_max_pool_backward(f32, d, argmax, e, outputs, inputs)
    }
}
