/// Mutations of single rough tokens: delete, duplicate, swap, and replace or insert numbers at
/// their extremes, operators, brackets, keywords, unicode and control characters.
enum TokenMutations {
    static let extremeNumbers = [
        "0", "-1", "1", "4611686018427387904", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "1e308", "1e309", "-1e308", "1e-320", "nan", "inf", "0.0", "-0.0",
        "3.4028236e38", "0x7fffffffffffffff", "0xffffffffffffffffff", "1_000_000_000_000", "1e", "0x",
        "1.", ".5", "1__0", "00000000000000000000000000000001", "2147483648", "4294967296",
    ]
    static let operators = [
        "+", "-", "*", "/", "%", "**", "..<", "...", "==", "!=", "<", ">", "<=", ">=", "!", "&&", "||",
        "=", "+=", "-=", "*=", "/=", "%=", ".", ",", ":", ";", "?", "->", "@", "<<", ">>", "&", "|",
        "^", "~", "$", "#", "`", "\\", "'", "_", "=>", "..", "...<",
    ]
    static let brackets = ["(", ")", "[", "]", "{", "}"]
    static let keywords = [
        "let", "var", "func", "return", "if", "else", "for", "in", "while", "break", "continue",
        "true", "false", "nil", "noGrad", "print", "grad", "backward", "self", "T", "shape", "inout",
    ]
    static let oddText = [
        "é", "日本語", "🙂", "\u{202E}", "\u{0301}", "\u{FEFF}", "\u{00A0}", "\u{200D}", "\u{2028}",
        "\u{0}", "\u{1}", "\u{7F}", "\r", "\t", "\"", "\"\\(", "\\(", "\"\"\"", "/*", "*/", "//",
        "\\u{110000}", "\\u{D800}", "\\q", "x̄", "Σ", "\u{1F468}\u{200D}\u{1F469}", "\u{10FFFF}",
    ]

    /// Applies one token mutation chosen by `rng`; returns its name.
    static func apply(to source: inout SourceChunks, corpusWords: [String], using rng: inout SplitMix64) -> String {
        let tokens = source.tokenIndices
        guard !tokens.isEmpty else {
            source.chunks.append(.init(text: rng.pick(keywords), kind: .word))
            return "insert-keyword"
        }
        let at = rng.pick(tokens)
        switch Int.random(in: 0..<9, using: &rng) {
        case 0:
            source.chunks.remove(at: at)
            return "delete-token"
        case 1:
            source.chunks.insert(source.chunks[at], at: at)
            return "duplicate-token"
        case 2:
            source.chunks.swapAt(at, rng.pick(tokens))
            return "swap-tokens"
        case 3:
            let numbers = tokens.filter { source.chunks[$0].kind == .number }
            source.chunks[numbers.isEmpty ? at : rng.pick(numbers)] = .init(text: rng.pick(extremeNumbers), kind: .number)
            return "extreme-number"
        case 4:
            source.chunks.insert(.init(text: rng.pick(operators), kind: .symbol), at: at)
            return "insert-operator"
        case 5:
            source.chunks.insert(.init(text: rng.pick(brackets), kind: .bracket), at: at)
            return "insert-bracket"
        case 6:
            source.chunks.insert(.init(text: rng.pick(keywords) + " ", kind: .word), at: at)
            return "insert-keyword"
        case 7:
            let words = tokens.filter { source.chunks[$0].kind == .word }
            let replacement = corpusWords.isEmpty ? rng.pick(keywords) : rng.pick(corpusWords)
            source.chunks[words.isEmpty ? at : rng.pick(words)] = .init(text: replacement, kind: .word)
            return "replace-identifier"
        default:
            source.chunks.insert(.init(text: rng.pick(oddText), kind: .symbol), at: rng.chance(0.5) ? at : Int.random(in: 0...source.chunks.count, using: &rng))
            return "insert-odd-text"
        }
    }
}
