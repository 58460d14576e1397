/* reduce.cuh: warp and block reductions (sum, max, min) and a two-pass deterministic
   reduction of a whole array. Include after tgc_cuda.h. Warp reductions shuffle down, so the
   result is in lane 0; block reductions leave it in thread 0. Every thread of the block must
   call a block reduction (it contains barriers); any block size works (a partial last warp
   shuffles among its existing lanes only). The order of the operations is fixed by the launch
   geometry, so a result is the same on every run and every GPU. */
#ifndef TGC_CUDA_REDUCE_CUH
#define TGC_CUDA_REDUCE_CUH

#include <stdint.h>

/* The combining functions: NaN propagates through max and min, as in torch.max/min. */
struct tgc_sum_op {
    template <typename T>
    __host__ __device__ __forceinline__ T operator()(T a, T b) const { return a + b; }
};
struct tgc_max_op {
    template <typename T>
    __host__ __device__ __forceinline__ T operator()(T a, T b) const { return a != a ? a : ((b != b || b > a) ? b : a); }
};
struct tgc_min_op {
    template <typename T>
    __host__ __device__ __forceinline__ T operator()(T a, T b) const { return a != a ? a : ((b != b || b < a) ? b : a); }
};

/* Combines v over the first `lanes` lanes of the calling warp (all 32 unless it is the last,
   partial warp of a block); lane 0 gets the result. Only those lanes may call it. */
template <typename T, typename Op>
__device__ __forceinline__ T tgc_warp_reduce(T v, Op op, unsigned lanes = 32) {
    const unsigned lane = (threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z)) % 32;
    const unsigned mask = lanes >= 32 ? 0xffffffffu : (1u << lanes) - 1u;
    for (unsigned offset = 16; offset > 0; offset >>= 1) {
        const T other = __shfl_down_sync(mask, v, offset);
        if (lane + offset < lanes) v = op(v, other);
    }
    return v;
}

/* Combines v over the calling block (threads numbered x fastest); thread 0 gets the result,
   the others a partial value. `identity` is op's neutral element. */
template <typename T, typename Op>
__device__ T tgc_block_reduce(T v, Op op, T identity) {
    __shared__ T partials[32];
    const unsigned thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    const unsigned threads = blockDim.x * blockDim.y * blockDim.z;
    const unsigned lane = thread % 32, warp = thread / 32;
    const unsigned warps = (threads + 31) / 32, last_lanes = threads - (warps - 1) * 32;
    v = tgc_warp_reduce(v, op, warp == warps - 1 ? last_lanes : 32u);
    if (lane == 0) partials[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = lane < warps ? partials[lane] : identity;
        v = tgc_warp_reduce(v, op, warps == 1 ? last_lanes : 32u);
    }
    __syncthreads();   /* partials may be reused by the next reduction */
    return v;
}

template <typename T>
__device__ __forceinline__ T tgc_warp_reduce_sum(T v) { return tgc_warp_reduce(v, tgc_sum_op()); }
template <typename T>
__device__ __forceinline__ T tgc_block_reduce_sum(T v) { return tgc_block_reduce(v, tgc_sum_op(), (T)0); }
template <typename T>
__device__ __forceinline__ T tgc_block_reduce_max(T v, T lowest) { return tgc_block_reduce(v, tgc_max_op(), lowest); }
template <typename T>
__device__ __forceinline__ T tgc_block_reduce_min(T v, T highest) { return tgc_block_reduce(v, tgc_min_op(), highest); }

/* The shuffles of the generated reductions (CUDAReductions.swift), for every accumulator type:
   CUDA shuffles int, long, long long, float and double; bool and uint8_t travel as int. Every
   lane of the warp must call them. */
template <typename T>
__device__ __forceinline__ T tgc_shfl_down(T v, unsigned offset) { return __shfl_down_sync(0xffffffffu, v, offset); }
__device__ __forceinline__ bool tgc_shfl_down(bool v, unsigned offset) { return __shfl_down_sync(0xffffffffu, (int)v, offset) != 0; }
__device__ __forceinline__ uint8_t tgc_shfl_down(uint8_t v, unsigned offset) { return (uint8_t)__shfl_down_sync(0xffffffffu, (int)v, offset); }
template <typename T>
__device__ __forceinline__ T tgc_shfl_first(T v) { return __shfl_sync(0xffffffffu, v, 0); }
__device__ __forceinline__ bool tgc_shfl_first(bool v) { return __shfl_sync(0xffffffffu, (int)v, 0) != 0; }
__device__ __forceinline__ uint8_t tgc_shfl_first(uint8_t v) { return (uint8_t)__shfl_sync(0xffffffffu, (int)v, 0); }

/* Threads per block and the most blocks of the first pass of tgc_cuda_reduce_sum. */
#define TGC_REDUCE_THREADS 256
#define TGC_REDUCE_MAX_BLOCKS 1024

/* out[blockIdx.x] = the sum of the elements in[i] that this block's grid-stride loop visits. */
template <typename T>
__global__ void __launch_bounds__(TGC_REDUCE_THREADS) tgc_reduce_sum_kernel(const T *in, long long n, T *out) {
    T acc = 0;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        acc += in[i];
    acc = tgc_block_reduce_sum(acc);
    if (threadIdx.x == 0) out[blockIdx.x] = acc;
}

/* *out = the sum of in[0 ..< n] (device pointers), in two launches: at most
   TGC_REDUCE_MAX_BLOCKS partial sums into scratch (that many elements of T), then their sum. */
template <typename T>
static inline void tgc_cuda_reduce_sum(const T *in, long long n, T *out, T *scratch, int dsl_line) {
    const unsigned blocks = tgc_cuda_blocks_for(n, TGC_REDUCE_THREADS, TGC_REDUCE_MAX_BLOCKS);
    TGC_LAUNCH(tgc_reduce_sum_kernel<T>, blocks, TGC_REDUCE_THREADS, 0, dsl_line, in, n, scratch);
    TGC_LAUNCH(tgc_reduce_sum_kernel<T>, 1, TGC_REDUCE_THREADS, 0, dsl_line, (const T *)scratch, (long long)blocks, out);
}

#endif /* TGC_CUDA_REDUCE_CUH */
