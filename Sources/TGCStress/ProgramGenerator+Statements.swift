import TGCCore

/// Statements with structure: loops carrying state, `if`s on tensor conditions, functional
/// gradients, `backward()` training loops, matmul chains and tuple destructuring.
extension UnitBuilder {
    /// An expression of exactly `target`'s type built from it with one to three ops
    /// (elementwise math, or arithmetic with operands that broadcast into its shape).
    func update(of target: GenValue, extra: [GenExpr] = []) -> GenExpr? {
        var expr = target.expr
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let next: GenExpr?
            if let partner = extra.randomElement(using: &rng), rng.chance(0.4),
               Self.broadcast(partner.type.shape, expr.type.shape) == expr.type.shape {
                let name = rng.pick(["add", "sub", "mul", "maximum"])
                let dtype = Self.promote(expr.type, partner.type, isLiteral: [false, partner.isNumber], division: false)
                next = .apply(OpCatalog.binary(name, choice: choiceIndex()), [expr, partner], TensorType(expr.type.shape, dtype))
            } else if expr.type.dtype.isFloatingPoint && rng.chance(0.5) {
                next = floatUnary(expr)
            } else {
                next = binary(expr, into: true)
            }
            if let next, next.type == target.type, let range = range(of: next), range.isBounded { expr = next }
        }
        return expr.operands.isEmpty ? nil : expr
    }

    /// `target = update` or, for `target + e` and the like, `target += e`.
    func assignment(to target: GenValue, _ value: GenExpr) -> GenStatement {
        if case .apply(let op, let operands, _) = value, operands.count == 2, case .name(target.name, _) = operands[0],
           let symbol = ["add": "+=", "sub": "-=", "mul": "*=", "div": "/="][op.name], rng.chance(0.5) {
            return .assign(target.name, value, spelling: "\(target.name) \(symbol) \(operands[1].text)")
        }
        return .assign(target.name, value, spelling: nil)
    }

    /// `s[..., a..<b] = f(s[..., a..<b])` on a float `var` (a slice update), when safe.
    func sliceAssignment(to target: GenValue) {
        let shape = target.type.shape
        guard target.type.dtype == .float32, let extent = shape.last, extent > 0 else { return }
        let lower = Int.random(in: 0..<extent, using: &rng)
        let upper = Int.random(in: (lower + 1)...extent, using: &rng)
        let region = shape.count > 1 ? "[..., \(lower)..<\(upper)]" : "[\(lower)..<\(upper)]"
        var regionShape = shape
        regionShape[regionShape.count - 1] = upper - lower
        let read = GenExpr.apply(OpCatalog.movement("slice", region), [target.expr], TensorType(regionShape, .float32))
        if let value = floatUnary(read) { emit(.assignSlice(target.name, region: region, value)) }
    }

    /// A `var` to carry through a loop or branch: an existing one or a new float one.
    func stateVariable() -> GenValue? {
        if let existing = values({ $0.mutable && !$0.requiresGrad && $0.type.dtype != .bool }).randomElement(using: &rng), rng.chance(0.4) {
            return existing
        }
        guard let initial = expression(depth: 1) ?? values({ $0.type.dtype == .float32 }).randomElement(using: &rng)?.expr,
              initial.type.dtype != .bool else { return nil }
        return bind(initial, stem: "s", mutable: true)
    }

    /// `for i in 0..<k { let t = ...; s = f(s, t, i) }`, retried until safe over all k iterations.
    func loop() {
        guard let carried = stateVariable() else { return }
        for _ in 0..<4 {
            let index = freshName("i")
            let count = Int.random(in: 1...4, using: &rng)
            let entry = state
            state.ranges[index] = ValueRange(0, Double(count - 1))
            scope.append(GenValue(name: index, type: TensorType([], .int64)))
            let body = block {
                var extra: [GenExpr] = [.name(index, TensorType([], .int64))]
                if rng.chance(0.5), let temporary = expression(depth: 1).flatMap({ bind($0, stem: "t") }) { extra.append(temporary.expr) }
                if let value = update(of: carried, extra: extra) { emit(assignment(to: carried, value)) }
                if rng.chance(0.3) { sliceAssignment(to: carried) }
                if rng.chance(0.25) { branch(on: carried) }
            }
            scope.removeLast()
            state = entry
            if !body.isEmpty, emit(.loop(index: index, count: count, body: body)) { return }
        }
    }

    func branch() {
        guard let carried = stateVariable() else { return }
        branch(on: carried)
    }

    /// `if cond { s = f(s) } else { s = g(s) }` with a one-element tensor condition.
    func branch(on carried: GenValue) {
        guard let source = values({ $0.type.dtype != .bool }).randomElement(using: &rng) else { return }
        let reduce = rng.pick(["sum", "mean", "max", "min"])
        let reduced = GenExpr.apply(OpCatalog.reduceAll(source.type.dtype.isInteger && reduce == "mean" ? "sum" : reduce, count: source.type.elementCount),
                                    [source.expr], TensorType([], source.type.dtype))
        let threshold = GenExpr.number(rng.pick([0, 0.5, -1]), TensorType([], .float32))
        let condition = GenExpr.apply(OpCatalog.comparison(choice: choiceIndex()), [reduced, threshold], TensorType([], .bool))
        let entry = state
        let then = block { if let value = update(of: carried) { emit(assignment(to: carried, value)) } }
        state = entry
        let otherwise = rng.chance(0.3) ? [] : block { if let value = update(of: carried) { emit(assignment(to: carried, value)) } }
        state = entry
        emit(.branch(condition, then: then, else: otherwise))
    }

    /// `var m = w` for a leaf `w`, then `m` assigned in an `if` on a tensor (one side may keep
    /// the leaf itself: `m = w`) or in a loop (`m = f(m)`), then `m`'s loss differentiated:
    /// a plain assignment rebinds `m`, the leaf stays the leaf, and the gradient flows through
    /// whatever ran, as in PyTorch.
    func leafAlias() {
        let w = leaf(shape: randomShape(maxRank: 2), dtype: .float32, requiresGrad: true)
        guard let alias = bind(w.expr, stem: "m", mutable: true, requiresGrad: true) else { return }
        func assignment() -> [GenStatement] {
            block { if let value = aliasUpdate(alias, leaf: w) { emit(.assign(alias.name, value, spelling: nil)) } }
        }
        let entry = state
        if rng.chance(0.5) {
            guard let condition = tensorCondition() else { return }
            let updated = assignment()
            state = entry
            let other = rng.chance(0.6) ? [GenStatement.assign(alias.name, w.expr, spelling: nil)] : (rng.chance(0.5) ? [] : assignment())
            state = entry
            let swap = rng.chance(0.5)
            guard emit(.branch(condition, then: swap ? other : updated, else: swap ? updated : other)) else { return }
        } else {
            let index = freshName("i")
            let body = block {
                if let value = aliasUpdate(alias, leaf: w) { emit(.assign(alias.name, value, spelling: nil)) }
                if rng.chance(0.3), let condition = tensorCondition(),
                   emit(.branch(condition, then: [.assign(alias.name, w.expr, spelling: nil)], else: [])) {}
            }
            state = entry
            guard !body.isEmpty, emit(.loop(index: index, count: Int.random(in: 1...3, using: &rng), body: body)) else { return }
        }
        guard let lossExpr = loss(over: [alias]), let lossValue = bind(lossExpr, stem: "loss") else { return }
        emit(.backward(lossValue.name, gradient: nil))
        statements.append(.save("\(w.name).grad", file: "\(w.name)_grad.npy"))
    }

    /// `f(m) op p`: a squashing function of `m` (bounded over any number of iterations) with
    /// the leaf or a number, differentiable throughout.
    private func aliasUpdate(_ alias: GenValue, leaf: GenValue) -> GenExpr? {
        guard let unary = OpCatalog.floatUnary(rng.pick(["tanh", "sigmoid", "sin", "cos"]), choice: choiceIndex()) else { return nil }
        let squashed = GenExpr.apply(unary, [alias.expr], alias.type)
        let partner = rng.chance(0.5) ? leaf.expr : GenExpr.number(rng.pick([2, -1.5, 0.5]), TensorType([], .float32))
        let expr = GenExpr.apply(OpCatalog.binary(rng.pick(["add", "mul", "sub"]), choice: choiceIndex()), [squashed, partner], alias.type)
        return range(of: expr)?.isBounded == true ? expr : nil
    }

    /// A one-element tensor condition on a value in scope (`x.sum() > 0.5`).
    private func tensorCondition() -> GenExpr? {
        guard let source = values({ $0.type.dtype != .bool }).randomElement(using: &rng) else { return nil }
        let reduce = rng.pick(["sum", "mean", "max", "min"])
        let reduced = GenExpr.apply(OpCatalog.reduceAll(source.type.dtype.isInteger && reduce == "mean" ? "sum" : reduce, count: source.type.elementCount),
                                    [source.expr], TensorType([], source.type.dtype))
        let threshold = GenExpr.number(rng.pick([0, 0.5, -1]), TensorType([], .float32))
        return .apply(OpCatalog.comparison(choice: choiceIndex()), [reduced, threshold], TensorType([], .bool))
    }

    /// A scalar loss over `wrt` (differentiable ops only), reduced with sum, mean or max.
    func loss(over wrt: [GenValue]) -> GenExpr? {
        var expr = wrt[0].expr
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let name = rng.pick(["exp", "sin", "cos", "tanh", "sigmoid", "abs", "relu", "neg", "log", "sqrt"])
            guard let op = OpCatalog.floatUnary(name, choice: choiceIndex()) else { continue }
            let next = GenExpr.apply(op, [expr], expr.type)
            if range(of: next) != nil { expr = next }
        }
        for other in wrt.dropFirst() {
            guard let shape = Self.broadcast(expr.type.shape, other.type.shape), shape.reduce(1, *) <= Self.maximumElements else {
                expr = .apply(OpCatalog.binary("add", choice: 0), [expr, .apply(OpCatalog.reduceAll("sum", count: other.type.elementCount), [other.expr], TensorType([], .float32))], expr.type)
                continue
            }
            expr = .apply(OpCatalog.binary(rng.pick(["add", "mul", "sub", "maximum"]), choice: choiceIndex()), [expr, other.expr], TensorType(shape, .float32))
        }
        let reduce = rng.pick(["sum", "mean", "max"])
        let scalar = GenExpr.apply(OpCatalog.reduceAll(reduce, count: expr.type.elementCount), [expr], TensorType([], .float32))
        return range(of: scalar)?.isBounded == true ? scalar : nil
    }

    /// `let loss = ...; let (ga, gb) = grad(of: loss, wrt: a, b)`.
    func gradient() {
        let floats = values { $0.type.dtype == .float32 && $0.type.shape.reduce(1, *) > 0 }
        guard !floats.isEmpty else { return }
        let wrt = Array(floats.shuffled(using: &rng).prefix(Int.random(in: 1...2, using: &rng)))
        guard let lossExpr = loss(over: wrt), let lossValue = bind(lossExpr, stem: "loss") else { return }
        let names = wrt.map { _ in freshName("g") }
        emit(.gradient(names, of: lossValue.name, wrt: wrt.map(\.name), createGraph: rng.pick([false, false, true])))
        for (name, source) in zip(names, wrt) { scope.append(GenValue(name: name, type: source.type)) }
    }

    /// A `backward()` training loop as in the tutorial: forward, loss, backward, a `noGrad`
    /// update and `grad.zero()`; or one or two `backward()` calls whose `.grad` is saved.
    func training() {
        let rows = rng.pick([1, 3, 4]), inner = rng.pick([1, 2, 3]), outputs = rng.pick([1, 2])
        let x = operand(shape: [rows, inner], dtype: .float32), y = leaf(shape: [rows, outputs], dtype: .float32)
        let w = leaf(shape: [inner, outputs], dtype: .float32, requiresGrad: true)
        let activation = rng.pick(["tanh", "sigmoid", "relu", "sin"])
        let lossText = rng.pick(["((P - $2) ** 2).mean()", "abs(P - $2).mean()", "((P - $2) * (P - $2)).sum()"])
            .replacingOccurrences(of: "P", with: "\(activation)(matmul($0, $1) + 0.1)")
        let lossOp = GenOp(name: "loss", style: .call, isTranscendental: true,
                           spell: { text in (0..<3).reduce(lossText) { $0.replacingOccurrences(of: "$\($1)", with: text[$1]) } },
                           range: { _ in .unknown })
        let lossExpr = GenExpr.apply(lossOp, [x.expr, w.expr, y.expr], TensorType([], .float32))
        if rng.chance(0.6) {
            let epoch = freshName("e")
            let lossName = freshName("loss")
            emit(.loop(index: epoch, count: Int.random(in: 1...4, using: &rng), body: [
                .bind(lossName, lossExpr, mutable: false), .backward(lossName, gradient: nil), .update(w.name, rate: 0.1), .zeroGrad(w.name),
            ]))
        } else {
            for _ in 0..<Int.random(in: 1...2, using: &rng) {
                guard let loss = bind(lossExpr, stem: "loss") else { return }
                emit(.backward(loss.name, gradient: nil))
            }
            statements.append(.save("\(w.name).grad", file: "\(w.name)_grad.npy"))
        }
        state.ranges[w.name] = .unknown
    }

    /// `matmul(matmul(a, b), c)` with fresh operands of matching inner sizes.
    func matmulChain() {
        let sizes = (0..<Int.random(in: 3...4, using: &rng)).map { _ in rng.pick([1, 2, 3, 5]) }
        var expr = operand(shape: [sizes[0], sizes[1]], dtype: .float32).expr
        for k in 2..<sizes.count {
            let next = leaf(shape: [sizes[k - 1], sizes[k]], dtype: .float32).expr
            let template = rng.pick(["matmul($0, $1)", "$0.matmul($1)"])
            let op = GenOp(name: "matmul", style: .call, isTranscendental: false,
                           spell: { template.replacingOccurrences(of: "$0", with: $0[0]).replacingOccurrences(of: "$1", with: $0[1]) },
                           range: { r in
                               let bound = Double(sizes[k - 1]) * r[0].magnitude * r[1].magnitude
                               return ValueRange(-bound, bound)
                           })
            expr = .apply(op, [expr, next], TensorType([sizes[0], sizes[k]], .float32))
        }
        bind(expr, stem: "m")
    }

    /// `let (values, indices) = x.max(dim: d)` (or min, with keepDim).
    func destructure() {
        guard let source = values({ $0.type.rank > 0 && $0.type.dtype != .bool }).randomElement(using: &rng) else { return }
        let rank = source.type.rank
        let dim = Int.random(in: 0..<rank, using: &rng)
        let keepDim = rng.chance(0.3)
        var shape = source.type.shape
        if keepDim { shape[dim] = 1 } else { shape.remove(at: dim) }
        let kind = rng.pick(["max", "min"])
        let names = [freshName("mv"), freshName("mi")]
        let types = [TensorType(shape, source.type.dtype), TensorType(shape, .int64)]
        let ranges = [range(of: source), ValueRange(0, Double(source.type.shape[dim] - 1))]
        let call = ".\(kind)(dim: \(rng.chance(0.3) ? dim - rank : dim)\(keepDim ? ", keepDim: true" : ""))"
        guard emit(.destructure(names, source: source.expr, call: call, types: types, ranges: ranges)) else { return }
        for (name, type) in zip(names, types) { scope.append(GenValue(name: name, type: type)) }
    }
}
