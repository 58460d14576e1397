import TGCBase
import TGCCore

/// A scalar expression together with the type it evaluates to.
public struct TypedExpr {
    public var expr: ScalarExpr
    public var type: ScalarType

    public init(_ expr: ScalarExpr, _ type: ScalarType) {
        self.expr = expr
        self.type = type
    }
}

/// The per-element meaning of each elementwise op in C-family scalar code, written to match
/// the interpreter's reference kernels bit for bit:
///
/// - every result is rounded to its dtype (float32 rounding, int64 truncation toward zero with
///   non-finite values giving 0, int32 and uint8 wrapping after that truncation, bool as `!= 0`);
/// - float32 ⊕ float32 is computed in float (correctly rounded +, -, *, / of floats equal the
///   interpreter's double-then-round), float32 ⊕ integer and float64 in double, integers in
///   int64 (then wrapped to int32 or uint8, as PyTorch's two's complement arithmetic);
/// - transcendental functions of float32 run in single precision (`expf`, ...), as the
///   interpreter does; exp is `tgc_expf` from runtime/include/tgc_math.h, the interpreter's exp,
///   which vectorizes. Those of float64 run in double (`exp`, `log`, ...: `Intrinsic.double`).
///
/// Functions are `Intrinsic`s, which each renderer spells (the C renderer's helpers named
/// `tgc_op_*` live in its kernel prelude, `KernelPrelude.swift`).
public enum ScalarRules {
    // MARK: conversions

    /// `expr` converted to `type` with the interpreter's rounding rules.
    static func convert(_ x: TypedExpr, to type: ScalarType) -> TypedExpr {
        if x.type == type { return x }
        switch type {
        case .float32, .float64:
            return TypedExpr(.cast(type, x.expr), type)
        case .int64, .int32, .uint8:
            // Floats truncate toward zero through int64 (NaN and infinities give 0); a narrower
            // integer type keeps the low bits (C's conversion to int32_t and uint8_t wraps).
            let integer = x.type.isFloatingPoint ? ScalarExpr.call(.toInt64, [x.expr]) : x.expr
            return TypedExpr(type == .int64 && x.type.isFloatingPoint ? integer : .cast(type, integer), type)
        case .bool:
            return TypedExpr(.infix("!=", x.expr, zero(x.type)), .bool)
        }
    }

    /// `x` rounded to what a tensor of `dtype` stores, as the interpreter's `Tensor.round`.
    static func round(_ x: TypedExpr, to dtype: DType) -> TypedExpr { convert(x, to: ScalarType(dtype)) }

    /// The literal 0 of `type`.
    static func zero(_ type: ScalarType) -> ScalarExpr { literal(0, type) }

    /// `value` as a literal of `type`, rounded like the interpreter rounds constants.
    static func literal(_ value: Double, _ type: ScalarType) -> ScalarExpr {
        switch type {
        case .float32: .floatLiteral(Float(value))
        case .float64: .doubleLiteral(value)
        case .int64: .intLiteral(truncatedInt64(value))
        case .int32: .intLiteral(Int64(Tensor.round(value, to: .int32)))
        case .uint8: .intLiteral(Int64(Tensor.round(value, to: .uint8)))
        case .bool: .intLiteral(value != 0 ? 1 : 0)
        }
    }

    /// Truncation toward zero, 0 for non-finite values, clamped to the int64 range.
    public static func truncatedInt64(_ value: Double) -> Int64 {
        guard value.isFinite else { return 0 }
        if value >= 9.223372036854775807e18 { return .max }
        if value <= -9.223372036854775808e18 { return .min }
        return Int64(value.rounded(.towardZero))
    }

    /// The type a binary op on `a` and `b` computes in.
    static func computeType(_ a: ScalarType, _ b: ScalarType) -> ScalarType {
        switch (a.isFloatingPoint, b.isFloatingPoint) {
        case (true, true): a == .float64 || b == .float64 ? .float64 : .float32
        case (true, false), (false, true): .float64
        case (false, false): .int64
        }
    }

    // MARK: unary

    static func negate(_ x: TypedExpr, result: DType) -> TypedExpr {
        // Narrow integers negate in int64 (C would negate an int, which overflows at INT32_MIN).
        let operand = x.type.isFloatingPoint || x.type == .int64 ? x : convert(x, to: .int64)
        return round(TypedExpr(.prefix("-", operand.expr), operand.type), to: result)
    }

    /// A math function (`.exp`, `.sqrt`, ...) of the operands converted to `result` (float32
    /// or float64), in that precision; a parameter (elu's alpha) is a literal of that type.
    static func floatFunction(_ function: Intrinsic, _ operands: TypedExpr..., parameter: Double? = nil,
                              result: DType) -> TypedExpr {
        let type = ScalarType(result)
        let arguments = operands.map { convert($0, to: type).expr } + (parameter.map { [literal($0, type)] } ?? [])
        return TypedExpr(.call(type == .float64 ? .double(function) : function, arguments), type)
    }

    /// floor, ceil, round, trunc: the float function, the identity on integers (as in PyTorch).
    static func rounding(_ function: Intrinsic, _ x: TypedExpr, result: DType) -> TypedExpr {
        x.type.isFloatingPoint ? floatFunction(function, x, result: result) : x
    }

    /// x raised to `low` and lowered to `high` (either may be absent) in the result's type;
    /// NaN passes through, and with low > high every element is high, as torch.clamp.
    static func clamp(_ x: TypedExpr, low: Double?, high: Double?, result: DType) -> TypedExpr {
        let type = ScalarType(result)
        var value = convert(x, to: type).expr
        if let low {
            let bound = literal(Tensor.round(low, to: result), type)
            value = .ternary(.infix("<", value, bound), bound, value)
        }
        if let high {
            let bound = literal(Tensor.round(high, to: result), type)
            value = .ternary(.infix(">", value, bound), bound, value)
        }
        return TypedExpr(value, type)
    }

    /// 1 / x in the float result type.
    static func reciprocal(_ x: TypedExpr, result: DType) -> TypedExpr {
        let type = ScalarType(result)
        return TypedExpr(.infix("/", literal(1, type), convert(x, to: type).expr), type)
    }

    static func sigmoid(_ x: TypedExpr, result: DType) -> TypedExpr {
        let type = ScalarType(result)
        let exp = ScalarExpr.call(type == .float64 ? .double(.exp) : .exp, [.prefix("-", convert(x, to: type).expr)])
        return TypedExpr(.infix("/", literal(1, type), .infix("+", literal(1, type), exp)), type)
    }

    static func absolute(_ x: TypedExpr) -> TypedExpr {
        switch x.type {
        case .float32, .float64: TypedExpr(.call(.absolute(x.type), [x.expr]), x.type)
        case .int64: TypedExpr(.ternary(.infix("<", x.expr, zero(.int64)), .prefix("-", x.expr), x.expr), .int64)
        case .int32, .uint8: absolute(convert(x, to: .int64))
        case .bool: x
        }
    }

    /// 0 where x < 0, else x: NaN and -0 pass through, as torch.relu (clamp_min(x, 0)) does.
    static func relu(_ x: TypedExpr) -> TypedExpr {
        if x.type == .bool { return x }
        return TypedExpr(.ternary(.infix("<", x.expr, zero(x.type)), zero(x.type), x.expr), x.type)
    }

    /// -1, 0 or 1; NaN and -0 give 0, as torch.sign's `(0 < x) - (x < 0)`.
    static func sign(_ x: TypedExpr) -> TypedExpr {
        if x.type == .bool { return x }
        let (one, minusOne) = (literal(1, x.type), literal(-1, x.type))
        return TypedExpr(.ternary(.infix(">", x.expr, zero(x.type)), one,
                                  .ternary(.infix("<", x.expr, zero(x.type)), minusOne, zero(x.type))), x.type)
    }

    static func logicalNot(_ x: TypedExpr) -> TypedExpr {
        TypedExpr(.infix("==", x.expr, zero(x.type)), .bool)
    }

    // MARK: binary

    /// An infix arithmetic op (`+ - *`) computed in the common type, rounded to `result`.
    static func arithmetic(_ symbol: String, _ a: TypedExpr, _ b: TypedExpr, result: DType) -> TypedExpr {
        let type = computeType(a.type, b.type)
        let value = ScalarExpr.infix(symbol, convert(a, to: type).expr, convert(b, to: type).expr)
        return round(TypedExpr(value, type), to: result)
    }

    /// Division always runs in float (true division, as torch.div), in the result's precision.
    static func divide(_ a: TypedExpr, _ b: TypedExpr, result: DType) -> TypedExpr {
        let type = ScalarType(result)
        return TypedExpr(.infix("/", convert(a, to: type).expr, convert(b, to: type).expr), type)
    }

    /// Float power for float results; exact integer power otherwise.
    static func power(_ a: TypedExpr, _ b: TypedExpr, result: DType) -> TypedExpr {
        if result.isFloatingPoint { return floatFunction(.power, a, b, result: result) }
        let value = ScalarExpr.call(.integerPower, [convert(a, to: .int64).expr, convert(b, to: .int64).expr])
        return round(TypedExpr(value, .int64), to: result)
    }

    /// Floor modulo: the result takes the sign of the divisor (torch.remainder). An integer
    /// modulo by zero stops the program with an error naming `location`.
    static func floorMod(_ a: TypedExpr, _ b: TypedExpr, result: DType, at location: SourceLocation) -> TypedExpr {
        if result.isFloatingPoint { return floatFunction(.floorMod, a, b, result: result) }
        let value = ScalarExpr.call(.integerFloorMod, [convert(a, to: .int64).expr, convert(b, to: .int64).expr,
                                                   .stringLiteral(location == .unknown ? "" : location.description)])
        return round(TypedExpr(value, .int64), to: result)
    }

    /// NaN-propagating maximum (`isMax`) or minimum, as torch.maximum / torch.minimum.
    static func extreme(_ a: TypedExpr, _ b: TypedExpr, isMax: Bool, result: DType) -> TypedExpr {
        let type = computeType(a.type, b.type)
        let value = ScalarExpr.call(isMax ? .maximum(type) : .minimum(type), [convert(a, to: type).expr, convert(b, to: type).expr])
        return round(TypedExpr(value, type), to: result)
    }

    /// A comparison (`==`, `<`, ...) in the common type; the result is a bool.
    static func compare(_ symbol: String, _ a: TypedExpr, _ b: TypedExpr) -> TypedExpr {
        let type = computeType(a.type, b.type)
        return TypedExpr(.infix(symbol, convert(a, to: type).expr, convert(b, to: type).expr), .bool)
    }

    /// `&&` / `||` on truth values.
    static func logical(_ symbol: String, _ a: TypedExpr, _ b: TypedExpr) -> TypedExpr {
        TypedExpr(.infix(symbol, convert(a, to: .bool).expr, convert(b, to: .bool).expr), .bool)
    }

    /// a · b + c with one rounding, in the result's float type.
    static func fusedMultiplyAdd(_ a: TypedExpr, _ b: TypedExpr, _ c: TypedExpr, result: DType) -> TypedExpr {
        let type = ScalarType(result)
        return TypedExpr(.call(.fusedMultiplyAdd(type), [a, b, c].map { convert($0, to: type).expr }), type)
    }

    static func select(_ condition: TypedExpr, _ a: TypedExpr, _ b: TypedExpr, result: DType) -> TypedExpr {
        TypedExpr(.ternary(convert(condition, to: ScalarType.bool).expr, round(a, to: result).expr, round(b, to: result).expr),
                  ScalarType(result))
    }
}
