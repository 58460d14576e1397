/* The 8 x 8 float transpose in AVX2 registers shared by sgemm's "gather" packing (gemm_x86.c)
   and the convolution's im2col packing (conv.c). Include after <immintrin.h>. */
#ifndef TGC_TRANSPOSE_AVX2_H
#define TGC_TRANSPOSE_AVX2_H

#if defined(__clang__)
#define TGC_TRANSPOSE8_UNROLL _Pragma("unroll")
#else
#define TGC_TRANSPOSE8_UNROLL _Pragma("GCC unroll 8")
#endif

/* x[i] = row i of an 8 x 8 block becomes x[p] = column p. */
__attribute__((target("avx2"), always_inline)) static inline void tgc__transpose8_avx2(__m256 x[8]) {
    __m256 t[8], u[8];
    TGC_TRANSPOSE8_UNROLL
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(x[2 * i], x[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(x[2 * i], x[2 * i + 1]);
    }
    TGC_TRANSPOSE8_UNROLL
    for (int g = 0; g < 2; g++) {
        u[4 * g + 0] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
        u[4 * g + 1] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
        u[4 * g + 2] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
        u[4 * g + 3] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
    }
    /* u[c] holds column c (low lane) and c + 4 (high lane) of rows 0..3, u[4 + c] the same of
       rows 4..7. */
    TGC_TRANSPOSE8_UNROLL
    for (int c = 0; c < 4; c++) {
        x[c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x20);
        x[4 + c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x31);
    }
}

#endif
