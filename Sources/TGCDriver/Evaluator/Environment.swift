import TGCBase

/// A variable: its current value, whether `var` allows assignment, and where it was declared.
struct Binding {
    var value: EvalValue
    var isMutable: Bool
    var location: SourceLocation
    /// False for `var x: Tensor` (or `let`) declared without a value until its first
    /// assignment, Swift's deferred initialization; `value` is `.void` until then.
    var isAssigned = true
}

/// Lexical scopes as one stack of declarations, innermost last. Lookups scan from the top:
/// programs have tens of names, and comparing short names beats hashing them (eager mode
/// looks names up for every op it runs).
struct Environment {
    private var names: [String] = []
    private var bindings: [Binding] = []
    private var depths: [Int] = []
    /// Where each open scope starts in the stack.
    private var scopeStarts: [Int] = [0]

    private var depth: Int { scopeStarts.count - 1 }

    mutating func push() { scopeStarts.append(names.count) }

    mutating func pop() {
        let start = scopeStarts.removeLast()
        names.removeSubrange(start...)
        bindings.removeSubrange(start...)
        depths.removeSubrange(start...)
    }

    private func index(of name: String) -> Int? { names.lastIndex(of: name) }

    func lookup(_ name: String) -> Binding? { index(of: name).map { bindings[$0] } }

    /// Whether `name` is declared in the innermost scope.
    func isDeclaredHere(_ name: String) -> Bool {
        guard let index = index(of: name) else { return false }
        return index >= scopeStarts[depth]
    }

    mutating func declare(_ name: String, _ binding: Binding) {
        names.append(name)
        bindings.append(binding)
        depths.append(depth)
    }

    /// Assigns to the nearest declaration of `name`; false when there is none.
    @discardableResult
    mutating func assign(_ name: String, _ value: EvalValue) -> Bool {
        guard let index = index(of: name) else { return false }
        bindings[index].value = value
        bindings[index].isAssigned = true
        return true
    }

    /// How many declarations are in scope: with a later count, the range of those made between.
    var count: Int { names.count }

    /// The value of the declaration of `name` among `range`.
    func value(of name: String, declaredIn range: Range<Int>) -> EvalValue? {
        range.last { names[$0] == name }.map { bindings[$0].value }
    }

    /// Assigns to the declaration of `name` among `range`; false when there is none.
    @discardableResult
    mutating func assign(_ name: String, _ value: EvalValue, declaredIn range: Range<Int>) -> Bool {
        guard let index = range.last(where: { names[$0] == name }) else { return false }
        bindings[index].value = value
        bindings[index].isAssigned = true
        return true
    }

    /// Every value in scope, innermost last.
    var values: [EvalValue] { bindings.map(\.value) }

    /// The tensors held by variables in scope.
    var tensors: [TensorValue] {
        bindings.compactMap { if case .tensor(let tensor) = $0.value { tensor } else { nil } }
    }

    /// Replaces each tensor held by a variable, or by an array or tuple in one, for which
    /// `replacement` gives a new value (an optimizer's update of a parameter reaches every
    /// variable and list holding it, as in Python: `ps = model.parameters()` sees the step).
    mutating func replaceTensors(_ replacement: (TensorValue) -> TensorValue?) {
        func replaced(_ value: EvalValue) -> EvalValue? {
            switch value {
            case .tensor(let tensor): return replacement(tensor).map(EvalValue.tensor)
            case .array(let items), .tuple(let items):
                let new = items.map(replaced)
                guard new.contains(where: { $0 != nil }) else { return nil }
                let merged = zip(items, new).map { $1 ?? $0 }
                if case .array = value { return .array(merged) }
                return .tuple(merged)
            default: return nil
            }
        }
        for index in bindings.indices {
            if let new = replaced(bindings[index].value) { bindings[index].value = new }
        }
    }

    /// The outermost (global) declarations.
    var globals: [String: Binding] {
        var result: [String: Binding] = [:]
        for index in names.indices where depths[index] == 0 { result[names[index]] = bindings[index] }
        return result
    }

    /// Assigns to the global declaration of `name` (a function writing a global).
    mutating func assignGlobal(_ name: String, _ value: EvalValue) {
        guard let index = names.indices.last(where: { names[$0] == name && depths[$0] == 0 }) else { return }
        bindings[index].value = value
    }
}
