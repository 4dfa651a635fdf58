#include "ckernels.h"
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Row kernels of the inference plan. Each computes exactly what the plain loops do, element by
// element and in the same order (no fused multiply-add, the same comparison on ties, signed
// zeros and NaN), so a vector path and the portable one give the same bits.

static void pool_max_generic(const float *src, ptrdiff_t rows, ptrdiff_t c, float *dst) {
    memcpy(dst, src, (size_t)c * sizeof(float));
    for (ptrdiff_t r = 1; r < rows; r++) {
        const float *row = src + r * c;
        for (ptrdiff_t k = 0; k < c; k++) dst[k] = row[k] >= dst[k] ? row[k] : dst[k];
    }
}

static void affine_generic(float *p, ptrdiff_t rows, ptrdiff_t c, const float *a, const float *b, int relu) {
    for (ptrdiff_t t = 0; t < rows; t++) {
        float *row = p + t * c;
        for (ptrdiff_t o = 0; o < c; o++) {
            float v = row[o] * a[o];
            v = v + b[o];
            row[o] = relu ? (v >= 0.0f ? v : 0.0f) : v;
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static void pool_max_avx2(const float *src, ptrdiff_t rows, ptrdiff_t c, float *dst) {
    ptrdiff_t k = 0;
    for (; k + 8 <= c; k += 8) {
        __m256 m = _mm256_loadu_ps(src + k);
        for (ptrdiff_t r = 1; r < rows; r++) {
            __m256 v = _mm256_loadu_ps(src + r * c + k);
            m = _mm256_blendv_ps(m, v, _mm256_cmp_ps(v, m, _CMP_GE_OQ));   // v >= m ? v : m
        }
        _mm256_storeu_ps(dst + k, m);
    }
    for (; k < c; k++) {
        float m = src[k];
        for (ptrdiff_t r = 1; r < rows; r++) m = src[r * c + k] >= m ? src[r * c + k] : m;
        dst[k] = m;
    }
}

__attribute__((target("avx2")))
static void affine_avx2(float *p, ptrdiff_t rows, ptrdiff_t c, const float *a, const float *b, int relu) {
    const __m256 zero = _mm256_setzero_ps();
    for (ptrdiff_t t = 0; t < rows; t++) {
        float *row = p + t * c;
        ptrdiff_t o = 0;
        for (; o + 8 <= c; o += 8) {
            __m256 v = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(row + o), _mm256_loadu_ps(a + o)), _mm256_loadu_ps(b + o));
            if (relu) v = _mm256_blendv_ps(zero, v, _mm256_cmp_ps(v, zero, _CMP_GE_OQ));   // v >= 0 ? v : 0
            _mm256_storeu_ps(row + o, v);
        }
        for (; o < c; o++) {
            float v = row[o] * a[o];
            v = v + b[o];
            row[o] = relu ? (v >= 0.0f ? v : 0.0f) : v;
        }
    }
}
#endif

void crick_pool_max(const float *src, ptrdiff_t rows, ptrdiff_t c, float *dst) {
    if (rows <= 0) return;
#if defined(__x86_64__)
    if (crick_has_avx2_fma()) { pool_max_avx2(src, rows, c, dst); return; }
#endif
    pool_max_generic(src, rows, c, dst);
}

void crick_affine_rows(float *p, ptrdiff_t rows, ptrdiff_t c, const float *a, const float *b, int relu) {
#if defined(__x86_64__)
    if (crick_has_avx2_fma()) { affine_avx2(p, rows, c, a, b, relu); return; }
#endif
    affine_generic(p, rows, c, a, b, relu);
}

// Max pooling with the position of each maximum (training): the first row of the window, then
// a later row only where its value is strictly greater (ties and NaN keep the earlier).
static void pool_argmax_generic(const float *src, ptrdiff_t rows, ptrdiff_t c, int32_t first, float *dst, int32_t *arg) {
    for (ptrdiff_t k = 0; k < c; k++) { dst[k] = src[k]; arg[k] = first; }
    for (ptrdiff_t r = 1; r < rows; r++) {
        const float *row = src + r * c;
        for (ptrdiff_t k = 0; k < c; k++) {
            if (row[k] > dst[k]) { dst[k] = row[k]; arg[k] = first + (int32_t)r; }
        }
    }
}

#if defined(__x86_64__)
__attribute__((target("avx512f")))
static void pool_argmax_avx512(const float *src, ptrdiff_t rows, ptrdiff_t c, int32_t first, float *dst, int32_t *arg) {
    for (ptrdiff_t k = 0; k < c; k += 16) {
        ptrdiff_t n = c - k < 16 ? c - k : 16;
        __mmask16 lanes = (__mmask16)((1u << n) - 1u);
        __m512 m = _mm512_maskz_loadu_ps(lanes, src + k);
        __m512i at = _mm512_set1_epi32(first);
        for (ptrdiff_t r = 1; r < rows; r++) {
            __m512 v = _mm512_maskz_loadu_ps(lanes, src + r * c + k);
            __mmask16 greater = _mm512_cmp_ps_mask(v, m, _CMP_GT_OQ);
            m = _mm512_mask_mov_ps(m, greater, v);
            at = _mm512_mask_mov_epi32(at, greater, _mm512_set1_epi32(first + (int32_t)r));
        }
        _mm512_mask_storeu_ps(dst + k, lanes, m);
        _mm512_mask_storeu_epi32(arg + k, lanes, at);
    }
}
#endif

void crick_pool_argmax(const float *src, ptrdiff_t rows, ptrdiff_t c, int32_t first, float *dst, int32_t *arg) {
    if (rows <= 0) return;
#if defined(__x86_64__)
    if (crick_kernel_level() >= CRICK_KERNELS_AVX512) { pool_argmax_avx512(src, rows, c, first, dst, arg); return; }
#endif
    pool_argmax_generic(src, rows, c, first, dst, arg);
}
