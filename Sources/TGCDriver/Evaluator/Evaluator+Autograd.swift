import TGCBase
import TGCCore

extension Evaluator {
    /// `y.backward()` / `y.backward(gradient)`: accumulates d(y)/d(leaf) into each leaf's `.grad`.
    func backward(_ output: TensorValue, gradient: EvalValue?, at location: SourceLocation) throws {
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
        guard spentGraphs.insert(output.id).inserted else {
            throw Diagnostic("backward() through the same graph a second time: the graph is freed after the first backward(), as in PyTorch; compute the value again before calling backward()", at: location)
        }
        var seed: ValueID? = nil
        if let gradient {
            let g = try asTensor(gradient, dtype: .float32, at: location)
            guard builder.type(of: g.id).shape == type.shape else {
                throw Diagnostic("backward(gradient) needs a gradient of shape \(formatShape(type.shape)), got \(formatShape(builder.type(of: g.id).shape))", at: location)
            }
            seed = try builder.cast(g.id, to: .float32, at: location)
        } else if type.elementCount != 1 {
            throw Diagnostic("backward() without a gradient needs a scalar, but this tensor has shape \(formatShape(type.shape)); call .sum() or .mean() first, or pass backward(gradient)", at: location)
        }
        let output1 = seed == nil ? try builder.reshape(output.id, to: [], at: location) : output.id
        let keys = output.leaves.keys.sorted()
        let grads = try builder.gradient(of: output1, seed: seed, wrt: keys.map { output.leaves[$0]! }, at: location)
        for (key, grad) in zip(keys, grads) {
            if let existing = gradSlots[key] {
                gradSlots[key] = try builder.apply1(.add, [existing, grad], at: location)
            } else {
                gradSlots[key] = grad
            }
        }
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
    /// whether or not they require grad (JAX's `grad`).
    func functionalGradient(_ site: CallSite) throws -> EvalValue {
        let at = site.location
        guard case .tensor(let output)? = site.value("of") else {
            throw Diagnostic("grad(of:wrt:) needs a tensor to differentiate", at: site.location("of"))
        }
        let type = builder.type(of: output.id)
        guard type.elementCount == 1, type.dtype.isFloatingPoint else {
            throw Diagnostic("grad(of:wrt:) needs a floating-point scalar, got a \(type.dtype) tensor of shape \(formatShape(type.shape))", at: site.location("of"))
        }
        var wrt: [ValueID] = []
        for (value, location) in site.bound["wrt"] ?? [] {
            guard case .tensor(let tensor) = value, builder.type(of: tensor.id).dtype.isFloatingPoint else {
                throw Diagnostic("grad(of:wrt:) differentiates with respect to float tensors, got \(value.kindName)", at: location)
            }
            wrt.append(tensor.id)
        }
        let grads = try builder.gradient(of: try builder.reshape(output.id, to: [], at: at), seed: nil, wrt: wrt, at: at)
        let values = grads.map { EvalValue.tensor(TensorValue(id: $0)) }
        return values.count == 1 ? values[0] : .tuple(values)
    }
}
