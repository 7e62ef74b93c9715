// The kernels of CKernels.h. Each public kernel is a plain loop over an inline scalar body with
// no branches (selects only), which the compiler vectorises at the width of each clone.
#define CK_DEFINING_KERNELS
#include "CKernels.h"
#include <math.h>
#include <string.h>

#include "Clones.h"
#define CK_INLINE static inline __attribute__((always_inline))

const char *ck_isa(void) {
#if CK_HAS_CLONES
    // The same test, in the same order, as the clones' resolver.
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return "avx512";
    if (__builtin_cpu_supports("x86-64-v3")) return "avx2+fma";
#endif
#ifdef CK_THREAD_SANITIZER
    return "baseline (a ThreadSanitizer build: one version)";
#endif
    return "baseline";
}

CK_INLINE uint64_t bits64(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
CK_INLINE double from_bits64(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }
CK_INLINE uint32_t bits32(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
CK_INLINE float from_bits32(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }

// ---- exp -----------------------------------------------------------------------------------
// e^x = 2^k · e^r with k = round(x/ln 2) and r = x − k·ln 2 in [−ln2/2, ln2/2] (Cody–Waite: ln 2 in
// two parts, the first with trailing zeros so k·LN2_HI is exact). e^r by its Taylor series to r¹³
// (truncation < 5e-18 relative; float: to r⁷, < 6e-9). 2^k is applied as 2^(k/2)·2^(k−k/2), both
// normal, so results in the subnormal range round once and overflow reaches +inf.

CK_INLINE double exp_f64(double x) {
    double xc = x < 710.0 ? x : 710.0;     // NaN goes to 710 here; it is restored at the end.
    xc = xc > -746.0 ? xc : -746.0;
    const double shift = 0x1.8p52;
    double kd = xc * 0x1.71547652b82fep0 + shift;   // 1/ln 2; the sum's low bits hold round(x/ln 2)
    int64_t k = (int64_t)(bits64(kd) - bits64(shift));
    kd -= shift;
    double r = (xc - kd * 6.93147180369123816490e-01) - kd * 1.90821492927058770002e-10;
    double p = 1.0 / 6227020800.0;                  // 1/13!
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = 1.0 + (r + r * r * p);
    int64_t k1 = k >> 1, k2 = k - k1;
    double y = p * from_bits64((uint64_t)(k1 + 1023) << 52) * from_bits64((uint64_t)(k2 + 1023) << 52);
    return x == x ? y : x;
}

CK_INLINE float exp_f32(float x) {
    float xc = x < 89.0f ? x : 89.0f;
    xc = xc > -104.0f ? xc : -104.0f;
    const float shift = 0x1.8p23f;
    float kf = xc * 0x1.715476p0f + shift;
    int32_t k = (int32_t)(bits32(kf) - bits32(shift));
    kf -= shift;
    float r = (xc - kf * 0x1.62e4p-1f) - kf * 0x1.7f7d1cp-20f;   // ln 2 = 0x1.62e4p-1 + 0x1.7f7d1cp-20
    float p = 1.0f / 5040.0f;                       // 1/7!
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = 1.0f + (r + r * r * p);
    int32_t k1 = k >> 1, k2 = k - k1;
    float y = p * from_bits32((uint32_t)(k1 + 127) << 23) * from_bits32((uint32_t)(k2 + 127) << 23);
    return x == x ? y : x;
}

// e^y − 1 for y ≤ 0: its Taylor series where |y| < ½ (no cancellation), e^y − 1 beyond.
CK_INLINE double expm1_nonpositive_f64(double y) {
    double p = 1.0 / 87178291200.0;                 // 1/14!
    p = p * y + 1.0 / 6227020800.0;
    p = p * y + 1.0 / 479001600.0;
    p = p * y + 1.0 / 39916800.0;
    p = p * y + 1.0 / 3628800.0;
    p = p * y + 1.0 / 362880.0;
    p = p * y + 1.0 / 40320.0;
    p = p * y + 1.0 / 5040.0;
    p = p * y + 1.0 / 720.0;
    p = p * y + 1.0 / 120.0;
    p = p * y + 1.0 / 24.0;
    p = p * y + 1.0 / 6.0;
    p = p * y + 0.5;
    double small = y + y * y * p;
    double large = exp_f64(y) - 1.0;
    return y > -0.5 ? small : large;
}

CK_INLINE float expm1_nonpositive_f32(float y) {
    float p = 1.0f / 362880.0f;                     // 1/9!
    p = p * y + 1.0f / 40320.0f;
    p = p * y + 1.0f / 5040.0f;
    p = p * y + 1.0f / 720.0f;
    p = p * y + 1.0f / 120.0f;
    p = p * y + 1.0f / 24.0f;
    p = p * y + 1.0f / 6.0f;
    p = p * y + 0.5f;
    float small = y + y * y * p;
    float large = exp_f32(y) - 1.0f;
    return y > -0.5f ? small : large;
}

// ---- the kernels, written once for both precisions -----------------------------------------
// DEFINE_KERNELS(suffix, T, exp, expm1) defines every kernel of one precision.
#define DEFINE_KERNELS(S, T, EXP, EXPM1)                                                          \
CK_KERNEL void ck_exp_##S(const T *x, T *y, size_t n) {                                          \
    for (size_t i = 0; i < n; i++) y[i] = EXP(x[i]);                                             \
}                                                                                                \
CK_KERNEL void ck_sigmoid_##S(const T *h, T *a, size_t n) {                                      \
    for (size_t i = 0; i < n; i++) {                                                             \
        T e = EXP(-__builtin_fabs(h[i]));                                                        \
        T s = (T)1 / ((T)1 + e);                                                                 \
        a[i] = h[i] >= 0 ? s : (h[i] < 0 ? e * s : h[i]);                                        \
    }                                                                                            \
}                                                                                                \
CK_KERNEL void ck_tanh_##S(const T *h, T *a, size_t n) {                                         \
    for (size_t i = 0; i < n; i++) {                                                             \
        T t = EXPM1((T)-2 * __builtin_fabs(h[i]));                                               \
        T r = -t / (t + (T)2);                                                                   \
        a[i] = __builtin_copysign(r, h[i]);                                                      \
    }                                                                                            \
}                                                                                                \
CK_KERNEL void ck_relu_##S(const T *h, T *a, size_t n) {                                         \
    for (size_t i = 0; i < n; i++) a[i] = h[i] > 0 ? h[i] : (T)0;                                \
}                                                                                                \
CK_KERNEL void ck_mul_sigmoid_derivative_##S(T *d, const T *a, size_t n) {                       \
    for (size_t i = 0; i < n; i++) d[i] *= a[i] * ((T)1 - a[i]);                                 \
}                                                                                                \
CK_KERNEL void ck_mul_tanh_derivative_##S(T *d, const T *a, size_t n) {                          \
    for (size_t i = 0; i < n; i++) d[i] *= (T)1 - a[i] * a[i];                                   \
}                                                                                                \
CK_KERNEL void ck_mul_relu_derivative_##S(T *d, const T *h, size_t n) {                          \
    for (size_t i = 0; i < n; i++) d[i] = h[i] > 0 ? d[i] : (T)0;                                \
}                                                                                                \
CK_KERNEL void ck_softmax_rows_##S(const T *h, T *a, size_t rows, size_t columns) {              \
    for (size_t row = 0; row < rows; row++) {                                                    \
        const T *hr = h + row * columns;                                                         \
        T *ar = a + row * columns;                                                               \
        T maximum = -(T)INFINITY;                                                                \
        for (size_t j = 0; j < columns; j++) maximum = hr[j] > maximum ? hr[j] : maximum;        \
        T sum = 0;                                                                               \
        for (size_t j = 0; j < columns; j++) { ar[j] = EXP(hr[j] - maximum); sum += ar[j]; }     \
        for (size_t j = 0; j < columns; j++) ar[j] /= sum;                                       \
    }                                                                                            \
}                                                                                                \
CK_KERNEL double ck_cross_entropy_sum_##S(const T *h, const T *t, size_t rows, size_t columns) { \
    double total = 0;                                                                            \
    for (size_t row = 0; row < rows; row++) {                                                    \
        const T *hr = h + row * columns, *tr = t + row * columns;                                \
        double maximum = -INFINITY;                                                              \
        for (size_t j = 0; j < columns; j++) maximum = hr[j] > maximum ? hr[j] : maximum;        \
        double sum = 0;                                                                          \
        for (size_t j = 0; j < columns; j++) sum += exp_f64((double)hr[j] - maximum);            \
        double lse = maximum + log(sum);                                                         \
        for (size_t j = 0; j < columns; j++)                                                     \
            if (tr[j] != 0) total -= (double)tr[j] * ((double)hr[j] - lse);                      \
    }                                                                                            \
    return total;                                                                                \
}                                                                                                \
CK_KERNEL double ck_squared_error_sum_##S(const T *y, const T *t, size_t n) {                    \
    double lanes[16] = {0};                                                                      \
    size_t i = 0;                                                                                \
    for (; i + 16 <= n; i += 16)                                                                 \
        for (size_t j = 0; j < 16; j++) {                                                        \
            double e = (double)t[i + j] - (double)y[i + j];                                      \
            lanes[j] += 0.5 * e * e;                                                             \
        }                                                                                        \
    double total = 0;                                                                            \
    for (size_t j = 0; j < 16; j++) total += lanes[j];                                           \
    for (; i < n; i++) { double e = (double)t[i] - (double)y[i]; total += 0.5 * e * e; }         \
    return total;                                                                                \
}                                                                                                \
CK_KERNEL void ck_subtract_##S(const T *t, const T *y, T *d, size_t n) {                         \
    for (size_t i = 0; i < n; i++) d[i] = t[i] - y[i];                                           \
}                                                                                                \
CK_KERNEL void ck_axpby_##S(T a, const T *x0, T b, const T *x1, T *y, size_t n) {                \
    for (size_t i = 0; i < n; i++) y[i] = a * x0[i] + b * x1[i];                                 \
}                                                                                                \
CK_KERNEL void ck_multiply_##S(const T *x, const T *m, T *y, size_t n) {                         \
    for (size_t i = 0; i < n; i++) y[i] = x[i] * m[i];                                           \
}                                                                                                \
CK_KERNEL double ck_sum_##S(const T *x, size_t n) {                                              \
    double lanes[16] = {0};                                                                      \
    size_t i = 0;                                                                                \
    for (; i + 16 <= n; i += 16)                                                                 \
        for (size_t j = 0; j < 16; j++) lanes[j] += (double)x[i + j];                            \
    double total = 0;                                                                            \
    for (size_t j = 0; j < 16; j++) total += lanes[j];                                           \
    for (; i < n; i++) total += (double)x[i];                                                    \
    return total;                                                                                \
}                                                                                                \
CK_KERNEL void ck_adam_##S(T *theta, const T *g, T *m, T *v, size_t n, T beta1, T beta2,         \
                           T stepSize, T inverseCorrection2, T epsilon) {                        \
    for (size_t i = 0; i < n; i++) {                                                             \
        T mi = beta1 * m[i] + ((T)1 - beta1) * g[i];                                             \
        T vi = beta2 * v[i] + ((T)1 - beta2) * g[i] * g[i];                                      \
        m[i] = mi;                                                                               \
        v[i] = vi;                                                                               \
        theta[i] -= stepSize * mi / (__builtin_elementwise_sqrt(vi * inverseCorrection2) + epsilon); \
    }                                                                                            \
}                                                                                                \
CK_KERNEL void ck_momentum_##S(T *theta, const T *g, T *v, size_t n, T mu, T eta, int nesterov) { \
    if (nesterov) {                                                                              \
        for (size_t i = 0; i < n; i++) {                                                         \
            T vi = mu * v[i] - eta * g[i];                                                       \
            v[i] = vi;                                                                           \
            theta[i] += mu * vi - eta * g[i];                                                    \
        }                                                                                        \
    } else {                                                                                     \
        for (size_t i = 0; i < n; i++) {                                                         \
            T vi = mu * v[i] - eta * g[i];                                                       \
            v[i] = vi;                                                                           \
            theta[i] += vi;                                                                      \
        }                                                                                        \
    }                                                                                            \
}                                                                                                \
CK_KERNEL void ck_scale_bytes_##S(const uint8_t *x, const double *offset, const double *scale,   \
                                  T *out, size_t n) {                                            \
    for (size_t i = 0; i < n; i++) out[i] = (T)(((double)x[i] - offset[i]) * scale[i]);          \
}                                                                                                \
CK_KERNEL void ck_scale_doubles_##S(const double *x, const double *offset, const double *scale,  \
                                    T *out, size_t n) {                                          \
    for (size_t i = 0; i < n; i++) out[i] = (T)((x[i] - offset[i]) * scale[i]);                  \
}                                                                                                \
CK_KERNEL void ck_dropout_##S(uint64_t *states, const T *a, T *mask, T *dropped, size_t rows, size_t columns, \
                              double rate, T keep) {                                             \
    for (size_t first = 0; first < rows; first += 8) {                                          \
        size_t lanes = rows - first < 8 ? rows - first : 8;                                      \
        uint64_t s0[8] = {0}, s1[8] = {0}, s2[8] = {0}, s3[8] = {0};                             \
        for (size_t k = 0; k < lanes; k++) {                                                     \
            const uint64_t *s = states + 4 * (first + k);                                        \
            s0[k] = s[0]; s1[k] = s[1]; s2[k] = s[2]; s3[k] = s[3];                              \
        }                                                                                        \
        for (size_t j = 0; j < columns; j++) {                                                   \
            T m[8];                                                                              \
            for (size_t k = 0; k < 8; k++) {                                                     \
                uint64_t x = s1[k] * 5;                                                          \
                uint64_t result = ((x << 7) | (x >> 57)) * 9;                                    \
                uint64_t t = s1[k] << 17;                                                        \
                s2[k] ^= s0[k]; s3[k] ^= s1[k]; s1[k] ^= s2[k]; s0[k] ^= s3[k]; s2[k] ^= t;      \
                s3[k] = (s3[k] << 45) | (s3[k] >> 19);                                           \
                double u = (double)(result >> 11) * 0x1.0p-53;                                   \
                m[k] = u < rate ? (T)0 : keep;                                                   \
            }                                                                                    \
            for (size_t k = 0; k < lanes; k++) {                                                 \
                size_t i = (first + k) * columns + j;                                            \
                mask[i] = m[k];                                                                  \
                dropped[i] = a[i] * m[k];                                                        \
            }                                                                                    \
        }                                                                                        \
        for (size_t k = 0; k < lanes; k++) {                                                     \
            uint64_t *s = states + 4 * (first + k);                                              \
            s[0] = s0[k]; s[1] = s1[k]; s[2] = s2[k]; s[3] = s3[k];                              \
        }                                                                                        \
    }                                                                                            \
}

DEFINE_KERNELS(f64, double, exp_f64, expm1_nonpositive_f64)
DEFINE_KERNELS(f32, float, exp_f32, expm1_nonpositive_f32)
