import TGCBase
import TGCSyntax

/// `break` and `continue` as flags, so that a loop left on a run-time condition (early
/// stopping: `if loss.item() < 0.01 { break }`) is still one loop of a fixed trip count in the
/// IR: `for ... { A; if c { break }; B }` runs as
/// `var stopped = false; for ... { if !stopped { A; if c { stopped = true }; if !stopped { B } } }`,
/// the flags being variables that `if` on a tensor already carries; iterations after the exit
/// do nothing. Python's semantics: `break` leaves the innermost loop, `continue` goes to its next
/// iteration, and a `while` condition is not evaluated again after a `break`.
struct LoopExits {
    /// The flags' names, which no program can spell (they hold spaces), numbered per loop.
    let stopped: String
    let skipped: String
    /// Whether the body has a `continue` (and so a `skipped` flag, reset every iteration).
    let continues: Bool

    init(loop number: Int, body: [Stmt]) {
        stopped = "loop \(number) stopped"
        skipped = "loop \(number) skipped"
        continues = Self.contains(body) { $0 == .continueLoop }
    }

    /// Whether `body` leaves its own loop: a `break` or `continue` not inside a nested loop or function.
    static func exits(_ body: [Stmt]) -> Bool { contains(body) { $0 == .breakLoop || $0 == .continueLoop } }

    /// Whether `body` has a jump of its own loop (`jump` says which) at any depth of its `if`s.
    private static func contains(_ body: [Stmt], _ jump: (Jump) -> Bool) -> Bool {
        body.contains { statement in
            switch statement.kind {
            case .breakLoop: jump(.breakLoop)
            case .continueLoop: jump(.continueLoop)
            case .ifElse(_, let then, let elseBody): contains(then, jump) || contains(elseBody ?? [], jump)
            default: false
            }
        }
    }

    private enum Jump { case breakLoop, continueLoop }

    /// Whether every exit of `body` is decided by `names` (a `for` loop's index) and literals
    /// alone (`if i >= 3 { break }`): unrolled, each copy knows whether it runs, so nothing
    /// of the loop hangs on a run-time flag (values carried out of it stay differentiable).
    static func exitsDecidedBy(_ names: Set<String>, _ body: [Stmt]) -> Bool {
        func decided(_ expr: Expr) -> Bool {
            switch expr.kind {
            case .identifier(let name): names.contains(name)
            case .intLiteral, .floatLiteral, .boolLiteral: true
            case .unary(_, let operand): decided(operand)
            case .binary(_, let lhs, let rhs): decided(lhs) && decided(rhs)
            case .tuple(let items): items.allSatisfy(decided)
            default: false
            }
        }
        return body.allSatisfy { statement in
            guard case .ifElse(let condition, let then, let elseBody) = statement.kind, exits([statement]) else { return true }
            return decided(condition) && exitsDecidedBy(names, then) && exitsDecidedBy(names, elseBody ?? [])
        }
    }

    /// Whether `condition` is the guard of what runs until a loop stops (`!stopped`, with
    /// `&& !skipped`): no program can spell its flags.
    static func isGuard(_ condition: Expr) -> Bool {
        switch condition.kind {
        case .unary("!", let flag):
            if case .identifier(let name) = flag.kind { name.hasPrefix("loop ") && (name.hasSuffix(" stopped") || name.hasSuffix(" skipped")) } else { false }
        case .binary("&&", let lhs, let rhs): isGuard(lhs) && isGuard(rhs)
        default: false
        }
    }

    /// `var stopped = false`, declared before the loop.
    func declaration(at location: SourceLocation) -> Stmt {
        Stmt(.binding(isMutable: true, pattern: .name(stopped, location), type: nil, value: Expr(.boolLiteral(false), at: location)), at: location)
    }

    /// `stopped = !condition` (a bool), or with `guarded`,
    /// `if !stopped { if condition {} else { stopped = true } }` (any one-element tensor, as
    /// Python's truth value): a run-time `while` loop's condition, before the first iteration
    /// and after each one.
    func stop(unless condition: Expr, guarded: Bool = false) -> Stmt {
        let location = condition.location
        guard guarded else {
            let negated = Expr(.unary(op: "!", operand: condition), at: location)
            return Stmt(.assignment(target: Expr(.identifier(stopped), at: location), op: "=", value: negated), at: location)
        }
        let check = Stmt(.ifElse(condition: condition, then: [], elseBody: [set(stopped, at: location)]), at: location)
        return Stmt(.ifElse(condition: not(stopped, at: location), then: [check], elseBody: nil), at: location)
    }

    /// A `while` loop's condition: not evaluated again once the loop has stopped.
    func whileCondition(_ condition: Expr) -> Expr {
        Expr(.binary(op: "&&", lhs: not(stopped, at: condition.location), rhs: condition), at: condition.location)
    }

    /// The loop body: `var skipped = false` (when it has a `continue`), then the body guarded
    /// by `if !stopped`, each exit an assignment to its flag and what follows an exit guarded again.
    func body(_ statements: [Stmt], at location: SourceLocation) -> [Stmt] {
        var prefix: [Stmt] = []
        if continues {
            prefix.append(Stmt(.binding(isMutable: true, pattern: .name(skipped, location), type: nil,
                                        value: Expr(.boolLiteral(false), at: location)), at: location))
        }
        return prefix + [Stmt(.ifElse(condition: not(stopped, at: location), then: guarded(statements[...]), elseBody: nil), at: location)]
    }


    private func guarded(_ statements: ArraySlice<Stmt>) -> [Stmt] {
        var result: [Stmt] = []
        for (offset, statement) in zip(statements.indices, statements) {
            let location = statement.location
            switch statement.kind {
            case .breakLoop:
                return result + [set(stopped, at: location)]   // what follows is unreachable
            case .continueLoop:
                return result + [set(skipped, at: location)]
            case .ifElse(let condition, let then, let elseBody) where Self.exits([statement]):
                result.append(Stmt(.ifElse(condition: condition, then: guarded(then[...]), elseBody: elseBody.map { guarded($0[...]) }), at: location))
                let rest = statements[(offset + 1)...]
                guard let first = rest.first else { return result }
                return result + [Stmt(.ifElse(condition: stillRunning(at: first.location), then: guarded(rest), elseBody: nil), at: first.location)]
            default:
                result.append(statement)
            }
        }
        return result
    }

    /// `!stopped && !skipped` (`!stopped` alone in a loop without `continue`).
    private func stillRunning(at location: SourceLocation) -> Expr {
        guard continues else { return not(stopped, at: location) }
        return Expr(.binary(op: "&&", lhs: not(stopped, at: location), rhs: not(skipped, at: location)), at: location)
    }

    private func not(_ flag: String, at location: SourceLocation) -> Expr {
        Expr(.unary(op: "!", operand: Expr(.identifier(flag), at: location)), at: location)
    }

    private func set(_ flag: String, at location: SourceLocation) -> Stmt {
        Stmt(.assignment(target: Expr(.identifier(flag), at: location), op: "=", value: Expr(.boolLiteral(true), at: location)), at: location)
    }
}
