import Foundation

/// The print format syntax of the textual IR (see `IRPrinter`'s description of formats).
extension IRParser {
    /// The segments of a `format = "..."` attribute.
    mutating func parseFormat() throws -> [PrintSegment] {
        let token = advance()
        guard case .string(let raw) = token.kind else { throw error("expected a format string, found \(token.quoted)", at: token) }
        var segments: [PrintSegment] = []
        var text = String.UnicodeScalarView()
        var scalars = raw.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\\":
                guard let escaped = scalars.popFirst(), let character = IRStringLiteral.unescaped(escaped) else {
                    throw error("unknown escape in format; escapes: \\\\ \\\" \\n \\r \\t \\{ \\}", at: token)
                }
                text.append(character)
            case "{":
                if !text.isEmpty { segments.append(.text(String(text))) }
                text = String.UnicodeScalarView()
                var inner = String.UnicodeScalarView()
                while let next = scalars.first, next != "}" {
                    inner.append(scalars.removeFirst())
                    if next == "\\", let escaped = scalars.popFirst() { inner.append(escaped) }
                }
                guard scalars.popFirst() == "}" else { throw error("a '{' in the format is not closed", at: token) }
                segments.append(try operandSegment(Substring(String(inner)), at: token))
            case "}":
                throw error("a '}' in the format closes nothing (write \\} for a brace)", at: token)
            default:
                text.append(scalar)
            }
        }
        if !text.isEmpty { segments.append(.text(String(text))) }
        return segments
    }

    /// `N`, `N!r`, `N!l`, `N:.Pf`, `N, SUFFIX` or `N, C ? SUFFIX : SUFFIX` (between the braces).
    private func operandSegment(_ inner: Substring, at token: IRToken) throws -> PrintSegment {
        let digits = inner.prefix { $0.isASCII && $0.isNumber }
        guard let operand = Int(digits) else {
            throw error("a format operand {\(inner)} does not start with an operand number", at: token)
        }
        let rest = inner.dropFirst(digits.count)
        if rest.isEmpty { return .tensor(operand: operand, suffix: nil) }
        if rest == "!r" { return .scalar(operand: operand, precision: nil) }
        if rest == "!l" { return .list(operand: operand) }
        if rest.hasPrefix("!c") { return .choice(operand: operand, options: try quotedOptions(try unescaped(rest.dropFirst(2), at: token), at: token)) }
        if rest.hasPrefix(":."), rest.hasSuffix("f"), let precision = Int(rest.dropFirst(2).dropLast()), (0...20).contains(precision) {
            return .scalar(operand: operand, precision: precision)
        }
        guard rest.hasPrefix(", ") else {
            throw error("unknown format operand {\(inner)}; expected {N}, {N!r}, {N!l}, {N:.Pf} (P from 0 to 20), {N!c \"A\" \"B\" ...}, {N, SUFFIX} or {N, C ? SUFFIX : SUFFIX}", at: token)
        }
        let suffix = rest.dropFirst(2)
        let conditionDigits = suffix.prefix { $0.isASCII && $0.isNumber }
        let choices = suffix.dropFirst(conditionDigits.count)
        if let condition = Int(conditionDigits), choices.hasPrefix(" ? "), let separator = choices.range(of: " : ") {
            let ifTrue = choices[choices.index(choices.startIndex, offsetBy: 3)..<separator.lowerBound]
            let ifFalse = choices[separator.upperBound...]
            return .tensorWithBranchSuffix(operand: operand, condition: condition,
                                           ifTrue: ifTrue == "-" ? nil : try unescaped(ifTrue, at: token),
                                           ifFalse: ifFalse == "-" ? nil : try unescaped(ifFalse, at: token))
        }
        return .tensor(operand: operand, suffix: try unescaped(suffix, at: token))
    }

    /// The options of `{N!c "A" "B" ...}`: quoted strings, each after a space.
    private func quotedOptions(_ text: String, at token: IRToken) throws -> [String] {
        var options: [String] = []
        var scalars = text.unicodeScalars[...]
        while !scalars.isEmpty {
            guard scalars.popFirst() == " ", scalars.popFirst() == "\"" else {
                throw error("the options of a {N!c ...} format operand are quoted strings after spaces: {N!c \"A\" \"B\"}", at: token)
            }
            var raw = String.UnicodeScalarView()
            while let scalar = scalars.popFirst(), scalar != "\"" {
                raw.append(scalar)
                if scalar == "\\", let escaped = scalars.popFirst() { raw.append(escaped) }
            }
            options.append(try unescaped(Substring(String(raw)), at: token))
        }
        return options
    }
}
