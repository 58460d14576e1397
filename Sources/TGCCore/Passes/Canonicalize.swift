/// Canonicalization: folds pure ops on small constant operands, removes ops that do nothing
/// (identity reshape/transpose/broadcast/cast, `stopGradient` once autodiff has run, `x * 1`,
/// `x / 1`, `x - 0`, `x ** 1`, a slice or slice update of a whole tensor), turns `x ** 2` into
/// `x * x`, merges chains (reshape∘reshape, transpose∘transpose, slice∘slice), and turns the
/// transpose of a matrix product used only there into the product of the transposes
/// (`(a·b)ᵀ = bᵀ·aᵀ`: one sgemm with transposed operands, each element the same dot product),
/// loads only the leading rows of a data file that leading slices read (`LoadNarrowing`), and
/// turns a max pooling whose indices no gradient reads into the values-only `maxPool2d` op
/// (Canonicalize+MaxPoolValues.swift), and reads ReLU's gradient mask from its input where that
/// is recomputed for free (Canonicalize+ReluMasks.swift), and replaces a sum of deviations from
/// their own mean (a variance's gradient through its mean) by zeros (Canonicalize+CenteredSums.swift).
///
///     %1 = constant {value = 2} : f32[]              %3 = constant {value = 6} : f32[]
///     %2 = constant {value = 3} : f32[]      ==>
///     %3 = mul %1, %2 : f32[]
///     %5 = reshape %4 {shape = [6]} : f32[6]         %6 = reshape %4 {shape = [2, 3]}
///     %6 = reshape %5 {shape = [2, 3]}
///
/// Left alone: `x + 0` (wrong for x = -0.0), `x * 0` (wrong for NaN and infinities), folds
/// whose result has more than `foldLimit` elements (they would bloat the program), anything
/// with effects (random draws, prints; a load only narrows) and anything that changes a result's type.
let canonicalizePass = Pass(name: "canonicalize", summary: "fold constants, drop identities, merge chains") { module in
    var canonicalizer = Canonicalizer(module: module)
    canonicalizer.run()
}

struct Canonicalizer {
    static let foldLimit = 64
    let module: Module

    mutating func run() {
        var changed = true
        while changed {
            changed = LoadNarrowing(module: module).run()
            var replacements = swapTransposedProducts().merging(maxPoolValues()) { first, _ in first }.merging(reluMasks()) { first, _ in first }
                .merging(centeredSums()) { first, _ in first }
            for block in module.body.allBlocks {
                for (index, op) in block.ops.enumerated() {
                    if let replacement = simplify(op) {
                        replacements[op.result] = replacement
                    } else if let folded = fold(op) {
                        block.ops[index] = folded
                        replacements[op.result] = folded.result
                    } else if let squared = square(op) {
                        block.ops[index] = squared
                        replacements[op.result] = squared.result
                    } else if let merged = mergeChain(op) {
                        block.ops[index] = merged
                        replacements[op.result] = merged.result
                    }
                }
            }
            if !replacements.isEmpty {
                module.replaceAllUses(resolving(replacements))
                changed = true
                try? deadCodeEliminationPass.run(module)
            }
        }
    }

    /// How many operands read each value, over the whole module.
    func useCounts() -> [Value: Int] {
        var uses: [Value: Int] = [:]
        module.body.walk { op in for operand in op.operands { uses[operand, default: 0] += 1 } }
        return uses
    }

    /// transpose(matmul(a, b)) → matmul(transpose(b), transpose(a)) for matrices whose product
    /// has no other use: the weight gradient of `x · wᵀ` (Linear's) then comes out in w's layout
    /// from one sgemm, not a product and a strided copy. Returns the replaced results.
    private func swapTransposedProducts() -> [Value: Value] {
        let uses = useCounts()
        var replacements: [Value: Value] = [:]
        for block in module.body.allBlocks {
            var ops: [Op] = []
            for op in block.ops {
                guard op.kind == .transpose, op.result.type.rank == 2, let product = op.operands[0].definingOp,
                      product.kind == .matmul, product.attributes == .none, uses[product.result] == 1,
                      product.operands.allSatisfy({ $0.type.rank == 2 }) else {
                    ops.append(op)
                    continue
                }
                let transposed = product.operands.reversed().map { operand in
                    module.makeOp(.transpose, [operand], resultTypes: [TensorType(operand.type.shape.reversed(), operand.type.dtype)],
                                  attributes: op.attributes, at: product.location)
                }
                let swapped = module.makeOp(.matmul, transposed.map(\.result), resultTypes: [op.result.type], at: product.location)
                ops += transposed + [swapped]
                replacements[op.result] = swapped.result
            }
            block.ops = ops
        }
        return replacements
    }

    /// Follows chains of replacements (a → b, b → c gives a → c).
    private func resolving(_ replacements: [Value: Value]) -> [Value: Value] {
        var resolved: [Value: Value] = [:]
        for (from, to) in replacements {
            var target = to
            var steps = 0
            while let next = replacements[target], steps < replacements.count { target = next; steps += 1 }
            resolved[from] = target
        }
        return resolved
    }

    /// An existing value equal to the op's result, when the op does nothing.
    private func simplify(_ op: Op) -> Value? {
        guard op.results.count == 1 else { return nil }
        let type = op.result.type
        switch op.kind {
        case .reshape, .broadcastTo, .cast, .stopGradient:
            return op.operands[0].type == type ? op.operands[0] : nil
        case .transpose:
            return op.attributes.permutation == Array(0..<type.rank) ? op.operands[0] : nil
        // Indexing
        case .slice, .sliceUpdate:   // a region that is the whole operand: x, or the value written over all of it
            let whole = op.operands[0].type.shape.map(SliceDim.all)
            guard op.attributes.slice == whole else { return nil }
            return op.kind == .slice ? op.operands[0] : op.operands[1]
        case .pow:
            guard op.operands[0].type == type, splatValue(op.operands[1]) == 1 else { return nil }
            return op.operands[0]
        case .mul, .div, .sub:
            let (x, other) = (op.operands[0], op.operands[1])
            guard x.type == type, let constant = splatValue(other) else { return nil }
            return (op.kind == .sub ? constant == 0 && constant.sign == .plus : constant == 1) ? x : nil
        default:
            return nil
        }
    }

    /// A constant op holding the result of a pure op on constants.
    private func fold(_ op: Op) -> Op? {
        guard op.kind != .constant, op.results.count == 1, op.regions.isEmpty, !op.operands.isEmpty,
              !op.kind.definition.hasEffects, op.kind != .yield, op.kind != .gradient,
              op.result.type.elementCount <= Self.foldLimit,
              op.operands.allSatisfy({ $0.type.elementCount <= Self.foldLimit * 64 }),
              op.operands.allSatisfy({ $0.definingOp?.kind == .constant }) else { return nil }
        let inputs = op.operands.compactMap { $0.definingOp.flatMap(constantTensor) }
        guard inputs.count == op.operands.count,
              let result = try? Interpreter.compute(op.kind, inputs, op.attributes, resultType: op.result.type,
                                                    context: RunContext(), at: op.location) else { return nil }
        // Constant data are Doubles: an int64 beyond 2^53 is left to run time.
        if case .int64(let values) = result.storage, values.contains(where: { Int64(exactly: Double($0)) != $0 }) { return nil }
        var attrs = Attributes()
        attrs.shape = result.shape
        attrs.dtype = result.dtype
        // A splat only when every element has the same bits: 0.0 and -0.0 are different values.
        if let first = result.elements.first, result.elements.allSatisfy({ $0.bitPattern == first.bitPattern }) {
            attrs.value = first
        } else {
            attrs.data = result.elements
        }
        return module.makeOp(.constant, [], resultTypes: [op.result.type], attributes: attrs, at: op.location)
    }

    /// pow(x, 2) → x * x, exactly what PyTorch computes for a square (and the interpreter too).
    private func square(_ op: Op) -> Op? {
        guard op.kind == .pow, op.operands[0].type == op.result.type, splatValue(op.operands[1]) == 2 else { return nil }
        return module.makeOp(.mul, [op.operands[0], op.operands[0]], resultTypes: [op.result.type], at: op.location)
    }

    /// reshape(reshape(x)) → reshape(x); transpose(transpose(x)) → one transpose.
    private func mergeChain(_ op: Op) -> Op? {
        guard let inner = op.operands.first?.definingOp, inner.kind == op.kind else { return nil }
        switch op.kind {
        case .reshape:
            return module.makeOp(.reshape, [inner.operands[0]], resultTypes: [op.result.type], attributes: op.attributes, at: op.location)
        case .transpose:
            var attrs = Attributes()
            attrs.permutation = op.attributes.permutation!.map { inner.attributes.permutation![$0] }
            return module.makeOp(.transpose, [inner.operands[0]], resultTypes: [op.result.type], attributes: attrs, at: op.location)
        case .slice:   // element k of the outer slice is element start + k × step of the inner one
            var attrs = Attributes()
            attrs.slice = zip(op.attributes.slice!, inner.attributes.slice!).map { outer, inner in
                SliceDim(start: inner.start + outer.start * inner.step, step: outer.step * inner.step, size: outer.size)
            }
            return module.makeOp(.slice, [inner.operands[0]], resultTypes: [op.result.type], attributes: attrs, at: op.location)
        default:
            return nil
        }
    }

    private func constantTensor(_ op: Op) -> Tensor? {
        try? Interpreter.compute(.constant, [], op.attributes, resultType: op.result.type, context: RunContext(), at: op.location)
    }

    /// The value of a constant whose elements are all equal.
    func splatValue(_ value: Value) -> Double? {
        guard let op = value.definingOp, op.kind == .constant else { return nil }
        if let splat = op.attributes.value { return splat }
        if let data = op.attributes.data, let first = data.first, data.allSatisfy({ $0.bitPattern == first.bitPattern }) { return first }
        return nil
    }
}
