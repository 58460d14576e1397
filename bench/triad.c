/* STREAM-style triad, the memory-bandwidth limit that B2 and B3 are compared against:
 * a[i] = b[i] + s * c[i] on three 16M-element float arrays (the same sizes as B2).
 * Built with gcc -O3 -march=native -fopenmp; threads from OMP_NUM_THREADS (the driver sets
 * the same count as the tgc runs). Prints the best of RUNS timed passes (after one warm-up)
 * as "triad: n=N runs=R best_ms=X gbs=Y", counting 3 × 4 bytes per element as STREAM does
 * (reads of b and c, write of a; no write-allocate traffic). */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

int main(int argc, char **argv) {
    const int64_t n = 16777216;
    const int runs = argc > 1 ? atoi(argv[1]) : 10;
    float *a = aligned_alloc(64, sizeof(float) * (size_t)n);
    float *b = aligned_alloc(64, sizeof(float) * (size_t)n);
    float *c = aligned_alloc(64, sizeof(float) * (size_t)n);
    if (!a || !b || !c) return 1;
    const float s = 3.0f;
    /* First touch with the same static schedule as the timed loop. */
    #pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) { a[i] = 0.0f; b[i] = 1.0f; c[i] = 2.0f; }
    double best = 1e30;
    for (int r = -1; r < runs; r++) {
        double t0 = now_ms();
        #pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
        double dt = now_ms() - t0;
        if (r >= 0 && dt < best) best = dt;
    }
    double check = 0.0;
    for (int64_t i = 0; i < n; i += 4096) check += a[i];
    if (check != (double)(n / 4096) * 7.0) { fprintf(stderr, "triad: wrong result\n"); return 1; }
    printf("triad: n=%lld runs=%d threads=%d best_ms=%.4f gbs=%.2f\n", (long long)n, runs,
           omp_get_max_threads(), best, 3.0 * 4.0 * (double)n / (best * 1e6));
    free(a); free(b); free(c);
    return 0;
}
