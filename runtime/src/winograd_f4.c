/* The transforms of Winograd's F(4x4, 3x3) (Lavin & Gray 2015, interpolation points 0, ±1, ±2
   and ∞) for winograd.c's forward, input gradient and weight gradient: 36 products per 4x4
   output tile where F(2x2, 3x3) takes 64 for the same 16 outputs. A tile of the output reads the 6x6 patch d of
   each input channel (zeros in the padding and past the edge; a tile at an edge computes the
   outputs past it and drops them) and is Aᵀ [Σ_c U[o][c] ⊙ V[c]] A with

     V = Bᵀ d B,  Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
     U = G g Gᵀ,  G  = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1]
     Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]

   in the layouts of winograd.c's kernel panels (winograd_internal.h); the weight gradient's
   Ŷ = A gy Aᵀ of each tile of the output's gradient and Gᵀ M G of the sums. Each formula is
   written once (BT6, AT6, A4, G3) over the operations of its registers: the portable C and the
   AVX-512 transforms (16 tiles at a time, one per lane: patches loaded and transposed into
   lanes, outputs transposed back into rows) run the same operations on each element, so they
   give the same bits. */
#include <stdint.h>
#include <string.h>

#include "winograd_internal.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* r = Bᵀ d of six values (a column or a row of a patch). */
#define BT6(ADD, SUB, MUL, d, r)                                                   \
    do {                                                                           \
        r[0] = ADD(SUB(MUL(d[0], 4.0f), MUL(d[2], 5.0f)), d[4]);                   \
        r[1] = SUB(ADD(d[3], d[4]), MUL(ADD(d[1], d[2]), 4.0f));                   \
        r[2] = ADD(SUB(d[4], d[3]), MUL(SUB(d[1], d[2]), 4.0f));                   \
        r[3] = ADD(SUB(d[4], d[2]), MUL(SUB(d[3], d[1]), 2.0f));                   \
        r[4] = SUB(SUB(d[4], d[2]), MUL(SUB(d[3], d[1]), 2.0f));                   \
        r[5] = ADD(SUB(MUL(d[1], 4.0f), MUL(d[3], 5.0f)), d[5]);                   \
    } while (0)

/* r = Aᵀ m of six values (a column or a row of a tile's products), four results. */
#define AT6(ADD, SUB, MUL, m, r)                                                   \
    do {                                                                           \
        r[0] = ADD(ADD(m[0], ADD(m[1], m[2])), ADD(m[3], m[4]));                   \
        r[1] = ADD(SUB(m[1], m[2]), MUL(SUB(m[3], m[4]), 2.0f));                   \
        r[2] = ADD(ADD(m[1], m[2]), MUL(ADD(m[3], m[4]), 4.0f));                   \
        r[3] = ADD(ADD(SUB(m[1], m[2]), MUL(SUB(m[3], m[4]), 8.0f)), m[5]);        \
    } while (0)

/* r = A g of four values (a column or a row of a tile of the output's gradient), six results:
   the weight gradient's Ŷ = A gy Aᵀ. */
#define A4(ADD, SUB, MUL, g, r)                                                    \
    do {                                                                           \
        r[0] = g[0];                                                               \
        r[1] = ADD(ADD(g[0], g[2]), ADD(g[1], g[3]));                              \
        r[2] = SUB(ADD(g[0], g[2]), ADD(g[1], g[3]));                              \
        r[3] = ADD(ADD(g[0], MUL(g[2], 4.0f)), ADD(MUL(g[1], 2.0f), MUL(g[3], 8.0f))); \
        r[4] = SUB(ADD(g[0], MUL(g[2], 4.0f)), ADD(MUL(g[1], 2.0f), MUL(g[3], 8.0f))); \
        r[5] = g[3];                                                               \
    } while (0)

#define S_ADD(a, b) ((a) + (b))
#define S_SUB(a, b) ((a) - (b))
#define S_MUL(a, c) ((a) * (c))

/* r = G g of three values (a column or a row of a 3x3 kernel): six. */
#define G3(ADD, SUB, MUL, g, r)                                                    \
    do {                                                                           \
        r[0] = MUL(g[0], 0.25f);                                                   \
        r[1] = MUL(ADD(ADD(g[0], g[1]), g[2]), -1.0f / 6.0f);                      \
        r[2] = MUL(SUB(ADD(g[0], g[2]), g[1]), -1.0f / 6.0f);                      \
        r[3] = MUL(ADD(ADD(MUL(g[0], 0.25f), MUL(g[1], 0.5f)), g[2]), 1.0f / 6.0f); \
        r[4] = MUL(ADD(SUB(MUL(g[0], 0.25f), MUL(g[1], 0.5f)), g[2]), 1.0f / 6.0f); \
        r[5] = g[2];                                                               \
    } while (0)

/* U = G g Gᵀ of output channel q and input channel r, point ξ at u[ξ·point]. */
static void weights_of(const tgc__winograd_conv *p, int64_t q, int64_t r, int64_t point, float *u) {
    const float *g = p->weight + q * p->wq + r * p->wr;
    float t[6][3];
    for (int j = 0; j < 3; j++) { /* G g down each column */
        const float column[3] = {g[j * p->wj], g[p->wi + j * p->wj], g[2 * p->wi + j * p->wj]};
        float out[6];
        G3(S_ADD, S_SUB, S_MUL, column, out);
        for (int i = 0; i < 6; i++) t[i][j] = out[i];
    }
    for (int i = 0; i < 6; i++) { /* · Gᵀ across each row */
        float v[6];
        G3(S_ADD, S_SUB, S_MUL, t[i], v);
        for (int k = 0; k < 6; k++) u[(i * 6 + k) * point] = v[k];
    }
}

static void weights_portable(const tgc__winograd_conv *p, int64_t panel, const tgc__winograd_panels *u_at, float *u) {
    const int64_t mr = u_at->mr, point = u_at->o_panels * u_at->cs * mr;
    for (int64_t q = panel * mr; q < p->o && q < panel * mr + mr; q++)
        for (int64_t r = 0; r < p->c; r++) weights_of(p, q, r, point, u + (panel * u_at->cs + r) * mr + q % mr);
}

/* r = Gᵀ u of six values (a column or a row of the gradient of U): three. */
#define GT6(u0, u1, u2, u3, u4, u5, r0, r1, r2)                                              \
    do {                                                                                     \
        r0 = ((u0) * 0.25f - ((u1) + (u2)) * (1.0f / 6.0f)) + ((u3) + (u4)) * (1.0f / 24.0f); \
        r1 = (((u2) - (u1)) + ((u3) - (u4)) * 0.5f) * (1.0f / 6.0f);                          \
        r2 = (((u3) + (u4)) - ((u1) + (u2))) * (1.0f / 6.0f) + (u5);                          \
    } while (0)

void tgc__winograd4_weight_grad_of(const tgc__winograd_conv *p, const float *m, int64_t m_point, float *sum, int64_t ld) {
    for (int64_t r = 0; r < p->c; r++) {
        const float *mr = m + r * p->o;
        float *out = sum + r * 9 * ld;
#ifdef _OPENMP
#pragma omp simd
#endif
        for (int64_t q = 0; q < p->o; q++) {
            float t0[6], t1[6], t2[6]; /* Gᵀ down each column of M */
            for (int k = 0; k < 6; k++) {
                const float *u = mr + k * m_point + q;
                GT6(u[0], u[6 * m_point], u[12 * m_point], u[18 * m_point], u[24 * m_point], u[30 * m_point], t0[k], t1[k], t2[k]);
            }
            /* · G across each row */
            GT6(t0[0], t0[1], t0[2], t0[3], t0[4], t0[5], out[q], out[ld + q], out[2 * ld + q]);
            GT6(t1[0], t1[1], t1[2], t1[3], t1[4], t1[5], out[3 * ld + q], out[4 * ld + q], out[5 * ld + q]);
            GT6(t2[0], t2[1], t2[2], t2[3], t2[4], t2[5], out[6 * ld + q], out[7 * ld + q], out[8 * ld + q]);
        }
    }
}

/* Where tile t (of all images' tiles, image by image, row by row) lies. */
typedef struct {
    int64_t image, ty, tx;
} tile_at;

static tile_at tile_of(const tgc__winograd_conv *p, int64_t t) {
    const int64_t tiles_x = (p->ow + 3) / 4, tiles = (p->oh + 3) / 4 * tiles_x;
    return (tile_at){t / tiles, t % tiles / tiles_x, t % tiles_x};
}

/* V of one tile and channel (plane: the channel's input plane), point ξ at out[ξ·point]: d B
   across each row of the patch, then Bᵀ down each column. */
static void input_tile(const tgc__winograd_conv *p, const float *plane, tile_at at, int64_t point, float *out) {
    const int64_t iy = 4 * at.ty - p->ph, ix = 4 * at.tx - p->pw;
    float t[6][6];
    for (int i = 0; i < 6; i++) {
        float d[6];
        for (int k = 0; k < 6; k++) {
            const int64_t y = iy + i, x = ix + k;
            d[k] = y >= 0 && y < p->h && x >= 0 && x < p->w ? plane[y * p->w + x] : 0.0f;
        }
        BT6(S_ADD, S_SUB, S_MUL, d, t[i]);
    }
    for (int k = 0; k < 6; k++) {
        float column[6], r[6];
        for (int i = 0; i < 6; i++) column[i] = t[i][k];
        BT6(S_ADD, S_SUB, S_MUL, column, r);
        for (int i = 0; i < 6; i++) out[(i * 6 + k) * point] = r[i];
    }
}

/* The outputs of one tile and output channel from its 36 points mo[ξ·point]; y_plane: the
   output channel's plane of the tile's image. */
static void output_tile(const tgc__winograd_conv *p, const float *mo, int64_t point, tile_at at, float *y_plane) {
    float s[4][6];
    for (int k = 0; k < 6; k++) { /* Aᵀ m down each column */
        float m[6], r[4];
        for (int i = 0; i < 6; i++) m[i] = mo[(i * 6 + k) * point];
        AT6(S_ADD, S_SUB, S_MUL, m, r);
        for (int a = 0; a < 4; a++) s[a][k] = r[a];
    }
    for (int a = 0; a < 4; a++) { /* · A across each row */
        float r[4];
        AT6(S_ADD, S_SUB, S_MUL, s[a], r);
        const int64_t y = 4 * at.ty + a;
        for (int b = 0; b < 4 && y < p->oh; b++) {
            const int64_t x = 4 * at.tx + b;
            if (x < p->ow) y_plane[y * p->ow + x] = r[b];
        }
    }
}

/* Ŷ of one tile and output channel (plane: the channel's plane of the output's gradient),
   point ξ at out[ξ·point]: A g down each column of the tile (zeros past the plane's edge),
   then across each row. */
static void gradient_tile(const tgc__winograd_conv *p, const float *plane, tile_at at, int64_t point, float *out) {
    float t[6][4];
    for (int b = 0; b < 4; b++) {
        float g[4], r[6];
        for (int a = 0; a < 4; a++) {
            const int64_t y = 4 * at.ty + a, x = 4 * at.tx + b;
            g[a] = y < p->oh && x < p->ow ? plane[y * p->ow + x] : 0.0f;
        }
        A4(S_ADD, S_SUB, S_MUL, g, r);
        for (int i = 0; i < 6; i++) t[i][b] = r[i];
    }
    for (int i = 0; i < 6; i++) {
        float r[6];
        A4(S_ADD, S_SUB, S_MUL, t[i], r);
        for (int k = 0; k < 6; k++) out[(i * 6 + k) * point] = r[k];
    }
}

/* Which transform a call makes: V of the input, Ŷ of the output's gradient, or the output. */
typedef enum { INPUT, GRADIENT, OUTPUT } transform;

/* The portable transform of tiles first+from .. first+to-1, tile by tile and channel by
   channel: INPUT and GRADIENT from the planes of `in` (x, gy) into `out` (v, g), OUTPUT from
   `in` (m) into the planes of `out` (y); channel c of tile j at c·line + j of v, g or m. */
static void tiles_portable(transform kind, const tgc__winograd_conv *p, const float *in, int64_t first, int from, int to,
                           int64_t line, int64_t point, float *out) {
    const int64_t channels = kind == INPUT ? p->c : p->o, plane = kind == INPUT ? p->h * p->w : p->oh * p->ow;
    for (int j = from; j < to; j++) {
        const tile_at at = tile_of(p, first + j);
        for (int64_t c = 0; c < channels; c++) {
            const int64_t image_plane = (at.image * channels + c) * plane;
            if (kind == INPUT) input_tile(p, in + image_plane, at, point, out + c * line + j);
            else if (kind == GRADIENT) gradient_tile(p, in + image_plane, at, point, out + c * line + j);
            else output_tile(p, in + c * line + j, point, at, out + image_plane);
        }
    }
}

#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include "columns_avx512.h"
#include "transpose_avx512.h"
#define TGC_AVX512VL __attribute__((target("avx512f,avx512vl,avx2,fma")))

#define V_ADD(a, b) _mm512_add_ps(a, b)
#define V_SUB(a, b) _mm512_sub_ps(a, b)
#define V_MUL(a, c) _mm512_mul_ps(a, _mm512_set1_ps(c))

/* One image's tiles in one register: a plane whose output is 13 to 16 elements high and wide
   has 4x4 tiles, lane 4·ty + tx of a register holding tile (ty, tx). Its rows are then read
   and written whole, 16 elements a time, and rearranged with in-lane 4x4 transposes: */

/* The lanes of a 4x4 transpose: lane 4·i + j takes lane 4·j + i (its own inverse). */
static const int32_t transposed4x4[16] = {0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15};

/* d[j] = element j of each 128-bit lane of r[0..3], lane L's elements in its 128-bit lane L. */
TGC_AVX512VL static inline void transpose_lanes4(const __m512 r[4], __m512 d[4]) {
    const __m512 t0 = _mm512_unpacklo_ps(r[0], r[1]), t1 = _mm512_unpackhi_ps(r[0], r[1]);
    const __m512 t2 = _mm512_unpacklo_ps(r[2], r[3]), t3 = _mm512_unpackhi_ps(r[2], r[3]);
    d[0] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t2)));
    d[1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t2)));
    d[2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t1), _mm512_castps_pd(t3)));
    d[3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t1), _mm512_castps_pd(t3)));
}

/* r[ty]: 4 values k of each of the 4 tiles tx of tile row ty, lane 4·tx + k → d[k]: value k
   of the 16 tiles, lane 4·ty + tx. rows_of_tiles: back. */
TGC_AVX512VL static inline void tiles_of_rows(const __m512 r[4], __m512 d[4]) {
    const __m512i across = _mm512_loadu_si512((const void *)transposed4x4);
    transpose_lanes4(r, d);
    for (int k = 0; k < 4; k++) d[k] = _mm512_permutexvar_ps(across, d[k]);
}

TGC_AVX512VL static inline void rows_of_tiles(const __m512 d[4], __m512 r[4]) {
    const __m512i across = _mm512_loadu_si512((const void *)transposed4x4);
    __m512 t[4];
    for (int k = 0; k < 4; k++) t[k] = _mm512_permutexvar_ps(across, d[k]);
    transpose_lanes4(t, r);
}

/* Whether tiles first .. first+15 are one image's (the plane has 4x4 tiles). */
static int one_image(const tgc__winograd_conv *p, int64_t first, int lanes) {
    return lanes == 16 && (p->oh + 3) / 4 == 4 && (p->ow + 3) / 4 == 4 && first % 16 == 0;
}

/* U of the output channels of one of U's panels (mr <= 16 lanes) for every input channel: each
   tap gathered across the panel's channels. */
TGC_AVX512VL static void weights_lanes(const tgc__winograd_conv *p, int64_t panel, const tgc__winograd_panels *u_at, float *u) {
    const int64_t mr = u_at->mr, point = u_at->o_panels * u_at->cs * mr, q0 = panel * mr;
    const int lanes = (int)(p->o - q0 < mr ? p->o - q0 : mr);
    const __mmask16 keep = tgc__lane_range(0, lanes);
    int32_t step[16] = {0};
    for (int l = 0; l < lanes; l++) step[l] = (int32_t)(l * p->wq);
    const __m512i across = _mm512_loadu_si512((const void *)step);
    for (int64_t r = 0; r < p->c; r++) {
        const float *g = p->weight + q0 * p->wq + r * p->wr;
        __m512 t[6][3];
        for (int j = 0; j < 3; j++) {
            __m512 column[3], out[6];
            for (int i = 0; i < 3; i++)
                column[i] = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), keep, across, g + i * p->wi + j * p->wj, 4);
            G3(V_ADD, V_SUB, V_MUL, column, out);
            for (int i = 0; i < 6; i++) t[i][j] = out[i];
        }
        float *at = u + (panel * u_at->cs + r) * mr;
        for (int i = 0; i < 6; i++) {
            __m512 v[6];
            G3(V_ADD, V_SUB, V_MUL, t[i], v);
            for (int k = 0; k < 6; k++) _mm512_mask_storeu_ps(at + (i * 6 + k) * point, keep, v[k]);
        }
    }
}

/* Where 16 tiles' patches lie in a channel's plane of the first tile's image: tile l's row i
   starts at offset[l] + i·w (a float count; may point into the padding) and reads the columns
   of columns[l] (bit k: column k of the patch lies inside the plane) where bit i of rows[l]
   says row i does. */
typedef struct {
    int64_t offset[16];
    __mmask8 columns[16];
    unsigned rows[16];
} patches;

static void patches_of(const tgc__winograd_conv *p, int64_t first, int lanes, patches *g) {
    const int64_t image0 = tile_of(p, first).image, image = p->c * p->h * p->w;
    for (int l = 0; l < 16; l++) {
        g->offset[l] = 0, g->columns[l] = 0, g->rows[l] = 0;
        if (l >= lanes) continue;
        const tile_at at = tile_of(p, first + l);
        const int64_t iy = 4 * at.ty - p->ph, ix = 4 * at.tx - p->pw;
        g->offset[l] = (at.image - image0) * image + iy * p->w + ix;
        for (int k = 0; k < 6; k++) {
            if (iy + k >= 0 && iy + k < p->h) g->rows[l] |= 1u << k;
            if (ix + k >= 0 && ix + k < p->w) g->columns[l] |= (__mmask8)(1u << k);
        }
    }
}

/* Where 16 tiles lie in an output channel's plane (of the output or of its gradient) of the
   first tile's image: tile l's top-left element at offset[l] (a float count; images o·oh·ow
   apart), its rows inside the plane rows[l], its columns inside it columns[l] (bit b: column b). */
typedef struct {
    int64_t offset[16];
    int rows[16];
    __mmask8 columns[16];
} outputs;

TGC_AVX512VL static void outputs_of(const tgc__winograd_conv *p, int64_t first, int lanes, outputs *g) {
    const int64_t image0 = tile_of(p, first).image;
    for (int l = 0; l < 16; l++) {
        g->offset[l] = 0, g->rows[l] = 0, g->columns[l] = 0;
        if (l >= lanes) continue;
        const tile_at at = tile_of(p, first + l);
        g->offset[l] = ((at.image - image0) * p->o * p->oh + 4 * at.ty) * p->ow + 4 * at.tx;
        g->rows[l] = (int)(p->oh - 4 * at.ty < 4 ? p->oh - 4 * at.ty : 4);
        g->columns[l] = (__mmask8)tgc__lane_range(0, p->ow - 4 * at.tx < 4 ? p->ow - 4 * at.tx : 4);
    }
}

/* V of 16 tiles (lanes) of every channel (x: the first tile's image): two rows of each tile's
   patch loaded into one register (8 columns each, zeros outside the plane), the 16 tiles'
   registers transposed so that each holds one element of the 16 patches (one image's tiles:
   each row of its 4 tile rows' patches loaded whole and rearranged, `image`), d B across those
   rows; then Bᵀ down each column. */
TGC_AVX512VL static void input_lanes(const tgc__winograd_conv *p, const float *x, const patches *g, int lanes, int image,
                                     int64_t nr, int64_t v_point, float *v) {
    const __mmask16 keep = tgc__lane_range(0, lanes);
    const int64_t plane = p->h * p->w;
    __m512 t[6][6];
    for (int64_t c = 0; c < p->c; c++) {
        const uintptr_t base = (uintptr_t)(x + c * plane);
        for (int i = 0; image && i < 6; i++) { /* row i of the patches of tile row ty: columns from −pw and from 4 − pw */
            __m512 left[4], right[4], d[8];
            for (int ty = 0; ty < 4; ty++) {
                const int64_t y = 4 * ty - p->ph + i;
                const float *row = (const float *)(base + (uintptr_t)(y * p->w * 4));
                const int inside = y >= 0 && y < p->h;
                left[ty] = inside ? tgc__load_columns16(row, -p->pw, p->w) : _mm512_setzero_ps();
                right[ty] = inside ? tgc__load_columns16(row, 4 - p->pw, p->w) : _mm512_setzero_ps();
            }
            tiles_of_rows(left, d);
            tiles_of_rows(right, d + 4);
            BT6(V_ADD, V_SUB, V_MUL, d, t[i]);
        }
        for (int i = 0; !image && i < 6; i += 2) {
            __m512 rows[16];
            for (int l = 0; l < 16; l++) {
                const uintptr_t at = base + (uintptr_t)((g->offset[l] + i * p->w) * 4);
                const __mmask8 top = g->rows[l] >> i & 1u ? g->columns[l] : 0, bottom = g->rows[l] >> (i + 1) & 1u ? g->columns[l] : 0;
                const __m256 a = _mm256_maskz_loadu_ps(top, (const void *)at);
                const __m256 b = _mm256_maskz_loadu_ps(bottom, (const void *)(at + (uintptr_t)(p->w * 4)));
                rows[l] = _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(a)), _mm256_castps_pd(b), 1));
            }
            tgc__transpose16_avx512(rows); /* rows[k]: column k of row i, rows[8 + k]: of row i + 1 */
            BT6(V_ADD, V_SUB, V_MUL, rows, t[i]);
            BT6(V_ADD, V_SUB, V_MUL, (rows + 8), t[i + 1]);
        }
        for (int k = 0; k < 6; k++) {
            const __m512 column[6] = {t[0][k], t[1][k], t[2][k], t[3][k], t[4][k], t[5][k]};
            __m512 r[6];
            BT6(V_ADD, V_SUB, V_MUL, column, r);
            for (int i = 0; i < 6; i++) _mm512_mask_storeu_ps(v + (i * 6 + k) * v_point + c * nr, keep, r[i]);
        }
    }
}

/* Ŷ of 16 tiles (lanes) of every output channel (gy: the first tile's image): each tile's 4x4
   loaded into one register (zeros past the plane's edge), the 16 registers transposed so that
   each holds one element of the 16 tiles, A g down each column, then across each row. */
TGC_AVX512VL static void gradient_lanes(const tgc__winograd_conv *p, const float *gy, int64_t first, int lanes, int image,
                                        int64_t ld, int64_t g_point, float *g) {
    const __mmask16 keep = tgc__lane_range(0, lanes);
    const int64_t plane = p->oh * p->ow;
    outputs at;
    outputs_of(p, first, lanes, &at);
    for (int64_t o = 0; o < p->o; o++) {
        const float *base = gy + o * plane;
        __m512 e[16], t[6][4];
        for (int a = 0; image && a < 4; a++) { /* row a of the tiles of tile row ty */
            __m512 rows[4];
            for (int ty = 0; ty < 4; ty++)
                rows[ty] = 4 * ty + a < p->oh ? tgc__load_columns16(base + (4 * ty + a) * p->ow, 0, p->ow) : _mm512_setzero_ps();
            tiles_of_rows(rows, e + 4 * a);
        }
        for (int l = 0; !image && l < 16; l++) {
            const float *tile = base + at.offset[l];
            const __mmask8 columns = at.columns[l];
            const __m128 r0 = _mm_maskz_loadu_ps(at.rows[l] > 0 ? columns : 0, tile);
            const __m128 r1 = _mm_maskz_loadu_ps(at.rows[l] > 1 ? columns : 0, tile + p->ow);
            const __m128 r2 = _mm_maskz_loadu_ps(at.rows[l] > 2 ? columns : 0, tile + 2 * p->ow);
            const __m128 r3 = _mm_maskz_loadu_ps(at.rows[l] > 3 ? columns : 0, tile + 3 * p->ow);
            e[l] = _mm512_insertf32x4(_mm512_insertf32x4(_mm512_insertf32x4(_mm512_castps128_ps512(r0), r1, 1), r2, 2), r3, 3);
        }
        if (!image) tgc__transpose16_avx512(e); /* e[4a + b]: element (a, b) of the 16 tiles */
        for (int b = 0; b < 4; b++) {
            const __m512 column[4] = {e[b], e[4 + b], e[8 + b], e[12 + b]};
            __m512 r[6];
            A4(V_ADD, V_SUB, V_MUL, column, r);
            for (int i = 0; i < 6; i++) t[i][b] = r[i];
        }
        for (int i = 0; i < 6; i++) {
            __m512 r[6];
            A4(V_ADD, V_SUB, V_MUL, t[i], r);
            for (int k = 0; k < 6; k++) _mm512_mask_storeu_ps(g + (i * 6 + k) * g_point + o * ld, keep, r[k]);
        }
    }
}

/* The outputs of 16 tiles (lanes) of every output channel (y: the first tile's image): each
   tile's 16 outputs transposed into one register, its rows stored 4 floats at a time (those
   inside the plane); one image's tiles (`image`): each output row rearranged and stored whole. */
TGC_AVX512VL static void output_lanes(const tgc__winograd_conv *p, const float *m, int64_t first, int lanes, int image,
                                      int64_t nr, int64_t m_point, float *y) {
    outputs at;
    outputs_of(p, first, lanes, &at);
    const int64_t plane = p->oh * p->ow;
    for (int64_t o = 0; o < p->o; o++) {
        const float *mo = m + o * nr;
        __m512 s[4][6], out[16];
        for (int k = 0; k < 6; k++) {
            __m512 col[6], r[4];
            for (int i = 0; i < 6; i++) col[i] = _mm512_loadu_ps(mo + (i * 6 + k) * m_point);
            AT6(V_ADD, V_SUB, V_MUL, col, r);
            for (int a = 0; a < 4; a++) s[a][k] = r[a];
        }
        for (int a = 0; a < 4; a++) {
            __m512 r[4];
            AT6(V_ADD, V_SUB, V_MUL, s[a], r);
            for (int b = 0; b < 4; b++) out[a * 4 + b] = r[b];
        }
        if (image) { /* output row 4·ty + a of the image: row a of its 4 tiles */
            const __mmask16 kept = tgc__lane_range(0, p->ow);
            for (int a = 0; a < 4; a++) {
                __m512 rows[4];
                rows_of_tiles(out + 4 * a, rows);
                for (int ty = 0; ty < 4 && 4 * ty + a < p->oh; ty++) _mm512_mask_storeu_ps(y + o * plane + (4 * ty + a) * p->ow, kept, rows[ty]);
            }
            continue;
        }
        tgc__transpose16_avx512(out); /* out[l]: tile l's outputs, row by row */
        for (int l = 0; l < lanes; l++) {
            float *to = y + o * plane + at.offset[l];
            const __mmask8 columns = at.columns[l];
            _mm_mask_storeu_ps(to, columns, _mm512_extractf32x4_ps(out[l], 0));
            if (at.rows[l] > 1) _mm_mask_storeu_ps(to + p->ow, columns, _mm512_extractf32x4_ps(out[l], 1));
            if (at.rows[l] > 2) _mm_mask_storeu_ps(to + 2 * p->ow, columns, _mm512_extractf32x4_ps(out[l], 2));
            if (at.rows[l] > 3) _mm_mask_storeu_ps(to + 3 * p->ow, columns, _mm512_extractf32x4_ps(out[l], 3));
        }
    }
}
#define TGC_WINOGRAD4_X86 1
#else
#define TGC_WINOGRAD4_X86 0
#endif

/* A transform of tiles first .. first+count-1, 16 at a time. */
static void transform_tiles(transform kind, const tgc__winograd_conv *p, int avx512, const float *in, int64_t first, int count,
                            int64_t line, int64_t point, float *out) {
    for (int from = 0; from < count; from += 16) {
        const int to = count - from < 16 ? count : from + 16;
#if TGC_WINOGRAD4_X86
        if (avx512) {
            const int64_t image = tile_of(p, first + from).image;
            const int whole = one_image(p, first + from, to - from);
            if (kind == INPUT) {
                patches g;
                patches_of(p, first + from, to - from, &g);
                input_lanes(p, in + image * p->c * p->h * p->w, &g, to - from, whole, line, point, out + from);
            } else if (kind == GRADIENT) {
                gradient_lanes(p, in + image * p->o * p->oh * p->ow, first + from, to - from, whole, line, point, out + from);
            } else {
                output_lanes(p, in + from, first + from, to - from, whole, line, point, out + image * p->o * p->oh * p->ow);
            }
            continue;
        }
#endif
        (void)avx512;
        tiles_portable(kind, p, in, first, from, to, line, point, out);
    }
}

void tgc__winograd4_input(const tgc__winograd_conv *p, int avx512, const float *x, int64_t first, int count, int64_t nr,
                          int64_t v_point, float *v) {
    transform_tiles(INPUT, p, avx512, x, first, count, nr, v_point, v);
}

void tgc__winograd4_output(const tgc__winograd_conv *p, int avx512, const float *m, int64_t first, int count, int64_t nr,
                           int64_t m_point, float *y) {
    transform_tiles(OUTPUT, p, avx512, m, first, count, nr, m_point, y);
}

void tgc__winograd4_gradient(const tgc__winograd_conv *p, int avx512, const float *gy, int64_t first, int count, int64_t ld,
                             int64_t g_point, float *g) {
    transform_tiles(GRADIENT, p, avx512, gy, first, count, ld, g_point, g);
}

void tgc__winograd4_weights(const tgc__winograd_conv *p, int avx512, int64_t panel, const tgc__winograd_panels *u_at, float *u) {
#if TGC_WINOGRAD4_X86
    /* mr <= 16 lanes, the gathers' offsets in 32 bits */
    if (avx512 && u_at->mr <= 16 && (u_at->mr - 1) * (p->wq < 0 ? -p->wq : p->wq) <= INT32_MAX) {
        weights_lanes(p, panel, u_at, u);
        return;
    }
#endif
    (void)avx512;
    weights_portable(p, panel, u_at, u);
}
