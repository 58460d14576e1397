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
/* tgc_npy_load of the first `rows` rows (along the first dimension) of a file of exactly this
   dtype and shape; a rank-0 file has one row. */
int tgc__npy_load_rows(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, int64_t rows,
                       void *out, char *err, size_t errlen);

#endif
