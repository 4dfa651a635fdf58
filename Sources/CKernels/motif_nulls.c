#include "ckernels.h"
#include <math.h>
#include <stdlib.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// The motif comparison's null distributions (MotifComparison.swift): the levels of the shifted
// column scores and their counts, the convolution step of the sums' distributions, and the
// log terms of the p-value of a best alignment.
// Every value is the one the plain loops give: products and sums are never fused (contraction
// off), the same operations run in the same order in every path, and division and square root
// are correctly rounded in scalar and vector form alike.
#pragma STDC FP_CONTRACT OFF

// The level of a shifted score: x = max(0, (v - median - lo) * scale), rounded half up by a
// floor and the exact remainder, at most top.
static inline int32_t score_level(double v, double median, double lo, double scale, int32_t top) {
    double t = ((v - median) - lo) * scale;
    double x = t >= 0 ? t : 0, f = floor(x);
    double r = x - f >= 0.5 ? f + 1 : f;
    return r < (double)top ? (int32_t)r : top;   // compared before the conversion: an infinity is top
}

static void levels_generic(const double *v, ptrdiff_t n, ptrdiff_t wq, const double *medians, double lo, double scale, int32_t top,
                           int32_t *levels) {
    for (ptrdiff_t c = 0; c < n; c++)
        for (ptrdiff_t i = 0; i < wq; i++) levels[c * wq + i] = score_level(v[i * n + c], medians[i], lo, scale, top);
}

#if defined(__x86_64__)
// The levels of eight database columns for one query column, as eight int32.
__attribute__((target("avx512f"), always_inline))
static inline __m256i eight_levels(const double *v, double median, __m512d l, __m512d sc, __m512d tp) {
    const __m512d zero = _mm512_setzero_pd(), half = _mm512_set1_pd(0.5), one = _mm512_set1_pd(1);
    __m512d s = _mm512_sub_pd(_mm512_loadu_pd(v), _mm512_set1_pd(median));
    __m512d t = _mm512_mul_pd(_mm512_sub_pd(s, l), sc);
    __m512d x = _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(t, zero, _CMP_GE_OQ), t);
    __m512d f = _mm512_roundscale_pd(x, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __mmask8 up = _mm512_cmp_pd_mask(_mm512_sub_pd(x, f), half, _CMP_GE_OQ);
    __m512d r = _mm512_mask_add_pd(f, up, f, one);
    return _mm512_cvttpd_epi32(_mm512_min_pd(r, tp));
}

// Eight database columns at a time, every query column for them: eight query columns' levels
// (eight vectors of eight database columns) transposed in registers into the eight rows, each
// row's eight query columns stored at once; then counted row by row while in cache.
__attribute__((target("avx512f,avx2")))
static void levels_avx512(const double *v, ptrdiff_t n, ptrdiff_t wq, const double *medians, double lo, double scale, int32_t top,
                          int32_t *levels, int64_t *counts) {
    const ptrdiff_t bins = (ptrdiff_t)top + 1;
    const __m512d l = _mm512_set1_pd(lo), sc = _mm512_set1_pd(scale), tp = _mm512_set1_pd((double)top);
    ptrdiff_t c = 0;
    for (; c + 8 <= n; c += 8) {
        int32_t *row = levels + c * wq;
        for (ptrdiff_t i0 = 0; i0 < wq; i0 += 8) {
            const ptrdiff_t k = wq - i0 < 8 ? wq - i0 : 8;
            __m256i r[8];
            for (ptrdiff_t j = 0; j < 8; j++)
                r[j] = j < k ? eight_levels(v + (i0 + j) * n + c, medians[i0 + j], l, sc, tp) : _mm256_setzero_si256();
            const __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
            const __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
            const __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
            const __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
            const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
            const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
            const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
            const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
            __m256i out[8];
            out[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
            out[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
            out[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
            out[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
            out[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
            out[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
            out[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
            out[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
            if (k == 8) {
                for (int u = 0; u < 8; u++) _mm256_storeu_si256((__m256i *)(row + u * wq + i0), out[u]);
            } else {
                const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
                for (int u = 0; u < 8; u++) _mm256_maskstore_epi32(row + u * wq + i0, mask, out[u]);
            }
        }
        // Counted row by row while the rows are in cache: consecutive increments fall on
        // different query columns' counts.
        for (int u = 0; u < 8; u++)
            for (ptrdiff_t i = 0; i < wq; i++) counts[i * bins + row[u * wq + i]]++;
    }
    for (; c < n; c++) {
        for (ptrdiff_t i = 0; i < wq; i++) {
            const int32_t lv = score_level(v[i * n + c], medians[i], lo, scale, top);
            levels[c * wq + i] = lv;
            counts[i * bins + lv]++;
        }
    }
}
#endif

void crick_motif_levels(const double *v, ptrdiff_t n, ptrdiff_t wq, const double *medians, double lo, double scale, int32_t top,
                        int32_t *levels, int64_t *counts) {
#if defined(__x86_64__)
    if (crick_kernel_level() >= CRICK_KERNELS_AVX512) { levels_avx512(v, n, wq, medians, lo, scale, top, levels, counts); return; }
#endif
    levels_generic(v, n, wq, medians, lo, scale, top, levels);
    // Row by row: consecutive increments fall on different query columns' counts.
    const ptrdiff_t bins = (ptrdiff_t)top + 1;
    for (ptrdiff_t c = 0; c < n; c++)
        for (ptrdiff_t i = 0; i < wq; i++) counts[i * bins + levels[c * wq + i]]++;
}

// out[z] = sum over j in order of d[z - ys[j]] * ps[j], from 0: the value of adding each scaled
// copy of d into a zeroed out in turn (the terms that fall outside d are +0 here, and adding
// +0 changes no sum of non-negative terms).
static void convolve_generic(const double *d, const int32_t *ys, const double *ps, ptrdiff_t ny, double *out, ptrdiff_t count) {
    for (ptrdiff_t z = 0; z < count; z++) {
        double acc = 0.0;
        for (ptrdiff_t j = 0; j < ny; j++) acc += d[z - ys[j]] * ps[j];
        out[z] = acc;
    }
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void convolve_avx512(const double *d, const int32_t *ys, const double *ps, ptrdiff_t ny, double *out, ptrdiff_t count) {
    ptrdiff_t z = 0;
    // Four blocks of eight outputs at a time: four independent chains of additions.
    for (; z + 32 <= count; z += 32) {
        __m512d a0 = _mm512_setzero_pd(), a1 = _mm512_setzero_pd(), a2 = _mm512_setzero_pd(), a3 = _mm512_setzero_pd();
        for (ptrdiff_t j = 0; j < ny; j++) {
            const double *src = d + z - ys[j];
            const __m512d p = _mm512_set1_pd(ps[j]);
            a0 = _mm512_add_pd(a0, _mm512_mul_pd(_mm512_loadu_pd(src), p));
            a1 = _mm512_add_pd(a1, _mm512_mul_pd(_mm512_loadu_pd(src + 8), p));
            a2 = _mm512_add_pd(a2, _mm512_mul_pd(_mm512_loadu_pd(src + 16), p));
            a3 = _mm512_add_pd(a3, _mm512_mul_pd(_mm512_loadu_pd(src + 24), p));
        }
        _mm512_storeu_pd(out + z, a0);
        _mm512_storeu_pd(out + z + 8, a1);
        _mm512_storeu_pd(out + z + 16, a2);
        _mm512_storeu_pd(out + z + 24, a3);
    }
    for (; z < count; z += 8) {
        __m512d acc = _mm512_setzero_pd();
        for (ptrdiff_t j = 0; j < ny; j++)
            acc = _mm512_add_pd(acc, _mm512_mul_pd(_mm512_loadu_pd(d + z - ys[j]), _mm512_set1_pd(ps[j])));
        if (z + 8 <= count) _mm512_storeu_pd(out + z, acc);
        else _mm512_mask_storeu_pd(out + z, (__mmask8)((1u << (count - z)) - 1), acc);
    }
}
#endif

void crick_motif_convolve(const double *d, const int32_t *ys, const double *ps, ptrdiff_t ny, double *out, ptrdiff_t count) {
#if defined(__x86_64__)
    if (crick_kernel_level() >= CRICK_KERNELS_AVX512) { convolve_avx512(d, ys, ps, ny, out, count); return; }
#endif
    convolve_generic(d, ys, ps, ny, out, count);
}

double crick_motif_log_below(const double *survival, const ptrdiff_t *start, const ptrdiff_t *count, double *log_below_tail,
                             ptrdiff_t wq, ptrdiff_t wt, ptrdiff_t s, ptrdiff_t zero) {
    double acc = 0.0;
    for (ptrdiff_t offset = -(wt - 1); offset <= wq - 1; offset++) {
        const ptrdiff_t a = offset > 0 ? offset : 0, b = wq < wt + offset ? wq : wt + offset;
        const ptrdiff_t x = s - (wq - (b - a)) * zero;     // the aligned columns' share of s
        if (x <= 0) return -INFINITY;                       // P(sum >= x) = 1
        const ptrdiff_t key = a * wq + b - a - 1;
        if (x >= count[key]) continue;                      // P(sum >= x) = 0
        const ptrdiff_t at = start[key] + x;
        double term = log_below_tail[at];
        if (isnan(term)) {
            const double tail = survival[at];
            term = tail >= 1 ? -INFINITY : log1p(-tail);
            log_below_tail[at] = term;
        }
        if (term == -INFINITY) return -INFINITY;
        acc += 2 * term;                                    // both orientations of the target
    }
    return acc;
}
