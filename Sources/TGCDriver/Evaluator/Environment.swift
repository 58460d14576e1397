import TGCBase

/// A variable: its current value, whether `var` allows assignment, and where it was declared.
struct Binding {
    var value: EvalValue
    var isMutable: Bool
    var location: SourceLocation
}

/// Lexical scopes, innermost last.
struct Environment {
    private(set) var scopes: [[String: Binding]]

    init(scopes: [[String: Binding]] = [[:]]) { self.scopes = scopes }

    mutating func push() { scopes.append([:]) }
    mutating func pop() { scopes.removeLast() }

    func lookup(_ name: String) -> Binding? {
        for scope in scopes.reversed() {
            if let binding = scope[name] { return binding }
        }
        return nil
    }

    /// Whether `name` is declared in the innermost scope.
    func isDeclaredHere(_ name: String) -> Bool { scopes[scopes.count - 1][name] != nil }

    mutating func declare(_ name: String, _ binding: Binding) {
        scopes[scopes.count - 1][name] = binding
    }

    /// Assigns to the nearest declaration of `name`; false when there is none.
    @discardableResult
    mutating func assign(_ name: String, _ value: EvalValue) -> Bool {
        for index in scopes.indices.reversed() where scopes[index][name] != nil {
            scopes[index][name]!.value = value
            return true
        }
        return false
    }
}
