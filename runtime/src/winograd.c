/* tgc__winograd_f32: a stride-1 3x3 convolution by Winograd's minimal filtering F(2x2, 3x3)
   (Lavin & Gray 2015), 16 products per 2x2 output tile instead of 36; or by F(4x4, 3x3), 36
   per 4x4 tile, in large layers where that takes fewer products and the kernel is AVX-512's
   (tile_side; its transforms are winograd_f4.c's, the rest as below with 6x6 patches and 36
   points).

   Each 2x2 tile of the output reads a 4x4 patch d of each input channel (zeros in the padding
   and past the edge; a tile at an odd edge computes two outputs that are dropped). With the
   input transform V = Bᵀ d B, the weight transform U = G g Gᵀ and the output transform
   Aᵀ · A, the tile is Aᵀ [Σ_c U[o][c] ⊙ V[c]] A, so for each of the 16 points ξ of the
   transformed tile the sum over channels is one matrix product M_ξ [o, tiles] =
   U_ξ [o, c] · V_ξ [c, tiles].

   The output tiles of all images, flattened (image, tile row, tile column), are cut into
   blocks of one micro-panel width (NR tiles of tgc_sgemm's kernel). A block's input transform
   is written straight into the layout of the kernel's packed B panels, the 16 products run
   through the kernel (tgc__gemm_ukernel) against U packed once per call as its A panels (or
   once per library context: tgc__winograd_transform_weights, tgc_conv2d_pack_f32), and
   the output transform scatters the block's tiles into y. Blocks run in parallel (OpenMP),
   each on a thread's own scratch. Every output element goes through the same operations
   (transforms in a fixed order, the kernel's sum over channels in k order, the k blocks of
   tgc_sgemm) whatever the block it falls in, so neither the thread count nor the images a call
   is given change a bit. No contraction into FMAs outside the kernel: the transforms round as
   written, with or without -march=native.

   tgc__winograd_weight_grad_f32 (the weight gradient, at the end of the file) differentiates
   the same formula with respect to U: dU_ξ [o, c] = Σ_tiles Ŷ_ξ [o, tile] · V_ξ [c, tile]
   with Ŷ = A gy_tile Aᵀ, and the weight's gradient is Gᵀ dU G. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "gemm_internal.h"
#include "tgc_runtime.h"
#include "winograd_internal.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define POINTS 16 /* of the 4x4 transformed tile */

/* F(4x4)'s rounding is several times F(2x2)'s (its transforms' factors reach 5 and 8: about
   4e-6 of the terms' magnitude against 5e-7, so in a 3x3 layer of 32 input and 64 output
   channels 0.4% of the outputs printed to 4 decimals differ from the exact sum's, against
   0.1% for F(2x2) and for a direct float sum). It is taken for large layers alone, whose
   products dominate a training step (B6's second layer, 32 x 64, and larger), where smaller
   ones, whose outputs programs more often print, keep F(2x2)'s. */
#define TGC_WINOGRAD_4X4_MIN_PAIRS 2048
#define MAX_NR 32 /* the widest kernel panel (AVX-512's) */

/* The registers the transforms run in: those of gemm_x86.c's kernel (which it offers only
   where the CPU has them), or portable C where the kernel is another. Tests choose others:
   TGC_WINOGRAD_PORTABLE set, portable C; TGC_WINOGRAD_AVX2 set, AVX2 also beside the AVX-512
   kernel (whose CPUs have AVX2). The same operations on each lane, so the same bits. */
typedef enum { TRANSFORMS_PORTABLE, TRANSFORMS_AVX2, TRANSFORMS_AVX512 } transforms;

static transforms transforms_for(const tgc__gemm_kernel_info *ki) {
    if (getenv("TGC_WINOGRAD_PORTABLE") != NULL) return TRANSFORMS_PORTABLE;
    const int avx512 = strcmp(ki->name, "avx512") == 0;
    if (strcmp(ki->name, "avx2") == 0 || (avx512 && getenv("TGC_WINOGRAD_AVX2") != NULL)) return TRANSFORMS_AVX2;
    return avx512 ? TRANSFORMS_AVX512 : TRANSFORMS_PORTABLE;
}

/* The tiles of a convolution's output (the forward's and the weight gradient's plans). */
typedef struct {
    int side, points;        /* the output tile's side (tile_side) and the points of its
                                transformed tile (16 or 36) */
    int64_t tiles_x, tiles;  /* tile columns and tiles per image */
} tiling;

/* The sizes of one call's work and scratch. */
typedef struct {
    const tgc__gemm_kernel_info *ki;
    tiling tile;
    int64_t cs;                   /* c rounded up to 16: panels stay 64-byte aligned */
    int64_t o_panels, o_rows;     /* U's MR-row panels over o, and their rows */
    int64_t kb_max;               /* tgc_sgemm's k block for c */
    int64_t v_point, m_point;     /* the floats from one point's V, M of a block to the next */
    int64_t u_floats, block_floats; /* U; one thread's V and M of a block */
    transforms vector;            /* the registers the transforms run in */
} plan;

/* The output tile's side: 4 (F(4x4, 3x3), winograd_f4.c) where it takes fewer products (36 a
   tile against 16 a 2x2 one), the layer has at least TGC_WINOGRAD_4X4_MIN_PAIRS pairs of input
   and output channels and the kernel is AVX-512's, whose registers its transforms run in (or
   portable C, TGC_WINOGRAD_PORTABLE or TGC_WINOGRAD_AVX2 set: the same bits); else 2. Tests set
   TGC_WINOGRAD_TILE to 2 or 4 to run either on any CPU (4 in portable C where the kernel is not
   AVX-512's). The choice depends on the layer's geometry alone, never on the batch (the
   interpreter calls one image at a time and gets the same bits). */
static int tile_side(const tgc__winograd_conv *p, const tgc__gemm_kernel_info *ki) {
    const char *forced = getenv("TGC_WINOGRAD_TILE");
    if (forced != NULL && (strcmp(forced, "2") == 0 || strcmp(forced, "4") == 0)) return forced[0] - '0';
    const int64_t tiles2 = (p->oh + 1) / 2 * ((p->ow + 1) / 2), tiles4 = (p->oh + 3) / 4 * ((p->ow + 3) / 4);
    return strcmp(ki->name, "avx512") == 0 && 36 * tiles4 < 16 * tiles2 && p->c * p->o >= TGC_WINOGRAD_4X4_MIN_PAIRS ? 4 : 2;
}

static tiling tiling_of(const tgc__winograd_conv *p, const tgc__gemm_kernel_info *ki) {
    tiling t;
    t.side = tile_side(p, ki);
    t.points = t.side == 4 ? 36 : POINTS;
    t.tiles_x = (p->ow + t.side - 1) / t.side;
    t.tiles = (p->oh + t.side - 1) / t.side * t.tiles_x;
    return t;
}

static plan plan_of(const tgc__winograd_conv *p) {
    plan pl;
    pl.ki = tgc__gemm_best_kernel();
    if (pl.ki->nr > MAX_NR) tgc_fatal("winograd: kernel %s is wider than %d", pl.ki->name, MAX_NR);
    const int64_t mr = pl.ki->mr, nr = pl.ki->nr;
    pl.vector = transforms_for(pl.ki);
    pl.tile = tiling_of(p, pl.ki);
    pl.cs = (p->c + 15) / 16 * 16;
    pl.o_panels = (p->o + mr - 1) / mr;
    pl.o_rows = pl.o_panels * mr;
    pl.kb_max = tgc__gemm_k_block(pl.ki, p->c);
    /* one cache line more than the points' panels need: 16 streams 4 KiB apart would share
       the sets of the L1 cache (and the AVX2 input transform's 8-lane stores, store_full8,
       may run up to 7 floats into it past the last channel) */
    pl.v_point = pl.cs * nr + 16;
    pl.m_point = (pl.o_rows * nr + 15) / 16 * 16 + 16;
    pl.u_floats = (pl.tile.points * pl.o_rows * pl.cs + 15) / 16 * 16;
    pl.block_floats = pl.tile.points * (pl.v_point + pl.m_point);
    return pl;
}

static int64_t blocks_of(const tgc__winograd_conv *p, const plan *pl) {
    return (p->n * pl->tile.tiles + pl->ki->nr - 1) / pl->ki->nr;
}

int64_t tgc__winograd_u_floats(const tgc__winograd_conv *p) { return plan_of(p).u_floats; }

int64_t tgc__winograd_scratch_floats(const tgc__winograd_conv *p, int threads) {
    const plan pl = plan_of(p);
    return pl.u_floats + (threads > 0 ? threads : 1) * pl.block_floats;
}

int tgc__winograd_threads(const tgc__winograd_conv *p, int threads) {
    const plan pl = plan_of(p);
    const int64_t blocks = blocks_of(p, &pl);
    return blocks < threads ? (blocks < 1 ? 1 : (int)blocks) : (threads < 1 ? 1 : threads);
}

/* U = G g Gᵀ of output channel q, G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], point ξ of it at
   u[((ξ·o_panels + q / mr)·cs + r)·mr + q % mr] for each input channel r: the kernel's A panels. */
static void transform_weights(const tgc__winograd_conv *p, const plan *pl, int64_t q, float *u) {
    const int64_t mr = pl->ki->mr, wi = p->wi, wj = p->wj;
    for (int64_t r = 0; r < p->c; r++) {
        const float *g = p->weight + q * p->wq + r * p->wr;
        float t[4][3], v[POINTS];
        for (int j = 0; j < 3; j++) {
            const float g0 = g[j * wj], g1 = g[wi + j * wj], g2 = g[2 * wi + j * wj];
            t[0][j] = g0;
            t[1][j] = (g0 + g1 + g2) * 0.5f;
            t[2][j] = (g0 - g1 + g2) * 0.5f;
            t[3][j] = g2;
        }
        for (int i = 0; i < 4; i++) {
            v[i * 4 + 0] = t[i][0];
            v[i * 4 + 1] = (t[i][0] + t[i][1] + t[i][2]) * 0.5f;
            v[i * 4 + 2] = (t[i][0] - t[i][1] + t[i][2]) * 0.5f;
            v[i * 4 + 3] = t[i][2];
        }
        for (int k = 0; k < POINTS; k++) u[((k * pl->o_panels + q / mr) * pl->cs + r) * mr + q % mr] = v[k];
    }
}

/* The weights' transform in units the threads share: output channel q, or with 4x4 tiles U's
   panel q (winograd_f4.c). */
static int64_t weight_units(const tgc__winograd_conv *p, const plan *pl) { return pl->tile.side == 4 ? pl->o_panels : p->o; }

static void transform_weight_unit(const tgc__winograd_conv *p, const plan *pl, int64_t unit, float *u) {
    if (pl->tile.side == 4) {
        const tgc__winograd_panels u_at = {pl->ki->mr, pl->o_panels, pl->cs};
        tgc__winograd4_weights(p, pl->vector == TRANSFORMS_AVX512, unit, &u_at, u);
        return;
    }
    transform_weights(p, pl, unit, u);
}

void tgc__winograd_transform_weights(const tgc__winograd_conv *p, float *u) {
    const plan pl = plan_of(p);
    for (int64_t unit = 0; unit < weight_units(p, &pl); unit++) transform_weight_unit(p, &pl, unit, u);
}

/* A run of a block's tiles along one tile row of one image: tiles j0 .. j0+len-1 of the block. */
typedef struct {
    int j0, len;
    int rows;        /* output rows kept: 2, or 1 at an odd bottom edge */
    int last_cols;   /* outputs the last tile keeps across: 2, or 1 at an odd right edge */
    int64_t in;      /* the image in x */
    int64_t iy, ix;  /* the first tile's patch's top-left input element (may lie in the padding) */
    int64_t out;     /* the first tile's top-left output element, channel 0 */
} tile_run;

/* The runs of tiles first .. first+count-1; their number. */
static int tile_runs(const tgc__winograd_conv *p, const plan *pl, int64_t first, int count, tile_run *runs) {
    int n = 0;
    for (int j = 0; j < count;) {
        const int64_t t = first + j, b = t / pl->tile.tiles, ty = t % pl->tile.tiles / pl->tile.tiles_x, tx = t % pl->tile.tiles_x;
        const int len = (int)(pl->tile.tiles_x - tx < count - j ? pl->tile.tiles_x - tx : count - j);
        runs[n++] = (tile_run){j, len, 2 * ty + 1 < p->oh ? 2 : 1, 2 * (tx + len - 1) + 1 < p->ow ? 2 : 1,
                               b * p->c * p->h * p->w, 2 * ty - p->ph, 2 * tx - p->pw, (b * p->o * p->oh + 2 * ty) * p->ow + 2 * tx};
        j += len;
    }
    return n;
}

/* V = Bᵀ d B of each tile and channel, Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], point ξ
   of channel c's tile j at v[ξ·v_point + c·NR + j]: the kernel's B panels. Bᵀ d is taken down
   the patch's 4 rows, then · B across its 4 columns. Here one run's tiles of channel plane
   `plane`, tile by tile, point ξ of tile j at out[ξ·point + j] (the forward: out = v + c·NR +
   the run's first tile, point = v_point). */
static void transform_run(const tgc__winograd_conv *p, int64_t point, const float *plane, const tile_run *run, float *out) {
    for (int j = 0; j < run->len; j++) {
        float d[4][4], t[4][4], v[POINTS];
        for (int i = 0; i < 4; i++)
            for (int k = 0; k < 4; k++) {
                const int64_t y = run->iy + i, x = run->ix + 2 * j + k;
                d[i][k] = y >= 0 && y < p->h && x >= 0 && x < p->w ? plane[y * p->w + x] : 0.0f;
            }
        for (int k = 0; k < 4; k++) {
            t[0][k] = d[0][k] - d[2][k];
            t[1][k] = d[1][k] + d[2][k];
            t[2][k] = d[2][k] - d[1][k];
            t[3][k] = d[1][k] - d[3][k];
        }
        for (int i = 0; i < 4; i++) {
            v[i * 4 + 0] = t[i][0] - t[i][2];
            v[i * 4 + 1] = t[i][1] + t[i][2];
            v[i * 4 + 2] = t[i][2] - t[i][1];
            v[i * 4 + 3] = t[i][1] - t[i][3];
        }
        for (int k = 0; k < POINTS; k++) out[k * point + j] = v[k];
    }
}

/* y = Aᵀ M A of each tile and output channel, Aᵀ = [1 1 1 0; 0 1 −1 −1], the outputs past an
   odd edge dropped. Here output channel o of a run's tiles, tile by tile (mo: M at o and the
   run's first tile). */
static void output_run(const tgc__winograd_conv *p, const plan *pl, const float *mo, const tile_run *run, float *to) {
    for (int j = 0; j < run->len; j++) {
        float m[POINTS];
        for (int k = 0; k < POINTS; k++) m[k] = mo[k * pl->m_point + j];
        const float s0 = m[0] + m[4] + m[8], s1 = m[1] + m[5] + m[9], s2 = m[2] + m[6] + m[10], s3 = m[3] + m[7] + m[11];
        const float e0 = m[4] - m[8] - m[12], e1 = m[5] - m[9] - m[13], e2 = m[6] - m[10] - m[14], e3 = m[7] - m[11] - m[15];
        const float y00 = s0 + s1 + s2, y01 = s1 - s2 - s3, y10 = e0 + e1 + e2, y11 = e1 - e2 - e3;
        const int right = j + 1 < run->len || run->last_cols == 2;
        to[2 * j] = y00;
        if (right) to[2 * j + 1] = y01;
        if (run->rows == 2) {
            to[p->ow + 2 * j] = y10;
            if (right) to[p->ow + 2 * j + 1] = y11;
        }
    }
}

/* The weight gradient's transform of gy: Ŷ = A' g A'ᵀ of each 2x2 tile g, A' = [1 0; 1 1; 1 −1;
   0 1] (A = Aᵀ's transpose with its last row negated; the sign goes into the weight gradient's
   G', weight_grad_of), zeros past an odd edge; point ξ of tile j at out[ξ·point + j]. Here the
   tiles_x tiles of the tile row whose top output row is `row` of plane, tile by tile. */
static void gradient_row(const tgc__winograd_conv *p, int64_t point, const float *plane, int64_t row, int64_t tiles_x, float *out) {
    for (int64_t j = 0; j < tiles_x; j++) {
        float g[2][2], t[4][2], v[POINTS];
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++) {
                const int64_t y = row + a, x = 2 * j + b;
                g[a][b] = y < p->oh && x < p->ow ? plane[y * p->ow + x] : 0.0f;
            }
        for (int b = 0; b < 2; b++) {
            t[0][b] = g[0][b];
            t[1][b] = g[0][b] + g[1][b];
            t[2][b] = g[0][b] - g[1][b];
            t[3][b] = g[1][b];
        }
        for (int i = 0; i < 4; i++) {
            v[i * 4 + 0] = t[i][0];
            v[i * 4 + 1] = t[i][0] + t[i][1];
            v[i * 4 + 2] = t[i][0] - t[i][1];
            v[i * 4 + 3] = t[i][1];
        }
        for (int k = 0; k < POINTS; k++) out[k * point + j] = v[k];
    }
}

/* The same two, 16 tiles at a time in AVX-512 registers where the CPU has it (gemm_x86.c's
   kernel is then the AVX-512 one): the same operations on each lane, so the same bits. A row
   of a run's patches is loaded as its even and odd columns (masked loads: zeros outside the
   plane), which the neighbouring tiles share; the outputs of two tiles side by side are
   interleaved into one row of y. */
#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define TGC_WINOGRAD_X86 1
#define TGC_AVX512 __attribute__((target("avx512f,avx2,fma")))
#include "columns_avx512.h"


/* A run of at most 7 tiles, whose patches' 2·len + 2 columns fit in 16 floats, in 8-lane
   registers (AVX-512VL's masked loads and stores): each patch row is two masked loads, its
   even and odd columns two permutes of them; the row transform Bᵀ d is taken on those, and
   its columns 2j + 2 and 2j + 3 are the even and odd results one lane on. */
#define TGC_AVX512VL __attribute__((target("avx512f,avx512vl,avx2,fma")))
TGC_AVX512VL static void transform_short_run_avx512(const tgc__winograd_conv *p, int64_t point, const float *plane,
                                                    const tile_run *run, float *out) {
    const __m256i even = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14), odd = _mm256_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15);
    const __m256i next = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7);
    const int64_t col = run->ix;
    const __mmask8 low = (__mmask8)tgc__lane_range(-col, p->w - col), high = (__mmask8)tgc__lane_range(-col - 8, p->w - col - 8);
    __m256 e[4], o[4];
    for (int i = 0; i < 4; i++) {
        const int64_t y = run->iy + i;
        if (y < 0 || y >= p->h) {
            e[i] = o[i] = _mm256_setzero_ps();
            continue;
        }
        const uintptr_t at = (uintptr_t)(plane + y * p->w) + (uintptr_t)(col * 4);
        /* the next channel's row, which the next call reads */
        _mm_prefetch((const char *)(at + (uintptr_t)(p->h * p->w * 4)), _MM_HINT_T0);
        _mm_prefetch((const char *)(at + (uintptr_t)(p->h * p->w * 4) + 60), _MM_HINT_T0);
        const __m256 a = _mm256_maskz_loadu_ps(low, (const void *)at), b = _mm256_maskz_loadu_ps(high, (const void *)(at + 32));
        e[i] = _mm256_permutex2var_ps(a, even, b);
        o[i] = _mm256_permutex2var_ps(a, odd, b);
    }
    const __m256 te[4] = {_mm256_sub_ps(e[0], e[2]), _mm256_add_ps(e[1], e[2]), _mm256_sub_ps(e[2], e[1]), _mm256_sub_ps(e[1], e[3])};
    const __m256 to[4] = {_mm256_sub_ps(o[0], o[2]), _mm256_add_ps(o[1], o[2]), _mm256_sub_ps(o[2], o[1]), _mm256_sub_ps(o[1], o[3])};
    const __mmask8 keep = (__mmask8)tgc__lane_range(0, run->len);
    for (int i = 0; i < 4; i++) {
        const __m256 t2 = _mm256_permutexvar_ps(next, te[i]), t3 = _mm256_permutexvar_ps(next, to[i]);
        _mm256_mask_storeu_ps(out + (i * 4 + 0) * point, keep, _mm256_sub_ps(te[i], t2));
        _mm256_mask_storeu_ps(out + (i * 4 + 1) * point, keep, _mm256_add_ps(to[i], t2));
        _mm256_mask_storeu_ps(out + (i * 4 + 2) * point, keep, _mm256_sub_ps(t2, to[i]));
        _mm256_mask_storeu_ps(out + (i * 4 + 3) * point, keep, _mm256_sub_ps(to[i], t3));
    }
}

TGC_AVX512 static void transform_run_avx512(const tgc__winograd_conv *p, int64_t point, const float *plane,
                                            const tile_run *run, float *out) {
    if (run->len <= 7) {
        transform_short_run_avx512(p, point, plane, run, out);
        return;
    }
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    for (int q = 0; q < run->len; q += 16) {
        /* t[i][k]: row i of Bᵀ d at column k = 0 .. 3 of the 16 tiles' patches */
        __m512 d[4][4], t[4][4], v[POINTS];
        for (int i = 0; i < 4; i++) {
            const int64_t y = run->iy + i, col = run->ix + 2 * q;
            if (y < 0 || y >= p->h) {
                for (int k = 0; k < 4; k++) d[i][k] = _mm512_setzero_ps();
                continue;
            }
            const float *row = plane + y * p->w;
            /* the next channel's row, which the next call reads */
            const uintptr_t next = (uintptr_t)row + (uintptr_t)((p->h * p->w + (col < 0 ? 0 : col)) * 4);
            for (int64_t line = 0; line < 2 * (run->len - q) + 2; line += 16) _mm_prefetch((const char *)(next + (uintptr_t)(line * 4)), _MM_HINT_T0);
            const __m512 a = tgc__load_columns16(row, col, p->w), b = tgc__load_columns16(row, col + 16, p->w);
            const __m512 a2 = tgc__load_columns16(row, col + 2, p->w), b2 = tgc__load_columns16(row, col + 18, p->w);
            d[i][0] = _mm512_permutex2var_ps(a, even, b);
            d[i][1] = _mm512_permutex2var_ps(a, odd, b);
            d[i][2] = _mm512_permutex2var_ps(a2, even, b2);
            d[i][3] = _mm512_permutex2var_ps(a2, odd, b2);
        }
        for (int k = 0; k < 4; k++) {
            t[0][k] = _mm512_sub_ps(d[0][k], d[2][k]);
            t[1][k] = _mm512_add_ps(d[1][k], d[2][k]);
            t[2][k] = _mm512_sub_ps(d[2][k], d[1][k]);
            t[3][k] = _mm512_sub_ps(d[1][k], d[3][k]);
        }
        for (int i = 0; i < 4; i++) {
            v[i * 4 + 0] = _mm512_sub_ps(t[i][0], t[i][2]);
            v[i * 4 + 1] = _mm512_add_ps(t[i][1], t[i][2]);
            v[i * 4 + 2] = _mm512_sub_ps(t[i][2], t[i][1]);
            v[i * 4 + 3] = _mm512_sub_ps(t[i][1], t[i][3]);
        }
        const __mmask16 keep = tgc__lane_range(0, run->len - q);
        for (int k = 0; k < POINTS; k++) _mm512_mask_storeu_ps(out + k * point + q, keep, v[k]);
    }
}

/* A run of at most 8 tiles in 8-lane registers (AVX-512VL): output rows of up to 16 columns,
   each two permutes of the tiles' left and right outputs and two masked stores. */
TGC_AVX512VL static void output_short_run_avx512(const tgc__winograd_conv *p, const plan *pl, const float *mo,
                                                 const tile_run *run, float *to) {
    const __m256i low = _mm256_setr_epi32(0, 8, 1, 9, 2, 10, 3, 11), high = _mm256_setr_epi32(4, 12, 5, 13, 6, 14, 7, 15);
    __m256 m[POINTS];
    for (int k = 0; k < POINTS; k++) m[k] = _mm256_loadu_ps(mo + k * pl->m_point);
    const __m256 s0 = _mm256_add_ps(_mm256_add_ps(m[0], m[4]), m[8]), s1 = _mm256_add_ps(_mm256_add_ps(m[1], m[5]), m[9]);
    const __m256 s2 = _mm256_add_ps(_mm256_add_ps(m[2], m[6]), m[10]), s3 = _mm256_add_ps(_mm256_add_ps(m[3], m[7]), m[11]);
    const __m256 e0 = _mm256_sub_ps(_mm256_sub_ps(m[4], m[8]), m[12]), e1 = _mm256_sub_ps(_mm256_sub_ps(m[5], m[9]), m[13]);
    const __m256 e2 = _mm256_sub_ps(_mm256_sub_ps(m[6], m[10]), m[14]), e3 = _mm256_sub_ps(_mm256_sub_ps(m[7], m[11]), m[15]);
    const __m256 y[4] = {_mm256_add_ps(_mm256_add_ps(s0, s1), s2), _mm256_sub_ps(_mm256_sub_ps(s1, s2), s3),
                         _mm256_add_ps(_mm256_add_ps(e0, e1), e2), _mm256_sub_ps(_mm256_sub_ps(e1, e2), e3)};
    /* the output columns of the run that it keeps */
    const int64_t kept = 2 * run->len - (run->last_cols == 2 ? 0 : 1);
    for (int r = 0; r < run->rows; r++) {
        float *out = to + r * p->ow;
        _mm256_mask_storeu_ps(out, (__mmask8)tgc__lane_range(0, kept), _mm256_permutex2var_ps(y[2 * r], low, y[2 * r + 1]));
        _mm256_mask_storeu_ps(out + 8, (__mmask8)tgc__lane_range(0, kept - 8), _mm256_permutex2var_ps(y[2 * r], high, y[2 * r + 1]));
    }
}

TGC_AVX512 static void output_run_avx512(const tgc__winograd_conv *p, const plan *pl, const float *mo, const tile_run *run,
                                         float *to) {
    const __m512i low = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    const __m512i high = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
    if (run->len <= 8) {
        output_short_run_avx512(p, pl, mo, run, to);
        return;
    }
    for (int q = 0; q < run->len; q += 16) {
        __m512 m[POINTS];
        for (int k = 0; k < POINTS; k++) m[k] = _mm512_loadu_ps(mo + k * pl->m_point + q);
        const __m512 s0 = _mm512_add_ps(_mm512_add_ps(m[0], m[4]), m[8]), s1 = _mm512_add_ps(_mm512_add_ps(m[1], m[5]), m[9]);
        const __m512 s2 = _mm512_add_ps(_mm512_add_ps(m[2], m[6]), m[10]), s3 = _mm512_add_ps(_mm512_add_ps(m[3], m[7]), m[11]);
        const __m512 e0 = _mm512_sub_ps(_mm512_sub_ps(m[4], m[8]), m[12]), e1 = _mm512_sub_ps(_mm512_sub_ps(m[5], m[9]), m[13]);
        const __m512 e2 = _mm512_sub_ps(_mm512_sub_ps(m[6], m[10]), m[14]), e3 = _mm512_sub_ps(_mm512_sub_ps(m[7], m[11]), m[15]);
        const __m512 y[4] = {_mm512_add_ps(_mm512_add_ps(s0, s1), s2), _mm512_sub_ps(_mm512_sub_ps(s1, s2), s3),
                             _mm512_add_ps(_mm512_add_ps(e0, e1), e2), _mm512_sub_ps(_mm512_sub_ps(e1, e2), e3)};
        /* output columns 2q .. of the run that it keeps */
        const int64_t kept = 2 * (run->len - q) - (run->last_cols == 2 ? 0 : 1);
        for (int r = 0; r < run->rows; r++) {
            float *out = to + r * p->ow + 2 * q;
            _mm512_mask_storeu_ps(out, tgc__lane_range(0, kept), _mm512_permutex2var_ps(y[2 * r], low, y[2 * r + 1]));
            _mm512_mask_storeu_ps(out + 16, tgc__lane_range(0, kept - 16), _mm512_permutex2var_ps(y[2 * r], high, y[2 * r + 1]));
        }
    }
}

/* A tile row of at most 8 tiles in 8-lane registers (AVX-512VL): each of its two output rows
   two masked loads, its even and odd columns two permutes of them. */
TGC_AVX512VL static void gradient_short_row_avx512(const tgc__winograd_conv *p, int64_t point, const float *plane, int64_t row,
                                                   int64_t tiles_x, float *out) {
    const __m256i even = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14), odd = _mm256_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15);
    const __mmask8 low = (__mmask8)tgc__lane_range(0, p->ow), high = (__mmask8)tgc__lane_range(0, p->ow - 8);
    __m256 g[2][2];
    for (int a = 0; a < 2; a++) {
        if (row + a >= p->oh) {
            g[a][0] = g[a][1] = _mm256_setzero_ps();
            continue;
        }
        const float *line = plane + (row + a) * p->ow;
        const __m256 lo = _mm256_maskz_loadu_ps(low, line), hi = _mm256_maskz_loadu_ps(high, line + 8);
        g[a][0] = _mm256_permutex2var_ps(lo, even, hi);
        g[a][1] = _mm256_permutex2var_ps(lo, odd, hi);
    }
    const __mmask8 keep = (__mmask8)tgc__lane_range(0, tiles_x);
    __m256 t[4][2];
    for (int b = 0; b < 2; b++) {
        t[0][b] = g[0][b];
        t[1][b] = _mm256_add_ps(g[0][b], g[1][b]);
        t[2][b] = _mm256_sub_ps(g[0][b], g[1][b]);
        t[3][b] = g[1][b];
    }
    for (int i = 0; i < 4; i++) {
        _mm256_mask_storeu_ps(out + (i * 4 + 0) * point, keep, t[i][0]);
        _mm256_mask_storeu_ps(out + (i * 4 + 1) * point, keep, _mm256_add_ps(t[i][0], t[i][1]));
        _mm256_mask_storeu_ps(out + (i * 4 + 2) * point, keep, _mm256_sub_ps(t[i][0], t[i][1]));
        _mm256_mask_storeu_ps(out + (i * 4 + 3) * point, keep, t[i][1]);
    }
}

TGC_AVX512 static void gradient_row_avx512(const tgc__winograd_conv *p, int64_t point, const float *plane, int64_t row,
                                           int64_t tiles_x, float *out) {
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    if (tiles_x <= 8 && p->ow <= 16) {
        gradient_short_row_avx512(p, point, plane, row, tiles_x, out);
        return;
    }
    for (int64_t q = 0; q < tiles_x; q += 16) {
        __m512 g[2][2], t[4][2], v[POINTS];
        for (int a = 0; a < 2; a++) {
            if (row + a >= p->oh) {
                g[a][0] = g[a][1] = _mm512_setzero_ps();
                continue;
            }
            const float *line = plane + (row + a) * p->ow;
            const __m512 lo = tgc__load_columns16(line, 2 * q, p->ow), hi = tgc__load_columns16(line, 2 * q + 16, p->ow);
            g[a][0] = _mm512_permutex2var_ps(lo, even, hi);
            g[a][1] = _mm512_permutex2var_ps(lo, odd, hi);
        }
        for (int b = 0; b < 2; b++) {
            t[0][b] = g[0][b];
            t[1][b] = _mm512_add_ps(g[0][b], g[1][b]);
            t[2][b] = _mm512_sub_ps(g[0][b], g[1][b]);
            t[3][b] = g[1][b];
        }
        for (int i = 0; i < 4; i++) {
            v[i * 4 + 0] = t[i][0];
            v[i * 4 + 1] = _mm512_add_ps(t[i][0], t[i][1]);
            v[i * 4 + 2] = _mm512_sub_ps(t[i][0], t[i][1]);
            v[i * 4 + 3] = t[i][1];
        }
        const __mmask16 keep = tgc__lane_range(0, tiles_x - q);
        for (int k = 0; k < POINTS; k++) _mm512_mask_storeu_ps(out + k * point + q, keep, v[k]);
    }
}

/* The same three, 8 tiles at a time in AVX2 registers (gemm_x86.c's AVX2 kernel), rows read
   by columns_avx2.h. The input and gradient transforms store all 8 lanes (store_full8); the
   output transform takes a whole block at a time (output_block_avx2). */
#define TGC_AVX2 __attribute__((target("avx2,fma")))
#include "columns_avx2.h"

/* The input transform's loops over the patch's 4 rows and the output transform's over a
   register's 8 tiles unrolled, so their registers stay registers and their indices constants. */
#if defined(__clang__)
#define TGC_UNROLL_ROWS _Pragma("unroll")
#define TGC_UNROLL_TILES _Pragma("unroll")
#else
#define TGC_UNROLL_ROWS _Pragma("GCC unroll 4")
#define TGC_UNROLL_TILES _Pragma("GCC unroll 8")
#endif

/* All 8 lanes of v to out, where a run of n < 8 tiles leaves lanes past n holding values of
   tiles that are not the run's: the transforms' outputs are laid out so that every such slot is
   either written again by the same thread before anything reads it (the next run of the
   block's panel, the next tile row or image, the next channel's panel) or lies in padding that
   nothing reads (the cache line after each point's panels, a weight gradient's ld). A blend
   with what the slots held costs a load and a blend per store, and AMD's cores run a masked
   store (vmaskmovps) several times slower. */
TGC_AVX2 static inline void store_full8(float *out, __m256 v) { _mm256_storeu_ps(out, v); }

TGC_AVX2 static void transform_run_avx2(const tgc__winograd_conv *p, int64_t point, const float *plane, const tile_run *run,
                                        float *out) {
    if (p->w < 8) { /* rows narrower than a register */
        transform_run(p, point, plane, run, out);
        return;
    }
    const __m256i shift = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7);
    for (int q = 0; q < run->len; q += 8) {
        /* even[i], odd[i]: columns 2j and 2j + 1 of patch row i of tiles j = q .. q+7 (their
           columns 2j + 2 and 2j + 3 are the next lane's, lane 7's the row's columns 16 and 17
           after col: past16[i], past17[i], needed when all 8 tiles are the run's) */
        __m256 even[4], odd[4];
        float past16[4], past17[4];
        const int full = run->len - q >= 8;
        TGC_UNROLL_ROWS
        for (int i = 0; i < 4; i++) {
            const int64_t y = run->iy + i, col = run->ix + 2 * q;
            if (y < 0 || y >= p->h) {
                even[i] = odd[i] = _mm256_setzero_ps();
                past16[i] = past17[i] = 0.0f;
                continue;
            }
            const float *row = plane + y * p->w;
            /* the next channel's row, which the next call reads */
            const uintptr_t next = (uintptr_t)row + (uintptr_t)((p->h * p->w + (col < 0 ? 0 : col)) * 4);
            for (int64_t line = 0; line < 2 * (run->len - q) + 2; line += 16) _mm_prefetch((const char *)(next + (uintptr_t)(line * 4)), _MM_HINT_T0);
            const __m256 a = tgc__load_columns8(row, col, p->w), b = tgc__load_columns8(row, col + 8, p->w);
            even[i] = tgc__even_floats(a, b);
            odd[i] = tgc__odd_floats(a, b);
            const int64_t c16 = col + 16, c17 = col + 17;
            past16[i] = full && c16 >= 0 && c16 < p->w ? row[c16] : 0.0f;
            past17[i] = full && c17 >= 0 && c17 < p->w ? row[c17] : 0.0f;
        }
        /* Bᵀ d down the patch's rows: t[i][0] = te[i], t[i][1] = to[i]; t[i][2] and t[i][3] are
           te[i] and to[i] one lane on (the same operations on the same elements, so the same
           bits), lane 7 from the columns past16 and past17 */
        const __m256 te[4] = {_mm256_sub_ps(even[0], even[2]), _mm256_add_ps(even[1], even[2]),
                              _mm256_sub_ps(even[2], even[1]), _mm256_sub_ps(even[1], even[3])};
        const __m256 to[4] = {_mm256_sub_ps(odd[0], odd[2]), _mm256_add_ps(odd[1], odd[2]),
                              _mm256_sub_ps(odd[2], odd[1]), _mm256_sub_ps(odd[1], odd[3])};
        const float te7[4] = {past16[0] - past16[2], past16[1] + past16[2], past16[2] - past16[1], past16[1] - past16[3]};
        const float to7[4] = {past17[0] - past17[2], past17[1] + past17[2], past17[2] - past17[1], past17[1] - past17[3]};
        TGC_UNROLL_ROWS
        for (int i = 0; i < 4; i++) {
            __m256 t2 = _mm256_permutevar8x32_ps(te[i], shift), t3 = _mm256_permutevar8x32_ps(to[i], shift);
            if (full) {
                t2 = _mm256_blend_ps(t2, _mm256_set1_ps(te7[i]), 0x80);
                t3 = _mm256_blend_ps(t3, _mm256_set1_ps(to7[i]), 0x80);
            }
            /* · B across the columns; all 8 lanes stored (store_full8) */
            store_full8(out + (i * 4 + 0) * point + q, _mm256_sub_ps(te[i], t2));
            store_full8(out + (i * 4 + 1) * point + q, _mm256_add_ps(to[i], t2));
            store_full8(out + (i * 4 + 2) * point + q, _mm256_sub_ps(t2, to[i]));
            store_full8(out + (i * 4 + 3) * point + q, _mm256_sub_ps(to[i], t3));
        }
    }
}

/* The output transform of a whole block, 8 tiles at a time whatever runs they belong to (the
   runs' branches and partial registers cost more than the arithmetic): output channel by
   output channel, each tile's two rows of two outputs stored as two 8-byte pairs, a tile at an
   odd edge storing the outputs it keeps one by one. The same operations on each lane as
   output_run, so the same bits. */
TGC_AVX2 static void output_block_avx2(const tgc__winograd_conv *p, const plan *pl, const float *m, int64_t first, int count,
                                       float *y) {
    int64_t at[MAX_NR]; /* tile j's top-left output element, channel 0 */
    int keep[MAX_NR];   /* bit 0: tile j keeps its right column, bit 1: its bottom row */
    for (int j = 0; j < count; j++) {
        const int64_t t = first + j, b = t / pl->tile.tiles, ty = t % pl->tile.tiles / pl->tile.tiles_x, tx = t % pl->tile.tiles_x;
        at[j] = (b * p->o * p->oh + 2 * ty) * p->ow + 2 * tx;
        keep[j] = (2 * tx + 1 < p->ow) | (2 * ty + 1 < p->oh) << 1;
    }
    const int64_t nr = pl->ki->nr, plane = p->oh * p->ow, ow = p->ow;
    for (int64_t o = 0; o < p->o; o++) {
        const float *mo = m + o * nr;
        float *yo = y + o * plane;
        for (int q = 0; q < count; q += 8) {
            __m256 mk[POINTS];
            for (int k = 0; k < POINTS; k++) mk[k] = _mm256_loadu_ps(mo + k * pl->m_point + q);
            const __m256 s0 = _mm256_add_ps(_mm256_add_ps(mk[0], mk[4]), mk[8]), s1 = _mm256_add_ps(_mm256_add_ps(mk[1], mk[5]), mk[9]);
            const __m256 s2 = _mm256_add_ps(_mm256_add_ps(mk[2], mk[6]), mk[10]), s3 = _mm256_add_ps(_mm256_add_ps(mk[3], mk[7]), mk[11]);
            const __m256 e0 = _mm256_sub_ps(_mm256_sub_ps(mk[4], mk[8]), mk[12]), e1 = _mm256_sub_ps(_mm256_sub_ps(mk[5], mk[9]), mk[13]);
            const __m256 e2 = _mm256_sub_ps(_mm256_sub_ps(mk[6], mk[10]), mk[14]), e3 = _mm256_sub_ps(_mm256_sub_ps(mk[7], mk[11]), mk[15]);
            const __m256 y00 = _mm256_add_ps(_mm256_add_ps(s0, s1), s2), y01 = _mm256_sub_ps(_mm256_sub_ps(s1, s2), s3);
            const __m256 y10 = _mm256_add_ps(_mm256_add_ps(e0, e1), e2), y11 = _mm256_sub_ps(_mm256_sub_ps(e1, e2), e3);
            /* tile j's pairs: the low (j even) or high 8 bytes of top[j / 2] and bottom[j / 2] */
            const __m256 tl = _mm256_unpacklo_ps(y00, y01), th = _mm256_unpackhi_ps(y00, y01);
            const __m256 bl = _mm256_unpacklo_ps(y10, y11), bh = _mm256_unpackhi_ps(y10, y11);
            const __m128 top[4] = {_mm256_castps256_ps128(tl), _mm256_castps256_ps128(th), _mm256_extractf128_ps(tl, 1),
                                   _mm256_extractf128_ps(th, 1)};
            const __m128 bottom[4] = {_mm256_castps256_ps128(bl), _mm256_castps256_ps128(bh), _mm256_extractf128_ps(bl, 1),
                                      _mm256_extractf128_ps(bh, 1)};
            const int n = count - q < 8 ? count - q : 8;
            TGC_UNROLL_TILES
            for (int j = 0; j < 8; j++) {
                if (j >= n) break;
                float *to = yo + at[q + j];
                if (keep[q + j] == 3) {
                    if (j % 2 == 0) {
                        _mm_storel_pi((__m64 *)to, top[j / 2]);
                        _mm_storel_pi((__m64 *)(to + ow), bottom[j / 2]);
                    } else {
                        _mm_storeh_pi((__m64 *)to, top[j / 2]);
                        _mm_storeh_pi((__m64 *)(to + ow), bottom[j / 2]);
                    }
                    continue;
                }
                float pairs[8];
                _mm_storeu_ps(pairs, top[j / 2]);
                _mm_storeu_ps(pairs + 4, bottom[j / 2]);
                const int h = 2 * (j % 2);
                to[0] = pairs[h];
                if (keep[q + j] & 1) to[1] = pairs[h + 1];
                if (keep[q + j] & 2) {
                    to[ow] = pairs[4 + h];
                    if (keep[q + j] & 1) to[ow + 1] = pairs[5 + h];
                }
            }
        }
    }
}

TGC_AVX2 static void gradient_row_avx2(const tgc__winograd_conv *p, int64_t point, const float *plane, int64_t row,
                                       int64_t tiles_x, float *out) {
    if (p->ow < 8) { /* rows narrower than a register */
        gradient_row(p, point, plane, row, tiles_x, out);
        return;
    }
    for (int64_t q = 0; q < tiles_x; q += 8) {
        __m256 g[2][2], t[4][2], v[POINTS];
        for (int a = 0; a < 2; a++) {
            if (row + a >= p->oh) {
                g[a][0] = g[a][1] = _mm256_setzero_ps();
                continue;
            }
            const float *line = plane + (row + a) * p->ow;
            const __m256 lo = tgc__load_columns8(line, 2 * q, p->ow), hi = tgc__load_columns8(line, 2 * q + 8, p->ow);
            g[a][0] = tgc__even_floats(lo, hi);
            g[a][1] = tgc__odd_floats(lo, hi);
        }
        for (int b = 0; b < 2; b++) {
            t[0][b] = g[0][b];
            t[1][b] = _mm256_add_ps(g[0][b], g[1][b]);
            t[2][b] = _mm256_sub_ps(g[0][b], g[1][b]);
            t[3][b] = g[1][b];
        }
        for (int i = 0; i < 4; i++) {
            v[i * 4 + 0] = t[i][0];
            v[i * 4 + 1] = _mm256_add_ps(t[i][0], t[i][1]);
            v[i * 4 + 2] = _mm256_sub_ps(t[i][0], t[i][1]);
            v[i * 4 + 3] = t[i][1];
        }
        for (int k = 0; k < POINTS; k++) store_full8(out + k * point + q, v[k]);
    }
}
#else
#define TGC_WINOGRAD_X86 0
#endif

/* The three transforms in the registers `vector` names. */
static void run_input_transform(transforms vector, const tgc__winograd_conv *p, int64_t point, const float *plane,
                                const tile_run *run, float *out) {
#if TGC_WINOGRAD_X86
    if (vector == TRANSFORMS_AVX512) {
        transform_run_avx512(p, point, plane, run, out);
        return;
    }
    if (vector == TRANSFORMS_AVX2) {
        transform_run_avx2(p, point, plane, run, out);
        return;
    }
#endif
    (void)vector;
    transform_run(p, point, plane, run, out);
}

static void run_output_transform(const tgc__winograd_conv *p, const plan *pl, const float *mo, const tile_run *run, float *to) {
#if TGC_WINOGRAD_X86
    if (pl->vector == TRANSFORMS_AVX512) {
        output_run_avx512(p, pl, mo, run, to);
        return;
    }
#endif
    output_run(p, pl, mo, run, to);
}

static void run_gradient_transform(transforms vector, const tgc__winograd_conv *p, int64_t point, const float *plane,
                                   int64_t row, int64_t tiles_x, float *out) {
#if TGC_WINOGRAD_X86
    if (vector == TRANSFORMS_AVX512) {
        gradient_row_avx512(p, point, plane, row, tiles_x, out);
        return;
    }
    if (vector == TRANSFORMS_AVX2) {
        gradient_row_avx2(p, point, plane, row, tiles_x, out);
        return;
    }
#endif
    (void)vector;
    gradient_row(p, point, plane, row, tiles_x, out);
}

/* The input transform of a block (its runs) for every channel. */
static void transform_input(const tgc__winograd_conv *p, const plan *pl, const float *x, const tile_run *runs, int n_runs,
                            float *v) {
    const int64_t nr = pl->ki->nr, plane = p->h * p->w;
    for (int64_t c = 0; c < p->c; c++)
        for (int r = 0; r < n_runs; r++) {
            const float *in = x + runs[r].in + c * plane;
            float *out = v + c * nr + runs[r].j0;
            run_input_transform(pl->vector, p, pl->v_point, in, &runs[r], out);
        }
}

/* M_ξ [o, tiles] = U_ξ · V_ξ for the 16 (36) points, at m[ξ·m_point + o·NR + j]: the kernel on
   each MR-row panel of U, over the k blocks of tgc_sgemm. */
static void multiply(const tgc__winograd_conv *p, const plan *pl, const float *u, const float *v, int count, float *m) {
    const tgc__gemm_kernel_info *ki = pl->ki;
    const int64_t mr = ki->mr, nr = ki->nr;
    for (int k = 0; k < pl->tile.points; k++)
        for (int64_t q = 0; q < pl->o_panels; q++) {
            const int rows = (int)(p->o - q * mr < mr ? p->o - q * mr : mr);
            for (int64_t pc = 0; pc < p->c; pc += pl->kb_max) {
                const int64_t kb = p->c - pc < pl->kb_max ? p->c - pc : pl->kb_max;
                ki->kernel(kb, u + ((k * pl->o_panels + q) * pl->cs + pc) * mr, v + k * pl->v_point + pc * nr,
                           m + k * pl->m_point + q * mr * nr, nr, 1.0f, pc == 0 ? 0.0f : 1.0f, rows, count);
            }
        }
}

/* The output transform of a block (tiles first .. first+count-1, its runs) for every output channel. */
static void transform_output(const tgc__winograd_conv *p, const plan *pl, const float *m, int64_t first, int count,
                             const tile_run *runs, int n_runs, float *y) {
#if TGC_WINOGRAD_X86
    if (pl->vector == TRANSFORMS_AVX2) {
        output_block_avx2(p, pl, m, first, count, y);
        return;
    }
#endif
    (void)first, (void)count;
    const int64_t nr = pl->ki->nr, plane = p->oh * p->ow;
    for (int64_t o = 0; o < p->o; o++)
        for (int r = 0; r < n_runs; r++) {
            const float *mo = m + o * nr + runs[r].j0;
            float *to = y + runs[r].out + o * plane;
            run_output_transform(p, pl, mo, &runs[r], to);
        }
}

void tgc__winograd_f32(const tgc__winograd_conv *p, const float *x, float *y, float *scratch, int threads) {
    const plan pl = plan_of(p);
    const int64_t nr = pl.ki->nr, total = p->n * pl.tile.tiles, blocks = blocks_of(p, &pl);
    const float *u = p->u != NULL ? p->u : scratch;
    const int64_t transforms = p->u != NULL ? 0 : weight_units(p, &pl);
    (void)threads;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (threads > 1)
#endif
    {
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (int64_t unit = 0; unit < transforms; unit++) transform_weight_unit(p, &pl, unit, scratch);
        float *v = scratch + pl.u_floats + (int64_t)tgc__thread_id() * pl.block_floats, *m = v + pl.tile.points * pl.v_point;
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (int64_t block = 0; block < blocks; block++) {
            const int count = (int)(total - block * nr < nr ? total - block * nr : nr);
            if (pl.tile.side == 4) {
                const int avx512 = pl.vector == TRANSFORMS_AVX512;
                tgc__winograd4_input(p, avx512, x, block * nr, count, nr, pl.v_point, v);
                multiply(p, &pl, u, v, count, m);
                tgc__winograd4_output(p, avx512, m, block * nr, count, nr, pl.m_point, y);
                continue;
            }
            tile_run runs[MAX_NR];
            const int n_runs = tile_runs(p, &pl, block * nr, count, runs);
            transform_input(p, &pl, x, runs, n_runs, v);
            multiply(p, &pl, u, v, count, m);
            transform_output(p, &pl, m, block * nr, count, runs, n_runs, y);
        }
    }
}

/* ---- weight gradient ------------------------------------------------------------------------ */

/* The weight gradient takes the images of a call in groups of about this many tiles (at least
   one image), each group's 16 products accumulated onto the previous groups' in k order. */
#define GRADIENT_TILES 512

/* The sizes of a weight gradient's work and scratch. */
typedef struct {
    tiling tile;
    transforms vector;       /* the registers the transforms run in */
    int64_t group;           /* images per group */
    int64_t ld;              /* floats from one channel's transformed tiles to the next */
    int64_t v_point, g_point, m_point; /* floats from one point to the next in V [c][tiles],
                                          Ŷ [o][tiles] and M [c][o] */
} gradient_plan;

static gradient_plan gradient_plan_of(const tgc__winograd_conv *p) {
    gradient_plan gp;
    const tgc__gemm_kernel_info *ki = tgc__gemm_best_kernel();
    gp.tile = tiling_of(p, ki);
    gp.vector = transforms_for(ki);
    gp.group = GRADIENT_TILES / gp.tile.tiles > 1 ? GRADIENT_TILES / gp.tile.tiles : 1;
    if (gp.group > p->n) gp.group = p->n > 0 ? p->n : 1;
    /* 7 floats to spare after the tiles: the AVX2 transforms store 8 lanes (store_full8) */
    gp.ld = (gp.group * gp.tile.tiles + 7 + 15) / 16 * 16;
    /* a cache line more, as the forward's panels */
    gp.v_point = p->c * gp.ld + 16;
    gp.g_point = p->o * gp.ld + 16;
    gp.m_point = (p->o * p->c + 15) / 16 * 16;
    return gp;
}

int64_t tgc__winograd_weight_grad_scratch_floats(const tgc__winograd_conv *p) {
    const gradient_plan gp = gradient_plan_of(p);
    return gp.tile.points * (gp.v_point + gp.g_point + gp.m_point);
}

/* V of each input channel and Ŷ of each output channel for `images` images' tiles (tile j of
   image b at b·tiles + j). */
static void transform_gradient_inputs(const tgc__winograd_conv *p, const gradient_plan *gp, const float *x, const float *gy,
                                      int64_t images, float *v, float *g) {
    const transforms vector = gp->vector;
    if (gp->tile.side == 4) {
        tgc__winograd_conv group = *p;
        group.n = images;
        tgc__winograd4_input(&group, vector == TRANSFORMS_AVX512, x, 0, (int)(images * gp->tile.tiles), gp->ld, gp->v_point, v);
        tgc__winograd4_gradient(&group, vector == TRANSFORMS_AVX512, gy, 0, (int)(images * gp->tile.tiles), gp->ld, gp->g_point, g);
        return;
    }
    for (int64_t b = 0; b < images; b++) {
        for (int64_t c = 0; c < p->c; c++) {
            const float *plane = x + (b * p->c + c) * p->h * p->w;
            for (int64_t ty = 0; ty < gp->tile.tiles / gp->tile.tiles_x; ty++) {
                const tile_run run = {0, (int)gp->tile.tiles_x, 0, 0, 0, 2 * ty - p->ph, -p->pw, 0};
                float *out = v + c * gp->ld + b * gp->tile.tiles + ty * gp->tile.tiles_x;
                run_input_transform(vector, p, gp->v_point, plane, &run, out);
            }
        }
        for (int64_t o = 0; o < p->o; o++) {
            const float *plane = gy + (b * p->o + o) * p->oh * p->ow;
            for (int64_t ty = 0; ty < gp->tile.tiles / gp->tile.tiles_x; ty++) {
                float *out = g + o * gp->ld + b * gp->tile.tiles + ty * gp->tile.tiles_x;
                run_gradient_transform(vector, p, gp->g_point, plane, 2 * ty, gp->tile.tiles_x, out);
            }
        }
    }
}

/* sum[(r·9 + i·3 + j)·ld + q] = (G'ᵀ M_{q,r} G')[i][j] for each output channel q and input
   channel r, G' = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 −1] (G with the sign of A''s last row), M_{q,r}
   the 4x4 of points m[ξ·m_point + r·o + q] (vectorized over q). */
static void weight_grad_of(const tgc__winograd_conv *p, const gradient_plan *gp, const float *m, float *sum, int64_t ld) {
    for (int64_t r = 0; r < p->c; r++) {
        const float *mr = m + r * p->o;
        float *out = sum + r * 9 * ld;
#ifdef _OPENMP
#pragma omp simd
#endif
        for (int64_t q = 0; q < p->o; q++) {
            float t[3][4];
            for (int k = 0; k < 4; k++) {
                const float m0 = mr[k * gp->m_point + q], m1 = mr[(4 + k) * gp->m_point + q];
                const float m2 = mr[(8 + k) * gp->m_point + q], m3 = mr[(12 + k) * gp->m_point + q];
                t[0][k] = m0 + (m1 + m2) * 0.5f;
                t[1][k] = (m1 - m2) * 0.5f;
                t[2][k] = (m1 + m2) * 0.5f - m3;
            }
            for (int i = 0; i < 3; i++) {
                out[(i * 3 + 0) * ld + q] = t[i][0] + (t[i][1] + t[i][2]) * 0.5f;
                out[(i * 3 + 1) * ld + q] = (t[i][1] - t[i][2]) * 0.5f;
                out[(i * 3 + 2) * ld + q] = (t[i][1] + t[i][2]) * 0.5f - t[i][3];
            }
        }
    }
}

void tgc__winograd_weight_grad_f32(const tgc__winograd_conv *p, const float *x, const float *gy, float *sum, int64_t ld,
                                   float *scratch) {
    const gradient_plan gp = gradient_plan_of(p);
    float *v = scratch, *g = v + gp.tile.points * gp.v_point, *m = g + gp.tile.points * gp.g_point;
    for (int64_t first = 0; first < p->n; first += gp.group) {
        const int64_t images = p->n - first < gp.group ? p->n - first : gp.group;
        transform_gradient_inputs(p, &gp, x + first * p->c * p->h * p->w, gy + first * p->o * p->oh * p->ow, images, v, g);
        for (int k = 0; k < gp.tile.points; k++)
            tgc_sgemm(0, 1, p->c, p->o, images * gp.tile.tiles, 1.0f, v + k * gp.v_point, gp.ld, g + k * gp.g_point, gp.ld,
                      first == 0 ? 0.0f : 1.0f, m + k * gp.m_point, p->o);
    }
    if (gp.tile.side == 4) tgc__winograd4_weight_grad_of(p, m, gp.m_point, sum, ld);
    else weight_grad_of(p, &gp, m, sum, ld);
}
