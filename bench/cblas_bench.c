// The same BLAS calls as the Swift bench's kernels, made straight from C, so the overhead of the
// package's Swift API is a measured ratio. Built by scripts/bench.sh against the same OpenBLAS:
//   cc -O2 bench/cblas_bench.c $(pkg-config --cflags --libs openblas) -o .build/cblas-bench
// Usage: cblas-bench THREADS KERNEL...   with KERNEL one of
//   gemm:M:N:K:TA:TB  C(M×N) = op(A)(M×K)·op(B)(K×N), row-major; TA, TB are N or T (transpose)
//   gemv:M:N:T        y(M) = op(A)(M×N)·x(N); T is N or T
//   ger:M:N           A(M×N) += α·x(M)·y(N)ᵀ
// Prints one line per kernel: "KERNEL SECONDS", the median time of one call, measured exactly as
// the Swift bench measures (Timing.median): 2 warm-up calls, calls batched so one sample lasts at
// least 2 ms, 7 samples (at least 3 when a 2 s budget runs out), median.
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

enum kind { GEMM, GEMV, GER };
struct kernel { enum kind kind; int m, n, k; int ta, tb; double *a, *b, *c; };

static void run(const struct kernel *q) {
    switch (q->kind) {
    case GEMM:
        // Stored shapes: A is M×K (K×M transposed), B is K×N (N×K transposed).
        cblas_dgemm(CblasRowMajor, q->ta ? CblasTrans : CblasNoTrans, q->tb ? CblasTrans : CblasNoTrans,
                    q->m, q->n, q->k, 1.0, q->a, q->ta ? q->m : q->k, q->b, q->tb ? q->k : q->n,
                    0.0, q->c, q->n);
        break;
    case GEMV:
        // CBLAS takes A's stored shape: M×N, or N×M when transposed.
        if (q->ta) cblas_dgemv(CblasRowMajor, CblasTrans, q->n, q->m, 1.0, q->a, q->m, q->b, 1, 0.0, q->c, 1);
        else cblas_dgemv(CblasRowMajor, CblasNoTrans, q->m, q->n, 1.0, q->a, q->n, q->b, 1, 0.0, q->c, 1);
        break;
    case GER:
        cblas_dger(CblasRowMajor, q->m, q->n, 1e-9, q->b, 1, q->c, 1, q->a, q->n);
        break;
    }
}

static double median_seconds(const struct kernel *q) {
    const int warm_up = 2, samples = 7;
    const double minimum_sample = 0.002, budget = 2.0;
    for (int i = 0; i < warm_up; i++) run(q);
    long repeats = 1;
    for (;;) {
        double start = now();
        for (long i = 0; i < repeats; i++) run(q);
        if (now() - start >= minimum_sample || repeats >= (1L << 20)) break;
        repeats *= 2;
    }
    double times[7];
    int count = 0;
    double deadline = now() + budget;
    while (count < samples && (count < 3 || now() < deadline)) {
        double start = now();
        for (long i = 0; i < repeats; i++) run(q);
        times[count++] = (now() - start) / (double)repeats;
    }
    qsort(times, (size_t)count, sizeof times[0], compare);
    return times[count / 2];
}

static double *filled(size_t count, unsigned long long *state) {
    double *p = malloc(count * sizeof *p + 1);
    if (!p) { perror("cblas-bench"); exit(1); }
    for (size_t i = 0; i < count; i++) {  // Uniform in [-1, 1): the values do not matter, only that they are ordinary.
        *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
        p[i] = (double)(*state >> 11) * 0x1.0p-53 * 2 - 1;
    }
    return p;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s THREADS gemm:M:N:K:TA:TB | gemv:M:N:T | ger:M:N ...\n", argv[0]);
        return 2;
    }
    openblas_set_num_threads(atoi(argv[1]));
    unsigned long long state = 1;
    for (int i = 2; i < argc; i++) {
        struct kernel q = {0};
        char name[8] = {0}, ta = 'N', tb = 'N';
        int fields = sscanf(argv[i], "%7[a-z]:%d:%d", name, &q.m, &q.n);
        int ok = fields == 3 && q.m > 0 && q.n > 0;
        if (ok && strcmp(name, "gemm") == 0) {
            ok = sscanf(argv[i], "gemm:%d:%d:%d:%c:%c", &q.m, &q.n, &q.k, &ta, &tb) >= 3 && q.k > 0;
            q.kind = GEMM;
            q.a = filled((size_t)q.m * q.k, &state);
            q.b = filled((size_t)q.k * q.n, &state);
            q.c = filled((size_t)q.m * q.n, &state);
        } else if (ok && strcmp(name, "gemv") == 0) {
            sscanf(argv[i], "gemv:%*d:%*d:%c", &ta);
            q.kind = GEMV;
            q.a = filled((size_t)q.m * q.n, &state);
            q.b = filled((size_t)q.n, &state);
            q.c = filled((size_t)q.m, &state);
        } else if (ok && strcmp(name, "ger") == 0) {
            q.kind = GER;
            q.a = filled((size_t)q.m * q.n, &state);
            q.b = filled((size_t)q.m, &state);
            q.c = filled((size_t)q.n, &state);
        } else {
            ok = 0;
        }
        q.ta = ta == 'T';
        q.tb = tb == 'T';
        if (!ok) {
            fprintf(stderr, "cblas-bench: cannot read kernel '%s'\n", argv[i]);
            return 2;
        }
        printf("%s %.9e\n", argv[i], median_seconds(&q));
        fflush(stdout);
        free(q.a); free(q.b); free(q.c);
    }
    return 0;
}
