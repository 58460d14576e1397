import TGCBase

/// Bracketed primaries: parentheses and tuples, array literals, closures and strings.
extension Parser {
    /// `()` (empty tuple), `(x)` (just x) or `(a, b, ...)` (a tuple, trailing comma allowed).
    mutating func parseParenthesized() throws -> Expr {
        let open = here
        skip()
        try enter(at: open)
        defer { depth -= 1 }
        let saved = noTrailingClosure
        noTrailingClosure = false
        defer { noTrailingClosure = saved }
        var elements: [Expr] = []
        var sawComma = false
        while !at(")") {
            if peek(1).isPunct(":"), current.identifier != nil { throw tupleLabel() }
            if !canStartHere {
                if sawComma { throw expectedExpression(after: "','") }
                break
            }
            elements.append(try parseExpression())
            if !consume(",") { break }
            sawComma = true
            if elements.count == 1 && at(")") { throw singleElementTuple() }
        }
        try expectClosingInExpression(")", open: open)
        if elements.count == 1 && !sawComma { return elements[0] }
        return Expr(.tuple(elements), at: open)
    }

    /// `[a, b, c]`, `[]`, with an optional trailing comma.
    mutating func parseArrayLiteral() throws -> Expr {
        let open = here
        skip()
        try enter(at: open)
        defer { depth -= 1 }
        let saved = noTrailingClosure
        noTrailingClosure = false
        defer { noTrailingClosure = saved }
        if consume(":") {   // `[:]`
            try expectClosingInExpression("]", open: open)
            return Expr(.dictionaryLiteral([]), at: open)
        }
        var elements: [Expr] = []
        var entries: [(key: Expr, value: Expr)] = []
        while !at("]") {
            if !canStartHere {
                if !elements.isEmpty || !entries.isEmpty { throw expectedExpression(after: "','") }
                break
            }
            let element = try parseExpression()
            if at(":") {
                guard elements.isEmpty else { throw error("expected ',' or ']' in an array literal, found ':'", at: here) }
                skip()
                entries.append((element, try parseExpression(after: "':'")))
            } else if !entries.isEmpty {
                throw error("expected ':' after a dictionary key", at: here)
            } else {
                elements.append(element)
            }
            if !consume(",") { break }
        }
        try expectClosingInExpression("]", open: open)
        return Expr(entries.isEmpty ? .arrayLiteral(elements) : .dictionaryLiteral(entries), at: open)
    }

    /// `{ a, b in body }`, `{ (a, b) in body }` or `{ body }`.
    mutating func parseClosure() throws -> Closure {
        let open = here
        skip()
        try enter(at: open)
        defer { depth -= 1 }
        let saved = noTrailingClosure
        noTrailingClosure = false
        defer { noTrailingClosure = saved }
        let parameters = closureParameters()
        let body = try parseStatements(closing: open)
        try expectClosing("}", open: open)
        return Closure(parameters: parameters, body: body, at: open)
    }

    /// Consumes a closure's `a, b in` / `(a, b) in` header and returns its names (none if absent).
    mutating func closureParameters() -> [String] {
        guard let length = closureHeaderLength() else { return [] }
        var names: [String] = []
        for _ in 0..<length {
            if let name = current.identifier { names.append(name) }
            skip()
        }
        return names
    }

    /// The number of tokens in a closure's parameter header, or nil when there is none.
    func closureHeaderLength() -> Int? {
        var i = 0
        let parenthesized = peek(0).isPunct("(")
        if parenthesized { i = 1 }
        if !(parenthesized && peek(i).isPunct(")")) {
            while true {
                guard peek(i).identifier != nil else { return nil }
                i += 1
                guard peek(i).isPunct(",") else { break }
                i += 1
            }
        }
        if parenthesized {
            guard peek(i).isPunct(")") else { return nil }
            i += 1
        }
        return peek(i).isKeyword("in") ? i + 1 : nil
    }

    /// A string literal; each interpolation's tokens are parsed by a nested parser.
    mutating func parseStringLiteral() throws -> Expr {
        let start = here
        guard case .string(let segments) = current.kind else { throw expectedExpression(after: "'\"'") }
        skip()
        var parts: [StringPart] = []
        for segment in segments {
            switch segment {
            case .text(let text):
                parts.append(.text(text))
            case .interpolation(let tokens, let open):
                parts.append(try parseInterpolation(tokens, open: open))
            }
        }
        return Expr(.stringLiteral(parts), at: start)
    }

    /// One `\( ... )`, parsed by a nested parser over its tokens.
    func parseInterpolation(_ tokens: [Token], open: SourceLocation) throws -> StringPart {
        var inner = Parser(tokens: tokens, depth: depth)
        try inner.enter(at: open)
        return .interpolation(try inner.parseInterpolation())
    }

    /// The arguments of `\(value)` / `\(value, precision: 4)`, up to this parser's end.
    mutating func parseInterpolation() throws -> [Argument] {
        var arguments: [Argument] = []
        while true {
            if atEnd {
                throw expectedExpression(arguments.isEmpty ? "in string interpolation" : "after ','")
            }
            arguments.append(try parseArgument())
            if atEnd { return arguments }
            if !consume(",") { throw expectedInterpolationComma() }
        }
    }
}
