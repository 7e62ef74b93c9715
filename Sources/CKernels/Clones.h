// Clones.h: CK_KERNEL, the attribute that compiles a kernel once per x86-64 level (picked at run time), for the .c files here.
#ifndef CK_CLONES_H
#define CK_CLONES_H
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
// ThreadSanitizer instruments the clones' resolvers, which the dynamic loader runs before the
// sanitizer's runtime exists (a crash at start-up): such a build compiles one version.
#define CK_THREAD_SANITIZER 1
#endif
#endif

#if defined(__x86_64__) && defined(__linux__) && defined(__clang__) && !defined(CK_THREAD_SANITIZER)
// One clone per x86-64 level that widens the vectors: v4 (AVX-512 F/BW/CD/DQ/VL), v3 (AVX2, FMA),
// and the baseline (SSE2). The dynamic loader's resolver picks one on first use.
#define CK_KERNEL __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define CK_HAS_CLONES 1
#else
#define CK_KERNEL
#define CK_HAS_CLONES 0
#endif
#endif
