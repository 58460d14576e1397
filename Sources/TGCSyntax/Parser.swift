import TGCBase

/// A recursive-descent parser from tokens to the AST; the first error is thrown as a Diagnostic.
///
/// Statement and expression rules live in `Parser+Statements.swift` and
/// `Parser+Expressions.swift`; this file holds the cursor, nesting guard and statement lists.
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

    @discardableResult
    mutating func advance() -> Token {
        let token = current
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    /// Consumes the punctuation `spelling` when it is next.
    mutating func consume(_ spelling: String) -> Bool {
        guard current.isPunct(spelling) else { return false }
        advance()
        return true
    }

    func error(_ message: String, at location: SourceLocation, notes: [String] = []) -> Diagnostic {
        Diagnostic(message, at: location, notes: notes)
    }

    /// `3:5`: a location inside a message (the file is already in the diagnostic's prefix).
    static func position(_ location: SourceLocation) -> String { "\(location.line):\(location.column)" }

    /// Consumes `close`, or throws `expected ')' to close '(' at 3:5`.
    @discardableResult
    mutating func expectClosing(_ close: String, open: Token) throws -> Token {
        guard current.isPunct(close) else {
            throw error("expected '\(close)' to close '\(open.text)' at \(Parser.position(open.location))",
                        at: current.location)
        }
        return advance()
    }

    /// Enters one nesting level; pair with `defer { depth -= 1 }`.
    mutating func enter(_ what: String = "expression", at location: SourceLocation) throws {
        depth += 1
        if depth > Parser.maxDepth {
            throw error("\(what) nested too deeply", at: location,
                        notes: ["note: nesting is limited to \(Parser.maxDepth) levels"])
        }
    }

    // MARK: - Statement lists

    mutating func parseProgram() throws -> Program {
        Program(statements: try parseStatements(closing: nil))
    }

    /// Statements up to the `}` matching `open` (left unconsumed), or to the end of file.
    mutating func parseStatements(closing open: Token?) throws -> [Stmt] {
        var statements: [Stmt] = []
        while true {
            while consume(";") {}
            if current.isEOF {
                if let open { try expectClosing("}", open: open) }
                return statements
            }
            if current.isPunct("}") {
                if open != nil { return statements }
                throw error("extraneous '}' at top level", at: current.location)
            }
            statements.append(try parseStatement())
            let next = current
            if next.isPunct(";") || next.isPunct("}") || next.isEOF || next.newlineBefore { continue }
            throw separatorError(next)
        }
    }

    /// The error for a token that follows a complete statement on the same line.
    func separatorError(_ next: Token) -> Diagnostic {
        if next.isPunct(")") || next.isPunct("]") {
            return error("unexpected '\(next.text)' without a matching opening bracket", at: next.location)
        }
        if next.isPunct("=") || next.isPunct("+=") || next.isPunct("-=") || next.isPunct("*=")
            || next.isPunct("/=") || next.isPunct("%=") {
            return error("assignment is only allowed as a statement, not inside an expression",
                         at: next.location)
        }
        return error("consecutive statements on a line must be separated by ';'", at: next.location)
    }

    /// `{ statements }` after an `if`/`for`/`while`/`func` header (`what` names the header).
    mutating func parseBlock(after what: String) throws -> [Stmt] {
        guard current.isPunct("{") else {
            throw error("expected '{' after \(what), found \(current.described)", at: current.location)
        }
        let open = advance()
        try enter("blocks", at: open.location)
        defer { depth -= 1 }
        let saved = noTrailingClosure
        noTrailingClosure = false
        defer { noTrailingClosure = saved }
        let body = try parseStatements(closing: open)
        try expectClosing("}", open: open)
        return body
    }
}
