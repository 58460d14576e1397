/* Tests of tgc_sgemm against a naive double-accumulating reference, for every micro-kernel
   this CPU supports (AVX-512, AVX2, portable C). Prints each failing check, then
   "gemm: N passed, N failed" and, last, the same counts as "runtime: N passed, N failed",
   the line Tests/scripts/run-all-tests.sh adds up.

   Tolerance: |c - ref| <= 1e-5 * (|alpha| * k * max|a| * max|b| + |beta| * max|c0|).
   k * max|a| * max|b| bounds sum_p |a_ip * b_pj|, and the rounding error of an fp32 dot
   product is at most (steps * 2^-24) times that sum; 1e-5 is about 168 * 2^-24, so the bound
   is the worst case for up to ~168 accumulation steps and far above the typical error
   (~sqrt(k) * 2^-24 relative) for the longer sums tested here (k <= 600), yet a wrong index,
   a dropped or doubled product or a missed beta term moves the result far more. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/gemm_internal.h"
#include "tgc_runtime.h"
#include "check.h"



static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static float frand(void) { /* uniform in [-1, 1) */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((double)(rng_state >> 40) / (double)(1ull << 24) * 2.0 - 1.0);
}

#define SENTINEL 1234.5f

/* A rows x cols matrix with row stride ld >= cols; the padding holds NaN (never read). */
static float *make_matrix(int64_t rows, int64_t cols, int64_t ld, float scale) {
    float *x = malloc((size_t)(rows * ld + 1) * sizeof(float));
    for (int64_t i = 0; i < rows * ld + 1; i++) x[i] = NAN;
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) x[i * ld + j] = scale * frand();
    return x;
}

typedef struct {
    const tgc__gemm_kernel_info *ki; /* NULL: the public tgc_sgemm */
    int threads;                     /* for tgc__sgemm_with; 0: automatic */
} runner;

static void run_gemm(runner r, int ta, int tb, int64_t m, int64_t n, int64_t k, float alpha,
                     const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                     float *c, int64_t ldc) {
    if (r.ki == NULL)
        tgc_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    else
        tgc__sgemm_with(r.ki, r.threads, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc,
                        NULL, NULL);
}

/* One call checked element by element; lda/ldb/ldc get `pad` extra columns. */
static void check_case(runner r, const char *name, int ta, int tb, int64_t m, int64_t n,
                       int64_t k, float alpha, float beta, int64_t pad, int line) {
    int64_t a_rows = ta ? k : m, a_cols = ta ? m : k, b_rows = tb ? n : k, b_cols = tb ? k : n;
    int64_t lda = a_cols + pad, ldb = b_cols + pad, ldc = n + pad;
    float *a = make_matrix(a_rows, a_cols, lda, 1.0f);
    float *b = make_matrix(b_rows, b_cols, ldb, 2.0f);
    /* C has one guard row after its m rows; guard and padding must stay SENTINEL. */
    float *c = malloc((size_t)((m + 1) * ldc) * sizeof(float));
    float *c0 = malloc((size_t)((m + 1) * ldc) * sizeof(float));
    for (int64_t i = 0; i < (m + 1) * ldc; i++) c[i] = SENTINEL;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) c[i * ldc + j] = beta == 0.0f ? NAN : frand();
    memcpy(c0, c, (size_t)((m + 1) * ldc) * sizeof(float));

    double max_a = 0, max_b = 0, max_c = 0;
    for (int64_t i = 0; i < a_rows; i++)
        for (int64_t j = 0; j < a_cols; j++) max_a = fmax(max_a, fabs(a[i * lda + j]));
    for (int64_t i = 0; i < b_rows; i++)
        for (int64_t j = 0; j < b_cols; j++) max_b = fmax(max_b, fabs(b[i * ldb + j]));
    if (beta != 0.0f)
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) max_c = fmax(max_c, fabs(c0[i * ldc + j]));
    double tol = 1e-5 * (fabs(alpha) * (double)k * max_a * max_b + fabs(beta) * max_c);

    run_gemm(r, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    int64_t bad = 0, bad_i = -1, bad_j = -1;
    double worst = 0, got_v = 0, want_v = 0;
    for (int64_t i = 0; i <= m; i++) {
        for (int64_t j = 0; j < ldc; j++) {
            double got = c[i * ldc + j], want;
            if (i == m || j >= n) { /* guard row, padding: untouched */
                if (got != SENTINEL) bad++, bad_i = i, bad_j = j, got_v = got, want_v = SENTINEL;
                continue;
            }
            double s = 0;
            for (int64_t p = 0; p < k; p++) {
                double av = ta ? a[p * lda + i] : a[i * lda + p];
                double bv = tb ? b[j * ldb + p] : b[p * ldb + j];
                s += av * bv;
            }
            want = (double)alpha * s + (beta == 0.0f ? 0.0 : (double)beta * c0[i * ldc + j]);
            double err = fabs(got - want);
            if (!(err <= tol)) {
                if (bad == 0 || err > worst || isnan(err))
                    worst = err, bad_i = i, bad_j = j, got_v = got, want_v = want;
                bad++;
            }
        }
    }
    check_at(bad == 0, line,
             "%s %c%c m=%lld n=%lld k=%lld alpha=%g beta=%g pad=%lld threads=%d: %lld bad, "
             "e.g. C[%lld][%lld] = %.9g, want %.9g (tol %.3g)",
             name, ta ? 'T' : 'N', tb ? 'T' : 'N', (long long)m, (long long)n, (long long)k,
             (double)alpha, (double)beta, (long long)pad, r.threads, (long long)bad,
             (long long)bad_i, (long long)bad_j, got_v, want_v, tol);
    free(a);
    free(b);
    free(c);
    free(c0);
}

static const int64_t shapes[][3] = {
    {1, 1, 1},   {1, 7, 3},      {3, 17, 5},     {17, 3, 129},  {129, 3, 1},
    {64, 64, 64}, {100, 37, 300}, {257, 513, 129}, {15, 33, 257}, {29, 65, 17},
};
#define COUNT(x) ((int)(sizeof(x) / sizeof((x)[0])))

static void test_kernel(runner r, const char *name) {
    static const float ab[][2] = {{1.0f, 0.0f}, {1.0f, 1.0f}, {-0.5f, 2.0f}, {2.0f, -1.0f}};
    for (int s = 0; s < COUNT(shapes); s++) {
        for (int t = 0; t < 4; t++) {
            for (int v = 0; v < COUNT(ab); v++) {
                if (shapes[s][0] * shapes[s][1] * shapes[s][2] > 1000000 && v != t) continue;
                int64_t pad = (s + t + v) % 3 == 0 ? 0 : (s + v) % 5 + 1;
                check_case(r, name, t & 1, t >> 1, shapes[s][0], shapes[s][1], shapes[s][2],
                           ab[v][0], ab[v][1], pad, __LINE__);
            }
        }
    }
    /* Blocking edges: k > kc (several pc blocks, beta applied once), n > nc (several jc
       blocks), m > mc (several ic blocks), and a short, wide C (threads split columns). */
    int64_t kc = r.ki ? r.ki->kc : 256, nc = r.ki ? r.ki->nc : 2048, mc = r.ki ? r.ki->mc : 256;
    check_case(r, name, 0, 0, 33, 40, 2 * kc + 7, 1.0f, 0.5f, 1, __LINE__);
    check_case(r, name, 1, 1, 21, 19, kc + 1, 1.5f, 0.0f, 0, __LINE__);
    check_case(r, name, 0, 1, 3, nc + 45, 9, 1.0f, 1.0f, 2, __LINE__);
    check_case(r, name, 1, 0, mc + 37, 30, 20, 1.0f, 0.0f, 0, __LINE__);
    check_case(r, name, 0, 0, 5, 700, 40, 1.0f, 0.0f, 3, __LINE__);
}

/* alpha = 0 and k = 0 give beta * C without reading A or B; empty C is a no-op. */
static void test_degenerate(void) {
    float a[6] = {NAN, NAN, NAN, NAN, NAN, NAN}, b[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
    float c[6] = {1, 2, 3, 4, 5, 6};
    tgc_sgemm(0, 0, 2, 3, 1, 0.0f, a, 1, b, 3, 2.0f, c, 3);
    CHECK(c[0] == 2 && c[5] == 12, "alpha=0 scales C by beta: %g %g", (double)c[0], (double)c[5]);
    tgc_sgemm(1, 1, 2, 3, 0, 1.0f, a, 2, b, 1, 0.5f, c, 3);
    CHECK(c[0] == 1 && c[5] == 6, "k=0 scales C by beta: %g %g", (double)c[0], (double)c[5]);
    for (int i = 0; i < 6; i++) c[i] = NAN;
    tgc_sgemm(0, 0, 2, 3, 0, 1.0f, a, 1, b, 3, 0.0f, c, 3);
    CHECK(c[0] == 0 && c[5] == 0 && !signbit(c[0]), "k=0, beta=0 zeroes C: %g", (double)c[0]);
    c[0] = 7;
    tgc_sgemm(0, 0, 0, 3, 2, 1.0f, a, 2, b, 3, 0.0f, c, 3);
    tgc_sgemm(0, 0, 2, 0, 2, 1.0f, a, 2, b, 1, 0.0f, c, 1);
    CHECK(c[0] == 7, "m=0 / n=0 leave C alone: %g", (double)c[0]);
    /* A small exact product: [[1,2],[3,4]] @ [[5,6],[7,8]] = [[19,22],[43,50]]. */
    float x[4] = {1, 2, 3, 4}, y[4] = {5, 6, 7, 8}, z[4];
    tgc_sgemm(0, 0, 2, 2, 2, 1.0f, x, 2, y, 2, 0.0f, z, 2);
    CHECK(z[0] == 19 && z[1] == 22 && z[2] == 43 && z[3] == 50, "2x2: %g %g %g %g",
          (double)z[0], (double)z[1], (double)z[2], (double)z[3]);
    tgc_sgemm(1, 1, 2, 2, 2, 1.0f, x, 2, y, 2, 0.0f, z, 2); /* x^T y^T = (y x)^T */
    CHECK(z[0] == 23 && z[1] == 31 && z[2] == 34 && z[3] == 46, "2x2 TT: %g %g %g %g",
          (double)z[0], (double)z[1], (double)z[2], (double)z[3]);
}

/* The same bits whatever the thread count (the split never changes an element's sums). */
static void test_thread_invariance(const tgc__gemm_kernel_info *ki) {
    static const int64_t cases[][3] = {{257, 513, 300}, {7, 900, 50}, {600, 40, 70}};
    for (int s = 0; s < COUNT(cases); s++) {
        int64_t m = cases[s][0], n = cases[s][1], k = cases[s][2];
        float *a = make_matrix(m, k, k, 1.0f), *b = make_matrix(k, n, n, 1.0f);
        float *c1 = malloc((size_t)(m * n) * sizeof(float));
        float *c2 = malloc((size_t)(m * n) * sizeof(float));
        tgc__sgemm_with(ki, 1, 0, 0, m, n, k, 1.0f, a, k, b, n, 0.0f, c1, n, NULL, NULL);
        tgc__sgemm_with(ki, 2, 0, 0, m, n, k, 1.0f, a, k, b, n, 0.0f, c2, n, NULL, NULL);
        CHECK(memcmp(c1, c2, (size_t)(m * n) * sizeof(float)) == 0,
              "%s m=%lld n=%lld k=%lld: 1 and 2 threads differ", ki->name, (long long)m,
              (long long)n, (long long)k);
        free(a);
        free(b);
        free(c1);
        free(c2);
    }
}

/* A product of one row (a block of one row: the kernel's row_kernel where it has one, reading
   the row in place, along k or, transposed, down a column) gives the bits of the same row in a
   product of three (micro-kernel tiles), on 1 and 2 threads, with beta applied once over
   several k blocks, partial last panels and several jc blocks, and writes nothing past its n
   columns. */
static void test_one_row(const tgc__gemm_kernel_info *ki) {
    const int64_t kc = ki->kc, nc = ki->nc;
    const int64_t cases[][2] = {{10, 128}, {32, 5}, {33, 2 * kc + 7}, {128, 3136}, {200, 77}, {nc + 45, 9}};
    static const float ab[][2] = {{1.0f, 0.0f}, {-0.5f, 2.0f}};
    for (int s = 0; s < COUNT(cases); s++)
        for (int tab = 0; tab < 4; tab++)
            for (int v = 0; v < COUNT(ab); v++) {
                const int ta = tab / 2, tb = tab % 2;
                const int64_t n = cases[s][0], k = cases[s][1], ldb = tb ? k : n, ldc = n + 3;
                float *a = make_matrix(3, k, k, 1.0f), *b = make_matrix(tb ? n : k, ldb, ldb, 1.0f);
                float *at = malloc((size_t)(3 * k) * sizeof(float)); /* a transposed: [k, 3] */
                for (int64_t i = 0; i < 3; i++)
                    for (int64_t p = 0; p < k; p++) at[p * 3 + i] = a[i * k + p];
                float *c3 = make_matrix(3, ldc, ldc, 1.0f), *c1 = malloc((size_t)ldc * sizeof(float));
                float *row0 = malloc((size_t)ldc * sizeof(float)); /* C's row before the products */
                memcpy(row0, c3 + ldc, (size_t)ldc * sizeof(float));
                for (int threads = 1; threads <= 2; threads++) {
                    memcpy(c1, row0, (size_t)ldc * sizeof(float));
                    for (int64_t j = n; j < ldc; j++) c1[j] = SENTINEL;
                    if (ta) tgc__sgemm_with(ki, threads, 1, tb, 1, n, k, ab[v][0], at + 1, 3, b, ldb, ab[v][1], c1, ldc, NULL, NULL);
                    else tgc__sgemm_with(ki, threads, 0, tb, 1, n, k, ab[v][0], a + k, k, b, ldb, ab[v][1], c1, ldc, NULL, NULL);
                    if (threads == 1)
                        tgc__sgemm_with(ki, 1, 0, tb, 3, n, k, ab[v][0], a, k, b, ldb, ab[v][1], c3, ldc, NULL, NULL);
                    int guards = 1;
                    for (int64_t j = n; j < ldc; j++) guards &= c1[j] == SENTINEL;
                    CHECK(memcmp(c1, c3 + ldc, (size_t)n * sizeof(float)) == 0 && guards,
                          "%s one row %c%c n=%lld k=%lld alpha=%g beta=%g, %d threads: bits differ from the row of a "
                          "3-row product, or a column past n was written", ki->name, ta ? 'T' : 'N', tb ? 'T' : 'N', (long long)n,
                          (long long)k, (double)ab[v][0], (double)ab[v][1], threads);
                }
                free(a);
                free(at);
                free(b);
                free(c3);
                free(c1);
                free(row0);
            }
}

/* The epilogue of test_epilogue: C[i][j] = relu(C[i][j] + bias[j]), counting visits. */
typedef struct {
    float *c;
    const float *bias;
    int *visits;
    int64_t ldc;
} bias_relu;

static void bias_relu_block(void *ctx, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
    bias_relu *e = ctx;
    for (int64_t i = i0; i < i1; i++) {
        for (int64_t j = j0; j < j1; j++) {
            float v = e->c[i * e->ldc + j] + e->bias[j];
            e->c[i * e->ldc + j] = v > 0.0f ? v : 0.0f;
            e->visits[i * e->ldc + j]++;
        }
    }
}

/* tgc_sgemm_epilogue: every element finished exactly once, and the same bits as the plain
   product followed by the same function, on 1 and 2 threads (row and column splits, several
   k blocks, transposes, edge tiles). */
static void test_epilogue(const tgc__gemm_kernel_info *ki) {
    static const int64_t cases[][3] = {{1, 1, 1},   {3, 17, 5},  {17, 3, 129}, {129, 129, 600},
                                       {7, 900, 50}, {130, 70, 40}, {1, 129, 3}, {128, 10, 128}};
    for (int s = 0; s < COUNT(cases); s++) {
        for (int t = 0; t < 4; t++) {
            int64_t m = cases[s][0], n = cases[s][1], k = cases[s][2];
            int ta = t & 1, tb = t >> 1;
            int64_t lda = ta ? m : k, ldb = tb ? k : n;
            float *a = make_matrix(ta ? k : m, lda, lda, 1.0f);
            float *b = make_matrix(tb ? n : k, ldb, ldb, 1.0f);
            float *bias = make_matrix(1, n, n, 1.0f);
            float *want = malloc((size_t)(m * n) * sizeof(float));
            tgc__sgemm_with(ki, 1, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, want, n, NULL,
                            NULL);
            for (int64_t i = 0; i < m * n; i++) {
                float v = want[i] + bias[i % n];
                want[i] = v > 0.0f ? v : 0.0f;
            }
            for (int threads = 1; threads <= 2; threads++) {
                float *c = malloc((size_t)(m * n) * sizeof(float));
                int *visits = calloc((size_t)(m * n), sizeof(int));
                bias_relu e = {c, bias, visits, n};
                tgc__sgemm_with(ki, threads, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n,
                                bias_relu_block, &e);
                int64_t once = 0;
                for (int64_t i = 0; i < m * n; i++) once += visits[i] == 1;
                CHECK(once == m * n && memcmp(c, want, (size_t)(m * n) * sizeof(float)) == 0,
                      "%s epilogue %c%c m=%lld n=%lld k=%lld threads=%d: %lld of %lld elements "
                      "finished once, or bits differ from the plain product + relu",
                      ki->name, ta ? 'T' : 'N', tb ? 'T' : 'N', (long long)m, (long long)n,
                      (long long)k, threads, (long long)once, (long long)(m * n));
                free(c);
                free(visits);
            }
            free(a);
            free(b);
            free(bias);
            free(want);
        }
    }
    /* k = 0: C = beta * C, then the epilogue once over all of C. */
    float c[6] = {1, -2, 3, -4, 5, -6}, bias[3] = {0, 0, 1};
    int visits[6] = {0};
    bias_relu e = {c, bias, visits, 3};
    tgc_sgemm_epilogue(0, 0, 2, 3, 0, 1.0f, NULL, 1, NULL, 3, 1.0f, c, 3, bias_relu_block, &e);
    CHECK(c[0] == 1 && c[1] == 0 && c[5] == 0 && c[2] == 4 && visits[0] == 1 && visits[5] == 1,
          "k=0 epilogue: %g %g %g", (double)c[0], (double)c[1], (double)c[2]);
}

/* tgc_sgemm_prepacked: A, B or both packed once (tgc_sgemm_pack_a/b) give tgc_sgemm_epilogue's
   bits (transposes, edge panels, several k blocks; the larger products run on the OpenMP
   threads, split by rows or by columns: 1 x 128 x 3136 with B packed, the one-image classifier's
   Linear, by columns), and a packed operand reused by a second call gives them again. */
static void test_prepacked(void) {
    static const int64_t cases[][3] = {{1, 128, 3136}, {64, 128, 3136}, {1, 10, 128}, {3, 17, 5},
                                       {257, 513, 300}, {7, 900, 50},   {600, 40, 70}, {130, 70, 1100}};
    for (int s = 0; s < COUNT(cases); s++) {
        for (int t = 0; t < 4; t++) {
            const int64_t m = cases[s][0], n = cases[s][1], k = cases[s][2];
            const int ta = t & 1, tb = t >> 1;
            const int64_t lda = ta ? m : k, ldb = tb ? k : n;
            float *a = make_matrix(ta ? k : m, lda, lda, 1.0f), *b = make_matrix(tb ? n : k, ldb, ldb, 1.0f);
            float *bias = make_matrix(1, n, n, 1.0f);
            float *want = malloc((size_t)(m * n) * sizeof(float)), *c = malloc((size_t)(m * n) * sizeof(float));
            int *visits = calloc((size_t)(m * n), sizeof(int));
            bias_relu e = {want, bias, visits, n};
            tgc_sgemm_epilogue(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, want, n, bias_relu_block, &e);
            tgc_sgemm_packed *pa = tgc_sgemm_pack_a(ta, m, k, a, lda), *pb = tgc_sgemm_pack_b(tb, k, n, b, ldb);
            for (int which = 1; which <= 4; which++) { /* A, B, both, B again */
                memset(visits, 0, (size_t)(m * n) * sizeof(int));
                e.c = c;
                tgc_sgemm_prepacked(ta, tb, m, n, k, 1.0f, a, lda, which & 1 ? pa : NULL, b, ldb, which >= 2 ? pb : NULL,
                                    0.0f, c, n, bias_relu_block, &e);
                int64_t once = 0;
                for (int64_t i = 0; i < m * n; i++) once += visits[i] == 1;
                CHECK(once == m * n && memcmp(c, want, (size_t)(m * n) * sizeof(float)) == 0,
                      "prepacked %s %c%c m=%lld n=%lld k=%lld: %lld of %lld elements finished once, or bits differ "
                      "from tgc_sgemm_epilogue", which == 1 ? "A" : which == 3 ? "A and B" : "B", ta ? 'T' : 'N',
                      tb ? 'T' : 'N', (long long)m, (long long)n, (long long)k, (long long)once, (long long)(m * n));
            }
            tgc_sgemm_packed_free(pa);
            tgc_sgemm_packed_free(pb);
            free(a);
            free(b);
            free(bias);
            free(want);
            free(c);
            free(visits);
        }
    }
    tgc_sgemm_packed_free(NULL);
}

/* Small products add their rounded products in plain order, as PyTorch's CPU matmul: the values
   are what torch 2.13 printed (a fused multiply-add gives 0.64000004529953 for the second). */
static void test_plain_order(void) {
    const float a[6] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, b[6] = {0.7f, 0.8f, 0.9f, 1.0f, 1.1f, 1.2f};
    float c[4];
    tgc_sgemm(0, 0, 2, 2, 3, 1.0f, a, 3, b, 2, 0.0f, c, 2);
    CHECK(c[0] == 0.5800000429153442f && c[1] == 0.6399999856948853f && c[2] == 1.3900001049041748f &&
          c[3] == 1.540000081062317f, "a 2x3 by 3x2 product in plain order: %.9g %.9g %.9g %.9g", c[0], c[1], c[2], c[3]);
    /* A rotation times its transpose: 0 off the diagonal, where a fused sum leaves -7.86e-09. */
    const float co = cosf(0.3f), si = sinf(0.3f), u[4] = {co, -si, si, co};
    tgc_sgemm(0, 1, 2, 2, 2, 1.0f, u, 2, u, 2, 0.0f, c, 2);
    CHECK(c[1] == 0.0f && c[2] == 0.0f, "u uᵀ off the diagonal: %g %g", c[1], c[2]);
}

int main(void) {
    const tgc__gemm_kernel_info *kernels[8];
    int nk = tgc__gemm_kernels(kernels);
    printf("gemm kernels:");
    for (int i = 0; i < nk; i++)
        printf(" %s (%dx%d, mc=%lld kc=%lld nc=%lld)", kernels[i]->name, kernels[i]->mr,
               kernels[i]->nr, (long long)kernels[i]->mc, (long long)kernels[i]->kc,
               (long long)kernels[i]->nc);
    printf("\n");
    test_degenerate();
    test_plain_order();
    test_kernel((runner){NULL, 0}, "tgc_sgemm");
    test_prepacked();
    for (int i = 0; i < nk; i++) {
        test_kernel((runner){kernels[i], 1}, kernels[i]->name);
        test_kernel((runner){kernels[i], 2}, kernels[i]->name);
        test_thread_invariance(kernels[i]);
        test_one_row(kernels[i]);
        test_epilogue(kernels[i]);
    }
    printf("gemm: %d passed, %d failed\n", n_passed, n_failed);
    printf("runtime: %d passed, %d failed\n", n_passed, n_failed);
    return n_failed != 0;
}
