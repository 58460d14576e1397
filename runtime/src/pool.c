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

#define MAX_POOL_INDICES(NAME, T)                                                                     \
    void NAME(const tgc_conv2d_shape *s, const T *x, int64_t *out) {                                  \
        const int64_t planes = s->n * s->c;                                                           \
        TGC_PARALLEL_PLANES                                                                           \
        for (int64_t p = 0; p < planes; p++) {                                                        \
            const T *plane = x + p * s->h * s->w;                                                     \
            int64_t *result = out + p * s->oh * s->ow;                                                \
            for (int64_t oy = 0; oy < s->oh; oy++)                                                    \
                for (int64_t ox = 0; ox < s->ow; ox++) {                                              \
                    int64_t best = -1;                                                                \
                    T max = -INFINITY;                                                                \
                    for (int64_t i = 0; i < s->kh; i++) {                                             \
                        const int64_t iy = oy * s->sh - s->ph + i * s->dh;                            \
                        if (iy < 0 || iy >= s->h) continue;                                           \
                        for (int64_t j = 0; j < s->kw; j++) {                                         \
                            const int64_t ix = ox * s->sw - s->pw + j * s->dw;                        \
                            if (ix < 0 || ix >= s->w) continue;                                       \
                            const T v = plane[iy * s->w + ix];                                        \
                            if (best < 0) best = iy * s->w + ix; /* PyTorch's start: max -inf */      \
                            if (v > max || isnan(v)) max = v, best = iy * s->w + ix;                  \
                        }                                                                             \
                    }                                                                                 \
                    result[oy * s->ow + ox] = best < 0 ? 0 : best;                                    \
                }                                                                                     \
        }                                                                                             \
    }

MAX_POOL_INDICES(tgc_max_pool2d_indices_f32, float)
MAX_POOL_INDICES(tgc_max_pool2d_indices_f64, double)
