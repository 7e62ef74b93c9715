// See include/malloc_counter.h. Relaxed atomic increments: the count is read between phases by
// the thread that started them, after a join, so no ordering beyond atomicity is needed.
#define _GNU_SOURCE
#include "malloc_counter.h"

#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static _Atomic unsigned long long allocations, openBLASAllocations;
/// OpenBLAS's executable code, [low, high): set once by malloc_counter_is_active, before any step runs.
static uintptr_t openBLASLow, openBLASHigh;

/// Counts one allocation, against OpenBLAS when `caller` (the allocating call's return address) is in its code.
static inline void count_from(void *caller) {
    uintptr_t address = (uintptr_t)caller;
    int inOpenBLAS = address >= openBLASLow && address < openBLASHigh;
    atomic_fetch_add_explicit(inOpenBLAS ? &openBLASAllocations : &allocations, 1, memory_order_relaxed);
}
#define count() count_from(__builtin_return_address(0))

static int find_openblas(struct dl_phdr_info *info, size_t size, void *unused) {
    (void)size; (void)unused;
    if (info->dlpi_name == NULL || strstr(info->dlpi_name, "openblas") == NULL) return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type != PT_LOAD || !(segment->p_flags & PF_X)) continue;
        uintptr_t low = info->dlpi_addr + segment->p_vaddr, high = low + segment->p_memsz;
        if (openBLASHigh == 0 || low < openBLASLow) openBLASLow = low;
        if (high > openBLASHigh) openBLASHigh = high;
    }
    return 0;
}

void *malloc(size_t size) {
    count();
    return __libc_malloc(size);
}

void *calloc(size_t count_, size_t size) {
    count();
    return __libc_calloc(count_, size);
}

void *realloc(void *pointer, size_t size) {
    count();
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    count();
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    // The checks glibc makes: a power of two, and a multiple of sizeof(void *).
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) {
        return EINVAL;
    }
    count();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL && size != 0) return ENOMEM;
    *result = pointer;
    return 0;
}

unsigned long long malloc_counter_allocations(void) {
    return atomic_load_explicit(&allocations, memory_order_relaxed);
}

unsigned long long malloc_counter_openblas_allocations(void) {
    return atomic_load_explicit(&openBLASAllocations, memory_order_relaxed);
}

int malloc_counter_is_active(void) {
    if (openBLASHigh == 0) dl_iterate_phdr(find_openblas, NULL);
    // An allocation made inside another shared object (strdup in libc) must move the counter;
    // if another malloc won the dynamic symbol lookup, it does not.
    unsigned long long before = malloc_counter_allocations();
    char *volatile probe = strdup("probe");  // volatile: the pair must not be optimised away.
    free(probe);
    return malloc_counter_allocations() != before;
}
