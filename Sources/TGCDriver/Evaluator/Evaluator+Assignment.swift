import TGCBase
import TGCCore
import TGCSyntax

extension Evaluator {
    /// `x = v`, `x op= v`, `x.requiresGrad = b`, `x.grad = g`.
    func assign(_ target: Expr, op: String, value valueExpr: Expr, at location: SourceLocation) throws {
        guard let resolved = AssignmentTarget(target) else {
            throw Diagnostic("cannot assign to this expression", at: target.location)
        }
        switch resolved {
        case .variable(let name):
            var value = try evaluate(valueExpr)
            if op != "=" {
                let current = try lookupVariable(name, at: target.location)
                value = try compoundAssign(name, current, op: op, value, at: location)
                // An update in place of a leaf (`p -= lr * p.grad!` under noGrad) has reached every
                // holder, a `let` one too (`for p in model.parameters()`), as PyTorch's `-=` does.
                if case .tensor(let tensor) = current, tensor.leafKey != nil, tensor.requiresGrad { return }
            }
            try assignVariable(name, value, at: target.location)
        case .subscriptAccess(let baseExpr, let arguments):
            try assignSubscript(baseExpr, arguments, op: op, value: valueExpr, at: location)
        case .property(let ownerExpr, let name):
            try assignProperty(ownerExpr, name, op: op, value: valueExpr, at: location)
        case .requiresGrad(let ownerExpr):
            guard op == "=" else { throw Diagnostic("use '=' to set requiresGrad", at: location) }
            guard case .tensor(let tensor) = try evaluate(ownerExpr) else {
                throw Diagnostic("requiresGrad can only be set on a tensor", at: target.location)
            }
            guard case .bool(let flag) = try evaluate(valueExpr) else {
                throw Diagnostic("requiresGrad must be set to true or false", at: valueExpr.location)
            }
            _ = try setRequiresGrad(ownerExpr, tensor, flag, at: location)
        case .grad(let ownerExpr):
            guard op == "=" || op == "+=" || op == "-=" || op == "*=" || op == "/=" else {
                throw Diagnostic("unsupported assignment to .grad", at: location)
            }
            guard case .tensor(let leaf) = try evaluate(ownerExpr) else {
                throw Diagnostic(".grad can only be set on a tensor", at: target.location)
            }
            guard let key = leaf.leafKey ?? leaf.retainKey else {
                if case .nilLiteral = valueExpr.kind, op == "=" { return }   // a tensor that keeps no gradient: already None
                throw Diagnostic(".grad can only be set on a leaf tensor that requires grad, or on a value that called retainGrad()", at: target.location)
            }
            if case .nilLiteral = valueExpr.kind, op == "=" {   // `w.grad = nil`: PyTorch's `w.grad = None`
                return try zeroGradients(of: [key], at: location)
            }
            var value = try asTensor(try evaluate(valueExpr), dtype: leafTypes[key]?.dtype ?? .float32, at: valueExpr.location)
            if op != "=" {
                guard let current = presentGradient(key) else {
                    throw Diagnostic("\(Self.describe(ownerExpr)).grad is nil: call backward() first", at: target.location)
                }
                value = try withoutGrad { try record(Self.compoundKinds[op]!, [TensorValue(id: current), value], gradFunction: nil, at: location) }
            }
            let type = leafTypes[key]!
            guard builder.type(of: value.id).shape == type.shape else {
                throw Diagnostic("assigned gradient has shape \(formatShape(builder.type(of: value.id).shape)), but the tensor has shape \(formatShape(type.shape))", at: location)
            }
            gradSlots[key] = try builder.cast(value.id, to: leafTypes[key]?.dtype ?? .float32, at: location)
            noneGradients[key] = nil
        }
    }

    static let compoundKinds: [String: OpKind] = ["+=": .add, "-=": .sub, "*=": .mul, "/=": .div, "%=": .mod]

    /// An in-place update (`w -= lr * w.grad`), by `storeInPlace`'s rules: on a leaf that
    /// requires grad only under noGrad, and the tensor stays the same leaf.
    private func compoundAssign(_ name: String, _ current: EvalValue, op: String, _ value: EvalValue,
                                at location: SourceLocation) throws -> EvalValue {
        guard let kind = Self.compoundKinds[op] else { throw Diagnostic("unsupported operator '\(op)'", at: location) }
        guard case .tensor(let tensor) = current else {
            return try binaryOperator(String(op.dropLast()), current, value, at: location)
        }
        if tensor.isHostScalar, case .tensor(let operand) = value, !operand.isHostScalar {
            // A Python number plus a tensor is a tensor (`correct += (pred == y).sum()`), the
            // variable rebound to it, as Python's `+=` on an int does; in a loop only where
            // that keeps the carried dtype (`total += loss` with `var total = 0.0` stays a
            // float64 number: the loop's value cannot change dtype after its first iteration).
            let result = try binaryOperator(String(op.dropLast()), current, value, at: location)
            if case .tensor(let rebound) = result,
               loopBodyDepth == 0 || builder.type(of: rebound.id).dtype == builder.type(of: tensor.id).dtype {
                return result
            }
        }
        let updated = try tensorOp(kind, [current, value], at: location)
        return .tensor(try storeInPlace(updated, into: Expr(.identifier(name), at: location), current: tensor, what: "'\(op)'", at: location))
    }

    func lookupVariable(_ name: String, at location: SourceLocation) throws -> EvalValue {
        guard let binding = environment.lookup(name) else { throw Diagnostic("cannot find '\(name)' in scope", at: location) }
        try Self.requireAssigned(binding, name, at: location)
        return binding.value
    }

    /// Swift's message for a variable declared without a value and read before its first assignment.
    static func requireAssigned(_ binding: Binding, _ name: String, at location: SourceLocation) throws {
        guard binding.isAssigned else {
            throw Diagnostic("\(binding.isMutable ? "variable" : "constant") '\(name)' used before being initialized", at: location,
                             notes: ["note: '\(name)' is declared here without a value, at line \(binding.location.line)"])
        }
    }

    /// `updated` becomes the next version of leaf `key` (an update in place under noGrad:
    /// `w -= lr * w.grad`, `w[0] = 0`), logged so loops and branches see the leaf change.
    func markInPlaceLeafUpdate(_ updated: inout TensorValue, of key: Int) {
        updated.leafKey = key
        updated.leaves = [key: updated.id]
        updated.blockedBy = nil
        inPlaceLeafUpdates.append(key)
        leafVersions.insert(updated.id)
    }

    func assignVariable(_ name: String, _ value: EvalValue, at location: SourceLocation) throws {
        guard let binding = environment.lookup(name) else { throw Diagnostic("cannot find '\(name)' in scope", at: location) }
        guard binding.isMutable || !binding.isAssigned else {   // a `let` takes its first value once
            throw Diagnostic("cannot assign to value: '\(name)' is a 'let' constant", at: location, notes: ["note: change 'let' to 'var' to make it mutable"])
        }
        environment.assign(name, value)
    }

    /// `x.requiresGrad = true` makes a leaf; only float tensors without history can be leaves.
    /// `x.requiresGrad = flag` and `x.requiresGrad_(flag)` on the tensor `ownerExpr` names: the
    /// variable, or the module parameter wherever it is held, changed; the new tensor.
    func setRequiresGrad(_ ownerExpr: Expr, _ tensor: TensorValue, _ flag: Bool, at location: SourceLocation) throws -> TensorValue {
        var updated = try settingRequiresGrad(tensor, flag, at: location)
        if tensor.isParameter {
            // A module's parameter (`for p in model.fc1.parameters() { p.requiresGrad = false }`,
            // freezing it): the same tensor everywhere it is held, as in PyTorch.
            updated.isParameter = true
            replaceTensor(tensor.id, with: updated)
        } else if case .identifier(let name) = ownerExpr.kind {
            // A tensor is an object, so a `let` one may change this flag, as a Swift class
            // instance's property may change (`let x = tensor(...); x.requiresGrad_()`).
            guard environment.assign(name, .tensor(updated)) else { throw Diagnostic("cannot find '\(name)' in scope", at: ownerExpr.location) }
        }
        // Otherwise a temporary (`(x * 2).requiresGrad_()`): the new leaf is the result.
        return updated
    }

    func settingRequiresGrad(_ tensor: TensorValue, _ flag: Bool, at location: SourceLocation) throws -> TensorValue {
        var result = tensor
        if !flag {
            guard tensor.isLeaf else {
                throw Diagnostic("requiresGrad can only be changed on leaf tensors; use detach() for a value computed from others", at: location)
            }
            result.frozenLeafKey = tensor.leafKey ?? tensor.frozenLeafKey
            result.leafKey = nil
            result.leaves = [:]
            return result
        }
        if tensor.requiresGrad && tensor.leafKey != nil { return tensor }
        guard tensor.isLeaf else {
            throw Diagnostic("requiresGrad can only be changed on leaf tensors", at: location)
        }
        let type = builder.type(of: tensor.id)
        guard type.dtype.isFloatingPoint else {
            throw Diagnostic("only floating-point tensors can require gradients, this one is \(type.dtype)", at: location)
        }
        let key = tensor.frozenLeafKey.flatMap { leafTypes[$0] == type ? $0 : nil } ?? leafTypes.count
        leafTypes[key] = type
        result.frozenLeafKey = nil
        result.leafKey = key
        result.leaves = [key: tensor.id]
        leafVersions.insert(tensor.id)
        result.isHostScalar = false
        result.blockedBy = nil
        return result
    }

    /// Runs `body` with autograd recording off.
    func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
        let saved = gradEnabled
        gradEnabled = false
        defer { gradEnabled = saved }
        return try body()
    }

    /// A short source-like description of an expression for messages (`w`, `model.w`).
    static func describe(_ expr: Expr) -> String {
        switch expr.kind {
        case .identifier(let name): name
        case .member(let base, let name): describe(base) + "." + name
        default: "the tensor"
        }
    }
}

/// What an assignment writes, resolved from its target expression: a variable, or one of the
/// assignable members of a tensor. A member of a structured value (`model.fc1.weight = w`)
/// would be one more case here: the root variable and the member path below it, written back
/// by rebuilding the root's value along the path (and MutationScan already records the root).
enum AssignmentTarget {
    case variable(String)
    /// `x.requiresGrad = flag`.
    case requiresGrad(owner: Expr)
    /// `x.grad = g`, `x.grad += g`.
    case grad(owner: Expr)
    /// `y[0] = v`, `y[..., 1] += 1`: y becomes sliceUpdate(y, v).
    case subscriptAccess(base: Expr, arguments: [Argument])
    /// `model.fc1.weight = w`: a field of a module; `self.fc1 = ...` in an `init`.
    case property(owner: Expr, name: String)

    /// nil for an expression that cannot be assigned to.
    init?(_ expr: Expr) {
        switch expr.kind {
        case .forceUnwrap(let inner): self.init(inner)   // `d["a"]! += 1`: the optional's value itself
        case .identifier(let name): self = .variable(name)
        case .member(let owner, "requiresGrad"): self = .requiresGrad(owner: owner)
        case .member(let owner, "grad"): self = .grad(owner: owner)
        case .subscriptAccess(let base, let arguments): self = .subscriptAccess(base: base, arguments: arguments)
        case .member(let owner, let name): self = .property(owner: owner, name: name)
        default: return nil
        }
    }
}
