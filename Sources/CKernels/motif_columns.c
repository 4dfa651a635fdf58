#include "ckernels.h"
#include <math.h>
#include <stdlib.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// The motif comparison's column loops (MotifComparison.swift): the scores of one query column
// against every database column, and the exact middle values of those scores.
// Every value is the one the plain loops give: products and sums are never fused (contraction
// off), the same operations run in the same order in every path, and division and square root
// are correctly rounded in scalar and vector form alike.
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
__attribute__((target("avx512f")))
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
            // Minus, as -sqrt(e): the sign bit flipped (an integer xor: AVX-512F alone).
            s = _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(_mm512_sqrt_pd(e)), _mm512_set1_epi64((long long)0x8000000000000000ULL)));
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
