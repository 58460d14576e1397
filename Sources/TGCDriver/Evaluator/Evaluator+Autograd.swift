import TGCBase
import TGCCore
import TGCSyntax

extension Evaluator {
    /// `y.backward()` / `y.backward(gradient)`: accumulates d(y)/d(leaf) into each leaf's `.grad`
    /// (and each retained value's). `retainGraph` allows another backward() from `y`;
    /// `createGraph` gives the gradients history (it implies `retainGraph`, as in PyTorch).
    func backward(_ output: TensorValue, gradient: EvalValue?, retainGraph: Bool?, createGraph: Bool,
                  at location: SourceLocation) throws {
        let type = builder.type(of: output.id)
        guard output.isDifferentiable else {
            if output.historyThroughControlFlow, let (construct, where_) = output.blockedBy {
                let reason = construct == "loop"
                    ? "inside a loop, values carried from earlier iterations keep no history, and after it neither do values that depend on a leaf the loop updates"
                    : "after it, values that depend on a leaf updated inside it keep no history"
                throw Diagnostic("cannot differentiate through the \(construct) at \(where_.line):\(where_.column): \(reason); compute the loss and call backward() inside it", at: location)
            }
            if let (op, where_) = output.blockedBy {
                if op == "noGrad" {
                    throw Diagnostic("this value was computed inside noGrad { } (at \(where_.line):\(where_.column)), so it does not require grad and backward() has nothing to do", at: location)
                }
                throw Diagnostic("this value does not require grad: '\(op)' at \(where_.line):\(where_.column) has no derivative, so no gradient can flow back through it", at: location)
            }
            throw Diagnostic("this value does not require grad: it was not computed from a tensor created with requiresGrad: true", at: location)
        }
        guard !spentGraphs.contains(output.id) else {
            throw Diagnostic("backward() through the same graph a second time: the graph is freed after the first backward(), as in PyTorch; call the first one as backward(retainGraph: true), or compute the value again", at: location)
        }
        if !(retainGraph ?? createGraph) { spentGraphs.insert(output.id) }
        var seed: ValueID? = nil
        if let gradient {
            let g = try asTensor(gradient, dtype: .float32, at: location)
            guard builder.type(of: g.id).shape == type.shape else {
                throw Diagnostic("backward(gradient) needs a gradient of shape \(formatShape(type.shape)), got \(formatShape(builder.type(of: g.id).shape))", at: location)
            }
            seed = try builder.cast(g.id, to: type.dtype, at: location)   // PyTorch casts it to the output's dtype
        } else if type.elementCount != 1 {
            throw Diagnostic("backward() without a gradient needs a scalar, but this tensor has shape \(formatShape(type.shape)); call .sum() or .mean() first, or pass backward(gradient)", at: location)
        }
        let output1 = seed == nil ? try builder.reshape(output.id, to: [], at: location) : output.id
        let leaves = output.leaves.merging(retainedValues(reaching: output1)) { a, _ in a }
        let keys = leaves.keys.sorted()
        let wrt = keys.map { leaves[$0]! }
        let nodes = createGraph ? try createdGraphNodes(of: output, output1, seed: seed, wrt: wrt, at: location) : nil
        let grads = createGraph ? try builder.gradient(of: output1, seed: seed, wrt: wrt, at: location)
                                : try builder.detachedGradient(of: output1, seed: seed, wrt: wrt, at: location)
        for (index, (key, grad)) in zip(keys, grads).enumerated() {
            let new = gradientValue(grad, nodes?[index], computedFrom: output)
            // A gradient zeroGrad() made None, its slot untouched since, is not added to.
            let cleared = noneGradients[key] != nil && clearedGradients[key] == gradSlots[key]
            let existing = cleared ? nil : gradSlots[key].map { id in gradHistory[key].flatMap { $0.id == id ? $0 : nil } ?? TensorValue(id: id) }
            // PyTorch's AccumulateGrad: a first gradient with history is copied in (CopyBackwards);
            // later ones are added out of place under createGraph (AddBackward0, with the history
            // of both), else in place (the .grad keeps its history).
            var slot = existing ?? new
            if let existing {
                slot.id = try builder.apply1(.add, [existing.id, grad], at: location)
                if createGraph && (new.requiresGrad || existing.requiresGrad) {
                    slot.leaves = new.leaves.merging(existing.leaves) { a, _ in a }
                    slot.gradFunction = OpKind.add.definition.gradFunction
                }
            } else {
                slot.id = grad
                if new.requiresGrad {
                    slot.gradFunction = "CopyBackwards"
                    slot.branchSuffix = nil   // copied in whichever branch ran
                }
            }
            gradSlots[key] = slot.id
            noneGradients[key] = nil
            gradHistory[key] = slot.hasAutogradMetadata ? slot : nil
        }
    }

    /// What PyTorch's autograd records for gradients built with `createGraph` (GradientHistory's
    /// dry run over the ops recorded so far; call it before building them). What requires grad
    /// starts from the leaves `output` was computed from (`scalarOutput` is it reshaped). With an
    /// `if` on a tensor on the way (compiled mode), one dry run per branch: where they differ,
    /// the branch that runs decides what prints, as for a value assigned in the `if`.
    func createdGraphNodes(of output: TensorValue, _ scalarOutput: ValueID, seed: ValueID?, wrt: [ValueID],
                           at location: SourceLocation) throws -> [(node: GradientHistory.Node, branches: BranchSuffix?)] {
        func nodes(_ entries: [TapeEntry]) throws -> [GradientHistory.Node]? {
            try GradientHistory.nodes(of: scalarOutput, seed: seed, wrt: wrt, entries: entries, requiring: Set(output.leaves.values),
                                      types: { [builder] in builder.type(of: $0) }, at: location)
        }
        if let found = try nodes(builder.recordedEntries()) { return found.map { ($0, nil) } }
        // Unknown: the gradient requires grad and prints no grad_fn.
        let unknown = (node: GradientHistory.Node(requiresGrad: true, producer: nil), branches: nil as BranchSuffix?)
        guard let graph = builder as? GraphBuilder else { return wrt.map { _ in unknown } }
        // The `if` on the way, if only one is: with either of its branches in its place, the
        // dry run finds no other (the latest `if`s first; at most 16 tried).
        let conditions = graph.recordedEntries(choosing: nil).conditions
        for (index, condition) in conditions.enumerated().reversed().prefix(16) {
            guard let ifTrue = try nodes(graph.recordedEntries(choosing: (index, true)).entries),
                  let ifFalse = try nodes(graph.recordedEntries(choosing: (index, false)).entries) else { continue }
            return zip(ifTrue, ifFalse).map { whenTrue, whenFalse in branchNode(whenTrue, whenFalse, condition: condition) }
        }
        return wrt.map { _ in unknown }
    }

    /// One gradient's history when an `if` on `condition` decides it: the same, or both.
    private func branchNode(_ whenTrue: GradientHistory.Node, _ whenFalse: GradientHistory.Node,
                            condition: ValueID) -> (node: GradientHistory.Node, branches: BranchSuffix?) {
        guard whenTrue != whenFalse else { return (whenTrue, nil) }
        func suffix(_ node: GradientHistory.Node) -> String? { node.requiresGrad ? node.gradFunction.map { "grad_fn=<\($0)>" } : nil }
        var either = whenTrue
        either.requiresGrad = whenTrue.requiresGrad || whenFalse.requiresGrad
        return (either, BranchSuffix(condition: condition, ifTrue: suffix(whenTrue), ifFalse: suffix(whenFalse)))
    }

    /// The gradient `id` with the history `created` gives it: the leaves of `output` and
    /// PyTorch's `grad_fn` when it requires grad; none without one (no `createGraph`).
    func gradientValue(_ id: ValueID, _ created: (node: GradientHistory.Node, branches: BranchSuffix?)?,
                       computedFrom output: TensorValue) -> TensorValue {
        var value = TensorValue(id: id)
        if let (node, branches) = created, node.requiresGrad {
            value.leaves = node.sources.map { reached in output.leaves.filter { reached.contains($0.value) } } ?? output.leaves
            value.gradFunction = node.gradFunction
            value.branchSuffix = branches
        }
        return value
    }

    /// `x.isLeaf`. After an `if` on a tensor that leaves a leaf in one branch and a computed
    /// value in the other (`m = w` or `m = w * 2`), the branch that runs decides, as in PyTorch.
    func isLeaf(_ tensor: TensorValue, at location: SourceLocation) throws -> EvalValue {
        try branchFlag(tensor, static: tensor.isLeaf, at: location) { !($0?.hasPrefix("grad_fn") ?? false) }
    }

    /// `x.requiresGrad`, chosen at run time like `isLeaf` when the branches differ.
    func requiresGrad(_ tensor: TensorValue, at location: SourceLocation) throws -> EvalValue {
        try branchFlag(tensor, static: tensor.requiresGrad, at: location) { $0 != nil }
    }

    /// A flag read from the print suffix of each branch (`flag`), as a runtime bool when the
    /// branches disagree.
    private func branchFlag(_ tensor: TensorValue, static value: Bool, at location: SourceLocation,
                            _ flag: (String?) -> Bool) throws -> EvalValue {
        guard let choice = tensor.branchSuffix else { return .bool(value) }
        switch (flag(choice.ifTrue), flag(choice.ifFalse)) {
        case (let ifTrue, let ifFalse) where ifTrue == ifFalse:
            return .bool(ifTrue)
        case (true, _):
            return .tensor(TensorValue(id: choice.condition, isHostScalar: true))
        default:
            return .tensor(TensorValue(id: try builder.apply1(.logicalNot, [choice.condition], at: location), isHostScalar: true))
        }
    }

    /// `grad(of: y, wrt: a, b)`: the gradients of scalar y with respect to any float tensors,
    /// whether or not they require grad (JAX's `grad`); `createGraph: true` gives them history.
    func functionalGradient(_ site: CallSite) throws -> EvalValue {
        let at = site.location
        let output = try differentiatedScalar(site, "grad(of:wrt:)")
        let wrt = try floatArguments(site, "wrt", "grad(of:wrt:)")
        let createGraph = try staticBool(site, "createGraph") ?? false
        let scalar = try builder.reshape(output.id, to: [], at: at)
        let nodes = createGraph ? try createdGraphNodes(of: output, scalar, seed: nil, wrt: wrt, at: at) : nil
        let grads = createGraph ? try builder.gradient(of: scalar, seed: nil, wrt: wrt, at: at)
                                : try builder.detachedGradient(of: scalar, seed: nil, wrt: wrt, at: at)
        let values = grads.enumerated().map { index, grad in EvalValue.tensor(gradientValue(grad, nodes?[index], computedFrom: output)) }
        return values.count == 1 ? values[0] : .tuple(values)
    }

    /// The `of:` argument of grad and hessian: a float32 tensor of one element.
    func differentiatedScalar(_ site: CallSite, _ what: String) throws -> TensorValue {
        guard case .tensor(let output)? = site.value("of") else {
            throw Diagnostic("\(what) needs a tensor to differentiate", at: site.location("of"))
        }
        let type = builder.type(of: output.id)
        guard type.elementCount == 1, type.dtype.isFloatingPoint else {
            throw Diagnostic("\(what) needs a floating-point scalar, got a \(type.dtype) tensor of shape \(formatShape(type.shape))", at: site.location("of"))
        }
        return output
    }

    /// The float tensors passed as `label` (the `wrt:` of grad, jacobian and hessian).
    func floatArguments(_ site: CallSite, _ label: String, _ what: String) throws -> [ValueID] {
        try (site.bound[label] ?? []).map { value, location in
            guard case .tensor(let tensor) = value, builder.type(of: tensor.id).dtype.isFloatingPoint else {
                let got = if case .tensor(let other) = value { "a tensor of dtype \(builder.type(of: other.id).dtype)" } else { value.kindName }
                throw Diagnostic("\(what) differentiates with respect to floating-point tensors, got \(got)", at: location)
            }
            return tensor.id
        }
    }

    /// A Bool argument known at compile time (`createGraph:`, `retainGraph:`), nil when absent.
    func staticBool(_ site: CallSite, _ label: String) throws -> Bool? {
        guard let value = site.value(label) else { return nil }
        guard case .bool(let flag) = value else {
            throw Diagnostic("\(label): must be true or false, got \(value.kindName)", at: site.location(label))
        }
        return flag
    }
}

extension Evaluator {
    /// `y.gradFn`: PyTorch's backward node of a value with history, `None` for leaves and
    /// values that do not require grad.
    func gradFunction(of tensor: TensorValue) -> EvalValue {
        guard tensor.leafKey == nil, tensor.requiresGrad, let function = tensor.gradFunction else { return .none }
        return .gradFunction(function)
    }

    /// The values that called `retainGrad()` and that `output` depends on, by key: backward()
    /// from `output` fills their `.grad` too. Found by a walk back over the recorded ops, which
    /// in IR reaches only values of the enclosing blocks (never one inside a loop or `if` that
    /// has ended, which the gradient op could not read).
    func retainedValues(reaching scalarOutput: ValueID) -> [Int: ValueID] {
        guard !retainedValues.isEmpty else { return [:] }
        let reached = GradientHistory.sources(Set(retainedValues.values), reaching: scalarOutput, through: builder.recordedEntries())
        return retainedValues.filter { reached.contains($0.value) }
    }

    /// `y.retainGrad()`: backward() keeps the gradient of the non-leaf `y` in `y.grad`. On a
    /// leaf it does nothing (a leaf keeps its gradient anyway), as in PyTorch.
    func retainGrad(_ receiver: Expr, _ tensor: TensorValue, at location: SourceLocation) throws -> EvalValue {
        guard tensor.requiresGrad else {
            throw Diagnostic("can't retain_grad on Tensor that has requires_grad=False", at: location)
        }
        guard tensor.leafKey == nil, tensor.retainKey == nil, tensor.isDifferentiable else { return .void }
        guard case .identifier(let name) = receiver.kind, environment.lookup(name) != nil else {
            throw Diagnostic("retainGrad() works on a variable: bind the value with let first", at: location)
        }
        var retained = tensor
        let key = leafTypes.count
        leafTypes[key] = builder.type(of: tensor.id)
        retained.retainKey = key
        retainedValues[key] = tensor.id
        environment.assign(name, .tensor(retained))
        return .void
    }
}
