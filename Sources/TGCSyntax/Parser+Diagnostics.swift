import TGCBase

/// The parser's error messages, built outside the recursive rules to keep their frames small.
extension Parser {
    @inline(never)
    func error(_ message: String, at location: SourceLocation, notes: [String] = []) -> Diagnostic {
        Diagnostic(message, at: location, notes: notes)
    }

    /// `3:5`: a location inside a message (the file is already in the diagnostic's prefix).
    static func position(_ location: SourceLocation) -> String { "\(location.line):\(location.column)" }

    static func opening(of close: String) -> String {
        switch close {
        case ")": return "("
        case "]": return "["
        case "}": return "{"
        case ">": return "<"
        default: return close
        }
    }

    /// Consumes `close`, or throws `expected ')' to close '(' at 3:5` (`open` is the opener's location).
    mutating func expectClosing(_ close: String, open: SourceLocation) throws {
        if !consume(close) { throw unclosed(close, open: open) }
    }

    /// `expectClosing` inside an expression, where a stray `=` gets a clearer message.
    mutating func expectClosingInExpression(_ close: String, open: SourceLocation) throws {
        if let op = punctHere, Parser.assignmentOperators.contains(op) { throw separatorError() }
        try expectClosing(close, open: open)
    }

    @inline(never)
    func unclosed(_ close: String, open: SourceLocation) -> Diagnostic {
        error("expected '\(close)' to close '\(Parser.opening(of: close))' at \(Parser.position(open))", at: here)
    }

    @inline(never)
    func nestedTooDeeply(_ what: String, at location: SourceLocation) -> Diagnostic {
        error("\(what) nested too deeply", at: location, notes: ["note: nesting is limited to \(Parser.maxDepth) levels"])
    }

    /// The error for a token that follows a complete statement on the same line.
    @inline(never)
    func separatorError() -> Diagnostic {
        let next = current
        if next.isPunct(")") || next.isPunct("]") {
            return error("unexpected '\(next.text)' without a matching opening bracket", at: next.location)
        }
        if case .punct(let op) = next.kind, Parser.assignmentOperators.contains(op) {
            return error("assignment is only allowed as a statement, not inside an expression", at: next.location)
        }
        if next.isPunct("@") {
            return error("unexpected '@' after an expression", at: next.location,
                         notes: ["note: '@' is not a Swift operator; use matmul(a, b) for a matrix product"])
        }
        return error("consecutive statements on a line must be separated by ';'", at: next.location)
    }

    @inline(never)
    func expectedBlock(after what: String) -> Diagnostic {
        error("expected '{' after \(what), found \(current.described)", at: here)
    }

    /// `expected expression after '='` (`what` is already quoted).
    @inline(never)
    func expectedExpression(after what: String) -> Diagnostic {
        error("expected expression after \(what)", at: here)
    }

    @inline(never)
    func expectedExpression(afterOperator op: String) -> Diagnostic {
        error("expected expression after '\(op)'", at: here)
    }

    /// `expected expression <phrase>`.
    @inline(never)
    func expectedExpression(_ phrase: String) -> Diagnostic {
        error("expected expression \(phrase)", at: here)
    }

    @inline(never)
    func expectedTernaryColon(question: SourceLocation) -> Diagnostic {
        error("expected ':' after the first branch of '?' at \(Parser.position(question))", at: here)
    }

    @inline(never)
    func chainedOperators(_ op: String, after previous: String) -> Diagnostic {
        let comparison = Parser.binaryOperators[op]?.precedence == 3
        return error("\(comparison ? "comparison" : "range") operators cannot be chained: '\(op)' follows '\(previous)'; add parentheses",
                     at: here, notes: comparison ? ["note: combine comparisons with '&&': a < b && b < c"] : [])
    }

    @inline(never)
    func expectedMemberName() -> Diagnostic {
        error("expected member name after '.', found \(current.described)", at: here)
    }

    @inline(never)
    func tupleLabel() -> Diagnostic {
        error("tuple element labels are not supported", at: here)
    }

    @inline(never)
    func singleElementTuple() -> Diagnostic {
        error("expected expression after ',' (a tuple needs at least two elements)", at: here)
    }

    @inline(never)
    func expectedInterpolationComma() -> Diagnostic {
        error("expected ',' or ')' in string interpolation, found \(current.described)", at: here)
    }
}
