/* tgc__conv2d_one_channel_f32: the forward of a convolution whose groups read one input channel
   each and whose stride and dilation are 1 (a network's first layer on grey images): every
   output row is a sum of kh·kw shifted rows of the input scaled by one weight each, taken in
   AVX2 registers, 4 output channels by 16 columns at a time, from a zero-padded copy of the
   image. The im2col product with sgemm spent most of its time around a 9-long k loop (packing,
   kernel calls, tile stores): B6's conv1 forward took 1.25 ms on one core, this 0.3 ms.

   Each output element is the chain of FMAs that the FMA sgemm kernels (AVX2, AVX-512) compute
   for the im2col product: from 0, one fused multiply-add per tap in tap order (the padding's
   taps multiply zeros, as the packed im2col's do), so the same bits as tgc_sgemm. Where the
   sgemm kernel is another (no FMA), the caller keeps the im2col product. */
#include <stdint.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "conv_one_channel_internal.h"
#include "gemm_internal.h"
#include "tgc_runtime.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#define CHANNELS 4 /* output channels of a register block */
#define VECTORS 2  /* 8-column vectors of a register block */

/* The floats of a padded row: the output columns rounded up to whole register blocks, plus
   the kernel's width less one, so that every load of a block lies in the row. */
static int64_t padded_stride(const tgc_conv2d_shape *s) {
    const int64_t block = 8 * VECTORS;
    return (s->ow + block - 1) / block * block + s->kw - 1;
}

/* Channel `channel` of image x zero-padded: rows h + 2·ph of `stride` floats, the image's row y
   at row y + ph, column pw. */
static void pad_plane(const tgc_conv2d_shape *s, const float *plane, int64_t stride, float *padded) {
    memset(padded, 0, (size_t)((s->h + 2 * s->ph) * stride) * sizeof(float));
    for (int64_t y = 0; y < s->h; y++) memcpy(padded + (y + s->ph) * stride + s->pw, plane + y * s->w, (size_t)s->w * sizeof(float));
}

/* The most taps a kernel may have here (the tap offsets live on the stack). */
#define MAX_TAPS 1024

/* Output channels o0 ..< o0 + G (G a constant once inlined) of output row oy of a plane of
   `plane` floats and rows of `ow`: tap t reads the padded image at `at[t]` floats from the row's
   start, its weight of channel o at w[o·taps + t]. */
static inline __attribute__((always_inline)) void row_block(const float *row, const int64_t *at, int64_t taps, int64_t ow,
                                                             int64_t plane, const float *w, int64_t o0, float *out, const int G) {
    const float *wg[CHANNELS];
    for (int g = 0; g < G; g++) wg[g] = w + (o0 + g) * taps;
    for (int64_t ox = 0; ox < ow; ox += 8 * VECTORS) {
        __m256 acc[CHANNELS][VECTORS];
        for (int g = 0; g < G; g++)
            for (int v = 0; v < VECTORS; v++) acc[g][v] = _mm256_setzero_ps();
        const float *from = row + ox;
        for (int64_t t = 0; t < taps; t++) {
            __m256 xv[VECTORS];
            for (int v = 0; v < VECTORS; v++) xv[v] = _mm256_loadu_ps(from + at[t] + 8 * v);
            for (int g = 0; g < G; g++) {
                const __m256 wb = _mm256_broadcast_ss(wg[g] + t);
                for (int v = 0; v < VECTORS; v++) acc[g][v] = _mm256_fmadd_ps(wb, xv[v], acc[g][v]);
            }
        }
        for (int g = 0; g < G; g++) {
            float *to = out + (o0 + g) * plane + ox;
            for (int v = 0; v < VECTORS; v++) {
                const int64_t left = ow - ox - 8 * v;
                if (left >= 8) {
                    _mm256_storeu_ps(to + 8 * v, acc[g][v]);
                } else if (left > 0) {
                    float lanes[8];
                    _mm256_storeu_ps(lanes, acc[g][v]);
                    memcpy(to + 8 * v, lanes, (size_t)left * sizeof(float));
                }
            }
        }
    }
}

/* Output channels o_from ..< o_to of one group's image (out: its output channel 0), every row. */
static void channels(const tgc_conv2d_shape *s, const float *padded, int64_t stride, const float *w, int64_t o_from,
                     int64_t o_to, float *out) {
    const int64_t taps = s->kh * s->kw, ow = s->ow, plane = s->oh * s->ow;
    int64_t at[MAX_TAPS];
    for (int64_t i = 0; i < s->kh; i++)
        for (int64_t j = 0; j < s->kw; j++) at[i * s->kw + j] = i * stride + j;
    for (int64_t oy = 0; oy < s->oh; oy++) {
        const float *row = padded + oy * stride;
        float *to = out + oy * ow;
        int64_t o = o_from;
        for (; o + CHANNELS <= o_to; o += CHANNELS) row_block(row, at, taps, ow, plane, w, o, to, CHANNELS);
        for (; o < o_to; o++) row_block(row, at, taps, ow, plane, w, o, to, 1);
    }
}

int tgc__conv2d_one_channel_f32(const tgc_conv2d_shape *s, const float *x, const float *w, float *y) {
    if (s->c != s->groups || s->sh != 1 || s->sw != 1 || s->dh != 1 || s->dw != 1) return 0;
    const tgc__gemm_kernel_info *ki = tgc__gemm_best_kernel();
    /* the FMA kernels' chains; the k loop of one block (a kernel taller than a k block is rare) */
    if ((strcmp(ki->name, "avx2") != 0 && strcmp(ki->name, "avx512") != 0) || s->kh * s->kw > MAX_TAPS ||
        tgc__gemm_k_block(ki, s->kh * s->kw) < s->kh * s->kw)
        return 0;
    const int64_t og = s->o / s->groups, stride = padded_stride(s), padded_floats = (s->h + 2 * s->ph) * stride;
    const int64_t blocks = (og + CHANNELS - 1) / CHANNELS, images = s->n * s->groups;
    int nt = 1;
    int64_t pieces = 1;
#ifdef _OPENMP
    if (!omp_in_parallel()) {
        nt = omp_get_max_threads();
        /* fewer images than threads (a batch of one): each image's channel blocks cut between
           the threads, as the im2col product's panels (conv.c) */
        if (images < nt) pieces = (nt + images - 1) / images < blocks ? (nt + images - 1) / images : blocks;
        if (images * pieces < nt) nt = (int)(images * pieces);
    }
#endif
#ifdef _OPENMP
#pragma omp parallel num_threads(nt) if (nt > 1)
#endif
    {
        float *padded = tgc_alloc((size_t)padded_floats * sizeof(float));
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (int64_t task = 0; task < images * pieces; task++) {
            const int64_t image = task / pieces, piece = task % pieces;
            const int64_t o_from = blocks * piece / pieces * CHANNELS, o_to = blocks * (piece + 1) / pieces * CHANNELS;
            const int64_t b = image / s->groups, g = image % s->groups;
            pad_plane(s, x + (b * s->c + g) * s->h * s->w, stride, padded);
            channels(s, padded, stride, w + g * og * s->kh * s->kw, o_from, o_to < og ? o_to : og,
                     y + (b * s->o + g * og) * s->oh * s->ow);
        }
        tgc_free(padded);
    }
    return 1;
}
#else
int tgc__conv2d_one_channel_f32(const tgc_conv2d_shape *s, const float *x, const float *w, float *y) {
    (void)s, (void)x, (void)w, (void)y;
    return 0;
}
#endif
