/* Benchmarks of the device kernels library on a GPU (make -C runtime bench-cuda; nvcc only):
   device-to-device copy bandwidth (the reference a memory-bound kernel is measured against),
   tgc_cuda_reduce_sum's bandwidth, and tgc_cuda_sgemm's TFLOP/s at 1024, 2048 and 4096
   (square, no transposes). Each figure is the best of 5 timed runs after a warm-up, timed with
   CUDA events. Without a GPU it stops with the 'no GPU' message. */
#ifdef TGC_CUDA_EMULATE
#error "bench_cuda.cu measures a GPU: build it with nvcc"
#endif
#include <stdio.h>

#include "tgc_cuda.h"
#include "reduce.cuh"
#include "sgemm.cuh"

/* Fills x[0 ..< n] with a small pattern. */
__global__ void fill_kernel(float *x, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        x[i] = (float)(i % 7) * 0.25f;
}

/* The best time in ms of 5 runs of body (after one warm-up run). */
template <typename Body>
static float best_ms(Body body) {
    cudaEvent_t start, stop;
    cudaEventCreate(&start);
    cudaEventCreate(&stop);
    body();
    float best = 1e30f;
    for (int run = 0; run < 5; run++) {
        cudaEventRecord(start);
        body();
        cudaEventRecord(stop);
        cudaEventSynchronize(stop);
        float ms = 0;
        cudaEventElapsedTime(&ms, start, stop);
        best = ms < best ? ms : best;
    }
    tgc_cuda_sync("benchmark");
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    return best;
}

int main(void) {
    tgc_cuda_init();
    cudaDeviceProp prop;
    cudaGetDeviceProperties(&prop, 0);
    printf("device: %s, %d SMs, %.1f GiB, compute capability %d.%d\n", prop.name, prop.multiProcessorCount,
           prop.totalGlobalMem / 1073741824.0, prop.major, prop.minor);

    const long long n = 1ll << 28;   /* 1 GiB of floats */
    float *a = (float *)tgc_cuda_alloc(n * sizeof(float)), *b = (float *)tgc_cuda_alloc(n * sizeof(float));
    TGC_LAUNCH(fill_kernel, 4096, 256, 0, 0, a, n);
    float ms = best_ms([&] { tgc_cuda_copy_device_to_device(b, a, n * sizeof(float)); });
    const double copy_gbs = 2.0 * n * sizeof(float) / (ms * 1e6);
    printf("device-to-device copy, 1 GiB: %.3f ms, %.0f GB/s (read + write)\n", ms, copy_gbs);

    float *scratch = (float *)tgc_cuda_alloc(TGC_REDUCE_MAX_BLOCKS * sizeof(float)), *sum = (float *)tgc_cuda_alloc(sizeof(float));
    ms = best_ms([&] { tgc_cuda_reduce_sum(a, n, sum, scratch, 0); });
    const double reduce_gbs = (double)n * sizeof(float) / (ms * 1e6);
    printf("tgc_cuda_reduce_sum, 2^28 floats: %.3f ms, %.0f GB/s (%.2f of the copy's)\n", ms, reduce_gbs, reduce_gbs / copy_gbs);

    for (long long size : {1024ll, 2048ll, 4096ll}) {
        float *c = b;
        ms = best_ms([&] { tgc_cuda_sgemm(0, 0, size, size, size, 1.0f, a, size, a + size * size, size, 0.0f, c, size, 0, 0); });
        printf("tgc_cuda_sgemm %lld x %lld x %lld: %.3f ms, %.2f TFLOP/s\n", size, size, size, ms,
               2.0 * size * size * size / (ms * 1e9));
    }
    tgc_cuda_free(a), tgc_cuda_free(b), tgc_cuda_free(scratch), tgc_cuda_free(sum);
    return 0;
}
