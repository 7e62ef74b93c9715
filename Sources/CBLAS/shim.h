// The C interfaces this package calls: OpenBLAS's CBLAS and LAPACKE.
// Debian: libopenblas-dev puts cblas.h under /usr/include/x86_64-linux-gnu/
// (found through `pkg-config openblas`); liblapacke-dev puts lapacke.h in /usr/include.
#ifndef BACKPROP_CBLAS_SHIM_H
#define BACKPROP_CBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>

// Each routine the package calls by one name for both precisions (Swift's BLASScalar): `f32`
// nonzero calls the s routine, zero the d one, on elements of that type, row-major, unit strides;
// scalars come in double (a float's value converts back exactly). Inline, so a constant `f32`
// leaves no branch.
#define BP_EITHER(f32, s_routine, d_routine, ...) ((f32) ? s_routine(__VA_ARGS__) : d_routine(__VA_ARGS__))

static inline void bp_gemm(int f32, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k, double alpha,
                           const void *a, blasint lda, const void *b, blasint ldb, double beta, void *c, blasint ldc) {
    BP_EITHER(f32, cblas_sgemm, cblas_dgemm, CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
static inline void bp_gemv(int f32, CBLAS_TRANSPOSE t, blasint m, blasint n, double alpha, const void *a, blasint lda,
                           const void *x, double beta, void *y) {
    BP_EITHER(f32, cblas_sgemv, cblas_dgemv, CblasRowMajor, t, m, n, alpha, a, lda, x, 1, beta, y, 1);
}
static inline void bp_ger(int f32, blasint m, blasint n, double alpha, const void *x, const void *y, void *a, blasint lda) {
    BP_EITHER(f32, cblas_sger, cblas_dger, CblasRowMajor, m, n, alpha, x, 1, y, 1, a, lda);
}
static inline void bp_axpy(int f32, blasint n, double alpha, const void *x, void *y) { BP_EITHER(f32, cblas_saxpy, cblas_daxpy, n, alpha, x, 1, y, 1); }
static inline void bp_scal(int f32, blasint n, double alpha, void *x) { BP_EITHER(f32, cblas_sscal, cblas_dscal, n, alpha, x, 1); }
static inline double bp_dot(int f32, blasint n, const void *x, const void *y) { return BP_EITHER(f32, cblas_sdot, cblas_ddot, n, x, 1, y, 1); }

static inline int bp_gesv(int f32, int n, int nrhs, void *a, int lda, int *ipiv, void *b, int ldb) {
    return BP_EITHER(f32, LAPACKE_sgesv, LAPACKE_dgesv, LAPACK_ROW_MAJOR, n, nrhs, a, lda, ipiv, b, ldb);
}
static inline int bp_gels(int f32, int m, int n, int nrhs, void *a, int lda, void *b, int ldb) {
    return BP_EITHER(f32, LAPACKE_sgels, LAPACKE_dgels, LAPACK_ROW_MAJOR, 'N', m, n, nrhs, a, lda, b, ldb);
}
static inline int bp_geqrf(int f32, int m, int n, void *a, int lda, void *tau) {
    return BP_EITHER(f32, LAPACKE_sgeqrf, LAPACKE_dgeqrf, LAPACK_ROW_MAJOR, m, n, a, lda, tau);
}
static inline int bp_orgqr(int f32, int m, int n, int k, void *a, int lda, const void *tau) {
    return BP_EITHER(f32, LAPACKE_sorgqr, LAPACKE_dorgqr, LAPACK_ROW_MAJOR, m, n, k, a, lda, tau);
}
static inline int bp_gesdd(int f32, int m, int n, void *a, int lda, void *s, void *u, int ldu, void *vt, int ldvt) {
    return BP_EITHER(f32, LAPACKE_sgesdd, LAPACKE_dgesdd, LAPACK_ROW_MAJOR, 'S', m, n, a, lda, s, u, ldu, vt, ldvt);
}
#endif
