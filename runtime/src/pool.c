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

/* The taps [lo, hi) of a window starting at `start` with `taps` taps `step` apart that lie
   in [0, size). */
static inline void tap_range(int64_t start, int64_t taps, int64_t step, int64_t size, int64_t *lo, int64_t *hi) {
    if (start >= 0 && start + (taps - 1) * step < size) { /* inside: no division */
        *lo = 0, *hi = taps;
        return;
    }
    int64_t a = start >= 0 ? 0 : (-start + step - 1) / step;
    int64_t b = size - start <= 0 ? 0 : (size - start + step - 1) / step;
    *lo = a < taps ? a : taps;
    *hi = b < *lo ? *lo : b < taps ? b : taps;
}

/* Branch-free over the taps (a select per tap), the start the first tap with max -inf. */
#define MAX_POOL_INDICES(NAME, T)                                                                     \
    void NAME(const tgc_conv2d_shape *s, const T *x, int64_t *out) {                                  \
        const int64_t planes = s->n * s->c;                                                           \
        TGC_PARALLEL_PLANES                                                                           \
        for (int64_t p = 0; p < planes; p++) {                                                        \
            const T *plane = x + p * s->h * s->w;                                                     \
            int64_t *result = out + p * s->oh * s->ow;                                                \
            for (int64_t oy = 0; oy < s->oh; oy++) {                                                  \
                const int64_t y0 = oy * s->sh - s->ph;                                                \
                int64_t ilo, ihi;                                                                     \
                tap_range(y0, s->kh, s->dh, s->h, &ilo, &ihi);                                        \
                for (int64_t ox = 0; ox < s->ow; ox++) {                                              \
                    const int64_t x0 = ox * s->sw - s->pw;                                            \
                    int64_t jlo, jhi;                                                                 \
                    tap_range(x0, s->kw, s->dw, s->w, &jlo, &jhi);                                    \
                    int64_t best = ilo < ihi && jlo < jhi ? (y0 + ilo * s->dh) * s->w + x0 + jlo * s->dw : 0; \
                    T max = -INFINITY;                                                                \
                    for (int64_t i = ilo; i < ihi; i++) {                                             \
                        const int64_t row = (y0 + i * s->dh) * s->w;                                  \
                        for (int64_t j = jlo; j < jhi; j++) {                                         \
                            const int64_t at = row + x0 + j * s->dw;                                  \
                            const T v = plane[at];                                                    \
                            const int take = (v > max) | (v != v);                                    \
                            max = take ? v : max;                                                     \
                            best = take ? at : best;                                                  \
                        }                                                                             \
                    }                                                                                 \
                    result[oy * s->ow + ox] = best;                                                   \
                }                                                                                     \
            }                                                                                         \
        }                                                                                             \
    }

MAX_POOL_INDICES(tgc_max_pool2d_indices_f32, float)
MAX_POOL_INDICES(tgc_max_pool2d_indices_f64, double)
