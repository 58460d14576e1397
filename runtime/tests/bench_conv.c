/* Process CPU time (min of REPS calls; CPU time leaves out time spent descheduled on a loaded
   machine) and GFLOP/s of B6's convolution and Linear(3136, 128) products, each call as the
   generated B6 program makes it. Usage: bench_conv [REPS] (default 30); threads from
   OMP_NUM_THREADS. The runtime is compiled -march=native, as generated programs compile it. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tgc_runtime.h"

static double cpu_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static float *uniform(tgc_rng *rng, int64_t n) {
    float *p = tgc_alloc((size_t)n * sizeof(float));
    tgc_rng_uniform(rng, p, n);
    return p;
}

#define TIME(name, mflop, call)                                                                  \
    do {                                                                                         \
        double best = 1e30;                                                                      \
        for (int r = 0; r < reps; r++) {                                                         \
            double t0 = cpu_ms();                                                                \
            call;                                                                                \
            double t = cpu_ms() - t0;                                                            \
            if (t < best) best = t;                                                              \
        }                                                                                        \
        printf("%-34s %8.3f ms %7.1f GFLOP/s\n", name, best, (mflop) / best);                    \
        total += best;                                                                           \
    } while (0)

int main(int argc, char **argv) {
    const int reps = argc > 1 ? atoi(argv[1]) : 30;
    double total = 0;
    tgc_rng rng;
    tgc_rng_seed(&rng, 1);
    const tgc_conv2d_shape c1 = {64, 1, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 28, 28};
    const tgc_conv2d_shape c2 = {64, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 14, 14};
    float *x1 = uniform(&rng, 64 * 784), *w1 = uniform(&rng, 288), *y1 = uniform(&rng, 64 * 32 * 784), *gw1 = uniform(&rng, 288);
    float *x2 = uniform(&rng, 64 * 32 * 196), *w2 = uniform(&rng, 64 * 288), *y2 = uniform(&rng, 64 * 64 * 196);
    float *gx2 = uniform(&rng, 64 * 32 * 196), *gw2 = uniform(&rng, 64 * 288);
    float *a = uniform(&rng, 64 * 3136), *w = uniform(&rng, 128 * 3136), *h = uniform(&rng, 64 * 128);
    float *ga = uniform(&rng, 64 * 3136), *gw = uniform(&rng, 128 * 3136);
    const double conv1 = 2e-6 * 64 * 784 * 32 * 9, conv2 = 2e-6 * 64 * 196 * 64 * 288, linear = 2e-6 * 64 * 3136 * 128;
    TIME("conv1 forward", conv1, tgc_conv2d_f32(&c1, x1, w1, y1));
    TIME("conv1 weight gradient", conv1, tgc_conv2d_weight_grad_f32(&c1, x1, y1, gw1));
    TIME("conv2 forward", conv2, tgc_conv2d_f32(&c2, x2, w2, y2));
    TIME("conv2 input gradient", conv2, tgc_conv2d_input_grad_f32(&c2, y2, w2, gx2));
    TIME("conv2 weight gradient", conv2, tgc_conv2d_weight_grad_f32(&c2, x2, y2, gw2));
    TIME("linear forward", linear, tgc_sgemm(0, 1, 64, 128, 3136, 1.0f, a, 3136, w, 3136, 0.0f, h, 128));
    TIME("linear input gradient", linear, tgc_sgemm(0, 0, 64, 3136, 128, 1.0f, h, 128, w, 3136, 0.0f, ga, 3136));
    TIME("linear weight gradient", linear, tgc_sgemm(1, 0, 128, 3136, 64, 1.0f, h, 128, a, 3136, 0.0f, gw, 3136));
    printf("%-34s %8.3f ms\n", "all", total);
    return 0;
}
