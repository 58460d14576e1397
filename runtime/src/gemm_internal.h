/* Internals of tgc_sgemm (gemm.c, gemm_x86.c); not part of the public API. The tests include
   this header to run every micro-kernel the CPU supports, not only the one tgc_sgemm picks. */
#ifndef TGC_GEMM_INTERNAL_H
#define TGC_GEMM_INTERNAL_H

#include <stdint.h>

#include "tgc_runtime.h"

/* A micro-kernel computes one mr x nr tile of C from packed panels (kc >= 1):
     C[r][j] = alpha * sum_p pa[p*MR + r] * pb[p*NR + j]  (+ beta * C[r][j] unless beta == 0)
   for r < mr <= MR, j < nr <= NR, where C[r][j] is c[r*ldc + j]. pa and pb are 64-byte
   aligned and zero-padded to full MR / NR width; only the mr x nr corner of C is touched.
   Products accumulate in p order, one rounding per step (fused where the kernel uses FMA), so
   a C element's value depends only on the kernel and the k blocking, never on the tile edge
   or the thread split. */
typedef void (*tgc__gemm_ukernel)(int64_t kc, const float *pa, const float *pb, float *c,
                                  int64_t ldc, float alpha, float beta, int mr, int nr);

/* A packing of gemm.c: "gather" dst[p*w + r] = src[r*ld + p] (the transposing half of
   packing) or "copy" dst[p*w + r] = src[p*ld + r], for r < rows <= w, p < kb; zeros for
   rows <= r < w. */
typedef void (*tgc__gemm_pack)(const float *src, int64_t ld, int rows, int64_t kb, int w,
                               float *dst);

/* One row of B read in place rather than packed: the address of its first column and the
   mask of the columns that hold values (bit j: column j; the others read as zeros). */
typedef struct {
    uintptr_t at;
    uint32_t mask;
} tgc__gemm_b_row;

/* A micro-kernel that reads k-step p's NR (<= 32) values of B from rows[p] instead of a packed
   panel; otherwise as tgc__gemm_ukernel, with the same operations and so the same result. */
typedef void (*tgc__gemm_rows_ukernel)(int64_t kc, const float *pa, const tgc__gemm_b_row *rows, float *c,
                                       int64_t ldc, float alpha, float beta, int mr, int nr);

/* One row of C over `panels` consecutive packed micro-panels of B (kc·NR floats apart), C's
   columns contiguous from c, the last panel nr_last (<= NR) columns wide, the row of A read at
   pa[p·a_step] for k step p (MR: a packed panel's row 0; 1 or lda: the row in place, unpacked):
   for each element the operations of the micro-kernel with mr = 1 (so the same bits), the
   panels' sums interleaved in one k loop so that their chains of dependent FMAs overlap (one
   row of one panel at a time waits out the FMA latency at every k step). */
typedef void (*tgc__gemm_row_ukernel)(int64_t kc, const float *pa, int64_t a_step, const float *pb, int panels, float *c, float alpha,
                                      float beta, int nr_last);

typedef struct {
    const char *name;          /* "avx512", "avx2", "generic" */
    int mr, nr;                /* register tile */
    int64_t mc, kc, nc;        /* cache blocks: mc multiple of mr, nc multiple of nr */
    tgc__gemm_ukernel kernel;
    tgc__gemm_pack pack_gather; /* NULL: the portable one */
    tgc__gemm_pack pack_copy;   /* NULL: the portable one */
    tgc__gemm_rows_ukernel rows_kernel; /* NULL: none */
    tgc__gemm_row_ukernel row_kernel;   /* NULL: none (a one-row block runs the micro-kernel) */
} tgc__gemm_kernel_info;

/* Kernels in preference order; the count of those usable on this CPU (always >= 1: the
   last one is the portable C kernel). tgc_sgemm uses entry 0. */
int tgc__gemm_kernels(const tgc__gemm_kernel_info **out);

/* tgc_sgemm_epilogue with an explicit kernel and thread count (0: decide as tgc_sgemm does);
   epilogue may be NULL. */
void tgc__sgemm_with(const tgc__gemm_kernel_info *ki, int threads, int trans_a, int trans_b,
                     int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                     const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
                     tgc_sgemm_epilogue_fn epilogue, void *epilogue_ctx);

/* The x86-64 kernels of gemm_x86.c that this CPU (and OS) supports, best first; at most max
   written. 0 on other architectures or compilers. */
int tgc__gemm_x86_kernels(const tgc__gemm_kernel_info **list, int max);

/* Writes one w-wide micro-panel of an operand that is not in memory (e.g. a convolution's
   im2col), for lines l0 .. l0+lines-1 (rows of op(A), columns of op(B)) and k range
   p0 .. p0+kb-1: dst[p*w + l] = op(A)[l0 + l][p0 + p] or op(B)[p0 + p][l0 + l] for l < lines,
   zeros for lines <= l < w. */
typedef void (*tgc__gemm_pack_fn)(void *ctx, int64_t l0, int lines, int64_t p0, int64_t kb, int w, float *dst);

/* An operand of tgc__sgemm_packing: a matrix (data, ld, trans as tgc_sgemm's) or, when pack is
   set, its packing function. */
typedef struct {
    const float *data;
    int64_t ld;
    int trans;
    tgc__gemm_pack_fn pack;
    void *pack_ctx;
} tgc__gemm_operand;

/* tgc__sgemm_with on operands that may be given by their packing functions: the same
   operations, so the same result as packing the materialized operands. */
void tgc__sgemm_packing(const tgc__gemm_kernel_info *ki, int threads, int64_t m, int64_t n, int64_t k, float alpha,
                        const tgc__gemm_operand *a, const tgc__gemm_operand *b, float beta, float *c, int64_t ldc,
                        tgc_sgemm_epilogue_fn epilogue, void *epilogue_ctx);

/* The k block of a product of inner size k (tgc_sgemm cuts k into equal blocks of at most
   ki->kc, each a multiple of 8 when there are several: this size, the last one shorter). */
int64_t tgc__gemm_k_block(const tgc__gemm_kernel_info *ki, int64_t k);

/* The micro-panels of op(A)'s rows 0 .. m-1 over k range p0 .. p0+kb-1, panel i at
   dst + i*kb*mr, as tgc_sgemm packs them. */
void tgc__gemm_pack_a(const tgc__gemm_kernel_info *ki, int trans_a, const float *a, int64_t lda, int64_t m, int64_t p0,
                      int64_t kb, float *dst);

/* The kernel tgc_sgemm uses. */
const tgc__gemm_kernel_info *tgc__gemm_best_kernel(void);

#endif
