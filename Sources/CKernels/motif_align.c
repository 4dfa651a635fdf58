#include "ckernels.h"
#include <math.h>
#include <stdlib.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// The motif comparison's alignments (MotifComparison.swift): the level sums of every offset of a
// target strand against a query as its block's diagonals, and each target's best alignment.
// Every value is the one the plain loops give: products and sums are never fused (contraction
// off), the same operations run in the same order in every path, and division and square root
// are correctly rounded in scalar and vector form alike.
#pragma STDC FP_CONTRACT OFF

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
        // Ties break on the sum of shifted scores (query columns in order, from 0): the first
        // tie, then any later one strictly higher. Query column i faces database column
        // first + i - offset.
        double chosen = -INFINITY;
        int32_t strand = 0, off = 0;
        for (ptrdiff_t k = 0; k < ties; k++) {
            const ptrdiff_t s = tied[2 * k], offset = tied[2 * k + 1], first = starts[t] + s * wt;
            const ptrdiff_t a = offset > 0 ? offset : 0, b = wq < wt + offset ? wq : wt + offset;
            double raw = 0.0;
            for (ptrdiff_t i = a; i < b; i++) raw += scores[i * n + first + i - offset] - medians[i];
            if (k == 0 || raw > chosen) { chosen = raw; strand = (int32_t)s; off = (int32_t)offset; }
        }
        best_level[t] = level;
        best_overlap[t] = (int32_t)overlap_best;
        best_strand[t] = strand;
        best_offset[t] = off;
        best_score[t] = chosen;
    }
}
