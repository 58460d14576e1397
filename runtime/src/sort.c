/* argsort along one dimension: a stable bottom-up merge sort of each row's indices, shared by
   generated programs and the interpreter, so both give the same order (ties keep their index
   order; NaN sorts above every number, so it comes last ascending and first descending, as
   torch.sort on the CPU). O(n log n) per row with scratch buffers of n elements; rows are
   sorted on OpenMP threads when there are several and enough work (each row alone, so the
   result does not depend on the thread count). */
#include "internal.h"

#include <math.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* "a goes before b": strictly smaller (ascending) or strictly larger (descending), NaN largest. */
#define TGC__BEFORE_F32(a, b, desc) ((desc) ? ((isnan(a) && !isnan(b)) || (a) > (b)) : ((!isnan(a) && isnan(b)) || (a) < (b)))
#define TGC__BEFORE_I64(a, b, desc) ((desc) ? (a) > (b) : (a) < (b))

/* Rows below this many elements in all are sorted on the calling thread. */
#define TGC__SORT_PARALLEL_WORK 32768

/* Sorts the rows [outer, n, inner] of x (row-major): out[o, :, i] = the indices that order
   x[o, :, i]. Each thread has its own keys, index and scratch buffers of n elements. */
#define TGC__DEFINE_ARGSORT(NAME, T, BEFORE)                                                       \
    static void NAME##_row(const T *row, int64_t *target, int64_t n, int64_t inner, int descending, \
                           T *keys, int64_t *index, int64_t *scratch) {                            \
        for (int64_t k = 0; k < n; k++) { keys[k] = row[k * inner]; index[k] = k; }                \
        int64_t *from = index, *to = scratch;                                                      \
        for (int64_t width = 1; width < n; width *= 2) {                                           \
            for (int64_t lo = 0; lo < n; lo += 2 * width) {                                        \
                int64_t mid = lo + width < n ? lo + width : n;                                     \
                int64_t hi = lo + 2 * width < n ? lo + 2 * width : n;                              \
                int64_t a = lo, b = mid, k = lo;                                                   \
                while (a < mid && b < hi) {                                                        \
                    /* the right run's element goes first only when strictly before */             \
                    if (BEFORE(keys[from[b]], keys[from[a]], descending)) to[k++] = from[b++];     \
                    else to[k++] = from[a++];                                                      \
                }                                                                                  \
                while (a < mid) to[k++] = from[a++];                                               \
                while (b < hi) to[k++] = from[b++];                                                \
            }                                                                                      \
            int64_t *swap = from; from = to; to = swap;                                            \
        }                                                                                          \
        for (int64_t k = 0; k < n; k++) target[k * inner] = from[k];                               \
    }                                                                                              \
                                                                                                   \
    static void NAME##_rows(const T *x, int64_t *out, int64_t first, int64_t last, int64_t n,      \
                            int64_t inner, int descending) {                                       \
        T *keys = tgc_alloc((size_t)n * sizeof(T));                                                \
        int64_t *index = tgc_alloc((size_t)n * sizeof(int64_t));                                   \
        int64_t *scratch = tgc_alloc((size_t)n * sizeof(int64_t));                                 \
        for (int64_t r = first; r < last; r++) {                                                   \
            int64_t base = (r / inner) * n * inner + r % inner;                                    \
            NAME##_row(x + base, out + base, n, inner, descending, keys, index, scratch);          \
        }                                                                                          \
        tgc_free(scratch);                                                                         \
        tgc_free(index);                                                                           \
        tgc_free(keys);                                                                            \
    }                                                                                              \
                                                                                                   \
    void NAME(const T *x, int64_t *out, int64_t outer, int64_t n, int64_t inner, int descending) { \
        int64_t rows = outer * inner;                                                              \
        if (n <= 0 || rows <= 0) return;                                                           \
        int parallel = 0;                                                                          \
        TGC__SORT_PARALLEL_CHECK(parallel, rows, n);                                               \
        if (!parallel) { NAME##_rows(x, out, 0, rows, n, inner, descending); return; }             \
        TGC__SORT_PARALLEL_ROWS(NAME##_rows(x, out, first, last, n, inner, descending), rows);     \
    }

#ifdef _OPENMP
#define TGC__SORT_PARALLEL_CHECK(flag, rows, n) \
    flag = (rows) > 1 && (rows) * (n) >= TGC__SORT_PARALLEL_WORK && !omp_in_parallel() && omp_get_max_threads() > 1
/* Each thread sorts one contiguous block of rows with its own buffers. */
#define TGC__SORT_PARALLEL_ROWS(CALL, rows)                                  \
    _Pragma("omp parallel")                                                  \
    {                                                                        \
        int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();   \
        int64_t first = (rows) * t / threads, last = (rows) * (t + 1) / threads; \
        if (first < last) CALL;                                              \
    }
#else
#define TGC__SORT_PARALLEL_CHECK(flag, rows, n) (void)(flag)
#define TGC__SORT_PARALLEL_ROWS(CALL, rows)
#endif

TGC__DEFINE_ARGSORT(tgc_argsort_f32, float, TGC__BEFORE_F32)
TGC__DEFINE_ARGSORT(tgc_argsort_i64, int64_t, TGC__BEFORE_I64)
TGC__DEFINE_ARGSORT(tgc_argsort_f64, double, TGC__BEFORE_F32)
TGC__DEFINE_ARGSORT(tgc_argsort_i32, int32_t, TGC__BEFORE_I64)
TGC__DEFINE_ARGSORT(tgc_argsort_u8, uint8_t, TGC__BEFORE_I64)
