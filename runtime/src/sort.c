/* argsort along one dimension: a stable bottom-up merge sort of each row's indices, shared by
   generated programs and the interpreter, so both give the same order (ties keep their index
   order; NaN sorts above every number, so it comes last ascending and first descending, as
   torch.sort on the CPU). O(n log n) per row with one scratch buffer per row. */
#include "internal.h"

#include <math.h>
#include <string.h>

/* "a goes before b": strictly smaller (ascending) or strictly larger (descending), NaN largest. */
#define TGC__BEFORE_F32(a, b, desc) ((desc) ? ((isnan(a) && !isnan(b)) || (a) > (b)) : ((!isnan(a) && isnan(b)) || (a) < (b)))
#define TGC__BEFORE_I64(a, b, desc) ((desc) ? (a) > (b) : (a) < (b))

/* Sorts rows [outer, n, inner] of x (row-major): out[o, :, i] = the indices that order
   x[o, :, i]. keys and scratch hold n elements each. */
#define TGC__DEFINE_ARGSORT(NAME, T, BEFORE)                                                       \
    void NAME(const T *x, int64_t *out, int64_t outer, int64_t n, int64_t inner, int descending) { \
        if (n <= 0 || outer <= 0 || inner <= 0) return;                                            \
        int64_t *index = tgc_alloc((size_t)n * sizeof(int64_t));                                   \
        int64_t *scratch = tgc_alloc((size_t)n * sizeof(int64_t));                                 \
        T *keys = tgc_alloc((size_t)n * sizeof(T));                                                \
        for (int64_t o = 0; o < outer; o++) {                                                      \
            for (int64_t i = 0; i < inner; i++) {                                                  \
                const T *row = x + o * n * inner + i;                                              \
                for (int64_t k = 0; k < n; k++) { keys[k] = row[k * inner]; index[k] = k; }        \
                int64_t *from = index, *to = scratch;                                              \
                for (int64_t width = 1; width < n; width *= 2) {                                   \
                    for (int64_t lo = 0; lo < n; lo += 2 * width) {                                \
                        int64_t mid = lo + width < n ? lo + width : n;                             \
                        int64_t hi = lo + 2 * width < n ? lo + 2 * width : n;                      \
                        int64_t a = lo, b = mid, k = lo;                                           \
                        while (a < mid && b < hi) {                                                \
                            /* the right run's element goes first only when strictly before */     \
                            if (BEFORE(keys[from[b]], keys[from[a]], descending)) to[k++] = from[b++]; \
                            else to[k++] = from[a++];                                              \
                        }                                                                          \
                        while (a < mid) to[k++] = from[a++];                                       \
                        while (b < hi) to[k++] = from[b++];                                        \
                    }                                                                              \
                    int64_t *swap = from; from = to; to = swap;                                    \
                }                                                                                  \
                int64_t *target = out + o * n * inner + i;                                         \
                for (int64_t k = 0; k < n; k++) target[k * inner] = from[k];                       \
            }                                                                                      \
        }                                                                                          \
        tgc_free(keys);                                                                            \
        tgc_free(scratch);                                                                         \
        tgc_free(index);                                                                           \
    }

TGC__DEFINE_ARGSORT(tgc_argsort_f32, float, TGC__BEFORE_F32)
TGC__DEFINE_ARGSORT(tgc_argsort_i64, int64_t, TGC__BEFORE_I64)
