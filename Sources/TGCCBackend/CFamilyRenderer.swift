import TGCCore
import TGCLowering

/// Prints kernel expressions and statements as C-family source text (valid C11 and CUDA C).
/// Buffers are named by `bufferName`; parentheses are added only where precedence needs them.
public struct CFamilyRenderer {
    public var bufferName: (Value) -> String
    /// The function that computes an intrinsic: `spelling` (C), or a device renderer's (CUDA
    /// spells the host-only checks with device versions).
    public var intrinsicName: (Intrinsic) -> String = CFamilyRenderer.spelling

    public init(bufferName: @escaping (Value) -> String) {
        self.bufferName = bufferName
    }

    public func render(_ statement: KernelStatement) -> String {
        switch statement {
        case .declare(let name, let type, let value):
            return "\(type.cName) \(name) = \(render(value));"
        case .assign(let name, let value):
            if case .infix(let symbol, .local(name), let rhs) = value, ["+", "-", "*", "/"].contains(symbol) {
                return "\(name) \(symbol)= \(render(rhs));"
            }
            return "\(name) = \(render(value));"
        case .store(let buffer, let index, let value):
            return "\(bufferName(buffer))[\(render(index))] = \(render(value));"
        case .indirectStore(let buffer, let index, let value):
            return "\(bufferName(buffer))[\(render(index))] = \(render(value));"
        case .accumulate(let buffer, let index, let value, let accumulation):
            // Racing points run in loop order (KernelSchedule), so no atomic is needed.
            switch accumulation {
            case .add: return "\(bufferName(buffer))[\(render(index))] += \(render(value));"
            }
        }
    }

    public func render(_ expr: ScalarExpr) -> String {
        switch expr {
        case .load(let buffer, let index):
            return "\(bufferName(buffer))[\(render(index))]"
        case .indirectLoad(let buffer, let index):
            return "\(bufferName(buffer))[\(render(index))]"
        case .guardedLoad(let buffer, let index, let bounds, let fill):
            // C's `?:` evaluates only the chosen side: the element is never read out of bounds.
            let element = "\(bufferName(buffer))[\(render(index))]"
            guard !bounds.isEmpty else { return element }
            let conditions = bounds.map { "\(render($0.coordinate)) >= 0 && \(render($0.coordinate)) < \($0.extent)" }
            return "\(conditions.joined(separator: " && ")) ? \(element) : \(operandText(fill))"
        case .local(let name):
            return name
        case .loopIndex(let variable):
            return variable.name
        case .offset(let index):
            return render(index)
        case .floatLiteral(let value):
            return Self.literal(value)
        case .doubleLiteral(let value):
            return Self.literal(value)
        case .intLiteral(let value):
            return Self.literal(value)
        case .stringLiteral(let text):
            let escaped = text.flatMap { character -> [Character] in
                character == "\\" || character == "\"" ? ["\\", character] : (character.isASCII && !character.isNewline ? [character] : ["?"])
            }
            return "\"" + String(escaped) + "\""
        case .prefix(let symbol, let operand):
            return symbol + operandText(operand, ofPrefix: true)
        case .infix(let symbol, let lhs, let rhs):
            return "\(operandText(lhs)) \(symbol) \(operandText(rhs))"
        case .call(let function, let arguments):
            return "\(intrinsicName(function))(" + arguments.map(render).joined(separator: ", ") + ")"
        case .cast(let type, let operand):
            return "(\(type.cName))" + operandText(operand, ofPrefix: true)
        case .ternary(let condition, let then, let otherwise):
            return "\(operandText(condition)) ? \(operandText(then)) : \(operandText(otherwise))"
        }
    }

    /// Σ stride × variable + constant, e.g. `i0 * 4 + i1`; `0` when empty.
    public func render(_ index: AffineIndex) -> String {
        var parts = index.terms.map { $0.stride == 1 ? $0.variable.name : "\($0.variable.name) * \($0.stride)" }
        if index.constant != 0 || parts.isEmpty { parts.append(String(index.constant)) }
        return parts.joined(separator: " + ")
    }

    /// `t[i0] * 4 + i1`: the table's element times the scale, plus the remainder.
    public func render(_ index: IndirectIndex) -> String {
        let element = "\(bufferName(index.table))[\(render(index.position))]"
        var parts = [index.scale == 1 ? element : "\(element) * \(index.scale)"]
        if index.remainder != .zero { parts.append(render(index.remainder)) }
        return parts.joined(separator: " + ")
    }

    public func render(_ index: IndexExpr) -> String {
        switch index {
        case .affine(let index): render(index)
        case .indirect(let index): render(index)
        }
    }

    /// `expr` as an operand of another operator: parenthesized unless it is atomic (a prefix
    /// operator binds tighter than any infix one, so it needs parentheses only under another).
    private func operandText(_ expr: ScalarExpr, ofPrefix: Bool = false) -> String {
        let text = render(expr)
        switch expr {
        case .load, .indirectLoad, .local, .loopIndex, .call, .stringLiteral:
            return text
        case .offset(let index):
            return index.terms.isEmpty ? text : "(\(text))"
        case .floatLiteral, .doubleLiteral, .intLiteral:
            return text.hasPrefix("-") ? "(\(text))" : text
        case .prefix, .cast:
            return ofPrefix ? "(\(text))" : text
        case .guardedLoad(_, _, let bounds, _):
            return bounds.isEmpty ? text : "(\(text))"
        case .infix, .ternary:
            return "(\(text))"
        }
    }

    // MARK: intrinsics

    /// The C function that computes `function`: C99 math (`logf`, ...), the shared helpers of
    /// runtime/include/tgc_math.h (`tgc_expf`, `tgc_powf`, `tgc_floor_fmodf`) or the kernel
    /// prelude's (`tgc_op_*`, KernelPrelude.swift).
    public static func spelling(_ function: Intrinsic) -> String {
        switch function {
        case .exp: "tgc_expf"
        case .log: "logf"
        case .sin: "sinf"
        case .cos: "cosf"
        case .tanh: "tanhf"
        case .sqrt: "sqrtf"
        // Chapter 2 math
        case .floor: "floorf"
        case .ceil: "ceilf"
        case .round: "nearbyintf"
        case .trunc: "truncf"
        case .frac: "tgc_fracf"
        case .log1p: "log1pf"
        case .expm1: "expm1f"
        case .log2: "log2f"
        case .log10: "log10f"
        case .exp2: "exp2f"
        case .tan: "tanf"
        case .asin: "asinf"
        case .acos: "acosf"
        case .atan: "atanf"
        case .sinh: "sinhf"
        case .cosh: "coshf"
        case .erf: "erff"
        case .softplus: "tgc_softplusf"
        case .silu: "tgc_siluf"
        case .gelu: "tgc_geluf"
        case .elu: "tgc_eluf"
        case .leakyRelu: "tgc_leaky_reluf"
        case .atan2: "atan2f"
        case .absolute(let type): "fabs" + floatSuffix(type, of: function)
        case .power: "tgc_powf"
        case .integerPower: "tgc_op_ipow"
        case .floorMod: "tgc_floor_fmodf"
        case .integerFloorMod: "tgc_op_imod"
        case .checkedIndex: "tgc_op_checked_index"
        case .checkedDimensionIndex: "tgc_op_checked_dimension_index"
        case .toInt64: "tgc_op_to_i64"
        case .fusedMultiplyAdd(let type): "fma" + floatSuffix(type, of: function)
        case .maximum(let type): extremeHelper("max", type)
        case .minimum(let type): extremeHelper("min", type)
        case .isNaN: "isnan"
        // The double functions drop the single-precision `f` (tgc_math.h names its own alike).
        case .double(.exp): "exp"
        case .double(let single): String(spelling(single).dropLast())
        }
    }

    /// `tgc_op_fmaxf`, `tgc_op_fmax` or `tgc_op_imax` (and the same for min): the prelude's
    /// NaN-propagating max and min of float, double and int64 (bools are compared as int64).
    private static func extremeHelper(_ base: String, _ type: ScalarType) -> String {
        switch type {
        case .float32: "tgc_op_f\(base)f"
        case .float64: "tgc_op_f\(base)"
        case .int64, .int32, .uint8, .bool: "tgc_op_i\(base)"
        }
    }

    /// The suffix of C's single-precision math functions: `f` for float, none for double.
    private static func floatSuffix(_ type: ScalarType, of function: Intrinsic) -> String {
        switch type {
        case .float32: return "f"
        case .float64: return ""
        case .int64, .int32, .uint8, .bool: preconditionFailure("\(function) of an integer type: the lowering computes it without an intrinsic")
        }
    }

    // MARK: literals

    /// A float literal that reads back as exactly `value`: `0.1f`, `-INFINITY`, `NAN`.
    public static func literal(_ value: Float) -> String {
        if value.isNaN { return "NAN" }
        if value.isInfinite { return value < 0 ? "-INFINITY" : "INFINITY" }
        return "\(value)f"
    }

    /// A double literal that reads back as exactly `value`.
    public static func literal(_ value: Double) -> String {
        if value.isNaN { return "(double)NAN" }
        if value.isInfinite { return value < 0 ? "-(double)INFINITY" : "(double)INFINITY" }
        return "\(value)"
    }

    public static func literal(_ value: Int64) -> String {
        switch value {
        case .min: "INT64_MIN"
        case .max: "INT64_MAX"
        default: "\(value)"
        }
    }
}

extension ScalarType {
    /// The C spelling of the type (bool is stored as one byte, 0 or 1).
    public var cName: String {
        switch self {
        case .float32: "float"
        case .float64: "double"
        case .int64: "int64_t"
        case .int32: "int32_t"
        case .uint8, .bool: "uint8_t"
        }
    }
}
