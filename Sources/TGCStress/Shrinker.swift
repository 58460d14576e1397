/// Shrinks a failing generated unit: repeatedly tries smaller variants (a statement removed
/// with everything that uses what it defines, an op replaced by one of its operands of the
/// same type, a loop run once, a branch replaced by one side) and keeps the first that still
/// fails, until none does or the budget of attempts is spent.
struct Shrinker {
    var attempts: Int

    mutating func shrink(_ unit: GenUnit, stillFails: (GenUnit) -> Bool) -> GenUnit {
        var current = unit
        var progress = true
        while progress && attempts > 0 {
            progress = false
            for candidate in Self.candidates(current.statements) where attempts > 0 {
                attempts -= 1
                var smaller = current
                smaller.statements = candidate
                if stillFails(smaller) {
                    current = smaller
                    progress = true
                    break
                }
            }
        }
        return current
    }

    /// Every one-step simplification of `statements`, most drastic first.
    static func candidates(_ statements: [GenStatement]) -> [[GenStatement]] {
        var result: [[GenStatement]] = []
        for (index, statement) in statements.enumerated() {
            if case .seed = statement { continue }
            result.append(removing(at: index, from: statements))
        }
        for (index, statement) in statements.enumerated() {
            for replacement in simplifications(of: statement) {
                var copy = statements
                copy.replaceSubrange(index...index, with: replacement)
                result.append(copy)
            }
        }
        return result
    }

    /// `statements` without the one at `index` and every later statement that (transitively)
    /// uses a name it defines or assigns.
    static func removing(at index: Int, from statements: [GenStatement]) -> [GenStatement] {
        var dead = Set(statements[index].defines)
        if case .assign(let name, _, _) = statements[index] { dead.insert(name) }
        var kept = Array(statements[..<index])
        for statement in statements[(index + 1)...] {
            if statement.uses.isDisjoint(with: dead) {
                kept.append(statement)
            } else {
                dead.formUnion(statement.defines)
            }
        }
        return kept
    }

    /// Smaller forms of one statement (each a list, so a loop can become its body).
    static func simplifications(of statement: GenStatement) -> [[GenStatement]] {
        switch statement {
        case .bind(let name, let value, let mutable):
            return smallerExpressions(value).map { [.bind(name, $0, mutable: mutable)] }
        case .assign(let name, let value, _):
            return smallerExpressions(value).map { [.assign(name, $0, spelling: nil)] }
        case .loop(let index, let count, let body):
            var result: [[GenStatement]] = []
            if count > 1 { result.append([.loop(index: index, count: 1, body: body)]) }
            result += candidates(body).map { [.loop(index: index, count: count, body: $0)] }
            return result
        case .branch(let condition, let then, let otherwise):
            return [then, otherwise] + candidates(then).map { [.branch(condition, then: $0, else: otherwise)] }
                + candidates(otherwise).map { [.branch(condition, then: then, else: $0)] }
        default:
            return []
        }
    }

    /// `expr` with one op replaced by one of its operands of the same type (an op deleted).
    static func smallerExpressions(_ expr: GenExpr) -> [GenExpr] {
        guard case .apply(let op, let operands, let type) = expr else { return [] }
        var result = operands.filter { $0.type == type }
        for (index, operand) in operands.enumerated() {
            for smaller in smallerExpressions(operand) {
                var copy = operands
                copy[index] = smaller
                result.append(.apply(op, copy, type))
            }
        }
        return result
    }
}
