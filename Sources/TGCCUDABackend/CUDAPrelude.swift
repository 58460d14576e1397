import TGCCBackend
import TGCLowering

/// The fixed text of every generated `.cu` file: the includes (the CUDA runtime header,
/// `runtime/cuda/tgc_cuda.h`, which under `TGC_CUDA_EMULATE` is the host emulation), the
/// launch geometry and the device versions of the host-only checks.
enum CUDAPrelude {
    /// The includes; `sourceFile` is the DSL file that errors name (`model.swiftdsl:12`).
    static func includes(sourceFile: String) -> String {
        """
        #define TGC_CUDA_SOURCE_FILE \(CSourceText.stringLiteral(sourceFile))
        #include "tgc_cuda.h"
        #include "tgc_runtime.h"
        #include "sgemm.cuh"
        #include "philox.cuh"
        #include "conv.cuh"
        #include "reduce.cuh"

        #include <array>
        #include <math.h>
        #include <stdint.h>
        #include <stdlib.h>
        #include <string.h>

        /* The host code is the C program's, compiled as C++: C99's restrict is spelled __restrict__. */
        #define restrict __restrict__

        """
    }

    static let launchGeometry = #"""
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

    #if TGC_BLOCK % 32 != 0
    #error "TGC_BLOCK must be a multiple of the warp size (32): a warp per point shuffles across full warps"
    #endif

    /* Blocks for a grid-stride loop over `points` points. */
    static inline unsigned tgc_grid(int64_t points) { return tgc_cuda_blocks_for(points, TGC_BLOCK, TGC_MAX_BLOCKS); }

    /* One 16-byte store of four floats at a 16-byte aligned address (CUDAVectorized.swift):
       st.global.wb.v4.f32 on the GPU (__stwb): nvcc split a plain float4 assignment into four
       stores after tgc_expf. */
    #ifdef TGC_CUDA_EMULATE
    static inline void tgc_store_float4(float *p, float4 v) { *reinterpret_cast<float4 *>(p) = v; }
    #else
    static __device__ __forceinline__ void tgc_store_float4(float *p, float4 v) { __stwb(reinterpret_cast<float4 *>(p), v); }
    #endif

    /* ---- device versions of the prelude's host-only checks: a bad index or a modulo by zero prints
       the C program's message (FILE:LINE:COL: error: ...) and stops the kernel, so its launch fails;
       under the emulation device code is host code and calls the host check itself ---- */
    #ifdef TGC_CUDA_EMULATE
    #define tgc_dev_checked_index tgc_op_checked_index
    #define tgc_dev_checked_dimension_index tgc_op_checked_dimension_index
    #define tgc_dev_imod tgc_op_imod
    #else
    static __device__ int64_t tgc_dev_checked_index(int64_t i, int64_t n, const char *where) {
        if (i < 0 || i >= n) {
            printf("%s: error: index %lld is out of bounds for dimension 0 with size %lld\n", where, (long long)(i < 0 ? i - n : i), (long long)n);
            __trap();
        }
        return i;
    }
    static __device__ int64_t tgc_dev_checked_dimension_index(int64_t i, int64_t n, int64_t dim, const char *where) {
        if (i < 0 || i >= n) {
            printf("%s: error: index %lld is out of bounds for dimension %lld with size %lld\n", where, (long long)i, (long long)dim, (long long)n);
            __trap();
        }
        return i;
    }
    static __device__ int64_t tgc_dev_imod(int64_t a, int64_t b, const char *where) {
        if (b == 0) {
            printf("%s: error: integer modulo by zero\n", where);
            __trap();
        }
        return tgc_op_floor_imod(a, b);
    }
    #endif

    """#

    /// The device function of an intrinsic: the C spelling, but the host-only checks' device versions.
    static func intrinsicName(_ function: Intrinsic) -> String {
        switch function {
        case .checkedIndex: "tgc_dev_checked_index"
        case .checkedDimensionIndex: "tgc_dev_checked_dimension_index"
        case .integerFloorMod: "tgc_dev_imod"
        default: CFamilyRenderer.spelling(function)
        }
    }
}
