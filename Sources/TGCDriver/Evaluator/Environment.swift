import TGCBase

/// A variable: its current value, whether `var` allows assignment, and where it was declared.
struct Binding {
    var value: EvalValue
    var isMutable: Bool
    var location: SourceLocation
}

/// Lexical scopes. Each name maps to its stack of visible declarations (innermost last), so
/// a lookup is one hash whatever the nesting depth.
struct Environment {
    private struct Entry {
        var depth: Int
        var binding: Binding
    }

    private var table: [String: [Entry]] = [:]
    /// The names declared in each open scope, outermost first.
    private var declared: [[String]] = [[]]

    private var depth: Int { declared.count - 1 }

    mutating func push() { declared.append([]) }

    mutating func pop() {
        for name in declared.removeLast() {
            table[name]!.removeLast()
            if table[name]!.isEmpty { table[name] = nil }
        }
    }

    func lookup(_ name: String) -> Binding? { table[name]?.last?.binding }

    /// Whether `name` is declared in the innermost scope.
    func isDeclaredHere(_ name: String) -> Bool { table[name]?.last?.depth == depth }

    mutating func declare(_ name: String, _ binding: Binding) {
        table[name, default: []].append(Entry(depth: depth, binding: binding))
        declared[depth].append(name)
    }

    /// Assigns to the nearest declaration of `name`; false when there is none.
    @discardableResult
    mutating func assign(_ name: String, _ value: EvalValue) -> Bool {
        guard let count = table[name]?.count, count > 0 else { return false }
        table[name]![count - 1].binding.value = value
        return true
    }

    /// The outermost (global) declarations.
    var globals: [String: Binding] {
        table.compactMapValues { entries in entries.first { $0.depth == 0 }?.binding }
    }

    /// Assigns to the global declaration of `name` (a function writing a global).
    mutating func assignGlobal(_ name: String, _ value: EvalValue) {
        guard let index = table[name]?.firstIndex(where: { $0.depth == 0 }) else { return }
        table[name]![index].binding.value = value
    }
}
