// fma_probe.c: the FMA peak probe of CFMAProbe.h, one version per instruction set, picked at run time.
// Each version is compiled for its own instruction set by a target attribute (no compiler flags):
// only the one the processor supports is called.
#define _POSIX_C_SOURCE 200809L  // clock_gettime under a strict -std=c11.
#include "CFMAProbe.h"

// A sink the compiler cannot see through, so the chains are not optimised away.
static volatile double sink;

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

// 16 independent chains: an FMA's latency (4 cycles) times two FMA ports is 8 in flight, so 16
// keep both ports busy with room to spare; 16 accumulators and 2 constants fit in 32 zmm registers.
#define CHAINS16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
// 12 chains for AVX2: 12 accumulators and 2 constants fit in 16 ymm registers.
#define CHAINS12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

// One probe, with VEC, SET1, FMA, ADD and SCALAR defined for its instruction set and precision.
#define PROBE(NAME, TARGET, STORE, LANES, CHAINS, COUNT)                                        \
    __attribute__((target(TARGET))) static double NAME(long iterations) {                    \
        const VEC m = SET1((SCALAR)0.9999), c = SET1((SCALAR)0.0001);                        \
        CHAINS(DECLARE)                                                                      \
        for (long i = 0; i < iterations; i++) { CHAINS(STEP) }                               \
        VEC total = a0;                                                                      \
        CHAINS(SUM)                                                                          \
        SCALAR lanes[LANES];                                                                 \
        STORE(lanes, total);                                                                 \
        sink = (double)lanes[0];                                                             \
        return 2.0 * (double)iterations * COUNT * LANES;                                     \
    }
#define DECLARE(i) VEC a##i = SET1((SCALAR)1 + (SCALAR)(i) * (SCALAR)0.001);
#define STEP(i) a##i = FMA(a##i, m, c);
#define SUM(i) total = ADD(total, a##i);

#define VEC __m512d
#define SET1 _mm512_set1_pd
#define FMA _mm512_fmadd_pd
#define ADD _mm512_add_pd
#define SCALAR double
PROBE(avx512_f64, "avx512f", _mm512_storeu_pd, 8, CHAINS16, 16)
#undef VEC
#undef SET1
#undef FMA
#undef ADD
#undef SCALAR
#define VEC __m512
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ADD _mm512_add_ps
#define SCALAR float
PROBE(avx512_f32, "avx512f", _mm512_storeu_ps, 16, CHAINS16, 16)
#undef VEC
#undef SET1
#undef FMA
#undef ADD
#undef SCALAR
#define VEC __m256d
#define SET1 _mm256_set1_pd
#define FMA _mm256_fmadd_pd
#define ADD _mm256_add_pd
#define SCALAR double
PROBE(avx2_f64, "avx2,fma", _mm256_storeu_pd, 4, CHAINS12, 12)
#undef VEC
#undef SET1
#undef FMA
#undef ADD
#undef SCALAR
#define VEC __m256
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ADD _mm256_add_ps
#define SCALAR float
PROBE(avx2_f32, "avx2,fma", _mm256_storeu_ps, 8, CHAINS12, 12)
#define HAS_PROBES 1
#endif

// Baseline: a multiply and an add per step (SSE2 vectorises them; no FMA, so not a peak).
#define BASELINE(NAME, SCALAR)                                                              \
    static double NAME(long iterations) {                                                   \
        SCALAR a[32];                                                                       \
        for (int j = 0; j < 32; j++) a[j] = (SCALAR)1 + (SCALAR)j * (SCALAR)0.001;          \
        for (long i = 0; i < iterations; i++)                                               \
            for (int j = 0; j < 32; j++) a[j] = a[j] * (SCALAR)0.9999 + (SCALAR)0.0001;     \
        SCALAR total = 0;                                                                   \
        for (int j = 0; j < 32; j++) total += a[j];                                         \
        sink = (double)total;                                                               \
        return 2.0 * (double)iterations * 32;                                               \
    }
BASELINE(baseline_f64, double)
BASELINE(baseline_f32, float)

const char *fma_probe_isa(void) {
#ifdef HAS_PROBES
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return "avx512";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "avx2+fma";
#endif
    return "baseline";
}

/// The probe of the widest instruction set the processor runs, of the three given.
static double run(double (*avx512)(long), double (*avx2)(long), double (*baseline)(long), long iterations) {
    const char *isa = fma_probe_isa();
    if (avx512 && isa[0] == 'a' && isa[3] == '5') return avx512(iterations);
    if (avx2 && isa[0] == 'a') return avx2(iterations);
    return baseline(iterations);
}

#ifdef HAS_PROBES
double fma_probe_f64(long iterations) { return run(avx512_f64, avx2_f64, baseline_f64, iterations); }
double fma_probe_f32(long iterations) { return run(avx512_f32, avx2_f32, baseline_f32, iterations); }
#else
double fma_probe_f64(long iterations) { return run(0, 0, baseline_f64, iterations); }
double fma_probe_f32(long iterations) { return run(0, 0, baseline_f32, iterations); }
#endif

// ---- On several threads at once ---------------------------------------------------------------
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

typedef struct {
    int bits;
    long iterations;
    atomic_int *go;
    double flops, start, end;
} probe_job;

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void *probe_thread(void *argument) {
    probe_job *job = argument;
    while (!atomic_load_explicit(job->go, memory_order_acquire)) {}  // All start together, once all exist.
    job->start = seconds_now();
    job->flops = job->bits == 32 ? fma_probe_f32(job->iterations) : fma_probe_f64(job->iterations);
    job->end = seconds_now();
    return 0;
}

double fma_probe_gflops(int bits, int threads, long iterations) {
    enum { most = 64 };
    if (threads < 1 || threads > most || iterations < 1) return 0;
    probe_job jobs[most];
    pthread_t ids[most];
    atomic_int go = 0;
    int started = 1;
    for (int t = 0; t < threads; t++) jobs[t] = (probe_job){bits, iterations, &go, 0, 0, 0};
    while (started < threads && pthread_create(&ids[started], 0, probe_thread, &jobs[started]) == 0) started++;
    atomic_store_explicit(&go, 1, memory_order_release);
    probe_thread(&jobs[0]);
    double flops = jobs[0].flops, first = jobs[0].start, last = jobs[0].end;
    for (int t = 1; t < started; t++) {
        pthread_join(ids[t], 0);
        flops += jobs[t].flops;
        if (jobs[t].start < first) first = jobs[t].start;
        if (jobs[t].end > last) last = jobs[t].end;
    }
    return started < threads || last <= first ? 0 : flops / (last - first) / 1e9;
}
