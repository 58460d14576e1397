/// How strings are written in the textual IR: in double quotes, with backslash escapes.
enum IRStringLiteral {
    /// `text` in double quotes, escaped.
    static func quoted(_ text: String) -> String { "\"" + escaped(text, braces: false) + "\"" }

    /// `text` with `\`, `"`, newline, carriage return and tab escaped, and with `{` and `}`
    /// too when `braces` (in print formats, where braces mark operands).
    static func escaped(_ text: String, braces: Bool) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": out.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "{" where braces, "}" where braces: out.append(contentsOf: ["\\", scalar])
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// The character that the escape `\c` stands for, or nil when `\c` is not an escape.
    static func unescaped(_ c: Unicode.Scalar) -> Unicode.Scalar? {
        switch c {
        case "n": "\n"
        case "r": "\r"
        case "t": "\t"
        case "\\", "\"", "{", "}": c
        default: nil
        }
    }
}
