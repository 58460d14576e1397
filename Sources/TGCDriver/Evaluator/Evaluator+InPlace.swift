import TGCBase
import TGCCore
import TGCSyntax

/// PyTorch's in-place methods and `.data`: `x.add_(y)` (any tensor method `m` as `m_`),
/// `w.grad.zero_()`, `x.fill_(v)`, `x.copy_(src)`, `w.normal_(mean, std)`, `w.uniform_(a, b)`,
/// and `p.data` (the value cut off from autograd, through which `p.data.mul_(0.5)` updates the
/// parameter without recording it). Each writes the receiver's new value back where the
/// receiver lives: a variable, a leaf's `.grad`, or a module's parameter or buffer.
extension Evaluator {
    /// Whether `name` spells an in-place method (`add_`), which MutationScan treats as an
    /// update of its receiver.
    static func isInPlaceMethod(_ name: String) -> Bool {
        name.count > 1 && name.hasSuffix("_") && BuiltinRegistry.mutatingMethods[name] == nil
    }

    /// `receiver.name(arguments)` for an in-place `name`; the receiver afterwards.
    func callInPlaceMethod(_ name: String, receiver: Expr, _ tensor: TensorValue, _ arguments: [Argument],
                           at location: SourceLocation) throws -> EvalValue {
        let method = String(name.dropLast())
        var site = try callSite(name, arguments, at: location)
        let type = builder.type(of: tensor.id)
        let updated: TensorValue
        switch method {
        case "zero":
            try site.bind([])
            updated = try overwriting(tensor, with: .float(0), gradFunction: "ZeroBackward0",
                                      plain: TensorValue(id: try builder.full(type.shape, 0, type.dtype, at: location)), at: location)
        case "fill":
            try site.bind([.unlabeled("value")])
            updated = try overwriting(tensor, with: site.value("value")!, gradFunction: "FillBackward2",
                                      plain: try broadcastValue(site.value("value")!, like: tensor, at: site.location("value")), at: location)
        case "copy":
            try site.bind([.unlabeled("src")])
            updated = try overwriting(tensor, with: site.value("src")!, gradFunction: "CopyBackwards",
                                      plain: try broadcastValue(site.value("src")!, like: tensor, at: site.location("src")), at: location)
        case "normal", "uniform":
            let isNormal = method == "normal"
            try site.bind(isNormal ? [.unlabeled("mean", optional: true), .unlabeled("std", optional: true)]
                                   : [.unlabeled("from", optional: true), .unlabeled("to", optional: true)])
            let (first, second) = isNormal ? ("mean", "std") : ("from", "to")
            let a = try site.value(first).map { try staticDouble($0, what: first, at: site.location(first)) } ?? 0
            let b = try site.value(second).map { try staticDouble($0, what: second, at: site.location(second)) } ?? 1
            var attrs = Attributes()
            attrs.shape = type.shape
            attrs.dtype = type.dtype.isFloatingPoint ? type.dtype : .float32
            let draws = try builder.apply1(isNormal ? .randNormal : .randUniform, [], attrs, at: location)
            // normal: mean + std · z; uniform: from + (to − from) · u, as PyTorch's.
            let (scale, shift) = isNormal ? (b, a) : (b - a, a)
            let scaled = try builder.apply1(.mul, [draws, try builder.scalar(scale, attrs.dtype!, at: location)], at: location)
            updated = TensorValue(id: try builder.apply1(.add, [scaled, try builder.scalar(shift, attrs.dtype!, at: location)], at: location))
        default:
            guard let entry = BuiltinRegistry.methods[method] else {
                throw Diagnostic("value of type Tensor has no method '\(name)'", at: location)
            }
            guard case .tensor(let result) = try entry.call(self, on: tensor, site) else {
                throw Diagnostic("'\(method)' does not return a tensor, so '\(name)' cannot update one in place", at: location)
            }
            updated = result
        }
        return .tensor(try storeInPlace(updated, into: receiver, current: tensor, what: "'\(name)'", at: location))
    }

    /// `x.data`: the value without autograd history (as `detach()`), sharing the receiver's place:
    /// an in-place method on it updates the receiver without recording the update.
    func dataView(of tensor: TensorValue, at location: SourceLocation) throws -> EvalValue {
        var result = TensorValue(id: try builder.apply1(.stopGradient, [tensor.id], at: location))
        result.isHostScalar = tensor.isHostScalar
        return .tensor(result)
    }

    /// The new value of `zero_()`, `fill_(v)` or `copy_(src)`: `plain` (no history), unless
    /// autograd records the update of a tensor that requires grad or from a source that does:
    /// then a select of the source over the old value, whose gradient is zero for the old value
    /// and the whole gradient for the source (PyTorch's ZeroBackward0, FillBackward2, CopyBackwards).
    private func overwriting(_ tensor: TensorValue, with source: EvalValue, gradFunction: String, plain: TensorValue,
                             at location: SourceLocation) throws -> TensorValue {
        let sourceRequiresGrad = if case .tensor(let t) = source { t.requiresGrad } else { false }
        let isLeafRequiringGrad = tensor.leafKey != nil && tensor.requiresGrad   // storeInPlace's rules apply
        guard gradEnabled, tensor.requiresGrad || sourceRequiresGrad, !isLeafRequiringGrad else { return plain }
        let type = builder.type(of: tensor.id)
        var value = source
        if case .tensor(let t) = source, builder.type(of: t.id).dtype != type.dtype {
            var cast = Attributes()
            cast.dtype = type.dtype
            value = .tensor(try record(.cast, [t], cast, gradFunction: nil, at: location))
        }
        let everywhere = TensorValue(id: try builder.full(type.shape, 1, .bool, at: location))
        return try tensorOp(.select, [.tensor(everywhere), value, .tensor(tensor)], gradFunction: gradFunction, at: location)
    }

    /// A number or tensor broadcast to `tensor`'s shape and cast to its dtype (`fill_`, `copy_`).
    private func broadcastValue(_ value: EvalValue, like tensor: TensorValue, at location: SourceLocation) throws -> TensorValue {
        let type = builder.type(of: tensor.id)
        let source = try asTensor(value, dtype: type.dtype, at: location)
        let shape = builder.type(of: source.id).shape
        guard ShapeRules.broadcasts(shape, to: type.shape) else {
            throw Diagnostic("the value of shape \(formatShape(shape)) cannot be broadcast to the tensor's shape \(formatShape(type.shape))", at: location)
        }
        return TensorValue(id: try builder.broadcast(try builder.cast(source.id, to: type.dtype, at: location), to: type.shape, at: location))
    }

    /// Writes `updated`, the new value of the tensor `target` names (`current` now), back in
    /// place, with PyTorch's rules: the shape stays, a result of a wider dtype is an error and a
    /// narrower one is cast back, and a leaf that requires grad stays the same leaf, updated only
    /// outside autograd (under `noGrad`, or through `.data`). The new value.
    @discardableResult
    func storeInPlace(_ updated: TensorValue, into target: Expr, current: TensorValue, what: String,
                      throughData: Bool = false, at location: SourceLocation) throws -> TensorValue {
        if case .forceUnwrap(let inner) = target.kind {   // `w.grad!.zero_()`
            return try storeInPlace(updated, into: inner, current: current, what: what, throughData: throughData, at: location)
        }
        let (before, after) = (builder.type(of: current.id), builder.type(of: updated.id))
        let name = Self.describe(target)
        guard before.shape == after.shape else {
            throw Diagnostic("in-place \(what) would change the shape of '\(name)' from \(formatShape(before.shape)) to \(formatShape(after.shape))", at: location)
        }
        guard after.dtype.castsInPlace(to: before.dtype) else {
            throw Diagnostic("in-place \(what) would store a \(after.dtype) result in '\(name)', whose dtype is \(before.dtype); assign a new \(after.dtype) tensor instead: \(name) = ...", at: location)
        }
        var value = updated
        value.id = try builder.cast(updated.id, to: before.dtype, at: location)
        value.isHostScalar = current.isHostScalar
        if case .member(let owner, "data") = target.kind {
            guard case .tensor(let held) = try evaluate(owner) else {
                throw Diagnostic("'.data' is a tensor's; '\(Self.describe(owner))' is not a tensor", at: owner.location)
            }
            return try withoutGrad { try storeInPlace(value, into: owner, current: held, what: what, throughData: true, at: location) }
        }
        if case .member(let owner, "grad") = target.kind {
            guard case .tensor(let leaf) = try evaluate(owner), let key = leaf.leafKey ?? leaf.retainKey else {
                throw Diagnostic("\(what) of a gradient needs a leaf tensor that requires grad, or a value that called retainGrad()", at: location)
            }
            gradSlots[key] = try builder.cast(value.id, to: leafTypes[key]?.dtype ?? .float32, at: location)
            noneGradients[key] = nil
            return value
        }
        if let key = current.leafKey, current.requiresGrad {
            guard !gradEnabled || throughData else {
                throw Diagnostic("a leaf tensor that requires grad ('\(name)') is being used in an in-place operation; wrap the update in noGrad { ... } or update '\(name).data'", at: location)
            }
            markInPlaceLeafUpdate(&value, of: key)
            value.isParameter = current.isParameter
            replaceLeaf(key, with: value)
            return value
        }
        switch target.kind {
        case .identifier(let variable):
            try assignVariable(variable, .tensor(value), at: target.location)
        case .member(let owner, let field):
            guard case .module(let module) = try evaluate(owner), let index = module.fields.firstIndex(where: { $0.name == field }) else {
                throw Diagnostic("in-place \(what) needs a variable, a module's tensor, x.grad or x.data to update", at: target.location)
            }
            module.fields[index].value = .tensor(value)
        case .subscriptAccess(let base, let arguments):   // `x[0].fill_(1)`: as `x[0] = ...`
            try assignSubscript(base, arguments, op: "=", value: .tensor(value), valueLocation: location, at: location)
        case .call(let callee, _, _):
            guard case .member(let receiver, let method) = callee.kind else {
                if case .identifier(let function) = callee.kind, Self.viewMethods.contains(function) {
                    throw Diagnostic("in-place \(what) of the result of '\(function)' would update its input through a view, which tgc does not model; update the tensor itself or assign the result", at: target.location)
                }
                return value   // `zeros(3).fill_(2)`: a new tensor that nothing else holds
            }
            if Self.isInPlaceMethod(method) || BuiltinRegistry.mutatingMethods[method] != nil {   // `x.add_(1).mul_(2)`: x again
                return try storeInPlace(value, into: receiver, current: current, what: what, throughData: throughData, at: location)
            }
            if Self.viewMethods.contains(method) {
                throw Diagnostic("in-place \(what) of the result of '\(method)' would update '\(Self.describe(receiver))' through a view, which tgc does not model; update '\(Self.describe(receiver))' itself or assign the result", at: target.location)
            }
            return value   // `x.clone().sub_(1)`: a new tensor
        case .binary, .unary:   // `(x * 2).add_(1)`
            return value
        default:
            throw Diagnostic("in-place \(what) needs a variable, a module's tensor, x.grad or x.data to update", at: target.location)
        }
        return value
    }

    /// Methods (and functions) whose PyTorch result may share its input's storage, so that an
    /// in-place update of the result changes the input: tgc's values do not alias, so such
    /// updates are errors rather than silently different.
    static let viewMethods: Set<String> = [
        "view", "viewAs", "reshape", "reshapeAs", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose", "t",
        "permute", "expand", "expandAs", "narrow", "select", "unbind", "split", "chunk", "diagonal", "detach",
        "contiguous", "to", "float", "double", "int", "long", "bool", "movedim", "swapaxes", "swapdims", "unfold",
    ]
}
