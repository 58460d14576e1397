import TGCBase
import TGCCore
import TGCSyntax

/// Optimizers: `SGD(model.parameters(), lr: 0.1)`, `Adam(...)`, `opt.zeroGrad()`, `opt.step()`,
/// with PyTorch's update formulas. A step updates each parameter in place (a new version of
/// its leaf, as `w -= lr * w.grad` under noGrad), wherever it is held: module fields and
/// variables.
extension Evaluator {
    /// The settings each optimizer takes, PyTorch's defaults, and their labels in the DSL.
    static func optimizerSettings(_ kind: OptimizerObject.Kind) -> [(label: String, name: String, value: EvalValue)] {
        switch kind {
        case .sgd:
            [("lr", "lr", .float(0.001)), ("momentum", "momentum", .int(0)), ("dampening", "dampening", .int(0)),
             ("weightDecay", "weight_decay", .int(0)), ("nesterov", "nesterov", .bool(false))]
        case .adam, .adamW:
            [("lr", "lr", .float(0.001)), ("betas", "betas", .tuple([.float(0.9), .float(0.999)])), ("eps", "eps", .float(1e-08)),
             ("weightDecay", "weight_decay", kind == .adamW ? .float(0.01) : .int(0))]
        case .rmsprop:
            [("lr", "lr", .float(0.01)), ("alpha", "alpha", .float(0.99)), ("eps", "eps", .float(1e-08)),
             ("weightDecay", "weight_decay", .int(0)), ("momentum", "momentum", .int(0)), ("centered", "centered", .bool(false))]
        }
    }

    /// `SGD(params, lr: 0.1, ...)`: params an array of leaves that require grad.
    func makeOptimizer(_ kind: OptimizerObject.Kind, _ site: CallSite) throws -> EvalValue {
        guard let items = site.value("params")?.arrayItems ?? { if case .tuple(let t)? = site.value("params") { t } else { nil } }() else {
            throw Diagnostic("\(kind.rawValue) takes an array of parameters: \(kind.rawValue)(model.parameters(), lr: ...)", at: site.location("params"))
        }
        var keys: [Int] = []
        for item in items {
            // A frozen parameter (requiresGrad = false) gets no gradient, so no update, as in PyTorch.
            if case .tensor(let tensor) = item, tensor.isParameter, !tensor.requiresGrad { continue }
            guard case .tensor(let tensor) = item, let key = tensor.leafKey, tensor.requiresGrad else {
                throw Diagnostic("\(kind.rawValue) can only optimize leaf tensors that require grad, got \(item.kindName)", at: site.location("params"))
            }
            if !keys.contains(key) { keys.append(key) }
        }
        var settings: [(name: String, value: EvalValue)] = []
        for (label, name, defaultValue) in Self.optimizerSettings(kind) {
            var value = site.value(label) ?? defaultValue
            if label == "betas" {
                guard case .tuple(let pair) = value, pair.count == 2 else {
                    throw Diagnostic("betas is a pair of numbers: betas: (0.9, 0.999)", at: site.location(label))
                }
                value = .tuple(try pair.map { .float(try staticDouble($0, what: "a beta", at: site.location(label))) })
            } else if label == "nesterov" || label == "centered" {
                guard case .bool = value else { throw Diagnostic("\(label) must be true or false", at: site.location(label)) }
            } else if label == "lr", case .tensor(let tensor) = value {
                // A run-time learning rate (`lr: hyper("lr", 0.001)`, a computed number): the
                // compiled program's --lr still sets it, as a scheduler's rates are carried.
                value = .tensor(try learningRateScalar(tensor, at: site.location(label)))
                if let name = hyperValues[tensor.id], let given = hyperparameters.first(where: { $0.name == name }),
                   let number = Double(given.value), number < 0 {
                    throw Diagnostic("invalid lr value: \(number)", at: site.location(label))
                }
            } else {
                let number = try staticDouble(value, what: label, at: site.location(label))
                guard number >= 0 else { throw Diagnostic("invalid \(name) value: \(number)", at: site.location(label)) }
                if case .tensor = value { value = .float(number) }   // a hyperparameter, fixed here
            }
            settings.append((name, value))
        }
        let state = try OptimizerObject.stateNames(kind).map { _ in
            try keys.map { TensorValue(id: try builder.full(leafTypes[$0]!.shape, 0, leafTypes[$0]!.dtype, at: site.location)) }
        }
        let steps = TensorValue(id: try builder.full([], 0, .float64, at: site.location))
        let optimizer = OptimizerObject(kind: kind, parameters: keys, settings: settings, state: state, steps: steps)
        if kind == .sgd, optimizer.number("nesterov") != 0, optimizer.number("momentum") == 0 || optimizer.number("dampening") != 0 {
            throw Diagnostic("Nesterov momentum requires a momentum and zero dampening", at: site.location)
        }
        return .optimizer(optimizer)
    }

    /// `opt.step()`, `opt.zeroGrad()`, `opt.load(path)`.
    func callOptimizerMember(_ optimizer: OptimizerObject, _ name: String, _ arguments: [Argument], at location: SourceLocation) throws -> EvalValue {
        if name == "load" {
            try loadOptimizer(optimizer, arguments, at: location)
            return .void
        }
        if name == "zeroGrad" {
            var site = try callSite(name, arguments, at: location)
            try site.bind([.labeled("setToNone")])
            try zeroGradients(of: optimizer.parameters, setToNone: try staticBool(site, "setToNone") ?? true, at: location)
            return .void
        }
        guard arguments.isEmpty else { throw Diagnostic("\(name)() takes no arguments", at: location) }
        switch name {
        case "step": try step(optimizer, at: location)
        default: throw Diagnostic("value of type \(optimizer.kind.rawValue) has no method '\(name)'", at: location)
        }
        return .void
    }

    /// `opt.lr` and the other settings, by PyTorch's names in the DSL's spelling.
    func optimizerProperty(_ optimizer: OptimizerObject, _ name: String, at location: SourceLocation) throws -> EvalValue {
        guard let entry = Self.optimizerSettings(optimizer.kind).first(where: { $0.label == name }),
              let setting = optimizer.settings.first(where: { $0.name == entry.name }) else {
            throw Diagnostic("value of type \(optimizer.kind.rawValue) has no member '\(name)'", at: location)
        }
        return setting.value
    }

    /// `opt.lr = 0.01`, `opt.lr *= 0.5`: a number, or a one-element tensor computed at run time
    /// (kept as a float64 host scalar, as PyTorch's param group holds a Python float).
    func assignOptimizerProperty(_ optimizer: OptimizerObject, _ name: String, op: String, value valueExpr: Expr, at location: SourceLocation) throws {
        guard name == "lr" else {
            throw Diagnostic("only an optimizer's lr can be assigned; \(optimizer.kind.rawValue)'s other settings are fixed when it is made", at: location)
        }
        var value = try evaluate(valueExpr)
        if op != "=" {
            guard Self.compoundKinds[op] != nil else { throw Diagnostic("unsupported operator '\(op)'", at: location) }
            value = try binaryOperator(String(op.dropLast()), optimizer.learningRate, value, at: location)
        }
        switch value {
        case .int(let n): optimizer.learningRate = .float(Double(n))
        case .float(let x): optimizer.learningRate = .float(x)
        case .tensor(let tensor):
            optimizer.learningRate = .tensor(try learningRateScalar(tensor, at: valueExpr.location))
        default:
            throw Diagnostic("lr must be a number, got \(value.kindName)", at: valueExpr.location)
        }
        if optimizer.number("lr") < 0 { throw Diagnostic("invalid lr value: \(optimizer.number("lr"))", at: valueExpr.location) }
    }

    /// A one-element tensor given as a learning rate, as the float64 host scalar an optimizer
    /// keeps (PyTorch's param group holds a Python float).
    func learningRateScalar(_ tensor: TensorValue, at location: SourceLocation) throws -> TensorValue {
        let type = builder.type(of: tensor.id)
        guard type.elementCount == 1, type.dtype != .bool else {
            throw Diagnostic("lr must be a number, got a tensor of shape \(formatShape(type.shape))", at: location)
        }
        if type.dtype == .float64, type.shape.isEmpty, tensor.isHostScalar { return tensor }
        let scalar = try builder.reshape(try builder.cast(tensor.id, to: .float64, at: location), to: [], at: location)
        return TensorValue(id: scalar, isHostScalar: true)
    }

    /// The learning rate as a float64 host scalar (the number made a constant).
    func learningRateTensor(_ optimizer: OptimizerObject, at location: SourceLocation) throws -> TensorValue {
        if case .tensor(let lr) = optimizer.learningRate { return lr }
        return TensorValue(id: try builder.scalar(optimizer.number("lr"), .float64, at: location), isHostScalar: true)
    }

    /// The control-flow slot of an optimizer's learning rate, which becomes run-time state
    /// (a loop or branch that assigns it, or steps a scheduler of it, carries it).
    func carriedLearningRate(_ optimizer: OptimizerObject, at location: SourceLocation) throws -> StateSlot {
        optimizer.learningRate = .tensor(try learningRateTensor(optimizer, at: location))
        return .optimizerState(OptimizerState(optimizer: optimizer, entry: .learningRate))
    }

    /// `zeroGrad()`: each gradient becomes None (PyTorch's default: zeros in its slot, marked
    /// None in `noneGradients`, which the next backward() replaces: `clearedGradients`), or zeros
    /// to add to with `setToNone: false`; a leaf that never had one keeps none, and a gradient
    /// that is None stays None (PyTorch zeroes only the gradients that exist).
    func zeroGradients(of keys: [Int], setToNone: Bool = true, at location: SourceLocation) throws {
        for key in keys where gradSlots[key] != nil {
            let zeros = try builder.full(leafTypes[key]!.shape, 0, leafTypes[key]!.dtype, at: location)
            gradSlots[key] = zeros
            let staysNone = !setToNone && noneGradients[key] != nil
            noneGradients[key] = setToNone ? loopBodyDepth : (staysNone ? noneGradients[key] : nil)
            clearedGradients[key] = setToNone || staysNone ? zeros : nil
        }
    }

    /// The gradient of a leaf, nil when it has none or it is None (`noneGradients`).
    func presentGradient(_ key: Int) -> ValueID? {
        noneGradients[key] == nil ? gradSlots[key] : nil
    }

    /// One update of every parameter that has a gradient, as PyTorch's single-tensor SGD and
    /// Adam compute it (float32, hyperparameters rounded to float32 where PyTorch's kernels
    /// round them).
    private func step(_ optimizer: OptimizerObject, at location: SourceLocation) throws {
        try withoutGrad {
            let at = location
            func scalar(_ value: Double, _ dtype: DType = .float32) throws -> TensorValue { TensorValue(id: try builder.scalar(value, dtype, at: at)) }
            func op(_ kind: OpKind, _ a: TensorValue, _ b: TensorValue) throws -> TensorValue {
                try record(kind, [a, b], gradFunction: nil, at: at)
            }
            // a · b + c rounded once: PyTorch's CPU kernels fuse `x.add_(y, alpha: a)`, lerp_ and
            // addcmul_ into fused multiply-adds, so its optimizers' updates round this way.
            func fused(_ a: TensorValue, _ b: TensorValue, _ c: TensorValue) throws -> TensorValue {
                try record(.fusedMultiplyAdd, [a, b, c], gradFunction: nil, at: at)
            }
            func negated(_ a: TensorValue) throws -> TensorValue { try record(.neg, [a], gradFunction: nil, at: at) }
            let lr64 = try learningRateTensor(optimizer, at: at)
            let lr = TensorValue(id: try builder.cast(lr64.id, to: .float32, at: at))
            let steps = try op(.add, optimizer.steps, try scalar(1, .float64))
            let first = try op(.equal, optimizer.steps, try scalar(0, .float64))
            // Adam's bias corrections 1 - beta^t, its step size lr / (1 - beta1^t) and
            // sqrt(1 - beta2^t), in double as PyTorch computes them on the host, then rounded to
            // float32 where its kernels take them as scalars. Computed once, before any update,
            // so each parameter's moment and weight updates are consecutive kernels over the
            // same elements (one row nest in generated C: one pass over the parameter's state).
            var betas = (0.9, 0.999), adamScalars: (stepSize: TensorValue, root: TensorValue)?, adamScalars64 = adamScalars
            if optimizer.kind == .adam || optimizer.kind == .adamW {
                guard case .tuple(let pair)? = optimizer.settings.first(where: { $0.name == "betas" })?.value,
                      case .float(let beta1) = pair[0], case .float(let beta2) = pair[1] else { return }
                betas = (beta1, beta2)
                let correction1 = try op(.sub, try scalar(1, .float64), try op(.pow, try scalar(beta1, .float64), steps))
                let correction2 = try op(.sub, try scalar(1, .float64), try op(.pow, try scalar(beta2, .float64), steps))
                let stepSize64 = try op(.div, lr64, correction1), root64 = try record(.sqrt, [correction2], gradFunction: nil, at: at)
                adamScalars = (TensorValue(id: try builder.cast(stepSize64.id, to: .float32, at: at)),
                               TensorValue(id: try builder.cast(root64.id, to: .float32, at: at)))
                adamScalars64 = (stepSize64, root64)
            }
            for (index, key) in optimizer.parameters.enumerated() {
                guard let gradient = presentGradient(key), var parameter = currentLeafValue(key) else { continue }
                let isParameter = parameter.isParameter
                // A float64 parameter updates in double with double hyperparameters, as PyTorch's.
                let dtype = builder.type(of: parameter.id).dtype == .float64 ? DType.float64 : .float32
                func number(_ value: Double) throws -> TensorValue { try scalar(value, dtype) }
                // start.lerp_(end, weight) as PyTorch's kernel: one fused multiply-add from the nearer end.
                func lerp(_ start: TensorValue, _ end: TensorValue, _ weight: Double) throws -> TensorValue {
                    let difference = try op(.sub, end, start)
                    return weight < 0.5 ? try fused(try number(weight), difference, start) : try fused(try number(weight - 1), difference, end)
                }
                let lr = dtype == .float64 ? lr64 : lr
                var g = TensorValue(id: gradient)
                let decay = optimizer.number("weight_decay")
                if optimizer.kind == .adamW {   // decoupled: p *= 1 - lr·weight_decay
                    if decay != 0 {
                        let keep = try op(.sub, try scalar(1, .float64), try op(.mul, lr64, try scalar(decay, .float64)))
                        parameter = try op(.mul, parameter, TensorValue(id: try builder.cast(keep.id, to: dtype, at: at)))
                    }
                } else if decay != 0 {   // grad.add(param, alpha: weight_decay)
                    g = try fused(parameter, try number(decay), g)
                }
                var updated: TensorValue
                switch optimizer.kind {
                case .sgd:
                    let (momentum, dampening) = (optimizer.number("momentum"), optimizer.number("dampening"))
                    if momentum != 0 {
                        // The first step's buffer is the gradient itself.
                        // buf.mul_(momentum).add_(grad, alpha: 1 - dampening)
                        let blended = try fused(g, try number(1 - dampening), try op(.mul, optimizer.state[0][index], try number(momentum)))
                        let buffer = TensorValue(id: try builder.apply1(.select, [first.id, g.id, blended.id], at: at))
                        optimizer.state[0][index] = buffer
                        g = optimizer.number("nesterov") != 0 ? try fused(buffer, try number(momentum), g) : buffer
                    }
                    updated = try fused(g, try negated(lr), parameter)   // param.add_(grad, alpha: -lr)
                case .rmsprop:
                    let alpha = optimizer.number("alpha")
                    // square_avg.mul_(alpha).addcmul_(grad, grad, value: 1 - alpha)
                    let square = try fused(try op(.mul, try number(1 - alpha), g), g, try op(.mul, optimizer.state[0][index], try number(alpha)))
                    optimizer.state[0][index] = square
                    var average: TensorValue
                    if optimizer.number("centered") != 0 {
                        let mean = try lerp(optimizer.state[2][index], g, 1 - alpha)
                        optimizer.state[2][index] = mean
                        // square_avg.addcmul(grad_avg, grad_avg, value: -1).sqrt_()
                        average = try record(.sqrt, [try fused(try negated(mean), mean, square)], gradFunction: nil, at: at)
                    } else {
                        average = try record(.sqrt, [square], gradFunction: nil, at: at)
                    }
                    average = try op(.add, average, try number(optimizer.number("eps")))
                    let momentum = optimizer.number("momentum")
                    if momentum > 0 {
                        let buffer = try op(.add, try op(.mul, optimizer.state[1][index], try number(momentum)), try op(.div, g, average))
                        optimizer.state[1][index] = buffer
                        updated = try fused(buffer, try negated(lr), parameter)   // param.add_(buf, alpha: -lr)
                    } else {
                        updated = try op(.sub, parameter, try op(.div, try op(.mul, g, lr), average))
                    }
                case .adam, .adamW:
                    let (beta1, beta2) = betas
                    var (stepSize, root) = adamScalars!
                    if dtype == .float64 { (stepSize, root) = (adamScalars64!.stepSize, adamScalars64!.root) }
                    // exp_avg.lerp_(grad, 1 - beta1): m + w (g - m) for a weight below one half. PyTorch
                    // fuses this and the addcmul_ below into multiply-adds, but its sqrt is not IEEE's
                    // (one float32 in six differs), so Adam is not PyTorch's bit for bit either way;
                    // the fused form moved cnn_fashion's first-epoch accuracy off PyTorch's, so it waits
                    // for the sqrt.
                    let m = optimizer.state[0][index], v = optimizer.state[1][index]
                    let newM = try op(.add, m, try op(.mul, try number(1 - beta1), try op(.sub, g, m)))
                    let newV = try op(.add, try op(.mul, v, try number(beta2)), try op(.mul, try op(.mul, try number(1 - beta2), g), g))
                    optimizer.state[0][index] = newM
                    optimizer.state[1][index] = newV
                    let denominator = try op(.add, try op(.div, try record(.sqrt, [newV], gradFunction: nil, at: at), root),
                                             try number(optimizer.number("eps")))
                    updated = try op(.sub, parameter, try op(.div, try op(.mul, stepSize, newM), denominator))
                }
                updated.id = try builder.cast(updated.id, to: dtype, at: at)
                markInPlaceLeafUpdate(&updated, of: key)
                updated.isParameter = isParameter
                replaceLeaf(key, with: updated)
            }
            optimizer.steps = steps
        }
    }

    /// `clipGradNorm(model.parameters(), maxNorm: 1.0)`: the 2-norm of every gradient together
    /// (the norm of the per-tensor norms, as PyTorch's), each gradient scaled in place by
    /// min(maxNorm / (norm + 1e-6), 1); returns the norm before scaling. Parameters without a
    /// gradient are skipped.
    func clipGradNorm(_ site: CallSite) throws -> EvalValue {
        let location = site.location
        guard let items = site.value("parameters")?.arrayItems else {
            throw Diagnostic("clipGradNorm takes an array of parameters: clipGradNorm(model.parameters(), maxNorm: 1.0)", at: site.location("parameters"))
        }
        let maxNorm = try staticDouble(site.value("maxNorm")!, what: "maxNorm", at: site.location("maxNorm"))
        let keys = items.compactMap { item -> Int? in
            guard case .tensor(let tensor) = item, let key = tensor.leafKey, presentGradient(key) != nil else { return nil }
            return key
        }
        return try withoutGrad {
            func scalar(_ value: Double) throws -> ValueID { try builder.scalar(value, .float32, at: location) }
            guard !keys.isEmpty else { return .tensor(TensorValue(id: try scalar(0))) }
            // PyTorch stacks the per-tensor norms, promoting float32 ones next to float64 ones.
            let dtype: DType = keys.contains { builder.type(of: gradSlots[$0]!).dtype == .float64 } ? .float64 : .float32
            let norms = try keys.map { try builder.cast(try builder.vectorNorm(gradSlots[$0]!, p: 2, axes: nil, keepDim: false, at: location), to: dtype, at: location) }
            let stacked = norms.count == 1 ? norms[0] : try builder.concatenate(try norms.map { try builder.reshape($0, to: [1], at: location) }, axis: 0, at: location)
            let total = try builder.vectorNorm(stacked, p: 2, axes: nil, keepDim: false, at: location)
            let coefficient = try builder.apply1(.div, [try scalar(maxNorm), try builder.apply1(.add, [total, try scalar(1e-6)], at: location)], at: location)
            var clamp = Attributes()
            clamp.high = 1
            let clamped = try builder.apply1(.clamp, [coefficient], clamp, at: location)
            for key in keys { gradSlots[key] = try builder.apply1(.mul, [gradSlots[key]!, clamped], at: location) }
            return .tensor(TensorValue(id: total))
        }
    }

    /// The current version of leaf `key`: in a module field or a variable in scope.
    func currentLeafValue(_ key: Int) -> TensorValue? {
        for module in reachableModules() {
            for field in module.fields { if case .tensor(let t) = field.value, t.leafKey == key { return t } }
        }
        return environment.tensors.first { $0.leafKey == key }
    }

    /// Leaf `key`'s new version replaces the old one in every module field and variable.
    func replaceLeaf(_ key: Int, with value: TensorValue) {
        for module in reachableModules() {
            for index in module.fields.indices {
                if case .tensor(let t) = module.fields[index].value, t.leafKey == key { module.fields[index].value = .tensor(value) }
            }
        }
        environment.replaceTensors { $0.leafKey == key ? value : nil }
    }

    /// The tensor with handle `id` replaced in every module field and variable (a parameter
    /// frozen or unfrozen).
    func replaceTensor(_ id: ValueID, with value: TensorValue) {
        for module in reachableModules() {
            for index in module.fields.indices {
                if case .tensor(let t) = module.fields[index].value, t.id == id { module.fields[index].value = .tensor(value) }
            }
        }
        environment.replaceTensors { $0.id == id ? value : nil }
    }

    /// Every module that variables in scope hold, with the modules under them.
    private func reachableModules() -> [ModuleObject] {
        var seen = Set<ObjectIdentifier>()
        var result: [ModuleObject] = []
        func visit(_ value: EvalValue) {
            switch value {
            case .module(let module):
                guard seen.insert(ObjectIdentifier(module)).inserted else { return }
                result.append(module)
                module.fields.forEach { visit($0.value) }
            case .array(let items), .tuple(let items): items.forEach(visit)
            default: break
            }
        }
        environment.values.forEach(visit)
        return result
    }
}
