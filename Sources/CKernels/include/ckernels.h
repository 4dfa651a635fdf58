// crick's own compute kernels in C, chosen at run time by CPU features (the binary carries a
// baseline x86-64 path and an AVX2+FMA path; no host-only compiler flags).
#ifndef CRICK_CKERNELS_H
#define CRICK_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// Kernel levels: the portable C loops, AVX2+FMA, AVX-512 (avx512f).
#define CRICK_KERNELS_GENERIC 0
#define CRICK_KERNELS_AVX2 1
#define CRICK_KERNELS_AVX512 2

/// The widest level the CPU supports.
int crick_kernel_support(void);

/// The level the kernels run at: the CPU's support, or lower when the environment variable
/// CRICK_KERNELS is `generic` or `avx2` (read once), or as set by crick_set_kernel_level.
int crick_kernel_level(void);

/// Sets the level (clamped to the CPU's support) and returns the level set. Tests force each
/// path with it; it is not meant to change while kernels run on other threads.
int crick_set_kernel_level(int level);

/// 1 when the kernels run at the AVX2+FMA level or above, else 0.
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
/// im2col copy. Runs at crick_kernel_level(): AVX-512 and AVX2 give the same bits (one FMA chain
/// per output); the portable loops may round differently.
void crick_conv_direct(const float *a, ptrdiff_t row_stride, ptrdiff_t k, const float *packed,
                       ptrdiff_t cout, float *y, ptrdiff_t ldy, ptrdiff_t rows);

/// Max pooling of one window: dst[k] = the maximum over r < rows of src[r * c + k], taken as
/// the first row then `v >= m ? v : m` row after row (the plain loop's ties, signed zeros and
/// NaN). Nothing is written when rows <= 0.
void crick_pool_max(const float *src, ptrdiff_t rows, ptrdiff_t c, float *dst);

/// Max pooling with argmax (training): dst[k] and arg[k] are the value and position (first +
/// row) of the maximum over r < rows of src[r * c + k], taking the first row and then a later
/// row only where it is strictly greater (ties and NaN keep the earlier). Nothing is written when
/// rows <= 0.
void crick_pool_argmax(const float *src, ptrdiff_t rows, ptrdiff_t c, int32_t first, float *dst, int32_t *arg);

/// In place on rows x c values: p[t * c + o] = p[t * c + o] * a[o] + b[o] (a product then a
/// sum, not fused), then, when relu is non-zero, `v >= 0 ? v : 0`.
void crick_affine_rows(float *p, ptrdiff_t rows, ptrdiff_t c, const float *a, const float *b, int relu);

/// The folded RC convolution's rows (h = cin / 2, K = k * h): for r < rows, j < k, c < h,
///   s[r * K + j * h + c] = x[(r + j) * cin + c] + x[(r + k - 1 - j) * cin + cin - 1 - c],
/// and d the same difference (x holds rows + k - 1 rows of cin channels in the RC layout).
void crick_rc_fold(const float *x, ptrdiff_t cin, ptrdiff_t k, ptrdiff_t rows, float *s, float *d);

/// crick_rc_fold's rows as crick_pack_panels(s, rows, K, ...) would pack them: ceil(K / 16)
/// panels of (rows x 16), the last one's unused columns zero.
void crick_rc_fold_panels(const float *x, ptrdiff_t cin, ptrdiff_t k, ptrdiff_t rows, float *s, float *d);

/// The gradient of crick_rc_fold added to dx, rows in order: for each r, j, c,
///   dx[(r + j) * cin + c] += gs + gd and dx[(r + k - 1 - j) * cin + cin - 1 - c] += gs - gd
/// (gs, gd at r * K + j * h + c).
void crick_rc_unfold_add(const float *gs, const float *gd, ptrdiff_t cin, ptrdiff_t k, ptrdiff_t rows, float *dx);
#endif
