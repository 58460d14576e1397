/* Definitions shared by the .npy reader and writer; not part of the public API. */
#ifndef TGC_NPY_INTERNAL_H
#define TGC_NPY_INTERNAL_H

#include "tgc_runtime.h"

typedef struct {
    const char *descr;      /* e.g. "<f4" */
    tgc_dtype dtype;        /* what it loads as */
    size_t file_size;       /* bytes per element in the file */
    const char *numpy_name; /* e.g. "float64" */
} tgc__npy_descr;

const tgc__npy_descr *tgc__npy_find_descr(const char *descr);
int tgc__host_little_endian(void);
void tgc__byteswap(void *data, size_t elem_size, size_t count);

#endif
