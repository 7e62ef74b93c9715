// The C interfaces this package calls: OpenBLAS's CBLAS and LAPACKE.
// Debian: libopenblas-dev puts cblas.h under /usr/include/x86_64-linux-gnu/
// (found through `pkg-config openblas`); liblapacke-dev puts lapacke.h in /usr/include.
#ifndef BACKPROP_CBLAS_SHIM_H
#define BACKPROP_CBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
