import TGCBase

/// Expressions: ternary, binary operators by precedence, prefix, postfix and primaries.
///
/// The rules on the recursive path keep their frames small (see `Parser.here`): they test
/// tokens through the cursor accessors and build error messages in `Parser+Diagnostics.swift`.
extension Parser {
    /// How operators of one precedence level group.
    enum Associativity { case left, right, none }

    /// Binary operators; a higher precedence binds tighter (Swift's groups, `**` above `*`).
    static let binaryOperators: [String: (precedence: Int, associativity: Associativity)] = [
        "||": (1, .left),
        "&&": (2, .left),
        "==": (3, .none), "!=": (3, .none), "<": (3, .none), "<=": (3, .none), ">": (3, .none), ">=": (3, .none),
        "..<": (4, .none), "...": (4, .none),
        "+": (5, .left), "-": (5, .left),
        "*": (6, .left), "/": (6, .left), "%": (6, .left),
        "**": (7, .right),
    ]

    /// Whether `token` can begin an expression here.
    func canStartExpression(_ token: Token) -> Bool {
        switch token.kind {
        case .identifier, .integer, .float, .string:
            return true
        case .keyword(let word):
            return word == "true" || word == "false" || word == "nil"
        case .punct(let p):
            return p == "(" || p == "[" || p == "." || p == "-" || p == "+" || p == "!" || (p == "{" && !noTrailingClosure)
        case .eof:
            return false
        }
    }

    /// Whether the current token can begin an expression.
    var canStartHere: Bool { canStartExpression(tokens[min(index, tokens.count - 1)]) }

    /// An expression that must follow `what` (`'+'`, `'='`, `'return'`, ...).
    mutating func parseExpression(after what: String) throws -> Expr {
        if !canStartHere { throw expectedExpression(after: what) }
        return try parseExpression()
    }

    /// A full expression: `cond ? a : b` (right associative) over the binary operators.
    mutating func parseExpression() throws -> Expr {
        let start = here
        let condition = try parseBinary(minPrecedence: 1)
        if !at("?") { return condition }
        return try parseTernary(condition, start: start)
    }

    /// The branches after `condition ?`.
    mutating func parseTernary(_ condition: Expr, start: SourceLocation) throws -> Expr {
        let question = here
        skip()
        try enter(at: question)
        defer { depth -= 1 }
        let then = try parseExpression(after: "'?'")
        if !consume(":") { throw expectedTernaryColon(question: question) }
        let otherwise = try parseExpression(after: "':'")
        return Expr(.ternary(condition: condition, then: then, else: otherwise), at: start)
    }

    /// The binary operator at the cursor when it continues the expression at `minPrecedence`.
    /// At the start of a line, `-x` / `+x` (no space after) is a prefix operator that starts a
    /// new statement, as Swift's whitespace rule says; other operators continue the expression.
    func binaryOperatorHere(minPrecedence: Int) -> (op: String, precedence: Int, associativity: Associativity)? {
        let token = current
        guard case .punct(let op) = token.kind, let info = Parser.binaryOperators[op],
              info.precedence >= minPrecedence else { return nil }
        if token.newlineBefore && (op == "-" || op == "+") && !token.spaceAfter { return nil }
        return (op, info.precedence, info.associativity)
    }

    /// Precedence climbing over `binaryOperators`, starting at `minPrecedence`. Each operator of
    /// a chain counts as one nesting level (the tree it builds is that deep).
    mutating func parseBinary(minPrecedence: Int) throws -> Expr {
        let lhs = prefixOperatorHere == nil ? try parsePostfix() : try parsePrefix()
        if binaryOperatorHere(minPrecedence: minPrecedence) == nil { return lhs }
        return try parseOperatorChain(lhs, minPrecedence: minPrecedence)
    }

    /// The operators and operands after `lhs` (split from `parseBinary` to keep its frame small).
    mutating func parseOperatorChain(_ first: Expr, minPrecedence: Int) throws -> Expr {
        var lhs = first
        let savedDepth = depth
        defer { depth = savedDepth }
        var previous: String?  // the last operator, when it was non-associative
        while let (op, precedence, associativity) = binaryOperatorHere(minPrecedence: minPrecedence) {
            if associativity == .none, let previous, Parser.binaryOperators[previous]?.precedence == precedence {
                throw chainedOperators(op, after: previous)
            }
            let location = here
            skip()
            try enter(at: location)
            if op == "...", at(",") || at("]") {   // `x[1...]`: a range with no upper bound
                lhs = Expr(.partialRange(op: op, lower: lhs, upper: nil), at: location)
                break
            }
            if !canStartHere { throw expectedExpression(afterOperator: op) }
            let rhs = try parseBinary(minPrecedence: associativity == .right ? precedence : precedence + 1)
            lhs = Expr(.binary(op: op, lhs: lhs, rhs: rhs), at: location)
            previous = associativity == .none ? op : nil
        }
        return lhs
    }

    /// The prefix operator at the cursor: `-`, `+` or `!`.
    var prefixOperatorHere: String? {
        guard let op = punctHere, op == "-" || op == "+" || op == "!" else { return nil }
        return op
    }

    /// `-x`, `+x`, `!x`: binds tighter than every binary operator (`-x ** 2` is `(-x) ** 2`).
    /// Each operator is one nesting level; a run of them is read in a loop.
    mutating func parsePrefix() throws -> Expr {
        let savedDepth = depth
        defer { depth = savedDepth }
        var operators: [(op: String, location: SourceLocation)] = []
        while let op = prefixOperatorHere {
            operators.append((op, here))
            try enter(at: here)
            skip()
            if !canStartHere { throw expectedExpression(afterOperator: op) }
        }
        var expr = try parsePostfix()
        for (op, location) in operators.reversed() {
            expr = Expr(.unary(op: op, operand: expr), at: location)
        }
        return expr
    }

    /// The kinds of postfix suffix.
    enum Suffix { case member, call, subscriptAccess, trailingClosure, forceUnwrap, optionalChain }

    /// The suffix at the cursor: `.name` (also on a new line, for chaining), `(` and `[` on the
    /// same line only, and `{` unless in an `if`/`for`/`while` header.
    var suffixHere: Suffix? {
        let token = current
        guard case .punct(let p) = token.kind else { return nil }
        switch p {
        case ".": return .member
        case "(": return token.newlineBefore ? nil : .call
        case "[": return token.newlineBefore ? nil : .subscriptAccess
        case "{": return noTrailingClosure ? nil : .trailingClosure
        case "!": return token.spaceBefore ? nil : .forceUnwrap   // `x.grad!`; `!x` and `a != b` are other tokens
        case "?": return !token.spaceBefore && peek(1).isPunct(".") && !peek(1).spaceBefore ? .optionalChain : nil   // `x.grad?.zero_()`
        default: return nil
        }
    }

    /// A primary (bracketed forms here, the rest in `parseAtom`) followed by members, calls,
    /// subscripts and a trailing closure. Each suffix counts as one nesting level; the
    /// expressions are located at the primary's first token.
    mutating func parsePostfix() throws -> Expr {
        let start = here
        var expr: Expr
        if at("(") {
            expr = try parseParenthesized()
        } else if at("[") {
            expr = try parseArrayLiteral()
        } else if at("{") && !noTrailingClosure {
            expr = try parseClosureExpression()
        } else if atString {
            expr = try parseStringLiteral()
        } else {
            expr = try parseAtom()
        }
        if suffixHere == nil { return expr }
        return try parseSuffixes(expr, start: start)
    }

    /// The members, calls, subscripts and trailing closure after a primary.
    mutating func parseSuffixes(_ primary: Expr, start: SourceLocation) throws -> Expr {
        var expr = primary
        let savedDepth = depth
        defer { depth = savedDepth }
        while let suffix = suffixHere {
            try enter(at: here)
            switch suffix {
            case .member: expr = try parseMemberSuffix(expr, start: start)
            case .call: expr = try parseCallSuffix(expr, start: start)
            case .subscriptAccess: expr = try parseSubscriptSuffix(expr, start: start)
            case .forceUnwrap:
                skip()
                expr = Expr(.forceUnwrap(expr), at: start)
            case .optionalChain:
                // Swift's optional chaining, as a statement: `w.grad?.zero_()` is
                // `if w.grad != nil { w.grad!.zero_() }` (parseExpressionStatement).
                guard optionalChainBase == nil else { throw error("only one '?.' is supported in a statement", at: here) }
                skip()
                optionalChainBase = expr
                expr = Expr(.forceUnwrap(expr), at: start)
            case .trailingClosure:
                if Parser.hasTrailingClosure(expr) { return expr }
                expr = try parseTrailingClosure(expr, start: start)
            }
        }
        return expr
    }

    mutating func parseMemberSuffix(_ base: Expr, start: SourceLocation) throws -> Expr {
        skip()
        if let indices = tupleElementIndices() {
            // Swift's tuple element `t.0` (`t.0.1`, lexed as the number 0.1) is Python's `t[0]`.
            let location = here
            skip()
            return indices.reduce(base) { tuple, index in
                Expr(.subscriptAccess(base: tuple, arguments: [Argument(label: nil, value: Expr(.intLiteral(index), at: location), at: location)]), at: start)
            }
        }
        return Expr(.member(base: base, name: try parseMemberName()), at: start)
    }

    /// The indices of a tuple element access after a `.`: `0` gives [0], and `0.1` (one
    /// number token) gives [0, 1]; nil for anything else.
    private func tupleElementIndices() -> [Int]? {
        let isDecimal = { (digits: Substring) in !digits.isEmpty && digits.allSatisfy { ("0"..."9").contains($0) } }
        switch current.kind {
        case .integer(let index) where isDecimal(Substring(current.text)): return [index]
        case .float:
            let parts = current.text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy(isDecimal) else { return nil }
            return parts.compactMap { Int($0) }
        default: return nil
        }
    }

    mutating func parseCallSuffix(_ callee: Expr, start: SourceLocation) throws -> Expr {
        let arguments = try parseArguments(close: ")")
        return Expr(.call(callee: callee, arguments: arguments, trailingClosure: nil), at: start)
    }

    mutating func parseSubscriptSuffix(_ base: Expr, start: SourceLocation) throws -> Expr {
        let arguments = try parseArguments(close: "]")
        return Expr(.subscriptAccess(base: base, arguments: arguments), at: start)
    }

    var atString: Bool {
        if case .string = current.kind { return true }
        return false
    }

    mutating func parseClosureExpression() throws -> Expr {
        let start = here
        return Expr(.closure(try parseClosure()), at: start)
    }

    /// Whether `expr` is a call that already has a trailing closure (a second `{` ends it).
    static func hasTrailingClosure(_ expr: Expr) -> Bool {
        if case .call(_, _, .some) = expr.kind { return true }
        return false
    }

    mutating func parseTrailingClosure(_ expr: Expr, start: SourceLocation) throws -> Expr {
        Parser.attach(try parseClosure(), to: expr, at: start)
    }

    /// `f(x) { }` puts the closure on the call; `noGrad { }` is a call with no arguments.
    static func attach(_ closure: Closure, to expr: Expr, at start: SourceLocation) -> Expr {
        if case .call(let callee, let arguments, nil) = expr.kind {
            return Expr(.call(callee: callee, arguments: arguments, trailingClosure: closure), at: start)
        }
        return Expr(.call(callee: expr, arguments: [], trailingClosure: closure), at: start)
    }

    /// The name after `.`; keywords are allowed as member names, as in Swift.
    mutating func parseMemberName() throws -> String {
        switch current.kind {
        case .identifier(let name) where name != "_":
            skip()
            return name
        case .keyword(let word):
            skip()
            return word
        default:
            throw expectedMemberName()
        }
    }

    /// Call or subscript arguments from the opening bracket up to `close`:
    /// `a, dim: 1, keepDim: true` (a trailing comma is allowed).
    mutating func parseArguments(close: String) throws -> [Argument] {
        let open = here
        skip()
        let saved = noTrailingClosure
        noTrailingClosure = false
        defer { noTrailingClosure = saved }
        var arguments: [Argument] = []
        while !at(close) {
            if labelHere == nil && !canStartHere && rangePrefixHere == nil && operatorArgumentHere == nil {
                if !arguments.isEmpty { throw expectedExpression(after: "','") }
                break
            }
            arguments.append(try parseArgument())
            if !consume(",") { break }
        }
        try expectClosingInExpression(close, open: open)
        return arguments
    }

    /// The label at the cursor (`dim` in `dim: 1`; keywords allowed), if one is there.
    var labelHere: String? {
        guard peek(1).isPunct(":") else { return nil }
        switch current.kind {
        case .identifier(let name): return name
        case .keyword(let word): return word
        default: return nil
        }
    }

    /// `...` or `..<` starting an argument: a range with no lower bound, or an ellipsis.
    var rangePrefixHere: String? {
        guard let op = punctHere, op == "..." || op == "..<" else { return nil }
        return op
    }

    /// `..<2`, `...2`, or a bare `...` (followed by `,` or `]`).
    mutating func parsePrefixRange(_ op: String) throws -> Expr {
        let start = here
        skip()
        if op == "...", at(",") || at("]") { return Expr(.partialRange(op: op, lower: nil, upper: nil), at: start) }
        if !canStartHere { throw expectedExpression(afterOperator: op) }
        let upper = try parseBinary(minPrecedence: 5)   // binds tighter than the range operators
        return Expr(.partialRange(op: op, lower: nil, upper: upper), at: start)
    }

    /// `label: value` or `value`.
    /// An operator passed as a function, as Swift's `reduce(0, +)` (an identifier named by it).
    var operatorArgumentHere: String? {
        guard case .punct(let op) = current.kind, ["+", "-", "*", "/"].contains(op),
              peek(1).isPunct(")") || peek(1).isPunct(",") else { return nil }
        return op
    }

    mutating func parseArgument() throws -> Argument {
        let start = here
        if labelHere == nil, let op = rangePrefixHere { return Argument(label: nil, value: try parsePrefixRange(op), at: start) }
        if let op = operatorArgumentHere {
            skip()
            return Argument(label: nil, value: Expr(.identifier(op), at: start), at: start)
        }
        guard let label = labelHere else { return Argument(label: nil, value: try parseExpression(), at: start) }
        skip()
        skip()
        let value = try parseExpression(after: "'" + label + ":'")
        return Argument(label: label, value: value, at: start)
    }

    /// The primaries that contain no nested expression.
    mutating func parseAtom() throws -> Expr {
        let token = current
        let location = token.location
        switch token.kind {
        case .integer(let value):
            skip()
            return Expr(.intLiteral(value), at: location)
        case .float(let value):
            skip()
            return Expr(.floatLiteral(value), at: location)
        case .keyword("true"), .keyword("false"):
            skip()
            return Expr(.boolLiteral(token.isKeyword("true")), at: location)
        case .keyword("nil"):
            skip()
            return Expr(.nilLiteral, at: location)
        case .identifier("_"):
            throw error("'_' can only appear in a pattern or on the left side of an assignment", at: location)
        case .identifier(let name):
            skip()
            return Expr(.identifier(name), at: location)
        case .punct("."):
            skip()
            let next = current
            var isNumber = false
            if case .integer = next.kind { isNumber = true }
            if case .float = next.kind { isNumber = true }
            if isNumber && !next.spaceBefore {
                throw error("'.\(next.text)' is not a valid floating point literal; it must be written '0.\(next.text)'",
                            at: location)
            }
            return Expr(.implicitMember(try parseMemberName()), at: location)
        default:
            throw error("expected expression, found \(token.described)", at: location)
        }
    }
}
