import TGCBase

/// Turns source text into tokens; the first lexical error is thrown as a Diagnostic.
///
/// Positions are Unicode-scalar offsets, so columns count scalars like `SourceLocation`.
/// A lone `\r` separates statements like a newline but, to keep line numbers consistent with
/// `SourceText` (which splits on `\n` only), it does not start a new line number.
struct Lexer {
    /// Deepest nesting of string interpolations (`"\("\(...)")"`) before an error.
    static let maxNesting = 200

    let scalars: [Unicode.Scalar]
    let file: String
    var pos = 0
    var line = 1
    var column = 1
    var nesting = 0
    /// Where the current top-level string literal starts (errors inside nested strings point there).
    var outerStringStart: SourceLocation?

    init(source: SourceText) {
        self.init(text: source.text, file: source.path)
    }

    init(text: String, file: String = "<input>") {
        self.scalars = Array(text.unicodeScalars)
        self.file = file
    }

    /// Lexes the whole input; the last token is always `eof`.
    mutating func tokenize() throws -> [Token] {
        skipShebang()
        var tokens: [Token] = []
        while true {
            let token = try nextToken()
            tokens.append(token)
            if token.isEOF { return tokens }
        }
    }

    // MARK: - Cursor

    var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let index = pos + offset
        return index >= 0 && index < scalars.count ? scalars[index] : nil
    }

    mutating func advance() {
        guard pos < scalars.count else { return }
        if scalars[pos] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        pos += 1
    }

    mutating func advance(_ count: Int) {
        for _ in 0..<count { advance() }
    }

    func spelling(from start: Int) -> String {
        let end = min(pos, scalars.count)
        guard start < end else { return "" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }

    func error(_ message: String, at location: SourceLocation, notes: [String] = []) -> Diagnostic {
        Diagnostic(message, at: location, notes: notes)
    }

    // MARK: - Tokens

    /// Lexes one token after skipping whitespace and comments. (String interpolations recurse
    /// through here, so this and the string rules keep their stack frames small.)
    mutating func nextToken() throws -> Token {
        let trivia = try skipTrivia()
        let start = location
        let startPos = pos
        let kind = try lexKind()
        return makeToken(kind, start: start, startPos: startPos, newline: trivia.newline, space: trivia.space)
    }

    /// The kind of the token at the cursor, consuming it.
    mutating func lexKind() throws -> Token.Kind {
        guard let c = peek() else { return .eof }
        if Lexer.isIdentifierStart(c) { return lexWord() }
        if c == "$", let d = peek(1), Lexer.isDigit(d) {   // a closure's shorthand argument `$0`
            let startPos = pos
            advance()
            while let d = peek(), Lexer.isDigit(d) { advance() }
            return .identifier(spelling(from: startPos))
        }
        if Lexer.isDigit(c) { return try lexNumber() }
        if c == "\"" { return .string(try lexString()) }
        return .punct(try lexPunctuation())
    }

    mutating func lexWord() -> Token.Kind {
        let startPos = pos
        while let d = peek(), Lexer.isIdentifierContinue(d) { advance() }
        let word = spelling(from: startPos)
        return Token.keywords.contains(word) ? .keyword(word) : .identifier(word)
    }

    @inline(never)
    func makeToken(_ kind: Token.Kind, start: SourceLocation, startPos: Int, newline: Bool, space: Bool) -> Token {
        var token = Token(kind: kind, location: start, text: spelling(from: startPos))
        token.newlineBefore = newline
        token.spaceBefore = space || startPos == 0 || kind == .eof
        token.spaceAfter = atTrivia()
        return token
    }

    /// Operators and punctuation as scalars, longest first.
    static let punctuation: [[Unicode.Scalar]] = [
        "...", "..<", "**", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "->",
        "+", "-", "*", "/", "%", "<", ">", "=", "!", "?", ":", ".", ",", ";", "(", ")", "[", "]", "{", "}",
    ].map { Array($0.unicodeScalars) }.sorted { $0.count > $1.count }

    mutating func lexPunctuation() throws -> String {
        let start = location
        if peek() == "*" && peek(1) == "/" {
            throw error("unexpected end of block comment '*/'", at: start)
        }
        if (peek() == "<" && peek(1) == "<") || (peek() == ">" && peek(1) == ">") {
            throw error("bit shifts ('<<', '>>') are not supported", at: start,
                        notes: ["note: write the number itself, e.g. 1_099_511_627_776 for 1 << 40"])
        }
        if peek() == "@", let next = peek(1), Lexer.isIdentifierStart(next) {
            advance()
            return "@"   // an attribute: `@export`
        }
        for candidate in Lexer.punctuation where candidate[0] == peek() {
            if candidate.indices.allSatisfy({ peek($0) == candidate[$0] }) {
                advance(candidate.count)
                var view = String.UnicodeScalarView()
                view.append(contentsOf: candidate)
                return String(view)
            }
        }
        let c = peek() ?? " "
        throw error("unexpected character \(Lexer.display(c))", at: start, notes: Lexer.hint(for: c))
    }

    /// Renders a character for a diagnostic: `'@'`, or `U+0000` for invisible ones.
    static func display(_ c: Unicode.Scalar) -> String {
        if c.value < 0x20 || (0x7F..<0xA0).contains(c.value) || c.properties.isWhitespace
            || c.properties.generalCategory == .format {
            let hex = String(c.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        return "'\(c)'"
    }

    static func hint(for c: Unicode.Scalar) -> [String] {
        switch c {
        case "@": return ["note: '@' is not a Swift operator; use matmul(a, b) for a matrix product"]
        case "&": return ["note: use '&&' for logical and"]
        case "|": return ["note: use '||' for logical or"]
        case "^": return ["note: use '**' for powers"]
        case "'": return ["note: string literals use double quotes"]
        case "$": return ["note: a closure's shorthand arguments are $0, $1, ..."]
        default: return []
        }
    }

    // MARK: - Trivia

    /// Whether the cursor is at whitespace, a comment or the end of input.
    func atTrivia() -> Bool {
        guard let c = peek() else { return true }
        if Lexer.isWhitespace(c) || c == "\n" || c == "\r" { return true }
        return c == "/" && (peek(1) == "/" || peek(1) == "*")
    }

    /// Skips whitespace and comments, reporting whether a line break or any trivia was seen.
    mutating func skipTrivia() throws -> (newline: Bool, space: Bool) {
        var newline = false
        var space = false
        while let c = peek() {
            if Lexer.isWhitespace(c) {
                advance()
            } else if c == "\n" || c == "\r" {
                newline = true
                advance()
            } else if c == "/" && peek(1) == "/" {
                while let d = peek(), d != "\n", d != "\r" { advance() }
            } else if c == "/" && peek(1) == "*" {
                if try skipBlockComment() { newline = true }
            } else {
                break
            }
            space = true
        }
        return (newline, space)
    }

    /// Skips a (possibly nested) block comment; returns whether it contained a line break.
    mutating func skipBlockComment() throws -> Bool {
        let start = location
        advance(2)
        var depth = 1
        var newline = false
        while depth > 0 {
            guard let c = peek() else { throw error("unterminated '/*' comment", at: start) }
            if c == "/" && peek(1) == "*" {
                depth += 1
                advance(2)
            } else if c == "*" && peek(1) == "/" {
                depth -= 1
                advance(2)
            } else {
                if c == "\n" || c == "\r" { newline = true }
                advance()
            }
        }
        return newline
    }

    /// Skips a byte-order mark and a `#!` line at the start of the file.
    mutating func skipShebang() {
        guard pos == 0 else { return }
        if peek() == "\u{FEFF}" { advance() }
        guard peek() == "#", peek(1) == "!" else { return }
        while let c = peek(), c != "\n", c != "\r" { advance() }
    }

    // MARK: - Character classes

    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\u{0B}" || c == "\u{0C}"
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        if c == "_" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") { return true }
        return c.value >= 0x80 && c.properties.isAlphabetic
    }

    static func isIdentifierContinue(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || isDigit(c)
    }
}
