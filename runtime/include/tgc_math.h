/* tgc_math.h: math functions that the interpreter and generated code share, so both compute
   the same bits. Static inline and branch-free, so gcc vectorizes loops that call them. */
#ifndef TGC_MATH_H
#define TGC_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* TGC_HD marks the scalar helpers that generated kernels call: nothing for C, host and device
   under CUDA, so a CUDA renderer reuses them as they are. Such a helper calls only functions
   that exist on both sides (math.h, memcpy): no printing, no exit, no allocation, no RNG. */
#ifndef TGC_HD
#ifdef __CUDACC__
#define TGC_HD __host__ __device__
#else
#define TGC_HD
#endif
#endif

/* e^x in single precision, at most 1.01 ulp from the exact value (Cephes' expf polynomial):
   x = k ln 2 + r with |r| <= ln 2 / 2 (ln 2 split in two for an exact reduction), e^r by a
   degree-6 polynomial, then scaled by 2^k in two steps so subnormal results need no special
   case. Every multiply-add is an explicit fmaf, so any compiler with any contraction setting
   computes the same result. NaN gives NaN, x > 88.72 gives inf, x < -103.97 gives 0. */
static inline TGC_HD float tgc_expf(float x) {
    float xc = x < -103.972076f ? -103.972076f : x;
    xc = xc > 88.7228394f ? 88.7228394f : xc;   /* NaN stays NaN and propagates to y */
    /* k = x log2(e) rounded to an integer, in the low bits of kf (1.5 * 2^23 fixes the
       exponent, so the add rounds to an integer); k's integer value is read from those bits,
       which never converts a NaN to an int. */
    float kf = fmaf(xc, 1.44269502f, 12582912.0f);
    float k = kf - 12582912.0f;
    float r = fmaf(k, -0.693359375f, xc);
    r = fmaf(k, 2.12194440e-4f, r);
    float p = 1.9875691500e-4f;
    p = fmaf(p, r, 1.3981999507e-3f);
    p = fmaf(p, r, 8.3334519073e-3f);
    p = fmaf(p, r, 4.1665795894e-2f);
    p = fmaf(p, r, 1.6666665459e-1f);
    p = fmaf(p, r, 5.0000001201e-1f);
    float r2 = r * r;
    float y = fmaf(p, r2, r) + 1.0f;
    uint32_t kbits;
    memcpy(&kbits, &kf, sizeof kbits);
    int32_t ki = (int32_t)(kbits - 0x4B400000u);
    int32_t k1 = ki >> 1, k2 = ki - k1;   /* each within the normal range: -75 ... 64 */
    uint32_t b1 = (uint32_t)(k1 + 127) << 23, b2 = (uint32_t)(k2 + 127) << 23;
    float s1, s2;
    memcpy(&s1, &b1, sizeof s1);
    memcpy(&s2, &b2, sizeof s2);
    y = y * s1;
    y = y * s2;
    y = x > 88.7228394f ? INFINITY : y;
    y = x < -103.972076f ? 0.0f : y;
    return y;
}

/* Float power with the exponents PyTorch's pow kernel computes another way (PowKernel.cpp):
   2 and 3 as products, -2 as 1 / (a a), -0.5 as 1 / sqrt(a), -1 as 1 / a, 0.5 as sqrt(a). */
static inline TGC_HD float tgc_powf(float a, float b) {
    if (b == 2.0f) return a * a;
    if (b == 3.0f) return a * a * a;
    if (b == -2.0f) return 1.0f / (a * a);
    if (b == -0.5f) return 1.0f / sqrtf(a);
    if (b == -1.0f) return 1.0f / a;
    if (b == 0.5f) return sqrtf(a);
    return powf(a, b);
}

/* Float floor modulo (Python's %, torch.remainder): the result has the divisor's sign. */
static inline TGC_HD float tgc_floor_fmodf(float a, float b) {
    float r = fmodf(a, b);
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

/* Chapter 2 math: the activations PyTorch computes with a formula of its own, written once here
   so the interpreter and generated code evaluate the same expression in the same order. */

/* silu(x) = x * sigmoid(x), as PyTorch's kernel writes it: x / (1 + e^-x). */
static inline TGC_HD float tgc_siluf(float x) { return x / (1.0f + tgc_expf(-x)); }

/* gelu(x), the exact form (PyTorch's default approximate='none'): x/2 (1 + erf(x / sqrt 2)). */
static inline TGC_HD float tgc_geluf(float x) { return x * 0.5f * (1.0f + erff(x * 0.707106781186547524f)); }

/* softplus(x) with beta 1 and threshold 20, as torch.nn.functional.softplus: x itself above
   the threshold, log(1 + e^x) below it. */
static inline TGC_HD float tgc_softplusf(float x) { return x > 20.0f ? x : log1pf(tgc_expf(x)); }

/* elu(x, alpha): x where x > 0, alpha (e^x - 1) elsewhere (expm1, as PyTorch's vector kernel). */
static inline TGC_HD float tgc_eluf(float x, float alpha) { return x > 0.0f ? x : alpha * expm1f(x); }

/* leaky_relu(x, slope): x where x > 0, x * slope elsewhere (NaN passes through). */
static inline TGC_HD float tgc_leaky_reluf(float x, float slope) { return x > 0.0f ? x : x * slope; }

/* frac(x) = x - trunc(x), with the sign of x (torch.frac). */
static inline TGC_HD float tgc_fracf(float x) { return x - truncf(x); }

/* The float64 versions of the helpers above: the same formulas in double precision, with the
   C library's double functions (exp, log1p, erf, ...), which the interpreter calls too. */
static inline TGC_HD double tgc_pow(double a, double b) {
    if (b == 2.0) return a * a;
    if (b == 3.0) return a * a * a;
    if (b == -2.0) return 1.0 / (a * a);
    if (b == -0.5) return 1.0 / sqrt(a);
    if (b == -1.0) return 1.0 / a;
    if (b == 0.5) return sqrt(a);
    return pow(a, b);
}
static inline TGC_HD double tgc_floor_fmod(double a, double b) {
    double r = fmod(a, b);
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}
static inline TGC_HD double tgc_silu(double x) { return x / (1.0 + exp(-x)); }
static inline TGC_HD double tgc_gelu(double x) { return x * 0.5 * (1.0 + erf(x * 0.707106781186547524)); }
static inline TGC_HD double tgc_softplus(double x) { return x > 20.0 ? x : log1p(exp(x)); }
static inline TGC_HD double tgc_elu(double x, double alpha) { return x > 0.0 ? x : alpha * expm1(x); }
static inline TGC_HD double tgc_leaky_relu(double x, double slope) { return x > 0.0 ? x : x * slope; }
static inline TGC_HD double tgc_frac(double x) { return x - trunc(x); }
static inline TGC_HD double tgc_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

#endif /* TGC_MATH_H */
