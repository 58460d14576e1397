/* Rows of a plane read and written 8 columns at a time in AVX2 registers, shared by the
   Winograd transforms (winograd.c) and 2x2 max pooling (pool.c). Include after <immintrin.h>. */
#ifndef TGC_COLUMNS_AVX2_H
#define TGC_COLUMNS_AVX2_H

#include <stdint.h>

#define TGC_AVX2_INLINE __attribute__((target("avx2,fma"), always_inline)) static inline

/* Columns col .. col+7 of a row (row: its column 0) of width w >= 8, zeros outside it. An
   edge window is loaded from the 8 columns inside the row nearest it and its lanes moved into
   place: a masked load (vmaskmovps) costs several times more on AMD's cores, and a plain load
   past the row could leave the buffer. */
TGC_AVX2_INLINE __m256 tgc__load_columns8(const float *row, int64_t col, int64_t w) {
    if (col >= 0 && col + 8 <= w) return _mm256_loadu_ps(row + col);
    const int64_t base = col < 0 ? 0 : col > w - 8 ? w - 8 : col;
    const int64_t shift = col - base < -8 ? -8 : col - base > 8 ? 8 : col - base;
    /* lane k holds column col + k = loaded lane shift + k, when that lies in 0 ..< 8 */
    const __m256i at = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int32_t)shift));
    const __m256i inside = _mm256_and_si256(_mm256_cmpgt_epi32(at, _mm256_set1_epi32(-1)), _mm256_cmpgt_epi32(_mm256_set1_epi32(8), at));
    return _mm256_and_ps(_mm256_permutevar8x32_ps(_mm256_loadu_ps(row + base), at), _mm256_castsi256_ps(inside));
}

/* Lanes 0 .. n-1 of v to out[0 .. n-1] (n <= 8 used), touching nothing past them (rows that
   other threads write): 4, 2 and 1 lanes at a time below 8 (a memcpy of the lanes costs a
   library call per store, a masked store several times a plain one on AMD's cores). */
TGC_AVX2_INLINE void tgc__store_columns8(float *out, int64_t n, __m256 v) {
    if (n >= 8) {
        _mm256_storeu_ps(out, v);
        return;
    }
    __m128 part = _mm256_castps256_ps128(v);
    if (n >= 4) {
        _mm_storeu_ps(out, part);
        part = _mm256_extractf128_ps(v, 1);
        out += 4, n -= 4;
    }
    if (n >= 2) {
        _mm_storel_pi((__m64 *)out, part);
        part = _mm_movehl_ps(part, part);
        out += 2, n -= 2;
    }
    if (n >= 1) _mm_store_ss(out, part);
}

/* The even and the odd floats of the 16 floats a, b (a first). */
TGC_AVX2_INLINE __m256 tgc__even_floats(__m256 a, __m256 b) {
    const __m256 s = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)); /* a0 a2 b0 b2 | a4 a6 b4 b6 */
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(s), _MM_SHUFFLE(3, 1, 2, 0)));
}
TGC_AVX2_INLINE __m256 tgc__odd_floats(__m256 a, __m256 b) {
    const __m256 s = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(s), _MM_SHUFFLE(3, 1, 2, 0)));
}

#endif
