// Element-wise kernels of a training step, in float and double, each compiled for AVX-512, for
// AVX2 with FMA and for baseline x86-64 (or the target's baseline elsewhere); the first call
// picks the widest the processor runs (the compiler's function multi-versioning).
//
// Every kernel takes element counts, never bytes; `n` may be any length (tails are handled) and
// 0. Output arrays may not overlap inputs unless the comment says "in place". No kernel
// allocates or keeps a pointer after it returns.
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction set the kernels run with on this processor: "avx512", "avx2+fma" or "baseline".
const char *ck_isa(void);

// ---- exp and the activations -------------------------------------------------------------
// y[i] = e^x[i]. Within 1 ulp of glibc's exp for normal results in both precisions (4 million points
// over the whole range, AVX-512 clone; the tests allow 2 against libm), and within one subnormal step
// below. Overflow gives +inf, underflow gradual then +0; NaN in gives NaN out, -inf gives 0.
void ck_exp_f64(const double *x, double *y, size_t n);
void ck_exp_f32(const float *x, float *y, size_t n);

/// a = 1/(1+e^-h), written so e^|h| is never formed (finite for every finite h; NaN stays NaN).
void ck_sigmoid_f64(const double *h, double *a, size_t n);
void ck_sigmoid_f32(const float *h, float *a, size_t n);

/// a = tanh h (from expm1, so relative accuracy holds near 0; ±1 beyond |h| ≈ 19 or 9; NaN stays NaN).
void ck_tanh_f64(const double *h, double *a, size_t n);
void ck_tanh_f32(const float *h, float *a, size_t n);

/// a = h > 0 ? h : 0 (NaN gives 0, as the comparison is false).
void ck_relu_f64(const double *h, double *a, size_t n);
void ck_relu_f32(const float *h, float *a, size_t n);

/// In place: d *= a(1-a) — sigmoid's derivative from its output a.
void ck_mul_sigmoid_derivative_f64(double *d, const double *a, size_t n);
void ck_mul_sigmoid_derivative_f32(float *d, const float *a, size_t n);
/// In place: d *= 1 - a² — tanh's derivative from its output a.
void ck_mul_tanh_derivative_f64(double *d, const double *a, size_t n);
void ck_mul_tanh_derivative_f32(float *d, const float *a, size_t n);
/// In place: d = h > 0 ? d : 0 — ReLU's derivative (0 at 0) from the pre-activation h.
void ck_mul_relu_derivative_f64(double *d, const double *h, size_t n);
void ck_mul_relu_derivative_f32(float *d, const float *h, size_t n);

// ---- softmax and the losses --------------------------------------------------------------
/// Each of `rows` rows of `columns` (row-major): a = e^(h − max h) / Σ e^(h − max h).
void ck_softmax_rows_f64(const double *h, double *a, size_t rows, size_t columns);
void ck_softmax_rows_f32(const float *h, float *a, size_t rows, size_t columns);
/// Σ over the rows of −Σ_j t_j (h_j − logΣexp(h_row)), skipping t_j = 0 (so a −inf h_j where
/// t_j = 0 adds nothing). Not divided by the row count. Accumulated in double in both precisions.
double ck_cross_entropy_sum_f64(const double *h, const double *t, size_t rows, size_t columns);
double ck_cross_entropy_sum_f32(const float *h, const float *t, size_t rows, size_t columns);
/// Σ ½(t − y)², accumulated in double.
double ck_squared_error_sum_f64(const double *y, const double *t, size_t n);
double ck_squared_error_sum_f32(const float *y, const float *t, size_t n);
/// d = t − y.
void ck_subtract_f64(const double *t, const double *y, double *d, size_t n);
void ck_subtract_f32(const float *t, const float *y, float *d, size_t n);

// ---- vectors -----------------------------------------------------------------------------
/// y = a·x0 + b·x1 (y may be x0 or x1: in place).
void ck_axpby_f64(double a, const double *x0, double b, const double *x1, double *y, size_t n);
void ck_axpby_f32(float a, const float *x0, float b, const float *x1, float *y, size_t n);
/// y = x ⊙ m (y may be x: in place).
void ck_multiply_f64(const double *x, const double *m, double *y, size_t n);
void ck_multiply_f32(const float *x, const float *m, float *y, size_t n);
/// Σ x, in double, added in 16 independent lanes (so not the left-to-right sum's rounding). Any
/// NaN or ±inf makes it non-finite, and so do finite values whose sum overflows.
double ck_sum_f64(const double *x, size_t n);
double ck_sum_f32(const float *x, size_t n);

// ---- dropout --------------------------------------------------------------------------------
/// Inverted dropout over `rows` rows of `columns`: row r draws from its own xoshiro256** generator,
/// whose four state words are states[4r…4r+3] (advanced in place, one draw per element), u =
/// (next >> 11)·2⁻⁵³, mask = u < rate ? 0 : keep, dropped = a·mask. Bit for bit the sequence of
/// Linalg's SeededGenerator.nextUniform; rows run eight at a time in vector lanes.
void ck_dropout_f64(uint64_t *states, const double *a, double *mask, double *dropped, size_t rows, size_t columns,
                    double rate, double keep);
void ck_dropout_f32(uint64_t *states, const float *a, float *mask, float *dropped, size_t rows, size_t columns,
                    double rate, float keep);

// ---- optimisers --------------------------------------------------------------------------
/// Adam, in place over θ, m, v with gradient g: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
/// θ −= stepSize·m / (√(v·inverseCorrection2) + ε). (stepSize = η/(1−β1ᵗ), inverseCorrection2 = 1/(1−β2ᵗ).)
void ck_adam_f64(double *theta, const double *g, double *m, double *v, size_t n,
                 double beta1, double beta2, double stepSize, double inverseCorrection2, double epsilon);
void ck_adam_f32(float *theta, const float *g, float *m, float *v, size_t n,
                 float beta1, float beta2, float stepSize, float inverseCorrection2, float epsilon);
/// Momentum, in place: v = μ·v − η·g; θ += nesterov ? μ·v − η·g : v.
void ck_momentum_f64(double *theta, const double *g, double *v, size_t n, double mu, double eta, int nesterov);
void ck_momentum_f32(float *theta, const float *g, float *v, size_t n, float mu, float eta, int nesterov);

// ---- data --------------------------------------------------------------------------------
/// out[j] = (x[j] − offset[j])·scale[j] for one row of n bytes (computed in double, then rounded once for float).
void ck_scale_bytes_f64(const uint8_t *x, const double *offset, const double *scale, double *out, size_t n);
void ck_scale_bytes_f32(const uint8_t *x, const double *offset, const double *scale, float *out, size_t n);
/// The same from doubles.
void ck_scale_doubles_f64(const double *x, const double *offset, const double *scale, double *out, size_t n);
void ck_scale_doubles_f32(const double *x, const double *offset, const double *scale, float *out, size_t n);

// ---- either precision ----------------------------------------------------------------------
// Each kernel above by one name, for Swift code generic over the precision (KernelScalar): `f32`
// nonzero runs the float kernel, zero the double one, on elements of that type; scalars come in
// double (a float's value converts back exactly). Inline, so a constant `f32` leaves no branch.
// (Kernels.c, which defines the kernels as multi-versioned functions, leaves them out.)
#ifndef CK_DEFINING_KERNELS
#define CK_EITHER(f32, name, ...) ((f32) ? name##_f32(__VA_ARGS__) : name##_f64(__VA_ARGS__))
static inline void ck_exp(int f32, const void *x, void *y, size_t n) { CK_EITHER(f32, ck_exp, x, y, n); }
static inline void ck_sigmoid(int f32, const void *h, void *a, size_t n) { CK_EITHER(f32, ck_sigmoid, h, a, n); }
static inline void ck_tanh(int f32, const void *h, void *a, size_t n) { CK_EITHER(f32, ck_tanh, h, a, n); }
static inline void ck_relu(int f32, const void *h, void *a, size_t n) { CK_EITHER(f32, ck_relu, h, a, n); }
static inline void ck_mul_sigmoid_derivative(int f32, void *d, const void *a, size_t n) { CK_EITHER(f32, ck_mul_sigmoid_derivative, d, a, n); }
static inline void ck_mul_tanh_derivative(int f32, void *d, const void *a, size_t n) { CK_EITHER(f32, ck_mul_tanh_derivative, d, a, n); }
static inline void ck_mul_relu_derivative(int f32, void *d, const void *h, size_t n) { CK_EITHER(f32, ck_mul_relu_derivative, d, h, n); }
static inline void ck_softmax_rows(int f32, const void *h, void *a, size_t rows, size_t columns) {
    CK_EITHER(f32, ck_softmax_rows, h, a, rows, columns);
}
static inline double ck_cross_entropy_sum(int f32, const void *h, const void *t, size_t rows, size_t columns) {
    return CK_EITHER(f32, ck_cross_entropy_sum, h, t, rows, columns);
}
static inline double ck_squared_error_sum(int f32, const void *y, const void *t, size_t n) { return CK_EITHER(f32, ck_squared_error_sum, y, t, n); }
static inline void ck_subtract(int f32, const void *t, const void *y, void *d, size_t n) { CK_EITHER(f32, ck_subtract, t, y, d, n); }
static inline void ck_axpby(int f32, double a, const void *x0, double b, const void *x1, void *y, size_t n) {
    CK_EITHER(f32, ck_axpby, a, x0, b, x1, y, n);
}
static inline void ck_multiply(int f32, const void *x, const void *m, void *y, size_t n) { CK_EITHER(f32, ck_multiply, x, m, y, n); }
static inline double ck_sum(int f32, const void *x, size_t n) { return CK_EITHER(f32, ck_sum, x, n); }
static inline void ck_dropout(int f32, uint64_t *states, const void *a, void *mask, void *dropped, size_t rows, size_t columns,
                              double rate, double keep) {
    CK_EITHER(f32, ck_dropout, states, a, mask, dropped, rows, columns, rate, keep);
}
static inline void ck_adam(int f32, void *theta, const void *g, void *m, void *v, size_t n,
                           double beta1, double beta2, double stepSize, double inverseCorrection2, double epsilon) {
    CK_EITHER(f32, ck_adam, theta, g, m, v, n, beta1, beta2, stepSize, inverseCorrection2, epsilon);
}
static inline void ck_momentum(int f32, void *theta, const void *g, void *v, size_t n, double mu, double eta, int nesterov) {
    CK_EITHER(f32, ck_momentum, theta, g, v, n, mu, eta, nesterov);
}
static inline void ck_scale_bytes(int f32, const uint8_t *x, const double *offset, const double *scale, void *out, size_t n) {
    CK_EITHER(f32, ck_scale_bytes, x, offset, scale, out, n);
}
static inline void ck_scale_doubles(int f32, const double *x, const double *offset, const double *scale, void *out, size_t n) {
    CK_EITHER(f32, ck_scale_doubles, x, offset, scale, out, n);
}
#endif

#ifdef __cplusplus
}
#endif
// The convolution and pooling layout kernels, part of this module.
#include "CImageKernels.h"
#endif
