/* safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian
   header length N, N bytes of JSON naming each tensor's dtype, shape and byte range, then the
   tensors' bytes, little-endian and C-ordered. The reader validates the whole index (every
   entry's size, ranges contiguous from 0 to the end of the file) before trusting it. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "npy_internal.h"

/* The safetensors project's own limit on the header. */
#define MAX_HEADER_BYTES 100000000ULL

#define fail tgc__fail

/* Every dtype the format names, with its element size and what tgc loads it as (-1: none). */
static const struct {
    const char *name;
    size_t size;
    int loads_as;
} DTYPES[] = {
    {"F32", 4, TGC_F32},   {"F64", 8, TGC_F64}, {"I64", 8, TGC_I64},  {"I32", 4, TGC_I32},
    {"BOOL", 1, TGC_BOOL}, {"U8", 1, TGC_U8},   {"I8", 1, -1},        {"I16", 2, -1},
    {"U16", 2, -1},        {"U32", 4, -1},      {"U64", 8, -1},       {"F16", 2, -1},
    {"BF16", 2, -1},       {"F8_E4M3", 1, -1},  {"F8_E5M2", 1, -1},
};

static int find_dtype(const char *name) {
    for (size_t i = 0; i < sizeof DTYPES / sizeof DTYPES[0]; i++) {
        if (strcmp(DTYPES[i].name, name) == 0) return (int)i;
    }
    return -1;
}

static const char *name_for(tgc_dtype dtype) {
    switch (dtype) {
    case TGC_F32: return "F32";
    case TGC_I64: return "I64";
    case TGC_BOOL: return "BOOL";
    case TGC_F64: return "F64";
    case TGC_I32: return "I32";
    case TGC_U8: return "U8";
    }
    return NULL;
}

/* ---- the JSON header ------------------------------------------------------------------- */

typedef struct {
    const char *start, *p, *end;
    const char *path;
    char *err;
    size_t errlen;
} cursor;

static void skip_ws(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

static int bad_header(cursor *c, const char *what) {
    return fail(c->err, c->errlen, "'%s' is not a valid safetensors file: %s at byte %ld of its header",
                c->path, what, (long)(c->p - c->start));
}

static int expect(cursor *c, char ch) {
    skip_ws(c);
    if (c->p >= c->end || *c->p != ch) {
        char what[32];
        snprintf(what, sizeof what, "expected '%c'", ch);
        return bad_header(c, what);
    }
    c->p++;
    return 0;
}

static void put_utf8(tgc_str *s, unsigned code) {
    char b[4];
    size_t n;
    if (code < 0x80) { b[0] = (char)code; n = 1; }
    else if (code < 0x800) { b[0] = (char)(0xC0 | code >> 6); b[1] = (char)(0x80 | (code & 0x3F)); n = 2; }
    else if (code < 0x10000) {
        b[0] = (char)(0xE0 | code >> 12); b[1] = (char)(0x80 | ((code >> 6) & 0x3F));
        b[2] = (char)(0x80 | (code & 0x3F)); n = 3;
    } else {
        b[0] = (char)(0xF0 | code >> 18); b[1] = (char)(0x80 | ((code >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((code >> 6) & 0x3F)); b[3] = (char)(0x80 | (code & 0x3F)); n = 4;
    }
    tgc__str_append_n(s, b, n);
}

static int hex4(cursor *c, unsigned *out) {
    if (c->end - c->p < 4) return 1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char h = *c->p++;
        v <<= 4;
        if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
        else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
        else return 1;
    }
    *out = v;
    return 0;
}

/* A JSON string into out (initialized by the caller, NUL-terminated after). */
static int parse_string(cursor *c, tgc_str *out) {
    if (expect(c, '"')) return 1;
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char)*c->p++;
        if (ch < 0x20) return bad_header(c, "control character in a string");
        if (ch != '\\') { tgc__str_append_n(out, (const char *)&ch, 1); continue; }
        if (c->p >= c->end) break;
        char e = *c->p++;
        unsigned code;
        switch (e) {
        case '"': case '\\': case '/': tgc__str_append_n(out, &e, 1); break;
        case 'b': tgc_str_append(out, "\b"); break;
        case 'f': tgc_str_append(out, "\f"); break;
        case 'n': tgc_str_append(out, "\n"); break;
        case 'r': tgc_str_append(out, "\r"); break;
        case 't': tgc_str_append(out, "\t"); break;
        case 'u':
            if (hex4(c, &code)) return bad_header(c, "bad \\u escape");
            if (code >= 0xD800 && code < 0xDC00) {
                unsigned low;
                if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u') return bad_header(c, "lone surrogate");
                c->p += 2;
                if (hex4(c, &low) || low < 0xDC00 || low >= 0xE000) return bad_header(c, "lone surrogate");
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            } else if (code >= 0xDC00 && code < 0xE000) {
                return bad_header(c, "lone surrogate");
            }
            if (code == 0) return bad_header(c, "NUL in a string");
            put_utf8(out, code);
            break;
        default: return bad_header(c, "unknown escape");
        }
    }
    if (c->p >= c->end) return bad_header(c, "unterminated string");
    c->p++;
    return 0;
}

/* A non-negative integer below 2^63. */
static int parse_count(cursor *c, uint64_t *out) {
    skip_ws(c);
    if (c->p >= c->end || *c->p < '0' || *c->p > '9') return bad_header(c, "expected a non-negative integer");
    uint64_t v = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        if (v > (UINT64_C(1) << 62) / 10) return bad_header(c, "integer too large");
        v = v * 10 + (uint64_t)(*c->p++ - '0');
    }
    if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E')) return bad_header(c, "expected an integer");
    *out = v;
    return 0;
}

/* `[a, b, ...]` of at most max integers. */
static int parse_counts(cursor *c, uint64_t *out, int max, int *count) {
    if (expect(c, '[')) return 1;
    *count = 0;
    skip_ws(c);
    if (c->p < c->end && *c->p == ']') { c->p++; return 0; }
    for (;;) {
        if (*count == max) return bad_header(c, "too many dimensions");
        if (parse_count(c, &out[(*count)++])) return 1;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') { c->p++; continue; }
        return expect(c, ']');
    }
}

/* Skips any JSON value (the __metadata__ object, whose values must be strings). */
static int skip_metadata(cursor *c) {
    if (expect(c, '{')) return 1;
    skip_ws(c);
    if (c->p < c->end && *c->p == '}') { c->p++; return 0; }
    for (;;) {
        tgc_str text;
        tgc_str_init(&text);
        int bad = parse_string(c, &text) || expect(c, ':') || parse_string(c, &text);
        tgc_str_free(&text);
        if (bad) return 1;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') { c->p++; continue; }
        return expect(c, '}');
    }
}

/* `{"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}` in any key order. */
static int parse_entry(cursor *c, tgc_safetensors_entry *e) {
    int seen_dtype = 0, seen_shape = 0, seen_offsets = 0;
    if (expect(c, '{')) return 1;
    for (;;) {
        tgc_str key;
        tgc_str_init(&key);
        int bad = parse_string(c, &key) || expect(c, ':');
        const char *k = key.data ? key.data : "";
        if (!bad && strcmp(k, "dtype") == 0 && !seen_dtype) {
            tgc_str value;
            tgc_str_init(&value);
            bad = parse_string(c, &value);
            int found = bad ? -1 : find_dtype(value.data ? value.data : "");
            if (!bad && found < 0) bad = bad_header(c, "unknown dtype");
            if (!bad) {
                snprintf(e->dtype_name, sizeof e->dtype_name, "%s", DTYPES[found].name);
                e->element_size = DTYPES[found].size;
                e->loads_as = DTYPES[found].loads_as;
            }
            tgc_str_free(&value);
            seen_dtype = 1;
        } else if (!bad && strcmp(k, "shape") == 0 && !seen_shape) {
            uint64_t dims[TGC_MAX_DIMS];
            bad = parse_counts(c, dims, TGC_MAX_DIMS, &e->ndim);
            for (int d = 0; !bad && d < e->ndim; d++) e->shape[d] = (int64_t)dims[d];
            seen_shape = 1;
        } else if (!bad && strcmp(k, "data_offsets") == 0 && !seen_offsets) {
            uint64_t range[2];
            int n = 0;
            bad = parse_counts(c, range, 2, &n);
            if (!bad && n != 2) bad = bad_header(c, "data_offsets must be [begin, end]");
            if (!bad) { e->begin = range[0]; e->end = range[1]; }
            seen_offsets = 1;
        } else if (!bad) {
            bad = bad_header(c, "unexpected or repeated key in a tensor entry");
        }
        tgc_str_free(&key);
        if (bad) return 1;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') { c->p++; continue; }
        if (expect(c, '}')) return 1;
        break;
    }
    if (!seen_dtype || !seen_shape || !seen_offsets) return bad_header(c, "a tensor entry lacks dtype, shape or data_offsets");
    return 0;
}

static int compare_begin(const void *a, const void *b) {
    const tgc_safetensors_entry *x = *(tgc_safetensors_entry *const *)a, *y = *(tgc_safetensors_entry *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : (x->end > y->end) - (x->end < y->end);
}

/* Each entry's byte count matches its dtype and shape, and the ranges tile [0, data_bytes). */
static int check_ranges(const char *path, tgc_safetensors_index *index, uint64_t data_bytes, char *err, size_t errlen) {
    for (int i = 0; i < index->count; i++) {
        tgc_safetensors_entry *e = &index->entries[i];
        uint64_t bytes = e->element_size;
        for (int d = 0; d < e->ndim; d++) {
            uint64_t dim = (uint64_t)e->shape[d];
            if (dim != 0 && bytes > UINT64_MAX / 2 / dim) {
                return fail(err, errlen, "'%s': tensor '%s' is too large", path, e->name);
            }
            bytes *= dim;
        }
        if (e->end < e->begin || e->end - e->begin != bytes) {
            return fail(err, errlen, "'%s': tensor '%s' (%s) spans %llu bytes but its shape needs %llu", path, e->name,
                        e->dtype_name, (unsigned long long)(e->end >= e->begin ? e->end - e->begin : 0),
                        (unsigned long long)bytes);
        }
    }
    size_t slots = index->count > 0 ? (size_t)index->count : 1;
    tgc_safetensors_entry **sorted = malloc(sizeof *sorted * slots);
    if (sorted == NULL) tgc_fatal("out of memory");
    for (int i = 0; i < index->count; i++) sorted[i] = &index->entries[i];
    qsort(sorted, (size_t)index->count, sizeof *sorted, compare_begin);
    uint64_t next = 0;
    int bad = 0;
    for (int i = 0; i < index->count && !bad; i++) {
        if (sorted[i]->begin != next) {
            bad = fail(err, errlen, "'%s': tensor '%s' starts at byte %llu of the data, expected %llu (tensors must be contiguous)",
                       path, sorted[i]->name, (unsigned long long)sorted[i]->begin, (unsigned long long)next);
        }
        next = sorted[i]->end;
    }
    free(sorted);
    if (!bad && next != data_bytes) {
        bad = fail(err, errlen, "'%s': the tensors cover %llu bytes but the file holds %llu after its header (truncated or padded)",
                   path, (unsigned long long)next, (unsigned long long)data_bytes);
    }
    return bad;
}

static uint64_t read_le64(const unsigned char *b) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | b[i];
    return v;
}

void tgc_safetensors_free_index(tgc_safetensors_index *index) {
    for (int i = 0; i < index->count; i++) free(index->entries[i].name);
    free(index->entries);
    index->entries = NULL;
    index->count = 0;
}

int tgc_safetensors_read_index(const char *path, tgc_safetensors_index *index, char *err, size_t errlen) {
    memset(index, 0, sizeof *index);
    FILE *f = fopen(path, "rb");
    if (f == NULL) return fail(err, errlen, "cannot read '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return fail(err, errlen, "cannot read '%s': not a regular file", path);
    }
    uint64_t file_size = (uint64_t)st.st_size;
    unsigned char prefix[8];
    if (file_size < 8 || fread(prefix, 1, 8, f) != 8) {
        fclose(f);
        return fail(err, errlen, "'%s' is not a valid safetensors file: shorter than its 8-byte header length", path);
    }
    uint64_t header_bytes = read_le64(prefix);
    if (header_bytes > MAX_HEADER_BYTES || header_bytes > file_size - 8) {
        fclose(f);
        return fail(err, errlen, "'%s' is not a valid safetensors file: header length %llu does not fit the file (%llu bytes)",
                    path, (unsigned long long)header_bytes, (unsigned long long)file_size);
    }
    char *text = malloc(header_bytes ? header_bytes : 1);
    if (text == NULL) tgc_fatal("out of memory");
    if (fread(text, 1, header_bytes, f) != header_bytes) {
        int read_error = ferror(f);
        free(text);
        fclose(f);
        return fail(err, errlen, "cannot read '%s': %s", path, read_error ? strerror(errno) : "unexpected end of file");
    }
    fclose(f);
    cursor c = {text, text, text + header_bytes, path, err, errlen};
    int capacity = 0, bad = 0;
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{') bad = bad_header(&c, "the header must be a JSON object");
    else c.p++;
    skip_ws(&c);
    if (!bad && c.p < c.end && *c.p == '}') c.p++;
    else while (!bad) {
        tgc_str name;
        tgc_str_init(&name);
        bad = parse_string(&c, &name) || expect(&c, ':');
        const char *key = name.data ? name.data : "";
        if (!bad && strcmp(key, "__metadata__") == 0) {
            bad = skip_metadata(&c);
            tgc_str_free(&name);
        } else if (!bad) {
            for (int i = 0; i < index->count && !bad; i++) {
                if (strcmp(index->entries[i].name, key) == 0) {
                    bad = fail(err, errlen, "'%s' is not a valid safetensors file: tensor '%s' appears twice", path, key);
                }
            }
            if (!bad && index->count == capacity) {
                capacity = capacity ? capacity * 2 : 16;
                index->entries = realloc(index->entries, sizeof *index->entries * (size_t)capacity);
                if (index->entries == NULL) tgc_fatal("out of memory");
            }
            if (!bad) {
                tgc_safetensors_entry *e = &index->entries[index->count++];
                memset(e, 0, sizeof *e);
                e->name = strdup(key);
                if (e->name == NULL) tgc_fatal("out of memory");
                bad = parse_entry(&c, e);
            }
            tgc_str_free(&name);
        } else {
            tgc_str_free(&name);
        }
        if (bad) break;
        skip_ws(&c);
        if (c.p < c.end && *c.p == ',') { c.p++; continue; }
        bad = expect(&c, '}');
        break;
    }
    if (!bad) {
        skip_ws(&c);   /* writers pad the header with spaces */
        if (c.p != c.end) bad = bad_header(&c, "text after the header object");
    }
    free(text);
    index->data_start = 8 + header_bytes;
    if (!bad) bad = check_ranges(path, index, file_size - 8 - header_bytes, err, errlen);
    if (bad) tgc_safetensors_free_index(index);
    return bad;
}

int tgc_safetensors_load(const char *path, const char *name, tgc_dtype dtype, int ndim, const int64_t *shape,
                         void *out, char *err, size_t errlen) {
    tgc_safetensors_index index;
    if (tgc_safetensors_read_index(path, &index, err, errlen)) return 1;
    const tgc_safetensors_entry *e = NULL;
    for (int i = 0; i < index.count; i++) {
        if (strcmp(index.entries[i].name, name) == 0) e = &index.entries[i];
    }
    int bad = 0;
    char want[128], have[128];
    if (e == NULL) {
        bad = fail(err, errlen, "'%s' has no tensor '%s'", path, name);
    } else if (e->loads_as != (int)dtype || e->ndim != ndim || (ndim > 0 && memcmp(e->shape, shape, sizeof *shape * (size_t)ndim) != 0)) {
        tgc__shape_str(want, sizeof want, ndim, shape);
        tgc__shape_str(have, sizeof have, e->ndim, e->shape);
        bad = fail(err, errlen, "'%s': tensor '%s' is %s %s, expected %s %s (the file changed after compiling?)", path, name,
                   e->dtype_name, have, tgc_dtype_name(dtype), want);
    }
    if (bad) { tgc_safetensors_free_index(&index); return 1; }
    size_t bytes = (size_t)(e->end - e->begin), count = bytes / e->element_size;
    unsigned char *raw = malloc(bytes ? bytes : 1);
    if (raw == NULL) tgc_fatal("out of memory");
    FILE *f = fopen(path, "rb");
    bad = f == NULL || fseek(f, (long)(index.data_start + e->begin), SEEK_SET) != 0 || fread(raw, 1, bytes, f) != bytes;
    if (bad) fail(err, errlen, "cannot read '%s': %s", path, f == NULL || ferror(f) ? strerror(errno) : "unexpected end of file");
    if (f != NULL) fclose(f);
    if (!bad && count > 0) {
        if (!tgc__host_little_endian()) tgc__byteswap(raw, e->element_size, count);
        if (e->loads_as == TGC_BOOL) {
            for (size_t i = 0; i < count; i++) ((uint8_t *)out)[i] = raw[i] != 0;
        } else {
            memcpy(out, raw, bytes);
        }
    }
    free(raw);
    tgc_safetensors_free_index(&index);
    return bad;
}

int tgc_safetensors_check_keys(const char *path, int count, const char *const *names, char *err, size_t errlen) {
    tgc_safetensors_index index;
    if (tgc_safetensors_read_index(path, &index, err, errlen)) return 1;
    tgc_str unexpected;
    tgc_str_init(&unexpected);
    for (int i = 0; i < index.count; i++) {
        int known = 0;
        for (int j = 0; j < count && !known; j++) known = strcmp(index.entries[i].name, names[j]) == 0;
        if (known) continue;
        tgc_str_append(&unexpected, unexpected.len > 0 ? ", \"" : "\"");
        tgc_str_append(&unexpected, index.entries[i].name);
        tgc_str_append(&unexpected, "\"");
    }
    int bad = unexpected.len > 0;
    if (bad) fail(err, errlen, "'%s' holds unexpected key(s) %s, which the model or optimizer it loads into lacks (the file changed after compiling?)", path, unexpected.data);
    tgc_str_free(&unexpected);
    tgc_safetensors_free_index(&index);
    return bad;
}

/* ---- writing ---------------------------------------------------------------------------- */

static void append_json_string(tgc_str *s, const char *text) {
    tgc_str_append(s, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            tgc__str_append_n(s, esc, 2);
        } else if (*p < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            tgc_str_append(s, esc);
        } else {
            tgc__str_append_n(s, (const char *)p, 1);
        }
    }
    tgc_str_append(s, "\"");
}

/* What tgc_safetensors_save writes after the header is built. */
struct payload {
    const unsigned char *prefix;
    const tgc_str *header;
    int count;
    const tgc_safetensors_tensor *tensors;
};

static int write_payload(FILE *f, void *context) {
    const struct payload *p = context;
    if (fwrite(p->prefix, 1, 8, f) != 8 || fwrite(p->header->data, 1, p->header->len, f) != p->header->len) return 1;
    for (int i = 0; i < p->count; i++) {
        size_t esize = tgc_dtype_size(p->tensors[i].dtype), n = 1;
        for (int d = 0; d < p->tensors[i].ndim; d++) n *= (size_t)p->tensors[i].shape[d];
        if (n == 0) continue;
        if (tgc__host_little_endian() || esize == 1) {
            if (fwrite(p->tensors[i].data, esize, n, f) != n) return 1;
        } else {
            unsigned char *copy = malloc(n * esize);
            if (copy == NULL) tgc_fatal("out of memory");
            memcpy(copy, p->tensors[i].data, n * esize);
            tgc__byteswap(copy, esize, n);
            int bad = fwrite(copy, esize, n, f) != n;
            free(copy);
            if (bad) return 1;
        }
    }
    return 0;
}

int tgc_safetensors_save(const char *path, int count, const tgc_safetensors_tensor *tensors, char *err, size_t errlen) {
    tgc_str header;
    tgc_str_init(&header);
    tgc_str_append(&header, "{");
    uint64_t offset = 0;
    for (int i = 0; i < count; i++) {
        const tgc_safetensors_tensor *t = &tensors[i];
        const char *dtype = name_for(t->dtype);
        if (dtype == NULL || t->ndim < 0 || t->ndim > TGC_MAX_DIMS) {
            tgc_str_free(&header);
            return fail(err, errlen, "cannot write '%s': unsupported dtype or rank for tensor '%s'", path, t->name);
        }
        uint64_t bytes = tgc_dtype_size(t->dtype);
        for (int d = 0; d < t->ndim; d++) bytes *= (uint64_t)t->shape[d];
        char numbers[64];
        if (i > 0) tgc_str_append(&header, ",");
        append_json_string(&header, t->name);
        tgc_str_append(&header, ":{\"dtype\":\"");
        tgc_str_append(&header, dtype);
        tgc_str_append(&header, "\",\"shape\":[");
        for (int d = 0; d < t->ndim; d++) {
            snprintf(numbers, sizeof numbers, "%s%lld", d ? "," : "", (long long)t->shape[d]);
            tgc_str_append(&header, numbers);
        }
        snprintf(numbers, sizeof numbers, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)offset,
                 (unsigned long long)(offset + bytes));
        tgc_str_append(&header, numbers);
        offset += bytes;
    }
    tgc_str_append(&header, "}");
    /* Pad with spaces so that the data starts 8-byte aligned, as the reference writer does. */
    tgc__str_append_repeat(&header, ' ', (8 - header.len % 8) % 8);
    unsigned char prefix[8];
    for (int i = 0; i < 8; i++) prefix[i] = (unsigned char)((uint64_t)header.len >> (8 * i));

    struct payload context = {prefix, &header, count, tensors};
    int bad = tgc__write_atomically(path, write_payload, &context, err, errlen);
    tgc_str_free(&header);
    return bad;
}
