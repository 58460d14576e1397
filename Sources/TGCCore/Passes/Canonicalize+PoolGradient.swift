/// Max pooling's gradient as one pass: where the windows tile the input exactly (kernel ==
/// stride, no padding, dilation 1, H = Ho·kh, W = Wo·kw), each input position lies in one
/// window, so the scatter-add of the pooled gradient onto zeros at the windows' argmaxes
/// (the gather's derivative) is a select that writes every position once:
///
///     %z = constant {value = 0} : f32[N, C, H·W]          %p = arange : i64[H·W]   (iy·W + ix)
///     %s = scatter_add %z, reshape(%argmax), %g     ==>   %s = reshape(select(argmax[n, c, oy, ox] == p[oy, a, ox, b],
///            {axes = [2]} : f32[N, C, H·W]                                     g[n, c, oy, ox], 0) + 0)
///
/// over [N, C, Ho, kh, Wo, kw]: the row-major position of (oy, a, ox, b) in that shape is the
/// plane offset (oy·kh + a)·W + ox·kw + b of the window's tap. No zero fill, no index-checked
/// scatter (the indices are the pool's own), and the select fuses with its consumers. Each
/// element is the scatter's exactly (`+ 0`: a -0 gradient lands as +0, as on a zero base).
extension Canonicalizer {
    /// Rewrites every such scatter-add; returns the replaced results.
    func unscatteredPoolGradients() -> [Value: Value] {
        var replacements: [Value: Value] = [:]
        for block in module.body.allBlocks {
            var ops: [Op] = []
            for op in block.ops {
                guard let rewrite = poolGradient(op) else {
                    ops.append(op)
                    continue
                }
                ops += rewrite
                replacements[op.result] = rewrite.last!.result
            }
            block.ops = ops
        }
        return replacements
    }

    /// The ops computing `op` as a select, when it is the scatter-add of a tiling max pool.
    private func poolGradient(_ op: Op) -> [Op]? {
        guard op.kind == .scatterAdd, op.attributes.axes == [2], op.result.type.rank == 3,
              let base = op.operands[0].definingOp, base.kind == .constant, base.attributes.value == 0,
              let reshaped = op.operands[1].definingOp, reshaped.kind == .reshape,
              let pool = reshaped.operands[0].definingOp, pool.kind == .maxPool2dIndices,
              let window = pool.attributes.window, window.count == 9 else { return nil }
        let (kh, kw) = (window[0], window[1])
        let input = pool.operands[0].type.shape, pooled = pool.result.type.shape
        let (n, c, h, w, oh, ow) = (input[0], input[1], input[2], input[3], pooled[2], pooled[3])
        guard window[2] == kh, window[3] == kw, window[4] == 0, window[5] == 0, window[6] == 1, window[7] == 1,
              h == oh * kh, w == ow * kw, op.result.type.shape == [n, c, h * w] else { return nil }
        let location = op.location
        let dtype = op.result.type.dtype
        let taps = [n, c, oh, kh, ow, kw], spread = [n, c, oh, 1, ow, 1]
        func make(_ kind: OpKind, _ operands: [Value], _ shape: [Int], _ type: DType, _ attributes: Attributes = .none) -> Op {
            module.makeOp(kind, operands, resultTypes: [TensorType(shape, type)], attributes: attributes, at: location)
        }
        func reshape(_ value: Value, _ shape: [Int]) -> Op {
            var attributes = Attributes()
            attributes.shape = shape
            return make(.reshape, [value], shape, value.type.dtype, attributes)
        }
        var positions = Attributes()
        (positions.start, positions.step, positions.shape, positions.dtype) = (0, 1, [h * w], .int64)
        let arange = make(.arange, [], [h * w], .int64, positions)
        var zero = Attributes()
        (zero.value, zero.shape, zero.dtype) = (0, [], dtype)
        let zeroOp = make(.constant, [], [], dtype, zero)
        let argmax = reshape(pool.result, spread)
        let plane = reshape(arange.result, [1, 1, oh, kh, ow, kw])
        let taken = make(.equal, [argmax.result, plane.result], taps, .bool)
        let gradient = reshape(op.operands[2], spread)
        let selected = make(.select, [taken.result, gradient.result, zeroOp.result], taps, dtype)
        let landed = make(.add, [selected.result, zeroOp.result], taps, dtype)
        let result = reshape(landed.result, [n, c, h * w])
        return [arange, zeroOp, argmax, plane, taken, gradient, selected, landed, result]
    }
}
