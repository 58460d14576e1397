import TGCBase

/// `==` and `!=` on values known at compile time that are not numbers, as Python compares
/// them: shapes and arrays element by element (`x.shape == [2, 3]`, `a.shape == b.shape`),
/// dtypes (`x.dtype == .float32`), devices, and None (`x.grad == nil`, False for a tensor).
extension Evaluator {
    /// The Bool of `lhs op rhs` for `==`/`!=` when the operands are compared as Python
    /// objects; nil when the comparison is elementwise arithmetic (numbers and tensors).
    func structuralEquality(_ op: String, _ lhs: EvalValue, _ rhs: EvalValue) -> EvalValue? {
        guard op == "==" || op == "!=", let equal = Self.staticEqual(lhs, rhs) else { return nil }
        return .bool(equal == (op == "=="))
    }

    /// Whether two static values are equal; nil when either is a number or a tensor compared
    /// with something other than None (those compare elementwise).
    private static func staticEqual(_ lhs: EvalValue, _ rhs: EvalValue) -> Bool? {
        switch (lhs, rhs) {
        case (.none, .none): return true
        case (.none, _), (_, .none): return false
        case (.dtype(let a), .dtype(let b)): return a == b
        case (.device(let a), .device(let b)): return a == b
        default: break
        }
        guard let a = lhs.sequenceItems, let b = rhs.sequenceItems else { return nil }
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where !itemEqual(x, y) { return false }
        return true
    }

    /// One element of a compared sequence: numbers by value (`2 == 2.0`), Bools, strings and
    /// nested sequences structurally; anything else is unequal.
    private static func itemEqual(_ x: EvalValue, _ y: EvalValue) -> Bool {
        switch (x, y) {
        case (.int(let a), .int(let b)): return a == b
        case (.int(let a), .float(let b)), (.float(let b), .int(let a)): return Double(a) == b
        case (.float(let a), .float(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        default: return staticEqual(x, y) ?? false
        }
    }
}
