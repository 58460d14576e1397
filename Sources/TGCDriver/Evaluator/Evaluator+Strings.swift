import TGCBase
import TGCSyntax

/// Swift's String methods and properties a program uses on names and labels (a parameter's
/// name from `namedParameters()`, a key of a state dict): `name.hasPrefix("fc1.")` is
/// Python's `name.startswith("fc1.")`. Strings are compile-time values, so each is a value.
extension Evaluator {
    /// `s.hasPrefix(p)`, `s.hasSuffix(p)`, `s.contains(p)`, `s.lowercased()`, `s.uppercased()`,
    /// `s.split(separator: ".")` (the pieces, empty ones left out, as Swift's).
    func callStringMethod(_ text: String, _ name: String, _ arguments: [Argument], at location: SourceLocation) throws -> EvalValue {
        var site = try callSite(name, arguments, at: location)
        func argument(_ label: String?, _ parameter: String) throws -> (text: String, location: SourceLocation) {
            try site.bind([label.map { .labeled($0, optional: false) } ?? .unlabeled(parameter)])
            let key = label ?? parameter
            guard case .string(let value)? = site.value(key) else {
                throw Diagnostic("\(name)(\(label.map { "\($0):" } ?? "_:")) takes a String", at: site.location(key))
            }
            return (value, site.location(key))
        }
        switch name {
        case "hasPrefix": return .bool(text.hasPrefix(try argument(nil, "prefix").text))
        case "hasSuffix": return .bool(text.hasSuffix(try argument(nil, "suffix").text))
        case "contains":
            let other = try argument(nil, "other").text
            return .bool(other.isEmpty || text.contains(other))
        case "lowercased", "uppercased":
            try site.bind([])
            return .string(name == "lowercased" ? text.lowercased() : text.uppercased())
        case "split":
            let (separator, at) = try argument("separator", "separator")
            guard separator.count == 1, let character = separator.first else {
                throw Diagnostic("split(separator:) takes one character, as Swift's", at: at)
            }
            return .array(text.split(separator: character).map { .string(String($0)) })
        default:
            throw Diagnostic("value of type String has no method '\(name)'; it has hasPrefix(_:), hasSuffix(_:), contains(_:), "
                             + "lowercased(), uppercased() and split(separator:)", at: location)
        }
    }

    /// `s.count` (characters) and `s.isEmpty`; nil for other names.
    func stringProperty(_ name: String, of text: String) -> EvalValue? {
        switch name {
        case "count": .int(text.count)
        case "isEmpty": .bool(text.isEmpty)
        default: nil
        }
    }
}
