/// A program cut into rough tokens for mutation: words, numbers, strings, comments, operator
/// runs, single brackets and whitespace. Unlike the real lexer it accepts any text, so a
/// mutated (already broken) input can be mutated again; joining the chunks gives the text back.
struct SourceChunks {
    /// What a chunk looks like, so mutations can aim at numbers, names or brackets.
    enum Kind: Equatable {
        case word, number, string, comment, symbol, bracket, space, newline
    }

    /// One rough token.
    struct Chunk: Equatable {
        var text: String
        var kind: Kind
    }

    var chunks: [Chunk]

    init(_ text: String) {
        chunks = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func take(while predicate: (Unicode.Scalar) -> Bool) -> String {
            var out = String.UnicodeScalarView()
            while i < scalars.count, predicate(scalars[i]) {
                out.append(scalars[i])
                i += 1
            }
            return String(out)
        }
        while i < scalars.count {
            let c = scalars[i]
            let next: Unicode.Scalar? = i + 1 < scalars.count ? scalars[i + 1] : nil
            if c == "\n" {
                i += 1
                chunks.append(Chunk(text: "\n", kind: .newline))
            } else if c == " " || c == "\t" || c == "\r" {
                chunks.append(Chunk(text: take { $0 == " " || $0 == "\t" || $0 == "\r" }, kind: .space))
            } else if c == "/" && next == "/" {
                chunks.append(Chunk(text: take { $0 != "\n" }, kind: .comment))
            } else if c == "\"" {
                chunks.append(Chunk(text: Self.stringLiteral(scalars, &i), kind: .string))
            } else if c.properties.numericType != nil && c.isASCII {
                chunks.append(Chunk(text: take { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == ".") }, kind: .number))
            } else if c == "_" || c.properties.isAlphabetic {
                chunks.append(Chunk(text: take { $0 == "_" || $0.properties.isAlphabetic || $0.properties.numericType != nil }, kind: .word))
            } else if "()[]{}".unicodeScalars.contains(c) {
                i += 1
                chunks.append(Chunk(text: String(c), kind: .bracket))
            } else {
                chunks.append(Chunk(text: take { !$0.properties.isAlphabetic && $0.properties.numericType == nil && !" \t\r\n\"()[]{}_".unicodeScalars.contains($0) }, kind: .symbol))
            }
        }
    }

    /// A string literal from the opening quote to the closing one (or the end of the line).
    private static func stringLiteral(_ scalars: [Unicode.Scalar], _ i: inout Int) -> String {
        var out = String.UnicodeScalarView([scalars[i]])
        i += 1
        while i < scalars.count, scalars[i] != "\n" {
            out.append(scalars[i])
            i += 1
            if scalars[i - 1] == "\\", i < scalars.count, scalars[i] != "\n" {
                out.append(scalars[i])
                i += 1
            } else if scalars[i - 1] == "\"" {
                break
            }
        }
        return String(out)
    }

    var text: String { chunks.map(\.text).joined() }

    /// Indices of the chunks that are not whitespace.
    var tokenIndices: [Int] { chunks.indices.filter { chunks[$0].kind != .space && chunks[$0].kind != .newline } }

    /// The index ranges of balanced bracket groups `( ... )`, `[ ... ]`, `{ ... }`, opening
    /// bracket to closing bracket inclusive.
    var bracketGroups: [ClosedRange<Int>] {
        var groups: [ClosedRange<Int>] = []
        var stack: [(Int, String)] = []
        let pairs = [")": "(", "]": "[", "}": "{"]
        for (index, chunk) in chunks.enumerated() where chunk.kind == .bracket {
            if let opener = pairs[chunk.text] {
                if let last = stack.last, last.1 == opener {
                    stack.removeLast()
                    groups.append(last.0...index)
                } else {
                    stack.removeAll()
                }
            } else {
                stack.append((index, chunk.text))
            }
        }
        return groups
    }
}
