import TGCBase

/// One token of the textual IR, with where it starts.
struct IRToken {
    enum Kind: Equatable {
        case identifier(String)
        /// `%12`: a value's name, without the `%`.
        case value(String)
        /// Digits, with an optional fraction and exponent; the sign is a separate `-`.
        case number(String)
        /// A string literal's text between the quotes, escapes not yet resolved.
        case string(String)
        /// `{ } ( ) [ ] , = : -` or `..<`.
        case punctuation(String)
        /// A trailing `// LINE:COL` comment: where in the source program the op came from.
        case sourceLocation(line: Int, column: Int)
        case end
    }

    var kind: Kind
    var location: SourceLocation

    /// How the token reads in error messages.
    var quoted: String {
        switch kind {
        case .identifier(let name): "'\(name)'"
        case .value(let name): "'%\(name)'"
        case .number(let digits): "'\(digits)'"
        case .string: "a string"
        case .punctuation(let text): "'\(text)'"
        case .sourceLocation: "a location comment"
        case .end: "the end of the file"
        }
    }
}

/// Splits IR text into tokens; comments other than location comments are skipped.
struct IRLexer {
    private let scalars: [Unicode.Scalar]
    private let fileName: String
    private var index = 0
    private var line = 1
    private var column = 1

    private init(text: String, fileName: String) {
        scalars = Array(text.unicodeScalars)
        self.fileName = fileName
    }

    static func tokens(of text: String, fileName: String) throws -> [IRToken] {
        var lexer = IRLexer(text: text, fileName: fileName)
        var tokens: [IRToken] = []
        repeat {
            tokens.append(try lexer.next())
        } while tokens.last?.kind != .end
        return tokens
    }

    private var here: SourceLocation { SourceLocation(file: fileName, line: line, column: column) }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private mutating func take(while condition: (Unicode.Scalar) -> Bool) -> String {
        var taken = String.UnicodeScalarView()
        while let scalar = peek(), condition(scalar) {
            taken.append(scalar)
            advance()
        }
        return String(taken)
    }

    private mutating func next() throws -> IRToken {
        while true {
            while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n" { advance() }
            guard peek() == "/" && peek(1) == "/" else { break }
            let start = here
            if let location = locationComment() { return IRToken(kind: location, location: start) }
        }
        let start = here
        guard let scalar = peek() else { return IRToken(kind: .end, location: start) }
        if scalar == "%" {
            advance()
            let name = take(while: Self.isNameCharacter)
            guard !name.isEmpty else { throw Diagnostic("expected a value name after '%'", at: start) }
            return IRToken(kind: .value(name), location: start)
        }
        if Self.isNameCharacter(scalar) && !Self.isDigit(scalar) {
            return IRToken(kind: .identifier(take(while: Self.isNameCharacter)), location: start)
        }
        if Self.isDigit(scalar) { return IRToken(kind: .number(takeNumber()), location: start) }
        if scalar == "\"" { return IRToken(kind: .string(try takeString(from: start)), location: start) }
        if scalar == "." && peek(1) == "." && peek(2) == "<" {
            advance(); advance(); advance()
            return IRToken(kind: .punctuation("..<"), location: start)
        }
        if "{}()[],=:-".unicodeScalars.contains(scalar) {
            advance()
            return IRToken(kind: .punctuation(String(scalar)), location: start)
        }
        throw Diagnostic("unexpected character '\(scalar.escaped(asASCII: true))'", at: start)
    }

    /// Skips a comment; returns it as a location when it reads `// LINE:COL`.
    private mutating func locationComment() -> IRToken.Kind? {
        let comment = take { $0 != "\n" }.dropFirst(2).trimmingWhitespace()
        let parts = comment.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
              let line = Int(parts[0]), let column = Int(parts[1]), line > 0 else { return nil }
        return .sourceLocation(line: line, column: column)
    }

    /// `12`, `0.5`, `1e-05`, `2.5e+20`: a `.` followed by another `.` starts a range instead.
    private mutating func takeNumber() -> String {
        var digits = take(while: Self.isDigit)
        if peek() == ".", let next = peek(1), Self.isDigit(next) {
            advance()
            digits += "." + take(while: Self.isDigit)
        }
        if peek() == "e" || peek() == "E" {
            let signed = peek(1) == "+" || peek(1) == "-"
            if let first = peek(signed ? 2 : 1), Self.isDigit(first) {
                digits.unicodeScalars.append(peek()!)
                advance()
                if signed {
                    digits.unicodeScalars.append(peek()!)
                    advance()
                }
                digits += take(while: Self.isDigit)
            }
        }
        return digits
    }

    /// The raw text of a string literal; a backslash keeps the next character in the string.
    private mutating func takeString(from start: SourceLocation) throws -> String {
        advance()
        var text = String.UnicodeScalarView()
        while let scalar = peek(), scalar != "\"" {
            guard scalar != "\n" else { break }
            text.append(scalar)
            advance()
            if scalar == "\\", let escaped = peek(), escaped != "\n" {
                text.append(escaped)
                advance()
            }
        }
        guard peek() == "\"" else { throw Diagnostic("unterminated string", at: start) }
        advance()
        return String(text)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isDigit(scalar) || scalar == "_" || (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
    }
}

private extension Substring {
    func trimmingWhitespace() -> Substring {
        var text = self
        while text.first == " " || text.first == "\t" || text.first == "\r" { text.removeFirst() }
        while text.last == " " || text.last == "\t" || text.last == "\r" { text.removeLast() }
        return text
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
