/// The small C helpers that lowered code calls (`tgc_op_*`), and the CPU choice of whether
/// chunked sums prefetch (`TGC_PREFETCH_SUMS`): the interpreter's exact
/// semantics for integer power, floor modulo, NaN-propagating max/min and float → int casts;
/// (`tgc_expf`, `tgc_powf` and `tgc_floor_fmodf` come from runtime/include/tgc_math.h, shared
/// with the interpreter). Every helper but `tgc_op_imod` and the two `tgc_op_checked_*` index
/// checks is `TGC_HD` (tgc_math.h): it calls no host-only function, so a CUDA renderer can use
/// it in device code; those three report a modulo by zero or an index out of range with `tgc_fatal_at` and are host
/// only (`tgc_op_imod` calls `tgc_op_floor_imod`, which is not).
package enum KernelPrelude {
    package static let source = #"""
    /* Chunked sums prefetch the streams they read 512 elements ahead where the hardware
       prefetcher alone leaves a core below the memory bandwidth (AVX2 Zen 3: 16M-float sum
       2.1 -> 1.6 ms); on AVX-512 machines (Zen 4/5) the prefetches cost more than they bring
       (0.93 -> 0.81 ms). -DTGC_PREFETCH_SUMS=0 or =1 overrides the choice. */
    #ifndef TGC_PREFETCH_SUMS
    #  ifdef __AVX512F__
    #    define TGC_PREFETCH_SUMS 0
    #  else
    #    define TGC_PREFETCH_SUMS 1
    #  endif
    #endif

    /* ---- scalar helpers: the interpreter's semantics, element by element ---- */

    /* float -> int64: truncation toward zero; NaN and infinities give 0, overflow saturates. */
    static inline TGC_HD int64_t tgc_op_to_i64(double x) {
        if (!isfinite(x)) return 0;
        if (x >= 9223372036854775807.0) return INT64_MAX;
        if (x <= -9223372036854775808.0) return INT64_MIN;
        return (int64_t)x;
    }

    /* Integer power by squaring (wrapping on overflow); negative exponents give 1/a^|b| truncated. */
    static inline TGC_HD int64_t tgc_op_ipow(int64_t a, int64_t b) {
        if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) == 0 ? 1 : -1) : 0);
        uint64_t result = 1, base = (uint64_t)a;
        while (b > 0) {
            if (b & 1) result *= base;
            base *= base;
            b >>= 1;
        }
        return (int64_t)result;
    }

    /* Floor modulo (Python's %, torch.remainder): the result has the divisor's sign.
       A zero divisor gives 0 here (no undefined %); tgc_op_imod makes it an error. */
    static inline TGC_HD int64_t tgc_op_floor_imod(int64_t a, int64_t b) {
        if (b == 0 || b == -1) return 0;
        int64_t r = a % b;
        return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
    }

    /* Host only: integer modulo by zero is an error at the op's source location, as in the
       interpreter. */
    static inline int64_t tgc_op_imod(int64_t a, int64_t b, const char *where) {
        if (b == 0) tgc_fatal_at(where, "integer modulo by zero");
        return tgc_op_floor_imod(a, b);
    }

    /* Host only: a row index outside 0 ..< n is an error at the op's source location, with the
       interpreter's message (a negative index was moved up by n before). */
    static inline int64_t tgc_op_checked_index(int64_t i, int64_t n, const char *where) {
        if (i < 0 || i >= n) {
            tgc_fatal_at(where, "index %lld is out of bounds for dimension 0 with size %lld", (long long)(i < 0 ? i - n : i), (long long)n);
        }
        return i;
    }

    /* Host only: an index along dimension dim outside 0 ..< n is an error at the op's source
       location, with the interpreter's message (gather, scatter, index_select). */
    static inline int64_t tgc_op_checked_dimension_index(int64_t i, int64_t n, int64_t dim, const char *where) {
        if (i < 0 || i >= n) {
            tgc_fatal_at(where, "index %lld is out of bounds for dimension %lld with size %lld", (long long)i, (long long)dim, (long long)n);
        }
        return i;
    }

    /* max/min that propagate NaN (torch.maximum); ties pick as Swift's max/min do. */
    static inline TGC_HD float tgc_op_fmaxf(float a, float b) { return (isnan(a) || isnan(b)) ? NAN : (b >= a ? b : a); }
    static inline TGC_HD float tgc_op_fminf(float a, float b) { return (isnan(a) || isnan(b)) ? NAN : (b < a ? b : a); }
    static inline TGC_HD double tgc_op_fmax(double a, double b) { return (isnan(a) || isnan(b)) ? NAN : (b >= a ? b : a); }
    static inline TGC_HD double tgc_op_fmin(double a, double b) { return (isnan(a) || isnan(b)) ? NAN : (b < a ? b : a); }
    static inline TGC_HD int64_t tgc_op_imax(int64_t a, int64_t b) { return b >= a ? b : a; }
    static inline TGC_HD int64_t tgc_op_imin(int64_t a, int64_t b) { return b < a ? b : a; }

    """#
}
