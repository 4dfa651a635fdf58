#include "ckernels.h"
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

/// The widest kernels the CPU (and the OS's saved register state) supports.
int crick_kernel_support(void) {
#if defined(__x86_64__)
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        int level = CRICK_KERNELS_GENERIC;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
            level = CRICK_KERNELS_AVX2;
            if (__builtin_cpu_supports("avx512f")) level = CRICK_KERNELS_AVX512;
        }
        known = level;
    }
    return known;
#else
    return CRICK_KERNELS_GENERIC;
#endif
}

/// -1 until first asked: then the support, lowered by CRICK_KERNELS=generic|avx2|avx512.
static int kernel_level = -1;

int crick_kernel_level(void) {
    int level = __atomic_load_n(&kernel_level, __ATOMIC_RELAXED);
    if (level >= 0) return level;
    level = crick_kernel_support();
    const char *asked = getenv("CRICK_KERNELS");
    if (asked && strcmp(asked, "generic") == 0) level = CRICK_KERNELS_GENERIC;
    else if (asked && strcmp(asked, "avx2") == 0 && level > CRICK_KERNELS_AVX2) level = CRICK_KERNELS_AVX2;
    __atomic_store_n(&kernel_level, level, __ATOMIC_RELAXED);
    return level;
}

int crick_set_kernel_level(int level) {
    int support = crick_kernel_support();
    if (level > support) level = support;
    if (level < CRICK_KERNELS_GENERIC) level = CRICK_KERNELS_GENERIC;
    __atomic_store_n(&kernel_level, level, __ATOMIC_RELAXED);
    return level;
}

int crick_has_avx2_fma(void) { return crick_kernel_level() >= CRICK_KERNELS_AVX2; }

void crick_pack_panels(const float *w, ptrdiff_t k, ptrdiff_t cout, float *packed) {
    ptrdiff_t panels = (cout + CRICK_PANEL - 1) / CRICK_PANEL;
    for (ptrdiff_t p = 0; p < panels; p++) {
        ptrdiff_t c0 = p * CRICK_PANEL, width = cout - c0 < CRICK_PANEL ? cout - c0 : CRICK_PANEL;
        float *dst = packed + p * k * CRICK_PANEL;
        for (ptrdiff_t t = 0; t < k; t++) {
            memcpy(dst + t * CRICK_PANEL, w + t * cout + c0, (size_t)width * sizeof(float));
            for (ptrdiff_t c = width; c < CRICK_PANEL; c++) dst[t * CRICK_PANEL + c] = 0;
        }
    }
}

/// Portable path: one row and one panel at a time (the compiler vectorises the 16 lanes).
static void conv_rows_generic(const float *a, ptrdiff_t row_stride, ptrdiff_t k, const float *panel,
                              float *y, ptrdiff_t ldy, ptrdiff_t rows, ptrdiff_t width) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        float acc[CRICK_PANEL] = {0};
        const float *ar = a + r * row_stride;
        for (ptrdiff_t t = 0; t < k; t++) {
            float v = ar[t];
            const float *wt = panel + t * CRICK_PANEL;
            for (int c = 0; c < CRICK_PANEL; c++) acc[c] += v * wt[c];
        }
        memcpy(y + r * ldy, acc, (size_t)width * sizeof(float));
    }
}

#if defined(__x86_64__)
/// `n` rows (1-6) x 16 channels in 2n accumulators: per reduction step, two weight vectors and
/// n broadcast inputs feed 2n FMAs. Inlined with a constant `n`, the loops over rows unroll and
/// the accumulators stay in registers; every output is the same chain of FMAs over t whatever
/// `n` is, so a row's value does not depend on which tile computed it.
__attribute__((target("avx2,fma"), always_inline))
static inline void conv_tile_avx2(const int n, const float *a, ptrdiff_t row_stride, ptrdiff_t k,
                                  const float *panel, float *y, ptrdiff_t ldy, ptrdiff_t width) {
    __m256 c[6][2];
    const float *ar[6];   // each row's inputs: one base pointer per row, indexed by t
    for (int r = 0; r < n; r++) {
        c[r][0] = _mm256_setzero_ps();
        c[r][1] = _mm256_setzero_ps();
        ar[r] = a + r * row_stride;
    }
    for (ptrdiff_t t = 0; t < k; t++) {
        __m256 w0 = _mm256_loadu_ps(panel + t * CRICK_PANEL);
        __m256 w1 = _mm256_loadu_ps(panel + t * CRICK_PANEL + 8);
        for (int r = 0; r < n; r++) {
            __m256 v = _mm256_broadcast_ss(ar[r] + t);
            c[r][0] = _mm256_fmadd_ps(v, w0, c[r][0]);
            c[r][1] = _mm256_fmadd_ps(v, w1, c[r][1]);
        }
    }
    if (width == CRICK_PANEL) {
        for (int r = 0; r < n; r++) {
            _mm256_storeu_ps(y + r * ldy, c[r][0]);
            _mm256_storeu_ps(y + r * ldy + 8, c[r][1]);
        }
        return;
    }
    float tile[CRICK_PANEL];
    for (int r = 0; r < n; r++) {
        _mm256_storeu_ps(tile, c[r][0]);
        _mm256_storeu_ps(tile + 8, c[r][1]);
        memcpy(y + r * ldy, tile, (size_t)width * sizeof(float));
    }
}

/// Six rows per tile, the 1-5 rows left in one narrower tile (not row by row: a lone row is
/// one latency-bound chain of FMAs, several rows interleave theirs).
__attribute__((target("avx2,fma")))
static void conv_rows_avx2(const float *a, ptrdiff_t row_stride, ptrdiff_t k, const float *panel,
                           float *y, ptrdiff_t ldy, ptrdiff_t rows, ptrdiff_t width) {
    ptrdiff_t r = 0;
    for (; r + 6 <= rows; r += 6)
        conv_tile_avx2(6, a + r * row_stride, row_stride, k, panel, y + r * ldy, ldy, width);
    const float *ar = a + r * row_stride;
    float *yr = y + r * ldy;
    switch (rows - r) {
    case 5: conv_tile_avx2(5, ar, row_stride, k, panel, yr, ldy, width); break;
    case 4: conv_tile_avx2(4, ar, row_stride, k, panel, yr, ldy, width); break;
    case 3: conv_tile_avx2(3, ar, row_stride, k, panel, yr, ldy, width); break;
    case 2: conv_tile_avx2(2, ar, row_stride, k, panel, yr, ldy, width); break;
    case 1: conv_tile_avx2(1, ar, row_stride, k, panel, yr, ldy, width); break;
    default: break;
    }
}
#endif

#if defined(__x86_64__)
/// `n` rows (1-12) x 32 channels (two 16-channel panels) in 2n zmm accumulators: per reduction
/// step, two weight vectors and n broadcast inputs feed 2n FMAs. As in the AVX2 tile, every
/// output is one chain of FMAs over t, so the AVX-512 and AVX2 paths give the same bits. The
/// second panel's outputs are `width1` wide (1-16).
__attribute__((target("avx512f"), always_inline))
static inline void conv_tile2_avx512(const int n, const float *a, ptrdiff_t row_stride, ptrdiff_t k,
                                     const float *p0, const float *p1, float *y, ptrdiff_t ldy, ptrdiff_t width1) {
    __m512 c[12][2];
    const float *ar[12];
    for (int r = 0; r < n; r++) {
        c[r][0] = _mm512_setzero_ps();
        c[r][1] = _mm512_setzero_ps();
        ar[r] = a + r * row_stride;
    }
    for (ptrdiff_t t = 0; t < k; t++) {
        __m512 w0 = _mm512_loadu_ps(p0 + t * CRICK_PANEL);
        __m512 w1 = _mm512_loadu_ps(p1 + t * CRICK_PANEL);
        for (int r = 0; r < n; r++) {
            __m512 v = _mm512_set1_ps(ar[r][t]);
            c[r][0] = _mm512_fmadd_ps(v, w0, c[r][0]);
            c[r][1] = _mm512_fmadd_ps(v, w1, c[r][1]);
        }
    }
    __mmask16 m1 = (__mmask16)((1u << width1) - 1u);
    for (int r = 0; r < n; r++) {
        _mm512_storeu_ps(y + r * ldy, c[r][0]);
        _mm512_mask_storeu_ps(y + r * ldy + CRICK_PANEL, m1, c[r][1]);
    }
}

/// `n` rows (1-12) x one 16-channel panel, `width` (1-16) of them stored.
__attribute__((target("avx512f"), always_inline))
static inline void conv_tile1_avx512(const int n, const float *a, ptrdiff_t row_stride, ptrdiff_t k,
                                     const float *p0, float *y, ptrdiff_t ldy, ptrdiff_t width) {
    __m512 c[12];
    const float *ar[12];
    for (int r = 0; r < n; r++) { c[r] = _mm512_setzero_ps(); ar[r] = a + r * row_stride; }
    for (ptrdiff_t t = 0; t < k; t++) {
        __m512 w0 = _mm512_loadu_ps(p0 + t * CRICK_PANEL);
        for (int r = 0; r < n; r++) c[r] = _mm512_fmadd_ps(_mm512_set1_ps(ar[r][t]), w0, c[r]);
    }
    __mmask16 m = (__mmask16)((1u << width) - 1u);
    for (int r = 0; r < n; r++) _mm512_mask_storeu_ps(y + r * ldy, m, c[r]);
}

/// Rows in 12-row tiles, then one 6-row tile and one of 1-5 rows for what is left; `pair`
/// selects the 32-channel tile (panels p0 and p1) or the 16-channel one (p0).
#define CRICK_TILE_ROWS(N) do { \
        if (pair) conv_tile2_avx512(N, ar, row_stride, k, p0, p1, yr, ldy, width); \
        else conv_tile1_avx512(N, ar, row_stride, k, p0, yr, ldy, width); \
    } while (0)

__attribute__((target("avx512f")))
static void conv_rows_avx512(const float *a, ptrdiff_t row_stride, ptrdiff_t k, const float *p0, const float *p1,
                             int pair, float *y, ptrdiff_t ldy, ptrdiff_t rows, ptrdiff_t width) {
    ptrdiff_t r = 0;
    const float *ar = a;
    float *yr = y;
    for (; r + 12 <= rows; r += 12, ar += 12 * row_stride, yr += 12 * ldy) CRICK_TILE_ROWS(12);
    if (rows - r >= 6) { CRICK_TILE_ROWS(6); r += 6; ar += 6 * row_stride; yr += 6 * ldy; }
    switch (rows - r) {
    case 5: CRICK_TILE_ROWS(5); break;
    case 4: CRICK_TILE_ROWS(4); break;
    case 3: CRICK_TILE_ROWS(3); break;
    case 2: CRICK_TILE_ROWS(2); break;
    case 1: CRICK_TILE_ROWS(1); break;
    default: break;
    }
}
#undef CRICK_TILE_ROWS
#endif

void crick_conv_direct(const float *a, ptrdiff_t row_stride, ptrdiff_t k, const float *packed,
                       ptrdiff_t cout, float *y, ptrdiff_t ldy, ptrdiff_t rows) {
    ptrdiff_t panels = (cout + CRICK_PANEL - 1) / CRICK_PANEL;
#if defined(__x86_64__)
    int level = crick_kernel_level();
    if (level >= CRICK_KERNELS_AVX512) {
        // As below, two panels (32 channels) at a time.
        const ptrdiff_t block = 48;
        for (ptrdiff_t r0 = 0; r0 < rows; r0 += block) {
            ptrdiff_t n = rows - r0 < block ? rows - r0 : block;
            for (ptrdiff_t p = 0; p < panels; p += 2) {
                const float *p0 = packed + p * k * CRICK_PANEL;
                int pair = p + 1 < panels;
                const float *p1 = pair ? p0 + k * CRICK_PANEL : p0;
                ptrdiff_t c0 = p * CRICK_PANEL, last = pair ? c0 + CRICK_PANEL : c0;
                ptrdiff_t width = cout - last < CRICK_PANEL ? cout - last : CRICK_PANEL;
                conv_rows_avx512(a + r0 * row_stride, row_stride, k, p0, p1, pair, y + r0 * ldy + c0, ldy, n, width);
            }
        }
        return;
    }
    if (level >= CRICK_KERNELS_AVX2) {
        // Rows in blocks that keep their inputs in L1 while every panel passes over them.
        const ptrdiff_t block = 48;
        for (ptrdiff_t r0 = 0; r0 < rows; r0 += block) {
            ptrdiff_t n = rows - r0 < block ? rows - r0 : block;
            for (ptrdiff_t p = 0; p < panels; p++) {
                const float *panel = packed + p * k * CRICK_PANEL;
                ptrdiff_t c0 = p * CRICK_PANEL, width = cout - c0 < CRICK_PANEL ? cout - c0 : CRICK_PANEL;
                conv_rows_avx2(a + r0 * row_stride, row_stride, k, panel, y + r0 * ldy + c0, ldy, n, width);
            }
        }
        return;
    }
#endif
    for (ptrdiff_t p = 0; p < panels; p++) {
        ptrdiff_t c0 = p * CRICK_PANEL, width = cout - c0 < CRICK_PANEL ? cout - c0 : CRICK_PANEL;
        conv_rows_generic(a, row_stride, k, packed + p * k * CRICK_PANEL, y + c0, ldy, rows, width);
    }
}
