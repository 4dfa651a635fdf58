// OpenBLAS's CBLAS interface (include path from pkg-config "openblas").
#ifndef CRICK_CBLAS_SHIM_H
#define CRICK_CBLAS_SHIM_H
#include <cblas.h>
/// OpenBLAS's own: stops its worker-thread pool (what it does itself before fork and at exit).
/// Not in cblas.h; exported by every threaded OpenBLAS build.
int blas_thread_shutdown_(void);
#endif
