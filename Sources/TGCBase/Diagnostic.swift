/// A user-facing error: a message at a source location, rendered as
/// `file:line:col: error: message` followed by the source line and a caret.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    /// Extra lines printed after the caret (e.g. "note: ..." hints).
    public var notes: [String]

    public init(_ message: String, at location: SourceLocation, notes: [String] = []) {
        self.message = message
        self.location = location
        self.notes = notes
    }

    public var description: String { "\(location): error: \(message)" }

    /// The full rendering with the offending source line and a caret under the column.
    public func render(source: SourceText?) -> String {
        var out = description
        if let source, let text = source.line(location.line) {
            out += "\n" + text + "\n"
            let column = max(1, location.column)
            // Keep tabs so the caret lines up under the same character.
            out += text.unicodeScalars.prefix(column - 1).map { $0 == "\t" ? "\t" : " " }.joined() + "^"
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
