/* Reading NumPy .npy files: header parsing, validation and loading with conversion. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "npy_internal.h"

#define fail tgc__fail

static const tgc__npy_descr DESCRS[] = {
    {"<f4", TGC_F32, 4, "float32"}, {"<f8", TGC_F64, 8, "float64"},
    {"<i8", TGC_I64, 8, "int64"},   {"<i4", TGC_I32, 4, "int32"},
    {"|u1", TGC_U8, 1, "uint8"},    {"|b1", TGC_BOOL, 1, "bool"},
};

const tgc__npy_descr *tgc__npy_find_descr(const char *descr) {
    for (size_t i = 0; i < sizeof DESCRS / sizeof DESCRS[0]; i++)
        if (strcmp(DESCRS[i].descr, descr) == 0) return &DESCRS[i];
    return NULL;
}

int tgc__host_little_endian(void) {
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

void tgc__byteswap(void *data, size_t elem_size, size_t count) {
    uint8_t *p = data;
    for (size_t i = 0; i < count; i++, p += elem_size)
        for (size_t a = 0, b = elem_size - 1; a < b; a++, b--) {
            uint8_t t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

/* ---- the header dict: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), } ---- */

typedef struct {
    const char *p, *end;
    const char *problem; /* set on a syntax error */
} cursor;

static void skip_ws(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int expect(cursor *c, char ch, const char *problem) {
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    c->problem = problem;
    return 0;
}

/* A quoted Python string; copies at most outlen-1 chars, sets *too_long if it did not fit. */
static int parse_string(cursor *c, char *out, size_t outlen, int *too_long) {
    skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) {
        c->problem = "expected a quoted string";
        return 0;
    }
    char quote = *c->p++;
    size_t n = 0;
    *too_long = 0;
    while (c->p < c->end && *c->p != quote) {
        if (n + 1 < outlen)
            out[n++] = *c->p;
        else
            *too_long = 1;
        c->p++;
    }
    out[n] = '\0';
    if (c->p >= c->end) {
        c->problem = "unterminated string";
        return 0;
    }
    c->p++;
    return 1;
}

static int parse_bool(cursor *c, int *out) {
    skip_ws(c);
    size_t left = (size_t)(c->end - c->p);
    if (left >= 4 && memcmp(c->p, "True", 4) == 0) {
        c->p += 4;
        *out = 1;
        return 1;
    }
    if (left >= 5 && memcmp(c->p, "False", 5) == 0) {
        c->p += 5;
        *out = 0;
        return 1;
    }
    c->problem = "fortran_order must be True or False";
    return 0;
}

/* (d0, d1, ...); returns the number of dims or -1. Counts past TGC_MAX_DIMS without storing. */
static int parse_shape(cursor *c, int64_t *shape) {
    if (!expect(c, '(', "shape must be a tuple")) return -1;
    int ndim = 0;
    for (;;) {
        skip_ws(c);
        if (c->p < c->end && *c->p == ')') {
            c->p++;
            return ndim;
        }
        if (c->p >= c->end || *c->p < '0' || *c->p > '9') {
            c->problem = "shape must be a tuple of non-negative integers";
            return -1;
        }
        int64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            int digit = *c->p++ - '0';
            if (v > (INT64_MAX - digit) / 10) {
                c->problem = "a dimension of the shape is too large";
                return -1;
            }
            v = v * 10 + digit;
        }
        if (c->p < c->end && *c->p == 'L') c->p++; /* Python 2 longs */
        if (ndim < TGC_MAX_DIMS) shape[ndim] = v;
        ndim++;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == ')') continue;
        c->problem = "expected ',' or ')' in the shape";
        return -1;
    }
}

/* Parses the dict; returns 0 or an error already written to err. */
static int parse_dict(const char *path, const char *text, size_t len, tgc_npy_header *h,
                      char *descr_full, size_t descr_full_len, int *fortran, char *err,
                      size_t errlen) {
    cursor c = {text, text + len, NULL};
    int have_descr = 0, have_fortran = 0, have_shape = 0;
    if (!expect(&c, '{', "it does not start with '{'")) goto syntax;
    for (;;) {
        skip_ws(&c);
        if (c.p < c.end && *c.p == '}') {
            c.p++;
            break;
        }
        char key[32];
        int too_long;
        if (!parse_string(&c, key, sizeof key, &too_long)) goto syntax;
        if (!expect(&c, ':', "expected ':' after a key")) goto syntax;
        if (strcmp(key, "descr") == 0) {
            skip_ws(&c);
            if (c.p < c.end && *c.p == '[')
                return fail(err, errlen, "'%s': unsupported dtype (structured arrays are not supported)",
                            path);
            if (!parse_string(&c, descr_full, descr_full_len, &too_long)) goto syntax;
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (!parse_bool(&c, fortran)) goto syntax;
            have_fortran = 1;
        } else if (strcmp(key, "shape") == 0) {
            int64_t shape[TGC_MAX_DIMS];
            int ndim = parse_shape(&c, shape);
            if (ndim < 0) goto syntax;
            if (ndim > TGC_MAX_DIMS)
                return fail(err, errlen, "'%s' has %d dimensions; at most %d are supported", path,
                            ndim, TGC_MAX_DIMS);
            h->ndim = ndim;
            memcpy(h->shape, shape, (size_t)ndim * sizeof shape[0]);
            have_shape = 1;
        } else {
            return fail(err, errlen, "'%s' has a malformed header: unexpected key '%s'", path, key);
        }
        skip_ws(&c);
        if (c.p < c.end && *c.p == ',') {
            c.p++;
            continue;
        }
        if (!expect(&c, '}', "expected ',' or '}' after a value")) goto syntax;
        break;
    }
    skip_ws(&c);
    if (c.p != c.end) {
        c.problem = "unexpected text after the dict";
        goto syntax;
    }
    if (!have_descr || !have_fortran || !have_shape)
        return fail(err, errlen, "'%s' has a malformed header: missing '%s'", path,
                    !have_descr ? "descr" : !have_fortran ? "fortran_order" : "shape");
    return 0;
syntax:
    return fail(err, errlen, "'%s' has a malformed header: %s", path, c.problem);
}

/* Opens path and reads and checks its header; on success *fpout is open at the data. */
static int open_npy(const char *path, tgc_npy_header *h, FILE **fpout, char *err, size_t errlen) {
    memset(h, 0, sizeof *h);
    *fpout = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) return fail(err, errlen, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        fclose(f);
        return fail(err, errlen, "cannot read '%s': %s", path, strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        fclose(f);
        return fail(err, errlen, "cannot read '%s': it is a directory", path);
    }
    int rc = 1;
    char *text = NULL;
    uint8_t pre[12];
    size_t got = fread(pre, 1, 8, f);
    static const uint8_t magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    if (got == 0) {
        fail(err, errlen, "'%s' is empty, not a .npy file", path);
        goto done;
    }
    if (got < 6 || memcmp(pre, magic, 6) != 0) {
        fail(err, errlen, "'%s' is not a .npy file (bad magic)", path);
        goto done;
    }
    if (got < 8) {
        fail(err, errlen, "'%s' is truncated: the header ends after %zu bytes", path, got);
        goto done;
    }
    int major = pre[6], minor = pre[7];
    size_t prefix, hlen;
    if (major == 1) {
        prefix = 10;
    } else if (major == 2 || major == 3) {
        prefix = 12;
    } else {
        fail(err, errlen, "'%s' has unsupported .npy format version %d.%d", path, major, minor);
        goto done;
    }
    got += fread(pre + 8, 1, prefix - 8, f);
    if (got < prefix) {
        fail(err, errlen, "'%s' is truncated: the header ends after %zu bytes", path, got);
        goto done;
    }
    hlen = major == 1 ? (size_t)pre[8] | (size_t)pre[9] << 8
                      : (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 |
                            (size_t)pre[11] << 24;
    if (hlen > (1u << 20)) {
        fail(err, errlen, "'%s' has a malformed header: header length %zu is too large", path, hlen);
        goto done;
    }
    text = malloc(hlen + 1);
    if (text == NULL) tgc_fatal("out of memory");
    size_t hgot = fread(text, 1, hlen, f);
    if (hgot < hlen) {
        fail(err, errlen, "'%s' is truncated: expected a %zu-byte header, found %zu bytes", path,
             hlen, hgot);
        goto done;
    }
    text[hlen] = '\0';
    char descr[32];
    int fortran = 0;
    if (parse_dict(path, text, hlen, h, descr, sizeof descr, &fortran, err, errlen) != 0) goto done;
    const tgc__npy_descr *info = tgc__npy_find_descr(descr);
    if (info == NULL) {
        fail(err, errlen, "'%s': unsupported dtype '%s' (supported: <f4, <f8, <i8, <i4, |u1, |b1)",
             path, descr);
        goto done;
    }
    if (fortran) {
        fail(err, errlen,
             "'%s' is stored in Fortran order (fortran_order: True), which is not supported; "
             "save a C-contiguous array",
             path);
        goto done;
    }
    snprintf(h->descr, sizeof h->descr, "%s", info->descr);
    h->dtype = info->dtype;
    h->data_offset = (long)(prefix + hlen);
    /* the data the header promises */
    int64_t numel = 1;
    int overflow = 0;
    for (int d = 0; d < h->ndim; d++) {
        if (h->shape[d] != 0 && numel > INT64_MAX / h->shape[d]) overflow = 1;
        else numel *= h->shape[d];
    }
    if (overflow || numel > INT64_MAX / (int64_t)info->file_size) {
        fail(err, errlen, "'%s' has a malformed header: the shape is too large", path);
        goto done;
    }
    int64_t want = numel * (int64_t)info->file_size;
    int64_t have = (int64_t)st.st_size - (int64_t)h->data_offset;
    if (have < want) {
        fail(err, errlen, "'%s' is truncated: expected %lld bytes of data, found %lld", path,
             (long long)want, (long long)(have < 0 ? 0 : have));
        goto done;
    }
    rc = 0;
    *fpout = f;
done:
    free(text);
    if (rc != 0) fclose(f);
    return rc;
}

int tgc_npy_read_header(const char *path, tgc_npy_header *h, char *err, size_t errlen) {
    FILE *f;
    if (open_npy(path, h, &f, err, errlen) != 0) return 1;
    fclose(f);
    return 0;
}

/* Reads count elements, each stored as the dtype it loads as (bools normalized to 0/1). */
static int read_data(FILE *f, const tgc__npy_descr *info, int64_t count, void *out) {
    size_t size = info->file_size;
    if (count > 0 && fread(out, size, (size_t)count, f) != (size_t)count) return 1;
    if (!tgc__host_little_endian()) tgc__byteswap(out, size, (size_t)count);
    if (info->dtype == TGC_BOOL) {
        uint8_t *b = out;
        for (int64_t i = 0; i < count; i++) b[i] = b[i] != 0;
    }
    return 0;
}

int tgc_npy_load(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, void *out,
                 char *err, size_t errlen) {
    return tgc__npy_load_rows(path, dtype, ndim, shape, ndim > 0 ? shape[0] : 1, out, err, errlen);
}

int tgc__npy_load_rows(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, int64_t rows,
                       void *out, char *err, size_t errlen) {
    tgc_npy_header h;
    FILE *f;
    if (open_npy(path, &h, &f, err, errlen) != 0) return 1;
    const tgc__npy_descr *info = tgc__npy_find_descr(h.descr);
    int rc = 1;
    char got[32 * TGC_MAX_DIMS], want[32 * TGC_MAX_DIMS];
    if (h.dtype != dtype) {
        fail(err, errlen, "'%s' has dtype %s, expected %s", path, info->numpy_name,
             tgc_dtype_name(dtype));
        goto done;
    }
    int same = h.ndim == ndim;
    for (int d = 0; same && d < ndim; d++) same = h.shape[d] == shape[d];
    if (!same) {
        fail(err, errlen, "'%s' has shape %s, expected %s", path,
             tgc__shape_str(got, sizeof got, h.ndim, h.shape),
             tgc__shape_str(want, sizeof want, ndim, shape));
        goto done;
    }
    int64_t numel = rows;
    for (int d = 1; d < ndim; d++) numel *= shape[d];
    if (fseek(f, h.data_offset, SEEK_SET) != 0 || read_data(f, info, numel, out) != 0) {
        fail(err, errlen, "cannot read the data of '%s': %s", path,
             ferror(f) ? strerror(errno) : "unexpected end of file");
        goto done;
    }
    rc = 0;
done:
    fclose(f);
    return rc;
}
