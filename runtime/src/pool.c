/* tgc_max_pool2d_indices_*: the argmax of each max-pooling window, as F.max_pool2d's recorded
   indices: for each output element, iy·w + ix of its window's maximum within the input plane,
   the taps taken row-major and the padding left out; the first of equal maxima wins, a NaN
   wins over every number and a later NaN over an earlier one, and a window of -inf keeps its
   first tap (PyTorch's CPU kernel). The geometry is a tgc_conv2d_shape with o = c, groups = 1.
   Planes run in parallel (OpenMP); each element is computed alone, so threads change nothing. */
#include <math.h>
#include <stdint.h>

#include "tgc_runtime.h"

#ifdef _OPENMP
#define TGC_PARALLEL_PLANES _Pragma("omp parallel for schedule(static) if (planes > 1)")
#else
#define TGC_PARALLEL_PLANES
#endif

/* The output columns [lo, hi) whose input column ox·stride + offset lies in [0, w). */
static inline void valid_columns(int64_t w, int64_t offset, int64_t stride, int64_t ow, int64_t *lo, int64_t *hi) {
    int64_t a = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    int64_t b = w - offset <= 0 ? 0 : (w - offset + stride - 1) / stride;
    *lo = a < ow ? a : ow;
    *hi = b < *lo ? *lo : b < ow ? b : ow;
}

/* Each output row in blocks of TGC_POOL_BLOCK columns: the taps in row-major order outside,
   the columns inside (a loop of selects the compiler vectorizes), the running maxima in a
   stack block and the running argmaxes in the result row itself (-1: no tap yet, so the
   first tap is taken whatever its value, as PyTorch starts from the first tap with -inf). */
#define TGC_POOL_BLOCK 256

#define MAX_POOL_INDICES(NAME, T)                                                                     \
    void NAME(const tgc_conv2d_shape *s, const T *x, int64_t *out) {                                  \
        const int64_t planes = s->n * s->c;                                                           \
        TGC_PARALLEL_PLANES                                                                           \
        for (int64_t p = 0; p < planes; p++) {                                                        \
            const T *plane = x + p * s->h * s->w;                                                     \
            T max[TGC_POOL_BLOCK];                                                                    \
            for (int64_t oy = 0; oy < s->oh; oy++)                                                    \
                for (int64_t from = 0; from < s->ow; from += TGC_POOL_BLOCK) {                        \
                    const int64_t to = from + TGC_POOL_BLOCK < s->ow ? from + TGC_POOL_BLOCK : s->ow; \
                    int64_t *best = out + (p * s->oh + oy) * s->ow;                                   \
                    for (int64_t ox = from; ox < to; ox++) best[ox] = -1, max[ox - from] = -INFINITY; \
                    for (int64_t i = 0; i < s->kh; i++) {                                             \
                        const int64_t iy = oy * s->sh - s->ph + i * s->dh;                            \
                        if (iy < 0 || iy >= s->h) continue;                                           \
                        for (int64_t j = 0; j < s->kw; j++) {                                         \
                            const int64_t offset = j * s->dw - s->pw;                                 \
                            int64_t lo, hi;                                                           \
                            valid_columns(s->w, offset, s->sw, s->ow, &lo, &hi);                      \
                            lo = lo > from ? lo : from, hi = hi < to ? hi : to;                       \
                            const T *row = plane + iy * s->w + offset;                                \
                            for (int64_t ox = lo; ox < hi; ox++) {                                    \
                                const T v = row[ox * s->sw], m = max[ox - from];                      \
                                const int take = (best[ox] < 0) | (v > m) | (v != v);                \
                                max[ox - from] = take ? v : m;                                        \
                                best[ox] = take ? iy * s->w + ox * s->sw + offset : best[ox];         \
                            }                                                                         \
                        }                                                                             \
                    }                                                                                 \
                    for (int64_t ox = from; ox < to; ox++) best[ox] = best[ox] < 0 ? 0 : best[ox];    \
                }                                                                                     \
        }                                                                                             \
    }

MAX_POOL_INDICES(tgc_max_pool2d_indices_f32, float)
MAX_POOL_INDICES(tgc_max_pool2d_indices_f64, double)
