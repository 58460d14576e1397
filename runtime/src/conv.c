/* tgc_conv2d_*: F.conv2d and its two gradients.

   float32 is im2col + tgc_sgemm. The im2col of an image is the [c·kh·kw, oh·ow] matrix whose
   row (ci, i, j) holds, for every output position, the input element under tap (i, j) of
   channel ci (zero in the padding); the output of group g is then weight_g [o/g, c/g·kh·kw]
   times the group's rows. The input gradient is weight_gᵀ times the output gradient, scattered
   back by col2im (accumulating, in a fixed order); the weight gradient sums, per group, the
   im2col of each image times its output gradient transposed. A 1x1, stride 1, unpadded kernel
   needs no im2col; a stride-1 "same"-width one (ow = w) never materializes it: the forward
   and the weight gradient pack sgemm's panels of it straight from the image
   (tgc__sgemm_packing), the same values in the same places, so the same bits.

   A 3x3, stride 1 convolution with 16+ input and output channels runs its forward and both
   gradients by Winograd's F(2x2, 3x3) or F(4x4, 3x3) instead (winograd.c, below "Winograd").

   Images run in parallel (OpenMP) when there are at least as many as threads; each then
   calls tgc_sgemm single-threaded, else tgc_sgemm threads itself. tgc_sgemm's result does not
   depend on the thread count, and neither does anything here.

   Scratch buffers are cached per calling thread and only grow, like tgc_sgemm's pack buffers.
   float64 runs direct loops summing in a fixed order. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "gemm_internal.h"
#include "tgc_runtime.h"
#include "conv_one_channel_internal.h"
#include "winograd_internal.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* ---- scratch ----------------------------------------------------------------------------- */

typedef struct {
    float *data;
    size_t cap; /* in floats */
} scratch_buf;

static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
/* Two buffers per thread: the one a conv2d call asks for, and the im2col columns of a run of
   the weight gradient (tgc_conv2d_weight_grad_run_f32), which a thread may compute while its
   caller's sums live in the first. */
#define SCRATCH_SLOTS 2
static pthread_key_t scratch_key[SCRATCH_SLOTS];

static void free_scratch(void *p) {
    scratch_buf *b = p;
    if (b == NULL) return;
    tgc_free(b->data);
    free(b);
}

static void scratch_init(void) {
    for (int slot = 0; slot < SCRATCH_SLOTS; slot++)
        if (pthread_key_create(&scratch_key[slot], free_scratch) != 0) tgc_fatal("conv2d: pthread_key_create failed");
}

/* The calling thread's scratch buffer `slot`, at least `floats` long. */
static float *scratch_in(int slot, size_t floats) {
    pthread_once(&scratch_once, scratch_init);
    scratch_buf *b = pthread_getspecific(scratch_key[slot]);
    if (b == NULL) {
        b = calloc(1, sizeof *b);
        if (b == NULL || pthread_setspecific(scratch_key[slot], b) != 0) tgc_fatal("conv2d: cannot allocate scratch");
    }
    if (b->cap < floats) {
        tgc_free(b->data);
        b->data = tgc_alloc((floats > 0 ? floats : 1) * sizeof(float));
        b->cap = floats;
    }
    return b->data;
}

static float *scratch(size_t floats) { return scratch_in(0, floats); }

/* ---- threads ----------------------------------------------------------------------------- */

/* Threads for a loop over `images` images: all of them when each gets one, else 1. */
static int image_threads(int64_t images) {
#ifdef _OPENMP
    if (omp_in_parallel()) return 1;
    int nt = omp_get_max_threads();
    return images >= nt ? nt : 1;
#else
    (void)images;
    return 1;
#endif
}

/* Threads for a loop of `tasks` independent tasks: one per task, at most all of them. */
static int work_threads(int64_t tasks) {
#ifdef _OPENMP
    if (omp_in_parallel()) return 1;
    int nt = omp_get_max_threads();
    return tasks < nt ? (tasks < 1 ? 1 : (int)tasks) : nt;
#else
    (void)tasks;
    return 1;
#endif
}

/* The runs each image's output channels are cut into when `images` images are fewer than the
   threads: one per thread the images leave without one (at most `panels`, the channels' MR-row
   panels); 1 with as many images as threads. */
static int64_t channel_pieces(int64_t images, int64_t panels) {
#ifdef _OPENMP
    const int64_t nt = omp_in_parallel() ? 1 : omp_get_max_threads();
    if (images >= nt || images < 1) return 1;
    const int64_t pieces = (nt + images - 1) / images;
    return pieces < panels ? pieces : (panels < 1 ? 1 : panels);
#else
    (void)images, (void)panels;
    return 1;
#endif
}

/* The threads an OpenMP region started here would get. */
static int omp_threads(void) {
#ifdef _OPENMP
    return omp_in_parallel() ? 1 : omp_get_max_threads();
#else
    return 1;
#endif
}

/* ---- im2col and col2im --------------------------------------------------------------------- */

/* The output columns [lo, hi) whose input column ox·stride − off lies in [0, w). */
static void valid_columns(int64_t w, int64_t off, int64_t stride, int64_t ow, int64_t *lo, int64_t *hi) {
    int64_t a = off <= 0 ? 0 : (off + stride - 1) / stride;
    int64_t b = w + off <= 0 ? 0 : (w + off + stride - 1) / stride;
    if (a > ow) a = ow;
    if (b > ow) b = ow;
    *lo = a;
    *hi = b < a ? a : b;
}

static int is_pointwise(const tgc_conv2d_shape *s) {
    return s->kh == 1 && s->kw == 1 && s->sh == 1 && s->sw == 1 && s->ph == 0 && s->pw == 0;
}

/* Rows of stride 1 whose planes are not "same" width (below) go through AVX-512 masked loads
   and stores where the runtime is compiled for it (-march=native in generated programs): one
   load and one store per 16 columns instead of three short loops, whose set-up costs more
   than a copy of a 14-column row. The values, and the order of col2im's additions, are those
   of the scalar loops. */
#if defined(__AVX512F__)
#include <immintrin.h>
#include "transpose_avx512.h"
#define TGC_CONV_MASKED_ROWS 1

/* Lanes k of 16 with a <= k < b. */
static inline __mmask16 lanes(int64_t a, int64_t b) {
    a = a < 0 ? 0 : a > 16 ? 16 : a;
    b = b < 0 ? 0 : b > 16 ? 16 : b;
    return (__mmask16)(((1u << b) - 1u) & ~((1u << a) - 1u));
}

/* out[ox] = in[ox] for lo <= ox < hi, 0 for the other ox < ow. `in` points at column 0
   (it may lie outside the input for ox < lo; those lanes are never read). */
static inline void copy_row_masked(const float *in, int64_t lo, int64_t hi, int64_t ow, float *out) {
    for (int64_t ox = 0; ox < ow; ox += 16) {
        const __m512 v = _mm512_maskz_loadu_ps(lanes(lo - ox, hi - ox), (const void *)((uintptr_t)in + (uintptr_t)(ox * 4)));
        _mm512_mask_storeu_ps(out + ox, lanes(0, ow - ox), v);
    }
}

/* to[ox] += from[ox] for lo <= ox < hi; `to` points at column 0 as in copy_row_masked. */
static inline void add_row_masked(const float *from, int64_t lo, int64_t hi, float *to) {
    for (int64_t ox = lo & ~(int64_t)15; ox < hi; ox += 16) {
        const __mmask16 m = lanes(lo - ox, hi - ox);
        float *t = (float *)((uintptr_t)to + (uintptr_t)(ox * 4));
        _mm512_mask_storeu_ps(t, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, t), _mm512_maskz_loadu_ps(m, from + ox)));
    }
}
#else
#define TGC_CONV_MASKED_ROWS 0
#endif

/* The im2col packing (pack_im2col_a, pack_im2col_b) reads a row's 8 positions at a time in
   AVX2 registers where the runtime is compiled for AVX2 and not AVX-512: lanes whose mask bit
   is clear are zeros and are not read (vmaskmovps), as the scalar loops' zeros. */
#if !defined(__AVX512F__) && defined(__AVX2__)
#include <immintrin.h>
#include "columns_avx2.h"
#include "transpose_avx2.h"
#define TGC_CONV_AVX2_ROWS 1

/* The 8 floats from `at` whose bits are set in the low 8 of `bits`, zeros for the others. */
static inline __m256 load_bits8(uintptr_t at, uint32_t bits) {
    const __m256i each = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    const __m256i set = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int32_t)(bits & 0xffu)), each), each);
    return _mm256_maskload_ps((const float *)at, set);
}
#else
#define TGC_CONV_AVX2_ROWS 0
#endif

/* Tap (i, j) of a stride-1 convolution with ow = w (a "same" padded one, as B6's 3x3
   layers): its im2col row's oh x ow values are the channel's plane shifted by one offset. */
typedef struct {
    int64_t shift;   /* input element of output position k: k + shift */
    int64_t lo, hi;  /* valid output columns */
    int64_t y0, y1;  /* valid output rows */
} same_width_tap;

static same_width_tap same_width_geometry(const tgc_conv2d_shape *s, int64_t i, int64_t j) {
    const int64_t dy = i * s->dh - s->ph, dx = j * s->dw - s->pw;
    same_width_tap t = {dy * s->w + dx, 0, 0, dy < 0 ? -dy : 0, s->h - dy < s->oh ? s->h - dy : s->oh};
    valid_columns(s->w, -dx, 1, s->ow, &t.lo, &t.hi);
    if (t.y1 < t.y0) t.y1 = t.y0;
    return t;
}

/* One im2col row (tap i, j of a channel) of a "same"-width convolution: the valid rows are
   one contiguous copy, after which the columns it carried over from the neighbouring input
   row (ox outside [lo, hi)) and the rows outside the input are zeroed. */
static void im2col_row_same_width(const tgc_conv2d_shape *s, const float *plane, int64_t i, int64_t j, float *out) {
    const same_width_tap t = same_width_geometry(s, i, j);
    const int64_t lo = t.lo, hi = t.hi, y0 = t.y0, y1 = t.y1;
    if (y0 == y1 || lo == hi) {
        memset(out, 0, (size_t)(s->oh * s->ow) * sizeof(float));
        return;
    }
    if (y0 > 0) memset(out, 0, (size_t)(y0 * s->ow) * sizeof(float));
    const int64_t first = y0 * s->ow + lo, last = (y1 - 1) * s->ow + hi; /* flat range copied */
    memcpy(out + first, plane + first + t.shift, (size_t)(last - first) * sizeof(float));
    if (y1 < s->oh) memset(out + y1 * s->ow, 0, (size_t)((s->oh - y1) * s->ow) * sizeof(float));
    for (int64_t oy = y0; oy < y1; oy++) {
        for (int64_t ox = 0; ox < lo; ox++) out[oy * s->ow + ox] = 0.0f;
        for (int64_t ox = hi; ox < s->ow; ox++) out[oy * s->ow + ox] = 0.0f;
    }
}

/* The im2col of one image x [c, h, w] into col, rows `ld` floats apart. */
static void im2col(const tgc_conv2d_shape *s, const float *x, float *col, int64_t ld) {
    if (s->sh == 1 && s->sw == 1 && s->ow == s->w) {
        for (int64_t ci = 0; ci < s->c; ci++)
            for (int64_t i = 0; i < s->kh; i++)
                for (int64_t j = 0; j < s->kw; j++)
                    im2col_row_same_width(s, x + ci * s->h * s->w, i, j, col + ((ci * s->kh + i) * s->kw + j) * ld);
        return;
    }
    for (int64_t ci = 0; ci < s->c; ci++)
        for (int64_t i = 0; i < s->kh; i++)
            for (int64_t j = 0; j < s->kw; j++) {
                float *row = col + ((ci * s->kh + i) * s->kw + j) * ld;
                int64_t lo, hi;
                valid_columns(s->w, s->pw - j * s->dw, s->sw, s->ow, &lo, &hi);
                for (int64_t oy = 0; oy < s->oh; oy++) {
                    float *out = row + oy * s->ow;
                    int64_t iy = oy * s->sh - s->ph + i * s->dh;
                    if (iy < 0 || iy >= s->h || lo == hi) {
#if TGC_CONV_MASKED_ROWS
                        if (s->sw == 1) {
                            copy_row_masked(x, 0, 0, s->ow, out);
                            continue;
                        }
#endif
                        memset(out, 0, (size_t)s->ow * sizeof(float));
                        continue;
                    }
                    const float *in = x + (ci * s->h + iy) * s->w + lo * s->sw - s->pw + j * s->dw;
#if TGC_CONV_MASKED_ROWS
                    if (s->sw == 1) {
                        copy_row_masked((const float *)((uintptr_t)in - (uintptr_t)(lo * 4)), lo, hi, s->ow, out);
                        continue;
                    }
#endif
                    for (int64_t ox = 0; ox < lo; ox++) out[ox] = 0.0f;
                    if (s->sw == 1) {
                        for (int64_t ox = lo; ox < hi; ox++) out[ox] = in[ox - lo];
                    } else {
                        for (int64_t ox = lo; ox < hi; ox++) out[ox] = in[(ox - lo) * s->sw];
                    }
                    for (int64_t ox = hi; ox < s->ow; ox++) out[ox] = 0.0f;
                }
            }
}

/* col2im of one row (tap i, j of channel ci) when stride is 1 and ow = w: the row's columns
   carried over from a neighbouring input row are zeroed in place (col is scratch), then the
   valid rows are added in one contiguous run. Adding +0 changes nothing: gx starts at +0 and
   a sum that starts at +0 is never -0. */
static void col2im_row_same_width(const tgc_conv2d_shape *s, float *row, int64_t i, int64_t j, float *plane) {
    const same_width_tap t = same_width_geometry(s, i, j);
    if (t.y0 == t.y1 || t.lo == t.hi) return;
    for (int64_t oy = t.y0; oy < t.y1; oy++) {
        for (int64_t ox = 0; ox < t.lo; ox++) row[oy * s->ow + ox] = 0.0f;
        for (int64_t ox = t.hi; ox < s->ow; ox++) row[oy * s->ow + ox] = 0.0f;
    }
    const int64_t first = t.y0 * s->ow + t.lo, last = (t.y1 - 1) * s->ow + t.hi;
    for (int64_t k = first; k < last; k++) plane[k + t.shift] += row[k];
}

/* Adds each element of col (rows `ld` apart) to the input element it was taken from. */
static void col2im(const tgc_conv2d_shape *s, float *col, int64_t ld, float *gx) {
    if (s->sh == 1 && s->sw == 1 && s->ow == s->w) {
        for (int64_t ci = 0; ci < s->c; ci++)
            for (int64_t i = 0; i < s->kh; i++)
                for (int64_t j = 0; j < s->kw; j++)
                    col2im_row_same_width(s, col + ((ci * s->kh + i) * s->kw + j) * ld, i, j, gx + ci * s->h * s->w);
        return;
    }
    for (int64_t ci = 0; ci < s->c; ci++)
        for (int64_t i = 0; i < s->kh; i++)
            for (int64_t j = 0; j < s->kw; j++) {
                const float *row = col + ((ci * s->kh + i) * s->kw + j) * ld;
                int64_t lo, hi;
                valid_columns(s->w, s->pw - j * s->dw, s->sw, s->ow, &lo, &hi);
                for (int64_t oy = 0; oy < s->oh; oy++) {
                    int64_t iy = oy * s->sh - s->ph + i * s->dh;
                    if (iy < 0 || iy >= s->h) continue;
                    const float *from = row + oy * s->ow;
                    float *to = gx + (ci * s->h + iy) * s->w + lo * s->sw - s->pw + j * s->dw;
#if TGC_CONV_MASKED_ROWS
                    if (s->sw == 1) {
                        add_row_masked(from, lo, hi, (float *)((uintptr_t)to - (uintptr_t)(lo * 4)));
                        continue;
                    }
#endif
                    if (s->sw == 1) {
                        for (int64_t ox = lo; ox < hi; ox++) to[ox - lo] += from[ox];
                    } else {
                        for (int64_t ox = lo; ox < hi; ox++) to[(ox - lo) * s->sw] += from[ox];
                    }
                }
            }
}

/* ---- im2col packed straight from the image ----------------------------------------------- */

/* A "same"-width stride-1 convolution's im2col needs no buffer: sgemm's micro-panels of it
   (tgc__sgemm_packing) are packed from the image, each im2col row (a tap of a channel) being
   the tap's shifted plane under the mask of its valid output positions. The masks, one bit
   per output position for each tap (i, j), depend on the geometry alone: they are computed
   once per process for each geometry and kept (mask_cache). The forward product
   reads the im2col as B (panel lines are positions), the weight gradient as A (panel lines are
   taps, transposed 16 x 16 in registers). */
typedef struct {
    const tgc_conv2d_shape *s;
    const same_width_tap *taps; /* [kh·kw] */
    const uint32_t *valid;      /* [kh·kw][words + 1]: bit k of word q: output position 32q + k */
    int64_t words;
    const float *planes;        /* channel 0 of the group in this image */
} im2col_packer;

static int packs_from_image(const tgc_conv2d_shape *s) { return s->sh == 1 && s->sw == 1 && s->ow == s->w; }

/* The masks of one geometry: this header, then the taps and the mask words (im2col_masks). The
   cache is a list that only grows, read without locks (a block is complete before it is
   published); past MASK_CACHE_MAX geometries, a call's masks are its own and release_masks
   frees them. */
typedef struct mask_block {
    struct mask_block *next;
    int64_t key[10]; /* what the masks depend on: h, w, oh, ow, kh, kw, ph, pw, dh, dw */
    int cached;
} mask_block;
#define MASK_HEADER ((sizeof(mask_block) + 63) / 64 * 64)
#define MASK_CACHE_MAX 256
static _Atomic(mask_block *) mask_cache;
static atomic_int mask_cache_size;

/* The geometry and position masks of every tap, computed once per geometry (kept in
   mask_cache); the caller passes *taps to release_masks when done. */
static void im2col_masks(const tgc_conv2d_shape *s, same_width_tap **taps, uint32_t **valid, int64_t *words) {
    const int64_t positions = s->oh * s->ow, n_taps = s->kh * s->kw;
    const int64_t key[10] = {s->h, s->w, s->oh, s->ow, s->kh, s->kw, s->ph, s->pw, s->dh, s->dw};
    *words = (positions + 31) / 32;
    const size_t tap_bytes = ((size_t)n_taps * sizeof(same_width_tap) + 63) / 64 * 64;
    mask_block *found = atomic_load_explicit(&mask_cache, memory_order_acquire);
    while (found != NULL && memcmp(found->key, key, sizeof key) != 0) found = found->next;
    if (found != NULL) {
        *taps = (same_width_tap *)(void *)((char *)found + MASK_HEADER);
        *valid = (uint32_t *)(void *)((char *)found + MASK_HEADER + tap_bytes);
        return;
    }
    const size_t valid_bytes = (size_t)(n_taps * (*words + 1)) * sizeof(uint32_t);
    mask_block *block = tgc_alloc(MASK_HEADER + tap_bytes + valid_bytes);  /* zeroed: the bits are or-ed in */
    memcpy(block->key, key, sizeof key);
    *taps = (same_width_tap *)(void *)((char *)block + MASK_HEADER);
    *valid = (uint32_t *)(void *)((char *)block + MASK_HEADER + tap_bytes);
    for (int64_t i = 0; i < s->kh; i++)
        for (int64_t j = 0; j < s->kw; j++) {
            const same_width_tap t = same_width_geometry(s, i, j);
            (*taps)[i * s->kw + j] = t;
            uint32_t *bits = *valid + (i * s->kw + j) * (*words + 1);
            for (int64_t oy = t.y0; oy < t.y1; oy++)
                for (int64_t ox = t.lo; ox < t.hi; ox++) {
                    const int64_t k = oy * s->ow + ox;
                    bits[k / 32] |= 1u << (k % 32);
                }
        }
    block->cached = atomic_fetch_add(&mask_cache_size, 1) < MASK_CACHE_MAX;
    if (block->cached) {
        block->next = atomic_load_explicit(&mask_cache, memory_order_relaxed);
        while (!atomic_compare_exchange_weak_explicit(&mask_cache, &block->next, block, memory_order_release,
                                                      memory_order_relaxed)) {}
    }
}

/* Done with the masks of im2col_masks (NULL: none): frees them unless they are cached. */
static void release_masks(same_width_tap *taps) {
    if (taps == NULL) return;
    mask_block *block = (mask_block *)(void *)((char *)taps - MASK_HEADER);
    if (!block->cached) tgc_free(block);
}

/* Row `row` of the group's im2col: where its values start (*from, the address of position 0;
   it may lie outside the image, read only under the mask) and its mask words. */
static inline const uint32_t *im2col_row(const im2col_packer *pk, int64_t row, uintptr_t *from) {
    const tgc_conv2d_shape *s = pk->s;
    const int64_t n_taps = s->kh * s->kw, tap = row % n_taps;
    *from = (uintptr_t)(pk->planes + row / n_taps * s->h * s->w) + (uintptr_t)(pk->taps[tap].shift * 4);
    return pk->valid + tap * (pk->words + 1);
}

/* The mask bits of positions k .. k+31 in a row's mask words. */
static inline uint32_t mask_bits(const uint32_t *valid, int64_t k) {
    const uint64_t both = (uint64_t)valid[k / 32] | (uint64_t)valid[k / 32 + 1] << 32;
    return (uint32_t)(both >> (k % 32));
}

/* tgc__gemm_pack_fn of the forward product's B: lines are positions l0 .., k runs over rows. */
static void pack_im2col_b(void *ctx, int64_t l0, int lines, int64_t p0, int64_t kb, int w, float *dst) {
    const im2col_packer *pk = ctx;
    /* rows run through the taps of a channel, then the next channel's */
    const int64_t n_taps = pk->s->kh * pk->s->kw, plane_bytes = pk->s->h * pk->s->w * 4;
    int64_t tap = p0 % n_taps;
    uintptr_t plane = (uintptr_t)pk->planes + (uintptr_t)(p0 / n_taps * plane_bytes);
    for (int64_t p = 0; p < kb; p++, tap++) {
        if (tap == n_taps) tap = 0, plane += (uintptr_t)plane_bytes;
        const uintptr_t from = plane + (uintptr_t)(pk->taps[tap].shift * 4);
        const uint32_t *valid = pk->valid + tap * (pk->words + 1);
        float *d = dst + p * w;
#if TGC_CONV_AVX2_ROWS
        if (w % 8 == 0) {
            for (int j = 0; j < w; j += 8) {
                const int count = lines - j < 0 ? 0 : lines - j > 8 ? 8 : lines - j;
                const uint32_t bits = count == 0 ? 0u : mask_bits(valid, l0 + j) & ((1u << count) - 1u);
                _mm256_storeu_ps(d + j, load_bits8(from + (uintptr_t)((l0 + j) * 4), bits));
            }
            continue;
        }
#endif
        for (int j = 0; j < w; j += 32) {
            const int count = lines - j < 0 ? 0 : lines - j > 32 ? 32 : lines - j;
            const uint32_t bits = count == 0 ? 0u : mask_bits(valid, l0 + j) & (count == 32 ? ~0u : (1u << count) - 1u);
            const uintptr_t at = from + (uintptr_t)((l0 + j) * 4);
#if TGC_CONV_MASKED_ROWS
            if (w - j >= 32) {
                _mm512_storeu_ps(d + j, _mm512_maskz_loadu_ps((__mmask16)bits, (const void *)at));
                _mm512_storeu_ps(d + j + 16, _mm512_maskz_loadu_ps((__mmask16)(bits >> 16), (const void *)(at + 64)));
                continue;
            }
#endif
            for (int jj = 0; jj < 32 && j + jj < w; jj++) d[j + jj] = bits >> jj & 1u ? ((const float *)at)[jj] : 0.0f;
        }
    }
}

/* The rows and positions pack_im2col_a transposes at once: a register's floats (16 where
   the scalar loop runs). */
#define IM2COL_BLOCK (TGC_CONV_AVX2_ROWS ? 8 : 16)

/* tgc__gemm_pack_fn of the weight gradient's A: lines are rows l0 .., k runs over positions. */
static void pack_im2col_a(void *ctx, int64_t l0, int lines, int64_t p0, int64_t kb, int w, float *dst) {
    const im2col_packer *pk = ctx;
    for (int r0 = 0; r0 < w; r0 += IM2COL_BLOCK) {
        const int rn = lines - r0 < 0 ? 0 : lines - r0 > IM2COL_BLOCK ? IM2COL_BLOCK : lines - r0;
        const int wn = w - r0 > IM2COL_BLOCK ? IM2COL_BLOCK : w - r0;
        uintptr_t from[IM2COL_BLOCK];
        const uint32_t *valid[IM2COL_BLOCK];
        for (int i = 0; i < rn; i++) valid[i] = im2col_row(pk, l0 + r0 + i, &from[i]);
        for (int64_t q = 0; q < kb; q += IM2COL_BLOCK) {
            const int qn = kb - q < IM2COL_BLOCK ? (int)(kb - q) : IM2COL_BLOCK;
            const uint32_t in_block = (1u << qn) - 1u;
#if TGC_CONV_MASKED_ROWS
            __m512 x[16];
            for (int i = 0; i < 16; i++)
                x[i] = i < rn ? _mm512_maskz_loadu_ps((__mmask16)(mask_bits(valid[i], p0 + q) & in_block),
                                                      (const void *)(from[i] + (uintptr_t)((p0 + q) * 4)))
                              : _mm512_setzero_ps();
            tgc__transpose16_avx512(x);
            for (int p = 0; p < qn; p++) _mm512_mask_storeu_ps(dst + (q + p) * w + r0, (__mmask16)((1u << wn) - 1u), x[p]);
#elif TGC_CONV_AVX2_ROWS
            __m256 x[8];
            for (int i = 0; i < 8; i++)
                x[i] = i < rn ? load_bits8(from[i] + (uintptr_t)((p0 + q) * 4), mask_bits(valid[i], p0 + q) & in_block)
                              : _mm256_setzero_ps();
            tgc__transpose8_avx2(x);
            for (int p = 0; p < qn; p++) tgc__store_columns8(dst + (q + p) * w + r0, wn, x[p]);
#else
            for (int i = 0; i < wn; i++) {
                const uint32_t bits = i < rn ? mask_bits(valid[i], p0 + q) & in_block : 0u;
                for (int p = 0; p < qn; p++)
                    dst[(q + p) * w + r0 + i] = bits >> p & 1u ? ((const float *)(from[i] + (uintptr_t)((p0 + q) * 4)))[p] : 0.0f;
            }
#endif
        }
    }
}

/* ---- Winograd ------------------------------------------------------------------------------ */

/* A 3x3, stride 1, undilated, ungrouped convolution with at least this many input and output
   channels runs by Winograd's F(2x2, 3x3) or F(4x4, 3x3) (winograd.c): its forward, its input
   gradient (the same kind of correlation, of gy padded by 2 − p with the weights flipped and
   transposed: tgc__winograd_conv's strides say so) and its weight gradient; fewer channels leave too little
   to multiply for its transforms (conv1 of B6, one input channel, stays on im2col). With all
   three, samples/cnn_fashion prints PyTorch's digits; with the forward and the input gradient
   alone it printed 72.40% where PyTorch prints 72.60% (one test image of 500 changes class),
   with the input and weight gradients alone 66.40% after the first epoch (66.20%). */
#define TGC_WINOGRAD_MIN_CHANNELS 16

static int winograd_pays(const tgc_conv2d_shape *s) {
    return s->kh == 3 && s->kw == 3 && s->sh == 1 && s->sw == 1 && s->dh == 1 && s->dw == 1 && s->groups == 1 &&
           s->c >= TGC_WINOGRAD_MIN_CHANNELS && s->o >= TGC_WINOGRAD_MIN_CHANNELS;
}

static void winograd(const tgc__winograd_conv *p, const float *x, float *y) {
    const int nt = tgc__winograd_threads(p, omp_threads());
    tgc__winograd_f32(p, x, y, scratch((size_t)tgc__winograd_scratch_floats(p, nt)), nt);
}

/* The forward's Winograd correlation of s, its weights w (u: transformed beforehand, or NULL). */
static tgc__winograd_conv forward_winograd(const tgc_conv2d_shape *s, const float *w, const float *u) {
    return (tgc__winograd_conv){s->n, s->c, s->h, s->w, s->o, s->oh, s->ow, s->ph, s->pw, w, s->c * 9, 9, 3, 1, u};
}

/* Weights prepared once (tgc_conv2d_pack_f32): Winograd's U, which depends on the channels alone. */
struct tgc_conv2d_packed {
    void (*release)(void *); /* tgc_packed_free's (first, as in every packed object) */
    int64_t c, o;            /* the input and output channels they were made for */
    float *u;
};

static void release_conv2d_packed(void *packed) {
    tgc_free(((tgc_conv2d_packed *)packed)->u);
    tgc_free(packed);
}

tgc_conv2d_packed *tgc_conv2d_pack_f32(const tgc_conv2d_shape *s, const float *w) {
    if (!winograd_pays(s)) return NULL;
    const tgc__winograd_conv p = forward_winograd(s, w, NULL);
    tgc_conv2d_packed *packed = tgc_alloc(sizeof *packed);
    *packed = (tgc_conv2d_packed){release_conv2d_packed, s->c, s->o, tgc_alloc((size_t)tgc__winograd_u_floats(&p) * sizeof(float))};
    tgc__winograd_transform_weights(&p, packed->u);
    return packed;
}

/* ---- float32 ------------------------------------------------------------------------------ */

/* The forward product of one image and group when the kernel reads B's rows in place
   (tgc__gemm_rows_ukernel): the im2col rows are read from the image under their masks, with
   the weights packed once per call (apacked: k block after k block of kb_max, each the
   group's panels); the k blocks, panels and kernel calls of tgc_sgemm, so the same bits.
   Output channels (MR-row panels of the weights) i_from ..< i_to of the group. */
static void forward_in_place(const tgc_conv2d_shape *s, const tgc__gemm_kernel_info *ki, const float *apacked, int64_t kb_max,
                             const im2col_packer *pk, int64_t i_from, int64_t i_to, float *y, tgc__gemm_b_row *rows) {
    const int64_t positions = s->oh * s->ow, og = s->o / s->groups, kg = s->c / s->groups * s->kh * s->kw;
    const int64_t n_taps = s->kh * s->kw, plane_bytes = s->h * s->w * 4, panels = (og + ki->mr - 1) / ki->mr;
    for (int64_t pc = 0; pc < kg; pc += kb_max) {
        const int64_t kb = kg - pc < kb_max ? kg - pc : kb_max;
        const float *ablock = apacked + pc / kb_max * panels * kb_max * ki->mr;
        for (int64_t j0 = 0; j0 < positions; j0 += ki->nr) {
            const int cols = (int)(positions - j0 < ki->nr ? positions - j0 : ki->nr);
            const uint32_t in_panel = cols >= 32 ? ~0u : (1u << cols) - 1u;
            int64_t tap = pc % n_taps;
            uintptr_t plane = (uintptr_t)pk->planes + (uintptr_t)(pc / n_taps * plane_bytes);
            for (int64_t p = 0; p < kb; p++, tap++) {
                if (tap == n_taps) tap = 0, plane += (uintptr_t)plane_bytes;
                rows[p].at = plane + (uintptr_t)((pk->taps[tap].shift + j0) * 4);
                rows[p].mask = mask_bits(pk->valid + tap * (pk->words + 1), j0) & in_panel;
            }
            for (int64_t i = i_from; i < i_to; i++) {
                const int mr = (int)(og - i * ki->mr < ki->mr ? og - i * ki->mr : ki->mr);
                ki->rows_kernel(kb, ablock + i * kb * ki->mr, rows, y + i * ki->mr * positions + j0, positions, 1.0f,
                                pc == 0 ? 0.0f : 1.0f, mr, cols);
            }
        }
    }
}

void tgc_conv2d_f32(const tgc_conv2d_shape *s, const float *x, const float *w, float *y) {
    const int64_t positions = s->oh * s->ow, og = s->o / s->groups, kg = s->c / s->groups * s->kh * s->kw;
    const int64_t rows = s->c * s->kh * s->kw, image = s->c * s->h * s->w;
    if (s->n == 0 || s->o == 0 || positions == 0) return;
    if (winograd_pays(s)) {
        const tgc__winograd_conv p = forward_winograd(s, w, NULL);
        winograd(&p, x, y);
        return;
    }
    if (tgc__conv2d_one_channel_f32(s, x, w, y)) return;
    const tgc__gemm_kernel_info *ki = tgc__gemm_best_kernel();
    const int direct = is_pointwise(s), packed = !direct && packs_from_image(s);
    /* With fewer images than threads (a batch of one), each image's output channels are cut
       into `pieces` runs of whole MR-row panels, a thread's product each: a thread writes the
       planes that the pooling or batch norm after it reads on the same thread (the planes'
       static split), where one thread's product and the others' reads would move every line
       between cores. */
    const int64_t panels = (og + ki->mr - 1) / ki->mr, pieces = packed ? channel_pieces(s->n, panels) : 1;
    const int nt = pieces > 1 ? work_threads(s->n * pieces) : image_threads(s->n);
    /* B's rows read in place when each product runs on one thread */
    const int in_place = packed && ki->rows_kernel != NULL && (nt > 1 || omp_threads() == 1);
    same_width_tap *taps = NULL;
    uint32_t *valid = NULL;
    int64_t words = 0;
    if (packed) im2col_masks(s, &taps, &valid, &words);
    const int64_t kb_max = tgc__gemm_k_block(ki, kg);
    const int64_t apacked_size = s->groups * ((kg + kb_max - 1) / kb_max) * panels * kb_max * ki->mr;
    float *apacked = in_place ? tgc_alloc((size_t)apacked_size * sizeof(float)) : NULL;
    for (int64_t g = 0; in_place && g < s->groups; g++)
        for (int64_t pc = 0; pc < kg; pc += kb_max)
            tgc__gemm_pack_a(ki, 0, w + g * og * kg + pc, kg, og, 0, kg - pc < kb_max ? kg - pc : kb_max,
                             apacked + g * (apacked_size / s->groups) + pc / kb_max * panels * kb_max * ki->mr);
    float *buf = direct || packed ? NULL
               : scratch((size_t)nt * (size_t)(rows * positions));
    tgc__gemm_b_row *descriptors = in_place ? tgc_alloc((size_t)(nt * kb_max) * sizeof(tgc__gemm_b_row)) : NULL;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
    for (int64_t task = 0; task < s->n * pieces; task++) {
        const int64_t b = task / pieces, piece = task % pieces;
        const float *col = x + b * image;
        if (packed) {
            const int64_t i_from = panels * piece / pieces, i_to = panels * (piece + 1) / pieces;
            const int64_t row0 = i_from * ki->mr, rows_here = (i_to * ki->mr < og ? i_to * ki->mr : og) - row0;
            for (int64_t g = 0; g < s->groups; g++) {
                im2col_packer pk = {s, taps, valid, words, x + b * image + g * (s->c / s->groups) * s->h * s->w};
                float *out = y + (b * s->o + g * og) * positions;
                if (in_place) {
                    forward_in_place(s, ki, apacked + g * (apacked_size / s->groups), kb_max, &pk, i_from, i_to, out,
                                     descriptors + (int64_t)tgc__thread_id() * kb_max);
                    continue;
                }
                const tgc__gemm_operand wa = {w + (g * og + row0) * kg, kg, 0, NULL, NULL}, colb = {NULL, 0, 0, pack_im2col_b, &pk};
                tgc__sgemm_packing(ki, pieces > 1 ? 1 : 0, rows_here, positions, kg, 1.0f, &wa, &colb, 0.0f,
                                   out + row0 * positions, positions, NULL, NULL);
            }
            continue;
        }
        if (!direct) {
            float *mine = buf + (int64_t)tgc__thread_id() * rows * positions;
            im2col(s, x + b * image, mine, positions);
            col = mine;
        }
        for (int64_t g = 0; g < s->groups; g++)
            tgc_sgemm(0, 0, og, positions, kg, 1.0f, w + g * og * kg, kg, col + g * kg * positions, positions, 0.0f,
                      y + (b * s->o + g * og) * positions, positions);
    }
    release_masks(taps);
    tgc_free(apacked);
    tgc_free(descriptors);
}

void tgc_conv2d_prepacked_f32(const tgc_conv2d_shape *s, const float *x, const float *w, const tgc_conv2d_packed *packed,
                              float *y) {
    if (packed == NULL) {
        tgc_conv2d_f32(s, x, w, y);
        return;
    }
    if (!winograd_pays(s) || packed->c != s->c || packed->o != s->o)
        tgc_fatal("conv2d: weights prepared for %lld -> %lld channels given a convolution of %lld -> %lld", (long long)packed->c,
                  (long long)packed->o, (long long)s->c, (long long)s->o);
    if (s->n == 0 || s->oh * s->ow == 0) return;
    const tgc__winograd_conv p = forward_winograd(s, w, packed->u);
    winograd(&p, x, y);
}

void tgc_conv2d_input_grad_f32(const tgc_conv2d_shape *s, const float *gy, const float *w, float *gx) {
    const int64_t positions = s->oh * s->ow, og = s->o / s->groups, kg = s->c / s->groups * s->kh * s->kw;
    const int64_t rows = s->c * s->kh * s->kw, image = s->c * s->h * s->w;
    if (s->n == 0 || image == 0) return;
    if (winograd_pays(s) && s->ph <= 2 && s->pw <= 2 && positions > 0) {
        /* the correlation of gy, padded by 2 − p, with the weights flipped and transposed */
        const tgc__winograd_conv p = {s->n, s->o, s->oh, s->ow, s->c, s->h, s->w, 2 - s->ph, 2 - s->pw, w + 8, 9, s->c * 9, -3, -1, NULL};
        winograd(&p, gy, gx);
        return;
    }
    const int direct = is_pointwise(s), nt = image_threads(s->n);
    float *buf = direct ? NULL : scratch((size_t)nt * (size_t)(rows * positions));
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
    for (int64_t b = 0; b < s->n; b++) {
        float *col = direct ? gx + b * image : buf + (int64_t)tgc__thread_id() * rows * positions;
        for (int64_t g = 0; g < s->groups; g++)
            tgc_sgemm(1, 0, kg, positions, og, 1.0f, w + g * og * kg, kg, gy + (b * s->o + g * og) * positions, positions,
                      0.0f, col + g * kg * positions, positions);
        if (!direct) {
            memset(gx + b * image, 0, (size_t)image * sizeof(float));
            col2im(s, col, positions, gx + b * image);
        }
    }
}

/* The weight gradient sums over images in TGC_CONV_CHUNKS fixed runs of consecutive images
   (fewer when there are fewer images), whatever the thread count: each run accumulates, image
   by image in order, gwᵀ_g [kg, og] += col_g [kg, positions] · gy_gᵀ [positions, og] (the
   transposed product packs the short gy rather than the long im2col), and the runs' sums are
   added in order. */
#define TGC_CONV_CHUNKS 16

/* The im2col masks of a convolution whose weight gradient packs its A panels straight from the
   image (packs_from_image), from im2col_masks; taps is NULL for the other convolutions. */
typedef struct {
    same_width_tap *taps;
    uint32_t *valid;
    int64_t words;
} image_packing;

static image_packing image_packing_of(const tgc_conv2d_shape *s) {
    image_packing p = {NULL, NULL, 0};
    if (!is_pointwise(s) && packs_from_image(s) && !winograd_pays(s)) im2col_masks(s, &p.taps, &p.valid, &p.words);
    return p;
}

/* Run `run` of `runs` into `sum` [rows, o] (of group g, only its og columns of its kg rows are
   written), with `cols` the im2col scratch of one image (unused for a pointwise kernel, when
   the im2col is packed from the image, and by Winograd, whose scratch is its own). */
static void weight_grad_run(const tgc_conv2d_shape *s, const image_packing *packing, const float *x, const float *gy,
                            int64_t run, int64_t runs, float *sum, float *cols) {
    const int64_t positions = s->oh * s->ow, og = s->o / s->groups, kg = s->c / s->groups * s->kh * s->kw;
    const int64_t image = s->c * s->h * s->w, first = s->n * run / runs;
    const int direct = is_pointwise(s);
    if (winograd_pays(s)) {
        const tgc__winograd_conv p = {s->n * (run + 1) / runs - first, s->c, s->h, s->w, s->o, s->oh, s->ow, s->ph, s->pw, NULL, 0, 0, 0, 0, NULL};
        tgc__winograd_weight_grad_f32(&p, x + first * image, gy + first * s->o * positions, sum, s->o,
                                      scratch_in(1, (size_t)tgc__winograd_weight_grad_scratch_floats(&p)));
        return;
    }
    for (int64_t b = first; b < s->n * (run + 1) / runs; b++) {
        const float beta = b == first ? 0.0f : 1.0f;
        if (packing->taps != NULL) {
            for (int64_t g = 0; g < s->groups; g++) {
                im2col_packer pk = {s, packing->taps, packing->valid, packing->words,
                                    x + b * image + g * (s->c / s->groups) * s->h * s->w};
                const tgc__gemm_operand cola = {NULL, 0, 0, pack_im2col_a, &pk};
                const tgc__gemm_operand gyb = {gy + (b * s->o + g * og) * positions, positions, 1, NULL, NULL};
                tgc__sgemm_packing(tgc__gemm_best_kernel(), 0, kg, og, positions, 1.0f, &cola, &gyb, beta,
                                   sum + g * kg * s->o + g * og, s->o, NULL, NULL);
            }
            continue;
        }
        const float *col = x + b * image;
        if (!direct) {
            im2col(s, x + b * image, cols, positions);
            col = cols;
        }
        for (int64_t g = 0; g < s->groups; g++)
            tgc_sgemm(0, 1, kg, og, positions, 1.0f, col + g * kg * positions, positions, gy + (b * s->o + g * og) * positions,
                      positions, beta, sum + g * kg * s->o + g * og, s->o);
    }
}

/* gw[oc][r] = Σ over runs of sums[run][g·kg + r][oc], in run order: the runs are added into the
   first one along its contiguous rows (nt threads share the rows; each element's sum has one
   order), then transposed into gw. */
static void weight_grad_total(const tgc_conv2d_shape *s, int64_t runs, float *sums, float *gw, int nt) {
    const int64_t og = s->o / s->groups, kg = s->c / s->groups * s->kh * s->kw, partial = s->c * s->kh * s->kw * s->o;
    (void)nt;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (nt > 1)
#endif
    for (int64_t row = 0; row < s->groups * kg; row++) {
        float *total = sums + row * s->o + row / kg * og;
        for (int64_t run = 1; run < runs; run++) {
            const float *part = total + run * partial;
            for (int64_t oc = 0; oc < og; oc++) total[oc] += part[oc];
        }
    }
    for (int64_t oc = 0; oc < s->o; oc++)
        for (int64_t r = 0; r < kg; r++) gw[oc * kg + r] = sums[(oc / og * kg + r) * s->o + oc];
}

int64_t tgc_conv2d_weight_grad_runs(const tgc_conv2d_shape *s) {
    const int64_t kg = s->c / s->groups * s->kh * s->kw;
    if (s->o == 0 || kg == 0 || s->n == 0 || s->oh * s->ow == 0) return 0;
    return s->n < TGC_CONV_CHUNKS ? s->n : TGC_CONV_CHUNKS;
}

void tgc_conv2d_weight_grad_run_f32(const tgc_conv2d_shape *s, const float *x, const float *gy, int64_t run, float *sums) {
    const int64_t partial = s->c * s->kh * s->kw * s->o;
    image_packing packing = image_packing_of(s);
    float *cols = is_pointwise(s) || packing.taps != NULL || winograd_pays(s) ? NULL : scratch_in(1, (size_t)(s->c * s->kh * s->kw * s->oh * s->ow));
    weight_grad_run(s, &packing, x, gy, run, tgc_conv2d_weight_grad_runs(s), sums + run * partial, cols);
    release_masks(packing.taps);
}

void tgc_conv2d_weight_grad_total_f32(const tgc_conv2d_shape *s, float *sums, float *gw) {
    weight_grad_total(s, tgc_conv2d_weight_grad_runs(s), sums, gw, 1);
}

void tgc_conv2d_weight_grad_f32(const tgc_conv2d_shape *s, const float *x, const float *gy, float *gw) {
    const int64_t positions = s->oh * s->ow, kg = s->c / s->groups * s->kh * s->kw;
    const int64_t rows = s->c * s->kh * s->kw;
    if (s->o == 0 || kg == 0) return;
    if (s->n == 0 || positions == 0) {
        memset(gw, 0, (size_t)(s->o * kg) * sizeof(float));
        return;
    }
    const int64_t chunks = tgc_conv2d_weight_grad_runs(s), partial = rows * s->o;
    const image_packing packing = image_packing_of(s);
    const int own_cols = !is_pointwise(s) && packing.taps == NULL && !winograd_pays(s), nt = image_threads(chunks);
    float *sums = scratch((size_t)(chunks * partial + (own_cols ? nt * rows * positions : 0)));
    float *cols = sums + chunks * partial;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
    for (int64_t chunk = 0; chunk < chunks; chunk++)
        weight_grad_run(s, &packing, x, gy, chunk, chunks, sums + chunk * partial, cols + (int64_t)tgc__thread_id() * rows * positions);
    release_masks(packing.taps);
    weight_grad_total(s, chunks, sums, gw, nt);
}

/* ---- float64 ------------------------------------------------------------------------------ */

/* Runs BODY, with `out`, `in` and `tap` the offsets in the output, input and weight, for every
   output element and every tap of it inside the input, in row-major order of (b, oc, oy, ox),
   then (ci, i, j). */
#define FOR_EACH_TAP(s, BODY)                                                                        \
    for (int64_t b = 0; b < (s)->n; b++)                                                             \
        for (int64_t oc = 0; oc < (s)->o; oc++)                                                      \
            for (int64_t oy = 0; oy < (s)->oh; oy++)                                                 \
                for (int64_t ox = 0; ox < (s)->ow; ox++) {                                           \
                    const int64_t cg = (s)->c / (s)->groups, g = oc / ((s)->o / (s)->groups);        \
                    const int64_t out = ((b * (s)->o + oc) * (s)->oh + oy) * (s)->ow + ox;           \
                    for (int64_t ci = 0; ci < cg; ci++)                                              \
                        for (int64_t i = 0; i < (s)->kh; i++)                                        \
                            for (int64_t j = 0; j < (s)->kw; j++) {                                  \
                                const int64_t iy = oy * (s)->sh - (s)->ph + i * (s)->dh;             \
                                const int64_t ix = ox * (s)->sw - (s)->pw + j * (s)->dw;             \
                                if (iy < 0 || iy >= (s)->h || ix < 0 || ix >= (s)->w) continue;      \
                                const int64_t in = ((b * (s)->c + g * cg + ci) * (s)->h + iy) * (s)->w + ix; \
                                const int64_t tap = ((oc * cg + ci) * (s)->kh + i) * (s)->kw + j;    \
                                BODY                                                                 \
                            }                                                                        \
                }

void tgc_conv2d_f64(const tgc_conv2d_shape *s, const double *x, const double *w, double *y) {
    memset(y, 0, (size_t)(s->n * s->o * s->oh * s->ow) * sizeof(double));
    FOR_EACH_TAP(s, { y[out] += x[in] * w[tap]; })
}

void tgc_conv2d_input_grad_f64(const tgc_conv2d_shape *s, const double *gy, const double *w, double *gx) {
    memset(gx, 0, (size_t)(s->n * s->c * s->h * s->w) * sizeof(double));
    FOR_EACH_TAP(s, { gx[in] += gy[out] * w[tap]; })
}

void tgc_conv2d_weight_grad_f64(const tgc_conv2d_shape *s, const double *x, const double *gy, double *gw) {
    memset(gw, 0, (size_t)(s->o * (s->c / s->groups) * s->kh * s->kw) * sizeof(double));
    FOR_EACH_TAP(s, { gw[tap] += x[in] * gy[out]; })
}
