import Foundation

/// Accumulates C source lines with indentation.
package struct CSourceWriter {
    package private(set) var text = ""
    package var indent = 0

    package init() {}

    package mutating func line(_ content: String = "") {
        text += content.isEmpty ? "\n" : String(repeating: "    ", count: indent) + content + "\n"
    }

    /// Writes `header {` and indents what follows until `close()`.
    package mutating func open(_ header: String) {
        line(header.isEmpty ? "{" : header + " {")
        indent += 1
    }

    /// `for (int64_t i = from; i < to; i++)`: the header of every counted loop in generated C.
    package static func loopHeader(_ variable: String, from: String = "0", to: String, type: String = "int64_t") -> String {
        "for (\(type) \(variable) = \(from); \(variable) < \(to); \(variable)++)"
    }

    /// Opens a counted loop (`loopHeader`), with `pragma` (an OpenMP directive) on the line
    /// before it.
    package mutating func openLoop(_ variable: String, from: String = "0", to: String, type: String = "int64_t",
                           pragma: String? = nil) {
        if let pragma { line(pragma) }
        open(Self.loopHeader(variable, from: from, to: to, type: type))
    }

    /// Appends text written by another writer, as is.
    package mutating func append(_ other: String) {
        text += other
    }

    /// Ends the innermost `open`: `}` (or `closing`, e.g. `} else {`).
    package mutating func close(_ closing: String = "}") {
        indent -= 1
        line(closing)
    }
}

/// Spelling text safely inside C source: string literals and comments.
package enum CSourceText {
    /// A C string literal for `text` (its UTF-8 bytes): quotes, backslashes and control bytes
    /// escaped, bytes outside printable ASCII as three-digit octal escapes, and `??` broken up so
    /// no trigraph forms.
    package static func stringLiteral(_ text: String) -> String {
        var out = "\""
        var previous: UInt8 = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case UInt8(ascii: "\n"): out += "\\n"
            case UInt8(ascii: "\t"): out += "\\t"
            case UInt8(ascii: "\r"): out += "\\r"
            case UInt8(ascii: "?") where previous == UInt8(ascii: "?"): out += "\\?"
            case 0x20...0x7E: out.append(Character(Unicode.Scalar(byte)))
            default:
                let octal = String(byte, radix: 8)
                out += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            }
            previous = byte
        }
        return out + "\""
    }

    /// Text that is safe inside a `/* ... */` comment on one line.
    package static func comment(_ text: String) -> String {
        text.replacingOccurrences(of: "*/", with: "* /")
            .replacingOccurrences(of: "/*", with: "/ *")
            .replacingOccurrences(of: "\n", with: " ")
    }
}
