// Counts heap allocations in the process that links this target (only `backprop-bench` does).
// malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign are replaced by versions
// that add one to a process-wide counter and forward to glibc's own allocator (__libc_*), as
// glibc's manual allows for replacing malloc. free is not replaced: it is glibc's, unchanged.
#ifndef BACKPROP_MALLOC_COUNTER_H
#define BACKPROP_MALLOC_COUNTER_H

/// Allocation calls (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) made by
/// every thread of the process so far.
unsigned long long malloc_counter_allocations(void);

/// 1 when the replacements above are the ones the process calls (the counter works), else 0.
int malloc_counter_is_active(void);

#endif
