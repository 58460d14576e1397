import TGCBase

/// One lexical token of a .swiftdsl source, with its location and the whitespace around it.
struct Token: Equatable, Sendable {
    /// What the token is; operators and punctuation are `punct` with their spelling.
    enum Kind: Equatable, Sendable {
        case identifier(String)
        case keyword(String)
        case integer(Int)
        case float(Double)
        case string([StringSegment])
        case punct(String)
        case eof
    }

    var kind: Kind
    var location: SourceLocation
    /// The source spelling (for diagnostics); empty for end of file.
    var text: String
    /// A line break (`\n`, `\r\n` or a lone `\r`) separates this token from the previous one.
    var newlineBefore: Bool = false
    /// Whitespace, a comment or the start of the file precedes this token.
    var spaceBefore: Bool = false
    /// Whitespace, a comment or the end of the file follows this token.
    var spaceAfter: Bool = false

    /// The reserved words of the language.
    static let keywords: Set<String> = [
        "let", "var", "func", "return", "if", "else", "for", "in", "while",
        "break", "continue", "true", "false", "nil", "struct", "init",
    ]

    func isPunct(_ spelling: String) -> Bool { kind == .punct(spelling) }
    func isKeyword(_ word: String) -> Bool { kind == .keyword(word) }
    var isEOF: Bool { kind == .eof }

    /// The name when this token is an identifier (including `_`).
    var identifier: String? {
        if case .identifier(let name) = kind { return name }
        return nil
    }

    /// How the token is named in diagnostics: `'('`, `'foo'`, `string literal`, `end of file`.
    var described: String {
        switch kind {
        case .eof: return "end of file"
        case .string: return "string literal"
        case .keyword(let word): return "keyword '\(word)'"
        default: return "'\(text)'"
        }
    }
}

/// A lexed piece of a string literal: literal text, or the tokens of a `\( ... )` interpolation.
enum StringSegment: Equatable, Sendable {
    case text(String)
    /// Tokens between `\(` and the matching `)`, ended by an `eof` token located at that `)`;
    /// `open` is the location of the backslash.
    case interpolation([Token], open: SourceLocation)
}
