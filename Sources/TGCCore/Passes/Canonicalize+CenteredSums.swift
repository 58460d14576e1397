/// A sum of deviations from their own mean is zero: Σ_A k·(x − mean_A(x)) = k·Σ_A (x − mean_A(x))
/// = 0 for every x when k is constant along the axes A. The reverse sweep of a variance makes
/// exactly such a sum (the gradient that reaches the mean through x − mean, −Σ 2(x − mean)·g/N),
/// so each batch norm's backward (Builder.batchStatistics) and `var`'s spent a pass over its
/// whole input computing a rounding error. The sum is replaced by zeros: a value that is zero for
/// every input has zero derivatives of every order, so gradients of gradients stay exact (the
/// deviations themselves are left attached to the mean). PyTorch's own var_backward,
/// 2/N·(x − mean)·g, has no such term either.
///
///     %3 = div %2, %1 {%2 = reduce_sum %0 over A, %1 = |A|}
///     %4 = sub %0, %3
///     %39 = mul %38, %4 {%38 constant along A}       ==>      %42 = constant {value = 0}
///     %42 = reduce_sum %39 over A
extension Canonicalizer {
    /// reduce_sum over A of a value linear in deviations from the mean over A → zeros. Returns
    /// the replaced results.
    func centeredSums() -> [Value: Value] {
        var replacements: [Value: Value] = [:]
        for block in module.body.allBlocks {
            for (index, op) in block.ops.enumerated() {
                guard op.kind == .reduceSum, op.result.type.dtype.isFloatingPoint else { continue }
                let summand = op.operands[0]
                let axes = Set(op.attributes.axes ?? Array(summand.type.shape.indices))
                guard !axes.isEmpty, linearInDeviations(summand, over: axes, depth: 8) else { continue }
                var attrs = Attributes()
                attrs.value = 0
                attrs.shape = op.result.type.shape
                attrs.dtype = op.result.type.dtype
                let zeros = module.makeOp(.constant, [], resultTypes: [op.result.type], attributes: attrs, at: op.location)
                block.ops[index] = zeros
                replacements[op.result] = zeros.result
            }
        }
        return replacements
    }

    /// Whether `value` is a sum of terms k·(x − mean_A(x)), each k constant along `axes` (= A),
    /// within `depth` ops: deviations, their negations, sums and differences, and their products
    /// with and quotients by values constant along A.
    private func linearInDeviations(_ value: Value, over axes: Set<Int>, depth: Int) -> Bool {
        guard depth > 0, let op = value.definingOp, op.result.type.shape == value.type.shape else { return false }
        let operands = op.operands
        switch op.kind {
        case .sub where isDeviation(op, over: axes):
            return true
        case .neg:
            return operands[0].type == value.type && linearInDeviations(operands[0], over: axes, depth: depth - 1)
        case .add, .sub:
            return operands.allSatisfy { $0.type == value.type && linearInDeviations($0, over: axes, depth: depth - 1) }
        case .mul:
            return operands.indices.contains { i in
                operands[i].type == value.type && linearInDeviations(operands[i], over: axes, depth: depth - 1)
                    && Self.isUniform(operands[1 - i], along: axes, in: value.type.shape)
            }
        case .div:
            return operands[0].type == value.type && linearInDeviations(operands[0], over: axes, depth: depth - 1)
                && Self.isUniform(operands[1], along: axes, in: value.type.shape)
        default:
            return false
        }
    }

    /// `op` is x − mean_A(x): x minus (reduce_sum of x over A, dimensions kept) / |A|, or that
    /// mean computed in double and rounded back (batch norm's: the sum kept in double, as
    /// PyTorch's; or the sum of x widened).
    private func isDeviation(_ op: Op, over axes: Set<Int>) -> Bool {
        let (x, mean) = (op.operands[0], op.operands[1])
        func unwidened(_ value: Value) -> Value {
            guard let cast = value.definingOp, cast.kind == .cast else { return value }
            return cast.operands[0]
        }
        guard x.type == op.result.type, let divide = unwidened(mean).definingOp, divide.kind == .div,
              let sum = divide.operands[0].definingOp, sum.kind == .reduceSum, unwidened(sum.operands[0]) == x, sum.attributes.keepDim,
              Set(sum.attributes.axes ?? Array(x.type.shape.indices)) == axes,
              divide.operands[1].type.elementCount == 1, let count = splatValue(divide.operands[1]) else {
            return false
        }
        return count == Double(axes.reduce(1) { $0 * x.type.shape[$1] })
    }

    /// Whether `value`, broadcast to `shape` (aligned from the right), is the same at every
    /// point along `axes`: extent 1 there, or a broadcast_to of such a value.
    private static func isUniform(_ value: Value, along axes: Set<Int>, in shape: [Int]) -> Bool {
        if let op = value.definingOp, op.kind == .broadcastTo { return isUniform(op.operands[0], along: axes, in: shape) }
        let own = value.type.shape
        let offset = shape.count - own.count
        guard offset >= 0 else { return false }
        return axes.allSatisfy { $0 < offset || own[$0 - offset] == 1 }
    }
}
