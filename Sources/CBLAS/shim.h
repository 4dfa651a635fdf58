// OpenBLAS's CBLAS interface (include path from pkg-config "openblas").
#ifndef CRICK_CBLAS_SHIM_H
#define CRICK_CBLAS_SHIM_H
#include <cblas.h>
#endif
