/* philox.cuh: the C runtime's random streams (runtime/src/philox.c) on the device. A host
   tgc_rng (seed, next block) drives both: tgc_cuda_rng_uniform/normal fill device memory with
   the numbers tgc_rng_uniform/normal would give and advance the state the same way, so a CUDA
   program draws what the interpreter and the C backend draw. Each thread computes whole
   Philox4x32-10 blocks (4 numbers). Include after tgc_cuda.h. */
#ifndef TGC_CUDA_PHILOX_CUH
#define TGC_CUDA_PHILOX_CUH

#include <stdint.h>

#include "tgc_philox.h"
#include "tgc_runtime.h"

/* Philox4x32-10 of counter block `block` under key `seed` (as rng_block in philox.c). */
__host__ __device__ __forceinline__ void tgc_cuda_philox_block(uint64_t seed, uint64_t block, uint32_t out[4]) {
    out[0] = (uint32_t)block;
    out[1] = (uint32_t)(block >> 32);
    out[2] = out[3] = 0;
    tgc_philox_rounds(out, (uint32_t)seed, (uint32_t)(seed >> 32));
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
        tgc_box_muller(w[0], w[1], &z[0], &z[1]);
        tgc_box_muller(w[2], w[3], &z[2], &z[3]);
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
