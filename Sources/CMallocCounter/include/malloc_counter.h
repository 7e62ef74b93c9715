// Counts heap allocations in the process that links this target (only `backprop-bench` does).
// malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign are replaced by versions
// that add one to a process-wide counter and forward to glibc's own allocator (__libc_*), as
// glibc's manual allows for replacing malloc. free is not replaced: it is glibc's, unchanged.
#ifndef BACKPROP_MALLOC_COUNTER_H
#define BACKPROP_MALLOC_COUNTER_H

/// Allocation calls (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) made by
/// every thread of the process so far, except those made by OpenBLAS's own code (counted apart,
/// once malloc_counter_is_active has located OpenBLAS: its kernels for some processors, and its
/// threaded gemm, malloc a buffer per call, which no caller can avoid).
unsigned long long malloc_counter_allocations(void);

/// The allocation calls made directly by OpenBLAS's code (see malloc_counter_allocations).
unsigned long long malloc_counter_openblas_allocations(void);

/// 1 when the replacements above are the ones the process calls (the counter works), else 0.
/// Also locates OpenBLAS's code in memory; call it before counting.
int malloc_counter_is_active(void);

#endif
