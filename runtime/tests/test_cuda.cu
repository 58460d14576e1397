/* Tests of the CUDA runtime and device kernels library (runtime/cuda). Built two ways:
   with g++ -DTGC_CUDA_EMULATE it runs every kernel on the CPU through tgc_cuda_emulate.h
   (make -C runtime test runs it, once with the fast fiber switch and once with ucontext);
   with nvcc it is compiled for sm_80 and sm_90 and, on a machine without a GPU, must stop at
   tgc_cuda_init with the 'no GPU' message (on a GPU it runs the same checks for real).
   Prints each failing check, then "cuda: N passed, N failed" and "runtime: N passed, N failed". */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "tgc_cuda.h"
#include "philox.cuh"
#include "reduce.cuh"
#include "sgemm.cuh"
#include "conv.cuh"
#include "check.h"

#ifdef TGC_CUDA_EMULATE
#include <sys/wait.h>
#include <unistd.h>
#endif

/* ---- device buffers ---- */

template <typename T>
static T *to_device(const std::vector<T> &h) {
    T *d = (T *)tgc_cuda_alloc(h.size() * sizeof(T) + 1);
    tgc_cuda_copy_to_device(d, h.data(), h.size() * sizeof(T));
    return d;
}
template <typename T>
static std::vector<T> to_host(const T *d, size_t n) {
    std::vector<T> h(n);
    tgc_cuda_copy_to_host(h.data(), d, n * sizeof(T));
    return h;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double drand(void) { /* uniform in [-1, 1) */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * 0x1p-53 * 2.0 - 1.0;
}

static const long long reduction_sizes[] = {1, 31, 33, 1025, (1 << 20) + 3};

/* ---- reductions ---- */

/* out[0] = max and out[1] = min of in[0 ..< n] over one block of any size. */
__global__ void block_max_min_kernel(const float *in, long long n, float *out) {
    float hi = -INFINITY, lo = INFINITY;
    for (long long i = threadIdx.x; i < n; i += blockDim.x) {
        hi = tgc_max_op()(hi, in[i]);
        lo = tgc_min_op()(lo, in[i]);
    }
    hi = tgc_block_reduce_max(hi, -INFINITY);
    lo = tgc_block_reduce_min(lo, INFINITY);
    if (threadIdx.x == 0) {
        out[0] = hi;
        out[1] = lo;
    }
}

/* out[0] = the sum of in[0 ..< n] by one warp alone (grid-stride over the lanes). */
__global__ void warp_sum_kernel(const int *in, long long n, int *out) {
    int acc = 0;
    for (long long i = threadIdx.x; i < n; i += 32) acc += in[i];
    acc = tgc_warp_reduce_sum(acc);
    if (threadIdx.x == 0) out[0] = acc;
}

/* out[0] = the sum of in over a 2-D or 3-D block (x fastest), to check the linear thread index. */
__global__ void block_3d_sum_kernel(const double *in, long long n, double *out) {
    const unsigned t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    const unsigned threads = blockDim.x * blockDim.y * blockDim.z;
    double acc = 0;
    for (long long i = t; i < n; i += threads) acc += in[i];
    acc = tgc_block_reduce_sum(acc);
    if (t == 0) out[0] = acc;
}

static void test_reductions(void) {
    for (long long n : reduction_sizes) {
        /* Small integers: every partial sum is exact in float, so any order gives the reference. */
        std::vector<float> xf(n);
        std::vector<int> xi(n);
        std::vector<double> xd(n);
        double ref = 0, ref_d = 0;
        long long ref_i = 0;
        float hi = -INFINITY, lo = INFINITY;
        for (long long i = 0; i < n; i++) {
            xf[i] = (float)((i * 2654435761ll) % 5 - 2);
            xi[i] = (int)((i * 40503ll) % 201 - 100);
            xd[i] = drand();
            ref += xf[i];
            ref_i += xi[i];
            ref_d += xd[i];
            hi = xf[i] > hi ? xf[i] : hi;
            lo = xf[i] < lo ? xf[i] : lo;
        }
        float *dxf = to_device(xf), *dout = (float *)tgc_cuda_alloc(8), *scratch = (float *)tgc_cuda_alloc(4 * TGC_REDUCE_MAX_BLOCKS);
        tgc_cuda_reduce_sum(dxf, n, dout, scratch, 1);
        CHECK(to_host(dout, 1)[0] == (float)ref, "reduce_sum float n=%lld: %g, expected %g", n, to_host(dout, 1)[0], ref);

        double *dxd = to_device(xd), *doutd = (double *)tgc_cuda_alloc(8), *scratchd = (double *)tgc_cuda_alloc(8 * TGC_REDUCE_MAX_BLOCKS);
        tgc_cuda_reduce_sum(dxd, n, doutd, scratchd, 2);
        double got_d = to_host(doutd, 1)[0];
        CHECK(fabs(got_d - ref_d) <= 1e-12 * (double)n, "reduce_sum double n=%lld: %.17g, expected %.17g", n, got_d, ref_d);

        for (unsigned threads : {1u, 32u, 33u, 64u, 100u, 1024u}) {
            TGC_LAUNCH(block_max_min_kernel, 1, threads, 0, 3, dxf, n, dout);
            std::vector<float> got = to_host(dout, 2);
            CHECK(got[0] == hi && got[1] == lo, "block max/min n=%lld threads=%u: %g %g, expected %g %g", n, threads,
                  got[0], got[1], hi, lo);
        }
        int *dxi = to_device(xi), *douti = (int *)tgc_cuda_alloc(4);
        TGC_LAUNCH(warp_sum_kernel, 1, 32, 0, 4, dxi, n, douti);
        CHECK(to_host(douti, 1)[0] == ref_i, "warp sum n=%lld: %d, expected %lld", n, to_host(douti, 1)[0], ref_i);
        for (dim3 block : {dim3(16, 6), dim3(5, 7, 3)}) {
            TGC_LAUNCH(block_3d_sum_kernel, 1, block, 0, 5, dxd, n, doutd);
            got_d = to_host(doutd, 1)[0];
            CHECK(fabs(got_d - ref_d) <= 1e-12 * (double)n, "%ux%ux%u block sum n=%lld: %.17g, expected %.17g", block.x,
                  block.y, block.z, n, got_d, ref_d);
        }
        tgc_cuda_free(dxf), tgc_cuda_free(dout), tgc_cuda_free(scratch), tgc_cuda_free(dxd), tgc_cuda_free(doutd);
        tgc_cuda_free(scratchd), tgc_cuda_free(dxi), tgc_cuda_free(douti);
    }
    /* NaN propagates through max and min wherever it is. */
    std::vector<float> x(100, 1.0f);
    x[77] = NAN;
    float *dx = to_device(x), *dout = (float *)tgc_cuda_alloc(8);
    TGC_LAUNCH(block_max_min_kernel, 1, 64, 0, 6, dx, 100ll, dout);
    std::vector<float> got = to_host(dout, 2);
    CHECK(isnan(got[0]) && isnan(got[1]), "max/min with a NaN: %g %g", got[0], got[1]);
    tgc_cuda_free(dx), tgc_cuda_free(dout);
}

/* ---- elementwise, barriers, shuffles, atomics, dynamic shared memory ---- */

/* y = a x + y over a grid-stride loop. */
__global__ void saxpy_kernel(long long n, float a, const float *x, float *y) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        y[i] = a * x[i] + y[i];
}

/* Inclusive prefix sums of each block's slice, Hillis-Steele in shared memory: every step reads
   what other threads wrote in the step before, so a missing barrier gives wrong sums. */
__global__ void block_scan_kernel(const int *in, int *out) {
    __shared__ int s[2][1024];
    const int t = threadIdx.x, base = blockIdx.x * blockDim.x;
    int cur = 0;
    s[cur][t] = in[base + t];
    __syncthreads();
    for (int offset = 1; offset < (int)blockDim.x; offset *= 2) {
        s[1 - cur][t] = s[cur][t] + (t >= offset ? s[cur][t - offset] : 0);
        cur = 1 - cur;
        __syncthreads();
    }
    out[base + t] = s[cur][blockDim.x - 1 - t];   /* reversed: reads another thread's result */
}

/* Per warp: out[4 lanes each] = xor-butterfly total, shfl_up inclusive scan, lane 5's value
   broadcast, width-8 segment sums by shfl_down; plus a ballot of odd values. */
__global__ void shuffle_kernel(const int *in, int *out, unsigned *ballots) {
    const int t = threadIdx.x + blockIdx.x * blockDim.x, lane = threadIdx.x % 32;
    const int v = in[t];
    int total = v, scan = v, seg = v;
    for (int m = 16; m > 0; m >>= 1) total += __shfl_xor_sync(0xffffffffu, total, m);
    for (int d = 1; d < 32; d *= 2) {
        int up = __shfl_up_sync(0xffffffffu, scan, d);
        if (lane >= d) scan += up;
    }
    const int bcast = __shfl_sync(0xffffffffu, v, 5);
    for (int d = 4; d > 0; d >>= 1) seg += __shfl_down_sync(0xffffffffu, seg, d, 8);
    const unsigned ballot = __ballot_sync(0xffffffffu, v & 1);
    out[4 * t + 0] = total;
    out[4 * t + 1] = scan;
    out[4 * t + 2] = bcast;
    out[4 * t + 3] = seg;
    if (lane == 0) ballots[t / 32] = ballot;
}

/* counts[0] += 1 per thread, sums[0] += x[i] per element (atomics across blocks). */
__global__ void atomic_kernel(const float *x, long long n, int *counts, float *sums) {
    const long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
    atomicAdd(counts, 1);
    if (i < n) atomicAdd(sums, x[i]);
}

/* out = in rotated by one within each block, through dynamic shared memory. */
__global__ void dynamic_shared_kernel(const float *in, float *out) {
    TGC_DYNAMIC_SHARED(float, s);
    const int t = threadIdx.x, base = blockIdx.x * blockDim.x;
    s[t] = in[base + t];
    __syncthreads();
    out[base + t] = s[(t + 1) % blockDim.x];
}

/* Each warp's lanes hold lane + 1 (as double, int64_t, uint8_t and bool lane % 2): the
   shuffle-down tree of the generated reductions leaves the sum (max, or) in lane 0, and
   tgc_shfl_first gives every lane lane 0's value. */
__global__ void warp_shuffle_kernel(double *sums, int64_t *maxima, uint8_t *bytes, uint8_t *flags) {
    const unsigned lane = threadIdx.x % 32;
    double s = lane + 1;
    int64_t m = lane + 1;
    uint8_t b = (uint8_t)(lane + 1);
    bool f = lane % 2 == 1;
    for (unsigned offset = 16; offset > 0; offset >>= 1) {
        s += tgc_shfl_down(s, offset);
        const int64_t other = tgc_shfl_down(m, offset);
        m = other > m ? other : m;
        const uint8_t other_byte = tgc_shfl_down(b, offset);
        b = other_byte > b ? other_byte : b;
        const bool other_flag = tgc_shfl_down(f, offset);   /* every lane shuffles: no short circuit */
        f = f || other_flag;
    }
    s = tgc_shfl_first(s);
    m = tgc_shfl_first(m);
    b = tgc_shfl_first(b);
    f = tgc_shfl_first(f);
    sums[threadIdx.x] = s;
    maxima[threadIdx.x] = m;
    bytes[threadIdx.x] = b;
    flags[threadIdx.x] = f;
}

static void test_warp_shuffles(void) {
    const unsigned threads = 64;
    double *sums = (double *)tgc_cuda_alloc(threads * sizeof(double));
    int64_t *maxima = (int64_t *)tgc_cuda_alloc(threads * sizeof(int64_t));
    uint8_t *bytes = (uint8_t *)tgc_cuda_alloc(threads), *flags = (uint8_t *)tgc_cuda_alloc(threads);
    TGC_LAUNCH(warp_shuffle_kernel, 1, threads, 0, 5, sums, maxima, bytes, flags);
    std::vector<double> s = to_host(sums, threads);
    std::vector<int64_t> m = to_host(maxima, threads);
    std::vector<uint8_t> b = to_host(bytes, threads), f = to_host(flags, threads);
    for (unsigned t = 0; t < threads; t++) {
        CHECK(s[t] == 528 && m[t] == 32 && b[t] == 32 && f[t] == 1, "warp shuffle thread %u: sum %g max %lld byte %d flag %d, expected 528 32 32 1",
              t, s[t], (long long)m[t], b[t], f[t]);
    }
    tgc_cuda_free(sums);
    tgc_cuda_free(maxima);
    tgc_cuda_free(bytes);
    tgc_cuda_free(flags);
}

static void test_elementwise_and_barriers(void) {
    const long long n = (1 << 20) + 3;
    std::vector<float> x(n), y(n);
    for (long long i = 0; i < n; i++) x[i] = (float)(i % 13), y[i] = (float)(i % 7);
    float *dx = to_device(x), *dy = to_device(y);
    TGC_LAUNCH(saxpy_kernel, 37, 128, 0, 10, n, 3.0f, (const float *)dx, dy);
    std::vector<float> got = to_host(dy, n);
    long long bad = 0;
    for (long long i = 0; i < n; i++) bad += got[i] != 3.0f * x[i] + y[i];
    CHECK(bad == 0, "saxpy: %lld wrong elements", bad);

    for (int threads : {1, 32, 96, 1024}) {
        const int blocks = 3;
        std::vector<int> in(threads * blocks);
        for (size_t i = 0; i < in.size(); i++) in[i] = (int)(i * 7 % 11) - 5;
        int *din = to_device(in), *dout = (int *)tgc_cuda_alloc(in.size() * 4);
        TGC_LAUNCH(block_scan_kernel, blocks, threads, 0, 11, (const int *)din, dout);
        std::vector<int> out = to_host(dout, in.size());
        int wrong = 0;
        for (int b = 0; b < blocks; b++) {
            std::vector<int> scan(threads);
            for (int t = 0, acc = 0; t < threads; t++) scan[t] = acc += in[b * threads + t];
            for (int t = 0; t < threads; t++) wrong += out[b * threads + t] != scan[threads - 1 - t];
        }
        CHECK(wrong == 0, "__syncthreads scan, %d threads: %d wrong", threads, wrong);
        tgc_cuda_free(din), tgc_cuda_free(dout);
    }

    const int warps = 6, threads = 96;
    std::vector<int> in(warps * 32);
    for (size_t i = 0; i < in.size(); i++) in[i] = (int)(i * 5 % 17);
    int *din = to_device(in), *dout = (int *)tgc_cuda_alloc(in.size() * 16);
    unsigned *dballots = (unsigned *)tgc_cuda_alloc(warps * 4);
    TGC_LAUNCH(shuffle_kernel, warps * 32 / threads, threads, 0, 12, (const int *)din, dout, dballots);
    std::vector<int> out = to_host(dout, in.size() * 4);
    std::vector<unsigned> ballots = to_host(dballots, warps);
    int wrong = 0;
    for (int w = 0; w < warps; w++) {
        int total = 0;
        unsigned ballot = 0;
        for (int l = 0; l < 32; l++) total += in[w * 32 + l], ballot |= (unsigned)(in[w * 32 + l] & 1) << l;
        wrong += ballots[w] != ballot;
        /* shfl_down within 8-lane segments: a source past the segment's end gives the own value. */
        int seg[32];
        for (int l = 0; l < 32; l++) seg[l] = in[w * 32 + l];
        for (int d = 4; d > 0; d >>= 1) {
            int next[32];
            for (int l = 0; l < 32; l++) next[l] = seg[l] + (l % 8 + d < 8 ? seg[l + d] : seg[l]);
            memcpy(seg, next, sizeof seg);
        }
        for (int l = 0, scan = 0; l < 32; l++) {
            const int t = w * 32 + l;
            scan += in[t];
            wrong += out[4 * t + 0] != total;
            wrong += out[4 * t + 1] != scan;
            wrong += out[4 * t + 2] != in[w * 32 + 5];
            wrong += out[4 * t + 3] != seg[l];
        }
    }
    CHECK(wrong == 0, "shuffles: %d wrong", wrong);
    tgc_cuda_free(din), tgc_cuda_free(dout), tgc_cuda_free(dballots);

    int *dcount = (int *)tgc_cuda_alloc(4);
    float *dsum = (float *)tgc_cuda_alloc(4);
    tgc_cuda_zero(dcount, 4);
    tgc_cuda_zero(dsum, 4);
    TGC_LAUNCH(atomic_kernel, 300, 64, 0, 13, (const float *)dx, 19000ll, dcount, dsum);
    double ref = 0;
    for (int i = 0; i < 19000; i++) ref += x[i];
    CHECK(to_host(dcount, 1)[0] == 300 * 64, "atomicAdd count: %d", to_host(dcount, 1)[0]);
    CHECK(to_host(dsum, 1)[0] == (float)ref, "atomicAdd sum: %g, expected %g", to_host(dsum, 1)[0], ref);

    TGC_LAUNCH(dynamic_shared_kernel, 4, 50, 50 * sizeof(float), 14, (const float *)dx, dy);
    got = to_host(dy, 200);
    bad = 0;
    for (int i = 0; i < 200; i++) bad += got[i] != x[(i / 50) * 50 + (i % 50 + 1) % 50];
    CHECK(bad == 0, "dynamic shared memory: %lld wrong", bad);
    tgc_cuda_free(dx), tgc_cuda_free(dy), tgc_cuda_free(dcount), tgc_cuda_free(dsum);
}

/* ---- sgemm ---- */

/* tgc_cuda_sgemm against a double-accumulating reference (tolerance as in test_gemm.c). */
static void check_sgemm(int ta, int tb, int64_t m, int64_t n, int64_t k, float alpha, float beta, int64_t pad) {
    const int64_t lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
    std::vector<float> a((ta ? k : m) * lda + 1, NAN), b((tb ? n : k) * ldb + 1, NAN), c(m * ldc + 1, NAN);
    for (int64_t i = 0; i < m; i++)
        for (int64_t p = 0; p < k; p++) a[ta ? p * lda + i : i * lda + p] = (float)drand();
    for (int64_t p = 0; p < k; p++)
        for (int64_t j = 0; j < n; j++) b[tb ? j * ldb + p : p * ldb + j] = (float)drand();
    if (beta != 0.0f)
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) c[i * ldc + j] = (float)drand();
    float *da = to_device(a), *db = to_device(b), *dc = to_device(c);
    tgc_cuda_sgemm(ta, tb, m, n, k, alpha, da, lda, db, ldb, beta, dc, ldc, tgc_sgemm_in_plain_order(n, k), 20);
    std::vector<float> got = to_host(dc, c.size());
    int64_t wrong = 0;
    const double tol = 1e-5 * (fabs(alpha) * (double)k + fabs(beta)) + 1e-30;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double ref = 0;
            for (int64_t p = 0; alpha != 0.0f && p < k; p++)
                ref += (double)a[ta ? p * lda + i : i * lda + p] * b[tb ? j * ldb + p : p * ldb + j];
            ref = alpha * ref + (beta != 0.0f ? beta * (double)c[i * ldc + j] : 0.0);
            wrong += !(fabs(got[i * ldc + j] - ref) <= tol);
        }
    int64_t padding_touched = 0;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = n; j < ldc; j++) padding_touched += !isnan(got[i * ldc + j]);
    CHECK(wrong == 0 && padding_touched == 0, "sgemm ta=%d tb=%d %lldx%lldx%lld alpha=%g beta=%g pad=%lld: %lld wrong, %lld padding written",
          ta, tb, (long long)m, (long long)n, (long long)k, alpha, beta, (long long)pad, (long long)wrong,
          (long long)padding_touched);
    tgc_cuda_free(da), tgc_cuda_free(db), tgc_cuda_free(dc);
}

/* tgc_cuda_sgemm_batched over `batch` matrices of A and one B shared by all (stride 0). */
static void check_sgemm_batched(int ta, int tb, int64_t m, int64_t n, int64_t k, int64_t batch) {
    const int64_t lda = ta ? m : k, ldb = tb ? k : n, sa = m * k;
    std::vector<float> a(batch * sa), b(k * n), c(batch * m * n, NAN);
    for (auto &x : a) x = (float)drand();
    for (auto &x : b) x = (float)drand();
    float *da = to_device(a), *db = to_device(b), *dc = to_device(c);
    tgc_cuda_sgemm_batched(ta, tb, m, n, k, 1.0f, da, lda, sa, db, ldb, 0, 0.0f, dc, n, m * n, batch, tgc_sgemm_in_plain_order(n, k), 21);
    std::vector<float> got = to_host(dc, c.size());
    int64_t wrong = 0;
    for (int64_t z = 0; z < batch; z++)
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                double ref = 0;
                for (int64_t p = 0; p < k; p++)
                    ref += (double)a[z * sa + (ta ? p * lda + i : i * lda + p)] * b[tb ? j * ldb + p : p * ldb + j];
                wrong += !(fabs(got[(z * m + i) * n + j] - ref) <= 1e-5 * (double)k);
            }
    CHECK(wrong == 0, "sgemm_batched ta=%d tb=%d %lldx%lldx%lld x %lld: %lld wrong", ta, tb, (long long)m, (long long)n,
          (long long)k, (long long)batch, (long long)wrong);
    tgc_cuda_free(da), tgc_cuda_free(db), tgc_cuda_free(dc);
}

static void test_sgemm(void) {
    const int64_t shapes[][3] = {{1, 1, 1}, {17, 33, 65}, {128, 7, 255}, {130, 129, 9}, {3, 257, 0}};
    for (auto &s : shapes)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                check_sgemm(ta, tb, s[0], s[1], s[2], 1.0f, 0.0f, 0);
                check_sgemm(ta, tb, s[0], s[1], s[2], -0.5f, 2.0f, 3);
            }
    check_sgemm(0, 0, 17, 33, 65, 0.0f, 0.5f, 1);   /* alpha = 0: A and B (NaN padding) unread */
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) check_sgemm_batched(ta, tb, 19, 130, 7, 3);
}

/* ---- Philox ---- */

static void test_philox(void) {
    for (long long n : {1ll, 5ll, 1001ll, 100003ll}) {
        tgc_rng host, device;
        tgc_rng_seed(&host, 42 + (uint64_t)n);
        tgc_rng_seed(&device, 42 + (uint64_t)n);
        std::vector<float> want(n), got;
        float *d = (float *)tgc_cuda_alloc(n * sizeof(float));
        for (int round = 0; round < 2; round++) {
            tgc_rng_uniform(&host, want.data(), n);
            tgc_cuda_rng_uniform(&device, d, n, 30);
            got = to_host(d, n);
            CHECK(memcmp(got.data(), want.data(), n * sizeof(float)) == 0 && host.block == device.block,
                  "philox uniform n=%lld round %d differs from the C runtime", n, round);
            tgc_rng_normal(&host, want.data(), n);
            tgc_cuda_rng_normal(&device, d, n, 31);
            got = to_host(d, n);
            CHECK(memcmp(got.data(), want.data(), n * sizeof(float)) == 0 && host.block == device.block,
                  "philox normal n=%lld round %d differs from the C runtime", n, round);
        }
        tgc_cuda_free(d);
    }
}

/* ---- convolution and max pooling ---- */

/* A shape with its output size filled in. */
static tgc_conv2d_shape conv_shape(int64_t n, int64_t c, int64_t h, int64_t w, int64_t o, int64_t kh, int64_t kw,
                                   int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw, int64_t groups) {
    tgc_conv2d_shape s = {n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, groups, 0, 0};
    s.oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
    s.ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
    return s;
}

/* Whether got and want agree within tol · (1 + |want|) everywhere. */
static int64_t count_far(const std::vector<float> &got, const std::vector<float> &want, double tol) {
    int64_t far = 0;
    for (size_t i = 0; i < want.size(); i++) far += !(fabs((double)got[i] - want[i]) <= tol * (1.0 + fabs((double)want[i])));
    return far;
}

static std::vector<float> random_floats(int64_t n) {
    std::vector<float> v(n);
    for (auto &x : v) x = (float)drand();
    return v;
}

/* The device convolution and its gradients against the C runtime's (runtime/src/conv.c). */
static void test_conv(void) {
    const tgc_conv2d_shape shapes[] = {
        conv_shape(2, 3, 7, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1), conv_shape(3, 4, 11, 6, 6, 3, 2, 2, 1, 0, 1, 1, 2, 2),
        conv_shape(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1), conv_shape(2, 6, 5, 5, 3, 1, 1, 1, 1, 0, 0, 1, 1, 3),
        conv_shape(2, 2, 13, 17, 5, 5, 3, 3, 2, 2, 1, 2, 1, 1), conv_shape(5, 8, 4, 4, 8, 2, 2, 2, 2, 0, 0, 1, 1, 8)};
    for (const tgc_conv2d_shape &s : shapes) {
        const int64_t nx = s.n * s.c * s.h * s.w, nw = s.o * (s.c / s.groups) * s.kh * s.kw, ny = s.n * s.o * s.oh * s.ow;
        const double tol = 1e-5 * (double)((s.c / s.groups) * s.kh * s.kw + s.n * s.oh * s.ow + s.o);
        std::vector<float> x = random_floats(nx), w = random_floats(nw), gy = random_floats(ny);
        std::vector<float> y(ny), gx(nx), gw(nw);
        tgc_conv2d_f32(&s, x.data(), w.data(), y.data());
        tgc_conv2d_input_grad_f32(&s, gy.data(), w.data(), gx.data());
        tgc_conv2d_weight_grad_f32(&s, x.data(), gy.data(), gw.data());
        float *dx = to_device(x), *dw = to_device(w), *dgy = to_device(gy);
        float *dy = (float *)tgc_cuda_alloc(ny * 4), *dgx = (float *)tgc_cuda_alloc(nx * 4), *dgw = (float *)tgc_cuda_alloc(nw * 4);
        tgc_cuda_conv2d_f32(&s, dx, dw, dy, 40);
        tgc_cuda_conv2d_input_grad_f32(&s, dgy, dw, dgx, 41);
        tgc_cuda_conv2d_weight_grad_f32(&s, dx, dgy, dgw, 42);
        const int64_t far_y = count_far(to_host(dy, ny), y, tol), far_gx = count_far(to_host(dgx, nx), gx, tol);
        const int64_t far_gw = count_far(to_host(dgw, nw), gw, tol);
        CHECK(far_y == 0 && far_gx == 0 && far_gw == 0,
              "conv2d n=%lld c=%lld %lldx%lld o=%lld k=%lldx%lld s=%lldx%lld p=%lldx%lld d=%lldx%lld g=%lld: "
              "%lld/%lld/%lld elements of y/gx/gw differ from the C runtime",
              (long long)s.n, (long long)s.c, (long long)s.h, (long long)s.w, (long long)s.o, (long long)s.kh,
              (long long)s.kw, (long long)s.sh, (long long)s.sw, (long long)s.ph, (long long)s.pw, (long long)s.dh,
              (long long)s.dw, (long long)s.groups, (long long)far_y, (long long)far_gx, (long long)far_gw);
        tgc_cuda_free(dx), tgc_cuda_free(dw), tgc_cuda_free(dgy), tgc_cuda_free(dy), tgc_cuda_free(dgx), tgc_cuda_free(dgw);
    }

    /* Max-pooling indices equal the C runtime's: ties (small integers), NaN, -inf, padding. */
    const tgc_conv2d_shape pools[] = {conv_shape(2, 3, 9, 11, 3, 3, 2, 2, 3, 1, 1, 1, 2, 1),
                                      conv_shape(1, 2, 8, 8, 2, 2, 2, 2, 2, 0, 0, 1, 1, 1),
                                      conv_shape(3, 1, 5, 7, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1)};
    for (const tgc_conv2d_shape &s : pools) {
        const int64_t nx = s.n * s.c * s.h * s.w, ny = s.n * s.c * s.oh * s.ow;
        std::vector<float> x(nx);
        for (int64_t i = 0; i < nx; i++) x[i] = (float)((i * 2654435761ll) % 5 - 2);
        for (int64_t i = 0; i < nx; i += 7) x[i] = NAN;
        for (int64_t i = 3; i < nx; i += 11) x[i] = -INFINITY;
        std::vector<int64_t> want(ny);
        tgc_max_pool2d_indices_f32(&s, x.data(), want.data());
        float *dx = to_device(x);
        int64_t *dout = (int64_t *)tgc_cuda_alloc(ny * 8);
        tgc_cuda_max_pool2d_indices_f32(&s, dx, dout, 43);
        CHECK(to_host(dout, ny) == want, "max_pool2d indices %lldx%lld k=%lldx%lld differ from the C runtime", (long long)s.h,
              (long long)s.w, (long long)s.kh, (long long)s.kw);
        tgc_cuda_free(dx), tgc_cuda_free(dout);
    }
}

/* ---- errors (emulation only: each runs in a child process that must fail with a message) ---- */

#ifdef TGC_CUDA_EMULATE
/* Threads 20 and up return before the barrier the others wait at. */
__global__ void partial_barrier_kernel(float *out) {
    if (threadIdx.x >= 20) return;
    __syncthreads();
    out[threadIdx.x] = 1.0f;
}
/* Lane 3 of the second warp returns before the shuffle its warp waits at. */
__global__ void partial_shuffle_kernel(float *out) {
    if (threadIdx.x == 35) return;
    out[threadIdx.x] = __shfl_down_sync(0xffffffffu, 1.0f, 1);
}

/* Runs body in a child; checks it exits non-zero with `expected` in its stderr. The bodies
   launch single blocks: a forked child cannot use the parent's OpenMP threads. */
template <typename Body>
static void check_fails(const char *what, const char *expected, Body body) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipe_fds[1], 2);
        close(pipe_fds[0]);
        body();
        _Exit(0);
    }
    close(pipe_fds[1]);
    char text[1024] = {0};
    size_t len = 0;
    ssize_t got;
    while (len < sizeof text - 1 && (got = read(pipe_fds[0], text + len, sizeof text - 1 - len)) > 0) len += (size_t)got;
    close(pipe_fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 0 && strstr(text, expected), "%s: status %d, stderr \"%s\"", what,
          status, text);
}

static void test_errors(void) {
    float *d = (float *)tgc_cuda_alloc(4096);
    check_fails("partial __syncthreads",
                "tgc: CUDA error in kernel partial_barrier_kernel (model.swiftdsl:77): barrier misuse in block (0,0,0): "
                "of its 64 threads, 20 wait at __syncthreads, 0 wait at a warp shuffle or __syncwarp, 44 have returned",
                [&] { TGC_LAUNCH(partial_barrier_kernel, 1, 64, 0, 77, d); });
    check_fails("partial shuffle", "kernel partial_shuffle_kernel (model.swiftdsl:78): barrier misuse",
                [&] { TGC_LAUNCH(partial_shuffle_kernel, 1, 64, 0, 78, d); });
    check_fails("block of 2048 threads",
                "tgc: CUDA error in kernel saxpy_kernel (model.swiftdsl:79): invalid configuration argument",
                [&] { TGC_LAUNCH(saxpy_kernel, 1, 2048, 0, 79, 10ll, 1.0f, (const float *)d, d); });
    check_fails("empty grid", "invalid configuration argument",
                [&] { TGC_LAUNCH(saxpy_kernel, 0, 32, 0, 80, 10ll, 1.0f, (const float *)d, d); });
    tgc_cuda_free(d);
}
#endif

int main(void) {
    tgc_cuda_init();
#ifdef TGC_CUDA_EMULATE
    test_errors();
#endif
    test_reductions();
    test_warp_shuffles();
    test_elementwise_and_barriers();
    test_sgemm();
    test_philox();
    test_conv();
    printf("cuda: %d passed, %d failed\n", n_passed, n_failed);
    printf("runtime: %d passed, %d failed\n", n_passed, n_failed);
    return n_failed == 0 ? 0 : 1;
}
