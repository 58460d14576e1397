/// A scalar function that lowered code calls: a math function or one of the exact helpers
/// that give the interpreter's semantics. The lowering names WHAT is computed; each renderer
/// spells it (C: `logf`, `tgc_expf`, `tgc_op_fmaxf`, ...; see `CFamilyRenderer.spelling`).
///
/// Every intrinsic has a fixed signature, given with each case. Renderers must compute the
/// same bits as the interpreter: the C renderer calls the helpers of runtime/include/tgc_math.h
/// and the kernel prelude, which the interpreter shares or mirrors.
public enum Intrinsic: Hashable, Sendable {
    /// float → float, single precision (the interpreter's math runs in float).
    case exp, log, sin, cos, tanh, sqrt
    // Chapter 2 math
    /// float → float, single precision: C99 math, and tgc_math.h's formulas for frac and the
    /// activations (round is half to even).
    case floor, ceil, round, trunc, frac, log1p, expm1, log2, log10, exp2, tan, asin, acos, atan, sinh, cosh, erf
    case softplus, silu, gelu
    /// (float, float) → float: the activation with its parameter (alpha, the negative slope).
    case elu, leakyRelu
    /// (float, float) → float: atan2(y, x), single precision.
    case atan2
    /// |x| of a float32 or float64 operand, in its own type.
    case absolute(ScalarType)
    /// (float, float) → float: a square is a multiplication, otherwise powf.
    case power
    /// (int64, int64) → int64: exact integer power by squaring, wrapping on overflow.
    case integerPower
    /// (float, float) → float: floor modulo (torch.remainder), the divisor's sign.
    case floorMod
    /// (int64, int64, string) → int64: floor modulo; a zero divisor is a run-time error at the
    /// source location that the string literal names.
    case integerFloorMod
    /// (int64, int64, string) → int64: a row index, checked to lie in `0 ..< count`; outside,
    /// a run-time error at the source location the string names (the interpreter's message).
    case checkedIndex
    /// (int64, int64, int64, string) → int64: an index along a dimension (the third argument),
    /// checked to lie in `0 ..< count`; outside, a run-time error at the source location the
    /// string names, with the interpreter's message (gather, scatter, index_select).
    case checkedDimensionIndex
    /// (T, T, T) → T for float or double: a × b + c with one rounding (C's fmaf, fma).
    case fusedMultiplyAdd(ScalarType)
    /// double → int64: truncation toward zero, NaN and infinities give 0, overflow saturates.
    case toInt64
    /// (T, T) → T: the maximum (minimum) of two values of `type` that propagates NaN; of equal
    /// values (+0 and -0 among them) it returns the second, as Swift's max and min do.
    case maximum(ScalarType), minimum(ScalarType)
    /// float or double → bool: whether the operand is NaN.
    case isNaN
    /// The float64 version of a single-precision function above (`exp`, `power`, `elu`, ...):
    /// the same arguments as doubles, computed in double (C: `exp`, `tgc_pow`, `tgc_elu`).
    indirect case double(Intrinsic)
}
