/* Monotonic timing and the one-line benchmark report of generated programs. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tgc_runtime.h"

double tgc_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1.0e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void tgc_bench_report(const double *run_ms, int n) {
    double min_ms = 0.0, median_ms = 0.0;
    if (n > 0) {
        double *sorted = malloc((size_t)n * sizeof *sorted);
        if (sorted == NULL) tgc_fatal("out of memory");
        memcpy(sorted, run_ms, (size_t)n * sizeof *sorted);
        qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
        min_ms = sorted[0];
        median_ms = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        free(sorted);
    }
    fprintf(stderr, "bench: runs=%d min_ms=%.4f median_ms=%.4f\n", n, min_ms, median_ms);
    fflush(stderr);
}
