// crick's own compute kernels in C, chosen at run time by CPU features (the binary carries a
// baseline x86-64 path and an AVX2+FMA path; no host-only compiler flags).
#ifndef CRICK_CKERNELS_H
#define CRICK_CKERNELS_H
#include <stddef.h>

/// 1 when the CPU runs the AVX2+FMA kernels, else 0.
int crick_has_avx2_fma(void);

/// Width of a packed weight panel (output channels per panel).
#define CRICK_PANEL 16

/// Packs W (K x cout, row-major) into ceil(cout / 16) panels of (K x 16), zero-padded:
/// packed must hold ceil(cout / 16) * K * 16 floats.
void crick_pack_panels(const float *w, ptrdiff_t k, ptrdiff_t cout, float *packed);

/// Direct convolution as a GEMM whose rows overlap: for r < rows and c < cout,
///   y[r * ldy + c] = sum_{t < K} a[r * row_stride + t] * W[t][c],
/// with W given as panels from crick_pack_panels. Row r reads a[r * row_stride ..< + K], so a
/// valid 1-D convolution of channels-last input (row_stride = Cin, K = kernel * Cin) needs no
/// im2col copy. Uses AVX2+FMA when the CPU has them.
void crick_conv_direct(const float *a, ptrdiff_t row_stride, ptrdiff_t k, const float *packed,
                       ptrdiff_t cout, float *y, ptrdiff_t ldy, ptrdiff_t rows);
#endif
