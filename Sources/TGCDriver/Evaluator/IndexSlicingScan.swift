import TGCSyntax

/// Finds whether a loop body slices with a range computed from the loop's index
/// (`x[i * batch ..< (i + 1) * batch]`, also through `let start = i * batch`), or indexes an
/// array known at compile time with it (`classes[i]`): such a slice has a shape, and such an
/// item a value, only a compile-time index gives (PyTorch's last slice may be shorter), so
/// the loop is unrolled rather than one IR loop.
struct IndexSlicingScan {
    /// The loop variables and the names computed from them so far.
    private var derived: Set<String>
    /// Whether a name holds an array (or another sequence) known at compile time.
    private let isStaticArray: (String) -> Bool

    init(index: [String], isStaticArray: @escaping (String) -> Bool) {
        derived = Set(index)
        self.isStaticArray = isStaticArray
    }

    /// Whether `statements` slice by a range that reads the index.
    mutating func slices(_ statements: [Stmt]) -> Bool {
        statements.contains { slices($0) }
    }

    private mutating func slices(_ statement: Stmt) -> Bool {
        switch statement.kind {
        case .binding(_, let pattern, _, let value?):
            if mentionsDerived(value) { derived.formUnion(MutationScan.boundNames(pattern)) }
            return slicesByIndex(value)
        case .binding(_, _, _, nil), .function, .structDecl, .returnValue(nil), .breakLoop, .continueLoop:
            return false
        case .assignment(let target, _, let value):
            if case .identifier(let name) = target.kind, mentionsDerived(value) { derived.insert(name) }
            return slicesByIndex(target) || slicesByIndex(value)
        case .expression(let expr), .returnValue(let expr?):
            return slicesByIndex(expr)
        case .forIn(_, let sequence, let body):
            return slicesByIndex(sequence) || slices(body)
        case .whileLoop(let condition, let body):
            return slicesByIndex(condition) || slices(body)
        case .ifElse(let condition, let then, let elseBody):
            return slicesByIndex(condition) || slices(then) || slices(elseBody ?? [])
        }
    }

    private func mentionsDerived(_ expr: Expr) -> Bool {
        var scan = MutationScan(lookupFunction: { _ in nil })
        scan.visit(expr)
        return !scan.mentioned.isDisjoint(with: derived)
    }

    /// Whether `expr` holds a subscript whose range argument reads the index.
    private func slicesByIndex(_ expr: Expr) -> Bool {
        if case .subscriptAccess(let base, let arguments) = expr.kind {
            if case .identifier(let name) = base.kind, isStaticArray(name), arguments.contains(where: { mentionsDerived($0.value) }) {
                return true
            }
            for argument in arguments {
                switch argument.value.kind {
                case .binary(let op, let lower, let upper) where op == "..<" || op == "...":
                    if mentionsDerived(lower) || mentionsDerived(upper) { return true }
                case .partialRange(_, let lower, let upper):
                    if [lower, upper].contains(where: { $0.map(mentionsDerived) ?? false }) { return true }
                default: break
                }
            }
        }
        return Self.children(of: expr).contains { slicesByIndex($0) }
    }

    private static func children(of expr: Expr) -> [Expr] {
        switch expr.kind {
        case .intLiteral, .floatLiteral, .boolLiteral, .nilLiteral, .identifier, .implicitMember: []
        case .stringLiteral(let parts):
            parts.flatMap { part -> [Expr] in if case .interpolation(let arguments) = part { arguments.map(\.value) } else { [] } }
        case .arrayLiteral(let items), .tuple(let items): items
        case .dictionaryLiteral(let entries): entries.flatMap { [$0.key, $0.value] }
        case .unary(_, let operand), .member(let operand, _), .forceUnwrap(let operand): [operand]
        case .binary(_, let lhs, let rhs): [lhs, rhs]
        case .call(let callee, let arguments, let closure):
            [callee] + arguments.map(\.value) + (closure.map { closureExpressions($0.body) } ?? [])
        case .subscriptAccess(let base, let arguments): [base] + arguments.map(\.value)
        case .partialRange(_, let lower, let upper): [lower, upper].compactMap { $0 }
        case .closure(let closure): closureExpressions(closure.body)
        case .ternary(let condition, let then, let otherwise): [condition, then, otherwise]
        }
    }

    /// The expressions of a closure's statements (`noGrad { ... }`), for the subscripts in them.
    private static func closureExpressions(_ statements: [Stmt]) -> [Expr] {
        statements.flatMap { statement -> [Expr] in
            switch statement.kind {
            case .binding(_, _, _, let value): value.map { [$0] } ?? []
            case .assignment(let target, _, let value): [target, value]
            case .expression(let expr): [expr]
            case .returnValue(let expr): expr.map { [$0] } ?? []
            case .forIn(_, let sequence, let body): [sequence] + closureExpressions(body)
            case .whileLoop(let condition, let body): [condition] + closureExpressions(body)
            case .ifElse(let condition, let then, let elseBody): [condition] + closureExpressions(then + (elseBody ?? []))
            case .function, .structDecl, .breakLoop, .continueLoop: []
            }
        }
    }
}
