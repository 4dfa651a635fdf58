#include "ckernels.h"
#include <math.h>
#include <stdlib.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// The motif comparison's per-query loops (MotifComparison.swift): column scores of one query
// column against every database column, the exact middle values of those scores, their levels
// and level counts, and the convolution step of the null distributions. Every value is the one
// the plain loops give: products and sums are never fused (contraction off), the same operations
// run in the same order in every path, and division and square root are correctly rounded in
// scalar and vector form alike.
#pragma STDC FP_CONTRACT OFF

// One score, as the Swift reference computes it: Pearson from centred 4-vectors and their sums
// of squares (the sum started at 0 and taken in order), Euclidean as minus the distance.
static inline double column_score(const double *q, double qsq, double y0, double y1, double y2, double y3, double ysq,
                                  int pearson) {
    if (pearson) {
        double sab = 0.0;
        sab += q[0] * y0;
        sab += q[1] * y1;
        sab += q[2] * y2;
        sab += q[3] * y3;
        double d = sqrt(qsq * ysq);
        return d > 1e-12 ? sab / d : 0;
    }
    double e = 0.0, t;
    t = q[0] - y0; e += t * t;
    t = q[1] - y1; e += t * t;
    t = q[2] - y2; e += t * t;
    t = q[3] - y3; e += t * t;
    return -sqrt(e);
}

// Columns from..<to scored into out, the finite scores' extremes folded into *lo and *hi;
// returns the count of non-finite scores.
static ptrdiff_t scores_range(const double *db, ptrdiff_t n, const double *sq, const double *q, double qsq, int pearson,
                              ptrdiff_t from, ptrdiff_t to, double *out, double *lo, double *hi) {
    double mn = *lo, mx = *hi;
    ptrdiff_t bad = 0;
    for (ptrdiff_t c = from; c < to; c++) {
        double s = column_score(q, qsq, db[c], db[n + c], db[2 * n + c], db[3 * n + c], pearson ? sq[c] : 0, pearson);
        out[c] = s;
        if (!isfinite(s)) { bad++; continue; }
        mn = s < mn ? s : mn;
        mx = s > mx ? s : mx;
    }
    *lo = mn;
    *hi = mx;
    return bad;
}

static ptrdiff_t scores_generic(const double *db, ptrdiff_t n, const double *sq, const double *q, double qsq, int pearson,
                                double *out, double *lo, double *hi) {
    *lo = INFINITY;
    *hi = -INFINITY;
    return scores_range(db, n, sq, q, qsq, pearson, 0, n, out, lo, hi);
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512dq")))
static ptrdiff_t scores_avx512(const double *db, ptrdiff_t n, const double *sq, const double *q, double qsq, int pearson,
                               double *out, double *lo, double *hi) {
    const __m512d q0 = _mm512_set1_pd(q[0]), q1 = _mm512_set1_pd(q[1]), q2 = _mm512_set1_pd(q[2]), q3 = _mm512_set1_pd(q[3]);
    const __m512d qs = _mm512_set1_pd(qsq), eps = _mm512_set1_pd(1e-12), zero = _mm512_setzero_pd();
    const __m512d inf = _mm512_set1_pd(INFINITY);
    __m512d mn = _mm512_set1_pd(INFINITY), mx = _mm512_set1_pd(-INFINITY);
    ptrdiff_t c = 0, bad = 0;
    for (; c + 8 <= n; c += 8) {
        __m512d y0 = _mm512_loadu_pd(db + c), y1 = _mm512_loadu_pd(db + n + c);
        __m512d y2 = _mm512_loadu_pd(db + 2 * n + c), y3 = _mm512_loadu_pd(db + 3 * n + c);
        __m512d s;
        if (pearson) {
            __m512d sab = _mm512_add_pd(zero, _mm512_mul_pd(q0, y0));
            sab = _mm512_add_pd(sab, _mm512_mul_pd(q1, y1));
            sab = _mm512_add_pd(sab, _mm512_mul_pd(q2, y2));
            sab = _mm512_add_pd(sab, _mm512_mul_pd(q3, y3));
            __m512d d = _mm512_sqrt_pd(_mm512_mul_pd(qs, _mm512_loadu_pd(sq + c)));
            __mmask8 ok = _mm512_cmp_pd_mask(d, eps, _CMP_GT_OQ);
            s = _mm512_maskz_div_pd(ok, sab, d);
        } else {
            __m512d t = _mm512_sub_pd(q0, y0);
            __m512d e = _mm512_add_pd(zero, _mm512_mul_pd(t, t));
            t = _mm512_sub_pd(q1, y1); e = _mm512_add_pd(e, _mm512_mul_pd(t, t));
            t = _mm512_sub_pd(q2, y2); e = _mm512_add_pd(e, _mm512_mul_pd(t, t));
            t = _mm512_sub_pd(q3, y3); e = _mm512_add_pd(e, _mm512_mul_pd(t, t));
            s = _mm512_xor_pd(_mm512_sqrt_pd(e), _mm512_set1_pd(-0.0));   // minus, as -sqrt(e)
        }
        _mm512_storeu_pd(out + c, s);
        // |s| < inf is false for infinities and NaN: those are counted, not taken for min or max.
        __mmask8 finite = _mm512_cmp_pd_mask(_mm512_abs_pd(s), inf, _CMP_LT_OQ);
        bad += 8 - __builtin_popcount(finite);
        mn = _mm512_mask_min_pd(mn, finite, s, mn);
        mx = _mm512_mask_max_pd(mx, finite, s, mx);
    }
    double m[8], x[8];
    _mm512_storeu_pd(m, mn);
    _mm512_storeu_pd(x, mx);
    double a = INFINITY, b = -INFINITY;
    for (int i = 0; i < 8; i++) { a = m[i] < a ? m[i] : a; b = x[i] > b ? x[i] : b; }
    *lo = a;
    *hi = b;
    return bad + scores_range(db, n, sq, q, qsq, pearson, c, n, out, lo, hi);
}
#endif

ptrdiff_t crick_motif_column_scores(const double *db, ptrdiff_t n, const double *sq, const double *q, double qsq, int pearson,
                                    double *out, double *lo, double *hi) {
#if defined(__x86_64__)
    if (crick_kernel_level() >= CRICK_KERNELS_AVX512) return scores_avx512(db, n, sq, q, qsq, pearson, out, lo, hi);
#endif
    return scores_generic(db, n, sq, q, qsq, pearson, out, lo, hi);
}

#define MIDDLE_BUCKETS 4096

// Reorders v[0..n) so that v[r] holds the value a sort puts there, none before it greater and
// none after it smaller (Hoare's selection, median-of-three pivot); returns v[r].
static double select_rank(double *v, ptrdiff_t n, ptrdiff_t r) {
    ptrdiff_t lo = 0, hi = n - 1;
    while (lo < hi) {
        ptrdiff_t mid = lo + (hi - lo) / 2;
        double t;
        if (v[mid] < v[lo]) { t = v[mid]; v[mid] = v[lo]; v[lo] = t; }
        if (v[hi] < v[lo]) { t = v[hi]; v[hi] = v[lo]; v[lo] = t; }
        if (v[hi] < v[mid]) { t = v[hi]; v[hi] = v[mid]; v[mid] = t; }
        const double pivot = v[mid];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (pivot < v[j]) j--;
            if (i <= j) { t = v[i]; v[i] = v[j]; v[j] = t; i++; j--; }
        }
        if (r <= j) hi = j;
        else if (r >= i) lo = i;
        else return v[r];
    }
    return v[r];
}

// Ranks j and k (j <= k) of the m values in w, reordered in place.
static void select_pair(double *w, ptrdiff_t m, ptrdiff_t j, ptrdiff_t k, double *vj, double *vk) {
    *vj = select_rank(w, m, j);
    if (k == j) { *vk = *vj; return; }
    // After the selection every value past j is at least v[j]: rank k is found among them.
    *vk = select_rank(w + j + 1, m - j - 1, k - j - 1);
}

// By buckets: the values counted into 4096 buckets of [lo, hi], the buckets holding ranks j
// and k gathered and selected in.
static void middle_by_buckets(const double *v, ptrdiff_t n, ptrdiff_t j, ptrdiff_t k, double lo, double hi,
                              double *vj, double *vk, double *scratch, int32_t *counts) {
    const double scale = (double)MIDDLE_BUCKETS / (hi - lo);
    for (int b = 0; b < MIDDLE_BUCKETS; b++) counts[b] = 0;
    for (ptrdiff_t c = 0; c < n; c++) {
        ptrdiff_t b = (ptrdiff_t)((v[c] - lo) * scale);
        counts[b < MIDDLE_BUCKETS - 1 ? b : MIDDLE_BUCKETS - 1]++;
    }
    ptrdiff_t below = 0, first = 0;
    while (below + counts[first] <= j) { below += counts[first]; first++; }
    ptrdiff_t last = first, below_last = below;
    while (below_last + counts[last] <= k) { below_last += counts[last]; last++; }
    ptrdiff_t m = 0;
    for (ptrdiff_t c = 0; c < n; c++) {
        ptrdiff_t b = (ptrdiff_t)((v[c] - lo) * scale);
        b = b < MIDDLE_BUCKETS - 1 ? b : MIDDLE_BUCKETS - 1;
        if (b >= first && b <= last) scratch[m++] = v[c];
    }
    select_pair(scratch, m, j - below, k - below, vj, vk);
}

#if defined(__x86_64__)
#define MIDDLE_SAMPLE 1024
#define MIDDLE_MARGIN 48

// Ranks j and j + 1 (or j alone when both is 0) of the m values in w by quickselect whose
// partitions are AVX-512 compresses: each round splits the values into those below a pivot
// taken from them (into t), those equal, and those above (into u), and keeps the part holding
// rank j. w, t and u hold m + 8 values each (a compressed vector is stored whole) and are
// reused in turn. above is the smallest value known to exceed every kept one (infinity at
// first), which is rank j + 1 when rank j is the largest kept. (A compress to a register and a
// whole store, not a compress to memory: the latter is slow on some CPUs.)
__attribute__((target("avx512f")))
static void select_pair_avx512(double *w, double *t, double *u, ptrdiff_t m, ptrdiff_t j, int both, double *vj, double *vk) {
    double above = INFINITY;
    while (m > 16) {
        // Pivot: the median of the first, middle and last values.
        double a = w[0], b = w[m / 2], c = w[m - 1];
        double p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        const __m512d p8 = _mm512_set1_pd(p);
        ptrdiff_t nl = 0, ng = 0, x = 0;
        for (; x + 8 <= m; x += 8) {
            __m512d v = _mm512_loadu_pd(w + x);
            __mmask8 lt = _mm512_cmp_pd_mask(v, p8, _CMP_LT_OQ), gt = _mm512_cmp_pd_mask(v, p8, _CMP_GT_OQ);
            _mm512_storeu_pd(t + nl, _mm512_maskz_compress_pd(lt, v));
            nl += __builtin_popcount(lt);
            _mm512_storeu_pd(u + ng, _mm512_maskz_compress_pd(gt, v));
            ng += __builtin_popcount(gt);
        }
        for (; x < m; x++) {
            if (w[x] < p) t[nl++] = w[x];
            else if (w[x] > p) u[ng++] = w[x];
        }
        const ptrdiff_t ne = m - nl - ng;
        double *free_buffer = w;
        if (j < nl) {
            // Rank j below the pivot: the pivot is the smallest value above the kept.
            above = p;
            w = t; t = free_buffer;
            m = nl;
        } else if (j < nl + ne) {
            *vj = p;
            if (!both) return;
            if (j + 1 < nl + ne) { *vk = p; return; }
            // Rank j + 1 is the smallest value above the pivot.
            double mn = above;
            for (ptrdiff_t y = 0; y < ng; y++) mn = u[y] < mn ? u[y] : mn;
            *vk = mn;
            return;
        } else {
            j -= nl + ne;
            w = u; u = free_buffer;
            m = ng;
        }
    }
    // A few values left: insertion sort.
    for (ptrdiff_t x = 1; x < m; x++) {
        double v = w[x];
        ptrdiff_t y = x;
        while (y > 0 && w[y - 1] > v) { w[y] = w[y - 1]; y--; }
        w[y] = v;
    }
    *vj = w[j];
    if (both) *vk = j + 1 < m ? w[j + 1] : above;
}

// The evenly spaced sample of MIDDLE_SAMPLE values of v.
static void take_sample(const double *v, ptrdiff_t n, double *sample) {
    for (ptrdiff_t i = 0; i < MIDDLE_SAMPLE; i++) sample[i] = v[(i * n) / MIDDLE_SAMPLE];
}

// By a sample: two values bracketing ranks j and k are taken from an evenly spaced sample of
// 1024, one pass counts the values below the lower and gathers those between the two, and the
// ranks are selected among the gathered. Returns 0 (nothing found) when the bracket misses,
// which a sample can: the caller then counts buckets. scratch holds 3n + 48 values.
__attribute__((target("avx512f")))
static int middle_by_sample(const double *v, ptrdiff_t n, ptrdiff_t j, ptrdiff_t k, double *vj, double *vk, double *scratch) {
    double *a = scratch, *b = scratch + n + 16, *c = scratch + 2 * (n + 16);
    ptrdiff_t rj = (j * MIDDLE_SAMPLE) / n, rk = (k * MIDDLE_SAMPLE) / n;
    ptrdiff_t rlo = rj - MIDDLE_MARGIN, rhi = rk + MIDDLE_MARGIN;
    if (rlo < 0) rlo = 0;
    if (rhi > MIDDLE_SAMPLE - 1) rhi = MIDDLE_SAMPLE - 1;
    double plo, phi, unused;
    take_sample(v, n, a);
    select_pair_avx512(a, b, c, MIDDLE_SAMPLE, rlo, 0, &plo, &unused);
    take_sample(v, n, a);
    select_pair_avx512(a, b, c, MIDDLE_SAMPLE, rhi, 0, &phi, &unused);
    const __m512d lo8 = _mm512_set1_pd(plo), hi8 = _mm512_set1_pd(phi);
    ptrdiff_t below = 0, m = 0, x = 0;
    for (; x + 8 <= n; x += 8) {
        __m512d y = _mm512_loadu_pd(v + x);
        __mmask8 under = _mm512_cmp_pd_mask(y, lo8, _CMP_LT_OQ);
        __mmask8 inside = _mm512_cmp_pd_mask(y, lo8, _CMP_GE_OQ) & _mm512_cmp_pd_mask(y, hi8, _CMP_LE_OQ);
        below += __builtin_popcount(under);
        _mm512_storeu_pd(a + m, _mm512_maskz_compress_pd(inside, y));
        m += __builtin_popcount(inside);
    }
    for (; x < n; x++) {
        if (v[x] < plo) below++;
        else if (v[x] <= phi) a[m++] = v[x];
    }
    if (below > j || below + m <= k) return 0;
    // Every value above the kept exceeds phi >= each kept value: rank k is among the kept.
    select_pair_avx512(a, b, c, m, j - below, k > j, vj, vk);
    if (k == j) *vk = *vj;
    return 1;
}
#endif

void crick_motif_middle_values(const double *v, ptrdiff_t n, ptrdiff_t j, ptrdiff_t k, double lo, double hi,
                               double *vj, double *vk, double *scratch, int32_t *counts) {
    if (!(hi > lo)) { *vj = lo; *vk = lo; return; }
#if defined(__x86_64__)
    if (n >= 4 * MIDDLE_SAMPLE && crick_kernel_level() >= CRICK_KERNELS_AVX512 && middle_by_sample(v, n, j, k, vj, vk, scratch)) return;
#endif
    middle_by_buckets(v, n, j, k, lo, hi, vj, vk, scratch, counts);
}

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

// Diagonal sums of one target strand's levels: the block holds its wt columns as rows of wq
// levels; lsum[o + wt - 1] = the sum over r of block[r][o + r] for the offsets o = i - r in
// -(wt - 1) ... wq - 1 where 0 <= o + r < wq.
static void diagonals_generic(const int32_t *levels, ptrdiff_t wt, ptrdiff_t wq, int32_t *lsum) {
    for (ptrdiff_t o = 0; o < wt + wq - 1; o++) lsum[o] = 0;
    for (ptrdiff_t r = 0; r < wt; r++) {
        int32_t *l = lsum + (wt - 1 - r);
        for (ptrdiff_t i = 0; i < wq; i++) l[i] += levels[r * wq + i];
    }
}

#if defined(__x86_64__)
// Sixteen offsets at a time in a register: row r adds its levels at columns o + r, a masked
// load of one row (masked lanes read nothing, so no load leaves the row).
__attribute__((target("avx512f")))
static void diagonals_avx512(const int32_t *levels, ptrdiff_t wt, ptrdiff_t wq, int32_t *lsum) {
    const ptrdiff_t offsets = wt + wq - 1;
    for (ptrdiff_t base = 0; base < offsets; base += 16) {
        // Lanes l hold offsets o = base + l - (wt - 1).
        __m512i acc = _mm512_setzero_si512();
        for (ptrdiff_t r = 0; r < wt; r++) {
            // Column i = o + r = base + l - (wt - 1) + r must lie in [0, wq).
            const ptrdiff_t first = base - (wt - 1) + r;   // the column of lane 0
            ptrdiff_t from = first < 0 ? -first : 0, to = wq - first;
            if (to > 16) to = 16;
            if (to <= from) continue;
            const __mmask16 mk = (__mmask16)((((uint32_t)1 << to) - 1) & ~(((uint32_t)1 << from) - 1));
            acc = _mm512_add_epi32(acc, _mm512_maskz_loadu_epi32(mk, levels + r * wq + first));
        }
        const ptrdiff_t left = offsets - base;
        if (left >= 16) _mm512_storeu_si512(lsum + base, acc);
        else _mm512_mask_storeu_epi32(lsum + base, (__mmask16)(((uint32_t)1 << left) - 1), acc);
    }
}
#endif

void crick_motif_diagonal_sums(const int32_t *levels, ptrdiff_t wt, ptrdiff_t wq, int32_t *lsum) {
#if defined(__x86_64__)
    if (crick_kernel_level() >= CRICK_KERNELS_AVX512) { diagonals_avx512(levels, wt, wq, lsum); return; }
#endif
    diagonals_generic(levels, wt, wq, lsum);
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

// The alignments of one target reaching the best (level sum, overlap), in the order tried
// (strand 0 then 1, offsets ascending), as (strand, offset) pairs in tied; returns their count
// (0 when no offset overlaps enough) and the best level sum and overlap.
static ptrdiff_t best_ties_generic(const int32_t *levels, ptrdiff_t wq, ptrdiff_t first0, ptrdiff_t wt, ptrdiff_t min_ov, ptrdiff_t zero,
                                   int32_t *lsum, int32_t *tied, int64_t *level_out, ptrdiff_t *overlap_out) {
    int64_t level = -1;
    ptrdiff_t overlap_best = 0, ties = 0;
    for (int s = 0; s < 2; s++) {
        const ptrdiff_t first = first0 + s * wt;   // the strand's column 0
        crick_motif_diagonal_sums(levels + first * wq, wt, wq, lsum);
        for (ptrdiff_t offset = -(wt - min_ov); offset <= wq - min_ov; offset++) {
            const ptrdiff_t a = offset > 0 ? offset : 0, b = wq < wt + offset ? wq : wt + offset, overlap = b - a;
            if (overlap < min_ov) continue;
            const int64_t total = (int64_t)lsum[offset + wt - 1] + (int64_t)(wq - overlap) * zero;
            if (total > level || (total == level && overlap > overlap_best)) {
                level = total;
                overlap_best = overlap;
                ties = 0;
            }
            if (total == level && overlap == overlap_best) {
                tied[2 * ties] = s;
                tied[2 * ties + 1] = (int32_t)offset;
                ties++;
            }
        }
    }
    *level_out = level;
    *overlap_out = overlap_best;
    return ties;
}

#if defined(__x86_64__)
// As best_ties_generic, sixteen offsets at a time: each offset's key (level sum x 65536 +
// overlap, -1 where the overlap is too short; the caller keeps level sums below 32768) and
// their maximum in registers, then the offsets holding the maximum in order. lsum holds 2 x
// (wt + wq + 16) keys here.
__attribute__((target("avx512f")))
static ptrdiff_t best_ties_avx512(const int32_t *levels, ptrdiff_t wq, ptrdiff_t first0, ptrdiff_t wt, ptrdiff_t min_ov, ptrdiff_t zero,
                                  int32_t *lsum, int32_t *tied, int64_t *level_out, ptrdiff_t *overlap_out) {
    const ptrdiff_t offsets = wt + wq - 1, stride = offsets + 16;
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i wq16 = _mm512_set1_epi32((int32_t)wq), wt16 = _mm512_set1_epi32((int32_t)wt), zero16 = _mm512_setzero_si512();
    const __m512i min16 = _mm512_set1_epi32((int32_t)min_ov), lvl0 = _mm512_set1_epi32((int32_t)zero), none = _mm512_set1_epi32(-1);
    __m512i best = none;
    for (int s = 0; s < 2; s++) {
        int32_t *keys = lsum + s * stride;
        diagonals_avx512(levels + (first0 + s * wt) * wq, wt, wq, keys);
        for (ptrdiff_t base = 0; base < offsets; base += 16) {
            // Lane l: offset o = base + l - (wt - 1); overlap = min(wq, wt + o) - max(0, o).
            const __m512i o = _mm512_sub_epi32(_mm512_add_epi32(_mm512_set1_epi32((int32_t)base), lanes), _mm512_set1_epi32((int32_t)(wt - 1)));
            const __m512i overlap = _mm512_sub_epi32(_mm512_min_epi32(wq16, _mm512_add_epi32(wt16, o)), _mm512_max_epi32(zero16, o));
            const __mmask16 in = (__mmask16)(offsets - base >= 16 ? 0xFFFF : ((1u << (offsets - base)) - 1));
            const __mmask16 ok = _mm512_mask_cmpge_epi32_mask(in, overlap, min16);
            const __m512i total = _mm512_add_epi32(_mm512_maskz_loadu_epi32(in, keys + base),
                                                   _mm512_mullo_epi32(_mm512_sub_epi32(wq16, overlap), lvl0));
            const __m512i key = _mm512_mask_add_epi32(none, ok, _mm512_slli_epi32(total, 16), overlap);
            _mm512_mask_storeu_epi32(keys + base, in, key);
            best = _mm512_max_epi32(best, key);
        }
    }
    const int32_t top = _mm512_reduce_max_epi32(best);
    if (top < 0) { *level_out = -1; *overlap_out = 0; return 0; }
    // The offsets holding the maximum, sixteen keys compared at a time, in order.
    const __m512i top16 = _mm512_set1_epi32(top);
    ptrdiff_t ties = 0;
    for (int s = 0; s < 2; s++) {
        const int32_t *keys = lsum + s * stride;
        for (ptrdiff_t base = 0; base < offsets; base += 16) {
            const __mmask16 in = (__mmask16)(offsets - base >= 16 ? 0xFFFF : ((1u << (offsets - base)) - 1));
            uint32_t hit = _mm512_mask_cmpeq_epi32_mask(in, _mm512_maskz_loadu_epi32(in, keys + base), top16);
            while (hit) {
                const int l = __builtin_ctz(hit);
                hit &= hit - 1;
                tied[2 * ties] = s;
                tied[2 * ties + 1] = (int32_t)(base + l - (wt - 1));
                ties++;
            }
        }
    }
    *level_out = top >> 16;
    *overlap_out = top & 0xFFFF;
    return ties;
}
#endif

void crick_motif_best_alignments(const int32_t *levels, const double *scores, const double *medians, ptrdiff_t n, ptrdiff_t wq,
                                 const ptrdiff_t *starts, const ptrdiff_t *widths, ptrdiff_t count, ptrdiff_t min_overlap,
                                 ptrdiff_t zero, int32_t top, int32_t *lsum, int32_t *tied, int64_t *best_level,
                                 int32_t *best_overlap, int32_t *best_strand, int32_t *best_offset, double *best_score) {
    // Keys pack a level sum (at most wq x top: one level per query column) below 32768 with the
    // overlap: wider queries take the plain loop.
    int vector = 0;
#if defined(__x86_64__)
    vector = crick_kernel_level() >= CRICK_KERNELS_AVX512 && top >= 0 && (int64_t)wq * ((int64_t)top + 1) < 32768;
#endif
    for (ptrdiff_t t = 0; t < count; t++) {
        const ptrdiff_t wt = widths[t];
        best_level[t] = -1;
        if (wt <= 0) continue;
        ptrdiff_t min_ov = min_overlap < wq ? min_overlap : wq;
        if (wt < min_ov) min_ov = wt;
        int64_t level;
        ptrdiff_t overlap_best, ties;
#if defined(__x86_64__)
        if (vector) ties = best_ties_avx512(levels, wq, starts[t], wt, min_ov, zero, lsum, tied, &level, &overlap_best);
        else
#endif
            ties = best_ties_generic(levels, wq, starts[t], wt, min_ov, zero, lsum, tied, &level, &overlap_best);
        if (level < 0) continue;
        // Ties break on the sum of shifted scores (query columns in order, from 0), the first of
        // the highest: query column i faces database column first + i - offset.
        double chosen = -INFINITY;
        int32_t strand = 0, off = 0;
        for (ptrdiff_t k = 0; k < ties; k++) {
            const ptrdiff_t s = tied[2 * k], offset = tied[2 * k + 1], first = starts[t] + s * wt;
            const ptrdiff_t a = offset > 0 ? offset : 0, b = wq < wt + offset ? wq : wt + offset;
            double raw = 0.0;
            for (ptrdiff_t i = a; i < b; i++) raw += scores[i * n + first + i - offset] - medians[i];
            if (raw > chosen) { chosen = raw; strand = (int32_t)s; off = (int32_t)offset; }
        }
        best_level[t] = level;
        best_overlap[t] = (int32_t)overlap_best;
        best_strand[t] = strand;
        best_offset[t] = off;
        best_score[t] = chosen;
    }
}
