/// ReLU's gradient mask read from the pre-activation where that is recomputed for free: the VJP
/// of `y = relu(z)` selects the gradient where `y > 0` (reading the result, so that a matrix
/// product's epilogue need not keep z), which is where `z > 0`, bit for bit (relu(z) is z or +0,
/// and NaN is not greater than 0 either way). Where z is elementwise arithmetic on values that
/// are stored anyway — a convolution's output and per-channel vectors, as in a batch norm
/// before the ReLU — fusion recomputes z inside the backward's kernels from those, so the
/// backward no longer reads y: one stream less in each of them, and y dies after the forward's
/// last use (B6: the batch-norm backward passes read two full tensors instead of three).
///
///     %3 = add %1, %2 : f32[64, 32, 28, 28]                  ...
///     %4 = relu %3                                  ==>      %6 = greater %3, %5
///     %6 = greater %4, %5 {%5 = 0}
extension Canonicalizer {
    /// greater(relu(z), 0) → greater(z, 0) where z is cheap elementwise arithmetic on stored
    /// values (`recomputedFromStored`). Returns the replaced results.
    func reluMasks() -> [Value: Value] {
        let uses = useCounts()
        var replacements: [Value: Value] = [:]
        for block in module.body.allBlocks {
            for (index, op) in block.ops.enumerated() {
                guard op.kind == .greater, splatValue(op.operands[1]) == 0, op.operands[1].type.elementCount == 1,
                      let relu = op.operands[0].definingOp, relu.kind == .relu,
                      Self.recomputedFromStored(relu.operands[0], uses: uses, depth: 6) else { continue }
                let mask = module.makeOp(.greater, [relu.operands[0], op.operands[1]], resultTypes: [op.result.type], at: op.location)
                block.ops[index] = mask
                replacements[op.result] = mask.result
            }
        }
        return replacements
    }

    /// Whether `value` is cheap elementwise arithmetic and moves, within `depth` ops, on values
    /// that are stored (the result of an op that fusion never merges into its consumers, of a
    /// source such as an input, or a block argument) and read elsewhere anyway — the stored
    /// value, or a value on the way from it up to z, has another reader, as a batch norm's
    /// statistics and its backward read its input — or on small ones (an eighth the size of
    /// `full` or less, such as per-channel vectors). A ReLU straight after a convolution and its
    /// bias is left alone: its mask read from the convolution's output would keep that alive
    /// into the backward for no read saved.
    private static func recomputedFromStored(_ value: Value, of full: Int? = nil, uses: [Value: Int], readElsewhere: Bool = false,
                                             depth: Int) -> Bool {
        let readElsewhere = readElsewhere || (full != nil && uses[value, default: 0] >= 2)
        let full = full ?? value.type.elementCount
        if value.type.elementCount * 8 <= full { return true }
        guard let op = value.definingOp else { return readElsewhere }
        let definition = op.kind.definition
        switch definition.fusion {
        case .opaque:
            return op.results.count == 1 && readElsewhere
        case .source:
            return readElsewhere
        case .elementwise, .broadcast, .indexMap:
            guard depth > 0, definition.cost == .cheap, !definition.hasEffects else { return false }
            return op.operands.allSatisfy {
                recomputedFromStored($0, of: full, uses: uses, readElsewhere: readElsewhere, depth: depth - 1)
            }
        case .reduction, .gatherScatter, .outEpilogue, .control:
            return false
        }
    }
}
