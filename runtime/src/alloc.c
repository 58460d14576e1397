/* Aligned, zero-filled allocation that is fatal on failure. Buffers of 2 MiB and more are
   aligned to 2 MiB and asked to be backed by transparent huge pages, so that streaming
   kernels over large tensors do not stall on TLB misses. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tgc_runtime.h"

#define TGC_ALIGN 64
#define TGC_HUGE_PAGE ((size_t)2 << 20)

void *tgc_alloc(size_t bytes) {
    /* aligned_alloc wants a size that is a multiple of the alignment; 0 gets one line. */
    size_t rounded = bytes == 0 ? TGC_ALIGN : bytes;
    if (rounded > SIZE_MAX - (TGC_HUGE_PAGE - 1))
        tgc_fatal("out of memory: cannot allocate %zu bytes", bytes);
    size_t align = rounded >= TGC_HUGE_PAGE ? TGC_HUGE_PAGE : TGC_ALIGN;
    rounded = (rounded + align - 1) / align * align;
    void *p = aligned_alloc(align, rounded);
    if (p == NULL) tgc_fatal("out of memory: cannot allocate %zu bytes", bytes);
#ifdef MADV_HUGEPAGE
    if (align == TGC_HUGE_PAGE) (void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
    memset(p, 0, rounded);
    return p;
}

void tgc_free(void *p) { free(p); }
