/* The 16 x 16 float transpose in AVX-512 registers shared by sgemm's "gather" packing
   (gemm_x86.c) and the convolution's im2col packing (conv.c). Include after <immintrin.h>. */
#ifndef TGC_TRANSPOSE_AVX512_H
#define TGC_TRANSPOSE_AVX512_H

#if defined(__clang__)
#define TGC_TRANSPOSE_UNROLL _Pragma("unroll")
#else
#define TGC_TRANSPOSE_UNROLL _Pragma("GCC unroll 16")
#endif

/* x[i] = row i of a 16 x 16 block becomes x[p] = column p. */
__attribute__((target("avx512f"), always_inline)) static inline void tgc__transpose16_avx512(__m512 x[16]) {
    __m512 t[16], u[16];
    /* t: pairs of rows interleaved; u[4g + c]: column 4L + c of rows 4g..4g+3 in 128-bit
       lane L; then whole lanes move into place. */
    TGC_TRANSPOSE_UNROLL
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(x[2 * i], x[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(x[2 * i], x[2 * i + 1]);
    }
    TGC_TRANSPOSE_UNROLL
    for (int g = 0; g < 4; g++) {
        u[4 * g + 0] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
        u[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
        u[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
        u[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
    }
    TGC_TRANSPOSE_UNROLL
    for (int c = 0; c < 4; c++) {
        __m512 v0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88);
        __m512 v1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xDD);
        __m512 w0 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
        __m512 w1 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
        x[c] = _mm512_shuffle_f32x4(v0, w0, 0x88);
        x[8 + c] = _mm512_shuffle_f32x4(v0, w0, 0xDD);
        x[4 + c] = _mm512_shuffle_f32x4(v1, w1, 0x88);
        x[12 + c] = _mm512_shuffle_f32x4(v1, w1, 0xDD);
    }
}

#undef TGC_TRANSPOSE_UNROLL

#endif
