/* Aligned, zero-filled allocation that is fatal on failure. */
#include <stdlib.h>
#include <string.h>

#include "tgc_runtime.h"

#define TGC_ALIGN 64

void *tgc_alloc(size_t bytes) {
    /* aligned_alloc wants a size that is a multiple of the alignment; 0 gets one line. */
    size_t rounded = bytes == 0 ? TGC_ALIGN : bytes;
    if (rounded > SIZE_MAX - (TGC_ALIGN - 1))
        tgc_fatal("out of memory: cannot allocate %zu bytes", bytes);
    rounded = (rounded + TGC_ALIGN - 1) / TGC_ALIGN * TGC_ALIGN;
    void *p = aligned_alloc(TGC_ALIGN, rounded);
    if (p == NULL) tgc_fatal("out of memory: cannot allocate %zu bytes", bytes);
    memset(p, 0, rounded);
    return p;
}

void tgc_free(void *p) { free(p); }
