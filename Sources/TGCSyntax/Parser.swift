import TGCBase

/// A recursive-descent parser from tokens to the AST; the first error is thrown as a Diagnostic.
///
/// The rules live in `Parser+Statements.swift`, `Parser+Expressions.swift` and
/// `Parser+Literals.swift`, the messages in `Parser+Diagnostics.swift`; this file holds the
/// cursor, the nesting guard and statement lists.
struct Parser {
    /// Deepest nesting (parentheses, blocks, operator chains, ...) accepted before an error;
    /// it keeps every recursive walk of the AST, here and in later stages, off the stack limit.
    static let maxDepth = 200

    var tokens: [Token]
    var index = 0
    /// The current nesting depth (see `maxDepth`).
    var depth: Int
    /// True in an `if`/`for`/`while` header, where a `{` starts the body, not a trailing
    /// closure (as in Swift); cleared again inside parentheses, brackets and closures.
    var noTrailingClosure = false
    /// The value before the first `?.` of the expression statement being parsed
    /// (`w.grad?.zero_()`): the statement runs only where it is not nil.
    var optionalChainBase: Expr?

    init(source: SourceText) throws {
        var lexer = Lexer(source: source)
        self.init(tokens: try lexer.tokenize())
    }

    /// A parser over `tokens`, which should end with an `eof` token (one is added otherwise).
    init(tokens: [Token], depth: Int = 0) {
        var tokens = tokens
        if tokens.last?.isEOF != true {
            tokens.append(Token(kind: .eof, location: tokens.last?.location ?? .unknown, text: ""))
        }
        self.tokens = tokens
        self.depth = depth
    }

    // MARK: - Cursor

    var current: Token { tokens[min(index, tokens.count - 1)] }

    func peek(_ offset: Int) -> Token { tokens[max(0, min(index + offset, tokens.count - 1))] }

    // The small accessors below let the recursive rules test the current token without
    // copying it into their own stack frames: debug builds give every temporary its own slot,
    // and lean frames keep `maxDepth` levels of nesting far from the stack limit.

    var here: SourceLocation { tokens[min(index, tokens.count - 1)].location }

    func at(_ spelling: String) -> Bool { tokens[min(index, tokens.count - 1)].kind == .punct(spelling) }

    func atKeyword(_ word: String) -> Bool { tokens[min(index, tokens.count - 1)].kind == .keyword(word) }

    /// Whether a line break precedes the current token.
    var atNewLine: Bool { tokens[min(index, tokens.count - 1)].newlineBefore }

    var atEnd: Bool { tokens[min(index, tokens.count - 1)].isEOF }

    /// The current operator or punctuation spelling, if that is what the current token is.
    var punctHere: String? {
        if case .punct(let p) = tokens[min(index, tokens.count - 1)].kind { return p }
        return nil
    }

    /// Moves past the current token (never past the final `eof`).
    mutating func skip() {
        if index < tokens.count - 1 { index += 1 }
    }

    /// Consumes the punctuation `spelling` when it is next.
    mutating func consume(_ spelling: String) -> Bool {
        guard at(spelling) else { return false }
        skip()
        return true
    }

    /// Enters one nesting level; pair with `defer { depth -= 1 }`.
    mutating func enter(_ what: String = "expression", at location: SourceLocation) throws {
        depth += 1
        if depth > Parser.maxDepth { throw nestedTooDeeply(what, at: location) }
    }

    // MARK: - Statement lists

    mutating func parseProgram() throws -> Program {
        Program(statements: try parseStatements(closing: nil))
    }

    /// Statements up to the `}` matching the `{` at `open` (left unconsumed), or to the end of
    /// file when `open` is nil. Statements are separated by line breaks or `;`.
    mutating func parseStatements(closing open: SourceLocation?) throws -> [Stmt] {
        var statements: [Stmt] = []
        while try !atEndOfStatements(closing: open) {
            statements.append(try parseStatement())
            if !(at(";") || at("}") || atEnd || atNewLine) { throw separatorError() }
        }
        return statements
    }

    /// Skips `;`s; true at the `}` that closes the list (or the end of file at top level).
    mutating func atEndOfStatements(closing open: SourceLocation?) throws -> Bool {
        while consume(";") {}
        if atEnd {
            if let open { try expectClosing("}", open: open) }
            return true
        }
        if at("}") {
            if open == nil { throw error("extraneous '}' at top level", at: here) }
            return true
        }
        return false
    }

    /// `{ statements }` after an `if`/`for`/`while`/`func` header (`what` names the header).
    mutating func parseBlock(after what: String) throws -> [Stmt] {
        if !at("{") { throw expectedBlock(after: what) }
        let open = here
        skip()
        try enter("blocks", at: open)
        defer { depth -= 1 }
        let saved = noTrailingClosure
        noTrailingClosure = false
        defer { noTrailingClosure = saved }
        let body = try parseStatements(closing: open)
        try expectClosing("}", open: open)
        return body
    }
}
