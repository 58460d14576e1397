/* Tests of the tgc C runtime: printing, RNG, .npy, IDX, safetensors, argument parsing, timing.
   Usage: test_runtime [FIXTURES_DIR]  (default: runtime/tests/fixtures relative to the cwd). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>

#include "tgc_runtime.h"
#include "check.h"

struct print_case {
    const char *label;
    tgc_dtype dt;
    const void *data;
    int ndim;
    const int64_t *shape;
    const char *suffix;
    const char *expected;
};
struct repr_case { uint64_t bits; const char *expected; };
struct fixed_case { uint64_t bits; int precision; const char *expected; };
struct rng_case { char kind; uint64_t seed; uint64_t block; int n; uint32_t expected[16]; };

#include "print_cases.inc"
#include "rng_cases.inc"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- checks (check.h) and their helpers ------------------------------------------------- */

static const char *fixtures_dir = "runtime/tests/fixtures";
static char tmp_dir[256];

#define CHECK_STR(got, want, what)                                                             \
    do {                                                                                       \
        const char *g_ = (got), *w_ = (want);                                                  \
        check_at(g_ != NULL && strcmp(g_, w_) == 0, __LINE__, "%s\n  got:  [%s]\n  want: [%s]", \
                 (what), g_ ? g_ : "(null)", w_);                                              \
    } while (0)
#define CHECK_CONTAINS(hay, needle, what)                                                      \
    do {                                                                                       \
        const char *h_ = (hay), *n_ = (needle);                                                \
        check_at(h_ != NULL && strstr(h_, n_) != NULL, __LINE__, "%s: [%s] lacks [%s]",        \
                 (what), h_ ? h_ : "(null)", n_);                                              \
    } while (0)

static char *tmp_path(const char *name) {
    static char buf[8][512];
    static int slot;
    char *p = buf[slot++ % 8];
    snprintf(p, 512, "%s/%s", tmp_dir, name);
    return p;
}

static char *fixture(const char *name) {
    static char buf[4][512];
    static int slot;
    char *p = buf[slot++ % 4];
    snprintf(p, 512, "%s/%s", fixtures_dir, name);
    return p;
}

static void write_bytes(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    if (n) fwrite(data, 1, n, f);
    fclose(f);
}

static uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* ---- dtype, alloc, strings ------------------------------------------------------------- */

static void test_basics(void) {
    CHECK(tgc_dtype_size(TGC_F32) == 4 && tgc_dtype_size(TGC_I64) == 8 &&
              tgc_dtype_size(TGC_BOOL) == 1,
          "dtype sizes");
    CHECK_STR(tgc_dtype_name(TGC_F32), "float32", "dtype name f32");
    CHECK_STR(tgc_dtype_name(TGC_I64), "int64", "dtype name i64");
    CHECK_STR(tgc_dtype_name(TGC_BOOL), "bool", "dtype name bool");

    size_t sizes[] = {0, 1, 63, 64, 65, 1000, 1 << 20};
    for (int i = 0; i < COUNT(sizes); i++) {
        unsigned char *p = tgc_alloc(sizes[i]);
        int zero = 1;
        for (size_t k = 0; k < sizes[i]; k++) zero &= p[k] == 0;
        CHECK(p != NULL && ((uintptr_t)p % 64) == 0 && zero, "tgc_alloc(%zu) aligned and zeroed",
              sizes[i]);
        tgc_free(p);
    }
    tgc_free(NULL);

    tgc_str s;
    tgc_str_init(&s);
    CHECK(s.data != NULL && s.len == 0 && s.data[0] == '\0', "tgc_str_init gives an empty string");
    tgc_str_append(&s, "a=");
    tgc_str_append_int(&s, -9223372036854775807LL - 1);
    tgc_str_append(&s, " ");
    tgc_str_append_int(&s, 42);
    tgc_str_append(&s, " ");
    tgc_str_append_bool(&s, 1);
    tgc_str_append(&s, "/");
    tgc_str_append_bool(&s, 0);
    CHECK_STR(s.data, "a=-9223372036854775808 42 True/False", "tgc_str appends");
    CHECK(s.len == strlen(s.data), "tgc_str len");
    for (int i = 0; i < 2000; i++) tgc_str_append(&s, "xyz");
    CHECK(s.len == 36 + 6000 && strlen(s.data) == s.len, "tgc_str grows");

    FILE *f = tmpfile();
    tgc_str_println(&s, f);
    CHECK(s.len == 0 && s.data[0] == '\0', "println empties the buffer");
    tgc_str_append(&s, "second");
    tgc_str_println(&s, f);
    tgc_str_println(&s, f);
    long size = ftell(f);
    CHECK(size == 36 + 6000 + 1 + 7 + 1, "println writes text and newline (%ld bytes)", size);
    fclose(f);
    tgc_str_free(&s);
    CHECK(s.data == NULL && s.len == 0, "tgc_str_free");
}

/* ---- printing ---------------------------------------------------------------------------- */

static void test_print_cases(void) {
    for (int i = 0; i < COUNT(PRINT_CASES); i++) {
        const struct print_case *c = &PRINT_CASES[i];
        char *got = tgc_format_tensor(c->data, c->dt, c->shape, c->ndim, c->suffix);
        char what[160];
        snprintf(what, sizeof what, "print case '%s'", c->label);
        CHECK_STR(got, c->expected, what);
        free(got);
        /* appended after other text: suffix placement only looks at the tensor's own text */
        tgc_str s;
        tgc_str_init(&s);
        tgc_str_append(&s, "value:\nabc ");
        tgc_str_append_tensor(&s, c->data, c->dt, c->shape, c->ndim, c->suffix);
        CHECK(strncmp(s.data, "value:\nabc ", 11) == 0 && strcmp(s.data + 11, c->expected) == 0,
              "print case '%s' appended to a buffer", c->label);
        tgc_str_free(&s);
    }
    /* "" is no suffix */
    float one = 1.0f;
    int64_t shape1[1] = {1};
    char *got = tgc_format_tensor(&one, TGC_F32, shape1, 1, "");
    CHECK_STR(got, "tensor([1.])", "empty suffix");
    free(got);
}

static double bits_to_double(uint64_t bits) {
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

static void test_float_format(void) {
    tgc_str s;
    tgc_str_init(&s);
    for (int i = 0; i < COUNT(REPR_CASES); i++) {
        tgc_str_append_float_repr(&s, bits_to_double(REPR_CASES[i].bits));
        char what[96];
        snprintf(what, sizeof what, "repr of 0x%016llx", (unsigned long long)REPR_CASES[i].bits);
        CHECK_STR(s.data, REPR_CASES[i].expected, what);
        s.len = 0;
        s.data[0] = '\0';
    }
    for (int i = 0; i < COUNT(FIXED_CASES); i++) {
        tgc_str_append_fixed(&s, bits_to_double(FIXED_CASES[i].bits), FIXED_CASES[i].precision);
        char what[96];
        snprintf(what, sizeof what, "fixed .%d of 0x%016llx", FIXED_CASES[i].precision,
                 (unsigned long long)FIXED_CASES[i].bits);
        CHECK_STR(s.data, FIXED_CASES[i].expected, what);
        s.len = 0;
        s.data[0] = '\0';
    }
    tgc_str_free(&s);
}

/* ---- RNG ----------------------------------------------------------------------------------- */

static void test_philox_kat(void) {
    /* Random123 kat_vectors, philox4x32 with 10 rounds */
    static const uint32_t kat[3][10] = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d,
         0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09,
         0x94fdcceb, 0x5001e420, 0x24126ea1},
    };
    for (int i = 0; i < 3; i++) {
        uint32_t out[4];
        tgc_philox4x32_10(kat[i], kat[i] + 4, out);
        CHECK(memcmp(out, kat[i] + 6, sizeof out) == 0,
              "Philox4x32-10 KAT %d: got %08x %08x %08x %08x", i, out[0], out[1], out[2], out[3]);
    }
}

static void test_rng_streams(void) {
    for (int i = 0; i < COUNT(RNG_CASES); i++) {
        const struct rng_case *c = &RNG_CASES[i];
        tgc_rng r;
        tgc_rng_seed(&r, c->seed);
        CHECK(r.seed == c->seed && r.block == 0, "tgc_rng_seed");
        r.block = c->block;
        float out[16];
        if (c->kind == 'U')
            tgc_rng_uniform(&r, out, c->n);
        else
            tgc_rng_normal(&r, out, c->n);
        int same = 1;
        for (int k = 0; k < c->n; k++) same &= f32_bits(out[k]) == c->expected[k];
        CHECK(same, "rng case %d (%c seed %llu block %llu n %d) matches the Python reference", i,
              c->kind, (unsigned long long)c->seed, (unsigned long long)c->block, c->n);
        CHECK(r.block == c->block + (uint64_t)(c->n + 3) / 4, "rng case %d advances the block", i);
    }
    /* a call with n = 0 consumes nothing */
    tgc_rng r;
    tgc_rng_seed(&r, 5);
    tgc_rng_uniform(&r, NULL, 0);
    tgc_rng_normal(&r, NULL, 0);
    CHECK(r.block == 0, "n = 0 consumes no block");
}

/* argsort: stable ties and NaN largest both ways; rows along an inner dimension; rows sorted
   on threads (the parallel path) give what one row at a time gives, and each is ordered. */
static void test_argsort(void) {
    const float x[6] = {2, NAN, 1, 2, -3, NAN};
    const int64_t up[6] = {4, 2, 0, 3, 1, 5}, down[6] = {1, 5, 0, 3, 2, 4};
    int64_t out[6];
    tgc_argsort_f32(x, out, 1, 6, 1, 0);
    CHECK(memcmp(out, up, sizeof up) == 0, "ascending: ties in index order, NaN last");
    tgc_argsort_f32(x, out, 1, 6, 1, 1);
    CHECK(memcmp(out, down, sizeof down) == 0, "descending: NaN first, ties in index order");
    const int64_t columns[6] = {5, 1, 4, 2, 0, 3}; /* [3, 2]: sorted along dim 0 */
    tgc_argsort_i64(columns, out, 1, 3, 2, 0);
    const int64_t by_column[6] = {2, 0, 1, 1, 0, 2};
    CHECK(memcmp(out, by_column, sizeof by_column) == 0, "int64 along an inner dimension");

    const int64_t rows = 64, n = 1000;
    float *big = malloc((size_t)(rows * n) * sizeof *big);
    int64_t *threaded = malloc((size_t)(rows * n) * sizeof *threaded);
    int64_t *single = malloc((size_t)n * sizeof *single);
    for (int64_t i = 0; i < rows * n; i++) big[i] = (float)((i * 7919) % 101);   /* many ties */
    tgc_argsort_f32(big, threaded, rows, n, 1, 0);
    int same = 1, ordered = 1;
    for (int64_t r = 0; r < rows; r++) {
        tgc_argsort_f32(big + r * n, single, 1, n, 1, 0);
        same &= memcmp(single, threaded + r * n, (size_t)n * sizeof *single) == 0;
        for (int64_t k = 1; k < n; k++) {
            float a = big[r * n + single[k - 1]], b = big[r * n + single[k]];
            ordered &= a < b || (a == b && single[k - 1] < single[k]);
        }
    }
    CHECK(same && ordered, "64 rows of 1000 sorted on threads as one at a time, each stably ordered");
    free(single);
    free(threaded);
    free(big);
}

/* Sums in PyTorch's CPU order: each value is what torch 2.13 (AVX2, one thread) printed for the
   same data; a sum rounded once from double gives 0x1.17dc3ap+10 for the first. */
static float cascade_data(int64_t i) { return (float)((i * 7919) % 97) * 0.013f - 0.4f; }
static void test_cascade_sum(void) {
    enum { N = 300 * 45 };
    static float x[N];
    static double xd[1000];
    for (int64_t i = 0; i < N; i++) x[i] = cascade_data(i);
    for (int64_t i = 0; i < 1000; i++) xd[i] = (double)cascade_data(i);
    float out[300];
    const int64_t flat[1] = {5000}, five[1] = {5}, matrix[2] = {300, 45}, cube[3] = {6, 40, 3}, thousand[1] = {1000};
    tgc_cascade_sum_f32(x, out, 1, flat, 1);
    CHECK(out[0] == 0x1.17dc38p+10f, "full sum of 5000: vectors, four accumulators, levels (%a)", (double)out[0]);
    tgc_cascade_sum_f32(x, out, 1, five, 1);
    CHECK(out[0] == 0x1.041894p+0f, "sum of 5: four scalar accumulators, the tail in the first (%a)", (double)out[0]);
    tgc_cascade_sum_f32(x, out, 2, matrix, 1);
    CHECK(out[0] == 0x1.07cedap+6f && out[40] == 0x1.0d5f3cp+6f && out[44] == 0x1.0d6c8cp+6f,
          "column sums: 32-column groups, then vectors, then scalars (%a %a %a)", (double)out[0], (double)out[40], (double)out[44]);
    tgc_cascade_sum_f32(x, out, 2, matrix, 2);
    CHECK(out[7] == 0x1.63d70ap+3f, "row sums of 45 (%a)", (double)out[7]);
    tgc_cascade_sum_f32(x, out, 3, cube, 2);
    CHECK(out[5 * 3 + 2] == 0x1.4fcedap+3f, "a middle axis over narrow rows (%a)", (double)out[17]);
    double sum64;
    tgc_cascade_sum_f64(xd, &sum64, 1, thousand, 1);
    CHECK(sum64 == 0x1.c07e787ap+7, "float64: four-lane vectors (%a)", sum64);
    uint8_t skip[70];
    float losses[70];
    for (int64_t i = 0; i < 70; i++) {
        skip[i] = i % 5 == 0;
        losses[i] = skip[i] ? 0.0f : x[i];
    }
    float nll = tgc_nll_sum_f32(losses, skip, 70);
    CHECK(nll == 0x1.9451eep+3f, "nll_loss's sum: eight levels, skipped samples neither added nor pushed (%a)", (double)nll);
}

static void test_rng_stats(void) {
    const int64_t n = 1000003; /* big enough for the parallel path */
    float *u = malloc((size_t)n * sizeof *u);
    float *v = malloc((size_t)n * sizeof *v);
    tgc_rng r;
    tgc_rng_seed(&r, 2024);
    tgc_rng_uniform(&r, u, n);
    int in_range = 1;
    double sum = 0;
    for (int64_t i = 0; i < n; i++) {
        in_range &= u[i] >= 0.0f && u[i] < 1.0f;
        sum += u[i];
    }
    CHECK(in_range, "uniform values lie in [0, 1)");
    CHECK(fabs(sum / (double)n - 0.5) < 0.002, "uniform mean %.5f near 0.5", sum / (double)n);
    /* one big call = the same blocks drawn 4096 values at a time */
    tgc_rng_seed(&r, 2024);
    for (int64_t i = 0; i < n; i += 4096) tgc_rng_uniform(&r, v + i, n - i < 4096 ? n - i : 4096);
    CHECK(memcmp(u, v, (size_t)n * sizeof *u) == 0, "uniform: one call equals chunked calls");
    /* several whole groups of blocks (philox.c draws 16 at once) and a ragged tail, from an
       odd block: each value is word i % 4 of block i / 4 of the scalar Philox */
    tgc_rng_seed(&r, 7);
    tgc_rng_uniform(&r, u, 5);
    tgc_rng_uniform(&r, u, 203);
    int scalar_equal = 1;
    for (int64_t i = 0; i < 203; i++) {
        const uint64_t block = 2 + (uint64_t)(i / 4);
        const uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), 0, 0}, key[2] = {7, 0};
        uint32_t w[4];
        tgc_philox4x32_10(ctr, key, w);
        scalar_equal &= u[i] == (float)(w[i % 4] >> 8) * 0x1p-24f;
    }
    CHECK(scalar_equal, "uniform: each value is the scalar Philox's");

    tgc_rng_seed(&r, 99);
    tgc_rng_normal(&r, u, n);
    double s1 = 0, s2 = 0;
    int finite = 1;
    for (int64_t i = 0; i < 100000; i++) {
        finite &= isfinite(u[i]);
        s1 += u[i];
        s2 += (double)u[i] * u[i];
    }
    double mean = s1 / 1e5, sd = sqrt(s2 / 1e5 - mean * mean);
    CHECK(finite, "normal values are finite");
    CHECK(fabs(mean) < 0.015, "normal mean %.5f near 0 (1e5 samples)", mean);
    CHECK(fabs(sd - 1.0) < 0.015, "normal std %.5f near 1 (1e5 samples)", sd);
    tgc_rng_seed(&r, 99);
    for (int64_t i = 0; i < n; i += 4096) tgc_rng_normal(&r, v + i, n - i < 4096 ? n - i : 4096);
    CHECK(memcmp(u, v, (size_t)n * sizeof *u) == 0, "normal: one call equals chunked calls");
    CHECK(r.block == (uint64_t)(n + 3) / 4 + 0, "normal advanced %llu blocks",
          (unsigned long long)r.block);
    free(u);
    free(v);
}

/* ---- .npy ------------------------------------------------------------------------------- */

static int load_err(const char *path, tgc_dtype dt, int ndim, const int64_t *shape, char *err,
                    size_t errlen) {
    static char sink[1 << 16];
    err[0] = '\0';
    return tgc_npy_load(path, dt, ndim, shape, sink, err, errlen);
}

static void test_npy_round_trip(void) {
    char err[512];
    int64_t shape23[2] = {2, 3};
    float f[6] = {1.5f, -0.0f, NAN, INFINITY, 1e-30f, -3.25f};
    int64_t i[6] = {-9223372036854775807LL - 1, -1, 0, 1, 42, 9223372036854775807LL};
    uint8_t b[6] = {1, 0, 0, 1, 1, 0};
    double d[6] = {0.1, -0.0, NAN, -INFINITY, 1e-300, 1e300};
    int32_t i32[6] = {-2147483647 - 1, -1, 0, 1, 42, 2147483647};
    uint8_t u8[6] = {0, 1, 127, 128, 200, 255};
    const void *datas[6] = {f, i, b, d, i32, u8};
    tgc_dtype dts[6] = {TGC_F32, TGC_I64, TGC_BOOL, TGC_F64, TGC_I32, TGC_U8};
    const char *descrs[6] = {"<f4", "<i8", "|b1", "<f8", "<i4", "|u1"};
    for (int k = 0; k < 6; k++) {
        char *path = tmp_path("rt.npy");
        int rc = tgc_npy_save(path, dts[k], 2, shape23, datas[k], err, sizeof err);
        CHECK(rc == 0, "save %s: %s", tgc_dtype_name(dts[k]), rc ? err : "");
        tgc_npy_header h;
        rc = tgc_npy_read_header(path, &h, err, sizeof err);
        CHECK(rc == 0 && h.dtype == dts[k] && strcmp(h.descr, descrs[k]) == 0 && h.ndim == 2 &&
                  h.shape[0] == 2 && h.shape[1] == 3 && h.data_offset % 64 == 0,
              "header of saved %s (%s)", tgc_dtype_name(dts[k]), rc ? err : "");
        unsigned char back[48];
        memset(back, 0xAB, sizeof back);
        rc = tgc_npy_load(path, dts[k], 2, shape23, back, err, sizeof err);
        CHECK(rc == 0 && memcmp(back, datas[k], 6 * tgc_dtype_size(dts[k])) == 0,
              "round trip %s (%s)", tgc_dtype_name(dts[k]), rc ? err : "");
        struct stat st;
        CHECK(stat(path, &st) == 0 && st.st_size == h.data_offset + 6 * (long)tgc_dtype_size(dts[k]),
              "file size of saved %s", tgc_dtype_name(dts[k]));
    }
    /* 0-dim, 1-dim, empty and 8-dim shapes */
    float scalar = 2.5f, back = 0;
    CHECK(tgc_npy_save(tmp_path("s.npy"), TGC_F32, 0, NULL, &scalar, err, sizeof err) == 0 &&
              tgc_npy_load(tmp_path("s.npy"), TGC_F32, 0, NULL, &back, err, sizeof err) == 0 &&
              back == 2.5f,
          "round trip 0-dim");
    int64_t shape0[2] = {0, 3};
    CHECK(tgc_npy_save(tmp_path("e.npy"), TGC_I64, 2, shape0, NULL, err, sizeof err) == 0 &&
              tgc_npy_load(tmp_path("e.npy"), TGC_I64, 2, shape0, NULL, err, sizeof err) == 0,
          "round trip empty (0, 3)");
    int64_t shape8[8] = {2, 1, 2, 1, 2, 1, 2, 1};
    float f16[16], b16[16];
    for (int k = 0; k < 16; k++) f16[k] = (float)k * 0.5f;
    CHECK(tgc_npy_save(tmp_path("8.npy"), TGC_F32, 8, shape8, f16, err, sizeof err) == 0 &&
              tgc_npy_load(tmp_path("8.npy"), TGC_F32, 8, shape8, b16, err, sizeof err) == 0 &&
              memcmp(f16, b16, sizeof f16) == 0,
          "round trip 8-dim");
    int64_t shape1[1] = {16};
    CHECK(tgc_npy_save(tmp_path("1.npy"), TGC_F32, 1, shape1, f16, err, sizeof err) == 0,
          "save 1-dim");
    FILE *fp = fopen(tmp_path("1.npy"), "rb");
    char head[129] = {0};
    size_t got = fp ? fread(head, 1, 128, fp) : 0;
    if (fp) fclose(fp);
    CHECK(got == 128 && memcmp(head + 10, "{'descr': '<f4', 'fortran_order': False, 'shape': (16,), }", 58) == 0 &&
              head[127] == '\n' && head[8] == 118 && head[9] == 0,
          "1-dim header text is numpy's dict with a (16,) tuple, padded to 128 bytes");
    /* no temporary left behind; a failed save leaves nothing */
    char tmpname[600];
    snprintf(tmpname, sizeof tmpname, "%s.tmp.%ld", tmp_path("1.npy"), (long)getpid());
    CHECK(access(tmpname, F_OK) != 0, "no temporary file after save");
    int rc = tgc_npy_save(tmp_path("no/such/dir/x.npy"), TGC_F32, 1, shape1, f16, err, sizeof err);
    CHECK(rc != 0, "save into a missing directory fails");
    CHECK_CONTAINS(err, "cannot write '", "save error");
    CHECK_CONTAINS(err, "no/such/dir/x.npy': No such file or directory", "save error");
}

static void test_npy_fixtures(void) {
    char err[512];
    int64_t s23[2] = {2, 3}, s4[1] = {4}, s22[2] = {2, 2}, s3[1] = {3};
    float f6[6];
    int rc = tgc_npy_load(fixture("f4_2x3.npy"), TGC_F32, 2, s23, f6, err, sizeof err);
    CHECK(rc == 0 && f6[0] == -1.0f && f6[1] == -0.5f && f6[5] == 1.5f, "numpy f4 (2,3): %s",
          rc ? err : "");
    float first[6] = {0};
    rc = tgc_data_load_rows(fixture("f4_2x3.npy"), TGC_F32, 2, s23, 1, first, err, sizeof err);
    CHECK(rc == 0 && first[0] == -1.0f && first[2] == f6[2] && first[3] == 0.0f, "numpy f4 (2,3), first row: %s",
          rc ? err : "");
    int64_t i4v[4];
    rc = tgc_npy_load(fixture("i8_4.npy"), TGC_I64, 1, s4, i4v, err, sizeof err);
    CHECK(rc == 0 && i4v[0] == -3 && i4v[1] == 0 && i4v[2] == 7 && i4v[3] == (1LL << 40),
          "numpy i8 (4,): %s", rc ? err : "");
    uint8_t b4[4];
    rc = tgc_npy_load(fixture("b1_2x2.npy"), TGC_BOOL, 2, s22, b4, err, sizeof err);
    CHECK(rc == 0 && b4[0] == 1 && b4[1] == 0 && b4[2] == 0 && b4[3] == 1, "numpy b1 (2,2): %s",
          rc ? err : "");
    float f3[3];
    double d3[3];
    rc = tgc_npy_load(fixture("f8_3.npy"), TGC_F64, 1, s3, d3, err, sizeof err);
    CHECK(rc == 0 && d3[0] == 0.1 && d3[1] == -2.5 && d3[2] == 1e10,
          "numpy f8 loads as float64: %s", rc ? err : "");
    int32_t i22[4];
    rc = tgc_npy_load(fixture("i4_2x2.npy"), TGC_I32, 2, s22, i22, err, sizeof err);
    CHECK(rc == 0 && i22[0] == 1 && i22[1] == -2 && i22[2] == 3 && i22[3] == 2147483647,
          "numpy i4 loads as int32: %s", rc ? err : "");
    uint8_t u3[3];
    rc = tgc_npy_load(fixture("u1_3.npy"), TGC_U8, 1, s3, u3, err, sizeof err);
    CHECK(rc == 0 && u3[0] == 0 && u3[1] == 128 && u3[2] == 255, "numpy u1 loads as uint8: %s",
          rc ? err : "");
    float sc = 0;
    rc = tgc_npy_load(fixture("f4_scalar.npy"), TGC_F32, 0, NULL, &sc, err, sizeof err);
    CHECK(rc == 0 && sc == 3.5f, "numpy 0-dim: %s", rc ? err : "");
    tgc_npy_header h;
    rc = tgc_npy_read_header(fixture("f4_v2.npy"), &h, err, sizeof err);
    CHECK(rc == 0 && h.ndim == 1 && h.shape[0] == 3 && h.data_offset % 64 == 0,
          "numpy v2.0 header: %s", rc ? err : "");
    rc = tgc_npy_load(fixture("f4_v2.npy"), TGC_F32, 1, s3, f3, err, sizeof err);
    CHECK(rc == 0 && f3[0] == 1.0f && f3[2] == 3.0f, "numpy v2.0 data: %s", rc ? err : "");
    rc = tgc_npy_read_header(fixture("f8_3.npy"), &h, err, sizeof err);
    CHECK(rc == 0 && h.dtype == TGC_F64 && strcmp(h.descr, "<f8") == 0, "f8 header loads as f64");

    rc = tgc_npy_read_header(fixture("f4_fortran.npy"), &h, err, sizeof err);
    CHECK(rc != 0, "fortran order is refused");
    CHECK_CONTAINS(err, "f4_fortran.npy' is stored in Fortran order", "fortran error");
    rc = tgc_npy_read_header(fixture("c8.npy"), &h, err, sizeof err);
    CHECK(rc != 0, "complex is refused");
    CHECK_CONTAINS(err, "c8.npy': unsupported dtype '<c8'", "unsupported dtype error");
    rc = tgc_npy_read_header(fixture("f4_bigendian.npy"), &h, err, sizeof err);
    CHECK(rc != 0, "big-endian is refused");
    CHECK_CONTAINS(err, "f4_bigendian.npy': unsupported dtype '>f4'", "big-endian error");
}

/* Writes a .npy v1 file with the given header dict and data bytes. */
static void write_npy_raw(const char *path, const char *dict, size_t data_bytes, int declared_extra) {
    size_t dlen = strlen(dict);
    size_t hlen = dlen + (size_t)declared_extra;
    unsigned char *buf = calloc(1, 10 + dlen + data_bytes + 1);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(hlen & 0xff);
    buf[9] = (unsigned char)(hlen >> 8);
    memcpy(buf + 10, dict, dlen);
    write_bytes(path, buf, 10 + dlen + data_bytes);
    free(buf);
}

static void test_npy_errors(void) {
    char err[512];
    int64_t s100[2] = {100, 1};
    int rc = load_err("/definitely/missing.npy", TGC_F32, 2, s100, err, sizeof err);
    CHECK(rc != 0, "missing file fails");
    CHECK_STR(err, "cannot open '/definitely/missing.npy': No such file or directory", "missing file");

    write_bytes(tmp_path("magic.npy"), "hello, world, not numpy", 23);
    rc = load_err(tmp_path("magic.npy"), TGC_F32, 2, s100, err, sizeof err);
    char want[700];
    snprintf(want, sizeof want, "'%s' is not a .npy file (bad magic)", tmp_path("magic.npy"));
    CHECK(rc != 0, "bad magic fails");
    CHECK_STR(err, want, "bad magic");

    write_bytes(tmp_path("empty.npy"), "", 0);
    rc = load_err(tmp_path("empty.npy"), TGC_F32, 2, s100, err, sizeof err);
    snprintf(want, sizeof want, "'%s' is empty, not a .npy file", tmp_path("empty.npy"));
    CHECK_STR(err, want, "empty file");

    write_bytes(tmp_path("short.npy"), "\x93NUMPY\x01", 7);
    rc = load_err(tmp_path("short.npy"), TGC_F32, 2, s100, err, sizeof err);
    CHECK(rc != 0, "file ending inside the prefix fails");
    CHECK_CONTAINS(err, "short.npy' is truncated: the header ends after 7 bytes", "short prefix");

    /* header length says 118 but only the dict's first 30 bytes are there */
    write_npy_raw(tmp_path("trunch.npy"), "{'descr': '<f4', 'fortran_ord", 0, 88);
    rc = load_err(tmp_path("trunch.npy"), TGC_F32, 2, s100, err, sizeof err);
    CHECK(rc != 0, "truncated header fails");
    CHECK_CONTAINS(err, "trunch.npy' is truncated: expected a 117-byte header, found 29 bytes",
                   "truncated header");

    /* truncated data: a saved 100x1 file cut short */
    float data[100] = {0};
    char *p = tmp_path("truncd.npy");
    tgc_npy_header h;
    tgc_npy_save(p, TGC_F32, 2, s100, data, err, sizeof err);
    CHECK(tgc_npy_read_header(p, &h, err, sizeof err) == 0, "read header of a good file");
    CHECK(truncate(p, h.data_offset + 12) == 0, "truncate");
    rc = load_err(p, TGC_F32, 2, s100, err, sizeof err);
    snprintf(want, sizeof want, "'%s' is truncated: expected 400 bytes of data, found 12", p);
    CHECK(rc != 0, "truncated data fails");
    CHECK_STR(err, want, "truncated data");
    rc = tgc_npy_read_header(p, &h, err, sizeof err);
    CHECK(rc != 0 && strcmp(err, want) == 0, "read_header reports truncated data too");

    /* wrong shape */
    int64_t s32[2] = {3, 2};
    float six[6] = {0};
    p = tmp_path("shape.npy");
    tgc_npy_save(p, TGC_F32, 2, s32, six, err, sizeof err);
    rc = load_err(p, TGC_F32, 2, s100, err, sizeof err);
    snprintf(want, sizeof want, "'%s' has shape [3, 2], expected [100, 1]", p);
    CHECK(rc != 0, "wrong shape fails");
    CHECK_STR(err, want, "wrong shape");
    rc = load_err(p, TGC_F32, 0, NULL, err, sizeof err);
    snprintf(want, sizeof want, "'%s' has shape [3, 2], expected []", p);
    CHECK_STR(err, want, "wrong rank");

    /* wrong dtype */
    int64_t ints[6] = {0};
    p = tmp_path("dtype.npy");
    tgc_npy_save(p, TGC_I64, 2, s32, ints, err, sizeof err);
    rc = load_err(p, TGC_F32, 2, s32, err, sizeof err);
    snprintf(want, sizeof want, "'%s' has dtype int64, expected float32", p);
    CHECK(rc != 0, "wrong dtype fails");
    CHECK_STR(err, want, "wrong dtype");
    int64_t s3[1] = {3};
    rc = load_err(fixture("f8_3.npy"), TGC_I64, 1, s3, err, sizeof err);
    CHECK_CONTAINS(err, "f8_3.npy' has dtype float64, expected int64", "wrong dtype f8");
    rc = load_err(fixture("b1_2x2.npy"), TGC_F32, 1, s3, err, sizeof err);
    CHECK_CONTAINS(err, "b1_2x2.npy' has dtype bool, expected float32", "wrong dtype bool");

    /* fortran order, written by hand as well */
    write_npy_raw(tmp_path("fort.npy"), "{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }\n",
                  24, 0);
    rc = load_err(tmp_path("fort.npy"), TGC_F32, 2, s32, err, sizeof err);
    snprintf(want, sizeof want,
             "'%s' is stored in Fortran order (fortran_order: True), which is not supported; "
             "save a C-contiguous array",
             tmp_path("fort.npy"));
    CHECK(rc != 0, "fortran order fails");
    CHECK_STR(err, want, "fortran order");

    /* malformed headers, keys in another order, double quotes, too many dims, bad version */
    write_npy_raw(tmp_path("m1.npy"), "{'descr': '<f4', 'shape': (3, 2), }\n", 24, 0);
    rc = load_err(tmp_path("m1.npy"), TGC_F32, 2, s32, err, sizeof err);
    CHECK_CONTAINS(err, "m1.npy' has a malformed header: missing 'fortran_order'", "missing key");
    write_npy_raw(tmp_path("m2.npy"), "{'descr': '<f4', 'fortran_order': False, 'shape': [3, 2], }\n",
                  24, 0);
    rc = load_err(tmp_path("m2.npy"), TGC_F32, 2, s32, err, sizeof err);
    CHECK_CONTAINS(err, "m2.npy' has a malformed header: shape must be a tuple", "shape list");
    write_npy_raw(tmp_path("m3.npy"), "{\"shape\": (3,2) , \"fortran_order\": False, \"descr\": \"<f4\"}  \n",
                  24, 0);
    rc = load_err(tmp_path("m3.npy"), TGC_F32, 2, s32, err, sizeof err);
    CHECK(rc == 0, "keys in any order with double quotes: %s", rc ? err : "");
    write_npy_raw(tmp_path("m4.npy"),
                  "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }\n", 4, 0);
    rc = load_err(tmp_path("m4.npy"), TGC_F32, 2, s32, err, sizeof err);
    CHECK_CONTAINS(err, "m4.npy' has 9 dimensions; at most 8 are supported", "too many dims");
    write_npy_raw(tmp_path("m5.npy"), "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }\n",
                  24, 0);
    FILE *f = fopen(tmp_path("m5.npy"), "r+b");
    fseek(f, 6, SEEK_SET);
    fputc(4, f);
    fclose(f);
    rc = load_err(tmp_path("m5.npy"), TGC_F32, 2, s32, err, sizeof err);
    CHECK_CONTAINS(err, "m5.npy' has unsupported .npy format version 4.0", "bad version");
    rc = load_err(tmp_dir, TGC_F32, 2, s32, err, sizeof err);
    CHECK_CONTAINS(err, "it is a directory", "directory");
}

/* ---- safetensors -------------------------------------------------------------------------- */

static const tgc_safetensors_entry *st_entry(const tgc_safetensors_index *index, const char *name) {
    for (int i = 0; i < index->count; i++) {
        if (strcmp(index->entries[i].name, name) == 0) return &index->entries[i];
    }
    return NULL;
}

/* ---- IDX ------------------------------------------------------------------------------- */

/* Writes bytes to path, through gzip when gz is set. */
static void write_idx(const char *path, const void *bytes, size_t n, int gz) {
    if (!gz) {
        write_bytes(path, bytes, n);
        return;
    }
    gzFile f = gzopen(path, "wb");
    gzwrite(f, bytes, (unsigned)n);
    gzclose(f);
}

static void test_idx(void) {
    char err[512];
    /* uint8 [2, 3] and int32 [2] (big-endian), plain and gzip'd */
    static const uint8_t u8[] = {0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 250, 5, 6};
    static const uint8_t i32[] = {0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 1, 2, 0xFF, 0xFF, 0xFF, 0xFE};
    for (int gz = 0; gz < 2; gz++) {
        char *a = tmp_path(gz ? "u8.idx.gz" : "u8.idx"), *b = tmp_path(gz ? "i32.gz" : "i32");
        write_idx(a, u8, sizeof u8, gz);
        write_idx(b, i32, sizeof i32, gz);
        tgc_idx_header h;
        CHECK(tgc_idx_read_header(a, &h, err, sizeof err) == 0 && h.dtype == TGC_U8 && h.ndim == 2 &&
                  h.shape[0] == 2 && h.shape[1] == 3, "idx header (gz %d): %s", gz, err);
        int64_t shape[2] = {2, 3};
        uint8_t got[6] = {0};
        CHECK(tgc_data_load(a, TGC_U8, 2, shape, got, err, sizeof err) == 0 && got[3] == 250 && got[5] == 6,
              "idx u8 load (gz %d): %s", gz, err);
        int32_t ints[2] = {0};
        int64_t two = 2;
        CHECK(tgc_data_load(b, TGC_I32, 1, &two, ints, err, sizeof err) == 0 && ints[0] == 258 && ints[1] == -2,
              "idx i32 load (gz %d): %s", gz, err);
        /* the first row alone; the file's shape is still checked */
        uint8_t row[6] = {0};
        CHECK(tgc_data_load_rows(a, TGC_U8, 2, shape, 1, row, err, sizeof err) == 0 && row[0] == 1 && row[2] == 3 &&
                  row[3] == 0, "idx first row (gz %d): %s", gz, err);
        int64_t three[2] = {3, 3};
        CHECK(tgc_data_load_rows(a, TGC_U8, 2, three, 1, row, err, sizeof err) != 0, "idx rows: shape change");
        CHECK(tgc_idx_load(a, TGC_U8, 1, &two, got, err, sizeof err) != 0, "idx shape change");
        CHECK_CONTAINS(err, "changed since the program was compiled", "idx shape change message");
        /* truncated data, extra data */
        write_idx(a, u8, sizeof u8 - 2, gz);
        CHECK(tgc_idx_load(a, TGC_U8, 2, shape, got, err, sizeof err) != 0, "idx truncated data");
        CHECK_CONTAINS(err, "is truncated: the data ends after 4 of 6 bytes", "idx truncated message");
        CHECK(tgc_data_load_rows(a, TGC_U8, 2, shape, 1, row, err, sizeof err) == 0 && row[2] == 3,
              "idx rows before the cut (gz %d): %s", gz, err);
        uint8_t longer[sizeof u8 + 1];
        memcpy(longer, u8, sizeof u8);
        longer[sizeof u8] = 9;
        write_idx(a, longer, sizeof longer, gz);
        CHECK(tgc_idx_load(a, TGC_U8, 2, shape, got, err, sizeof err) != 0, "idx extra data");
        CHECK_CONTAINS(err, "holds more data than its header says", "idx extra data message");
        /* truncated header, bad magic, unsupported type */
        write_idx(a, u8, 9, gz);
        CHECK(tgc_idx_read_header(a, &h, err, sizeof err) != 0, "idx truncated header");
        CHECK_CONTAINS(err, "is truncated: the header ends after 9 of 12 bytes", "idx truncated header message");
        static const uint8_t bad_magic[] = {1, 2, 8, 1, 0, 0, 0, 0};
        write_idx(a, bad_magic, sizeof bad_magic, gz);
        CHECK(tgc_idx_read_header(a, &h, err, sizeof err) != 0, "idx bad magic");
        CHECK_CONTAINS(err, "is not an IDX file (bad magic)", "idx bad magic message");
        static const uint8_t int8[] = {0, 0, 0x09, 1, 0, 0, 0, 0};
        write_idx(a, int8, sizeof int8, gz);
        CHECK(tgc_idx_read_header(a, &h, err, sizeof err) != 0, "idx int8");
        CHECK_CONTAINS(err, "unsupported IDX element type 0x09", "idx int8 message");
    }
    /* a gzip stream cut short, and one whose bytes are corrupt */
    char *gz = tmp_path("cut.gz");
    uint8_t big[12 + 4000];
    memcpy(big, u8, 12);
    big[7] = 40, big[11] = 100; /* [40, 100] */
    for (int i = 0; i < 4000; i++) big[12 + i] = (uint8_t)(i * 7919 >> 3);
    write_idx(gz, big, sizeof big, 1);
    FILE *f = fopen(gz, "rb");
    uint8_t packed[8192];
    size_t n = fread(packed, 1, sizeof packed, f);
    fclose(f);
    int64_t shape[2] = {40, 100};
    uint8_t out[4000];
    write_bytes(gz, packed, n / 2);
    CHECK(tgc_idx_load(gz, TGC_U8, 2, shape, out, err, sizeof err) != 0, "gzip cut short");
    CHECK_CONTAINS(err, "truncated or corrupt gzip file", "gzip cut short message");
    packed[n / 2] ^= 0x55, packed[n / 2 + 1] ^= 0xAA;
    write_bytes(gz, packed, n);
    CHECK(tgc_idx_load(gz, TGC_U8, 2, shape, out, err, sizeof err) != 0, "gzip corrupt");
    CHECK_CONTAINS(err, "gzip file", "gzip corrupt message");
    CHECK(tgc_idx_read_header(tmp_path("none.gz"), &(tgc_idx_header){0}, err, sizeof err) != 0, "idx missing");
    CHECK_CONTAINS(err, "cannot open", "idx missing message");
}

static void test_safetensors_round_trip(void) {
    char err[512];
    int64_t shape23[2] = {2, 3}, shape4[1] = {4}, shape0[2] = {0, 5};
    float f[6] = {1.5f, -0.0f, NAN, INFINITY, 1e-30f, -3.25f};
    int64_t i[4] = {-9223372036854775807LL - 1, -1, 0, 9223372036854775807LL};
    uint8_t b[4] = {1, 0, 0, 1};
    float scalar = 7.0f;
    tgc_safetensors_tensor tensors[5] = {
        {"w\"eird\\name\n", TGC_F32, 2, shape23, f}, {"steps", TGC_I64, 1, shape4, i},
        {"mask", TGC_BOOL, 1, shape4, b}, {"scalar", TGC_F32, 0, NULL, &scalar}, {"empty", TGC_F32, 2, shape0, NULL},
    };
    const char *path = tmp_path("rt.safetensors");
    CHECK(tgc_safetensors_save(path, 5, tensors, err, sizeof err) == 0, "safetensors save: %s", err);
    tgc_safetensors_index index;
    CHECK(tgc_safetensors_read_index(path, &index, err, sizeof err) == 0, "safetensors index: %s", err);
    CHECK(index.count == 5 && strcmp(index.entries[0].name, "w\"eird\\name\n") == 0 &&
              strcmp(index.entries[4].name, "empty") == 0 && index.data_start % 8 == 0,
          "safetensors index: %d entries in order, data 8-aligned (%llu)", index.count,
          (unsigned long long)index.data_start);
    const tgc_safetensors_entry *e = st_entry(&index, "steps");
    CHECK(e != NULL && strcmp(e->dtype_name, "I64") == 0 && e->ndim == 1 && e->shape[0] == 4 && e->loads_as == TGC_I64,
          "safetensors entry for steps");
    tgc_safetensors_free_index(&index);
    float fb[6];
    int64_t ib[4];
    uint8_t bb[4];
    float sb = 0;
    CHECK(tgc_safetensors_load(path, "w\"eird\\name\n", TGC_F32, 2, shape23, fb, err, sizeof err) == 0 &&
              memcmp(fb, f, sizeof f) == 0,
          "safetensors f32 round trip (bits, NaN and -0 included): %s", err);
    CHECK(tgc_safetensors_load(path, "steps", TGC_I64, 1, shape4, ib, err, sizeof err) == 0 && memcmp(ib, i, sizeof i) == 0,
          "safetensors i64 round trip: %s", err);
    CHECK(tgc_safetensors_load(path, "mask", TGC_BOOL, 1, shape4, bb, err, sizeof err) == 0 && memcmp(bb, b, sizeof b) == 0,
          "safetensors bool round trip: %s", err);
    CHECK(tgc_safetensors_load(path, "scalar", TGC_F32, 0, NULL, &sb, err, sizeof err) == 0 && sb == 7.0f,
          "safetensors 0-dim round trip: %s", err);
    CHECK(tgc_safetensors_load(path, "empty", TGC_F32, 2, shape0, NULL, err, sizeof err) == 0,
          "safetensors empty round trip: %s", err);
    CHECK(tgc_safetensors_load(path, "nope", TGC_F32, 0, NULL, &sb, err, sizeof err) != 0, "missing tensor fails");
    CHECK_CONTAINS(err, "has no tensor 'nope'", "missing tensor message");
    CHECK(tgc_safetensors_load(path, "steps", TGC_I64, 2, shape23, ib, err, sizeof err) != 0, "wrong rank fails");
    CHECK_CONTAINS(err, "tensor 'steps' is I64 [4], expected int64 [2, 3]", "wrong shape message");
    CHECK(tgc_safetensors_load(path, "steps", TGC_F32, 1, shape4, fb, err, sizeof err) != 0, "wrong dtype fails");
    CHECK(tgc_safetensors_save(tmp_path("none/x.safetensors"), 1, tensors, err, sizeof err) != 0, "unwritable path fails");
    CHECK_CONTAINS(err, "cannot write", "unwritable path message");
}

/* Files written by the reference implementation (gen_safetensors_fixtures.py). */
static void test_safetensors_fixtures(void) {
    char err[512];
    tgc_safetensors_index index;
    CHECK(tgc_safetensors_read_index(fixture("mixed.safetensors"), &index, err, sizeof err) == 0, "mixed index: %s", err);
    CHECK(index.count == 7, "mixed: 7 tensors (metadata skipped), got %d", index.count);
    const tgc_safetensors_entry *d = st_entry(&index, "double");
    CHECK(d != NULL && strcmp(d->dtype_name, "F64") == 0 && d->loads_as == TGC_F64, "F64 loads as float64");
    CHECK(st_entry(&index, "\xe5\x90\x8d\xe5\x89\x8d") != NULL, "a UTF-8 name");
    const tgc_safetensors_entry *s = st_entry(&index, "scalar");
    CHECK(s != NULL && s->ndim == 0, "0-dim entry");
    tgc_safetensors_free_index(&index);
    int64_t shape23[2] = {2, 3}, shape4[1] = {4}, shape3[1] = {3}, shape22[2] = {2, 2};
    float w[6];
    double dbl[3];
    int64_t steps[4];
    uint8_t mask[4];
    CHECK(tgc_safetensors_load(fixture("mixed.safetensors"), "weight", TGC_F32, 2, shape23, w, err, sizeof err) == 0 &&
              w[0] == -1.0f && w[5] == 1.5f,
          "mixed weight: %s", err);
    CHECK(tgc_safetensors_load(fixture("mixed.safetensors"), "steps", TGC_I64, 1, shape4, steps, err, sizeof err) == 0 &&
              steps[0] == -3 && steps[3] == (int64_t)1 << 40,
          "mixed steps: %s", err);
    CHECK(tgc_safetensors_load(fixture("mixed.safetensors"), "mask", TGC_BOOL, 2, shape22, mask, err, sizeof err) == 0 &&
              mask[0] == 1 && mask[1] == 0 && mask[3] == 1,
          "mixed mask: %s", err);
    CHECK(tgc_safetensors_load(fixture("mixed.safetensors"), "double", TGC_F64, 1, shape3, dbl, err, sizeof err) == 0 &&
              dbl[0] == 0.1 && dbl[2] == 1e10,
          "mixed double as float64: %s", err);
    CHECK(tgc_safetensors_read_index(fixture("f16.safetensors"), &index, err, sizeof err) == 0 && index.entries[0].loads_as == -1,
          "F16 is indexed but not loadable");
    tgc_safetensors_free_index(&index);
}

/* Writes 8-byte length + header + data bytes. */
static void write_safetensors(const char *path, const char *header, size_t data_bytes) {
    size_t n = strlen(header);
    unsigned char *buf = calloc(8 + n + data_bytes, 1);
    for (int k = 0; k < 8; k++) buf[k] = (unsigned char)((uint64_t)n >> (8 * k));
    memcpy(buf + 8, header, n);
    write_bytes(path, buf, 8 + n + data_bytes);
    free(buf);
}

static void expect_index_error(const char *header, size_t data_bytes, const char *needle) {
    char err[512] = "";
    tgc_safetensors_index index;
    const char *path = tmp_path("bad.safetensors");
    write_safetensors(path, header, data_bytes);
    CHECK(tgc_safetensors_read_index(path, &index, err, sizeof err) != 0, "bad header accepted: %s", header);
    CHECK_CONTAINS(err, needle, header);
}

static void test_safetensors_errors(void) {
    const char *one = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    expect_index_error(one, 4, "the tensors cover 8 bytes but the file holds 4");
    expect_index_error(one, 12, "the tensors cover 8 bytes but the file holds 12");
    expect_index_error("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "spans 8 bytes but its shape needs 12");
    expect_index_error("{\"a\":{\"dtype\":\"X9\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "unknown dtype");
    expect_index_error("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "tensors must be contiguous");
    expect_index_error("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                       "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8, "tensors must be contiguous");
    expect_index_error("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                       "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "appears twice");
    expect_index_error("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "lacks dtype, shape or data_offsets");
    expect_index_error("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "non-negative integer");
    expect_index_error("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4, "too many dimensions");
    expect_index_error("[1, 2]", 0, "must be a JSON object");
    expect_index_error("{\"a\":", 0, "not a valid safetensors file");
    expect_index_error("{\"a\\q\":{}}", 0, "unknown escape");
    expect_index_error("{} trailing", 0, "text after the header object");
    char err[512] = "";
    tgc_safetensors_index index;
    write_bytes(tmp_path("short.safetensors"), "\x10\x00\x00", 3);
    CHECK(tgc_safetensors_read_index(tmp_path("short.safetensors"), &index, err, sizeof err) != 0, "3-byte file fails");
    CHECK_CONTAINS(err, "shorter than its 8-byte header length", "short file message");
    write_bytes(tmp_path("long.safetensors"), "\xff\xff\xff\xff\xff\xff\xff\x7f{}", 10);
    CHECK(tgc_safetensors_read_index(tmp_path("long.safetensors"), &index, err, sizeof err) != 0, "huge header length fails");
    CHECK_CONTAINS(err, "does not fit the file", "huge header length message");
    CHECK(tgc_safetensors_read_index(tmp_path("missing.safetensors"), &index, err, sizeof err) != 0, "missing file fails");
    CHECK_CONTAINS(err, "cannot read", "missing file message");
    /* An empty header with padding is a valid empty file. */
    write_safetensors(tmp_path("empty.safetensors"), "{}      ", 0);
    CHECK(tgc_safetensors_read_index(tmp_path("empty.safetensors"), &index, err, sizeof err) == 0 && index.count == 0,
          "empty file with padding: %s", err);
    tgc_safetensors_free_index(&index);
}

/* ---- child processes: fatal errors, argument parsing, bench report ---------------------- */

typedef struct {
    int status; /* exit status, or -1 when it did not exit normally */
    char out[8192], err[8192];
} child_result;

static void read_file_into(const char *path, char *buf, size_t len) {
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, len - 1, f) : 0;
    buf[n] = '\0';
    if (f) fclose(f);
}

/* Runs fn(arg) in a child with stdout and stderr captured in files. */
static void run_child(void (*fn)(void *), void *arg, child_result *res) {
    char out_path[600], err_path[600];
    snprintf(out_path, sizeof out_path, "%s/child.out", tmp_dir);
    snprintf(err_path, sizeof err_path, "%s/child.err", tmp_dir);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fo, 1);
        dup2(fe, 2);
        fn(arg);
        fflush(stdout);
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    res->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    read_file_into(out_path, res->out, sizeof res->out);
    read_file_into(err_path, res->err, sizeof res->err);
}

static void child_fatal(void *arg) {
    (void)arg;
    printf("before");
    tgc_fatal("boom %d of %s", 3, "many");
}

static void child_bench(void *arg) {
    (void)arg;
    double runs[4] = {3.0, 1.0, 2.0, 10.0};
    tgc_bench_report(runs, 4);
    double one = 1.23456;
    tgc_bench_report(&one, 1);
}

typedef struct { const char *argv[16]; } args_spec;

static void child_args(void *arg) {
    args_spec *a = arg;
    int argc = 0;
    while (a->argv[argc] != NULL) argc++;
    float xdata[6] = {0};
    tgc_input inputs[2] = {
        {"x", TGC_F32, 2, {2, 3}, xdata, 0},
        {"labels", TGC_I64, 1, {4}, NULL, 0},
    };
    tgc_options o;
    tgc_parse_args(argc, (char **)a->argv, "prog", "Adds things up.", inputs, 2, &o);
    double xsum = 0;
    for (int i = 0; i < 6; i++) xsum += xdata[i];
    int64_t lsum = 0;
    if (inputs[1].data != NULL)
        for (int i = 0; i < 4; i++) lsum += ((int64_t *)inputs[1].data)[i];
    printf("seed=%llu given=%d out=%s bench=%d threads=%d quiet=%d x=%d:%g labels=%d:%lld",
           (unsigned long long)o.seed, o.seed_given, o.out_dir, o.bench_runs, o.threads, o.quiet,
           inputs[0].bound, xsum, inputs[1].bound, (long long)lsum);
}

static void run_args(child_result *res, const char *a0, const char *a1, const char *a2,
                     const char *a3, const char *a4, const char *a5) {
    args_spec spec = {{"prog", a0, a1, a2, a3, a4, a5, NULL}};
    run_child(child_args, &spec, res);
}

#define ARGS(res, ...)                                                                         \
    do {                                                                                       \
        args_spec spec_ = {{"prog", __VA_ARGS__, NULL}};                                       \
        run_child(child_args, &spec_, (res));                                                  \
    } while (0)

static void expect_arg_error_h(const char *a0, const char *a1, const char *a2, const char *needle,
                               int hint) {
    child_result r;
    run_args(&r, a0, a1, a2, NULL, NULL, NULL);
    CHECK(r.status == 1, "args [%s %s %s]: exit status %d, want 1", a0, a1 ? a1 : "",
          a2 ? a2 : "", r.status);
    CHECK(strncmp(r.err, "error: ", 7) == 0, "args [%s]: stderr starts with 'error: ': [%s]", a0,
          r.err);
    CHECK_CONTAINS(r.err, needle, "args error text");
    if (hint) CHECK_CONTAINS(r.err, "(run with --help for usage)", "args error hint");
}
/* usage errors carry a hint to run with --help; file and directory errors do not */
#define expect_arg_error(a0, a1, a2, needle) expect_arg_error_h(a0, a1, a2, needle, 1)
#define expect_file_error(a0, a1, a2, needle) expect_arg_error_h(a0, a1, a2, needle, 0)

/* Hyperparameters: --lr X sets a run-time one, a fixed one takes only its compiled value. */
static void child_hyper_args(void *arg) {
    args_spec *a = arg;
    int argc = 0;
    while (a->argv[argc] != NULL) argc++;
    static double values[2] = {0.001, 10};
    static const tgc_hyper hypers[2] = {{"lr", "0.001", &values[0]}, {"epochs", "10", NULL}};
    tgc_set_hyperparameters(hypers, 2);
    tgc_options o;
    tgc_parse_args(argc, (char **)a->argv, "prog", "", NULL, 0, &o);
    printf("lr=%g", values[0]);
}

static void test_hyperparameter_args(void) {
    child_result r;
    args_spec set = {{"prog", "--lr", "0.25", "--epochs=10", NULL}};
    run_child(child_hyper_args, &set, &r);
    CHECK(r.status == 0, "--lr X: status %d (%s)", r.status, r.err);
    CHECK_STR(r.out, "lr=0.25", "--lr sets the run-time value; --epochs takes its compiled value");
    args_spec defaults = {{"prog", NULL}};
    run_child(child_hyper_args, &defaults, &r);
    CHECK_STR(r.out, "lr=0.001", "a hyperparameter not given keeps its default");
    args_spec fixed = {{"prog", "--epochs", "3", NULL}};
    run_child(child_hyper_args, &fixed, &r);
    CHECK(r.status == 1, "--epochs 3: status %d", r.status);
    CHECK_STR(r.err, "error: --epochs is fixed at compile time (compiled with epochs = 10); recompile with -D epochs=3 to change it\n",
              "a fixed hyperparameter names the -D to recompile with");
    const char *bad[] = {"abc", "", "nan", "inf", "1e999", "0.1x"};
    for (int i = 0; i < COUNT(bad); i++) {
        args_spec spec = {{"prog", "--lr", bad[i], NULL}};
        run_child(child_hyper_args, &spec, &r);
        CHECK(r.status == 1, "--lr '%s': status %d", bad[i], r.status);
        CHECK_CONTAINS(r.err, "--lr expects a number", "a value that is not a finite number");
    }
    args_spec help = {{"prog", "--help", NULL}};
    run_child(child_hyper_args, &help, &r);
    CHECK_CONTAINS(r.out, "hyperparameters:\n  --lr X      a number (default: 0.001)\n"
                          "  --epochs X  fixed at compile time: 10 (recompile with -D epochs=VALUE)\n",
                   "--help lists the hyperparameters");
}

static void test_children(void) {
    child_result r;
    run_child(child_fatal, NULL, &r);
    CHECK(r.status == 1, "tgc_fatal exits with 1 (got %d)", r.status);
    CHECK_STR(r.err, "error: boom 3 of many\n", "tgc_fatal text");
    CHECK_STR(r.out, "before", "tgc_fatal flushes stdout first");

    run_child(child_bench, NULL, &r);
    CHECK_STR(r.err,
              "bench: runs=4 min_ms=1.0000 median_ms=2.5000\n"
              "bench: runs=1 min_ms=1.2346 median_ms=1.2346\n",
              "bench report");

    /* defaults and values */
    run_args(&r, NULL, NULL, NULL, NULL, NULL, NULL);
    CHECK(r.status == 0, "no args: status %d (%s)", r.status, r.err);
    CHECK_STR(r.out, "seed=0 given=0 out=. bench=0 threads=0 quiet=0 x=0:0 labels=0:0",
              "defaults");
    ARGS(&r, "--seed", "18446744073709551615", "--bench", "3", "--threads", "2");
    CHECK_STR(r.out,
              "seed=18446744073709551615 given=1 out=. bench=3 threads=2 quiet=0 x=0:0 labels=0:0",
              "--seed --bench --threads");
    ARGS(&r, "--seed=7", "--bench=0", "--quiet", "--out", tmp_dir);
    char want[1024];
    snprintf(want, sizeof want,
             "seed=7 given=1 out=%s bench=0 threads=0 quiet=1 x=0:0 labels=0:0", tmp_dir);
    CHECK_STR(r.out, want, "--flag=value forms, --quiet, --out");

    /* --in binds inputs */
    char err[256];
    float x[6] = {1, 2, 3, 4, 5, 6.5f};
    int64_t labels[4] = {10, 20, 30, -1};
    int64_t s23[2] = {2, 3}, s4[1] = {4}, s32[2] = {3, 2};
    char xp[300], lp[300], bad[300], missing[300];
    snprintf(xp, sizeof xp, "%s", tmp_path("x_in.npy"));
    snprintf(lp, sizeof lp, "%s", tmp_path("labels_in.npy"));
    snprintf(bad, sizeof bad, "%s", tmp_path("x_bad.npy"));
    snprintf(missing, sizeof missing, "%s", tmp_path("nope.npy"));
    tgc_npy_save(xp, TGC_F32, 2, s23, x, err, sizeof err);
    tgc_npy_save(lp, TGC_I64, 1, s4, labels, err, sizeof err);
    tgc_npy_save(bad, TGC_F32, 2, s32, x, err, sizeof err);
    char bind_x[400], bind_l[400], bind_bad[400], bind_missing[400];
    snprintf(bind_x, sizeof bind_x, "x=%s", xp);
    snprintf(bind_l, sizeof bind_l, "labels=%s", lp);
    snprintf(bind_bad, sizeof bind_bad, "x=%s", bad);
    snprintf(bind_missing, sizeof bind_missing, "x=%s", missing);
    ARGS(&r, "--in", bind_x, "--in", bind_l);
    CHECK_STR(r.out, "seed=0 given=0 out=. bench=0 threads=0 quiet=0 x=1:21.5 labels=1:59",
              "--in binds both inputs (and allocates a NULL buffer)");
    char eq_form[700];
    snprintf(eq_form, sizeof eq_form, "--in=%s", bind_x);
    ARGS(&r, eq_form);
    CHECK_CONTAINS(r.out, "x=1:21.5 labels=0:0", "--in=NAME=FILE form");

    /* --help */
    ARGS(&r, "--help");
    CHECK(r.status == 0, "--help exits 0 (got %d)", r.status);
    CHECK_CONTAINS(r.out, "usage: prog [options]", "--help usage line");
    CHECK_CONTAINS(r.out, "Adds things up.", "--help description");
    const char *flags[] = {"--seed N", "--in NAME=FILE.npy", "--out DIR", "--bench N",
                           "--threads N", "--quiet", "--help"};
    for (int i = 0; i < COUNT(flags); i++) CHECK_CONTAINS(r.out, flags[i], "--help lists flags");
    CHECK_CONTAINS(r.out, "x       float32[2, 3]", "--help lists input x");
    CHECK_CONTAINS(r.out, "labels  int64[4]", "--help lists input labels");
    CHECK(r.err[0] == '\0', "--help writes nothing on stderr");
    ARGS(&r, "--seed", "3", "-h");
    CHECK(r.status == 0 && strstr(r.out, "usage: prog") != NULL, "-h prints usage");

    /* errors */
    expect_arg_error("--bogus", NULL, NULL, "unknown option '--bogus'");
    expect_arg_error("--bogus=3", NULL, NULL, "unknown option '--bogus'");
    expect_arg_error("-x", NULL, NULL, "unknown option '-x'");
    expect_arg_error("stray", NULL, NULL, "unexpected argument 'stray'");
    expect_arg_error("--seed", NULL, NULL, "--seed needs a value");
    expect_arg_error("--seed", "abc", NULL, "--seed expects a non-negative integer, got 'abc'");
    expect_arg_error("--seed", "-1", NULL, "--seed expects a non-negative integer, got '-1'");
    expect_arg_error("--seed=", NULL, NULL, "--seed expects a non-negative integer, got an empty value");
    expect_arg_error("--seed", "18446744073709551616", NULL, "--seed value '18446744073709551616' is too large");
    expect_arg_error("--bench", "-3", NULL, "--bench expects a non-negative integer, got '-3'");
    expect_arg_error("--bench", "2.5", NULL, "--bench expects a non-negative integer, got '2.5'");
    expect_arg_error("--threads", "-1", NULL, "--threads expects a non-negative integer, got '-1'");
    expect_arg_error("--threads", "100000", NULL, "--threads value '100000' is too large");
    expect_arg_error("--quiet=1", NULL, NULL, "--quiet takes no value");
    expect_arg_error("--in", "y=a.npy", NULL, "unknown input 'y' (inputs: x, labels)");
    expect_arg_error("--in", "x", NULL, "--in expects NAME=FILE.npy, got 'x'");
    expect_arg_error("--in", "=a.npy", NULL, "--in expects NAME=FILE.npy, got '=a.npy'");
    expect_arg_error("--in", "x=", NULL, "--in expects NAME=FILE.npy, got 'x='");
    snprintf(want, sizeof want, "input 'x': cannot open '%s': No such file or directory",
             missing);
    expect_file_error("--in", bind_missing, NULL, want);
    snprintf(want, sizeof want, "input 'x': '%s' has shape [3, 2], expected [2, 3]", bad);
    expect_file_error("--in", bind_bad, NULL, want);
    snprintf(want, sizeof want, "input 'labels': '%s' has dtype float32, expected int64", xp);
    snprintf(bind_l, sizeof bind_l, "labels=%s", xp);
    expect_file_error("--in", bind_l, NULL, want);
    {
        child_result rr;
        ARGS(&rr, "--in", bind_x, "--in", bind_x);
        CHECK(rr.status == 1 && strstr(rr.err, "input 'x' is given twice") != NULL,
              "--in twice: %s", rr.err);
    }
    expect_file_error("--out", "/definitely/not/here", NULL,
                     "--out directory '/definitely/not/here' does not exist");
    expect_file_error("--out", xp, NULL, "is not a directory");
    expect_arg_error("--out", NULL, NULL, "--out needs a value");
}

static void test_output_path_and_timer(void) {
    tgc_options o = {0, 0, ".", 0, 0, 0};
    char *p = tgc_output_path(&o, "w.npy");
    CHECK_STR(p, "w.npy", "output path with --out .");
    free(p);
    o.out_dir = "results";
    p = tgc_output_path(&o, "sub/w.npy");
    CHECK_STR(p, "results/sub/w.npy", "output path joined");
    free(p);
    o.out_dir = "results/";
    p = tgc_output_path(&o, "w.npy");
    CHECK_STR(p, "results/w.npy", "output path with trailing slash");
    free(p);
    p = tgc_output_path(&o, "/abs/w.npy");
    CHECK_STR(p, "/abs/w.npy", "absolute output path kept");
    free(p);

    double t0 = tgc_now_ms();
    volatile double x = 0;
    for (int i = 0; i < 100000; i++) x += i;
    double t1 = tgc_now_ms();
    CHECK(t1 >= t0 && t0 > 0, "tgc_now_ms is monotonic (%f, %f)", t0, t1);
}

/* Removes the (flat) temporary directory and what the tests left in it. */
static void remove_tmp_dir(void) {
    DIR *d = opendir(tmp_dir);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            char path[600];
            snprintf(path, sizeof path, "%s/%s", tmp_dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    if (rmdir(tmp_dir) != 0) printf("note: could not remove %s\n", tmp_dir);
}

/* tolist() as Python prints it (expected strings from PyTorch 2.13's print(t.tolist())). */
static void expect_list(const void *data, tgc_dtype dt, const int64_t *shape, int ndim, const char *expected) {
    tgc_str s;
    tgc_str_init(&s);
    tgc_str_append_list(&s, data, dt, shape, ndim);
    CHECK(strcmp(s.data, expected) == 0, "tolist %s: got %s", expected, s.data);
    tgc_str_free(&s);
}

static void test_list_printing(void) {
    float f[4] = {1.0f, 2.5f, 3.0f, 0.1f};
    int64_t s22[2] = {2, 2}, s2[1] = {2}, s20[2] = {2, 0}, s0[1] = {0};
    expect_list(f, TGC_F32, s22, 2, "[[1.0, 2.5], [3.0, 0.10000000149011612]]");
    double d[2] = {0.1, -1e300};
    expect_list(d, TGC_F64, s2, 1, "[0.1, -1e+300]");
    int64_t i[2] = {-9223372036854775807LL - 1, 7};
    expect_list(i, TGC_I64, s2, 1, "[-9223372036854775808, 7]");
    int32_t i32[2] = {-2147483647 - 1, 2147483647};
    expect_list(i32, TGC_I32, s2, 1, "[-2147483648, 2147483647]");
    uint8_t u[2] = {0, 255}, b[2] = {1, 0};
    expect_list(u, TGC_U8, s2, 1, "[0, 255]");
    expect_list(b, TGC_BOOL, s2, 1, "[True, False]");
    expect_list(f, TGC_F32, s20, 2, "[[], []]");
    expect_list(f, TGC_F32, s0, 1, "[]");
    expect_list(d, TGC_F64, NULL, 0, "0.1");
}

/* distributed.c built without MPI: one process of rank 0, the all-reduce a copy (also in place). */
static void test_distributed_single_process(void) {
    int argc = 1;
    char *args[] = {"program", NULL}, **argv = args;
    tgc_distributed_init(&argc, &argv, 0);
    CHECK(tgc_process_rank() == 0 && tgc_process_count() == 1, "one process of rank 0");
    float x[3] = {1.5f, -2.0f, 0.25f}, y[3] = {0};
    tgc_all_reduce_mean_f32(x, y, 3);
    CHECK(memcmp(x, y, sizeof x) == 0, "the mean over one process is the tensor");
    double d[2] = {0.1, -7};
    tgc_all_reduce_mean_f64(d, d, 2);
    CHECK(d[0] == 0.1 && d[1] == -7, "in place too");
    tgc_distributed_finalize();
}

int main(int argc, char **argv) {
    if (argc > 1) fixtures_dir = argv[1];
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/tgc_rt_test_XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(tmp_dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    test_basics();
    test_print_cases();
    test_float_format();
    test_philox_kat();
    test_rng_streams();
    test_npy_round_trip();
    test_list_printing();
    test_npy_fixtures();
    test_npy_errors();
    test_idx();
    test_safetensors_round_trip();
    test_safetensors_fixtures();
    test_safetensors_errors();
    test_children();
    test_hyperparameter_args();
    test_output_path_and_timer();
    test_distributed_single_process();
    test_cascade_sum();
    test_argsort();   /* after test_children: may start OpenMP threads, which must not precede fork() */
    test_rng_stats(); /* last: may start OpenMP threads, which must not precede fork() */

    remove_tmp_dir();
    printf("runtime: %d passed, %d failed\n", n_passed, n_failed);
    return n_failed != 0;
}
