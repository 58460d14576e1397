/* torch.sum's order on the CPU: the float32 and float64 sums that programs spell (`x.sum()`,
   `x.mean(dim: 1)`, a loss's mean) of fewer than 32768 elements, which PyTorch adds on one
   thread, add their elements in the order of PyTorch's cascade_sum
   (aten/src/ATen/native/cpu/SumKernel.cpp), so they round as PyTorch's do: the tensor's
   dimensions laid out as TensorIterator lays out a reduction, vectors of 8 floats or 4
   doubles (AVX2), four independent accumulators, and partial sums pushed up four levels every
   16 rows. Shared by generated programs and the interpreter; runs on the calling thread. */
#include "internal.h"

enum { TGC__CASCADE_LEVELS = 4, TGC__CASCADE_ILP = 4, TGC__CASCADE_MAX_RANK = 64 };

/* ceil(log2(x)), 1 for x <= 2 (c10's CeilLog2). */
static int64_t tgc__ceil_log2(int64_t x) {
    return x <= 2 ? 1 : 64 - __builtin_clzll((uint64_t)(x - 1));
}

/* One dimension of the reduction as TensorIterator sees it: its extent and the strides (in
   elements) of the input and the output (0 along a reduced dimension). */
typedef struct {
    int64_t size, in, out;
} tgc__cascade_dim;

/* The dimensions of a row-major tensor of `shape` reduced over the axes set in `reduced`, in
   TensorIterator's order (reduced dimensions first, each group innermost first), dimensions of
   extent 1 dropped and neighbours that are one run of memory in both operands coalesced.
   Returns how many there are. */
static int tgc__cascade_layout(int rank, const int64_t *shape, uint64_t reduced, tgc__cascade_dim *dims) {
    int64_t in[TGC__CASCADE_MAX_RANK], out[TGC__CASCADE_MAX_RANK];
    int64_t in_stride = 1, out_stride = 1;
    for (int axis = rank - 1; axis >= 0; axis--) {
        int is_reduced = (int)((reduced >> axis) & 1);
        in[axis] = in_stride;
        out[axis] = is_reduced ? 0 : out_stride;
        in_stride *= shape[axis];
        if (!is_reduced) out_stride *= shape[axis];
    }
    int count = 0;
    for (int pass = 0; pass < 2; pass++) {   /* reduced dimensions, then kept ones */
        for (int axis = rank - 1; axis >= 0; axis--) {
            if ((int)((reduced >> axis) & 1) != (pass == 0) || shape[axis] == 1) continue;
            tgc__cascade_dim dim = {shape[axis], in[axis], out[axis]};
            tgc__cascade_dim *last = count > 0 ? &dims[count - 1] : NULL;
            if (last && last->size * last->in == dim.in && last->size * last->out == dim.out) last->size *= dim.size;
            else dims[count++] = dim;
        }
    }
    return count;
}

/* cascade_rows adds `size` rows of TGC__CASCADE_ILP accumulators of LANES lanes (element
   [i, k, l] at i·row_stride + k·col_stride + l) with PyTorch's four-level cascade, pushing a
   level up every 2^power additions of the one below. LANES is W (vectors) or 1 (scalars), a
   constant, so the compiler keeps the lanes in vector registers. */
#define TGC__DEFINE_CASCADE_ROWS(NAME, T, W, LANES)                                                         \
    static void NAME(const T *x, int64_t row_stride, int64_t col_stride, int64_t size, int64_t power,         \
                     T result[TGC__CASCADE_ILP][W]) {                                                         \
        const int64_t step = (int64_t)1 << power, mask = step - 1;                                            \
        T acc[TGC__CASCADE_LEVELS][TGC__CASCADE_ILP][LANES] = {{{0}}};                                        \
        int64_t i = 0;                                                                                        \
        while (i + step <= size) {                                                                            \
            for (int64_t j = 0; j < step; j++, i++)                                                           \
                for (int k = 0; k < TGC__CASCADE_ILP; k++)                                                    \
                    for (int l = 0; l < LANES; l++) acc[0][k][l] += x[i * row_stride + k * col_stride + l];  \
            for (int level = 1; level < TGC__CASCADE_LEVELS; level++) {                                       \
                for (int k = 0; k < TGC__CASCADE_ILP; k++)                                                    \
                    for (int l = 0; l < LANES; l++) {                                                         \
                        acc[level][k][l] += acc[level - 1][k][l];                                             \
                        acc[level - 1][k][l] = 0;                                                             \
                    }                                                                                         \
                if ((i & (mask << (level * power))) != 0) break;                                              \
            }                                                                                                 \
        }                                                                                                     \
        for (; i < size; i++)                                                                                 \
            for (int k = 0; k < TGC__CASCADE_ILP; k++)                                                        \
                for (int l = 0; l < LANES; l++) acc[0][k][l] += x[i * row_stride + k * col_stride + l];      \
        for (int level = 1; level < TGC__CASCADE_LEVELS; level++)                                             \
            for (int k = 0; k < TGC__CASCADE_ILP; k++)                                                        \
                for (int l = 0; l < LANES; l++) acc[0][k][l] += acc[level][k][l];                             \
        for (int k = 0; k < TGC__CASCADE_ILP; k++)                                                            \
            for (int l = 0; l < LANES; l++) result[k][l] = acc[0][k][l];                                      \
    }

/* The sums for one element type T with W-lane vectors. multi_row_sum is cascade_rows with
   PyTorch's level power for `size` rows; row_sum splits a run of `size` elements (each `lanes`
   wide, `stride` apart) over four accumulators and adds them; inner_sum is a contiguous run of
   at least W elements summed as vectors, then its tail and the lanes in order; loop2d is
   cascade_sum's loop over a [size1, size0] block (dimension 0 reduced, s0/s1 the input
   strides, os1 the output stride of dimension 1). */
#define TGC__DEFINE_CASCADE_SUM(SUFFIX, T, W)                                                               \
    TGC__DEFINE_CASCADE_ROWS(tgc__cascade_vectors_##SUFFIX, T, W, W)                                        \
    TGC__DEFINE_CASCADE_ROWS(tgc__cascade_scalars_##SUFFIX, T, W, 1)                                        \
                                                                                                              \
    static void tgc__multi_row_sum_##SUFFIX(const T *x, int64_t row_stride, int64_t col_stride, int lanes,    \
                                            int64_t size, T result[TGC__CASCADE_ILP][W]) {                    \
        int64_t power = tgc__ceil_log2(size) / TGC__CASCADE_LEVELS;                                           \
        if (power < 4) power = 4;                                                                             \
        if (lanes == W) tgc__cascade_vectors_##SUFFIX(x, row_stride, col_stride, size, power, result);         \
        else tgc__cascade_scalars_##SUFFIX(x, row_stride, col_stride, size, power, result);                   \
    }                                                                                                         \
                                                                                                              \
    static void tgc__row_sum_##SUFFIX(const T *x, int64_t stride, int lanes, int64_t size, T result[W]) {     \
        const int64_t groups = size / TGC__CASCADE_ILP;                                                       \
        T partial[TGC__CASCADE_ILP][W];                                                                       \
        tgc__multi_row_sum_##SUFFIX(x, stride * TGC__CASCADE_ILP, stride, lanes, groups, partial);                                                                 \
        for (int64_t i = groups * TGC__CASCADE_ILP; i < size; i++)                                            \
            for (int l = 0; l < lanes; l++) partial[0][l] += x[i * stride + l];                               \
        for (int k = 1; k < TGC__CASCADE_ILP; k++)                                                            \
            for (int l = 0; l < lanes; l++) partial[0][l] += partial[k][l];                                   \
        for (int l = 0; l < lanes; l++) result[l] = partial[0][l];                                            \
    }                                                                                                         \
                                                                                                              \
    static T tgc__inner_sum_##SUFFIX(const T *x, int64_t n) {                                                 \
        const int64_t vectors = n / W;                                                                        \
        T lanes[W];                                                                                           \
        tgc__row_sum_##SUFFIX(x, W, W, vectors, lanes);                                                       \
        T total = 0;                                                                                          \
        for (int64_t i = vectors * W; i < n; i++) total += x[i];                                              \
        for (int l = 0; l < W; l++) total += lanes[l];                                                        \
        return total;                                                                                         \
    }                                                                                                         \
                                                                                                              \
    static void tgc__loop2d_##SUFFIX(const T *x, T *out, int64_t size0, int64_t size1, int64_t s0, int64_t s1, \
                                     int64_t os1) {                                                           \
        T sums[TGC__CASCADE_ILP][W];                                                                          \
        int64_t j = 0;                                                                                        \
        if (s0 == 1 && size0 >= W) {                                                                          \
            for (int64_t row = 0; row < size1; row++) out[row * os1] += tgc__inner_sum_##SUFFIX(x + row * s1, size0); \
        } else if (s1 == 1 && size1 >= W) {                                                                   \
            const int64_t width = TGC__CASCADE_ILP * W, groups = size1 / width;                               \
            for (int64_t group = 0; group < groups; group++) {                                                \
                T part[TGC__CASCADE_ILP][W];                                                                  \
                tgc__multi_row_sum_##SUFFIX(x + group * width, s0, W, W, size0, part);      \
                for (int k = 0; k < TGC__CASCADE_ILP; k++)                                                    \
                    for (int l = 0; l < W; l++) out[(group * width + k * W + l) * os1] += part[k][l];         \
            }                                                                                                 \
            for (j = groups * width; j + W <= size1; j += W) {                                                \
                tgc__row_sum_##SUFFIX(x + j, s0, W, size0, sums[0]);                                          \
                for (int l = 0; l < W; l++) out[(j + l) * os1] += sums[0][l];                                 \
            }                                                                                                 \
            for (; j < size1; j++) {                                                                          \
                tgc__row_sum_##SUFFIX(x + j, s0, 1, size0, sums[0]);                                          \
                out[j * os1] += sums[0][0];                                                                   \
            }                                                                                                 \
        } else if (s0 < s1) {                                                                                 \
            for (int64_t row = 0; row < size1; row++) {                                                       \
                T part[W];                                                                                    \
                tgc__row_sum_##SUFFIX(x + row * s1, s0, 1, size0, part);                                      \
                out[row * os1] += part[0];                                                                    \
            }                                                                                                 \
        } else {                                                                                              \
            for (; j + TGC__CASCADE_ILP <= size1; j += TGC__CASCADE_ILP) {                                    \
                tgc__multi_row_sum_##SUFFIX(x + j * s1, s0, s1, 1, size0, sums);            \
                for (int k = 0; k < TGC__CASCADE_ILP; k++) out[(j + k) * os1] += sums[k][0];                  \
            }                                                                                                 \
            for (; j < size1; j++) {                                                                          \
                tgc__row_sum_##SUFFIX(x + j * s1, s0, 1, size0, sums[0]);                                     \
                out[j * os1] += sums[0][0];                                                                   \
            }                                                                                                 \
        }                                                                                                     \
    }                                                                                                         \
                                                                                                              \
    void tgc_cascade_sum_##SUFFIX(const T *x, T *out, int rank, const int64_t *shape, uint64_t reduced) {     \
        int64_t in_count = 1, out_count = 1;                                                                  \
        for (int axis = 0; axis < rank; axis++) {                                                             \
            in_count *= shape[axis];                                                                          \
            if (!((reduced >> axis) & 1)) out_count *= shape[axis];                                           \
        }                                                                                                     \
        for (int64_t i = 0; i < out_count; i++) out[i] = 0;                                                   \
        if (in_count == 0) return;                                                                            \
        tgc__cascade_dim dims[TGC__CASCADE_MAX_RANK + 2];                                                     \
        int count = tgc__cascade_layout(rank, shape, reduced, dims);                                          \
        while (count < 2) dims[count++] = (tgc__cascade_dim){1, 0, 0};                                        \
        if (dims[0].out != 0) { /* nothing is reduced: each element is added to its zero */                 \
            for (int64_t i = 0; i < in_count; i++) out[i] += x[i];                                            \
            return;                                                                                           \
        }                                                                                                     \
        int64_t index[TGC__CASCADE_MAX_RANK + 2] = {0};                                                       \
        for (;;) {   /* each position of the dimensions after the first two */                                \
            int64_t in_offset = 0, out_offset = 0;                                                            \
            for (int d = 2; d < count; d++) {                                                                 \
                in_offset += index[d] * dims[d].in;                                                           \
                out_offset += index[d] * dims[d].out;                                                         \
            }                                                                                                 \
            tgc__loop2d_##SUFFIX(x + in_offset, out + out_offset, dims[0].size, dims[1].size, dims[0].in,     \
                                 dims[1].in, dims[1].out);                                                    \
            int d = 2;                                                                                        \
            while (d < count && ++index[d] == dims[d].size) index[d++] = 0;                                   \
            if (d == count) return;                                                                           \
        }                                                                                                     \
    }

TGC__DEFINE_CASCADE_SUM(f32, float, 8)
TGC__DEFINE_CASCADE_SUM(f64, double, 4)

/* nll_loss's own order (aten/src/ATen/native/LossNLL.cpp and LossNLL2d.cpp): the per-sample
   values in sample order, skipped ones (ignore_index) neither added nor counted, eight levels,
   level j pushed up after a sample whose index is a multiple of 2^(power·(j+1)), the levels
   added from the lowest. */
#define TGC__DEFINE_NLL_SUM(SUFFIX, T)                                                                      \
    T tgc_nll_sum_##SUFFIX(const T *x, const uint8_t *skip, int64_t n) {                                   \
        enum { LEVELS = 8 };                                                                                  \
        int64_t power = tgc__ceil_log2(n) / LEVELS;                                                           \
        if (power < 4) power = 4;                                                                             \
        const int64_t mask = ((int64_t)1 << power) - 1;                                                       \
        T levels[LEVELS] = {0};                                                                               \
        for (int64_t i = 0; i < n; i++) {                                                                     \
            if (skip && skip[i]) continue;                                                                    \
            levels[0] += x[i];                                                                                \
            for (int j = 0; j + 1 < LEVELS; j++) {                                                            \
                if ((i & (mask << (j * power))) != 0) break;                                                  \
                levels[j + 1] += levels[j];                                                                   \
                levels[j] = 0;                                                                                \
            }                                                                                                 \
        }                                                                                                     \
        T total = 0;                                                                                          \
        for (int j = 0; j < LEVELS; j++) total += levels[j];                                                  \
        return total;                                                                                         \
    }

TGC__DEFINE_NLL_SUM(f32, float)
TGC__DEFINE_NLL_SUM(f64, double)
