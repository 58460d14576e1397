/* Writing NumPy .npy v1.0 files atomically (temporary file, then rename). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "npy_internal.h"

static const char *descr_for(tgc_dtype dt) {
    switch (dt) {
    case TGC_F32: return "<f4";
    case TGC_I64: return "<i8";
    case TGC_BOOL: return "|b1";
    case TGC_F64: return "<f8";
    case TGC_I32: return "<i4";
    case TGC_U8: return "|u1";
    }
    return NULL;
}

/* Writes elements, byte-swapped on big-endian hosts. */
static int write_data(FILE *f, const void *data, size_t esize, size_t count) {
    if (count == 0) return 0;
    if (tgc__host_little_endian() || esize == 1) return fwrite(data, esize, count, f) != count;
    enum { CHUNK = 8192 };
    uint8_t buf[CHUNK * 8];
    const uint8_t *p = data;
    for (size_t done = 0; done < count;) {
        size_t n = count - done < CHUNK ? count - done : CHUNK;
        memcpy(buf, p + done * esize, n * esize);
        tgc__byteswap(buf, esize, n);
        if (fwrite(buf, esize, n, f) != n) return 1;
        done += n;
    }
    return 0;
}

/* What tgc_npy_save writes once the header is built. */
struct payload {
    const uint8_t *pre;
    const char *header;
    size_t header_len;
    const void *data;
    size_t element_size, count;
};

static int write_payload(FILE *f, void *context) {
    const struct payload *p = context;
    return fwrite(p->pre, 1, 10, f) != 10 || fwrite(p->header, 1, p->header_len, f) != p->header_len ||
           write_data(f, p->data, p->element_size, p->count);
}

int tgc_npy_save(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape,
                 const void *data, char *err, size_t errlen) {
    const char *descr = descr_for(dtype);
    if (descr == NULL || ndim < 0 || ndim > TGC_MAX_DIMS) {
        snprintf(err, errlen, "cannot write '%s': unsupported dtype or rank", path);
        return 1;
    }
    /* {'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), } + spaces + '\n' */
    char header[64 + 32 * TGC_MAX_DIMS + 128];
    int n = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                     descr);
    size_t numel = 1;
    for (int d = 0; d < ndim; d++) {
        n += snprintf(header + n, sizeof header - (size_t)n, "%s%lld", d ? ", " : "",
                      (long long)shape[d]);
        numel *= (size_t)shape[d];
    }
    n += snprintf(header + n, sizeof header - (size_t)n, "%s), }", ndim == 1 ? "," : "");
    size_t total = 10 + (size_t)n + 1; /* magic, version, length, dict, '\n' */
    size_t pad = (64 - total % 64) % 64;
    memset(header + n, ' ', pad);
    header[(size_t)n + pad] = '\n';
    size_t hlen = (size_t)n + pad + 1;
    uint8_t pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)(hlen & 0xff),
                       (uint8_t)(hlen >> 8)};

    struct payload context = {pre, header, hlen, data, tgc_dtype_size(dtype), numel};
    return tgc__write_atomically(path, write_payload, &context, err, errlen);
}
