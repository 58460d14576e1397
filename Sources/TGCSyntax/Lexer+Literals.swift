import TGCBase

/// Number and string literals (with escapes, `\( ... )` interpolation and `"""` strings).
extension Lexer {
    // MARK: - Numbers

    /// Lexes `42`, `1_000`, `0xff`, `0b101`, `0o17`, `1.5`, `1e-3`, `2.5E3`.
    mutating func lexNumber() throws -> Token.Kind {
        let start = location
        let startPos = pos
        if peek() == "0", let prefix = peek(1), prefix == "x" || prefix == "b" || prefix == "o" {
            let radix = prefix == "x" ? 16 : prefix == "b" ? 2 : 8
            advance(2)
            var digits = ""
            while let d = peek(), Lexer.isIdentifierContinue(d) {
                if d != "_" { digits.unicodeScalars.append(d) }
                advance()
            }
            var malformed = false
            if peek() == ".", let next = peek(1), Lexer.isIdentifierContinue(next) {
                skipMalformedNumber()
                malformed = true
            }
            let text = spelling(from: startPos)
            guard !malformed, !digits.isEmpty,
                  digits.unicodeScalars.allSatisfy({ Lexer.digitValue($0) < radix }) else {
                throw error("invalid number literal '\(text)'", at: start)
            }
            guard let value = Int(digits, radix: radix) else {
                throw error("integer literal '\(text)' is too large for Int", at: start)
            }
            return .integer(value)
        }
        skipDigits()
        var isFloat = false
        if peek() == ".", let next = peek(1), Lexer.isDigit(next) {
            isFloat = true
            advance()
            skipDigits()
        }
        if let e = peek(), e == "e" || e == "E" {
            let signLength = (peek(1) == "+" || peek(1) == "-") ? 2 : 1
            if let d = peek(signLength), Lexer.isDigit(d) {
                isFloat = true
                advance(signLength)
                skipDigits()
            }
        }
        if let c = peek(), Lexer.isIdentifierContinue(c) || (c == "." && peek(1).map(Lexer.isDigit) == true) {
            skipMalformedNumber()
            throw error("invalid number literal '\(spelling(from: startPos))'", at: start)
        }
        let text = spelling(from: startPos)
        let digits = text.filter { $0 != "_" }
        if isFloat {
            guard let value = Double(digits) else { throw error("invalid number literal '\(text)'", at: start) }
            guard value.isFinite else {
                throw error("floating-point literal '\(text)' is too large", at: start)
            }
            return .float(value)
        }
        guard let value = Int(digits) else {
            throw error("integer literal '\(text)' is too large for Int", at: start)
        }
        return .integer(value)
    }

    mutating func skipDigits() {
        while let d = peek(), Lexer.isDigit(d) || d == "_" { advance() }
    }

    /// Consumes the rest of a malformed literal like `1.2.3` or `12abc` so the message shows it whole.
    mutating func skipMalformedNumber() {
        while let c = peek() {
            if Lexer.isIdentifierContinue(c) {
                advance()
            } else if c == ".", let next = peek(1), Lexer.isIdentifierContinue(next) {
                advance()
            } else if (c == "+" || c == "-"), let e = peek(-1), e == "e" || e == "E",
                      let next = peek(1), Lexer.isDigit(next) {
                advance()
            } else {
                return
            }
        }
    }

    /// The value of a hexadecimal digit, or 99 for anything else.
    static func digitValue(_ c: Unicode.Scalar) -> Int {
        switch c {
        case "0"..."9": return Int(c.value - 48)
        case "a"..."f": return Int(c.value - 97 + 10)
        case "A"..."F": return Int(c.value - 65 + 10)
        default: return 99
        }
    }

    // MARK: - Strings

    /// Lexes `"..."` or a `"""` multi-line string starting at the cursor.
    mutating func lexString() throws -> [StringSegment] {
        let start = location
        if nesting == 0 { outerStringStart = start }
        if peek(1) == "\"" && peek(2) == "\"" { return try lexMultilineString(start: start) }
        advance()
        return try lexStringBody(start: start, contentEnd: nil, indent: [])
    }

    /// Reported at the outermost string when strings nest inside interpolations.
    func unterminated(_ start: SourceLocation) -> Diagnostic {
        error("unterminated string literal", at: outerStringStart ?? start)
    }

    /// The characters and interpolations of a string up to its end: the closing `"` of a
    /// single-line string (`contentEnd` nil) or offset `contentEnd` of a multi-line one.
    mutating func lexStringBody(start: SourceLocation, contentEnd: Int?, indent: [Unicode.Scalar]) throws -> [StringSegment] {
        let multiline = contentEnd != nil
        let end = contentEnd ?? Int.max
        var segments: [StringSegment] = []
        var text = ""
        if multiline { try stripIndentation(indent) }
        while pos < end {
            if peek() == "\\" && peek(1) == "(" {
                if !text.isEmpty { segments.append(.text(text)) }
                text = ""
                segments.append(try lexInterpolation(stringStart: start, multiline: multiline))
                if pos > end { throw unterminated(start) }
            } else if try !lexStringCharacter(into: &text, start: start, multiline: multiline, indent: indent) {
                break
            }
        }
        if !text.isEmpty { segments.append(.text(text)) }
        return segments
    }

    /// Appends one character or escape of a string body to `text`; false at the closing `"`.
    @inline(never)
    mutating func lexStringCharacter(into text: inout String, start: SourceLocation, multiline: Bool,
                                     indent: [Unicode.Scalar]) throws -> Bool {
        guard let c = peek() else { throw unterminated(start) }
        if c == "\"" {
            if !multiline {
                advance()
                return false
            }
            if peek(1) == "\"" && peek(2) == "\"" {
                throw error("multi-line string literal closing delimiter must begin on a new line", at: location)
            }
        }
        if c == "\n" || c == "\r" {
            guard multiline else { throw unterminated(start) }
            consumeLineBreak()
            text += "\n"
            try stripIndentation(indent)
            return true
        }
        guard c == "\\" else {
            text.unicodeScalars.append(c)
            advance()
            return true
        }
        let escape = location
        guard let e = peek(1) else { throw unterminated(start) }
        switch e {
        case "n": text += "\n"; advance(2)
        case "t": text += "\t"; advance(2)
        case "r": text += "\r"; advance(2)
        case "0": text += "\0"; advance(2)
        case "\\": text += "\\"; advance(2)
        case "\"": text += "\""; advance(2)
        case "'": text += "'"; advance(2)
        case "u": text.unicodeScalars.append(try lexUnicodeEscape())
        case "\n", "\r":
            guard multiline else { throw unterminated(start) }
            advance()
            consumeLineBreak()
            try stripIndentation(indent)
        default:
            throw error("invalid escape sequence '\\\(e)' in string literal", at: escape,
                        notes: ["note: valid escapes are \\n \\t \\r \\0 \\\\ \\\" \\' \\u{...} and \\( ... )"])
        }
        return true
    }

    /// `\u{1F600}`: one to eight hex digits naming a Unicode scalar.
    mutating func lexUnicodeEscape() throws -> Unicode.Scalar {
        let escape = location
        advance(2)
        var value: UInt32 = 0
        var count = 0
        if peek() == "{" {
            advance()
            while let d = peek(), Lexer.digitValue(d) < 16, count < 9 {
                value = value &* 16 &+ UInt32(Lexer.digitValue(d))
                count += 1
                advance()
            }
        }
        guard peek() == "}", (1...8).contains(count), let scalar = Unicode.Scalar(value) else {
            throw error("invalid unicode escape; write \\u{XXXX} with 1 to 8 hex digits", at: escape)
        }
        advance()
        return scalar
    }

    /// `\( ... )`: lexes tokens up to the matching `)`, which becomes the segment's `eof` token.
    mutating func lexInterpolation(stringStart: SourceLocation, multiline: Bool) throws -> StringSegment {
        let open = location
        advance(2)
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Lexer.maxNesting { throw error("expression nested too deeply", at: open) }
        var tokens: [Token] = []
        var depth = 0
        while true {
            depth += try appendInterpolationToken(to: &tokens, stringStart: stringStart, multiline: multiline)
            if depth < 0 {
                Lexer.closeInterpolation(&tokens)
                return .interpolation(tokens, open: open)
            }
        }
    }

    /// Lexes the next token inside an interpolation onto `tokens`; returns +1 for `(`, -1 for
    /// `)`, else 0. Running into the end of the line (single-line strings) or of the file
    /// reports the string as unterminated.
    mutating func appendInterpolationToken(to tokens: inout [Token], stringStart: SourceLocation,
                                           multiline: Bool) throws -> Int {
        let token = try nextToken()
        if token.isEOF || (token.newlineBefore && !multiline) { throw unterminated(stringStart) }
        tokens.append(token)
        return token.isPunct("(") ? 1 : token.isPunct(")") ? -1 : 0
    }

    /// Turns the final `)` of an interpolation into the `eof` token that ends its parse.
    static func closeInterpolation(_ tokens: inout [Token]) {
        guard let last = tokens.popLast() else { return }
        var end = Token(kind: .eof, location: last.location, text: ")")
        end.newlineBefore = last.newlineBefore
        end.spaceBefore = last.spaceBefore
        end.spaceAfter = true
        tokens.append(end)
    }

    // MARK: - Multi-line strings

    /// `"""` + line break, content lines, then a line holding only indentation and `"""`;
    /// that indentation is removed from every content line, as in Swift.
    mutating func lexMultilineString(start: SourceLocation) throws -> [StringSegment] {
        advance(3)
        while let c = peek(), Lexer.isWhitespace(c) { advance() }
        guard let c = peek(), c == "\n" || c == "\r" else {
            if peek() == nil { throw error("unterminated multi-line string literal", at: start) }
            throw error("multi-line string literal content must begin on a new line", at: location)
        }
        consumeLineBreak()
        let contentStart = pos
        guard let closing = findClosingDelimiter(from: pos) else {
            throw error("unterminated multi-line string literal", at: start)
        }
        var segments: [StringSegment] = []
        if closing.lineStart > contentStart {
            let crlf = closing.lineStart >= 2 && scalars[closing.lineStart - 2] == "\r" && scalars[closing.lineStart - 1] == "\n"
            let contentEnd = closing.lineStart - (crlf ? 2 : 1)
            segments = try lexStringBody(start: start, contentEnd: contentEnd, indent: closing.indent)
            guard pos == contentEnd else { throw unterminated(start) }
            consumeLineBreak()
        }
        let end = closing.lineStart + closing.indent.count + 3
        guard pos == closing.lineStart, end <= scalars.count else { throw unterminated(start) }
        while pos < end { advance() }
        return segments
    }

    /// The first line (from offset `from`) made of optional whitespace and `"""`.
    func findClosingDelimiter(from: Int) -> (lineStart: Int, indent: [Unicode.Scalar])? {
        var i = from
        let count = scalars.count
        while i < count {
            var j = i
            while j < count, Lexer.isWhitespace(scalars[j]) { j += 1 }
            if j + 2 < count, scalars[j] == "\"", scalars[j + 1] == "\"", scalars[j + 2] == "\"" {
                return (i, Array(scalars[i..<j]))
            }
            while i < count, scalars[i] != "\n", scalars[i] != "\r" { i += 1 }
            if i < count { i += (scalars[i] == "\r" && i + 1 < count && scalars[i + 1] == "\n") ? 2 : 1 }
        }
        return nil
    }

    mutating func consumeLineBreak() {
        if peek() == "\r" && peek(1) == "\n" { advance(2) } else { advance() }
    }

    /// Removes the closing delimiter's indentation at the start of a content line.
    mutating func stripIndentation(_ indent: [Unicode.Scalar]) throws {
        var k = 0
        while k < indent.count, peek(k) == indent[k] { k += 1 }
        if k == indent.count {
            advance(k)
            return
        }
        var j = 0
        while let c = peek(j), Lexer.isWhitespace(c) { j += 1 }
        if let c = peek(j), c != "\n", c != "\r" {
            throw error("insufficient indentation of line in multi-line string literal", at: location)
        }
        advance(j)
    }
}
