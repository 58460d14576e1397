/// The small C helpers that lowered scalar code calls (`tgc_op_*`): the interpreter's exact
/// semantics for integer power, floor modulo, NaN-propagating max/min and float → int casts;
/// and `tgc_expf`, an expf that vectorizes.
enum KernelPrelude {
    static let source = #"""
    /* ---- scalar helpers: the interpreter's semantics, element by element ---- */

    /* float -> int64: truncation toward zero; NaN and infinities give 0, overflow saturates. */
    static inline int64_t tgc_op_to_i64(double x) {
        if (!isfinite(x)) return 0;
        if (x >= 9223372036854775807.0) return INT64_MAX;
        if (x <= -9223372036854775808.0) return INT64_MIN;
        return (int64_t)x;
    }

    /* Integer power by squaring (wrapping on overflow); negative exponents give 1/a^|b| truncated. */
    static inline int64_t tgc_op_ipow(int64_t a, int64_t b) {
        if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) == 0 ? 1 : -1) : 0);
        uint64_t result = 1, base = (uint64_t)a;
        while (b > 0) {
            if (b & 1) result *= base;
            base *= base;
            b >>= 1;
        }
        return (int64_t)result;
    }

    /* float power; a square is a multiplication, as in the interpreter and PyTorch's pow kernel. */
    static inline float tgc_op_powf(float a, float b) { return b == 2.0f ? a * a : powf(a, b); }

    /* Floor modulo (Python's %, torch.remainder): the result has the divisor's sign.
       Integer modulo by zero is an error, as in the interpreter (and PyTorch). */
    static inline int64_t tgc_op_imod(int64_t a, int64_t b) {
        if (b == 0) tgc_fatal("integer modulo by zero");
        if (b == -1) return 0;
        int64_t r = a % b;
        return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
    }
    static inline float tgc_op_fmodf(float a, float b) {
        float r = fmodf(a, b);
        return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
    }

    /* max/min that propagate NaN (torch.maximum); ties pick as Swift's max/min do. */
    static inline float tgc_op_fmaxf(float a, float b) { return (isnan(a) || isnan(b)) ? NAN : (b >= a ? b : a); }
    static inline float tgc_op_fminf(float a, float b) { return (isnan(a) || isnan(b)) ? NAN : (b < a ? b : a); }
    static inline double tgc_op_fmax(double a, double b) { return (isnan(a) || isnan(b)) ? NAN : (b >= a ? b : a); }
    static inline double tgc_op_fmin(double a, double b) { return (isnan(a) || isnan(b)) ? NAN : (b < a ? b : a); }
    static inline int64_t tgc_op_imax(int64_t a, int64_t b) { return b >= a ? b : a; }
    static inline int64_t tgc_op_imin(int64_t a, int64_t b) { return b < a ? b : a; }

    /* expf that gcc vectorizes inside loops (libm's expf is an opaque call, one element at a
       time). It is glibc's algorithm (2.27 and later, from Arm's optimized routines) as its FMA
       build computes it: x / ln 2 = k / 32 + r, 2^(k/32) from a table of 32 doubles, a cubic in r,
       all in double, rounded once to float. Its results equal glibc's expf bit for bit, NaNs
       included (checked on all 2^32 inputs; Tests/TGCCBackendTests/ExpfTests rechecks a sample),
       so fused kernels still agree exactly with the interpreter. Out-of-range inputs are
       resolved with bit masks rather than branches, so the loop stays vectorizable.
       tgc_expf_table[i] = bits(2^(i/32)) - (i << 47). */
    static const uint64_t tgc_expf_table[32] = {
        0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
        0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
        0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
        0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
        0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
        0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
        0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
        0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
    };
    static inline float tgc_expf(float x) {
        const double scale = 0x1.71547652b82fep+0 * 32;   /* 32 / ln 2 */
        const double shift = 0x1.8p+52;                   /* rounds to an integer in the low bits */
        double kd = fma(scale, (double)x, shift);
        uint64_t ki;
        memcpy(&ki, &kd, sizeof ki);
        kd -= shift;
        double r = fma(scale, (double)x, -kd);
        uint64_t bits = tgc_expf_table[ki % 32] + (ki << 47);
        double s;
        memcpy(&s, &bits, sizeof s);
        double p = fma(0x1.c6af84b912394p-5 / 32 / 32 / 32, r, 0x1.ebfce50fac4f3p-3 / 32 / 32);
        double y = fma(0x1.62e42ff0c52d6p-1 / 32, r, 1.0);
        float f = (float)(fma(p, r * r, y) * s);
        uint32_t ux, uf;
        memcpy(&ux, &x, sizeof ux);
        memcpy(&uf, &f, sizeof uf);
        uint32_t over = -(uint32_t)((int32_t)ux > 0x42b17217);             /* x > 88.72...: inf */
        uint32_t under = -(uint32_t)(ux > 0xc2cff1b4u);                    /* x < -103.97...: 0 */
        uint32_t nan = -(uint32_t)((ux & 0x7fffffffu) > 0x7f800000u);      /* NaN: x + x */
        uf = ((uf & ~over) | (0x7f800000u & over)) & ~under;
        uf = (uf & ~nan) | ((ux | 0x00400000u) & nan);
        memcpy(&f, &uf, sizeof f);
        return f;
    }
    """#
}
