/// A user-facing error: a message at a source location, rendered as
/// `file:line:col: error: message` followed by the source line and a caret.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    /// Extra lines printed after the caret (e.g. "note: ..." hints).
    public var notes: [String]

    public init(_ message: String, at location: SourceLocation, notes: [String] = []) {
        // A message quoting a huge token (a 10 MB identifier) is cut in the middle.
        self.message = message.count > 400 ? message.prefix(200) + " ... " + message.suffix(100) : message
        self.location = location
        self.notes = notes
    }

    public var description: String { "\(location): error: \(message)" }

    /// At most `width` characters of a long line around `column`, with "..." where it is cut,
    /// and the column of the same character in the shortened line.
    static func window(of line: String, around column: Int, width: Int = 120) -> (String, Int) {
        let scalars = Array(line.unicodeScalars)
        guard scalars.count > width else { return (line, column) }
        let start = max(0, min(column - 1 - width / 2, scalars.count - width))
        let end = min(scalars.count, start + width)
        var shown = String(String.UnicodeScalarView(scalars[start..<end]))
        var shift = start
        if start > 0 {
            shown = "..." + shown
            shift -= 3
        }
        if end < scalars.count { shown += "..." }
        return (shown, column - shift)
    }

    /// The full rendering with the offending source line and a caret under the column.
    public func render(source: SourceText?) -> String {
        var out = description
        if let source, let text = source.line(location.line) {
            let (shown, column) = Self.window(of: text, around: max(1, location.column))
            out += "\n" + shown + "\n"
            // Keep tabs so the caret lines up under the same character.
            out += shown.unicodeScalars.prefix(column - 1).map { $0 == "\t" ? "\t" : " " }.joined() + "^"
        }
        for note in notes { out += "\n" + note }
        return out
    }
}

/// An error that is not tied to a source location (bad flags, missing files, toolchain failures).
public struct ToolError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "error: \(message)" }
}
