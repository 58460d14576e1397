/* Reading IDX files (the MNIST format), gzip'd or not, through zlib; and the `load` dispatch
   between .npy and IDX by the file's first bytes. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "internal.h"
#include "npy_internal.h"

#define fail tgc__fail

/* The IDX element types tgc reads, by the type byte of the magic number. */
typedef struct {
    int code;
    tgc_dtype dtype;
    size_t size;
} idx_type;

static const idx_type TYPES[] = {
    {0x08, TGC_U8, 1}, {0x0C, TGC_I32, 4}, {0x0D, TGC_F32, 4}, {0x0E, TGC_F64, 8},
};

static const idx_type *find_type(int code) {
    for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
        if (TYPES[i].code == code) return &TYPES[i];
    return NULL;
}

/* zlib's message for f's error, without the "<path>: " it starts with. */
static const char *zlib_message(gzFile f, const char *path, int *code) {
    const char *message = gzerror(f, code);
    size_t n = strlen(path);
    return strncmp(message, path, n) == 0 && strncmp(message + n, ": ", 2) == 0 ? message + n + 2 : message;
}

/* Reads exactly n bytes; 0, or 1 with err naming what went wrong (`what` is being read, of
   which `before` bytes were read already). */
static int read_exact(gzFile f, const char *path, void *out, size_t n, const char *what, size_t before,
                      char *err, size_t errlen) {
    size_t done = 0;
    while (done < n) {
        unsigned chunk = n - done > (1u << 30) ? 1u << 30 : (unsigned)(n - done);
        int got = gzread(f, (char *)out + done, chunk);
        if (got < 0) {
            int code;
            return fail(err, errlen, "'%s' is not a valid gzip file (%s)", path, zlib_message(f, path, &code));
        }
        if (got == 0) {
            int code;
            const char *message = zlib_message(f, path, &code);
            if (code != Z_OK)
                return fail(err, errlen, "'%s' is a truncated or corrupt gzip file (%s)", path, message);
            return fail(err, errlen, "'%s' is truncated: %s ends after %zu of %zu bytes", path, what,
                        before + done, before + n);
        }
        done += (size_t)got;
    }
    return 0;
}

/* Opens path and reads its header; on success *fout is open at the data. */
static int open_idx(const char *path, tgc_idx_header *h, gzFile *fout, char *err, size_t errlen) {
    memset(h, 0, sizeof *h);
    *fout = NULL;
    struct stat st;
    if (stat(path, &st) != 0) return fail(err, errlen, "cannot open '%s': %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) return fail(err, errlen, "cannot read '%s': it is a directory", path);
    gzFile f = gzopen(path, "rb");
    if (f == NULL) return fail(err, errlen, "cannot open '%s': %s", path, strerror(errno));
    uint8_t magic[4];
    if (read_exact(f, path, magic, 4, "the header", 0, err, errlen) != 0) goto bad;
    if (magic[0] != 0 || magic[1] != 0) {
        fail(err, errlen, "'%s' is not an IDX file (bad magic)", path);
        goto bad;
    }
    const idx_type *type = find_type(magic[2]);
    if (type == NULL) {
        fail(err, errlen,
             "'%s': unsupported IDX element type 0x%02X (supported: 0x08 uint8, 0x0C int32, "
             "0x0D float32, 0x0E float64)",
             path, magic[2]);
        goto bad;
    }
    int ndim = magic[3];
    if (ndim > TGC_MAX_DIMS) {
        fail(err, errlen, "'%s' has %d dimensions; at most %d are supported", path, ndim, TGC_MAX_DIMS);
        goto bad;
    }
    uint8_t dims[4 * TGC_MAX_DIMS];
    if (read_exact(f, path, dims, 4 * (size_t)ndim, "the header", 4, err, errlen) != 0) goto bad;
    h->dtype = type->dtype;
    h->ndim = ndim;
    h->element_size = type->size;
    for (int d = 0; d < ndim; d++) {
        const uint8_t *b = dims + 4 * d;
        h->shape[d] = (int64_t)((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]);
    }
    *fout = f;
    return 0;
bad:
    gzclose(f);
    return 1;
}

int tgc_idx_read_header(const char *path, tgc_idx_header *h, char *err, size_t errlen) {
    gzFile f;
    if (open_idx(path, h, &f, err, errlen) != 0) return 1;
    gzclose(f);
    return 0;
}

static int idx_load_rows(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, int64_t rows,
                         void *out, char *err, size_t errlen);

int tgc_idx_load(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, void *out,
                 char *err, size_t errlen) {
    return idx_load_rows(path, dtype, ndim, shape, ndim > 0 ? shape[0] : 1, out, err, errlen);
}

/* tgc_idx_load of the first `rows` rows: when they are not all of them, the rest of the file is
   neither inflated nor checked. */
static int idx_load_rows(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, int64_t rows,
                         void *out, char *err, size_t errlen) {
    tgc_idx_header h;
    gzFile f;
    if (open_idx(path, &h, &f, err, errlen) != 0) return 1;
    int rc = 1;
    char want[160], have[160];
    if (h.dtype != dtype || h.ndim != ndim || memcmp(h.shape, shape, (size_t)ndim * sizeof shape[0]) != 0) {
        fail(err, errlen, "'%s' changed since the program was compiled: it holds %s %s, expected %s %s",
             path, tgc_dtype_name(h.dtype), tgc__shape_str(have, sizeof have, h.ndim, h.shape),
             tgc_dtype_name(dtype), tgc__shape_str(want, sizeof want, ndim, shape));
        goto done;
    }
    size_t count = (size_t)rows;
    for (int d = 1; d < ndim; d++) count *= (size_t)shape[d];
    if (read_exact(f, path, out, count * h.element_size, "the data", 0, err, errlen) != 0) goto done;
    if (ndim == 0 || rows == shape[0]) {   /* all of it: nothing may follow */
        char extra;
        int more = gzread(f, &extra, 1);
        if (more != 0) {
            int code;
            const char *message = zlib_message(f, path, &code);
            if (more < 0 || code != Z_OK)
                fail(err, errlen, "'%s' is a truncated or corrupt gzip file (%s)", path, message);
            else
                fail(err, errlen, "'%s' holds more data than its header says", path);
            goto done;
        }
    }
    if (h.element_size > 1 && tgc__host_little_endian()) tgc__byteswap(out, h.element_size, count);
    rc = 0;
done:
    gzclose(f);
    return rc;
}

int tgc_data_load(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, void *out,
                  char *err, size_t errlen) {
    return tgc_data_load_rows(path, dtype, ndim, shape, ndim > 0 ? shape[0] : 1, out, err, errlen);
}

int tgc_data_load_rows(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, int64_t rows,
                       void *out, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    uint8_t first[2] = {0xFF, 0xFF};
    if (f != NULL) {
        size_t got = fread(first, 1, 2, f);
        fclose(f);
        if (got == 0) return fail(err, errlen, "'%s' is empty, not a .npy or IDX file", path);
        if (got < 2) first[0] = first[1] = 0xFF;
    }
    int is_idx = (first[0] == 0x00 && first[1] == 0x00) || (first[0] == 0x1F && first[1] == 0x8B);
    return is_idx ? idx_load_rows(path, dtype, ndim, shape, rows, out, err, errlen)
                  : tgc__npy_load_rows(path, dtype, ndim, shape, rows, out, err, errlen);
}
