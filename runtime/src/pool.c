/* tgc_max_pool2d_indices_*: the argmax of each max-pooling window, as F.max_pool2d's recorded
   indices: for each output element, iy·w + ix of its window's maximum within the input plane,
   the taps taken row-major and the padding left out; the first of equal maxima wins, a NaN
   wins over every number and a later NaN over an earlier one, and a window of -inf keeps its
   first tap (PyTorch's CPU kernel). tgc_max_pool2d_*: the values there, x at those indices
   (the same bits as gathering them), without an index buffer. The geometry is a
   tgc_conv2d_shape with o = c, groups = 1. Planes run in parallel (OpenMP); each element is
   computed alone, so threads change nothing. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "tgc_runtime.h"

#ifdef _OPENMP
#define TGC_PARALLEL_PLANES _Pragma("omp parallel for schedule(static) if (planes > 1)")
#define TGC_PARALLEL_POOL_REGION _Pragma("omp parallel if (planes > 1)")
#define TGC_POOL_FOR _Pragma("omp for schedule(static)")
#else
#define TGC_PARALLEL_PLANES
#define TGC_PARALLEL_POOL_REGION
#define TGC_POOL_FOR
#endif

/* The output columns [lo, hi) whose input column ox·stride + offset lies in [0, w). */
static inline void valid_columns(int64_t w, int64_t offset, int64_t stride, int64_t ow, int64_t *lo, int64_t *hi) {
    int64_t a = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    int64_t b = w - offset <= 0 ? 0 : (w - offset + stride - 1) / stride;
    *lo = a < ow ? a : ow;
    *hi = b < *lo ? *lo : b < ow ? b : ow;
}

/* Each output row in blocks of TGC_POOL_BLOCK columns. The argmaxes start at each column's
   first valid tap (PyTorch starts there with max -inf), set by a pass over the taps of the
   first valid row in reverse; then the taps in row-major order outside, the columns inside:
   the tap's values copied into a contiguous block, then a branch-free loop of selects over
   contiguous 32-bit arrays (plane offsets fit in int32: tgc_max_pool2d_indices_* requires
   h·w < 2^31), which the compiler vectorizes. */
#define TGC_POOL_BLOCK 256

#define MAX_POOL_PLANE(NAME, T, HALVES)                                                               \
    static void NAME(const tgc_conv2d_shape *s, const int64_t *columns, int halves, const T *plane,   \
                     int64_t *out) {                                                                  \
        if (halves) { /* 2x2, stride 2: every window inside; its first tap starts it */               \
            HALVES(s, plane, out);                                                                    \
            return;                                                                                   \
        }                                                                                             \
        T max[TGC_POOL_BLOCK], tap[TGC_POOL_BLOCK];                                                   \
        int32_t arg[TGC_POOL_BLOCK];                                                                  \
        for (int64_t oy = 0; oy < s->oh; oy++)                                                        \
            for (int64_t from = 0; from < s->ow; from += TGC_POOL_BLOCK) {                            \
                const int64_t to = from + TGC_POOL_BLOCK < s->ow ? from + TGC_POOL_BLOCK : s->ow;     \
                int64_t *best = out + oy * s->ow;                                                     \
                for (int64_t ox = from; ox < to; ox++) arg[ox - from] = 0, max[ox - from] = -INFINITY; \
                int first = 1;                                                                        \
                for (int64_t i = 0; i < s->kh; i++) {                                                 \
                    const int64_t iy = oy * s->sh - s->ph + i * s->dh;                                \
                    if (iy < 0 || iy >= s->h) continue;                                               \
                    for (int64_t jj = 0; first && jj < s->kw; jj++) {                                 \
                        const int64_t j = s->kw - 1 - jj, offset = j * s->dw - s->pw;                 \
                        const int64_t lo = columns[2 * j] > from ? columns[2 * j] : from;             \
                        const int64_t hi = columns[2 * j + 1] < to ? columns[2 * j + 1] : to;         \
                        for (int64_t ox = lo; ox < hi; ox++) arg[ox - from] = (int32_t)(iy * s->w + ox * s->sw + offset); \
                    }                                                                                 \
                    first = 0;                                                                        \
                    for (int64_t j = 0; j < s->kw; j++) {                                             \
                        const int64_t offset = j * s->dw - s->pw;                                     \
                        const int64_t lo = columns[2 * j] > from ? columns[2 * j] : from;             \
                        const int64_t hi = columns[2 * j + 1] < to ? columns[2 * j + 1] : to;         \
                        const T *row = plane + iy * s->w + offset;                                    \
                        for (int64_t ox = lo; ox < hi; ox++) tap[ox - from] = row[ox * s->sw];        \
                        const int32_t base = (int32_t)(iy * s->w + offset), step = (int32_t)s->sw;    \
                        for (int32_t k = (int32_t)(lo - from); k < (int32_t)(hi - from); k++) {       \
                            const T v = tap[k], m = max[k];                                           \
                            const int32_t take = (v > m) | (v != v);                                  \
                            max[k] = take ? v : m;                                                    \
                            arg[k] = take ? base + (k + (int32_t)from) * step : arg[k];               \
                        }                                                                             \
                    }                                                                                 \
                }                                                                                     \
                for (int64_t ox = from; ox < to; ox++) best[ox] = arg[ox - from];                     \
            }                                                                                         \
    }

/* The per-tap valid output columns (lo, hi for each tap column j) and whether the windows are
   the 2x2, stride-2 halves; the caller frees the columns. */
static int64_t *pool_columns(const tgc_conv2d_shape *s, int *halves) {
    int64_t *columns = tgc_alloc((size_t)(2 * s->kw) * sizeof(int64_t));
    for (int64_t j = 0; j < s->kw; j++)
        valid_columns(s->w, j * s->dw - s->pw, s->sw, s->ow, &columns[2 * j], &columns[2 * j + 1]);
    *halves = s->kh == 2 && s->kw == 2 && s->sh == 2 && s->sw == 2 && s->ph == 0 && s->pw == 0 && s->dh == 1 && s->dw == 1;
    return columns;
}

/* The indices of every plane, and the values: of 2x2, stride-2 windows straight from the plane
   where HALVES_VALUES can (returns 1), else each plane's indices into a per-thread row of oh·ow
   (cache-resident), then the plane read there. */
#define MAX_POOL(INDICES, VALUES, T, PLANE, HALVES_VALUES)                                            \
    void INDICES(const tgc_conv2d_shape *s, const T *x, int64_t *out) {                               \
        const int64_t planes = s->n * s->c;                                                           \
        int halves;                                                                                   \
        int64_t *columns = pool_columns(s, &halves);                                                  \
        TGC_PARALLEL_PLANES                                                                           \
        for (int64_t p = 0; p < planes; p++) PLANE(s, columns, halves, x + p * s->h * s->w, out + p * s->oh * s->ow); \
        tgc_free(columns);                                                                            \
    }                                                                                                 \
    void VALUES(const tgc_conv2d_shape *s, const T *x, T *y) {                                        \
        const int64_t planes = s->n * s->c, count = s->oh * s->ow;                                    \
        int halves;                                                                                   \
        int64_t *columns = pool_columns(s, &halves);                                                  \
        TGC_PARALLEL_POOL_REGION                                                                      \
        {                                                                                             \
            int64_t *at = tgc_alloc((size_t)count * sizeof(int64_t));                                 \
            TGC_POOL_FOR                                                                              \
            for (int64_t p = 0; p < planes; p++) {                                                    \
                const T *plane = x + p * s->h * s->w;                                                 \
                T *row = y + p * count;                                                               \
                if (halves && HALVES_VALUES(s, plane, row)) continue;                                 \
                PLANE(s, columns, halves, plane, at);                                                 \
                for (int64_t k = 0; k < count; k++) row[k] = plane[at[k]];                           \
            }                                                                                         \
            tgc_free(at);                                                                             \
        }                                                                                             \
        tgc_free(columns);                                                                            \
    }

/* No direct way to the maxima of 2x2 windows (HALVES_VALUES): the caller gathers them. */
static inline int no_halves_values_f32(const tgc_conv2d_shape *s, const float *plane, float *out) {
    (void)s, (void)plane, (void)out;
    return 0;
}
static inline int no_halves_values_f64(const tgc_conv2d_shape *s, const double *plane, double *out) {
    (void)s, (void)plane, (void)out;
    return 0;
}

/* m, a = v, at when v > m or v is NaN: selects through bit masks, which compilers keep
   branch-free (a branch per tap mispredicts on data such as ReLU outputs). */
#define TAKE_IF(NAME, T, U)                                                                           \
    static inline void NAME(T v, int32_t at, T *m, int32_t *a) {                                      \
        const U mask = (U)0 - (U)((v > *m) | (v != v));                                               \
        U vb, mb;                                                                                     \
        memcpy(&vb, &v, sizeof vb);                                                                   \
        memcpy(&mb, m, sizeof mb);                                                                    \
        mb = (vb & mask) | (mb & ~mask);                                                              \
        memcpy(m, &mb, sizeof mb);                                                                    \
        *a = (int32_t)(((uint32_t)at & (uint32_t)mask) | ((uint32_t)*a & ~(uint32_t)mask));           \
    }

/* The argmaxes of one plane's 2x2, stride 2 windows (no padding), out [oh, ow]: the taps in
   row-major order through SELECT. */
#define HALVES_PLANE(NAME, T, SELECT)                                                                 \
    static void NAME(const tgc_conv2d_shape *s, const T *plane, int64_t *out) {                       \
        for (int64_t oy = 0; oy < s->oh; oy++) {                                                      \
            const T *r0 = plane + 2 * oy * s->w, *r1 = r0 + s->w;                                     \
            const int32_t top = (int32_t)(2 * oy * s->w), bottom = top + (int32_t)s->w;               \
            int64_t *best = out + oy * s->ow;                                                         \
            for (int32_t ox = 0; ox < (int32_t)s->ow; ox++) {                                         \
                T m = r0[2 * ox];                                                                     \
                int32_t a = top + 2 * ox;                                                             \
                SELECT(r0[2 * ox + 1], top + 2 * ox + 1, &m, &a);                                    \
                SELECT(r1[2 * ox], bottom + 2 * ox, &m, &a);                                         \
                SELECT(r1[2 * ox + 1], bottom + 2 * ox + 1, &m, &a);                                 \
                best[ox] = a;                                                                         \
            }                                                                                         \
        }                                                                                             \
    }

TAKE_IF(take_if_f64, double, uint64_t)
HALVES_PLANE(halves_plane_f64, double, take_if_f64)

#if defined(__AVX512F__)
#include <immintrin.h>

/* halves_plane_f32 16 windows at a time where the runtime is compiled for AVX-512
   (-march=native in generated programs). Each row's window pairs are split into their left
   (a, c) and right (b, d) taps; the row-major selection m = a, then b, c, d each taken when
   greater or NaN, equals taking t = b or a and u = d or c by the same rule, then u or t: the
   first of equal maxima wins and the last NaN wins either way. */
static void halves_plane_f32_avx512(const tgc_conv2d_shape *s, const float *plane, int64_t *out) {
    const __m512i left = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i right = _mm512_add_epi32(left, _mm512_set1_epi32(1));
    const __m512i ramp = _mm512_slli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 1);
    const __m512i one = _mm512_set1_epi32(1), below = _mm512_set1_epi32((int32_t)s->w);
    for (int64_t oy = 0; oy < s->oh; oy++) {
        const float *r0 = plane + 2 * oy * s->w, *r1 = r0 + s->w;
        int64_t *best = out + oy * s->ow;
        for (int64_t ox = 0; ox < s->ow; ox += 16) {
            const int64_t n = s->ow - ox < 16 ? s->ow - ox : 16; /* windows in this block */
            const __mmask16 first = (__mmask16)(n >= 8 ? 0xFFFFu : (1u << (2 * n)) - 1u);
            const __mmask16 second = (__mmask16)(n <= 8 ? 0u : n == 16 ? 0xFFFFu : (1u << (2 * (n - 8))) - 1u);
            const __m512 t0 = _mm512_maskz_loadu_ps(first, r0 + 2 * ox), t1 = _mm512_maskz_loadu_ps(second, r0 + 2 * ox + 16);
            const __m512 b0 = _mm512_maskz_loadu_ps(first, r1 + 2 * ox), b1 = _mm512_maskz_loadu_ps(second, r1 + 2 * ox + 16);
            const __m512 a = _mm512_permutex2var_ps(t0, left, t1), b = _mm512_permutex2var_ps(t0, right, t1);
            const __m512 c = _mm512_permutex2var_ps(b0, left, b1), d = _mm512_permutex2var_ps(b0, right, b1);
            const __mmask16 tb = _mm512_cmp_ps_mask(b, a, _CMP_GT_OQ) | _mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q);
            const __mmask16 td = _mm512_cmp_ps_mask(d, c, _CMP_GT_OQ) | _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q);
            const __m512 t = _mm512_mask_blend_ps(tb, a, b), u = _mm512_mask_blend_ps(td, c, d);
            const __mmask16 tu = _mm512_cmp_ps_mask(u, t, _CMP_GT_OQ) | _mm512_cmp_ps_mask(u, u, _CMP_UNORD_Q);
            const __m512i ti = _mm512_maskz_mov_epi32(tb, one);
            const __m512i ui = _mm512_mask_add_epi32(below, td, below, one);
            const __m512i at = _mm512_add_epi32(_mm512_set1_epi32((int32_t)(2 * oy * s->w + 2 * ox)),
                                                _mm512_add_epi32(ramp, _mm512_mask_blend_epi32(tu, ti, ui)));
            const __mmask8 lo = (__mmask8)(n >= 8 ? 0xFFu : (1u << n) - 1u), hi = (__mmask8)(n <= 8 ? 0u : (1u << (n - 8)) - 1u);
            _mm512_mask_storeu_epi64(best + ox, lo, _mm512_cvtepi32_epi64(_mm512_castsi512_si256(at)));
            _mm512_mask_storeu_epi64(best + ox + 8, hi, _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(at, 1)));
        }
    }
}
#define HALVES_PLANE_F32 halves_plane_f32_avx512
#define HALVES_VALUES_F32 no_halves_values_f32
#else
TAKE_IF(take_if_f32, float, uint32_t)
HALVES_PLANE(halves_plane_f32, float, take_if_f32)
#if defined(__AVX2__)
#include <immintrin.h>
#include "columns_avx2.h"

/* t, or v where v > t or v is NaN: the taking rule of TAKE_IF, as a lane mask. */
static inline __m256 taken(__m256 v, __m256 t) {
    return _mm256_or_ps(_mm256_cmp_ps(v, t, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
}

/* The windows of output row oy from column ox on, 8 of them (rows of at least 8 columns): their
   maxima, and their argmaxes in the plane in *at. */
TGC_AVX2_INLINE __m256 halves8_avx2(const tgc_conv2d_shape *s, const float *plane, int64_t oy, int64_t ox, __m256i *at) {
    const __m256i ramp = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
    const __m256i one = _mm256_set1_epi32(1), below = _mm256_set1_epi32((int32_t)s->w);
    const float *r0 = plane + 2 * oy * s->w, *r1 = r0 + s->w;
    const int64_t col = 2 * ox;
    const __m256 t0 = tgc__load_columns8(r0, col, s->w), t1 = tgc__load_columns8(r0, col + 8, s->w);
    const __m256 b0 = tgc__load_columns8(r1, col, s->w), b1 = tgc__load_columns8(r1, col + 8, s->w);
    const __m256 a = tgc__even_floats(t0, t1), b = tgc__odd_floats(t0, t1), c = tgc__even_floats(b0, b1), d = tgc__odd_floats(b0, b1);
    const __m256 tb = taken(b, a), td = taken(d, c);
    const __m256 t = _mm256_blendv_ps(a, b, tb), u = _mm256_blendv_ps(c, d, td);
    const __m256 tu = taken(u, t);
    const __m256i ti = _mm256_and_si256(_mm256_castps_si256(tb), one);
    const __m256i ui = _mm256_add_epi32(below, _mm256_and_si256(_mm256_castps_si256(td), one));
    const __m256i pick = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(ti), _mm256_castsi256_ps(ui), tu));
    *at = _mm256_add_epi32(_mm256_set1_epi32((int32_t)(2 * oy * s->w + 2 * ox)), _mm256_add_epi32(ramp, pick));
    return _mm256_blendv_ps(t, u, tu);
}

/* halves_plane_f32 8 windows at a time where the runtime is compiled for AVX2 (rows of at
   least 8 columns), by the same pairing of taps as the AVX-512 version above. */
static void halves_plane_f32_avx2(const tgc_conv2d_shape *s, const float *plane, int64_t *out) {
    if (s->w < 8) { /* rows narrower than a register */
        halves_plane_f32(s, plane, out);
        return;
    }
    for (int64_t oy = 0; oy < s->oh; oy++) {
        int64_t *best = out + oy * s->ow;
        for (int64_t ox = 0; ox < s->ow; ox += 8) {
            const int64_t n = s->ow - ox < 8 ? s->ow - ox : 8; /* windows in this block */
            __m256i at;
            (void)halves8_avx2(s, plane, oy, ox, &at);
            const __m256i lo = _mm256_cvtepi32_epi64(_mm256_castsi256_si128(at)), hi = _mm256_cvtepi32_epi64(_mm256_extracti128_si256(at, 1));
            if (n == 8) {
                _mm256_storeu_si256((__m256i *)(best + ox), lo);
                _mm256_storeu_si256((__m256i *)(best + ox + 4), hi);
            } else {
                int64_t lanes[8];
                _mm256_storeu_si256((__m256i *)lanes, lo);
                _mm256_storeu_si256((__m256i *)(lanes + 4), hi);
                memcpy(best + ox, lanes, (size_t)n * sizeof(int64_t));
            }
        }
    }
}

/* The maxima of halves_plane_f32_avx2's windows, without their indices: the values its argmaxes
   point at, so the bits of gathering them; 0 (nothing written) for rows narrower than 8. */
static int halves_values_f32_avx2(const tgc_conv2d_shape *s, const float *plane, float *out) {
    if (s->w < 8) return 0;
    for (int64_t oy = 0; oy < s->oh; oy++) {
        float *row = out + oy * s->ow;
        for (int64_t ox = 0; ox < s->ow; ox += 8) {
            __m256i at;
            tgc__store_columns8(row + ox, s->ow - ox, halves8_avx2(s, plane, oy, ox, &at));
        }
    }
    return 1;
}
#define HALVES_PLANE_F32 halves_plane_f32_avx2
#define HALVES_VALUES_F32 halves_values_f32_avx2
#else
#define HALVES_PLANE_F32 halves_plane_f32
#define HALVES_VALUES_F32 no_halves_values_f32
#endif
#endif

MAX_POOL_PLANE(max_pool_plane_f32, float, HALVES_PLANE_F32)
MAX_POOL_PLANE(max_pool_plane_f64, double, halves_plane_f64)
MAX_POOL(tgc_max_pool2d_indices_f32, tgc_max_pool2d_f32, float, max_pool_plane_f32, HALVES_VALUES_F32)
MAX_POOL(tgc_max_pool2d_indices_f64, tgc_max_pool2d_f64, double, max_pool_plane_f64, no_halves_values_f64)

/* Max pooling of relu((x + bias) · scale + shift), each channel's bias, scale and shift one
   number (batch norm's affine after a convolution's bias; bias may be NULL): each plane's
   activations computed into a per-thread plane (cache-resident), then pooled there, with the
   indices (may be NULL) and the values (may be NULL) of tgc_max_pool2d_indices_f32 and
   tgc_max_pool2d_f32 on the activations, the same bits. The activations round as a generated
   kernel computes them: no contraction unless `fused` (then z · scale + shift is one fmaf, as
   batch norm's fused multiply-add), relu(v) = v < 0 ? 0 : v. The per-channel numbers are
   copied first: the outputs may lie over them (a memory plan reuses their bytes). */
void tgc_max_pool2d_affine_relu_f32(const tgc_conv2d_shape *s, const float *x, const float *bias, const float *scale,
                                    const float *shift, int fused, int64_t *indices, float *values) {
    const int64_t planes = s->n * s->c, count = s->oh * s->ow, size = s->h * s->w;
    float *affine = tgc_alloc((size_t)(3 * s->c) * sizeof(float)); /* bias, scale, shift */
    for (int64_t c = 0; c < s->c; c++) {
        affine[c] = bias == NULL ? 0.0f : bias[c];
        affine[s->c + c] = scale[c];
        affine[2 * s->c + c] = shift[c];
    }
    int halves;
    int64_t *columns = pool_columns(s, &halves);
    TGC_PARALLEL_POOL_REGION
    {
        float *activations = tgc_alloc((size_t)size * sizeof(float));
        int64_t *at = indices == NULL ? tgc_alloc((size_t)count * sizeof(int64_t)) : NULL;
        TGC_POOL_FOR
        for (int64_t p = 0; p < planes; p++) {
            const int64_t c = p % s->c;
            const float b = affine[c], a = affine[s->c + c], t = affine[2 * s->c + c];
            const float *plane = x + p * size;
            if (fused) {
                for (int64_t k = 0; k < size; k++) {
                    const float v = fmaf(bias == NULL ? plane[k] : plane[k] + b, a, t);
                    activations[k] = v < 0.0f ? 0.0f : v;
                }
            } else if (bias == NULL) {
                for (int64_t k = 0; k < size; k++) {
                    const float v = plane[k] * a + t;
                    activations[k] = v < 0.0f ? 0.0f : v;
                }
            } else {
                for (int64_t k = 0; k < size; k++) {
                    const float v = (plane[k] + b) * a + t;
                    activations[k] = v < 0.0f ? 0.0f : v;
                }
            }
            float *row = values == NULL ? NULL : values + p * count;
            if (indices == NULL && halves && HALVES_VALUES_F32(s, activations, row)) continue;
            int64_t *best = indices == NULL ? at : indices + p * count;
            max_pool_plane_f32(s, columns, halves, activations, best);
            if (row != NULL)
                for (int64_t k = 0; k < count; k++) row[k] = activations[best[k]];
        }
        tgc_free(activations);
        tgc_free(at);
    }
    tgc_free(columns);
    tgc_free(affine);
}
