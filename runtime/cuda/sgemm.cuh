/* sgemm.cuh: C = alpha op(A) op(B) + beta C in fp32 on the device, with tgc_sgemm's
   conventions (runtime/include/tgc_runtime.h: row-major, op(X) = X or its transpose by flag,
   row strides lda/ldb/ldc, beta = 0 never reads C, alpha = 0 or k = 0 never reads A or B).
   Each block computes a 128 x 128 tile of C with 256 threads: per step of 8 along k it stages
   the 128 x 8 slice of op(A) and the 8 x 128 slice of op(B) in shared memory (coalesced reads
   for either layout, zeros past the edges), then each thread accumulates its 8 x 8 sub-tile in
   registers from them. tgc_cuda_sgemm_batched runs a batch of equal-shaped products in one
   launch. Include after tgc_cuda.h. */
#ifndef TGC_CUDA_SGEMM_CUH
#define TGC_CUDA_SGEMM_CUH

#include <stdint.h>

#define TGC_SGEMM_BM 128
#define TGC_SGEMM_BN 128
#define TGC_SGEMM_BK 8
#define TGC_SGEMM_TM 8
#define TGC_SGEMM_TN 8
#define TGC_SGEMM_THREADS 256   /* (BM / TM) * (BN / TN) */

/* One 128 x 128 tile of C per block; blockIdx.z picks the matrix of a batch (operands offset
   by stride_a, stride_b, stride_c elements per matrix; a stride of 0 shares the operand). */
__global__ void __launch_bounds__(TGC_SGEMM_THREADS)
tgc_sgemm_kernel(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *__restrict__ a,
                 int64_t lda, int64_t stride_a, const float *__restrict__ b, int64_t ldb, int64_t stride_b, float beta,
                 float *__restrict__ c, int64_t ldc, int64_t stride_c, int plain) {
    a += blockIdx.z * stride_a;
    b += blockIdx.z * stride_b;
    c += blockIdx.z * stride_c;
    __shared__ __align__(16) float as[TGC_SGEMM_BK][TGC_SGEMM_BM];   /* as[p][i] = op(A)[i0 + i][p0 + p] */
    __shared__ __align__(16) float bs[TGC_SGEMM_BK][TGC_SGEMM_BN];   /* bs[p][j] = op(B)[p0 + p][j0 + j] */
    const int t = threadIdx.x;
    const int tx = t % (TGC_SGEMM_BN / TGC_SGEMM_TN), ty = t / (TGC_SGEMM_BN / TGC_SGEMM_TN);
    const int64_t i0 = (int64_t)blockIdx.y * TGC_SGEMM_BM, j0 = (int64_t)blockIdx.x * TGC_SGEMM_BN;
    float acc[TGC_SGEMM_TM][TGC_SGEMM_TN];
    for (int r = 0; r < TGC_SGEMM_TM; r++)
        for (int s = 0; s < TGC_SGEMM_TN; s++) acc[r][s] = 0.0f;

    for (int64_t p0 = 0; p0 < k; p0 += TGC_SGEMM_BK) {
        /* 1024 elements of each slice, 4 per thread; consecutive threads read consecutive
           addresses of the stored layout. */
        for (int e = t; e < TGC_SGEMM_BM * TGC_SGEMM_BK; e += TGC_SGEMM_THREADS) {
            int i, p;
            if (trans_a) { p = e / TGC_SGEMM_BM; i = e % TGC_SGEMM_BM; }
            else { i = e / TGC_SGEMM_BK; p = e % TGC_SGEMM_BK; }
            const int64_t gi = i0 + i, gp = p0 + p;
            as[p][i] = (gi < m && gp < k) ? (trans_a ? a[gp * lda + gi] : a[gi * lda + gp]) : 0.0f;
        }
        for (int e = t; e < TGC_SGEMM_BN * TGC_SGEMM_BK; e += TGC_SGEMM_THREADS) {
            int j, p;
            if (trans_b) { j = e / TGC_SGEMM_BK; p = e % TGC_SGEMM_BK; }
            else { p = e / TGC_SGEMM_BN; j = e % TGC_SGEMM_BN; }
            const int64_t gj = j0 + j, gp = p0 + p;
            bs[p][j] = (gj < n && gp < k) ? (trans_b ? b[gj * ldb + gp] : b[gp * ldb + gj]) : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int p = 0; p < TGC_SGEMM_BK; p++) {
            float ar[TGC_SGEMM_TM], br[TGC_SGEMM_TN];
#pragma unroll
            for (int r = 0; r < TGC_SGEMM_TM; r++) ar[r] = as[p][ty * TGC_SGEMM_TM + r];
#pragma unroll
            for (int s = 0; s < TGC_SGEMM_TN; s++) br[s] = bs[p][tx * TGC_SGEMM_TN + s];
#pragma unroll
            for (int r = 0; r < TGC_SGEMM_TM; r++)
#pragma unroll
                for (int s = 0; s < TGC_SGEMM_TN; s++)
                    acc[r][s] = !plain ? fmaf(ar[r], br[s], acc[r][s]) : p0 + p == 0 ? ar[r] * br[s] : acc[r][s] + ar[r] * br[s];
        }
        __syncthreads();
    }

    for (int r = 0; r < TGC_SGEMM_TM; r++) {
        const int64_t i = i0 + ty * TGC_SGEMM_TM + r;
        if (i >= m) break;
        for (int s = 0; s < TGC_SGEMM_TN; s++) {
            const int64_t j = j0 + tx * TGC_SGEMM_TN + s;
            if (j >= n) break;
            float *cij = &c[i * ldc + j];
            *cij = beta == 0.0f ? alpha * acc[r][s] : alpha * acc[r][s] + beta * *cij;
        }
    }
}

/* `batch` products C_i = alpha op(A_i) op(B_i) + beta C_i, with X_i = x + i · stride_x, in one
   launch of up to 65535 matrices at a time; an error names the DSL line of the product. With
   `plain`, each sum adds its rounded products in k order (tgc_sgemm_in_plain_order: the matrix
   products tgc_sgemm sums so); otherwise one fused multiply-add per product, in k order. */
static inline void tgc_cuda_sgemm_batched(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                                          const float *a, int64_t lda, int64_t stride_a, const float *b, int64_t ldb,
                                          int64_t stride_b, float beta, float *c, int64_t ldc, int64_t stride_c,
                                          int64_t batch, int plain, int dsl_line) {
    if (m <= 0 || n <= 0) return;
    if (alpha == 0.0f) k = 0;
    for (int64_t first = 0; first < batch; first += 65535) {
        const unsigned count = (unsigned)(batch - first < 65535 ? batch - first : 65535);
        const dim3 grid((unsigned)((n + TGC_SGEMM_BN - 1) / TGC_SGEMM_BN), (unsigned)((m + TGC_SGEMM_BM - 1) / TGC_SGEMM_BM),
                        count);
        TGC_LAUNCH(tgc_sgemm_kernel, grid, TGC_SGEMM_THREADS, 0, dsl_line, trans_a, trans_b, m, n, k, alpha,
                   a + first * stride_a, lda, stride_a, b + first * stride_b, ldb, stride_b, beta, c + first * stride_c, ldc,
                   stride_c, plain);
    }
}

/* tgc_sgemm on device pointers (`plain` as tgc_cuda_sgemm_batched's); an error names the DSL
   line of the product. */
static inline void tgc_cuda_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                                  int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
                                  int plain, int dsl_line) {
    tgc_cuda_sgemm_batched(trans_a, trans_b, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0, 1, plain, dsl_line);
}

#endif /* TGC_CUDA_SGEMM_CUH */
