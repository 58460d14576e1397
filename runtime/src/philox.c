/* Philox4x32-10 counter-based RNG with uniform and Box-Muller normal streams. */
#include <math.h>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include "tgc_philox.h"
#include "tgc_runtime.h"

void tgc_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
    uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
    tgc_philox_rounds(c, key[0], key[1]);
    for (int i = 0; i < 4; i++) out[i] = c[i];
}

void tgc_rng_seed(tgc_rng *r, uint64_t seed) {
    r->seed = seed;
    r->block = 0;
}

static void rng_block(uint64_t seed, uint64_t block, uint32_t out[4]) {
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    const uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), 0, 0};
    tgc_philox4x32_10(ctr, key, out);
}

/* Blocks are independent, so big requests may be split across threads with equal results. */
#define PAR_MIN_BLOCKS 8192

/* Blocks computed together in tgc_rng_uniform: the rounds run on arrays of this many
   counters, each word in a 64-bit lane (Philox's 32x32->64 multiplies are then vector
   multiplies of 64-bit lanes: AVX-512's or AVX2's vpmuludq where the runtime is compiled for it, else
   what the compiler makes of the lane loop). Each lane is the scalar tgc_philox4x32_10, bit
   for bit. */
#define LANE_BLOCKS 16

/* Philox blocks base, base + 1, ..., base + LANE_BLOCKS - 1: word j of block l in w[j][l]. */
static void rng_lanes(uint64_t seed, uint64_t base, uint64_t w[4][LANE_BLOCKS]) {
    uint64_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
#if defined(__AVX512F__)
    const __m512i low = _mm512_set1_epi64(0xFFFFFFFF), m0 = _mm512_set1_epi64(TGC_PHILOX_M0), m1 = _mm512_set1_epi64(TGC_PHILOX_M1);
    for (int h = 0; h < LANE_BLOCKS; h += 8) {
        const __m512i block = _mm512_add_epi64(_mm512_set1_epi64((long long)(base + (uint64_t)h)), _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
        __m512i c0 = _mm512_and_si512(block, low), c1 = _mm512_srli_epi64(block, 32), c2 = _mm512_setzero_si512(), c3 = c2;
        uint64_t r0 = k0, r1 = k1;
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                r0 = (uint32_t)(r0 + TGC_PHILOX_W0);
                r1 = (uint32_t)(r1 + TGC_PHILOX_W1);
            }
            const __m512i p0 = _mm512_mul_epu32(c0, m0), p1 = _mm512_mul_epu32(c2, m1);
            c0 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p1, 32), c1), _mm512_set1_epi64((long long)r0));
            c1 = _mm512_and_si512(p1, low);
            c2 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p0, 32), c3), _mm512_set1_epi64((long long)r1));
            c3 = _mm512_and_si512(p0, low);
        }
        _mm512_storeu_si512(&w[0][h], c0);
        _mm512_storeu_si512(&w[1][h], c1);
        _mm512_storeu_si512(&w[2][h], c2);
        _mm512_storeu_si512(&w[3][h], c3);
    }
#elif defined(__AVX2__)
    const __m256i low = _mm256_set1_epi64x(0xFFFFFFFF), m0 = _mm256_set1_epi64x(TGC_PHILOX_M0), m1 = _mm256_set1_epi64x(TGC_PHILOX_M1);
    for (int h = 0; h < LANE_BLOCKS; h += 4) {
        const __m256i block = _mm256_add_epi64(_mm256_set1_epi64x((long long)(base + (uint64_t)h)), _mm256_setr_epi64x(0, 1, 2, 3));
        __m256i c0 = _mm256_and_si256(block, low), c1 = _mm256_srli_epi64(block, 32), c2 = _mm256_setzero_si256(), c3 = c2;
        uint64_t r0 = k0, r1 = k1;
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                r0 = (uint32_t)(r0 + TGC_PHILOX_W0);
                r1 = (uint32_t)(r1 + TGC_PHILOX_W1);
            }
            const __m256i p0 = _mm256_mul_epu32(c0, m0), p1 = _mm256_mul_epu32(c2, m1);
            c0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), c1), _mm256_set1_epi64x((long long)r0));
            c1 = _mm256_and_si256(p1, low);
            c2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), c3), _mm256_set1_epi64x((long long)r1));
            c3 = _mm256_and_si256(p0, low);
        }
        _mm256_storeu_si256((__m256i *)&w[0][h], c0);
        _mm256_storeu_si256((__m256i *)&w[1][h], c1);
        _mm256_storeu_si256((__m256i *)&w[2][h], c2);
        _mm256_storeu_si256((__m256i *)&w[3][h], c3);
    }
#else
    for (int l = 0; l < LANE_BLOCKS; l++) {
        const uint64_t block = base + (uint64_t)l;
        w[0][l] = (uint32_t)block, w[1][l] = (uint32_t)(block >> 32), w[2][l] = 0, w[3][l] = 0;
    }
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 = (uint32_t)(k0 + TGC_PHILOX_W0);
            k1 = (uint32_t)(k1 + TGC_PHILOX_W1);
        }
        for (int l = 0; l < LANE_BLOCKS; l++) {
            const uint64_t p0 = TGC_PHILOX_M0 * w[0][l], p1 = TGC_PHILOX_M1 * w[2][l];
            const uint64_t c1 = w[1][l], c3 = w[3][l];
            w[0][l] = (p1 >> 32) ^ c1 ^ k0;
            w[1][l] = p1 & 0xFFFFFFFFu;
            w[2][l] = (p0 >> 32) ^ c3 ^ k1;
            w[3][l] = p0 & 0xFFFFFFFFu;
        }
    }
#endif
}

void tgc_rng_uniform(tgc_rng *r, float *out, int64_t n) {
    if (n <= 0) return;
    const int64_t nblocks = (n + 3) / 4, groups = (nblocks + LANE_BLOCKS - 1) / LANE_BLOCKS;
    const uint64_t seed = r->seed, base = r->block;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (nblocks >= PAR_MIN_BLOCKS)
#endif
    for (int64_t g = 0; g < groups; g++) {
        uint64_t w[4][LANE_BLOCKS];
        rng_lanes(seed, base + (uint64_t)(g * LANE_BLOCKS), w);
        const int64_t first = g * LANE_BLOCKS * 4;
        if (first + LANE_BLOCKS * 4 <= n) {
            for (int l = 0; l < LANE_BLOCKS; l++)
                for (int j = 0; j < 4; j++) out[first + l * 4 + j] = (float)(uint32_t)(w[j][l] >> 8) * 0x1p-24f;
        } else {
            for (int64_t i = first; i < n; i++) out[i] = (float)(uint32_t)(w[(i - first) % 4][(i - first) / 4] >> 8) * 0x1p-24f;
        }
    }
    r->block = base + (uint64_t)nblocks;
}

void tgc_rng_normal(tgc_rng *r, float *out, int64_t n) {
    if (n <= 0) return;
    const int64_t nblocks = (n + 3) / 4;
    const uint64_t seed = r->seed, base = r->block;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (nblocks >= PAR_MIN_BLOCKS / 4)
#endif
    for (int64_t b = 0; b < nblocks; b++) {
        uint32_t w[4];
        float z[4];
        rng_block(seed, base + (uint64_t)b, w);
        tgc_box_muller(w[0], w[1], &z[0], &z[1]);
        tgc_box_muller(w[2], w[3], &z[2], &z[3]);
        for (int j = 0; j < 4; j++) {
            int64_t i = b * 4 + j;
            if (i < n) out[i] = z[j];
        }
    }
    r->block = base + (uint64_t)nblocks;
}
