/* conv.cuh: F.conv2d and its two gradients, and max-pooling's argmax indices, on the device,
   with the C runtime's geometry and conventions (tgc_conv2d_shape; runtime/src/conv.c, pool.c).
   Each image is im2col'd into a device scratch buffer by a kernel, then multiplied per group
   with tgc_cuda_sgemm; the input gradient is Wᵀ·gy per image followed by col2im as a gather
   (each input element sums its taps in the C runtime's order, so no atomics); the weight
   gradient accumulates im2col · gyᵀ over the images in order (beta = 1 after the first). The
   scratch buffer is cached and only grows. Include after tgc_cuda.h and sgemm.cuh. */
#ifndef TGC_CUDA_CONV_CUH
#define TGC_CUDA_CONV_CUH

#include <stdint.h>

#include "tgc_runtime.h"

#define TGC_CONV_THREADS 256
#define TGC_CONV_MAX_BLOCKS 8192

/* col[(ci·kh + i)·kw + j][oy·ow + ox] = x[ci][oy·sh − ph + i·dh][ox·sw − pw + j·dw], 0 outside. */
__global__ void tgc_im2col_kernel(tgc_conv2d_shape s, const float *x, float *col) {
    const int64_t positions = s.oh * s.ow, total = s.c * s.kh * s.kw * positions;
    for (int64_t e = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        const int64_t r = e / positions, p = e % positions;
        const int64_t ci = r / (s.kh * s.kw), i = r / s.kw % s.kh, j = r % s.kw;
        const int64_t iy = p / s.ow * s.sh - s.ph + i * s.dh, ix = p % s.ow * s.sw - s.pw + j * s.dw;
        col[e] = (iy >= 0 && iy < s.h && ix >= 0 && ix < s.w) ? x[(ci * s.h + iy) * s.w + ix] : 0.0f;
    }
}

/* gx[ci][iy][ix] = Σ over taps (i, j), in order, of the col element taken from it (col2im). */
__global__ void tgc_col2im_kernel(tgc_conv2d_shape s, const float *col, float *gx) {
    const int64_t positions = s.oh * s.ow, total = s.c * s.h * s.w;
    for (int64_t e = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        const int64_t ci = e / (s.h * s.w), iy = e / s.w % s.h, ix = e % s.w;
        float acc = 0.0f;
        for (int64_t i = 0; i < s.kh; i++) {
            const int64_t ty = iy + s.ph - i * s.dh;
            if (ty < 0 || ty % s.sh != 0 || ty / s.sh >= s.oh) continue;
            for (int64_t j = 0; j < s.kw; j++) {
                const int64_t tx = ix + s.pw - j * s.dw;
                if (tx < 0 || tx % s.sw != 0 || tx / s.sw >= s.ow) continue;
                acc += col[((ci * s.kh + i) * s.kw + j) * positions + ty / s.sh * s.ow + tx / s.sw];
            }
        }
        gx[e] = acc;
    }
}

/* iy·w + ix of output element e's window maximum in its plane `in`, as
   tgc_max_pool2d_indices_f32: the first valid tap starts it with max −inf, then every valid
   tap in row-major order is taken when it is greater or NaN. */
__device__ __forceinline__ int64_t tgc_max_pool2d_argmax(const tgc_conv2d_shape &s, int64_t e, const float *in) {
    const int64_t oy = e / s.ow % s.oh, ox = e % s.ow;
    float max = -INFINITY;
    int64_t arg = -1;
    for (int64_t i = 0; i < s.kh; i++) {
        const int64_t iy = oy * s.sh - s.ph + i * s.dh;
        if (iy < 0 || iy >= s.h) continue;
        for (int64_t j = 0; j < s.kw; j++) {
            const int64_t ix = ox * s.sw - s.pw + j * s.dw;
            if (ix < 0 || ix >= s.w) continue;
            const float v = in[iy * s.w + ix];
            if (arg < 0) arg = iy * s.w + ix;
            if (v > max || v != v) {
                max = v;
                arg = iy * s.w + ix;
            }
        }
    }
    return arg < 0 ? 0 : arg;
}

/* out[plane][oy][ox] = the window's argmax (tgc_max_pool2d_argmax). */
__global__ void tgc_max_pool2d_indices_kernel(tgc_conv2d_shape s, const float *x, int64_t *out) {
    const int64_t total = s.n * s.c * s.oh * s.ow;
    for (int64_t e = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x)
        out[e] = tgc_max_pool2d_argmax(s, e, x + e / (s.oh * s.ow) * s.h * s.w);
}

/* y[plane][oy][ox] = x at the window's argmax: tgc_max_pool2d_f32's values. */
__global__ void tgc_max_pool2d_kernel(tgc_conv2d_shape s, const float *x, float *y) {
    const int64_t total = s.n * s.c * s.oh * s.ow;
    for (int64_t e = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        const float *in = x + e / (s.oh * s.ow) * s.h * s.w;
        y[e] = in[tgc_max_pool2d_argmax(s, e, in)];
    }
}

/* A device buffer of at least `floats` floats, kept for the next call. */
static inline float *tgc_cuda_conv_scratch(size_t floats) {
    static float *buffer = NULL;
    static size_t capacity = 0;
    if (floats > capacity) {
        if (buffer) tgc_cuda_free(buffer);
        buffer = (float *)tgc_cuda_alloc(floats * sizeof(float));
        capacity = floats;
    }
    return buffer;
}

static inline int tgc_cuda_conv_is_pointwise(const tgc_conv2d_shape *s) {
    return s->kh == 1 && s->kw == 1 && s->sh == 1 && s->sw == 1 && s->ph == 0 && s->pw == 0;
}

/* Blocks for a grid-stride kernel over n elements. */
static inline unsigned tgc_cuda_conv_blocks(int64_t n) {
    return tgc_cuda_blocks_for(n, TGC_CONV_THREADS, TGC_CONV_MAX_BLOCKS);
}

/* The im2col columns of one image: the image itself for a pointwise convolution (col is NULL),
   else col filled by tgc_im2col_kernel. */
static inline const float *tgc_cuda_conv_columns(const tgc_conv2d_shape *s, const float *image, float *col, int dsl_line) {
    if (col == NULL) return image;
    TGC_LAUNCH(tgc_im2col_kernel, tgc_cuda_conv_blocks(s->c * s->kh * s->kw * s->oh * s->ow), TGC_CONV_THREADS, 0, dsl_line,
               *s, image, col);
    return col;
}

/* y = conv2d(x, w) on device pointers (tgc_conv2d_f32). */
static inline void tgc_cuda_conv2d_f32(const tgc_conv2d_shape *s, const float *x, const float *w, float *y, int dsl_line) {
    const int64_t positions = s->oh * s->ow, og = s->o / s->groups, kg = s->c / s->groups * s->kh * s->kw;
    const int64_t rows = s->c * s->kh * s->kw, image = s->c * s->h * s->w;
    if (s->n == 0 || s->o == 0 || positions == 0) return;
    const int direct = tgc_cuda_conv_is_pointwise(s);
    float *col = direct ? NULL : tgc_cuda_conv_scratch((size_t)(rows * positions));
    for (int64_t b = 0; b < s->n; b++) {
        const float *columns = tgc_cuda_conv_columns(s, x + b * image, col, dsl_line);
        for (int64_t g = 0; g < s->groups; g++)
            tgc_cuda_sgemm(0, 0, og, positions, kg, 1.0f, w + g * og * kg, kg, columns + g * kg * positions, positions, 0.0f,
                           y + (b * s->o + g * og) * positions, positions, 0, dsl_line);
    }
}

/* gx = the gradient of conv2d with respect to x, given gy (tgc_conv2d_input_grad_f32). */
static inline void tgc_cuda_conv2d_input_grad_f32(const tgc_conv2d_shape *s, const float *gy, const float *w, float *gx,
                                                  int dsl_line) {
    const int64_t positions = s->oh * s->ow, og = s->o / s->groups, kg = s->c / s->groups * s->kh * s->kw;
    const int64_t rows = s->c * s->kh * s->kw, image = s->c * s->h * s->w;
    if (s->n == 0 || image == 0) return;
    const int direct = tgc_cuda_conv_is_pointwise(s);
    float *scratch = direct ? NULL : tgc_cuda_conv_scratch((size_t)(rows * positions));
    for (int64_t b = 0; b < s->n; b++) {
        float *col = direct ? gx + b * image : scratch;
        for (int64_t g = 0; g < s->groups; g++)
            tgc_cuda_sgemm(1, 0, kg, positions, og, 1.0f, w + g * og * kg, kg, gy + (b * s->o + g * og) * positions,
                           positions, 0.0f, col + g * kg * positions, positions, 0, dsl_line);
        if (!direct)
            TGC_LAUNCH(tgc_col2im_kernel, tgc_cuda_conv_blocks(image), TGC_CONV_THREADS, 0, dsl_line, *s,
                       (const float *)col, gx + b * image);
    }
}

/* gw = the gradient of conv2d with respect to w, given x and gy (tgc_conv2d_weight_grad_f32). */
static inline void tgc_cuda_conv2d_weight_grad_f32(const tgc_conv2d_shape *s, const float *x, const float *gy, float *gw,
                                                   int dsl_line) {
    const int64_t positions = s->oh * s->ow, og = s->o / s->groups, kg = s->c / s->groups * s->kh * s->kw;
    const int64_t rows = s->c * s->kh * s->kw, image = s->c * s->h * s->w;
    if (s->o == 0 || kg == 0) return;
    if (s->n == 0 || positions == 0) {
        tgc_cuda_zero(gw, (size_t)(s->o * kg) * sizeof(float));
        return;
    }
    const int direct = tgc_cuda_conv_is_pointwise(s);
    float *col = direct ? NULL : tgc_cuda_conv_scratch((size_t)(rows * positions));
    for (int64_t b = 0; b < s->n; b++) {
        const float *columns = tgc_cuda_conv_columns(s, x + b * image, col, dsl_line);
        for (int64_t g = 0; g < s->groups; g++)
            tgc_cuda_sgemm(0, 1, og, kg, positions, 1.0f, gy + (b * s->o + g * og) * positions, positions,
                           columns + g * kg * positions, positions, b == 0 ? 0.0f : 1.0f, gw + g * og * kg, kg, 0, dsl_line);
    }
}

/* tgc_max_pool2d_indices_f32 on device pointers: s->o = s->c, s->groups = 1. */
static inline void tgc_cuda_max_pool2d_indices_f32(const tgc_conv2d_shape *s, const float *x, int64_t *out, int dsl_line) {
    const int64_t total = s->n * s->c * s->oh * s->ow;
    if (total == 0) return;
    TGC_LAUNCH(tgc_max_pool2d_indices_kernel, tgc_cuda_conv_blocks(total), TGC_CONV_THREADS, 0, dsl_line, *s, x, out);
}

/* tgc_max_pool2d_f32 on device pointers. */
static inline void tgc_cuda_max_pool2d_f32(const tgc_conv2d_shape *s, const float *x, float *y, int dsl_line) {
    const int64_t total = s->n * s->c * s->oh * s->ow;
    if (total == 0) return;
    TGC_LAUNCH(tgc_max_pool2d_kernel, tgc_cuda_conv_blocks(total), TGC_CONV_THREADS, 0, dsl_line, *s, x, y);
}

#endif /* TGC_CUDA_CONV_CUH */
