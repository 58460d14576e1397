/* tgc_philox.h: the Philox4x32-10 rounds and the Box-Muller pair of tgc's random streams,
   shared by the C runtime (src/philox.c) and the device (cuda/philox.cuh), so a CUDA program
   draws the bits the interpreter and the C backend draw. */
#ifndef TGC_PHILOX_H
#define TGC_PHILOX_H

#include <math.h>
#include <stdint.h>

#include "tgc_math.h" /* TGC_HD */

#define TGC_PHILOX_M0 0xD2511F53u
#define TGC_PHILOX_M1 0xCD9E8D57u
#define TGC_PHILOX_W0 0x9E3779B9u
#define TGC_PHILOX_W1 0xBB67AE85u

/* The ten rounds on counter c under key (k0, k1), in place. */
static inline TGC_HD void tgc_philox_rounds(uint32_t c[4], uint32_t k0, uint32_t k1) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += TGC_PHILOX_W0;
            k1 += TGC_PHILOX_W1;
        }
        const uint64_t p0 = (uint64_t)TGC_PHILOX_M0 * c[0], p1 = (uint64_t)TGC_PHILOX_M1 * c[2];
        const uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        const uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        c[0] = hi1 ^ c[1] ^ k0;
        c[1] = lo1;
        c[2] = hi0 ^ c[3] ^ k1;
        c[3] = lo0;
    }
}

/* Two standard normal numbers from two words, in double precision. */
static inline TGC_HD void tgc_box_muller(uint32_t w0, uint32_t w1, float *z0, float *z1) {
    const double two_pi = 6.283185307179586476925286766559;
    const double u1 = (double)((w0 >> 8) + 1u) * 0x1p-24;
    const double u2 = (double)(w1 >> 8) * 0x1p-24;
    const double radius = sqrt(-2.0 * log(u1));
    const double theta = two_pi * u2;
    *z0 = (float)(radius * cos(theta));
    *z1 = (float)(radius * sin(theta));
}

#endif
