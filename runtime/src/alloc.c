/* Aligned, zero-filled allocation that is fatal on failure. Buffers of 2 MiB and more are
   aligned to 2 MiB and asked to be backed by transparent huge pages, so that streaming
   kernels over large tensors do not stall on TLB misses. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

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

void tgc_packed_free(void *packed) {
    if (packed != NULL) (*(void (**)(void *))packed)(packed);
}

void tgc_keep_freed_memory(void) {
#ifdef __GLIBC__
    /* Every block up to 32 MiB from the heap (none mapped and unmapped on its own), and no
       trimming of the heap's top: a freed buffer's pages serve the next allocation. */
    (void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
    (void)mallopt(M_TRIM_THRESHOLD, INT32_MAX);
#endif
}
