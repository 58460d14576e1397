/// The flags of one `tgc-stress` command line, consumed as they are read; `finish()` rejects
/// whatever is left over.
struct StressOptions {
    /// A flag that is unknown, lacks its value or has a malformed one.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    let command: String
    private var rest: [String]

    init(_ arguments: [String]) {
        command = arguments.first ?? ""
        rest = Array(arguments.dropFirst())
    }

    mutating func value(_ flag: String) -> String? {
        guard let index = rest.firstIndex(of: flag), index + 1 < rest.count else { return nil }
        let value = rest[index + 1]
        rest.removeSubrange(index...index + 1)
        return value
    }

    mutating func flag(_ flag: String) -> Bool {
        guard let index = rest.firstIndex(of: flag) else { return false }
        rest.remove(at: index)
        return true
    }

    mutating func integer(_ flag: String, default fallback: Int) throws -> Int {
        guard let text = value(flag) else { return fallback }
        guard let number = Int(text), number >= 0 else { throw Problem(description: "\(flag) needs a non-negative integer, got '\(text)'") }
        return number
    }

    mutating func number(_ flag: String, default fallback: Double) throws -> Double {
        guard let text = value(flag) else { return fallback }
        guard let number = Double(text), number >= 0, number.isFinite else { throw Problem(description: "\(flag) needs a non-negative number, got '\(text)'") }
        return number
    }

    /// What is left after the flags were read: at most `positional` plain arguments.
    func finish(positional: Int = 0) throws -> [String] {
        if let unknown = rest.first(where: { $0.hasPrefix("--") }) {
            throw Problem(description: "unknown option '\(unknown)' for 'tgc-stress \(command)' (see 'tgc-stress --help')")
        }
        guard rest.count <= positional else { throw Problem(description: "unexpected argument '\(rest[positional])' for 'tgc-stress \(command)'") }
        return rest
    }
}
