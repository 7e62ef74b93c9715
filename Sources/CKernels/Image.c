// Image.c: the convolution and pooling layout kernels of CImageKernels.h, defined once for float and once for double.
#define CK_DEFINING_KERNELS
#include "CImageKernels.h"
#include <string.h>

#include "Clones.h"

// Calls BODY for every kernel row of a batch's im2col matrix, in storage order, with `r` the row's
// first entry (kw of them), `src` the input value under its v = 0 (or NULL for a padding row), and
// v in [low, high) the entries inside the input.
#define CK_FOR_EACH_KERNEL_ROW(T, s, x, base, batch, BODY)                                            \
    do {                                                                                              \
        const ptrdiff_t H = s->height, W = s->width, C = s->channels, kh = s->kernelHeight, kw = s->kernelWidth; \
        const ptrdiff_t oh = (H + 2 * s->paddingHeight - kh) / s->strideHeight + 1;                   \
        const ptrdiff_t ow = (W + 2 * s->paddingWidth - kw) / s->strideWidth + 1;                     \
        const ptrdiff_t plane = H * W, inputCount = C * plane;                                        \
        T *r = (base);                                                                                \
        for (ptrdiff_t n = 0; n < (ptrdiff_t)(batch); n++)                                            \
            for (ptrdiff_t i = 0; i < oh; i++)                                                        \
                for (ptrdiff_t j = 0; j < ow; j++) {                                                  \
                    const ptrdiff_t left = j * s->strideWidth - s->paddingWidth;                      \
                    const ptrdiff_t low = left < 0 ? -left : 0;                                       \
                    ptrdiff_t high = W - left < kw ? W - left : kw;                                   \
                    high = high > low ? high : low;                                                   \
                    for (ptrdiff_t c = 0; c < C; c++)                                                 \
                        for (ptrdiff_t u = 0; u < kh; u++, r += kw) {                                 \
                            const ptrdiff_t y = i * s->strideHeight + u - s->paddingHeight;           \
                            const int inside = y >= 0 && y < H;                                       \
                            const ptrdiff_t offset = n * inputCount + c * plane + y * W + left;       \
                            BODY                                                                      \
                        }                                                                             \
                }                                                                                     \
    } while (0)

#define DEFINE_IMAGE_KERNELS(S, T)                                                                     \
CK_KERNEL void ck_im2col_##S(const ck_conv_shape *s, const T *x, T *columns, size_t batch) {          \
    CK_FOR_EACH_KERNEL_ROW(T, s, x, columns, batch, {                                                 \
        if (inside) {                                                                                 \
            for (ptrdiff_t v = 0; v < low; v++) r[v] = 0;                                             \
            for (ptrdiff_t v = low; v < high; v++) r[v] = x[offset + v];                              \
            for (ptrdiff_t v = high; v < kw; v++) r[v] = 0;                                           \
        } else {                                                                                      \
            for (ptrdiff_t v = 0; v < kw; v++) r[v] = 0;                                              \
        }                                                                                             \
    });                                                                                               \
}                                                                                                     \
CK_KERNEL void ck_col2im_##S(const ck_conv_shape *s, const T *columns, T *e, size_t batch) {          \
    memset(e, 0, (size_t)batch * (size_t)(s->channels * s->height * s->width) * sizeof(T));          \
    CK_FOR_EACH_KERNEL_ROW(const T, s, e, columns, batch, {                                           \
        if (inside)                                                                                   \
            for (ptrdiff_t v = low; v < high; v++) e[offset + v] += r[v];                             \
    });                                                                                               \
}                                                                                                     \
CK_KERNEL void ck_to_channels_last_##S(const T *d, T *channelsLast, size_t batch, size_t filters,     \
                                       size_t positions) {                                            \
    for (size_t n = 0; n < batch; n++)                                                                \
        for (size_t f = 0; f < filters; f++) {                                                        \
            const T *row = d + (n * filters + f) * positions;                                         \
            T *out = channelsLast + n * positions * filters + f;                                      \
            for (size_t p = 0; p < positions; p++) out[p * filters] = row[p];                         \
        }                                                                                             \
}                                                                                                     \
CK_KERNEL void ck_from_channels_last_##S(const T *channelsLast, const T *bias, T *y, size_t batch,    \
                                         size_t filters, size_t positions) {                          \
    for (size_t n = 0; n < batch; n++)                                                                \
        for (size_t f = 0; f < filters; f++) {                                                        \
            const T b = bias ? bias[f] : (T)0;                                                        \
            const T *in = channelsLast + n * positions * filters + f;                                 \
            T *row = y + (n * filters + f) * positions;                                               \
            for (size_t p = 0; p < positions; p++) row[p] = in[p * filters] + b;                      \
        }                                                                                             \
}                                                                                                     \
CK_KERNEL void ck_max_pool_##S(const ck_conv_shape *s, const T *x, T *y, ptrdiff_t *argmax,            \
                               size_t batch) {                                                        \
    const ptrdiff_t H = s->height, W = s->width, C = s->channels, kh = s->kernelHeight, kw = s->kernelWidth; \
    const ptrdiff_t oh = (H - kh) / s->strideHeight + 1, ow = (W - kw) / s->strideWidth + 1;          \
    const ptrdiff_t plane = H * W;                                                                    \
    ptrdiff_t o = 0;                                                                                  \
    for (ptrdiff_t n = 0; n < (ptrdiff_t)batch; n++)                                                  \
        for (ptrdiff_t c = 0; c < C; c++)                                                             \
            for (ptrdiff_t i = 0; i < oh; i++)                                                        \
                for (ptrdiff_t j = 0; j < ow; j++, o++) {                                             \
                    const ptrdiff_t corner = (n * C + c) * plane + i * s->strideHeight * W + j * s->strideWidth; \
                    T best = x[corner];                                                               \
                    ptrdiff_t bestIndex = corner;                                                     \
                    for (ptrdiff_t u = 0; u < kh; u++)                                                \
                        for (ptrdiff_t v = 0; v < kw; v++) {                                          \
                            const ptrdiff_t k = corner + u * W + v;                                   \
                            const T value = x[k];                                                     \
                            /* Selects, not a branch: on real data the branch is mispredicted often. */ \
                            const int take = (value > best) | ((value != value) & (best == best));    \
                            best = take ? value : best;                                               \
                            bestIndex = take ? k : bestIndex;                                         \
                        }                                                                             \
                    y[o] = best;                                                                      \
                    argmax[o] = bestIndex;                                                            \
                }                                                                                     \
}                                                                                                     \
CK_KERNEL void ck_max_pool_backward_##S(const T *d, const ptrdiff_t *argmax, T *e, size_t outputs,    \
                                        size_t inputs) {                                              \
    memset(e, 0, inputs * sizeof(T));                                                                 \
    for (size_t o = 0; o < outputs; o++) e[argmax[o]] += d[o];                                        \
}

DEFINE_IMAGE_KERNELS(f64, double)
DEFINE_IMAGE_KERNELS(f32, float)
