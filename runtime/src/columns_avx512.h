/* Rows of a plane read 16 columns at a time in AVX-512 registers, shared by the Winograd
   transforms (winograd.c, winograd_f4.c). Include after <immintrin.h>. */
#ifndef TGC_COLUMNS_AVX512_H
#define TGC_COLUMNS_AVX512_H

#include <stdint.h>

#define TGC_AVX512_INLINE __attribute__((target("avx512f"), always_inline)) static inline

/* Lanes k of 16 with a <= k < b. */
TGC_AVX512_INLINE __mmask16 tgc__lane_range(int64_t a, int64_t b) {
    a = a < 0 ? 0 : a > 16 ? 16 : a;
    b = b < 0 ? 0 : b > 16 ? 16 : b;
    return (__mmask16)(b > a ? ((1u << b) - 1u) & ~((1u << a) - 1u) : 0u);
}

/* Columns col .. col+15 of a row (row: its column 0) of width w, zeros outside it (a masked
   load: nothing outside the row is read). */
TGC_AVX512_INLINE __m512 tgc__load_columns16(const float *row, int64_t col, int64_t w) {
    return _mm512_maskz_loadu_ps(tgc__lane_range(-col, w - col), (const void *)((uintptr_t)row + (uintptr_t)(col * 4)));
}

#undef TGC_AVX512_INLINE

#endif
