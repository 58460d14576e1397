/* x86-64 micro-kernels of tgc_sgemm: AVX-512 (MR x 32) and AVX2 (6 x 16), both FMA.
   Each function carries a target attribute, so this file builds without -march flags (the
   runtime library, SwiftPM's clang); tgc__gemm_x86_kernels offers a kernel only when the
   CPU and OS support its instructions. See gemm_internal.h for the kernel contract. */
#include <stddef.h>
#include <stdint.h>

#include "gemm_internal.h"

#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))

#include <cpuid.h>
#include <immintrin.h>
#include "transpose_avx2.h"
#include "transpose_avx512.h"

#define TGC_PRAGMA(x) _Pragma(#x)
#if defined(__clang__)
#define TGC_UNROLL_ALL TGC_PRAGMA(unroll)
#define TGC_UNROLL(n) TGC_PRAGMA(unroll n)
#else
#define TGC_UNROLL_ALL TGC_PRAGMA(GCC unroll 64)
#define TGC_UNROLL(n) TGC_PRAGMA(GCC unroll n)
#endif

#define TGC_AVX512 __attribute__((target("avx512f,avx2,fma")))
#define TGC_AVX2 __attribute__((target("avx2,fma")))

/* ---- AVX-512: MR rows x 32 columns, 2*MR zmm accumulators ------------------------------- */

/* MR = 14: 28 accumulators + 2 B vectors + 1 broadcast = 31 of 32 zmm registers. The sizes
   can be overridden with -D for tuning. */
#ifndef AVX512_MR
#define AVX512_MR 14
#endif
#define AVX512_NR 32
#ifndef AVX512_MC
#define AVX512_MC (16 * AVX512_MR)
#endif
#ifndef AVX512_KC
#define AVX512_KC 512
#endif
#ifndef AVX512_NC
#define AVX512_NC 2048
#endif

/* One tile with R of the MR rows and NV of the two 16-wide column vectors computed, R and NV
   compile-time constants once inlined: edge tiles (the last rows of m = 128, n = 10) skip the
   padded rows and columns instead of computing them and storing under a mask. Each computed
   element goes through the same operations as in a full tile. */
TGC_AVX512 static inline __attribute__((always_inline)) void
tile_avx512(int64_t kc, const float *pa, const float *pb, const tgc__gemm_b_row *rows, float *c,
            int64_t ldc, float alpha, float beta, int mr, int nr, const int R, const int NV) {
    __m512 acc0[AVX512_MR], acc1[AVX512_MR];
    TGC_UNROLL_ALL
    for (int r = 0; r < R; r++) {
        acc0[r] = _mm512_setzero_ps();
        acc1[r] = _mm512_setzero_ps();
    }
    TGC_UNROLL_ALL
    for (int r = 0; r < R; r++)
        if (r < mr) {
            _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
            if (NV == 2) _mm_prefetch((const char *)(c + r * ldc + AVX512_NR - 1), _MM_HINT_T0);
        }
    TGC_UNROLL(4)
    for (int64_t p = 0; p < kc; p++) {
        __m512 b0, b1;
        if (rows != NULL) { /* B's row p under its mask (tgc__gemm_rows_ukernel) */
            b0 = _mm512_maskz_loadu_ps((__mmask16)rows[p].mask, (const void *)rows[p].at);
            b1 = NV == 2 ? _mm512_maskz_loadu_ps((__mmask16)(rows[p].mask >> 16), (const void *)(rows[p].at + 64)) : b0;
        } else {
            b0 = _mm512_load_ps(pb);
            b1 = NV == 2 ? _mm512_load_ps(pb + 16) : b0;
        }
        TGC_UNROLL_ALL
        for (int r = 0; r < R; r++) {
            __m512 av = _mm512_set1_ps(pa[r]);
            acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);
            if (NV == 2) acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);
        }
        pa += AVX512_MR;
        pb += AVX512_NR;
    }
    __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1u);
    __mmask16 m1 = nr >= 32   ? (__mmask16)0xFFFF
                   : nr <= 16 ? (__mmask16)0
                              : (__mmask16)((1u << (nr - 16)) - 1u);
    __m512 va = _mm512_set1_ps(alpha);
    if (beta == 0.0f) {
        TGC_UNROLL_ALL
        for (int r = 0; r < R; r++) {
            if (r < mr) {
                float *cr = c + r * ldc;
                _mm512_mask_storeu_ps(cr, m0, _mm512_mul_ps(va, acc0[r]));
                if (NV == 2) _mm512_mask_storeu_ps(cr + 16, m1, _mm512_mul_ps(va, acc1[r]));
            }
        }
    } else {
        __m512 vb = _mm512_set1_ps(beta);
        TGC_UNROLL_ALL
        for (int r = 0; r < R; r++) {
            if (r < mr) {
                float *cr = c + r * ldc;
                __m512 c0 = _mm512_maskz_loadu_ps(m0, cr);
                c0 = _mm512_add_ps(_mm512_mul_ps(va, acc0[r]), _mm512_mul_ps(vb, c0));
                _mm512_mask_storeu_ps(cr, m0, c0);
                if (NV == 2) {
                    __m512 c1 = _mm512_maskz_loadu_ps(m1, cr + 16);
                    c1 = _mm512_add_ps(_mm512_mul_ps(va, acc1[r]), _mm512_mul_ps(vb, c1));
                    _mm512_mask_storeu_ps(cr + 16, m1, c1);
                }
            }
        }
    }
}

/* The micro-kernel: a full tile, or an edge tile rounded up to an even number of rows and to
   one or two column vectors. */
TGC_AVX512 static inline __attribute__((always_inline)) void
any_tile_avx512(int64_t kc, const float *pa, const float *pb, const tgc__gemm_b_row *rows, float *c,
                int64_t ldc, float alpha, float beta, int mr, int nr) {
#define TGC_AVX512_TILE(R)                                                                     \
    do {                                                                                       \
        if (nr > 16)                                                                           \
            tile_avx512(kc, pa, pb, rows, c, ldc, alpha, beta, mr, nr, R, 2);                  \
        else                                                                                   \
            tile_avx512(kc, pa, pb, rows, c, ldc, alpha, beta, mr, nr, R, 1);                  \
        return;                                                                                \
    } while (0)
#define TGC_AVX512_ROWS(R) ((R) < AVX512_MR ? (R) : AVX512_MR)
    if (mr > 12) TGC_AVX512_TILE(AVX512_MR);
    if (mr > 8) TGC_AVX512_TILE(TGC_AVX512_ROWS(12));
    if (mr > 4) TGC_AVX512_TILE(TGC_AVX512_ROWS(8));
    if (mr > 2) TGC_AVX512_TILE(TGC_AVX512_ROWS(4));
    TGC_AVX512_TILE(TGC_AVX512_ROWS(2));
#undef TGC_AVX512_ROWS
#undef TGC_AVX512_TILE
}

TGC_AVX512 static void kernel_avx512(int64_t kc, const float *pa, const float *pb, float *c,
                                     int64_t ldc, float alpha, float beta, int mr, int nr) {
    any_tile_avx512(kc, pa, pb, NULL, c, ldc, alpha, beta, mr, nr);
}

/* The same tile with B's rows read in place (tgc__gemm_rows_ukernel): the same operations on
   the same values as kernel_avx512 on the packed panel of those rows. */
TGC_AVX512 static void rows_kernel_avx512(int64_t kc, const float *pa, const tgc__gemm_b_row *rows, float *c,
                                          int64_t ldc, float alpha, float beta, int mr, int nr) {
    any_tile_avx512(kc, pa, NULL, rows, c, ldc, alpha, beta, mr, nr);
}

/* NP (a compile-time constant once inlined) panels of one row (tgc__gemm_row_ukernel): per
   element tile_avx512's operations for row 0. */
TGC_AVX512 static inline __attribute__((always_inline)) void
row_panels_avx512(int64_t kc, const float *pa, int64_t a_step, const float *pb, int64_t panel_floats, float *c, float alpha,
                  float beta, int nr_last, int last, const int NP) {
    __m512 acc[2 * 4];
    TGC_UNROLL_ALL
    for (int j = 0; j < 2 * NP; j++) acc[j] = _mm512_setzero_ps();
    TGC_UNROLL(4)
    for (int64_t p = 0; p < kc; p++) {
        const __m512 av = _mm512_set1_ps(pa[p * a_step]);
        TGC_UNROLL_ALL
        for (int j = 0; j < NP; j++) {
            acc[2 * j] = _mm512_fmadd_ps(av, _mm512_load_ps(pb + j * panel_floats + p * AVX512_NR), acc[2 * j]);
            acc[2 * j + 1] = _mm512_fmadd_ps(av, _mm512_load_ps(pb + j * panel_floats + p * AVX512_NR + 16), acc[2 * j + 1]);
        }
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    TGC_UNROLL_ALL
    for (int j = 0; j < NP; j++) {
        const int nr = last && j == NP - 1 ? nr_last : AVX512_NR;
        const __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1u);
        const __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF : nr <= 16 ? (__mmask16)0 : (__mmask16)((1u << (nr - 16)) - 1u);
        float *cj = c + j * AVX512_NR;
        if (beta == 0.0f) {
            _mm512_mask_storeu_ps(cj, m0, _mm512_mul_ps(va, acc[2 * j]));
            _mm512_mask_storeu_ps(cj + 16, m1, _mm512_mul_ps(va, acc[2 * j + 1]));
        } else {
            const __m512 c0 = _mm512_maskz_loadu_ps(m0, cj), c1 = _mm512_maskz_loadu_ps(m1, cj + 16);
            _mm512_mask_storeu_ps(cj, m0, _mm512_add_ps(_mm512_mul_ps(va, acc[2 * j]), _mm512_mul_ps(vb, c0)));
            _mm512_mask_storeu_ps(cj + 16, m1, _mm512_add_ps(_mm512_mul_ps(va, acc[2 * j + 1]), _mm512_mul_ps(vb, c1)));
        }
    }
}

/* tgc__gemm_row_ukernel: four panels at a time (8 sums in flight: the FMA latency times its
   throughput), then the rest. */
TGC_AVX512 static void row_kernel_avx512(int64_t kc, const float *pa, int64_t a_step, const float *pb, int panels, float *c,
                                         float alpha, float beta, int nr_last) {
    const int64_t panel_floats = kc * AVX512_NR;
    for (int q = 0; q < panels; q += 4) {
        const int left = panels - q, last = left <= 4;
        const float *pq = pb + q * panel_floats;
        float *cq = c + q * AVX512_NR;
        if (left >= 4) row_panels_avx512(kc, pa, a_step, pq, panel_floats, cq, alpha, beta, nr_last, last, 4);
        else if (left == 3) row_panels_avx512(kc, pa, a_step, pq, panel_floats, cq, alpha, beta, nr_last, last, 3);
        else if (left == 2) row_panels_avx512(kc, pa, a_step, pq, panel_floats, cq, alpha, beta, nr_last, last, 2);
        else row_panels_avx512(kc, pa, a_step, pq, panel_floats, cq, alpha, beta, nr_last, last, 1);
    }
}

/* The "gather" packing (gemm_internal.h) with 16 x 16 in-register transposes:
   dst[p*w + r] = src[r*ld + p] for r < rows, p < kb; zeros for rows <= r < w. */
TGC_AVX512 static void pack_gather_avx512(const float *src, int64_t ld, int rows, int64_t kb,
                                          int w, float *dst) {
    for (int r0 = 0; r0 < w; r0 += 16) {
        const int rn = rows - r0 < 0 ? 0 : rows - r0 > 16 ? 16 : rows - r0;
        const int wn = w - r0 > 16 ? 16 : w - r0;
        const __mmask16 mw = (__mmask16)((1u << wn) - 1u);
        for (int64_t q = 0; q < kb; q += 16) {
            const int qn = kb - q < 16 ? (int)(kb - q) : 16;
            const __mmask16 mq = (__mmask16)((1u << qn) - 1u);
            __m512 x[16];
            TGC_UNROLL_ALL
            for (int i = 0; i < 16; i++)
                x[i] = i < rn ? _mm512_maskz_loadu_ps(mq, src + (r0 + i) * ld + q)
                              : _mm512_setzero_ps();
            tgc__transpose16_avx512(x);
            /* x[p] is now column q + p: rows r0 .. r0+15 of the panel's row p. */
            TGC_UNROLL_ALL
            for (int p = 0; p < 16; p++)
                if (p < qn) _mm512_mask_storeu_ps(dst + (q + p) * w + r0, mw, x[p]);
        }
    }
}

/* The "copy" packing (gemm_internal.h) with masked vector moves, no memcpy call per row:
   dst[p*w + r] = src[p*ld + r] for r < rows, p < kb; zeros for rows <= r < w. */
TGC_AVX512 static void pack_copy_avx512(const float *src, int64_t ld, int rows, int64_t kb,
                                        int w, float *dst) {
    for (int r0 = 0; r0 < w; r0 += 16) {
        const int rn = rows - r0 < 0 ? 0 : rows - r0 > 16 ? 16 : rows - r0;
        const int wn = w - r0 > 16 ? 16 : w - r0;
        const __mmask16 mr = (__mmask16)((1u << rn) - 1u), mw = (__mmask16)((1u << wn) - 1u);
        for (int64_t p = 0; p < kb; p++)
            _mm512_mask_storeu_ps(dst + p * w + r0, mw, _mm512_maskz_loadu_ps(mr, src + p * ld + r0));
    }
}

/* ---- AVX2: 6 rows x 16 columns, 12 ymm accumulators --------------------------------------- */

#define AVX2_MR 6
#define AVX2_NR 16

/* The 6 x 16 tile's k loop: its sums in the 12 accumulators c00 .. c51 (declared here). */
#define TGC_AVX2_TILE_SUMS(kc, pa, pb)                                                         \
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;   \
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;                   \
    for (int64_t p = 0; p < (kc); p++, (pa) += AVX2_MR, (pb) += AVX2_NR) {                     \
        const __m256 b0 = _mm256_load_ps(pb), b1 = _mm256_load_ps((pb) + 8);                  \
        __m256 av;                                                                             \
        TGC_AVX2_ROW(pa, 0) TGC_AVX2_ROW(pa, 1) TGC_AVX2_ROW(pa, 2)                            \
        TGC_AVX2_ROW(pa, 3) TGC_AVX2_ROW(pa, 4) TGC_AVX2_ROW(pa, 5)                            \
    }
#define TGC_AVX2_ROW(pa, r)                                                                    \
    av = _mm256_broadcast_ss((pa) + r);                                                        \
    c##r##0 = _mm256_fmadd_ps(av, b0, c##r##0);                                                \
    c##r##1 = _mm256_fmadd_ps(av, b1, c##r##1);

/* The k loop alone, not inlined: with alpha and beta live across it GCC would spill an
   accumulator (12 of them, 2 of B and a broadcast take all 16 ymm registers). */
TGC_AVX2 __attribute__((noinline)) static void tile_avx2(int64_t kc, const float *pa,
                                                         const float *pb, float *tile,
                                                         const float *c, int64_t ldc, int mr) {
    /* The C rows this tile updates after its k loop: fetched now, they arrive meanwhile (C
       rarely stays in cache between k blocks of a large product). */
    for (int r = 0; r < mr; r++) {
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + AVX2_NR - 1), _MM_HINT_T0);
    }
    TGC_AVX2_TILE_SUMS(kc, pa, pb)
#define TGC_AVX2_STORE(r)                                                                      \
    _mm256_store_ps(tile + r * AVX2_NR, c##r##0);                                              \
    _mm256_store_ps(tile + r * AVX2_NR + 8, c##r##1);
    TGC_AVX2_STORE(0) TGC_AVX2_STORE(1) TGC_AVX2_STORE(2)
    TGC_AVX2_STORE(3) TGC_AVX2_STORE(4) TGC_AVX2_STORE(5)
#undef TGC_AVX2_STORE
}

/* A full tile with alpha 1 and beta 0 (Winograd's products, a first k block): tile_avx2's k
   loop with the sums stored straight into C, which is what kernel_avx2 writes for them
   (1·x is x), without the round trip through a tile buffer. */
TGC_AVX2 __attribute__((noinline)) static void full_tile_avx2(int64_t kc, const float *pa, const float *pb, float *c,
                                                              int64_t ldc) {
    TGC_AVX2_TILE_SUMS(kc, pa, pb)
#define TGC_AVX2_STORE(r)                                                                      \
    _mm256_storeu_ps(c + r * ldc, c##r##0);                                                    \
    _mm256_storeu_ps(c + r * ldc + 8, c##r##1);
    TGC_AVX2_STORE(0) TGC_AVX2_STORE(1) TGC_AVX2_STORE(2)
    TGC_AVX2_STORE(3) TGC_AVX2_STORE(4) TGC_AVX2_STORE(5)
#undef TGC_AVX2_STORE
}

TGC_AVX2 static void kernel_avx2(int64_t kc, const float *pa, const float *pb, float *c,
                                 int64_t ldc, float alpha, float beta, int mr, int nr) {
    if (alpha == 1.0f && beta == 0.0f && mr == AVX2_MR && nr == AVX2_NR) {
        full_tile_avx2(kc, pa, pb, c, ldc);
        return;
    }
    _Alignas(32) float tile[AVX2_MR * AVX2_NR];
    tile_avx2(kc, pa, pb, tile, c, ldc, mr);
    if (nr == AVX2_NR) {
        __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
        for (int r = 0; r < mr; r++) {
            float *cr = c + r * ldc;
            __m256 c0 = _mm256_mul_ps(va, _mm256_load_ps(tile + r * AVX2_NR));
            __m256 c1 = _mm256_mul_ps(va, _mm256_load_ps(tile + r * AVX2_NR + 8));
            if (beta != 0.0f) {
                c0 = _mm256_add_ps(c0, _mm256_mul_ps(vb, _mm256_loadu_ps(cr)));
                c1 = _mm256_add_ps(c1, _mm256_mul_ps(vb, _mm256_loadu_ps(cr + 8)));
            }
            _mm256_storeu_ps(cr, c0);
            _mm256_storeu_ps(cr + 8, c1);
        }
        return;
    }
    /* Column edge: the same arithmetic in scalar form. */
    for (int r = 0; r < mr; r++) {
        float *cr = c + r * ldc;
        for (int j = 0; j < nr; j++) {
            float v = alpha * tile[r * AVX2_NR + j];
            if (beta != 0.0f) {
                float w = beta * cr[j];
                v = v + w;
            }
            cr[j] = v;
        }
    }
}

/* NP (a compile-time constant once inlined) panels of one row (tgc__gemm_row_ukernel): per
   element tile_avx2's operations for row 0, then kernel_avx2's alpha and beta. */
TGC_AVX2 static inline __attribute__((always_inline)) void
row_panels_avx2(int64_t kc, const float *pa, int64_t a_step, const float *pb, int64_t panel_floats, float *c, float alpha,
                float beta, int nr_last, int last, const int NP) {
    __m256 acc[2 * 6];
    TGC_UNROLL_ALL
    for (int j = 0; j < 2 * NP; j++) acc[j] = _mm256_setzero_ps();
    TGC_UNROLL(2)
    for (int64_t p = 0; p < kc; p++) {
        const __m256 av = _mm256_broadcast_ss(pa + p * a_step);
        TGC_UNROLL_ALL
        for (int j = 0; j < NP; j++) {
            acc[2 * j] = _mm256_fmadd_ps(av, _mm256_load_ps(pb + j * panel_floats + p * AVX2_NR), acc[2 * j]);
            acc[2 * j + 1] = _mm256_fmadd_ps(av, _mm256_load_ps(pb + j * panel_floats + p * AVX2_NR + 8), acc[2 * j + 1]);
        }
    }
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    TGC_UNROLL_ALL
    for (int j = 0; j < NP; j++) {
        float *cj = c + j * AVX2_NR;
        __m256 c0 = _mm256_mul_ps(va, acc[2 * j]), c1 = _mm256_mul_ps(va, acc[2 * j + 1]);
        if (last && j == NP - 1 && nr_last < AVX2_NR) {
            _Alignas(32) float tile[AVX2_NR];
            _mm256_store_ps(tile, c0);
            _mm256_store_ps(tile + 8, c1);
            for (int q = 0; q < nr_last; q++) cj[q] = beta != 0.0f ? tile[q] + beta * cj[q] : tile[q];
            continue;
        }
        if (beta != 0.0f) {
            c0 = _mm256_add_ps(c0, _mm256_mul_ps(vb, _mm256_loadu_ps(cj)));
            c1 = _mm256_add_ps(c1, _mm256_mul_ps(vb, _mm256_loadu_ps(cj + 8)));
        }
        _mm256_storeu_ps(cj, c0);
        _mm256_storeu_ps(cj + 8, c1);
    }
}

/* tgc__gemm_row_ukernel: six panels at a time (12 sums in flight, 12 of the 16 ymm registers:
   Zen 2's FMA latency times its throughput is 10), then the rest. */
TGC_AVX2 static void row_kernel_avx2(int64_t kc, const float *pa, int64_t a_step, const float *pb, int panels, float *c,
                                     float alpha, float beta, int nr_last) {
    const int64_t panel_floats = kc * AVX2_NR;
    for (int q = 0; q < panels; q += 6) {
        const int left = panels - q, last = left <= 6;
        const float *pq = pb + q * panel_floats;
        float *cq = c + q * AVX2_NR;
        switch (left >= 6 ? 6 : left) {
        case 6: row_panels_avx2(kc, pa, a_step, pq, panel_floats, cq, alpha, beta, nr_last, last, 6); break;
        case 5: row_panels_avx2(kc, pa, a_step, pq, panel_floats, cq, alpha, beta, nr_last, last, 5); break;
        case 4: row_panels_avx2(kc, pa, a_step, pq, panel_floats, cq, alpha, beta, nr_last, last, 4); break;
        case 3: row_panels_avx2(kc, pa, a_step, pq, panel_floats, cq, alpha, beta, nr_last, last, 3); break;
        case 2: row_panels_avx2(kc, pa, a_step, pq, panel_floats, cq, alpha, beta, nr_last, last, 2); break;
        default: row_panels_avx2(kc, pa, a_step, pq, panel_floats, cq, alpha, beta, nr_last, last, 1); break;
        }
    }
}

/* Lanes 0 .. n-1 of a 256-bit mask (0 <= n <= 8), for maskload / maskstore. */
TGC_AVX2 static inline __m256i lanes_avx2(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The "copy" packing (gemm_internal.h) with (masked) 8-float moves, no memcpy call per row.
   A panel at most 8 wide is stored whole row after row: a store's spill past its row is
   rewritten by the next row's; only the last rows are stored under a mask. */
TGC_AVX2 static void pack_copy_avx2(const float *src, int64_t ld, int rows, int64_t kb, int w,
                                    float *dst) {
    for (int r0 = 0; r0 < w; r0 += 8) {
        const int rn = rows - r0 < 0 ? 0 : rows - r0 > 8 ? 8 : rows - r0;
        const int wn = w - r0 > 8 ? 8 : w - r0;
        const __m256i mr = lanes_avx2(rn), mw = lanes_avx2(wn);
        if (rn == 8 && wn == 8) {
            for (int64_t p = 0; p < kb; p++)
                _mm256_storeu_ps(dst + p * w + r0, _mm256_loadu_ps(src + p * ld + r0));
        } else {
            for (int64_t p = 0; p < kb; p++) {
                const __m256 v = _mm256_maskload_ps(src + p * ld + r0, mr);
                if (w <= 8 && p * w + 8 <= kb * w)
                    _mm256_storeu_ps(dst + p * w + r0, v); /* spills into rows stored next */
                else
                    _mm256_maskstore_ps(dst + p * w + r0, mw, v);
            }
        }
    }
}

/* The "gather" packing (gemm_internal.h) with 8 x 8 in-register transposes:
   dst[p*w + r] = src[r*ld + p] for r < rows, p < kb; zeros for rows <= r < w. Within a
   panel row, 8-float stores overlap the next row's start (rewritten right after); the
   row that ends a block of 8 columns is stored under a mask. */
TGC_AVX2 static void pack_gather_avx2(const float *src, int64_t ld, int rows, int64_t kb, int w,
                                      float *dst) {
    for (int r0 = 0; r0 < w; r0 += 8) {
        const int rn = rows - r0 < 0 ? 0 : rows - r0 > 8 ? 8 : rows - r0;
        const int wn = w - r0 > 8 ? 8 : w - r0;
        const __m256i mw = lanes_avx2(wn);
        for (int64_t q = 0; q < kb; q += 8) {
            const int qn = kb - q < 8 ? (int)(kb - q) : 8;
            const __m256i mq = lanes_avx2(qn);
            __m256 x[8];
            TGC_UNROLL_ALL
            for (int i = 0; i < 8; i++)
                x[i] = i < rn ? (qn == 8 ? _mm256_loadu_ps(src + (r0 + i) * ld + q)
                                         : _mm256_maskload_ps(src + (r0 + i) * ld + q, mq))
                              : _mm256_setzero_ps();
            tgc__transpose8_avx2(x);
            TGC_UNROLL_ALL
            for (int p = 0; p < 8; p++) {
                if (p >= qn) break;
                float *d = dst + (q + p) * w + r0;
                if (wn == 8 || (w <= 8 && p * w + 8 <= qn * w))
                    _mm256_storeu_ps(d, x[p]);
                else
                    _mm256_maskstore_ps(d, mw, x[p]);
            }
        }
    }
}

/* Blocking (AVX-512, tuned on Zen 5: 48 KiB L1d, 1 MiB L2 per core): the 224 x 512 block of A
   (448 KiB) stays in L2, the 512 x 2048 block of B (4 MiB) in L3, and each 512 x 32 B
   micro-panel (64 KiB) streams from L2 across the 16 A micro-panels. kc = 512 beat 256 and
   384 (fewer read-modify-write passes over C); mc and nc matter little. */
static const tgc__gemm_kernel_info tgc__gemm_avx512_info = {
    "avx512", AVX512_MR, AVX512_NR, AVX512_MC, AVX512_KC, AVX512_NC, kernel_avx512,
    pack_gather_avx512, pack_copy_avx512, rows_kernel_avx512, row_kernel_avx512};
static const tgc__gemm_kernel_info tgc__gemm_avx2_info = {
    "avx2", AVX2_MR, AVX2_NR, 24 * AVX2_MR, 256, 128 * AVX2_NR, kernel_avx2, pack_gather_avx2,
    pack_copy_avx2, NULL, row_kernel_avx2};

/* CPU and OS support from cpuid and xgetbv directly (no libgcc/compiler-rt helpers, which
   not every link of the runtime provides). */
static void cpu_features(int *avx2_fma, int *avx512f) {
    unsigned a, b, c, d;
    *avx2_fma = *avx512f = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx) return;
    unsigned xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 0x6u) != 0x6u) return; /* the OS saves xmm and ymm state */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return;
    *avx2_fma = fma && ((b >> 5) & 1);
    /* AVX-512F and VL (the Winograd transforms' 8-lane masked loads and stores), with opmask
       and zmm state enabled by the OS. */
    *avx512f = *avx2_fma && ((b >> 16) & 1) && ((b >> 31) & 1) && (xcr0_lo & 0xE6u) == 0xE6u;
}

int tgc__gemm_x86_kernels(const tgc__gemm_kernel_info **list, int max) {
    int n = 0, avx2_fma, avx512f;
    cpu_features(&avx2_fma, &avx512f);
    if (n < max && avx512f) list[n++] = &tgc__gemm_avx512_info;
    if (n < max && avx2_fma) list[n++] = &tgc__gemm_avx2_info;
    return n;
}

#else

int tgc__gemm_x86_kernels(const tgc__gemm_kernel_info **list, int max) {
    (void)list;
    (void)max;
    return 0;
}

#endif
