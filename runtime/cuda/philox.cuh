/* philox.cuh: the C runtime's random streams (runtime/src/philox.c) on the device. A host
   tgc_rng (seed, next block) drives both: tgc_cuda_rng_uniform/normal fill device memory with
   the numbers tgc_rng_uniform/normal would give and advance the state the same way, so a CUDA
   program draws what the interpreter and the C backend draw. Each thread computes whole
   Philox4x32-10 blocks (4 numbers). Include after tgc_cuda.h. */
#ifndef TGC_CUDA_PHILOX_CUH
#define TGC_CUDA_PHILOX_CUH

#include <stdint.h>

#include "tgc_runtime.h"

/* Philox4x32-10 of counter block `block` under key `seed` (as rng_block in philox.c). */
__host__ __device__ __forceinline__ void tgc_cuda_philox_block(uint64_t seed, uint64_t block, uint32_t out[4]) {
    uint32_t c0 = (uint32_t)block, c1 = (uint32_t)(block >> 32), c2 = 0, c3 = 0;
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        const uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
        const uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        const uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

/* Two standard normal numbers from two words, in double precision as philox.c's box_muller. */
__device__ __forceinline__ void tgc_cuda_box_muller(uint32_t w0, uint32_t w1, float *z0, float *z1) {
    const double two_pi = 6.283185307179586476925286766559;
    const double u1 = (double)((w0 >> 8) + 1u) * 0x1p-24;
    const double u2 = (double)(w1 >> 8) * 0x1p-24;
    const double radius = sqrt(-2.0 * log(u1));
    const double theta = two_pi * u2;
    *z0 = (float)(radius * cos(theta));
    *z1 = (float)(radius * sin(theta));
}

/* out[0 ..< n]: uniform [0, 1) floats from blocks base, base + 1, ... of seed. */
__global__ void tgc_rng_uniform_kernel(uint64_t seed, uint64_t base, float *out, long long n) {
    const long long blocks = (n + 3) / 4;
    for (long long b = blockIdx.x * (long long)blockDim.x + threadIdx.x; b < blocks; b += (long long)gridDim.x * blockDim.x) {
        uint32_t w[4];
        tgc_cuda_philox_block(seed, base + (uint64_t)b, w);
        for (int j = 0; j < 4; j++)
            if (b * 4 + j < n) out[b * 4 + j] = (float)(w[j] >> 8) * 0x1p-24f;
    }
}

/* out[0 ..< n]: standard normal floats (Box-Muller on each block's two word pairs). */
__global__ void tgc_rng_normal_kernel(uint64_t seed, uint64_t base, float *out, long long n) {
    const long long blocks = (n + 3) / 4;
    for (long long b = blockIdx.x * (long long)blockDim.x + threadIdx.x; b < blocks; b += (long long)gridDim.x * blockDim.x) {
        uint32_t w[4];
        float z[4];
        tgc_cuda_philox_block(seed, base + (uint64_t)b, w);
        tgc_cuda_box_muller(w[0], w[1], &z[0], &z[1]);
        tgc_cuda_box_muller(w[2], w[3], &z[2], &z[3]);
        for (int j = 0; j < 4; j++)
            if (b * 4 + j < n) out[b * 4 + j] = z[j];
    }
}

#define TGC_RNG_THREADS 256
#define TGC_RNG_MAX_BLOCKS 4096

/* tgc_rng_uniform(r, out, n) with out in device memory. */
static inline void tgc_cuda_rng_uniform(tgc_rng *r, float *out, long long n, int dsl_line) {
    if (n <= 0) return;
    const long long blocks = (n + 3) / 4;
    TGC_LAUNCH(tgc_rng_uniform_kernel, tgc_cuda_blocks_for(blocks, TGC_RNG_THREADS, TGC_RNG_MAX_BLOCKS),
               TGC_RNG_THREADS, 0, dsl_line, r->seed, r->block, out, n);
    r->block += (uint64_t)blocks;
}

/* tgc_rng_normal(r, out, n) with out in device memory. */
static inline void tgc_cuda_rng_normal(tgc_rng *r, float *out, long long n, int dsl_line) {
    if (n <= 0) return;
    const long long blocks = (n + 3) / 4;
    TGC_LAUNCH(tgc_rng_normal_kernel, tgc_cuda_blocks_for(blocks, TGC_RNG_THREADS, TGC_RNG_MAX_BLOCKS),
               TGC_RNG_THREADS, 0, dsl_line, r->seed, r->block, out, n);
    r->block += (uint64_t)blocks;
}

#endif /* TGC_CUDA_PHILOX_CUH */
