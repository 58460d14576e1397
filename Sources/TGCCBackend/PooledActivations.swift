import TGCCore
import TGCLowering

/// Max pooling that makes its input itself: convolution, batch norm and ReLU end in a kernel
/// `relu((y + bias) · scale + shift)` with one bias, scale and shift per channel, whose only
/// reader is a float32 max pooling (and, in training, the gather of the pooled values at its
/// argmaxes: `Builder.pool2d`'s form). The kernel is not emitted; the pooling calls
/// `tgc_max_pool2d_affine_relu_f32` on `y`, which makes each plane's activations where it pools
/// them (the same operations, so the same bits) and writes the values in place of the gather.
/// The activations, 6.4 MB in B6's first layer, are neither stored nor read back.
///
///     %5 = fusion (%y, %b, %s, %t) : f32[64, 32, 28, 28] {          (not emitted)
///       add, mul, add, relu }
///     %6 = max_pool2d_indices %5             tgc_max_pool2d_affine_relu_f32(&shape, y, b, s, t, v6, v9);
///     %7 = reshape %5 ... %8 = reshape %6
///     %9 = gather %7, %8 {axes = [2]}        (written by the pooling)
struct PooledActivation {
    /// The elementwise kernel whose result only the pooling reads.
    let activation: Op
    /// The pooling: `maxPool2dIndices` or `maxPool2d`.
    let pool: Op
    /// The gather of the pooled values (training), or nil.
    let gather: Op?
    /// One number per channel: a tensor of the program, or a constant folded into the kernel.
    enum PerChannel {
        case value(Value)
        case constant([Double])
    }

    /// y, and the per-channel bias (nil: none), scale and shift.
    let input: Value
    let bias: PerChannel?
    let scale: PerChannel
    let shift: PerChannel
    /// Whether `· scale + shift` is one fused multiply-add (batch norm's), else two roundings.
    let fused: Bool

    /// The candidates of `module`, by their pooling op.
    static func find(in module: Module, plan: BufferPlan) -> [ObjectIdentifier: PooledActivation] {
        var users: [Value: [Op]] = [:]
        var blocks: [Block] = []
        func visit(_ block: Block) {
            blocks.append(block)
            for op in block.ops {
                for operand in op.operands { users[operand, default: []].append(op) }
                if op.kind != .fusion { op.regions.forEach(visit) }
            }
        }
        visit(module.body)
        var found: [ObjectIdentifier: PooledActivation] = [:]
        for block in blocks {
            let candidates = block.ops.enumerated().compactMap { index, pool in
                pool.kind == .maxPool2dIndices || pool.kind == .maxPool2d ? candidate(pool, at: index, in: block, users: users, plan: plan) : nil
            }
            guard !candidates.isEmpty else { continue }
            // the block's ops emitted one by one (not in a row nest or element group)
            let alone = Set(RowNest.runs(of: block, plan: plan, apart: keptApart(candidates)).compactMap { run in
                if case .op(let op) = run { return ObjectIdentifier(op) }
                return nil
            })
            for candidate in candidates where candidate.ops.allSatisfy({ alone.contains(ObjectIdentifier($0)) }) {
                found[ObjectIdentifier(candidate.pool)] = candidate
            }
        }
        return found
    }

    /// The activation kernel and the gather: the ops the pooling stands in for.
    var ops: [Op] { [activation] + (gather.map { [$0] } ?? []) }

    /// The ops of `pooled` that row nests leave alone (`RowNest.runs`'s `apart`).
    static func keptApart(_ pooled: some Sequence<PooledActivation>) -> Set<ObjectIdentifier> {
        Set(pooled.flatMap(\.ops).map(ObjectIdentifier.init))
    }

    private static func candidate(_ pool: Op, at index: Int, in block: Block, users: [Value: [Op]], plan: BufferPlan) -> PooledActivation? {
        let activations = pool.operands[0]
        guard activations.type.dtype == .float32, activations.type.rank == 4, let fusion = activations.definingOp,
              fusion.kind == .fusion, fusion.results.count == 1, block.ops.contains(where: { $0 === fusion }),
              let (input, bias, scale, shift, fused) = affineRelu(fusion, channels: activations.type.shape[1]) else { return nil }
        // Who reads the activations: the pooling, and in training the gather of its values.
        var gather: Op?
        for reader in users[activations] ?? [] where reader !== pool {
            guard pool.kind == .maxPool2dIndices, gather == nil, reader.kind == .reshape,
                  let readers = users[reader.result], readers.count == 1, let candidate = readers.first,
                  candidate.kind == .gather, candidate.attributes.axes == [2], candidate.operands[0] == reader.result,
                  let indices = candidate.operands[1].definingOp, indices.kind == .reshape, indices.operands[0] == pool.result,
                  let at = block.ops.firstIndex(where: { $0 === candidate }), at > index,
                  block.ops[(index + 1)..<at].allSatisfy({ $0.kind == .reshape }) else { return nil }
            gather = candidate
        }
        if pool.kind == .maxPool2dIndices && gather == nil { return nil }
        // The pooling's outputs are written while y is read (the runtime copies the per-channel
        // numbers first: the outputs may reuse their bytes).
        guard !(pool.results + (gather?.results ?? [])).contains(where: { plan.overlaps($0, input) }) else { return nil }
        return PooledActivation(activation: fusion, pool: pool, gather: gather, input: input, bias: bias, scale: scale, shift: shift, fused: fused)
    }

    /// y, bias, scale and shift of a fusion computing `relu((y + bias) · scale + shift)` (or
    /// `relu(y · scale + shift)`) with y of the result's type and the others one number per
    /// channel ([1, C, 1, 1] or [C, 1, 1] float32); the additions' and the multiplication's
    /// operands in either order (they commute exactly); `· scale + shift` as a multiplication
    /// and an addition, or as one fused multiply-add (`fused`).
    private static func affineRelu(_ fusion: Op, channels: Int) -> (input: Value, bias: PerChannel?, scale: PerChannel, shift: PerChannel, fused: Bool)? {
        let region = fusion.regions[0]
        let ops = region.ops.filter { $0.kind != .yield && $0.kind != .constant }   // constants: read through perChannel
        guard (2...4).contains(ops.count), let relu = ops.last, relu.kind == .relu, region.yielded == [relu.result] else { return nil }
        let outer = Dictionary(uniqueKeysWithValues: zip(region.arguments, fusion.operands))
        let perChannelShapes = [[1, channels, 1, 1], [channels, 1, 1]]
        func perChannel(_ value: Value) -> PerChannel? {
            if let operand = outer[value] {
                guard operand.type.dtype == .float32, perChannelShapes.contains(operand.type.shape) else { return nil }
                return .value(operand)
            }
            // A constant folded into the kernel (batch norm's statistics known when compiling):
            // one value, or one per channel.
            guard let constant = value.definingOp, constant.kind == .constant, value.type.dtype == .float32,
                  value.type.elementCount == 1 || perChannelShapes.contains(value.type.shape) else { return nil }
            if let splat = constant.attributes.value { return .constant(Array(repeating: splat, count: channels)) }
            guard let data = constant.attributes.data else { return nil }
            return .constant(data.count == 1 ? Array(repeating: data[0], count: channels) : data)
        }
        func input(_ value: Value) -> Value? { outer[value].flatMap { $0.type == fusion.result.type ? $0 : nil } }
        // (what `op`, a `kind` of two operands, takes `chain` or an input with, the operand `chain` is or stands for)
        func binary(_ op: Op, _ kind: OpKind, _ chain: (Value) -> Bool) -> (other: Value, chained: Value)? {
            guard op.kind == kind, op.operands.count == 2 else { return nil }
            if chain(op.operands[0]) { return (op.operands[1], op.operands[0]) }
            return chain(op.operands[1]) ? (op.operands[0], op.operands[1]) : nil
        }
        let shifted = ops[ops.count - 2]
        guard relu.operands == [shifted.result] else { return nil }
        // `· scale + shift`: the shifted value, the shift, and the value that is scaled.
        let scaled: (value: Value, scale: PerChannel, shift: PerChannel, fused: Bool, ops: Int)
        if shifted.kind == .fusedMultiplyAdd {
            guard let shift = perChannel(shifted.operands[2]) else { return nil }
            if let scale = perChannel(shifted.operands[1]) {
                scaled = (shifted.operands[0], scale, shift, true, 1)
            } else if let scale = perChannel(shifted.operands[0]) {
                scaled = (shifted.operands[1], scale, shift, true, 1)
            } else { return nil }
        } else {
            guard ops.count >= 3 else { return nil }
            let product = ops[ops.count - 3]
            guard let shiftArgument = binary(shifted, .add, { $0 == product.result }), let shift = perChannel(shiftArgument.other),
                  product.kind == .mul, product.operands.count == 2 else { return nil }
            if let scale = perChannel(product.operands[1]) {
                scaled = (product.operands[0], scale, shift, false, 2)
            } else if let scale = perChannel(product.operands[0]) {
                scaled = (product.operands[1], scale, shift, false, 2)
            } else { return nil }
        }
        switch ops.count - 1 - scaled.ops {
        case 0:
            guard let y = input(scaled.value) else { return nil }
            return (y, nil, scaled.scale, scaled.shift, scaled.fused)
        case 1:
            let biased = ops[0]
            guard scaled.value == biased.result, let sum = binary(biased, .add, { input($0) != nil }), let bias = perChannel(sum.other),
                  let y = input(sum.chained) else { return nil }
            return (y, bias, scaled.scale, scaled.shift, scaled.fused)
        default:
            return nil
        }
    }
}
