/* Latency of a deployed classifier (bench/project.py): calls `classifier_classify` of the library
 * that `tgc compile ... --emit lib -o DIR/classifier` builds, linked statically, on uniform
 * images in [0, 1], once to warm up and then RUNS times, and prints
 * `bench: runs=N min_ms=X median_ms=Y` as the generated programs' --bench does.
 *   gcc -O2 -IDIR classifier_latency.c DIR/libclassifier.a -fopenmp -lz -lm -o latency
 *   OMP_NUM_THREADS=2 ./latency RUNS */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "classifier.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    long runs = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
    if (runs < 1) runs = 1;
    static float images[CLASSIFIER_CLASSIFY_IMAGES_COUNT];
    static int64_t classes[CLASSIFIER_CLASSIFY_RESULT_COUNT];
    srand(0);
    for (long i = 0; i < CLASSIFIER_CLASSIFY_IMAGES_COUNT; i++) images[i] = (float)rand() / (float)RAND_MAX;
    classifier_context *ctx = classifier_create();
    double *times = malloc(sizeof(double) * (size_t)runs);
    if (ctx == NULL || times == NULL) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    if (classifier_classify(ctx, images, classes) != CLASSIFIER_OK) {
        fprintf(stderr, "error: %s\n", classifier_last_error(ctx));
        return 1;
    }
    for (long r = 0; r < runs; r++) {
        double start = now_ms();
        classifier_classify(ctx, images, classes);
        times[r] = now_ms() - start;
    }
    qsort(times, (size_t)runs, sizeof times[0], by_value);
    fprintf(stderr, "bench: runs=%ld min_ms=%.6f median_ms=%.6f\n", runs, times[0], times[runs / 2]);
    printf("%lld\n", (long long)classes[0]);   /* keeps the result alive */
    classifier_destroy(ctx);
    free(times);
    return 0;
}
