/* Winograd F(2x2, 3x3) and F(4x4, 3x3) convolutions (winograd.c, winograd_f4.c), internal to
   the runtime: conv.c takes this path for the forward, input gradient and weight gradient of
   float32 3x3 convolutions of stride 1, dilation 1 and one group with 16+ input and output
   channels. */
#ifndef TGC_WINOGRAD_INTERNAL_H
#define TGC_WINOGRAD_INTERNAL_H

#include <stdint.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* The calling OpenMP thread's number (0 without OpenMP): which scratch block a thread of
   conv.c's and winograd.c's parallel loops uses. */
static inline int tgc__thread_id(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* A stride-1 3x3 correlation y [n, o, oh, ow] of x [n, c, h, w] zero-padded by ph, pw, with
   oh = h + 2·ph − 2 and ow = w + 2·pw − 2 (both > 0). Its weight element (output channel q,
   input channel r, tap i, j) is weight[q·wq + r·wr + i·wi + j·wj]: the forward's layout, or
   (for an input gradient) its weights flipped and transposed. */
typedef struct {
    int64_t n, c, h, w, o, oh, ow, ph, pw;
    const float *weight;
    int64_t wq, wr, wi, wj;
    const float *u; /* the weights transformed beforehand (tgc__winograd_transform_weights), or
                       NULL: each call transforms them */
} tgc__winograd_conv;

/* The floats of the transformed weights of p (tgc__winograd_transform_weights). */
int64_t tgc__winograd_u_floats(const tgc__winograd_conv *p);

/* p's weights transformed as tgc__winograd_f32 multiplies them, into u (64-byte aligned,
   tgc__winograd_u_floats long), on the calling thread: a caller whose weights stay fixed over
   many calls (a library context's) transforms them once and passes them as p->u. */
void tgc__winograd_transform_weights(const tgc__winograd_conv *p, float *u);

/* The floats of scratch that tgc__winograd_f32 needs with `threads` threads. */
int64_t tgc__winograd_scratch_floats(const tgc__winograd_conv *p, int threads);

/* The threads worth starting for p (at most `threads`: one per block of output tiles). */
int tgc__winograd_threads(const tgc__winograd_conv *p, int threads);

/* y = the correlation p describes, on `threads` OpenMP threads (1: the calling thread) with
   `scratch` (64-byte aligned, tgc__winograd_scratch_floats long). Every output element is
   computed by the same operations whatever the thread count and whatever images the call is
   given with it, so splitting a batch among calls changes no bit. Its transforms run in
   AVX-512 or AVX2 registers, as the sgemm kernel the CPU gets, else in portable C (tests set
   TGC_WINOGRAD_PORTABLE or TGC_WINOGRAD_AVX2 to choose; TGC_WINOGRAD_TILE=2 or 4, the tile size,
   winograd.c's tile_side): the same operations, so the same
   bits. */
void tgc__winograd_f32(const tgc__winograd_conv *p, const float *x, float *y, float *scratch, int threads);

/* F(4x4, 3x3)'s transforms (winograd_f4.c), which tgc__winograd_f32 and
   tgc__winograd_weight_grad_f32 take where winograd.c's tile_side says (large layers, fewer
   products than 2x2 tiles, the AVX-512 kernel). Tiles are numbered over
   all of p's images (image by image, 4x4 tiles row by row); a block is `count` (<= 32) of them
   from `first`, tile j at column j of the kernel's panels (NR = nr floats): point ξ of input
   channel c's V at v[ξ·v_point + c·nr + j], of output channel o's M at m[ξ·m_point + o·nr + j].
   `avx512` nonzero: in AVX-512 registers, else portable C (the same bits). */
typedef struct {
    int64_t mr, o_panels, cs; /* U's point ξ of output channel q, input channel r at
                                 u[((ξ·o_panels + q / mr)·cs + r)·mr + q % mr] */
} tgc__winograd_panels;
/* U = G g Gᵀ of the output channels of U's panel `panel` (those of q / mr == panel) for every
   input channel. */
void tgc__winograd4_weights(const tgc__winograd_conv *p, int avx512, int64_t panel, const tgc__winograd_panels *u_at, float *u);
/* V = Bᵀ d B of a block's tiles for every input channel of x. */
void tgc__winograd4_input(const tgc__winograd_conv *p, int avx512, const float *x, int64_t first, int count, int64_t nr,
                          int64_t v_point, float *v);
/* y = Aᵀ M A of a block's tiles for every output channel, the outputs past an edge dropped. */
void tgc__winograd4_output(const tgc__winograd_conv *p, int avx512, const float *m, int64_t first, int count, int64_t nr,
                           int64_t m_point, float *y);
/* The weight gradient's (tgc__winograd_weight_grad_f32 with 4x4 tiles): Ŷ = A gy Aᵀ of tiles
   first .. first+count-1 (any number) for every output channel, point ξ of channel o's tile j
   at g[ξ·g_point + o·ld + j] (V: tgc__winograd4_input with nr = ld); then from the sums
   M_ξ [c, o] at m[ξ·m_point + r·o + q], the weight gradient Gᵀ M G at sum[(r·9 + i·3 + j)·ld + q]. */
void tgc__winograd4_gradient(const tgc__winograd_conv *p, int avx512, const float *gy, int64_t first, int count, int64_t ld,
                             int64_t g_point, float *g);
void tgc__winograd4_weight_grad_of(const tgc__winograd_conv *p, const float *m, int64_t m_point, float *sum, int64_t ld);

/* The floats of scratch that tgc__winograd_weight_grad_f32 needs for p (p->weight unused). */
int64_t tgc__winograd_weight_grad_scratch_floats(const tgc__winograd_conv *p);

/* The gradient of the correlation p describes with respect to its weights (the forward's
   layout), given its input x and the gradient gy of its output y, summed over p->n images:
   sum[(r·9 + i·3 + j)·ld + q] for output channel q, input channel r, tap (i, j). On the
   calling thread (tgc_sgemm threads its products itself outside a parallel region), with
   `scratch` (tgc__winograd_weight_grad_scratch_floats long). For each of the 16 points ξ,
   M_ξ [o, c] = Σ_tiles Ŷ_ξ [o, tile] · V_ξ [c, tile] with Ŷ = A gy_tile Aᵀ and V the
   forward's input transform, as tgc_sgemm products over the images in fixed groups of about
   512 tiles (accumulated in order), then Gᵀ M G. The bits depend only on p and the data (not
   on the thread count); transforms in AVX-512 or AVX2 registers or portable C as the forward's. */
void tgc__winograd_weight_grad_f32(const tgc__winograd_conv *p, const float *x, const float *gy, float *sum, int64_t ld,
                                   float *scratch);

#endif
