#include "ckernels.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// The folded RC convolution's row kernels (RCConv1DFold.swift): sums and differences of each
// input position with its reverse-complement partner, and their gradients added back. Only
// additions and subtractions, element by element in the plain loops' order, so the AVX-512
// kernels (16 channels at a time, the partner run reversed in the register) and the portable
// loops give the same bits.

static void fold_generic(const float *x, ptrdiff_t cin, ptrdiff_t k, ptrdiff_t rows, float *s, float *d) {
    const ptrdiff_t h = cin / 2, kh = k * h;
    for (ptrdiff_t r = 0; r < rows; r++) {
        for (ptrdiff_t j = 0; j < k; j++) {
            const float *restrict front = x + (r + j) * cin, *restrict back = x + (r + k - 1 - j) * cin + (cin - 1);
            float *restrict sr = s + r * kh + j * h, *restrict dr = d + r * kh + j * h;
            for (ptrdiff_t c = 0; c < h; c++) {
                float a = front[c], b = back[-c];
                sr[c] = a + b;
                dr[c] = a - b;
            }
        }
    }
}

static void unfold_generic(const float *gs, const float *gd, ptrdiff_t cin, ptrdiff_t k, ptrdiff_t rows, float *dx) {
    const ptrdiff_t h = cin / 2, kh = k * h;
    for (ptrdiff_t r = 0; r < rows; r++) {
        for (ptrdiff_t j = 0; j < k; j++) {
            float *restrict front = dx + (r + j) * cin, *restrict back = dx + (r + k - 1 - j) * cin + (cin - 1);
            const float *restrict sr = gs + r * kh + j * h, *restrict dr = gd + r * kh + j * h;
            for (ptrdiff_t c = 0; c < h; c++) {
                front[c] += sr[c] + dr[c];
                back[-c] += sr[c] - dr[c];
            }
        }
    }
}

// The folded rows written as the panels crick_pack_panels makes of them: column q of row r at
// (q / 16) * rows * 16 + r * 16 + q % 16, the last panel's unused columns zero.
static void fold_panels_generic(const float *x, ptrdiff_t cin, ptrdiff_t k, ptrdiff_t rows, float *s, float *d) {
    const ptrdiff_t h = cin / 2, kh = k * h, panels = (kh + 15) / 16;
    for (ptrdiff_t r = 0; r < rows; r++) {
        for (ptrdiff_t j = 0; j < k; j++) {
            const float *front = x + (r + j) * cin, *back = x + (r + k - 1 - j) * cin + (cin - 1);
            for (ptrdiff_t c = 0; c < h; c++) {
                ptrdiff_t q = j * h + c, at = (q / 16) * rows * 16 + r * 16 + q % 16;
                float a = front[c], b = back[-c];
                s[at] = a + b;
                d[at] = a - b;
            }
        }
        for (ptrdiff_t q = kh; q < panels * 16; q++) {
            ptrdiff_t at = (q / 16) * rows * 16 + r * 16 + q % 16;
            s[at] = 0;
            d[at] = 0;
        }
    }
}


#if defined(__x86_64__)
/// Lanes 0..m-1 reversed: lane i takes lane m-1-i (m in 1..16).
__attribute__((target("avx512f"), always_inline))
static inline __m512i reversal(ptrdiff_t m) {
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm512_and_si512(_mm512_sub_epi32(_mm512_set1_epi32((int)m - 1), iota), _mm512_set1_epi32(15));
}

// 16 channels at a time: the partner channels cin-1-c are a contiguous run read forwards and
// reversed in the register.
__attribute__((target("avx512f")))
static void fold_avx512(const float *x, ptrdiff_t cin, ptrdiff_t k, ptrdiff_t rows, float *s, float *d) {
    const ptrdiff_t h = cin / 2, kh = k * h;
    for (ptrdiff_t r = 0; r < rows; r++) {
        for (ptrdiff_t j = 0; j < k; j++) {
            const float *front = x + (r + j) * cin, *partner = x + (r + k - 1 - j) * cin;
            float *sr = s + r * kh + j * h, *dr = d + r * kh + j * h;
            for (ptrdiff_t c0 = 0; c0 < h; c0 += 16) {
                ptrdiff_t m = h - c0 < 16 ? h - c0 : 16;
                __mmask16 mask = (__mmask16)((1u << m) - 1u);
                __m512 a = _mm512_maskz_loadu_ps(mask, front + c0);
                __m512 b = _mm512_permutexvar_ps(reversal(m), _mm512_maskz_loadu_ps(mask, partner + cin - c0 - m));
                _mm512_mask_storeu_ps(sr + c0, mask, _mm512_add_ps(a, b));
                _mm512_mask_storeu_ps(dr + c0, mask, _mm512_sub_ps(a, b));
            }
        }
    }
}

/// As fold_avx512, written in panels; h must be a multiple of 16 (each 16 channels are one
/// panel row).
__attribute__((target("avx512f")))
static void fold_panels_avx512(const float *x, ptrdiff_t cin, ptrdiff_t k, ptrdiff_t rows, float *s, float *d) {
    const ptrdiff_t h = cin / 2;
    const __m512i reverse = reversal(16);
    for (ptrdiff_t r = 0; r < rows; r++) {
        for (ptrdiff_t j = 0; j < k; j++) {
            const float *front = x + (r + j) * cin, *partner = x + (r + k - 1 - j) * cin;
            for (ptrdiff_t c0 = 0; c0 < h; c0 += 16) {
                ptrdiff_t at = ((j * h + c0) / 16) * rows * 16 + r * 16;
                __m512 a = _mm512_loadu_ps(front + c0);
                __m512 b = _mm512_permutexvar_ps(reverse, _mm512_loadu_ps(partner + cin - c0 - 16));
                _mm512_storeu_ps(s + at, _mm512_add_ps(a, b));
                _mm512_storeu_ps(d + at, _mm512_sub_ps(a, b));
            }
        }
    }
}

__attribute__((target("avx512f")))
static void unfold_avx512(const float *gs, const float *gd, ptrdiff_t cin, ptrdiff_t k, ptrdiff_t rows, float *dx) {
    const ptrdiff_t h = cin / 2, kh = k * h;
    for (ptrdiff_t r = 0; r < rows; r++) {
        for (ptrdiff_t j = 0; j < k; j++) {
            float *front = dx + (r + j) * cin, *partner = dx + (r + k - 1 - j) * cin;
            const float *sr = gs + r * kh + j * h, *dr = gd + r * kh + j * h;
            for (ptrdiff_t c0 = 0; c0 < h; c0 += 16) {
                ptrdiff_t m = h - c0 < 16 ? h - c0 : 16;
                __mmask16 mask = (__mmask16)((1u << m) - 1u);
                __m512 a = _mm512_maskz_loadu_ps(mask, sr + c0), b = _mm512_maskz_loadu_ps(mask, dr + c0);
                float *f = front + c0, *p = partner + cin - c0 - m;
                _mm512_mask_storeu_ps(f, mask, _mm512_add_ps(_mm512_maskz_loadu_ps(mask, f), _mm512_add_ps(a, b)));
                __m512 back = _mm512_permutexvar_ps(reversal(m), _mm512_sub_ps(a, b));
                _mm512_mask_storeu_ps(p, mask, _mm512_add_ps(_mm512_maskz_loadu_ps(mask, p), back));
            }
        }
    }
}
#endif

void crick_rc_fold(const float *x, ptrdiff_t cin, ptrdiff_t k, ptrdiff_t rows, float *s, float *d) {
#if defined(__x86_64__)
    int level = crick_kernel_level();
    if (level >= CRICK_KERNELS_AVX512) { fold_avx512(x, cin, k, rows, s, d); return; }
#endif
    fold_generic(x, cin, k, rows, s, d);
}

void crick_rc_fold_panels(const float *x, ptrdiff_t cin, ptrdiff_t k, ptrdiff_t rows, float *s, float *d) {
#if defined(__x86_64__)
    if (crick_kernel_level() >= CRICK_KERNELS_AVX512 && (cin / 2) % 16 == 0) { fold_panels_avx512(x, cin, k, rows, s, d); return; }
#endif
    fold_panels_generic(x, cin, k, rows, s, d);
}

void crick_rc_unfold_add(const float *gs, const float *gd, ptrdiff_t cin, ptrdiff_t k, ptrdiff_t rows, float *dx) {
#if defined(__x86_64__)
    int level = crick_kernel_level();
    if (level >= CRICK_KERNELS_AVX512) { unfold_avx512(gs, gd, cin, k, rows, dx); return; }
#endif
    unfold_generic(gs, gd, cin, k, rows, dx);
}
