/// Max pooling without its indices where nothing else reads them: the language's max pooling is
/// a `maxPool2dIndices` op and a `gather` of the input plane there (`Builder.pool2d`), so that
/// its gradient can scatter-add at the same argmaxes; once autodiff has run, a gather whose
/// indices no backward reads (inference, evaluation, a library's function) becomes a `maxPool2d`
/// op, which writes the values at those argmaxes (the same bits) with no int64 index buffer.
/// Eager mode, which runs no passes, and every training step keep the indices and the gather.
///
///     %2 = max_pool2d_indices %1 {window = ...} : i64[1, 32, 14, 14]
///     %3 = reshape %1 {shape = [1, 32, 784]}                 %7 = max_pool2d %1 {window = ...}
///     %4 = reshape %2 {shape = [1, 32, 196]}         ==>     %8 = reshape %7 {shape = [1, 32, 196]}
///     %5 = gather %3, %4 {axes = [2]} : f32[1, 32, 196]
extension Canonicalizer {
    /// gather(reshape(x), reshape(maxPool2dIndices(x))) → reshape(maxPool2d(x)) where the indices
    /// and their reshape have no other use. Returns the replaced results.
    func maxPoolValues() -> [Value: Value] {
        let uses = useCounts()
        var replacements: [Value: Value] = [:]
        for block in module.body.allBlocks {
            var ops: [Op] = []
            for op in block.ops {
                guard let pool = Self.poolOfGather(op), uses[op.operands[1]] == 1, uses[pool.result] == 1 else {
                    ops.append(op)
                    continue
                }
                let x = pool.operands[0]
                let values = module.makeOp(.maxPool2d, [x], resultTypes: [TensorType(pool.result.type.shape, x.type.dtype)],
                                           attributes: pool.attributes, at: pool.location)
                var shape = Attributes()
                shape.shape = op.result.type.shape
                let flat = module.makeOp(.reshape, [values.result], resultTypes: [op.result.type], attributes: shape, at: op.location)
                ops += [values, flat]
                replacements[op.result] = flat.result
            }
            block.ops = ops
        }
        return replacements
    }

    /// The `maxPool2dIndices` op of a max pooling's gather (Builder.pool2d's form: the gather
    /// along axis 2 of x's planes [N, C, H·W] at the indices reshaped to [N, C, Ho·Wo]), if op is one.
    private static func poolOfGather(_ op: Op) -> Op? {
        guard op.kind == .gather, op.attributes.axes == [2], let plane = op.operands[0].definingOp, plane.kind == .reshape,
              let indices = op.operands[1].definingOp, indices.kind == .reshape,
              let pool = indices.operands[0].definingOp, pool.kind == .maxPool2dIndices,
              pool.operands[0] == plane.operands[0] else { return nil }
        return pool
    }
}
