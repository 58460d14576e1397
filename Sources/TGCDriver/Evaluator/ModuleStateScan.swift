import TGCBase
import TGCSyntax

/// Finds whether a loop body changes what a compiled loop keeps the same in every iteration: a
/// tensor's requiresGrad (`if epoch == 2 { fc.weight.requiresGrad = false }`, freezing), a
/// module's training mode under an `if` (`if epoch == 0 { model.eval() }`), or a module's
/// number property (`net.temperature *= 0.5`). Such a loop is unrolled, its index a
/// compile-time Int in each copy, so that each change holds from the iteration that makes it.
struct ModuleStateScan {
    /// Whether an expression names a module (`net`, `model.fc1`), found without evaluating it.
    let isModule: (Expr) -> Bool
    /// Whether a module's property holds a number (`net.temperature`).
    let holdsNumber: (Expr, String) -> Bool

    /// LoopExits' `if !stopped` guards around bodies that settle their modes before their
    /// exits: what they hold counts as unconditional.
    let settledGuards: Set<SourceLocation>

    init(isModule: @escaping (Expr) -> Bool, holdsNumber: @escaping (Expr, String) -> Bool, settledGuards: Set<SourceLocation> = []) {
        self.isModule = isModule
        self.holdsNumber = holdsNumber
        self.settledGuards = settledGuards
    }

    /// Whether a loop body left by `break`/`continue` switches modes (`train()`, `eval()`) only
    /// unconditionally and before its first exit, and changes nothing else a compiled loop keeps:
    /// `model.train(); ...; model.eval(); if worse { break }` ends every iteration in the same
    /// modes wherever it stops.
    func settlesModesBeforeExits(_ body: [Stmt]) -> Bool {
        guard !changes(body), let firstExit = body.firstIndex(where: { LoopExits.exits([$0]) }) else { return false }
        return !body[firstExit...].contains { changes($0, conditional: true) }
    }

    /// Whether `statements` (a loop's body) make such a change. An unconditional
    /// `x.requiresGrad = ...` on a tensor the body makes (`let x = ...`) changes nothing that
    /// outlives an iteration.
    func changes(_ statements: [Stmt]) -> Bool {
        var scan = self
        scan.madeInside = Self.boundNames(statements)
        return statements.contains { scan.changes($0, conditional: false) }
    }

    /// The names the body binds (fresh each iteration).
    private var madeInside: Set<String> = []

    private static func boundNames(_ statements: [Stmt]) -> Set<String> {
        var names: Set<String> = []
        for statement in statements {
            switch statement.kind {
            case .binding(_, let pattern, _, _): names.formUnion(MutationScan.boundNames(pattern))
            case .forIn(_, _, let body), .whileLoop(_, let body): names.formUnion(boundNames(body))
            case .ifElse(_, let then, let elseBody): names.formUnion(boundNames(then + (elseBody ?? [])))
            default: break
            }
        }
        return names
    }


    /// Whether the branches of an `if` on a run-time value make such a change, or replace any
    /// module property (`fc.bias = tensor(...)`): compiled, a module's fields and flags are
    /// compile-time state, which a branch taken only at run time cannot change.
    func changesUnderCondition(_ statements: [Stmt]) -> Bool {
        statements.contains { changes($0, conditional: true, anyField: true) }
    }

    private func changes(_ statement: Stmt, conditional: Bool, anyField: Bool = false) -> Bool {
        switch statement.kind {
        case .assignment(let target, _, let value):
            switch AssignmentTarget(target) {
            case .requiresGrad(let owner)?: return conditional || MutationScan.rootName(owner).map { !madeInside.contains($0) } ?? true
            case .property(let owner, let name)? where holdsNumber(owner, name) || (anyField && isModule(owner)): return true
            default: return switchesMode(value, conditional: conditional)
            }
        case .expression(let expr), .returnValue(let expr?), .binding(_, _, _, let expr?):
            return switchesMode(expr, conditional: conditional)
        case .forIn(_, _, let body), .whileLoop(_, let body):
            return body.contains { changes($0, conditional: conditional, anyField: anyField) }
        case .ifElse(_, let then, let elseBody):
            let guarded = settledGuards.contains(statement.location) && elseBody == nil
            return (then + (elseBody ?? [])).contains { changes($0, conditional: guarded ? conditional : true, anyField: anyField) }
        case .binding, .function, .structDecl, .returnValue(nil), .breakLoop, .continueLoop:
            return false
        }
    }

    /// `x.requiresGrad_(...)` anywhere in `expr`, or `m.train()` / `m.eval()` under an `if`.
    private func switchesMode(_ expr: Expr, conditional: Bool) -> Bool {
        switch expr.kind {
        case .call(let callee, let arguments, _):
            if case .member(let base, let name) = callee.kind {
                if name == "requiresGrad_" { return true }
                if conditional, name == "train" || name == "eval", isModule(base) { return true }
                if switchesMode(base, conditional: conditional) { return true }
            }
            return arguments.contains { switchesMode($0.value, conditional: conditional) }
        case .member(let base, _), .forceUnwrap(let base):
            return switchesMode(base, conditional: conditional)
        case .binary(_, let lhs, let rhs):
            return switchesMode(lhs, conditional: conditional) || switchesMode(rhs, conditional: conditional)
        case .unary(_, let operand):
            return switchesMode(operand, conditional: conditional)
        case .ternary(let condition, let then, let other):
            return [condition, then, other].contains { switchesMode($0, conditional: true) }
        default:
            return false
        }
    }
}
