/* tgc_cuda.h: the CUDA runtime of tgc's generated programs: error-checked device memory,
   copies, launches and synchronization. Built by nvcc it uses the CUDA runtime; with
   -DTGC_CUDA_EMULATE (g++ -x c++) it runs the same source on the CPU through
   tgc_cuda_emulate.h. Every error stops the program with a message naming the kernel and the
   DSL line it came from:  tgc: CUDA error in kernel NAME (FILE:LINE): <what CUDA says>
   FILE is TGC_CUDA_SOURCE_FILE (define it before including; "model.swiftdsl" otherwise). */
#ifndef TGC_CUDA_H
#define TGC_CUDA_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TGC_CUDA_SOURCE_FILE
#define TGC_CUDA_SOURCE_FILE "model.swiftdsl"
#endif

#ifdef TGC_CUDA_EMULATE
#include "tgc_cuda_emulate.h"
#else
#include <cuda_runtime.h>
#endif

/* The exit status of a CUDA program started where no GPU (or no driver) is present. */
#define TGC_CUDA_NO_GPU_STATUS 2

#ifdef TGC_CUDA_EMULATE

/* kernel<<<grid, block, shared_bytes>>>(args...), run on the CPU by the emulation. */
#define TGC_LAUNCH(kernel, grid, block, shared_bytes, dsl_line, ...) \
    TGC_EMU_LAUNCH(#kernel, kernel, grid, block, shared_bytes, TGC_CUDA_SOURCE_FILE, dsl_line, ##__VA_ARGS__)

/* Nothing to detect: the emulation always runs. */
static inline void tgc_cuda_init(void) {}

/* Device memory is host memory (256-byte aligned, as cudaMalloc's), filled with 0xFF bytes
   (NaN floats) so that a kernel reading memory nothing wrote gives NaN here as it gives garbage
   on a GPU. It is exactly `bytes` long, so under -fsanitize=address a kernel reading or writing
   past the end of a buffer is reported. */
static inline void *tgc_cuda_alloc(size_t bytes) {
    void *p = NULL;
    if (posix_memalign(&p, 256, bytes ? bytes : 1) != 0) {
        fprintf(stderr, "tgc: CUDA error in cudaMalloc (%zu bytes): out of memory\n", bytes);
        exit(1);
    }
    memset(p, 0xFF, bytes);
    return p;
}
static inline void tgc_cuda_free(void *p) { free(p); }
static inline void tgc_cuda_copy_to_device(void *dst, const void *src, size_t bytes) { memcpy(dst, src, bytes); }
static inline void tgc_cuda_copy_to_host(void *dst, const void *src, size_t bytes) { memcpy(dst, src, bytes); }
static inline void tgc_cuda_copy_device_to_device(void *dst, const void *src, size_t bytes) { memmove(dst, src, bytes); }
static inline void tgc_cuda_zero(void *dst, size_t bytes) { memset(dst, 0, bytes); }
static inline void tgc_cuda_sync(const char *where) { (void)where; }

#else /* nvcc */

/* Reports a CUDA error from `what` and exits; a missing GPU or driver gets its own message. */
static inline void tgc_cuda_fail(cudaError_t err, const char *what) {
    fflush(stdout);
    if (err == cudaErrorInsufficientDriver || err == cudaErrorNoDevice) {
        fprintf(stderr,
                "tgc: no GPU: this program was built for CUDA; it needs an NVIDIA GPU and driver "
                "(CUDA error %d: %s). Build it with `tgc compile --target cuda --emulate` to run it on "
                "the CPU.\n",
                (int)err, cudaGetErrorString(err));
        exit(TGC_CUDA_NO_GPU_STATUS);
    }
    fprintf(stderr, "tgc: CUDA error in %s: %s\n", what, cudaGetErrorString(err));
    exit(1);
}

/* Stops on any error of the launch just made, named after its kernel and DSL line. With
   -DTGC_CUDA_SYNC_LAUNCHES every launch is also waited for, so a fault inside a kernel is
   reported with that kernel's name rather than at the next synchronization. */
static inline void tgc_cuda_check_launch(const char *kernel, int dsl_line) {
    cudaError_t err = cudaGetLastError();
#ifdef TGC_CUDA_SYNC_LAUNCHES
    if (err == cudaSuccess) err = cudaDeviceSynchronize();
#endif
    if (err != cudaSuccess) {
        char what[256];
        snprintf(what, sizeof what, "kernel %s (%s:%d)", kernel, TGC_CUDA_SOURCE_FILE, dsl_line);
        tgc_cuda_fail(err, what);
    }
}

#define TGC_LAUNCH(kernel, grid, block, shared_bytes, dsl_line, ...)                   \
    do {                                                                               \
        kernel<<<(grid), (block), (shared_bytes)>>>(__VA_ARGS__);                      \
        tgc_cuda_check_launch(#kernel, (dsl_line));                                    \
    } while (0)

/* The launch's dynamic shared memory (the third launch argument), as an array of `type`. */
#define TGC_DYNAMIC_SHARED(type, name) extern __shared__ __align__(16) type name[]

/* Makes the first CUDA call: a machine without a GPU or driver stops here with 'no GPU'. */
static inline void tgc_cuda_init(void) {
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err == cudaSuccess && count == 0) err = cudaErrorNoDevice;
    if (err == cudaSuccess) err = cudaFree(0);
    if (err != cudaSuccess) tgc_cuda_fail(err, "cudaGetDeviceCount");
}

static inline void *tgc_cuda_alloc(size_t bytes) {
    void *p = NULL;
    cudaError_t err = cudaMalloc(&p, bytes ? bytes : 1);
    if (err != cudaSuccess) {
        char what[64];
        snprintf(what, sizeof what, "cudaMalloc (%zu bytes)", bytes);
        tgc_cuda_fail(err, what);
    }
    return p;
}
static inline void tgc_cuda_free(void *p) {
    cudaError_t err = cudaFree(p);
    if (err != cudaSuccess) tgc_cuda_fail(err, "cudaFree");
}
static inline void tgc_cuda_copy_to_device(void *dst, const void *src, size_t bytes) {
    cudaError_t err = cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice);
    if (err != cudaSuccess) tgc_cuda_fail(err, "cudaMemcpy (host to device)");
}
static inline void tgc_cuda_copy_to_host(void *dst, const void *src, size_t bytes) {
    cudaError_t err = cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost);
    if (err != cudaSuccess) tgc_cuda_fail(err, "cudaMemcpy (device to host)");
}
static inline void tgc_cuda_copy_device_to_device(void *dst, const void *src, size_t bytes) {
    cudaError_t err = cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice);
    if (err != cudaSuccess) tgc_cuda_fail(err, "cudaMemcpy (device to device)");
}
static inline void tgc_cuda_zero(void *dst, size_t bytes) {
    cudaError_t err = cudaMemset(dst, 0, bytes);
    if (err != cudaSuccess) tgc_cuda_fail(err, "cudaMemset");
}
/* Waits for every launched kernel; `where` names the point of the program in an error. */
static inline void tgc_cuda_sync(const char *where) {
    cudaError_t err = cudaDeviceSynchronize();
    if (err != cudaSuccess) {
        char what[256];
        snprintf(what, sizeof what, "synchronization (%s)", where);
        tgc_cuda_fail(err, what);
    }
}

#endif /* TGC_CUDA_EMULATE */

/* Blocks of `threads` threads that cover n elements, at most max_blocks of them (a grid-stride
   loop covers the rest). */
static inline unsigned tgc_cuda_blocks_for(long long n, unsigned threads, unsigned max_blocks) {
    long long blocks = (n + threads - 1) / threads;
    if (blocks < 1) blocks = 1;
    return blocks > (long long)max_blocks ? max_blocks : (unsigned)blocks;
}

#endif /* TGC_CUDA_H */
