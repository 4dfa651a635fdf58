// OpenBLAS's CBLAS interface (include path from pkg-config "openblas").
#ifndef CRICK_CBLAS_SHIM_H
#define CRICK_CBLAS_SHIM_H
#include <cblas.h>
#include <malloc.h>

/// Keeps freed large blocks in the process (glibc): the network allocates and frees the same
/// large activations every batch, and fresh mmaps would make the kernel zero them each time.
static inline void crick_retain_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
#endif
