import TGCCBackend

/// The fixed text of every generated `.cu` file: the includes (the CUDA runtime header,
/// `runtime/cuda/tgc_cuda.h`, which under `TGC_CUDA_EMULATE` is the host emulation), the
/// launch geometry.
enum CUDAPrelude {
    /// The includes; `sourceFile` is the DSL file that errors name (`model.swiftdsl:12`).
    static func includes(sourceFile: String) -> String {
        """
        #define TGC_CUDA_SOURCE_FILE \(CSourceText.stringLiteral(sourceFile))
        #include "tgc_cuda.h"
        #include "tgc_runtime.h"
        #include "sgemm.cuh"

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

    /* Blocks for a grid-stride loop over `points` points. */
    static inline unsigned tgc_grid(int64_t points) { return tgc_cuda_blocks_for(points, TGC_BLOCK, TGC_MAX_BLOCKS); }

    """#
}
