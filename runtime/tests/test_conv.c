/* Tests of tgc_conv2d_* against a naive direct convolution in double, on random shapes with
   stride, padding, dilation and groups; float32 also run with 1 and 2 threads, which must
   give the same bits. Then tgc_max_pool2d_indices_* against a direct scan. Prints "conv: N passed, N failed", then the same as "runtime: ...". */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "check.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double drand(void) {
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}
static int64_t irand(int64_t lo, int64_t hi) { return lo + (int64_t)((drand() + 1.0) / 2.0 * (double)(hi - lo + 1)) % (hi - lo + 1); }

typedef enum { FORWARD, INPUT_GRAD, WEIGHT_GRAD } which;

/* The naive reference: out-of-place sums over every (output, tap) pair. */
static void reference(const tgc_conv2d_shape *s, which op, const double *a, const double *b, double *r, int64_t count) {
    memset(r, 0, (size_t)count * sizeof(double));
    int64_t cg = s->c / s->groups, og = s->o / s->groups;
    for (int64_t n = 0; n < s->n; n++)
        for (int64_t oc = 0; oc < s->o; oc++)
            for (int64_t oy = 0; oy < s->oh; oy++)
                for (int64_t ox = 0; ox < s->ow; ox++)
                    for (int64_t ci = 0; ci < cg; ci++)
                        for (int64_t i = 0; i < s->kh; i++)
                            for (int64_t j = 0; j < s->kw; j++) {
                                int64_t iy = oy * s->sh - s->ph + i * s->dh, ix = ox * s->sw - s->pw + j * s->dw;
                                if (iy < 0 || iy >= s->h || ix < 0 || ix >= s->w) continue;
                                int64_t in = ((n * s->c + oc / og * cg + ci) * s->h + iy) * s->w + ix;
                                int64_t out = ((n * s->o + oc) * s->oh + oy) * s->ow + ox;
                                int64_t tap = ((oc * cg + ci) * s->kh + i) * s->kw + j;
                                if (op == FORWARD) r[out] += a[in] * b[tap];
                                else if (op == INPUT_GRAD) r[in] += a[out] * b[tap];
                                else r[tap] += a[in] * b[out];
                            }
}

static void set_threads(int n) {
#ifdef _OPENMP
    omp_set_num_threads(n);
#else
    (void)n;
#endif
}

static void check_shape(tgc_conv2d_shape s) {
    s.oh = (s.h + 2 * s.ph - s.dh * (s.kh - 1) - 1) / s.sh + 1;
    s.ow = (s.w + 2 * s.pw - s.dw * (s.kw - 1) - 1) / s.sw + 1;
    if (s.oh <= 0 || s.ow <= 0) return;
    int64_t sizes[3] = {s.n * s.c * s.h * s.w, s.o * (s.c / s.groups) * s.kh * s.kw, s.n * s.o * s.oh * s.ow};
    double *d[3];
    float *f[3];
    for (int t = 0; t < 3; t++) {
        d[t] = malloc((size_t)sizes[t] * sizeof(double) + 8);
        f[t] = malloc((size_t)sizes[t] * sizeof(float) + 4);
        for (int64_t i = 0; i < sizes[t]; i++) f[t][i] = (float)drand(), d[t][i] = f[t][i];
    }
    /* operands (as indices into x, w, y) and result of each op */
    const int operands[3][3] = {{0, 1, 2}, {2, 1, 0}, {0, 2, 1}};
    for (int op = 0; op < 3; op++) {
        int ia = operands[op][0], ib = operands[op][1], ir = operands[op][2];
        int64_t count = sizes[ir];
        double *want = malloc((size_t)count * sizeof(double) + 8), *got64 = malloc((size_t)count * sizeof(double) + 8);
        float *got1 = malloc((size_t)count * sizeof(float) + 4), *got2 = malloc((size_t)count * sizeof(float) + 4);
        reference(&s, (which)op, d[ia], d[ib], want, count);
        for (int64_t i = 0; i < count; i++) got1[i] = got2[i] = NAN, got64[i] = NAN;
        for (int threads = 1; threads <= 2; threads++) {
            set_threads(threads);
            float *got = threads == 1 ? got1 : got2;
            if (op == FORWARD) tgc_conv2d_f32(&s, f[0], f[1], got);
            else if (op == INPUT_GRAD) tgc_conv2d_input_grad_f32(&s, f[2], f[1], got);
            else tgc_conv2d_weight_grad_f32(&s, f[0], f[2], got);
        }
        if (op == FORWARD) tgc_conv2d_f64(&s, d[0], d[1], got64);
        else if (op == INPUT_GRAD) tgc_conv2d_input_grad_f64(&s, d[2], d[1], got64);
        else tgc_conv2d_weight_grad_f64(&s, d[0], d[2], got64);
        int64_t terms = op == WEIGHT_GRAD ? s.n * s.oh * s.ow : op == FORWARD ? s.c / s.groups * s.kh * s.kw : s.o * s.kh * s.kw;
        double tol32 = 1e-5 * (double)(terms + 1), worst32 = 0, worst64 = 0;
        int same = memcmp(got1, got2, (size_t)count * sizeof(float)) == 0;
        if (op == WEIGHT_GRAD) { /* the same bits from the pieces, runs taken in reverse order */
            const int64_t runs = tgc_conv2d_weight_grad_runs(&s), partial = s.c * s.kh * s.kw * s.o;
            float *sums = malloc((size_t)(runs * partial) * sizeof(float) + 4), *pieces = malloc((size_t)count * sizeof(float) + 4);
            for (int64_t run = runs - 1; run >= 0; run--) tgc_conv2d_weight_grad_run_f32(&s, f[0], f[2], run, sums);
            tgc_conv2d_weight_grad_total_f32(&s, sums, pieces);
            same = same && runs > 0 && memcmp(got1, pieces, (size_t)count * sizeof(float)) == 0;
            free(sums), free(pieces);
        }
        for (int64_t i = 0; i < count; i++) {
            worst32 = fmax(worst32, isnan(got1[i]) ? INFINITY : fabs(got1[i] - want[i]));
            worst64 = fmax(worst64, isnan(got64[i]) ? INFINITY : fabs(got64[i] - want[i]));
        }
        CHECK(worst32 <= tol32 && worst64 <= 1e-12 * (double)(terms + 1) && same,
              "op %d n=%lld c=%lld %lldx%lld o=%lld k=%lldx%lld s=%lld,%lld p=%lld,%lld d=%lld,%lld g=%lld: "
              "f32 error %g (tol %g), f64 error %g, threads agree %d", op, (long long)s.n, (long long)s.c,
              (long long)s.h, (long long)s.w, (long long)s.o, (long long)s.kh, (long long)s.kw, (long long)s.sh,
              (long long)s.sw, (long long)s.ph, (long long)s.pw, (long long)s.dh, (long long)s.dw,
              (long long)s.groups, worst32, tol32, worst64, same);
        free(want), free(got64), free(got1), free(got2);
    }
    for (int t = 0; t < 3; t++) free(d[t]), free(f[t]);
}

/* The im2col of image b into col [c·kh·kw, oh·ow] (zeros in the padding). */
static void im2col_of(const tgc_conv2d_shape *s, const float *x, int64_t b, float *col) {
    const int64_t positions = s->oh * s->ow;
    for (int64_t ci = 0; ci < s->c; ci++)
        for (int64_t i = 0; i < s->kh; i++)
            for (int64_t j = 0; j < s->kw; j++)
                for (int64_t oy = 0; oy < s->oh; oy++)
                    for (int64_t ox = 0; ox < s->ow; ox++) {
                        int64_t iy = oy * s->sh - s->ph + i * s->dh, ix = ox * s->sw - s->pw + j * s->dw;
                        int inside = iy >= 0 && iy < s->h && ix >= 0 && ix < s->w;
                        col[((ci * s->kh + i) * s->kw + j) * positions + oy * s->ow + ox] =
                            inside ? x[((b * s->c + ci) * s->h + iy) * s->w + ix] : 0.0f;
                    }
}

/* The forward convolution and the weight gradient are tgc_sgemm products with each image's
   im2col, bit for bit, whether conv.c materializes the im2col or packs it straight from the
   image: compared with the products on an im2col built here (the weight gradient summed as
   conv.c documents: 16 runs of consecutive images, each image's product accumulated into its
   run's [c·kh·kw, o] sum, the runs added in order). */
static void check_im2col_products(tgc_conv2d_shape s) {
    s.oh = (s.h + 2 * s.ph - s.dh * (s.kh - 1) - 1) / s.sh + 1;
    s.ow = (s.w + 2 * s.pw - s.dw * (s.kw - 1) - 1) / s.sw + 1;
    const int64_t positions = s.oh * s.ow, og = s.o / s.groups, kg = s.c / s.groups * s.kh * s.kw, rows = s.c * s.kh * s.kw;
    const int64_t xs = s.n * s.c * s.h * s.w, ws = s.o * kg, ys = s.n * s.o * positions;
    const int64_t chunks = s.n < 16 ? s.n : 16;
    float *x = malloc((size_t)xs * sizeof(float)), *w = malloc((size_t)ws * sizeof(float)), *gy = malloc((size_t)ys * sizeof(float));
    float *got = malloc((size_t)ys * sizeof(float)), *want = malloc((size_t)ys * sizeof(float));
    float *gw = malloc((size_t)ws * sizeof(float)), *gw_want = malloc((size_t)ws * sizeof(float));
    float *col = malloc((size_t)(rows * positions) * sizeof(float)), *sums = malloc((size_t)(chunks * rows * s.o) * sizeof(float));
    for (int64_t i = 0; i < xs; i++) x[i] = (float)drand();
    for (int64_t i = 0; i < ws; i++) w[i] = (float)drand();
    for (int64_t i = 0; i < ys; i++) gy[i] = (float)drand();
    for (int64_t b = 0; b < s.n; b++) {
        im2col_of(&s, x, b, col);
        int64_t chunk = 0;
        while (b >= s.n * (chunk + 1) / chunks) chunk++;
        const float beta = b == s.n * chunk / chunks ? 0.0f : 1.0f;
        for (int64_t g = 0; g < s.groups; g++) {
            tgc_sgemm(0, 0, og, positions, kg, 1.0f, w + g * og * kg, kg, col + g * kg * positions, positions, 0.0f,
                      want + (b * s.o + g * og) * positions, positions);
            tgc_sgemm(0, 1, kg, og, positions, 1.0f, col + g * kg * positions, positions, gy + (b * s.o + g * og) * positions,
                      positions, beta, sums + chunk * rows * s.o + g * kg * s.o + g * og, s.o);
        }
    }
    for (int64_t oc = 0; oc < s.o; oc++)
        for (int64_t r = 0; r < kg; r++) {
            const int64_t at = (oc / og * kg + r) * s.o + oc;
            float total = sums[at];
            for (int64_t chunk = 1; chunk < chunks; chunk++) total += sums[chunk * rows * s.o + at];
            gw_want[oc * kg + r] = total;
        }
    /* a forward or weight gradient that takes the Winograd path (check_winograd) is not an
       im2col product */
    const int winograd = s.kh == 3 && s.kw == 3 && s.sh == 1 && s.sw == 1 && s.dh == 1 && s.dw == 1 && s.groups == 1 &&
                         s.c >= 16 && s.o >= 16;
    int same = 1, same_gw = 1;
    for (int threads = 1; threads <= 2; threads++) {
        set_threads(threads);
        tgc_conv2d_f32(&s, x, w, got);
        tgc_conv2d_weight_grad_f32(&s, x, gy, gw);
        same = same && (winograd || memcmp(got, want, (size_t)ys * sizeof(float)) == 0);
        same_gw = same_gw && (winograd || memcmp(gw, gw_want, (size_t)ws * sizeof(float)) == 0);
        /* nothing to prepare off the Winograd path: the prepared call reads w as tgc_conv2d_f32 */
        tgc_conv2d_packed *packed = tgc_conv2d_pack_f32(&s, w);
        for (int64_t i = 0; !winograd && i < ys; i++) got[i] = NAN;
        if (!winograd) tgc_conv2d_prepacked_f32(&s, x, w, packed, got);
        same = same && (winograd ? packed != NULL : packed == NULL && memcmp(got, want, (size_t)ys * sizeof(float)) == 0);
        tgc_packed_free(packed);
    }
    CHECK(same && same_gw, "conv2d n=%lld c=%lld %lldx%lld o=%lld k=%lldx%lld p=%lld,%lld d=%lld,%lld g=%lld: forward %d, weight grad %d the im2col products' bits",
          (long long)s.n, (long long)s.c, (long long)s.h, (long long)s.w, (long long)s.o, (long long)s.kh, (long long)s.kw,
          (long long)s.ph, (long long)s.pw, (long long)s.dh, (long long)s.dw, (long long)s.groups, same, same_gw);
    free(x), free(w), free(gy), free(got), free(want), free(gw), free(gw_want), free(col), free(sums);
}

static double winograd_worst[3]; /* the largest relative error seen, per product */

/* The Winograd paths (3x3, stride 1, no dilation, one group, c and o >= 16: F(2x2, 3x3), or
   F(4x4, 3x3) where winograd.c takes it) of the forward, the input gradient and the weight
   gradient against the naive reference in double. The error is measured relative to the sums
   of the absolute values of the terms of the result's elements (Σ|x·w|, Σ|gy·w|, Σ|x·gy|),
   the largest of the element's plane (an output plane, an input plane, a 3x3 kernel): a tile
   mixes the values of its neighbouring elements, so an element with few or no terms (all in
   the padding) gets the roundings of theirs. Direct summation in float stays within about
   √terms · 2⁻²⁴ of it; the transforms add a few roundings of values up to ~9x (F(2x2)) or
   ~100x (F(4x4): Bᵀ's factors 4 and 5, Aᵀ's up to 8, sums of 6 and 36 terms) larger than any
   operand, which bounds the extra error by a multiple of 2⁻²⁴ · Σ|terms|: measured at most
   2.4e-6 (forward), 1.8e-6 (input gradient) and 4.3e-6 (weight gradient) on these shapes (the
   test prints them), so 1e-5 leaves a margin of 2.3 or more while a wrong transform, tap or
   tile (an error of the order of one term, ≥ 1/(9c) of the sum for the forward, ≥ 1/(n·oh·ow)
   for the weight gradient, 2e-5 or more on these shapes) fails. Also: 1 and 2 threads, one
   call per image (forward and input gradient, as the interpreter splits a batch) or the runs
   of images computed apart in reverse order (weight gradient, as the interpreter runs them),
   and the portable and the AVX2 transforms instead of the kernel's own give the same bits
   (F(4x4)'s run in AVX-512 registers or portable C: TGC_WINOGRAD_AVX2 runs the portable ones). */
static void check_winograd_tile(int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t ph, int64_t pw) {
    tgc_conv2d_shape s = {.n = n, .c = c, .h = h, .w = w, .o = o, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = ph, .pw = pw,
                          .dh = 1, .dw = 1, .groups = 1, .oh = h + 2 * ph - 2, .ow = w + 2 * pw - 2};
    if (s.oh <= 0 || s.ow <= 0) return;
    const int64_t sizes[3] = {n * c * h * w, o * c * 9, n * o * s.oh * s.ow}; /* x, w, y */
    double *d[3], *m[3];
    float *f[3];
    for (int t = 0; t < 3; t++) {
        d[t] = malloc((size_t)sizes[t] * sizeof(double)), m[t] = malloc((size_t)sizes[t] * sizeof(double));
        f[t] = malloc((size_t)sizes[t] * sizeof(float));
        for (int64_t i = 0; i < sizes[t]; i++) f[t][i] = (float)drand(), d[t][i] = f[t][i], m[t][i] = fabs(d[t][i]);
    }
    const int operands[3][3] = {{0, 1, 2}, {2, 1, 0}, {0, 2, 1}}; /* as check_shape's */
    for (int op = 0; op < 3; op++) {
        const int ia = operands[op][0], ib = operands[op][1], ir = operands[op][2];
        const int64_t count = sizes[ir], per_image = op == WEIGHT_GRAD ? 0 : count / n;
        double *want = malloc((size_t)count * sizeof(double)), *bound = malloc((size_t)count * sizeof(double));
        float *got[5];
        reference(&s, (which)op, d[ia], d[ib], want, count);
        reference(&s, (which)op, m[ia], m[ib], bound, count); /* Σ|terms| of each result */
        for (int k = 0; k < 5; k++) { /* 1 thread, 2 threads, per image or per run, the portable transforms,
                                         the AVX2 ones (also beside the AVX-512 kernel) */
            got[k] = malloc((size_t)count * sizeof(float));
            for (int64_t i = 0; i < count; i++) got[k][i] = NAN;
            set_threads(k == 1 ? 2 : 1);
            if (k == 3) setenv("TGC_WINOGRAD_PORTABLE", "1", 1);
            if (k == 4) setenv("TGC_WINOGRAD_AVX2", "1", 1);
            tgc_conv2d_shape one = s;
            one.n = k == 2 ? 1 : n;
            if (op == WEIGHT_GRAD && k == 2) {
                const int64_t runs = tgc_conv2d_weight_grad_runs(&s);
                float *sums = malloc((size_t)(runs * count) * sizeof(float));
                for (int64_t run = runs - 1; run >= 0; run--) tgc_conv2d_weight_grad_run_f32(&s, f[0], f[2], run, sums);
                tgc_conv2d_weight_grad_total_f32(&s, sums, got[k]);
                free(sums);
            } else if (op == WEIGHT_GRAD) {
                tgc_conv2d_weight_grad_f32(&s, f[0], f[2], got[k]);
            } else {
                for (int64_t b = 0; b < n; b += one.n) {
                    if (op == FORWARD) tgc_conv2d_f32(&one, f[0] + b * (sizes[0] / n), f[1], got[k] + b * per_image);
                    else tgc_conv2d_input_grad_f32(&one, f[2] + b * (sizes[2] / n), f[1], got[k] + b * per_image);
                }
            }
            unsetenv("TGC_WINOGRAD_PORTABLE");
            unsetenv("TGC_WINOGRAD_AVX2");
        }
        int prepared_agrees = 1;
        if (op == FORWARD) { /* the weights prepared once (a library context's), calls of one image on 2 threads */
            tgc_conv2d_packed *packed = tgc_conv2d_pack_f32(&s, f[1]);
            float *prepared = malloc((size_t)count * sizeof(float));
            tgc_conv2d_shape one = s;
            one.n = 1;
            set_threads(2);
            for (int64_t b = 0; b < n; b++) tgc_conv2d_prepacked_f32(&one, f[0] + b * (sizes[0] / n), f[1], packed, prepared + b * per_image);
            prepared_agrees = packed != NULL && memcmp(got[0], prepared, (size_t)count * sizeof(float)) == 0;
            tgc_packed_free(packed);
            free(prepared);
        }
        double worst = 0;
        /* Winograd mixes the outputs of a tile: an output whose terms all lie in the padding (no
           terms, exactly 0) gets roundings of its neighbours', so the forward's and the input
           gradient's errors are measured against the largest Σ|terms| of the element's plane */
        const int64_t plane = op == FORWARD ? s.oh * s.ow : op == INPUT_GRAD ? h * w : 9;
        for (int64_t at = 0; at < count; at += plane) {
            double scale = 1e-30;
            for (int64_t i = at; i < at + plane; i++) scale = fmax(scale, bound[i]);
            for (int64_t i = at; i < at + plane; i++)
                worst = fmax(worst, isnan(got[0][i]) ? INFINITY : fabs(got[0][i] - want[i]) / scale);
        }
        const int threads_agree = memcmp(got[0], got[1], (size_t)count * sizeof(float)) == 0;
        const int calls_agree = memcmp(got[0], got[2], (size_t)count * sizeof(float)) == 0;
        const int portable_agrees = memcmp(got[0], got[3], (size_t)count * sizeof(float)) == 0;
        const int avx2_agrees = memcmp(got[0], got[4], (size_t)count * sizeof(float)) == 0;
        if (worst > winograd_worst[op]) winograd_worst[op] = worst;
        CHECK(worst <= 1e-5 && threads_agree && calls_agree && portable_agrees && avx2_agrees && prepared_agrees,
              "winograd (tile %s) op %d n=%lld c=%lld %lldx%lld o=%lld p=%lld,%lld: error %g of the terms' magnitude, threads agree %d, "
              "per-image (per-run) calls agree %d, portable transforms agree %d, AVX2 transforms agree %d, prepared weights "
              "agree %d", getenv("TGC_WINOGRAD_TILE"), op, (long long)n, (long long)c, (long long)h, (long long)w, (long long)o, (long long)ph, (long long)pw,
              worst, threads_agree, calls_agree, portable_agrees, avx2_agrees, prepared_agrees);
        for (int k = 0; k < 5; k++) free(got[k]);
        free(want), free(bound);
    }
    for (int t = 0; t < 3; t++) free(d[t]), free(m[t]), free(f[t]);
}

/* Both tile sizes on any CPU (TGC_WINOGRAD_TILE): F(4x4) in portable C where the kernel is not
   AVX-512's, F(2x2) where it is. */
static void check_winograd(int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t ph, int64_t pw) {
    for (int tile = 2; tile <= 4; tile += 2) {
        setenv("TGC_WINOGRAD_TILE", tile == 2 ? "2" : "4", 1);
        check_winograd_tile(n, c, h, w, o, ph, pw);
    }
    unsetenv("TGC_WINOGRAD_TILE");
}

/* Max-pooling indices against a direct scan (first maximum, last NaN, first tap of a -inf
   window), on random windows and on planes with ties, NaN and -inf; the values functions
   against x at those indices, bit for bit, on 1 and 2 threads; the pooling of an affine ReLU
   against pooling its activations stored. */
static void check_pool(tgc_conv2d_shape s, int special) {
    s.o = s.c, s.groups = 1;
    s.oh = (s.h + 2 * s.ph - s.dh * (s.kh - 1) - 1) / s.sh + 1;
    s.ow = (s.w + 2 * s.pw - s.dw * (s.kw - 1) - 1) / s.sw + 1;
    if (s.oh <= 0 || s.ow <= 0) return;
    int64_t count = s.n * s.c * s.h * s.w, outs = s.n * s.c * s.oh * s.ow;
    float *x = malloc((size_t)count * sizeof(float) + 4);
    double *xd = malloc((size_t)count * sizeof(double) + 8);
    int64_t *got = malloc((size_t)outs * sizeof(int64_t) + 8), *got64 = malloc((size_t)outs * sizeof(int64_t) + 8);
    for (int64_t i = 0; i < count; i++) {
        double r = drand();
        x[i] = special ? (r < -0.6 ? NAN : r < -0.2 ? -INFINITY : r < 0.3 ? 1.0f : 2.0f) : (float)r;
        xd[i] = x[i];
    }
    tgc_max_pool2d_indices_f32(&s, x, got);
    tgc_max_pool2d_indices_f64(&s, xd, got64);
    int64_t bad = 0;
    for (int64_t p = 0; p < s.n * s.c; p++)
        for (int64_t oy = 0; oy < s.oh; oy++)
            for (int64_t ox = 0; ox < s.ow; ox++) {
                int64_t best = -1;
                for (int64_t i = 0; i < s.kh; i++)
                    for (int64_t j = 0; j < s.kw; j++) {
                        int64_t iy = oy * s.sh - s.ph + i * s.dh, ix = ox * s.sw - s.pw + j * s.dw;
                        if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
                        float v = x[p * s.h * s.w + iy * s.w + ix];
                        if (best < 0) { best = iy * s.w + ix; continue; }
                        float m = x[p * s.h * s.w + best];
                        if (isnan(v) || (!isnan(m) && v > m)) best = iy * s.w + ix;
                    }
                int64_t at = (p * s.oh + oy) * s.ow + ox;
                if (best < 0) best = 0;
                if (got[at] != best || got64[at] != best) bad++;
            }
    CHECK(bad == 0, "max pool indices %lldx%lld s=%lld,%lld p=%lld,%lld d=%lld,%lld special=%d: %lld wrong", (long long)s.kh,
          (long long)s.kw, (long long)s.sh, (long long)s.sw, (long long)s.ph, (long long)s.pw, (long long)s.dh, (long long)s.dw,
          special, (long long)bad);
    float *values = malloc((size_t)outs * sizeof(float) + 4);
    double *values64 = malloc((size_t)outs * sizeof(double) + 8);
    int64_t differ = 0;
    for (int threads = 1; threads <= 2; threads++) {
        set_threads(threads);
        tgc_max_pool2d_f32(&s, x, values);
        tgc_max_pool2d_f64(&s, xd, values64);
        for (int64_t at = 0; at < outs; at++) {
            const int64_t plane = at / (s.oh * s.ow) * s.h * s.w;
            differ += memcmp(&values[at], &x[plane + got[at]], sizeof(float)) != 0;
            differ += memcmp(&values64[at], &xd[plane + got64[at]], sizeof(double)) != 0;
        }
    }
    set_threads(1);
    CHECK(differ == 0, "max pool values %lldx%lld s=%lld,%lld p=%lld,%lld special=%d: %lld differ from x at the indices",
          (long long)s.kh, (long long)s.kw, (long long)s.sh, (long long)s.sw, (long long)s.ph, (long long)s.pw, special, (long long)differ);
    /* Pooling relu((x + bias) · scale + shift) as the activations stored and pooled: indices,
       values or both, with a bias and without, scales of both signs and zero, 1 and 2 threads. */
    float *bias = malloc((size_t)s.c * sizeof(float)), *scale = malloc((size_t)s.c * sizeof(float));
    float *shift = malloc((size_t)s.c * sizeof(float)), *a = malloc((size_t)count * sizeof(float) + 4);
    float *want = malloc((size_t)outs * sizeof(float) + 4);
    int64_t *want_at = malloc((size_t)outs * sizeof(int64_t) + 8), *at = malloc((size_t)outs * sizeof(int64_t) + 8);
    for (int64_t c = 0; c < s.c; c++) bias[c] = (float)drand(), scale[c] = c % 3 == 2 ? 0.0f : (float)drand(), shift[c] = (float)drand();
    differ = 0;
    for (int variant = 0; variant < 4; variant++) {
        const int with_bias = variant % 2, fused = variant / 2;
        for (int64_t i = 0; i < count; i++) {
            const int64_t c = i / (s.h * s.w) % s.c;
            const float z = with_bias ? x[i] + bias[c] : x[i];
            const float v = fused ? fmaf(z, scale[c], shift[c]) : z * scale[c] + shift[c];
            a[i] = v < 0.0f ? 0.0f : v;
        }
        tgc_max_pool2d_indices_f32(&s, a, want_at);
        tgc_max_pool2d_f32(&s, a, want);
        for (int threads = 1; threads <= 2; threads++) {
            set_threads(threads);
            const float *b = with_bias ? bias : NULL;
            memset(at, 0xff, (size_t)outs * sizeof(int64_t));
            memset(values, 0xff, (size_t)outs * sizeof(float));
            tgc_max_pool2d_affine_relu_f32(&s, x, b, scale, shift, fused, at, values);
            differ += memcmp(at, want_at, (size_t)outs * sizeof(int64_t)) != 0;
            differ += memcmp(values, want, (size_t)outs * sizeof(float)) != 0;
            memset(values, 0xff, (size_t)outs * sizeof(float));
            tgc_max_pool2d_affine_relu_f32(&s, x, b, scale, shift, fused, NULL, values);
            differ += memcmp(values, want, (size_t)outs * sizeof(float)) != 0;
            memset(at, 0xff, (size_t)outs * sizeof(int64_t));
            tgc_max_pool2d_affine_relu_f32(&s, x, b, scale, shift, fused, at, NULL);
            differ += memcmp(at, want_at, (size_t)outs * sizeof(int64_t)) != 0;
            if (outs >= s.c) { /* the values written over the scales they are made with */
                memcpy(values, scale, (size_t)s.c * sizeof(float));
                tgc_max_pool2d_affine_relu_f32(&s, x, b, values, shift, fused, NULL, values);
                differ += memcmp(values, want, (size_t)outs * sizeof(float)) != 0;
            }
        }
    }
    set_threads(1);
    CHECK(differ == 0, "max pool of affine relu %lldx%lld s=%lld,%lld p=%lld,%lld special=%d: %lld calls differ from pooling the stored activations",
          (long long)s.kh, (long long)s.kw, (long long)s.sh, (long long)s.sw, (long long)s.ph, (long long)s.pw, special, (long long)differ);
    free(bias), free(scale), free(shift), free(a), free(want), free(want_at), free(at);
    free(x), free(xd), free(got), free(got64), free(values), free(values64);
}

int main(void) {
    /* the B6 layers, a 1x1 kernel (no im2col), and random shapes */
    check_shape((tgc_conv2d_shape){.n = 4, .c = 1, .h = 28, .w = 28, .o = 32, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .groups = 1});
    check_shape((tgc_conv2d_shape){.n = 3, .c = 32, .h = 14, .w = 14, .o = 64, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .groups = 1});
    check_shape((tgc_conv2d_shape){.n = 2, .c = 6, .h = 5, .w = 7, .o = 4, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .ph = 0, .pw = 0, .dh = 2, .dw = 1, .groups = 2});
    check_shape((tgc_conv2d_shape){.n = 1, .c = 3, .h = 9, .w = 8, .o = 5, .kh = 3, .kw = 2, .sh = 2, .sw = 3, .ph = 2, .pw = 1, .dh = 2, .dw = 3, .groups = 1});
    /* stride-1 rows longer than 16 columns (conv.c's masked rows run in several pieces) */
    check_shape((tgc_conv2d_shape){.n = 2, .c = 3, .h = 5, .w = 37, .o = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 2, .pw = 2, .dh = 2, .dw = 2, .groups = 1});
    check_shape((tgc_conv2d_shape){.n = 1, .c = 2, .h = 4, .w = 33, .o = 3, .kh = 2, .kw = 5, .sh = 1, .sw = 1, .ph = 0, .pw = 1, .dh = 1, .dw = 1, .groups = 1});
    /* "same" width (ow = w, stride 1: conv.c copies whole shifted planes), dilated, fewer output rows than input rows */
    check_shape((tgc_conv2d_shape){.n = 2, .c = 3, .h = 6, .w = 9, .o = 4, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 2, .dh = 2, .dw = 2, .groups = 1});
    check_shape((tgc_conv2d_shape){.n = 1, .c = 2, .h = 3, .w = 4, .o = 2, .kh = 5, .kw = 1, .sh = 1, .sw = 1, .ph = 3, .pw = 0, .dh = 1, .dw = 1, .groups = 1});
    for (int t = 0; t < 60; t++) {
        int64_t groups = irand(1, 3);
        tgc_conv2d_shape s = {.n = irand(1, 4), .c = groups * irand(1, 3), .h = irand(1, 9), .w = irand(1, 9),
                              .o = groups * irand(1, 3), .kh = irand(1, 4), .kw = irand(1, 4), .sh = irand(1, 3),
                              .sw = irand(1, 3), .ph = irand(0, 2), .pw = irand(0, 2), .dh = irand(1, 3), .dw = irand(1, 3),
                              .groups = groups};
        check_shape(s);
    }
    /* Winograd (all three products): B6's conv2, padding 0 to 3, odd and
       tiny planes (partial last tiles, planes all padding), channels not multiples of 16, more
       tiles than a kernel panel, two k blocks (c > 512) */
    check_winograd(5, 32, 14, 14, 64, 1, 1);
    check_winograd(2, 16, 7, 9, 16, 0, 0);
    check_winograd(3, 17, 5, 6, 33, 2, 2);
    check_winograd(1, 20, 9, 4, 18, 1, 2);
    check_winograd(2, 19, 3, 3, 21, 3, 1);
    /* rows of 14 and 18 tiles: runs of 8 tiles and more (the AVX2 transforms' full registers) */
    check_winograd(2, 16, 28, 28, 16, 1, 1);
    check_winograd(1, 16, 11, 36, 17, 1, 0);
    check_winograd(1, 16, 1, 1, 16, 1, 1);
    check_winograd(1, 16, 2, 13, 17, 0, 2);
    check_winograd(1, 520, 5, 4, 16, 1, 1);
    /* 4x4 tiles per image (outputs 13 to 16 high and wide): one image per register */
    check_winograd(3, 16, 16, 16, 16, 1, 1);
    check_winograd(2, 17, 13, 15, 18, 1, 0);
    check_winograd(3, 16, 12, 12, 20, 2, 2);
    /* the weight gradient's runs of several images, each in groups of images (of ~512 tiles) */
    check_winograd(34, 16, 26, 25, 17, 1, 0);
    for (int t = 0; t < 12; t++)
        check_winograd(irand(1, 4), irand(16, 40), irand(1, 12), irand(1, 12), irand(16, 40), irand(0, 2), irand(0, 2));
    /* "same"-width convolutions (their im2col packed from the image: several panels, a partial
       last one, groups, dilation, kernels taller than the input), and a strided one */
    check_im2col_products((tgc_conv2d_shape){.n = 2, .c = 64, .h = 6, .w = 7, .o = 15, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .groups = 1}); /* k = 576: two k blocks */
    check_im2col_products((tgc_conv2d_shape){.n = 20, .c = 5, .h = 7, .w = 6, .o = 3, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .groups = 1});
    check_im2col_products((tgc_conv2d_shape){.n = 3, .c = 32, .h = 14, .w = 14, .o = 64, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .groups = 1});
    check_im2col_products((tgc_conv2d_shape){.n = 2, .c = 1, .h = 28, .w = 28, .o = 32, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .groups = 1});
    check_im2col_products((tgc_conv2d_shape){.n = 3, .c = 4, .h = 9, .w = 20, .o = 6, .kh = 3, .kw = 5, .sh = 1, .sw = 1, .ph = 1, .pw = 4, .dh = 2, .dw = 2, .groups = 2});
    check_im2col_products((tgc_conv2d_shape){.n = 1, .c = 2, .h = 3, .w = 33, .o = 3, .kh = 5, .kw = 3, .sh = 1, .sw = 1, .ph = 3, .pw = 1, .dh = 1, .dw = 1, .groups = 1});
    check_im2col_products((tgc_conv2d_shape){.n = 2, .c = 3, .h = 9, .w = 8, .o = 5, .kh = 3, .kw = 2, .sh = 2, .sw = 3, .ph = 2, .pw = 1, .dh = 2, .dw = 3, .groups = 1});
    /* a batch of one on 2 threads: its output channels cut between the threads (the
       classifier's conv1, an odd panel count, groups, two k blocks) */
    check_shape((tgc_conv2d_shape){.n = 1, .c = 1, .h = 28, .w = 28, .o = 32, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .groups = 1});
    check_shape((tgc_conv2d_shape){.n = 1, .c = 3, .h = 7, .w = 9, .o = 17, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .groups = 1});
    check_shape((tgc_conv2d_shape){.n = 1, .c = 4, .h = 5, .w = 6, .o = 26, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .groups = 2});
    check_im2col_products((tgc_conv2d_shape){.n = 1, .c = 1, .h = 28, .w = 28, .o = 32, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .groups = 1});
    /* one input channel per group (conv_one_channel.c): depthwise, valid (unpadded), a kernel wider than tall */
    check_im2col_products((tgc_conv2d_shape){.n = 2, .c = 3, .h = 5, .w = 7, .o = 6, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .groups = 3});
    check_im2col_products((tgc_conv2d_shape){.n = 3, .c = 1, .h = 9, .w = 21, .o = 5, .kh = 2, .kw = 4, .sh = 1, .sw = 1, .ph = 0, .pw = 0, .dh = 1, .dw = 1, .groups = 1});
    check_im2col_products((tgc_conv2d_shape){.n = 1, .c = 64, .h = 6, .w = 7, .o = 15, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .groups = 1});
    /* more "same"-width geometries than conv.c keeps the masks of (the later ones' masks are
       each call's own) */
    for (int64_t h = 1; h <= 300; h++)
        check_shape((tgc_conv2d_shape){.n = 1, .c = 1, .h = h, .w = 3, .o = 2, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1, .pw = 1, .dh = 1, .dw = 1, .groups = 1});
    for (int special = 0; special < 2; special++) /* the 2x2, stride 2 fast path, odd sizes too */
        for (int64_t h = 2; h <= 5; h++)
            check_pool((tgc_conv2d_shape){.n = 2, .c = 3, .h = h, .w = 7 - h, .kh = 2, .kw = 2, .sh = 2, .sw = 2, .dh = 1, .dw = 1}, special);
    for (int special = 0; special < 2; special++) /* rows of 16, 17 and 20 windows (pool.c's vector blocks) */
        for (int64_t w = 32; w <= 40; w += w == 32 ? 2 : 6)
            check_pool((tgc_conv2d_shape){.n = 2, .c = 2, .h = 5, .w = w, .kh = 2, .kw = 2, .sh = 2, .sw = 2, .dh = 1, .dw = 1}, special);
    for (int t = 0; t < 40; t++) {
        tgc_conv2d_shape s = {.n = irand(1, 3), .c = irand(1, 3), .h = irand(1, 9), .w = irand(1, 9), .kh = irand(1, 4),
                              .kw = irand(1, 4), .sh = irand(1, 3), .sw = irand(1, 3), .dh = irand(1, 2), .dw = irand(1, 2)};
        s.ph = irand(0, ((s.kh - 1) * s.dh + 1) / 2), s.pw = irand(0, ((s.kw - 1) * s.dw + 1) / 2);
        check_pool(s, t % 2);
    }
    printf("winograd: worst relative errors %.3g (forward), %.3g (input gradient), %.3g (weight gradient)\n",
           winograd_worst[0], winograd_worst[1], winograd_worst[2]);
    printf("conv: %d passed, %d failed\n", n_passed, n_failed);
    printf("runtime: %d passed, %d failed\n", n_passed, n_failed);
    return n_failed != 0;
}
