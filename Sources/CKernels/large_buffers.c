#define _GNU_SOURCE
#include "ckernels.h"
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

// Large scratch buffers on 2 MB boundaries, marked for transparent huge pages where the
// kernel offers them on request: a few faults instead of one per 4 KB page.
void *crick_alloc_large(size_t bytes) {
    void *p = NULL;
    const size_t huge = (size_t)2 << 20;
    if (bytes == 0) bytes = 1;
    if (bytes < huge) return malloc(bytes);
    if (posix_memalign(&p, huge, bytes) != 0) return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    (void)madvise(p, bytes - bytes % huge, MADV_HUGEPAGE);
#endif
    return p;
}

void crick_free_large(void *p) { free(p); }
