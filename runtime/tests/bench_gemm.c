/* GFLOP/s of tgc_sgemm (C = A * B, square, no transposes, beta = 0): best of several runs.
   Usage: bench_gemm [SIZE...] (default 256 512 1024 2048); threads from OMP_NUM_THREADS.
   TGC_GEMM_TRANS=ab (or a, b) benchmarks the transposed variants. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "tgc_runtime.h"

static double bench(int64_t n, int ta, int tb) {
    float *a = tgc_alloc((size_t)(n * n) * sizeof(float));
    float *b = tgc_alloc((size_t)(n * n) * sizeof(float));
    float *c = tgc_alloc((size_t)(n * n) * sizeof(float));
    tgc_rng rng;
    tgc_rng_seed(&rng, 1);
    tgc_rng_uniform(&rng, a, n * n);
    tgc_rng_uniform(&rng, b, n * n);
    double flops = 2.0 * (double)n * (double)n * (double)n;
    /* Enough repetitions for about 0.3 s of work at 300 GFLOP/s, at least 5. */
    int reps = (int)(0.3 * 300e9 / flops);
    if (reps < 5) reps = 5;
    if (reps > 2000) reps = 2000;
    double best = 1e30;
    tgc_sgemm(ta, tb, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n); /* warm up caches and threads */
    for (int r = 0; r < reps; r++) {
        double t0 = tgc_now_ms();
        tgc_sgemm(ta, tb, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double dt = tgc_now_ms() - t0;
        if (dt < best) best = dt;
    }
    tgc_free(a);
    tgc_free(b);
    tgc_free(c);
    return flops / (best * 1e-3) * 1e-9;
}

int main(int argc, char **argv) {
    static const int64_t defaults[] = {256, 512, 1024, 2048};
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    const char *tr = getenv("TGC_GEMM_TRANS");
    int ta = tr != NULL && strchr(tr, 'a') != NULL, tb = tr != NULL && strchr(tr, 'b') != NULL;
    int count = argc > 1 ? argc - 1 : (int)(sizeof defaults / sizeof defaults[0]);
    for (int i = 0; i < count; i++) {
        int64_t n = argc > 1 ? atoll(argv[i + 1]) : defaults[i];
        if (n <= 0) {
            fprintf(stderr, "bench_gemm: bad size %s\n", argv[i + 1]);
            return 2;
        }
        printf("sgemm %s%s %5lld^3  threads=%d  %7.1f GFLOP/s\n", ta ? "T" : "N", tb ? "T" : "N",
               (long long)n, threads, bench(n, ta, tb));
        fflush(stdout);
    }
    return 0;
}
