#include "ckernels.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

int crick_has_avx2_fma(void) {
#if defined(__x86_64__)
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return known;
#else
    return 0;
#endif
}

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
/// 6 rows x 16 channels in 12 accumulators: per reduction step, two weight vectors and six
/// broadcast inputs feed 12 FMAs.
__attribute__((target("avx2,fma")))
static void conv_tile6_avx2(const float *a, ptrdiff_t row_stride, ptrdiff_t k, const float *panel,
                            float *y, ptrdiff_t ldy, ptrdiff_t width) {
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    const float *a0 = a, *a1 = a + row_stride, *a2 = a + 2 * row_stride;
    const float *a3 = a + 3 * row_stride, *a4 = a + 4 * row_stride, *a5 = a + 5 * row_stride;
    for (ptrdiff_t t = 0; t < k; t++) {
        __m256 w0 = _mm256_loadu_ps(panel + t * CRICK_PANEL);
        __m256 w1 = _mm256_loadu_ps(panel + t * CRICK_PANEL + 8);
        __m256 v;
        v = _mm256_broadcast_ss(a0 + t); c00 = _mm256_fmadd_ps(v, w0, c00); c01 = _mm256_fmadd_ps(v, w1, c01);
        v = _mm256_broadcast_ss(a1 + t); c10 = _mm256_fmadd_ps(v, w0, c10); c11 = _mm256_fmadd_ps(v, w1, c11);
        v = _mm256_broadcast_ss(a2 + t); c20 = _mm256_fmadd_ps(v, w0, c20); c21 = _mm256_fmadd_ps(v, w1, c21);
        v = _mm256_broadcast_ss(a3 + t); c30 = _mm256_fmadd_ps(v, w0, c30); c31 = _mm256_fmadd_ps(v, w1, c31);
        v = _mm256_broadcast_ss(a4 + t); c40 = _mm256_fmadd_ps(v, w0, c40); c41 = _mm256_fmadd_ps(v, w1, c41);
        v = _mm256_broadcast_ss(a5 + t); c50 = _mm256_fmadd_ps(v, w0, c50); c51 = _mm256_fmadd_ps(v, w1, c51);
    }
    float tile[6][CRICK_PANEL];
    __m256 *out[6][2] = {{&c00, &c01}, {&c10, &c11}, {&c20, &c21}, {&c30, &c31}, {&c40, &c41}, {&c50, &c51}};
    if (width == CRICK_PANEL) {
        for (int r = 0; r < 6; r++) {
            _mm256_storeu_ps(y + r * ldy, *out[r][0]);
            _mm256_storeu_ps(y + r * ldy + 8, *out[r][1]);
        }
        return;
    }
    for (int r = 0; r < 6; r++) {
        _mm256_storeu_ps(tile[r], *out[r][0]);
        _mm256_storeu_ps(tile[r] + 8, *out[r][1]);
        memcpy(y + r * ldy, tile[r], (size_t)width * sizeof(float));
    }
}

/// One row x 16 channels (the rows left after the 6-row tiles).
__attribute__((target("avx2,fma")))
static void conv_row_avx2(const float *a, ptrdiff_t k, const float *panel, float *y, ptrdiff_t width) {
    __m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps();
    for (ptrdiff_t t = 0; t < k; t++) {
        __m256 v = _mm256_broadcast_ss(a + t);
        c0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(panel + t * CRICK_PANEL), c0);
        c1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(panel + t * CRICK_PANEL + 8), c1);
    }
    float tile[CRICK_PANEL];
    _mm256_storeu_ps(tile, c0);
    _mm256_storeu_ps(tile + 8, c1);
    memcpy(y, tile, (size_t)width * sizeof(float));
}
#endif

void crick_conv_direct(const float *a, ptrdiff_t row_stride, ptrdiff_t k, const float *packed,
                       ptrdiff_t cout, float *y, ptrdiff_t ldy, ptrdiff_t rows) {
    ptrdiff_t panels = (cout + CRICK_PANEL - 1) / CRICK_PANEL;
#if defined(__x86_64__)
    if (crick_has_avx2_fma()) {
        // Rows in blocks that keep their inputs in L1 while every panel passes over them.
        const ptrdiff_t block = 48;
        for (ptrdiff_t r0 = 0; r0 < rows; r0 += block) {
            ptrdiff_t n = rows - r0 < block ? rows - r0 : block;
            for (ptrdiff_t p = 0; p < panels; p++) {
                const float *panel = packed + p * k * CRICK_PANEL;
                ptrdiff_t c0 = p * CRICK_PANEL, width = cout - c0 < CRICK_PANEL ? cout - c0 : CRICK_PANEL;
                ptrdiff_t r = 0;
                for (; r + 6 <= n; r += 6)
                    conv_tile6_avx2(a + (r0 + r) * row_stride, row_stride, k, panel, y + (r0 + r) * ldy + c0, ldy, width);
                for (; r < n; r++)
                    conv_row_avx2(a + (r0 + r) * row_stride, k, panel, y + (r0 + r) * ldy + c0, width);
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
