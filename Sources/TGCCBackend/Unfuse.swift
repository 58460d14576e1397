import TGCCore

/// Inlines every `fusion` op's region back into its block (one loop nest per op again).
/// The C emitter runs this until fused groups get their own single-loop-nest lowering.
enum Unfuse {
    static func apply(to module: Module) {
        for block in module.body.allBlocks {
            guard block.ops.contains(where: { $0.kind == .fusion }) else { continue }
            var ops: [Op] = []
            var replacements: [Value: Value] = [:]
            for op in block.ops {
                guard op.kind == .fusion else { ops.append(op); continue }
                let region = op.regions[0]
                let bind = Dictionary(uniqueKeysWithValues: zip(region.arguments, op.operands))
                for inner in region.ops where inner.kind != .yield {
                    inner.operands = inner.operands.map { bind[$0] ?? $0 }
                    ops.append(inner)
                }
                for (result, yielded) in zip(op.results, region.yielded) { replacements[result] = bind[yielded] ?? yielded }
            }
            block.ops = ops
            module.replaceAllUses(replacements)
        }
    }
}
