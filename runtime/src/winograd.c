/* tgc__winograd_f32: a stride-1 3x3 convolution by Winograd's minimal filtering F(2x2, 3x3)
   (Lavin & Gray 2015), 16 products per 2x2 output tile instead of 36.

   Each 2x2 tile of the output reads a 4x4 patch d of each input channel (zeros in the padding
   and past the edge; a tile at an odd edge computes two outputs that are dropped). With the
   input transform V = Bᵀ d B, the weight transform U = G g Gᵀ and the output transform
   Aᵀ · A, the tile is Aᵀ [Σ_c U[o][c] ⊙ V[c]] A, so for each of the 16 points ξ of the
   transformed tile the sum over channels is one matrix product M_ξ [o, tiles] =
   U_ξ [o, c] · V_ξ [c, tiles].

   The output tiles of all images, flattened (image, tile row, tile column), are cut into
   blocks of one micro-panel width (NR tiles of tgc_sgemm's kernel). A block's input transform
   is written straight into the layout of the kernel's packed B panels, the 16 products run
   through the kernel (tgc__gemm_ukernel) against U packed once per call as its A panels, and
   the output transform scatters the block's tiles into y. Blocks run in parallel (OpenMP),
   each on a thread's own scratch. Every output element goes through the same operations
   (transforms in a fixed order, the kernel's sum over channels in k order, the k blocks of
   tgc_sgemm) whatever the block it falls in, so neither the thread count nor the images a call
   is given change a bit. No contraction into FMAs outside the kernel: the transforms round as
   written, with or without -march=native. */
#include <stdint.h>
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
#define MAX_NR 32 /* the widest kernel panel (AVX-512's) */

/* The sizes of one call's work and scratch. */
typedef struct {
    const tgc__gemm_kernel_info *ki;
    int64_t tiles_x, tiles;       /* tile columns and tiles per image */
    int64_t cs;                   /* c rounded up to 16: panels stay 64-byte aligned */
    int64_t o_panels, o_rows;     /* U's MR-row panels over o, and their rows */
    int64_t kb_max;               /* tgc_sgemm's k block for c */
    int64_t v_point, m_point;     /* the floats from one point's V, M of a block to the next */
    int64_t u_floats, block_floats; /* U; one thread's V and M of a block */
} plan;

static plan plan_of(const tgc__winograd_conv *p) {
    plan pl;
    pl.ki = tgc__gemm_best_kernel();
    if (pl.ki->nr > MAX_NR) tgc_fatal("winograd: kernel %s is wider than %d", pl.ki->name, MAX_NR);
    const int64_t mr = pl.ki->mr, nr = pl.ki->nr;
    pl.tiles_x = (p->ow + 1) / 2;
    pl.tiles = (p->oh + 1) / 2 * pl.tiles_x;
    pl.cs = (p->c + 15) / 16 * 16;
    pl.o_panels = (p->o + mr - 1) / mr;
    pl.o_rows = pl.o_panels * mr;
    pl.kb_max = tgc__gemm_k_block(pl.ki, p->c);
    /* one cache line more than the points' panels need: 16 streams 4 KiB apart would share
       the sets of the L1 cache */
    pl.v_point = pl.cs * nr + 16;
    pl.m_point = (pl.o_rows * nr + 15) / 16 * 16 + 16;
    pl.u_floats = (POINTS * pl.o_rows * pl.cs + 15) / 16 * 16;
    pl.block_floats = POINTS * (pl.v_point + pl.m_point);
    return pl;
}

static int64_t blocks_of(const tgc__winograd_conv *p, const plan *pl) {
    return (p->n * pl->tiles + pl->ki->nr - 1) / pl->ki->nr;
}

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

/* Where output tile j of a block reads and writes. */
typedef struct {
    int64_t in;      /* its image in x */
    int64_t out;     /* its top-left output element, channel 0 */
    int64_t iy, ix;  /* its patch's top-left input element (may lie in the padding) */
    int rows, cols;  /* outputs it keeps down and across: 1 at an odd edge, else 2 */
} tile_at;

static void locate_tiles(const tgc__winograd_conv *p, const plan *pl, int64_t first, int count, tile_at *at) {
    for (int j = 0; j < count; j++) {
        const int64_t t = first + j, b = t / pl->tiles, ty = t % pl->tiles / pl->tiles_x, tx = t % pl->tiles_x;
        at[j].in = b * p->c * p->h * p->w;
        at[j].out = (b * p->o * p->oh + 2 * ty) * p->ow + 2 * tx;
        at[j].iy = 2 * ty - p->ph;
        at[j].ix = 2 * tx - p->pw;
        at[j].rows = 2 * ty + 1 < p->oh ? 2 : 1;
        at[j].cols = 2 * tx + 1 < p->ow ? 2 : 1;
    }
}

/* 16 lanes of float: GCC's and Clang's vector extension, one zmm with AVX-512, smaller vectors
   (or scalars) elsewhere; each lane rounds as the scalar operation would. */
typedef float lanes __attribute__((vector_size(64)));

/* V = Bᵀ d B of each tile and channel, Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], point ξ
   of channel c's tile j at v[ξ·v_point + c·NR + j]: the kernel's B panels. The patches are
   gathered into d (point-major, zeros past the block's last tile), then transformed 16 tiles
   at a time. */
static void transform_input(const tgc__winograd_conv *p, const plan *pl, const float *x, const tile_at *at, int count,
                            float *v) {
    const int64_t nr = pl->ki->nr, h = p->h, w = p->w, plane = h * w;
    const int vectors = (count + 15) / 16;
    _Alignas(64) float d[POINTS][MAX_NR];
    for (int k = 0; k < POINTS; k++)
        for (int j = count; j < vectors * 16; j++) d[k][j] = 0.0f;
    for (int64_t c = 0; c < p->c; c++) {
        for (int j = 0; j < count; j++) {
            const float *in = x + at[j].in + c * plane;
            const int64_t iy = at[j].iy, ix = at[j].ix;
            if (iy >= 0 && iy + 4 <= h && ix >= 0 && ix + 4 <= w) {
                const float *patch = in + iy * w + ix;
                for (int i = 0; i < 4; i++)
                    for (int k = 0; k < 4; k++) d[i * 4 + k][j] = patch[i * w + k];
                continue;
            }
            for (int i = 0; i < 4; i++)
                for (int k = 0; k < 4; k++) {
                    const int64_t y = iy + i, xx = ix + k;
                    d[i * 4 + k][j] = y >= 0 && y < h && xx >= 0 && xx < w ? in[y * w + xx] : 0.0f;
                }
        }
        for (int q = 0; q < vectors; q++) {
            lanes t[POINTS];
            for (int k = 0; k < 4; k++) {
                const lanes d0 = *(const lanes *)&d[0 * 4 + k][q * 16], d1 = *(const lanes *)&d[1 * 4 + k][q * 16];
                const lanes d2 = *(const lanes *)&d[2 * 4 + k][q * 16], d3 = *(const lanes *)&d[3 * 4 + k][q * 16];
                t[0 * 4 + k] = d0 - d2;
                t[1 * 4 + k] = d1 + d2;
                t[2 * 4 + k] = d2 - d1;
                t[3 * 4 + k] = d1 - d3;
            }
            float *out = v + c * nr + q * 16;
            for (int i = 0; i < 4; i++) {
                *(lanes *)(out + (i * 4 + 0) * pl->v_point) = t[i * 4 + 0] - t[i * 4 + 2];
                *(lanes *)(out + (i * 4 + 1) * pl->v_point) = t[i * 4 + 1] + t[i * 4 + 2];
                *(lanes *)(out + (i * 4 + 2) * pl->v_point) = t[i * 4 + 2] - t[i * 4 + 1];
                *(lanes *)(out + (i * 4 + 3) * pl->v_point) = t[i * 4 + 1] - t[i * 4 + 3];
            }
        }
    }
}

/* M_ξ [o, tiles] = U_ξ · V_ξ for the 16 points, at m[ξ·m_point + o·NR + j]: the kernel on
   each MR-row panel of U, over the k blocks of tgc_sgemm. */
static void multiply(const tgc__winograd_conv *p, const plan *pl, const float *u, const float *v, int count, float *m) {
    const tgc__gemm_kernel_info *ki = pl->ki;
    const int64_t mr = ki->mr, nr = ki->nr;
    for (int k = 0; k < POINTS; k++)
        for (int64_t q = 0; q < pl->o_panels; q++) {
            const int rows = (int)(p->o - q * mr < mr ? p->o - q * mr : mr);
            for (int64_t pc = 0; pc < p->c; pc += pl->kb_max) {
                const int64_t kb = p->c - pc < pl->kb_max ? p->c - pc : pl->kb_max;
                ki->kernel(kb, u + ((k * pl->o_panels + q) * pl->cs + pc) * mr, v + k * pl->v_point + pc * nr,
                           m + k * pl->m_point + q * mr * nr, nr, 1.0f, pc == 0 ? 0.0f : 1.0f, rows, count);
            }
        }
}

/* y = Aᵀ M A of each tile and output channel, Aᵀ = [1 1 1 0; 0 1 −1 −1], the outputs past an
   odd edge dropped. */
static void transform_output(const tgc__winograd_conv *p, const plan *pl, const float *m, const tile_at *at, int count,
                             float *y) {
    const int64_t nr = pl->ki->nr, point = pl->m_point, plane = p->oh * p->ow;
    for (int64_t o = 0; o < p->o; o++) {
        const float *mo = m + o * nr;
        float out[4][MAX_NR];
        for (int j = 0; j < count; j++) {
            float s[4], e[4];
            for (int k = 0; k < 4; k++) {
                const float m0 = mo[(0 * 4 + k) * point + j], m1 = mo[(1 * 4 + k) * point + j];
                const float m2 = mo[(2 * 4 + k) * point + j], m3 = mo[(3 * 4 + k) * point + j];
                s[k] = m0 + m1 + m2;
                e[k] = m1 - m2 - m3;
            }
            out[0][j] = s[0] + s[1] + s[2];
            out[1][j] = s[1] - s[2] - s[3];
            out[2][j] = e[0] + e[1] + e[2];
            out[3][j] = e[1] - e[2] - e[3];
        }
        for (int j = 0; j < count; j++) {
            float *to = y + at[j].out + o * plane;
            to[0] = out[0][j];
            if (at[j].cols == 2) to[1] = out[1][j];
            if (at[j].rows == 2) {
                to[p->ow] = out[2][j];
                if (at[j].cols == 2) to[p->ow + 1] = out[3][j];
            }
        }
    }
}

static int thread_id(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

void tgc__winograd_f32(const tgc__winograd_conv *p, const float *x, float *y, float *scratch, int threads) {
    const plan pl = plan_of(p);
    const int64_t nr = pl.ki->nr, total = p->n * pl.tiles, blocks = blocks_of(p, &pl);
    float *u = scratch;
    (void)threads;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads) if (threads > 1)
#endif
    {
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (int64_t q = 0; q < p->o; q++) transform_weights(p, &pl, q, u);
        float *v = scratch + pl.u_floats + (int64_t)thread_id() * pl.block_floats, *m = v + POINTS * pl.v_point;
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (int64_t block = 0; block < blocks; block++) {
            const int count = (int)(total - block * nr < nr ? total - block * nr : nr);
            tile_at at[MAX_NR];
            locate_tiles(p, &pl, block * nr, count, at);
            transform_input(p, &pl, x, at, count, v);
            multiply(p, &pl, u, v, count, m);
            transform_output(p, &pl, m, at, count, y);
        }
    }
}
