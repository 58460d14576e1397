/* The fp32 multiply-add peak that B1 and B4 are compared against: every thread runs 12
 * independent chains of vector FMAs (v = v * m + a) on the widest vectors -march=native
 * offers (16 floats with AVX-512, else 8), long enough that the loop overhead vanishes.
 * Built with gcc -O3 -march=native -ffp-contract=fast -fopenmp; threads from OMP_NUM_THREADS.
 * Prints the best of RUNS timed passes as "peak: threads=T lanes=L best_ms=X gflops=Y". */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
#define LANES 16
#else
#define LANES 8
#endif
typedef float vec __attribute__((vector_size(LANES * sizeof(float))));
#define CHAINS 12
#define STEPS 4000000

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

int main(int argc, char **argv) {
    const int runs = argc > 1 ? atoi(argv[1]) : 5;
    double best = 1e30, sink = 0.0;
    for (int r = -1; r < runs; r++) {
        double t0 = now_ms();
        #pragma omp parallel reduction(+ : sink)
        {
            vec m, a;
            for (int l = 0; l < LANES; l++) { m[l] = 0.999999f; a[l] = 1e-7f; }
            vec v0 = m, v1 = m * 2, v2 = m * 3, v3 = m * 4, v4 = m * 5, v5 = m * 6;
            vec v6 = m * 7, v7 = m * 8, v8 = m * 9, v9 = m * 10, v10 = m * 11, v11 = m * 12;
            for (int64_t s = 0; s < STEPS; s++) {
                v0 = v0 * m + a; v1 = v1 * m + a; v2 = v2 * m + a; v3 = v3 * m + a;
                v4 = v4 * m + a; v5 = v5 * m + a; v6 = v6 * m + a; v7 = v7 * m + a;
                v8 = v8 * m + a; v9 = v9 * m + a; v10 = v10 * m + a; v11 = v11 * m + a;
            }
            vec v[CHAINS] = {v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11};
            for (int c = 0; c < CHAINS; c++) sink += v[c][0];
        }
        double dt = now_ms() - t0;
        if (r >= 0 && dt < best) best = dt;
    }
    const double flops = 2.0 * LANES * CHAINS * (double)STEPS * omp_get_max_threads();
    printf("peak: threads=%d lanes=%d best_ms=%.3f gflops=%.1f (sink %.3g)\n", omp_get_max_threads(),
           LANES, best, flops / (best * 1e6), sink);
    return 0;
}
