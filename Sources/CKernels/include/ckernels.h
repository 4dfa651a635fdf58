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
/// Column scores of one query column against the n columns of a motif database (MotifComparison):
/// db holds the database as four runs of n values (the columns' A, C, G and T entries; centred for
/// Pearson), sq their n sums of squares (Pearson only), q the query column's four values (centred
/// for Pearson) and qsq their sum of squares. out[c] is the Pearson correlation (0 where the
/// product of the sums of squares has a root of at most 1e-12) or minus the Euclidean distance.
/// lo and hi receive the smallest and largest finite score; the count of non-finite scores is
/// returned. Every path gives the bits of the plain loop.
ptrdiff_t crick_motif_column_scores(const double *db, ptrdiff_t n, const double *sq, const double *q, double qsq, int pearson,
                                    double *out, double *lo, double *hi);

/// The j-th and k-th smallest of the n finite values v (0-based, j <= k < n; lo and hi their
/// minimum and maximum), exactly: the values between two bracketing values of a sample (AVX-512,
/// n >= 4096), or in the buckets of ranks j and k among 4096 buckets of [lo, hi], gathered and
/// the ranks selected among them. scratch holds 3n + 48 doubles, counts 4096.
void crick_motif_middle_values(const double *v, ptrdiff_t n, ptrdiff_t j, ptrdiff_t k, double lo, double hi,
                               double *vj, double *vk, double *scratch, int32_t *counts);

/// For query column i < wq and database column c < n, from v (wq, n) of scores: levels (n, wq)
/// [c * wq + i] = min(top, round-half-up(max(0, ((v[i * n + c] - medians[i]) - lo) * scale))), and
/// counts (wq, top + 1) of each query column's levels incremented.
void crick_motif_levels(const double *v, ptrdiff_t n, ptrdiff_t wq, const double *medians, double lo, double scale, int32_t top,
                        int32_t *levels, int64_t *counts);

/// The null distribution of a longer sum (MotifComparison): out[z] = the sum over j < ny, in
/// order from 0, of d[z - ys[j]] * ps[j] for z < count (products then sums, not fused). d holds
/// non-negative values and is read from d - max(ys) to d + count + 7: the caller pads it with
/// zeros (ps are positive, so the padding adds +0 and the sums are those of adding each scaled
/// copy of d in turn).
void crick_motif_convolve(const double *d, const int32_t *ys, const double *ps, ptrdiff_t ny, double *out, ptrdiff_t count);

/// The alignment level sums of one target strand with a query (MotifComparison): levels holds
/// the target's wt columns as rows of the query's wq column levels ((wt, wq)); for each offset
/// o = i - r in -(wt - 1) ... wq - 1 (query column i facing target column r), lsum[o + wt - 1]
/// is the sum of the levels on that diagonal.
void crick_motif_diagonal_sums(const int32_t *levels, ptrdiff_t wt, ptrdiff_t wq, int32_t *lsum);

/// log P(the maximum over every alignment of a width-wt target with a width-wq query, both
/// strands, of independent null sums < s) (MotifComparison's complete scoring): for each offset
/// the aligned columns a..<b need x = s - (wq - (b - a)) * zero from their sum, whose survival
/// function is survival[start[key] + x] for x < count[key], key = a * wq + b - a - 1; the sum of
/// 2 log(1 - P(sum >= x)) in offset order, -infinity as soon as a term is. log_below_tail
/// (laid out as survival, NaN where not yet computed) keeps each log(1 - P) once computed.
double crick_motif_log_below(const double *survival, const ptrdiff_t *start, const ptrdiff_t *count, double *log_below_tail,
                             ptrdiff_t wq, ptrdiff_t wt, ptrdiff_t s, ptrdiff_t zero);

/// The best alignment of a query with each of count database motifs (MotifComparison's complete
/// scoring): levels (N, wq) and scores (wq, N) as the comparison lays them out, medians the
/// query columns' medians, starts and widths each target's first column and width (its reverse
/// complement follows at starts[t] + widths[t]). Over both strands and the offsets overlapping by
/// at least min(min_overlap, wq, wt) columns, the highest level sum (each unaligned query column
/// counting `zero`), then the widest overlap, then the highest sum of shifted scores, the first
/// tried of equals: best_level[t] (-1 for an empty target), its overlap, strand (0 as given, 1
/// reverse complement), offset and score. Levels are at most top. lsum holds 2 x (max width + wq
/// + 16) values, tied 4 x (max width + wq).
void crick_motif_best_alignments(const int32_t *levels, const double *scores, const double *medians, ptrdiff_t n, ptrdiff_t wq,
                                 const ptrdiff_t *starts, const ptrdiff_t *widths, ptrdiff_t count, ptrdiff_t min_overlap,
                                 ptrdiff_t zero, int32_t top, int32_t *lsum, int32_t *tied, int64_t *best_level,
                                 int32_t *best_overlap, int32_t *best_strand, int32_t *best_offset, double *best_score);

/// A scratch buffer of `bytes` (NULL when memory is short): 2 MB aligned and marked for
/// transparent huge pages when at least 2 MB. Freed with crick_free_large.
void *crick_alloc_large(size_t bytes);
void crick_free_large(void *p);

#endif
