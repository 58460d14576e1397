/// The fixed text of every generated `.cu` file: the includes (the CUDA runtime header,
/// `runtime/cuda/tgc_cuda.h`, which under `TGC_CUDA_EMULATE` is the host emulation), the
/// launch geometry and the device-to-device copy the host program uses.
enum CUDAPrelude {
    static let includes = #"""
    #include "tgc_cuda.h"
    #include "tgc_runtime.h"
    #include "tgc_cuda_sgemm.cuh"

    #include <array>
    #include <math.h>
    #include <stdint.h>
    #include <stdlib.h>
    #include <string.h>

    /* The host code is the C program's, compiled as C++: C99's restrict is spelled __restrict__. */
    #define restrict __restrict__

    """#

    static let launchHelpers = #"""
    /* ---- launch geometry: TGC_BLOCK threads a block; a grid-stride loop covers any extent, so the
       grid is capped (small under the emulation, where every CUDA thread is a fiber) ---- */
    #ifndef TGC_BLOCK
    #define TGC_BLOCK 256
    #endif
    #ifndef TGC_MAX_BLOCKS
    #  ifdef TGC_CUDA_EMULATE
    #    define TGC_MAX_BLOCKS 2
    #  else
    #    define TGC_MAX_BLOCKS 4096
    #  endif
    #endif

    /* Blocks for a grid-stride loop over `points` points. */
    static inline unsigned tgc_grid(int64_t points) {
        int64_t blocks = (points + TGC_BLOCK - 1) / TGC_BLOCK;
        return (unsigned)(blocks < 1 ? 1 : blocks > TGC_MAX_BLOCKS ? TGC_MAX_BLOCKS : blocks);
    }

    /* Copies bytes between device buffers (loop carries, branch results). */
    __global__ void tgc_copy_bytes(unsigned char *__restrict__ dst, const unsigned char *__restrict__ src, int64_t n) {
        for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) dst[i] = src[i];
    }

    static void tgc_device_copy(void *dst, const void *src, int64_t bytes) {
        if (bytes <= 0 || dst == src) return;
        TGC_LAUNCH(tgc_copy_bytes, dim3(tgc_grid(bytes)), dim3(TGC_BLOCK), 0, "copy", (unsigned char *)dst, (const unsigned char *)src, bytes);
    }

    """#
}
