// CImageKernels.h: the layout loops of convolution and pooling over NCHW batches (im2col, col2im, channels-last, max pooling), in float and double.
//
// A batch is `batch` samples, each a row of C·H·W values in C, H, W order (NCHW). The geometry is a
// ck_conv_shape; H′ = (H + 2ph − kh)/sh + 1 and W′ likewise, P = H′·W′. The callers (Linalg's Im2Col,
// Backprop's MaxPool2D) check every size; these loops trust them, allocate nothing, and write only
// the arrays not marked const. Each kernel is compiled for AVX-512, AVX2 and baseline x86-64 as the
// element-wise ones are (Clones.h), and does the same arithmetic, in the same order, as the Swift
// loops it replaces: results are bit for bit those of the definition's order of sums.
#ifndef CIMAGEKERNELS_H
#define CIMAGEKERNELS_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/// Input channels, height, width; kernel (window) height and width; stride; zero padding.
typedef struct {
    ptrdiff_t channels, height, width, kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight, paddingWidth;
} ck_conv_shape;

/// im2col: `columns` (`batch·P × C·kh·kw`) ← row (n·H′ + i)·W′ + j holding Xpad[n, c, i·sh + u, j·sw + v]
/// at column (c·kh + u)·kw + v (0 in the padding).
void ck_im2col_f64(const ck_conv_shape *s, const double *x, double *columns, size_t batch);
void ck_im2col_f32(const ck_conv_shape *s, const float *x, float *columns, size_t batch);
/// col2im, im2col's adjoint: `e` (`batch × C·H·W`) ← 0, then each entry of `columns` that im2col would
/// have copied from an input position added to it, in the columns' row order (padding entries dropped).
void ck_col2im_f64(const ck_conv_shape *s, const double *columns, double *e, size_t batch);
void ck_col2im_f32(const ck_conv_shape *s, const float *columns, float *e, size_t batch);
/// `channelsLast` (`batch·P × F`) ← d (`batch × F·P`): entry (n·P + p, f) = d[n, f·P + p].
void ck_to_channels_last_f64(const double *d, double *channelsLast, size_t batch, size_t filters, size_t positions);
void ck_to_channels_last_f32(const float *d, float *channelsLast, size_t batch, size_t filters, size_t positions);
/// y (`batch × F·P`) ← channelsLast transposed back per sample, + bias[f] when `bias` is not NULL.
void ck_from_channels_last_f64(const double *channelsLast, const double *bias, double *y, size_t batch, size_t filters, size_t positions);
void ck_from_channels_last_f32(const float *channelsLast, const float *bias, float *y, size_t batch, size_t filters, size_t positions);
/// Max pooling without padding (the shape's padding is ignored): y (`batch × C·P`) ← each window's
/// largest value, the first in row-major window order on ties, a NaN counting as larger than any
/// number; `argmax` (`batch × C·P`) ← that value's offset in x (`batch × C·H·W`).
void ck_max_pool_f64(const ck_conv_shape *s, const double *x, double *y, ptrdiff_t *argmax, size_t batch);
void ck_max_pool_f32(const ck_conv_shape *s, const float *x, float *y, ptrdiff_t *argmax, size_t batch);
/// Max pooling's backward pass: e (`inputs` values) ← 0, then e[argmax[o]] += d[o] for o in order.
void ck_max_pool_backward_f64(const double *d, const ptrdiff_t *argmax, double *e, size_t outputs, size_t inputs);
void ck_max_pool_backward_f32(const float *d, const ptrdiff_t *argmax, float *e, size_t outputs, size_t inputs);

// Each by one name for Swift code generic over the precision, as in CKernels.h.
#ifndef CK_DEFINING_KERNELS
#define CK_IMAGE_EITHER(f32, name, ...) ((f32) ? name##_f32(__VA_ARGS__) : name##_f64(__VA_ARGS__))
static inline void ck_im2col(int f32, const ck_conv_shape *s, const void *x, void *columns, size_t batch) {
    CK_IMAGE_EITHER(f32, ck_im2col, s, x, columns, batch);
}
static inline void ck_col2im(int f32, const ck_conv_shape *s, const void *columns, void *e, size_t batch) {
    CK_IMAGE_EITHER(f32, ck_col2im, s, columns, e, batch);
}
static inline void ck_to_channels_last(int f32, const void *d, void *channelsLast, size_t batch, size_t filters, size_t positions) {
    CK_IMAGE_EITHER(f32, ck_to_channels_last, d, channelsLast, batch, filters, positions);
}
static inline void ck_from_channels_last(int f32, const void *channelsLast, const void *bias, void *y, size_t batch, size_t filters,
                                         size_t positions) {
    CK_IMAGE_EITHER(f32, ck_from_channels_last, channelsLast, bias, y, batch, filters, positions);
}
static inline void ck_max_pool(int f32, const ck_conv_shape *s, const void *x, void *y, ptrdiff_t *argmax, size_t batch) {
    CK_IMAGE_EITHER(f32, ck_max_pool, s, x, y, argmax, batch);
}
static inline void ck_max_pool_backward(int f32, const void *d, const ptrdiff_t *argmax, void *e, size_t outputs, size_t inputs) {
    CK_IMAGE_EITHER(f32, ck_max_pool_backward, d, argmax, e, outputs, inputs);
}
#endif

#ifdef __cplusplus
}
#endif
#endif
