/* tgc_conv2d_*: F.conv2d and its two gradients.

   float32 is im2col + tgc_sgemm. The im2col of an image is the [c·kh·kw, oh·ow] matrix whose
   row (ci, i, j) holds, for every output position, the input element under tap (i, j) of
   channel ci (zero in the padding); the output of group g is then weight_g [o/g, c/g·kh·kw]
   times the group's rows. The input gradient is weight_gᵀ times the output gradient, scattered
   back by col2im (accumulating, in a fixed order); the weight gradient sums, per group, the
   im2col of each image times its output gradient transposed. A 1x1, stride 1, unpadded kernel
   needs no im2col.

   Images run in parallel (OpenMP) when there are at least as many as threads; each then
   calls tgc_sgemm single-threaded, else tgc_sgemm threads itself. tgc_sgemm's result does not
   depend on the thread count, and neither does anything here.

   Scratch buffers are cached per calling thread and only grow, like tgc_sgemm's pack buffers.
   float64 runs direct loops summing in a fixed order. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "tgc_runtime.h"

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

static int thread_id(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
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

/* ---- float32 ------------------------------------------------------------------------------ */

void tgc_conv2d_f32(const tgc_conv2d_shape *s, const float *x, const float *w, float *y) {
    const int64_t positions = s->oh * s->ow, og = s->o / s->groups, kg = s->c / s->groups * s->kh * s->kw;
    const int64_t rows = s->c * s->kh * s->kw, image = s->c * s->h * s->w;
    if (s->n == 0 || s->o == 0 || positions == 0) return;
    const int direct = is_pointwise(s), nt = image_threads(s->n);
    float *buf = direct ? NULL : scratch((size_t)nt * (size_t)(rows * positions));
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
    for (int64_t b = 0; b < s->n; b++) {
        const float *col = x + b * image;
        if (!direct) {
            float *mine = buf + (int64_t)thread_id() * rows * positions;
            im2col(s, x + b * image, mine, positions);
            col = mine;
        }
        for (int64_t g = 0; g < s->groups; g++)
            tgc_sgemm(0, 0, og, positions, kg, 1.0f, w + g * og * kg, kg, col + g * kg * positions, positions, 0.0f,
                      y + (b * s->o + g * og) * positions, positions);
    }
}

void tgc_conv2d_input_grad_f32(const tgc_conv2d_shape *s, const float *gy, const float *w, float *gx) {
    const int64_t positions = s->oh * s->ow, og = s->o / s->groups, kg = s->c / s->groups * s->kh * s->kw;
    const int64_t rows = s->c * s->kh * s->kw, image = s->c * s->h * s->w;
    if (s->n == 0 || image == 0) return;
    const int direct = is_pointwise(s), nt = image_threads(s->n);
    float *buf = direct ? NULL : scratch((size_t)nt * (size_t)(rows * positions));
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
    for (int64_t b = 0; b < s->n; b++) {
        float *col = direct ? gx + b * image : buf + (int64_t)thread_id() * rows * positions;
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

/* Run `run` of `runs` into `sum` [rows, o] (of group g, only its og columns of its kg rows are
   written), with `cols` the im2col scratch of one image (unused for a pointwise kernel). */
static void weight_grad_run(const tgc_conv2d_shape *s, const float *x, const float *gy, int64_t run, int64_t runs,
                            float *sum, float *cols) {
    const int64_t positions = s->oh * s->ow, og = s->o / s->groups, kg = s->c / s->groups * s->kh * s->kw;
    const int64_t image = s->c * s->h * s->w, first = s->n * run / runs;
    const int direct = is_pointwise(s);
    for (int64_t b = first; b < s->n * (run + 1) / runs; b++) {
        const float *col = x + b * image;
        if (!direct) {
            im2col(s, x + b * image, cols, positions);
            col = cols;
        }
        const float beta = b == first ? 0.0f : 1.0f;
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
    float *cols = is_pointwise(s) ? NULL : scratch_in(1, (size_t)(s->c * s->kh * s->kw * s->oh * s->ow));
    weight_grad_run(s, x, gy, run, tgc_conv2d_weight_grad_runs(s), sums + run * partial, cols);
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
    const int direct = is_pointwise(s), nt = image_threads(chunks);
    float *sums = scratch((size_t)(chunks * partial + (direct ? 0 : nt * rows * positions)));
    float *cols = sums + chunks * partial;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
#endif
    for (int64_t chunk = 0; chunk < chunks; chunk++)
        weight_grad_run(s, x, gy, chunk, chunks, sums + chunk * partial, cols + (int64_t)thread_id() * rows * positions);
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
