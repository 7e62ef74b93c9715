// The FMA peak probe (linked by backprop-bench only): independent chains of fused multiply-adds over
// vector registers, in float and double, at the widest instruction set the processor runs. A peak
// only in an optimised build (-O2, as `swift build -c release`): unoptimised, the chains spill to memory.
#ifndef BACKPROP_FMA_PROBE_H
#define BACKPROP_FMA_PROBE_H

/// What the probes run with on this processor: "avx512" (16 chains of 512-bit FMAs), "avx2+fma"
/// (12 chains of 256-bit FMAs) or "baseline" (SSE2 multiplies and adds, no FMA: not a peak).
const char *fma_probe_isa(void);

/// Runs `iterations` rounds of one FMA (a ← a·m + c) on every chain, in double, and returns the
/// floating-point operations done (2 a lane per FMA). The chains are independent, so the rounds
/// run at the processor's FMA throughput, not its latency; the values stay near 1 (no subnormals).
double fma_probe_f64(long iterations);
/// The same in float (twice the lanes a register).
double fma_probe_f32(long iterations);

/// GFLOP/s of `threads` threads (1…64) each running `fma_probe_f32` (`bits` 32) or `fma_probe_f64`
/// (64) once, all started together once all exist: the FLOPs of all over the time from the first
/// start to the last end. 0 when the threads cannot be started.
double fma_probe_gflops(int bits, int threads, long iterations);

#endif
