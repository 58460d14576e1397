import Foundation

/// The ops of the language as the generator uses them, each with its spellings (function,
/// method, operator) and its range rule. Domains are kept well inside the safe region: log,
/// sqrt and fractional powers only of values ≥ 0.05, division only by values ≥ 0.1 away from
/// zero, exp only up to 6.
enum OpCatalog {
    /// A one-operand elementwise op; `spellings` are templates with `$0`.
    static func unary(_ name: String, _ spellings: [String], transcendental: Bool = false,
                      choice: Int, range: @escaping @Sendable (ValueRange) -> ValueRange?) -> GenOp {
        let template = spellings[choice % spellings.count]
        return GenOp(name: name, style: template.hasPrefix("-") || template.hasPrefix("!") ? .infix : .call,
                     isTranscendental: transcendental,
                     spell: { template.replacingOccurrences(of: "$0", with: $0[0]) },
                     range: { range($0[0]) })
    }

    /// Float elementwise ops by name, with their domains; nil for a name without a range rule
    /// (a test checks every one-operand function of the op definitions has one).
    static func floatUnary(_ name: String, choice: Int) -> GenOp? {
        let spellings = ["\(name)($0)", "$0.\(name)()"]
        switch name {
        case "exp":
            return unary(name, spellings, transcendental: true, choice: choice) { $0.hi <= 6 ? $0.mapIncreasing(Foundation.exp) : nil }
        case "log":
            return unary(name, spellings, transcendental: true, choice: choice) { $0.lo >= 0.05 && $0.isBounded ? $0.mapIncreasing(Foundation.log) : nil }
        case "sqrt":
            return unary(name, spellings, transcendental: true, choice: choice) { $0.lo >= 0.05 && $0.isBounded ? $0.mapIncreasing(Foundation.sqrt) : nil }
        case "sin", "cos":
            return unary(name, spellings, transcendental: true, choice: choice) { $0.isBounded ? ValueRange(-1, 1) : nil }
        case "tanh":
            return unary(name, spellings, transcendental: true, choice: choice) { _ in ValueRange(-1, 1) }
        case "sigmoid":
            return unary(name, spellings, transcendental: true, choice: choice) { _ in ValueRange(0, 1) }
        case "abs":
            return unary(name, spellings, choice: choice) { $0.isBounded ? $0.absolute : nil }
        case "relu":
            return unary(name, spellings, choice: choice) { $0.isBounded ? ValueRange(max($0.lo, 0), max($0.hi, 0)) : nil }
        case "sign":
            return unary(name, spellings, choice: choice) { _ in ValueRange(-1, 1) }
        case "neg":
            return unary(name, ["-$0", "neg($0)", "$0.neg()"], choice: choice) { $0.isBounded ? -$0 : nil }
        // Chapter 2 math
        case "floor", "ceil", "round", "trunc":
            return unary(name, spellings, choice: choice) { $0.isBounded ? ValueRange(Foundation.floor($0.lo), Foundation.ceil($0.hi)) : nil }
        case "frac":
            return unary(name, spellings, choice: choice) { $0.isBounded ? ValueRange(-1, 1) : nil }
        case "log1p":
            return unary(name, spellings, transcendental: true, choice: choice) { $0.lo >= -0.95 && $0.isBounded ? $0.mapIncreasing(Foundation.log1p) : nil }
        case "log2", "log10":
            return unary(name, spellings, transcendental: true, choice: choice) { $0.lo >= 0.05 && $0.isBounded ? $0.mapIncreasing(Foundation.log2) : nil }
        case "expm1":
            return unary(name, spellings, transcendental: true, choice: choice) { $0.hi <= 6 ? ValueRange(-1, Foundation.expm1($0.hi)) : nil }
        case "exp2":
            return unary(name, spellings, transcendental: true, choice: choice) { $0.hi <= 8 ? ValueRange(0, Foundation.exp2($0.hi)) : nil }
        case "rsqrt":
            return unary(name, spellings, choice: choice) { $0.lo >= 0.05 && $0.isBounded ? ValueRange(1 / Foundation.sqrt($0.hi), 1 / Foundation.sqrt($0.lo)) : nil }
        case "reciprocal":
            return unary(name, spellings, choice: choice) { ($0.lo >= 0.05 || $0.hi <= -0.05) && $0.isBounded ? ValueRange(-20, 20) : nil }
        case "square":
            return unary(name, spellings, choice: choice) { $0.magnitude <= 100 ? ValueRange(0, $0.magnitude * $0.magnitude) : nil }
        case "tan":
            return unary(name, spellings, transcendental: true, choice: choice) { $0.magnitude <= 1.2 ? ValueRange(-3, 3) : nil }
        case "asin", "acos":
            return unary(name, spellings, transcendental: true, choice: choice) { $0.magnitude <= 1 ? ValueRange(-1.6, 3.2) : nil }
        case "atan":
            return unary(name, spellings, transcendental: true, choice: choice) { _ in ValueRange(-1.6, 1.6) }
        case "sinh":
            return unary(name, spellings, transcendental: true, choice: choice) { $0.magnitude <= 6 ? $0.mapIncreasing(Foundation.sinh) : nil }
        case "cosh":
            return unary(name, spellings, transcendental: true, choice: choice) { $0.magnitude <= 6 ? ValueRange(1, Foundation.cosh($0.magnitude)) : nil }
        case "erf":
            return unary(name, spellings, transcendental: true, choice: choice) { _ in ValueRange(-1, 1) }
        case "softplus", "silu", "gelu", "elu":
            return unary(name, spellings, transcendental: true, choice: choice) { $0.isBounded ? ValueRange(-1, max($0.hi, 0) + 1) : nil }
        case "clamp":
            return unary(name, ["$0.clamp(min: -1.5, max: 2)", "clamp($0, min: 0.25)", "$0.clamp(max: 0.5)"], choice: choice) {
                guard $0.isBounded else { return nil }
                switch choice % 3 {
                case 0: return ValueRange(min(max($0.lo, -1.5), 2), max(min($0.hi, 2), -1.5))
                case 1: return ValueRange(max($0.lo, 0.25), max($0.hi, 0.25))
                default: return ValueRange(min($0.lo, 0.5), min($0.hi, 0.5))
                }
            }
        case "leakyRelu":
            return unary(name, spellings, choice: choice) { $0.isBounded ? ValueRange(min($0.lo, 0) * 0.01, max($0.hi, 0)) : nil }
        default:
            return nil
        }
    }

    /// Every one-operand function of the language (`OpKind.elementwiseFunctions(arity: 1)`; a
    /// test checks the two agree), in the order seeds were drawn with.
    static let floatUnaryNames = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "abs", "relu", "sign", "neg",
                                  "floor", "ceil", "round", "trunc", "frac", "log1p", "expm1", "log2", "log10", "exp2",
                                  "rsqrt", "reciprocal", "square", "tan", "asin", "acos", "atan", "sinh", "cosh", "erf",
                                  "softplus", "silu", "gelu", "elu", "leakyRelu", "clamp"]
    /// The float ops that accept any input, even an unknown one (a gradient, a trained weight).
    static let squashingNames = ["tanh", "sigmoid"]

    /// A two-operand elementwise op with broadcasting; a number literal cannot receive a method.
    static func binary(_ name: String, choice: Int, literalFirst: Bool = false) -> GenOp {
        let (operator_, function) : (String?, String?) = switch name {
        case "add": ("+", "add")
        case "sub": ("-", "sub")
        case "mul": ("*", "mul")
        case "div": ("/", "div")
        case "pow": ("**", "pow")
        case "mod": ("%", nil)
        default: (nil, name)
        }
        var templates: [(String, GenOp.Style)] = []
        if let operator_ { templates.append(("$0 \(operator_) $1", .infix)) }
        if let function {
            templates.append(("\(function)($0, $1)", .call))
            if name != "pow" && !literalFirst { templates.append(("$0.\(function)($1)", .call)) }
        }
        let (template, style) = templates[choice % templates.count]
        return GenOp(name: name, style: style, isTranscendental: name == "pow" || name == "atan2",
                     spell: { template.replacingOccurrences(of: "$0", with: $0[0]).replacingOccurrences(of: "$1", with: $0[1]) },
                     range: { binaryRange(name, $0[0], $0[1]) })
    }

    static let binaryNames = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "mod", "atan2"]

    static func binaryRange(_ name: String, _ a: ValueRange, _ b: ValueRange) -> ValueRange? {
        guard a.isBounded, b.isBounded else { return nil }
        let result: ValueRange
        switch name {
        case "add": result = a + b
        case "sub": result = a - b
        case "mul": result = a * b
        case "div":
            guard b.excludesZero(margin: 0.1) else { return nil }
            result = a * ValueRange(min(1 / b.lo, 1 / b.hi), max(1 / b.lo, 1 / b.hi))
        case "pow":
            guard a.lo >= 0.05, b.magnitude <= 3 else { return nil }
            let corners = [pow(a.lo, b.lo), pow(a.lo, b.hi), pow(a.hi, b.lo), pow(a.hi, b.hi)]
            result = ValueRange(corners.min()!, corners.max()!)
        case "maximum": result = ValueRange(max(a.lo, b.lo), max(a.hi, b.hi))
        case "minimum": result = ValueRange(min(a.lo, b.lo), min(a.hi, b.hi))
        case "mod":
            guard b.lo >= 0.5 else { return nil }
            result = ValueRange(0, b.hi)
        case "atan2": result = ValueRange(-3.1416, 3.1416)
        default: return nil
        }
        return result.isBounded ? result : nil
    }

    /// `x ** 2`, `x ** 3`, `x ** 0.5`: a power with a literal exponent.
    static func power(_ exponent: Double, choice: Int) -> GenOp {
        let text = GenExpr.literal(exponent, exponent == exponent.rounded() ? .int64 : .float32)
        let template = choice % 2 == 0 ? "$0 ** \(text)" : "pow($0, \(text))"
        return GenOp(name: "pow", style: choice % 2 == 0 ? .infix : .call, isTranscendental: true,
                     spell: { template.replacingOccurrences(of: "$0", with: $0[0]) },
                     range: { ranges in
                         let r = ranges[0]
                         guard r.isBounded else { return nil }
                         if exponent == 2 { return r.absolute * r.absolute }
                         if exponent == 3 { return r.mapIncreasing { $0 * $0 * $0 } }
                         return r.lo >= 0.05 ? r.mapIncreasing { pow($0, exponent) } : nil
                     })
    }

    /// A comparison of two operands; the result is a bool tensor.
    static func comparison(choice: Int) -> GenOp {
        let symbol = ["<", ">", "<=", ">=", "==", "!="][choice % 6]
        return GenOp(name: "compare", style: .infix, isTranscendental: false,
                     spell: { "\($0[0]) \(symbol) \($0[1])" }, range: { _ in ValueRange(0, 1) })
    }

    /// `a && b`, `a || b` on bool tensors, and `!a`.
    static func logical(choice: Int) -> GenOp {
        let symbol = ["&&", "||"][choice % 2]
        return GenOp(name: "logical", style: .infix, isTranscendental: false,
                     spell: { "\($0[0]) \(symbol) \($0[1])" }, range: { _ in ValueRange(0, 1) })
    }

    static let not = GenOp(name: "not", style: .infix, isTranscendental: false, spell: { "!\($0[0])" }, range: { _ in ValueRange(0, 1) })

    /// `where(condition, a, b)`.
    static let select = GenOp(name: "where", style: .call, isTranscendental: false,
                              spell: { "where(\($0[0]), \($0[1]), \($0[2]))" },
                              range: { $0[1].isBounded && $0[2].isBounded ? $0[1].union($0[2]) : nil })

    /// A dtype conversion; `float` and `long` keep the range (long truncates toward zero).
    static func cast(to method: String) -> GenOp {
        GenOp(name: "cast", style: .call, isTranscendental: false, spell: { "\($0[0]).\(method)" },
              range: { $0[0].isBounded ? ValueRange($0[0].lo.rounded(.towardZero), $0[0].hi.rounded(.towardZero)) : nil })
    }

    /// `x.sum()`, `x.mean()`, `x.max()`, `x.min()` over all `count` elements.
    static func reduceAll(_ kind: String, count: Int) -> GenOp {
        GenOp(name: kind, style: .call, isTranscendental: false, spell: { "\($0[0]).\(kind)()" },
              range: { kind == "sum" ? $0[0].summed(count) : $0[0] })
    }

    /// An op that moves data without changing values (reshape, transpose, squeeze, ...).
    static func movement(_ name: String, _ suffix: String) -> GenOp {
        GenOp(name: name, style: .call, isTranscendental: false, spell: { $0[0] + suffix }, range: { $0[0] })
    }
}
