import TGCCore

/// One operation the program generator can apply: its spelling in the language, and how it
/// maps operand ranges to a result range (nil where the op is unsafe for those ranges).
struct GenOp: Sendable {
    /// How the operands appear in the spelling.
    enum Style: Sendable {
        /// A call, method or postfix form (`exp(x)`, `x.sum(dim: 1)`): the result needs no parentheses.
        case call
        /// An operator form (`a + b`, `-a`): the result is parenthesized when used as an operand.
        case infix
    }

    let name: String
    let style: Style
    /// Whether the op calls a libm function (exp, log, pow, ...): used for tolerances.
    let isTranscendental: Bool
    /// Builds the text from the operands' texts, each already parenthesized when not atomic.
    let spell: @Sendable ([String]) -> String
    let range: @Sendable ([ValueRange]) -> ValueRange?
}

/// An expression of a generated program, with its static type.
indirect enum GenExpr: Sendable {
    /// A variable, `w.grad` or a loop index.
    case name(String, TensorType)
    /// A number literal; its dtype is the literal's own (Int → int64, Float → float32).
    case number(Double, TensorType)
    case apply(GenOp, [GenExpr], TensorType)

    var type: TensorType {
        switch self {
        case .name(_, let type), .number(_, let type), .apply(_, _, let type): type
        }
    }

    var isNumber: Bool {
        if case .number = self { return true }
        return false
    }

    var operands: [GenExpr] {
        if case .apply(_, let operands, _) = self { return operands }
        return []
    }

    /// The names this expression reads.
    var names: Set<String> {
        switch self {
        case .name(let name, _): [String(name.prefix { $0 != "." })]
        case .number: []
        case .apply(_, let operands, _): operands.reduce(into: Set<String>()) { $0.formUnion($1.names) }
        }
    }

    /// How many libm calls one element of the result passes through (for tolerances).
    var transcendentalDepth: Int {
        guard case .apply(let op, let operands, _) = self else { return 0 }
        return (op.isTranscendental ? 1 : 0) + (operands.map(\.transcendentalDepth).max() ?? 0)
    }

    var text: String {
        switch self {
        case .name(let name, _): return name
        case .number(let value, let type): return Self.literal(value, type.dtype)
        case .apply(let op, let operands, _): return op.spell(operands.map(\.operandText))
        }
    }

    /// The text as an operand of another op: parenthesized unless atomic.
    var operandText: String {
        switch self {
        case .name: return text
        case .number(let value, _): return value < 0 ? "(\(text))" : text
        case .apply(let op, _, _): return op.style == .call ? text : "(\(text))"
        }
    }

    static func literal(_ value: Double, _ dtype: DType) -> String {
        switch dtype {
        case .float32, .float64:
            let text = "\(value)"
            return text.contains(".") || text.contains("e") ? text : text + ".0"
        case .int64, .int32, .uint8: return String(Int(value))
        case .bool: return value != 0 ? "true" : "false"
        }
    }

    /// The range of the result given the ranges of the names; nil where an op is unsafe.
    func range(in ranges: [String: ValueRange]) -> ValueRange? {
        switch self {
        case .name(let name, _): return ranges[name] ?? .unknown
        case .number(let value, _): return .point(value)
        case .apply(let op, let operands, _):
            var inputs: [ValueRange] = []
            for operand in operands {
                guard let range = operand.range(in: ranges) else { return nil }
                inputs.append(range)
            }
            guard let result = op.range(inputs), !result.lo.isNaN, !result.hi.isNaN else { return nil }
            return result
        }
    }
}
