import TGCBase

/// Full unrolling of a loop op into its block: the autodiff pass differentiates through a loop
/// (a loss accumulated over iterations) by unrolling it, since trip counts are static.
///
///     %r = for %i in 0..<2 carrying (%a = %x) {      %c0 = constant 0 : i64
///         %b = mul %a, %w                     ==>    %b0 = mul %x, %w
///         yield %b                                   %c1 = constant 1 : i64
///     }                                              %b1 = mul %b0, %w      (uses of %r use %b1)
enum LoopUnrolling {
    /// The most ops an unrolled loop may add to its block.
    static let maximumOps = 100_000

    /// Replaces `loop` (an op of `block`) by its iterations, in order; effects inside it run in
    /// the same order as the loop ran them. Throws when the copy would exceed `maximumOps`.
    static func unroll(_ loop: Op, in block: Block, _ module: Module) throws {
        precondition(loop.kind == .forLoop)
        let body = loop.regions[0]
        let (lower, upper) = (loop.attributes.lower ?? 0, loop.attributes.upper ?? 0)
        let iterations = max(0, upper - lower)
        var bodySize = 0
        body.walk { _ in bodySize += 1 }
        if iterations > maximumOps, body.ops.contains(where: { $0.kind == .loopExit }) {
            throw Diagnostic("cannot differentiate through this loop: it ends on a value known only at run time ('while', or a 'break'), so a compiled program does not know how many iterations to differentiate; compute the loss inside the loop, loop over a range of known length, or run it with --eager", at: loop.location)
        }
        guard iterations * bodySize <= maximumOps else {
            throw Diagnostic("cannot differentiate through this loop: unrolling its \(iterations) iterations for the gradient would make more than \(maximumOps) ops; compute the loss inside the loop", at: loop.location)
        }
        var ops: [Op] = []
        var carried = loop.operands
        for index in lower..<max(lower, upper) {
            let counter = module.makeSplat(Double(index), .scalar(.int64), at: loop.location)
            ops.append(counter)
            var mapping = Dictionary(uniqueKeysWithValues: zip(body.arguments, [counter.result] + carried))
            // an unrolled iteration after the loop's stop flag is set runs guarded by the flag
            for op in body.ops where op.kind != .yield && op.kind != .loopExit {
                ops.append(module.copy(op, mapping: &mapping))
            }
            carried = body.yielded.map { mapping[$0] ?? $0 }
        }
        let position = block.ops.firstIndex { $0 === loop }!
        block.ops.replaceSubrange(position...position, with: ops)
        module.replaceAllUses(Dictionary(uniqueKeysWithValues: zip(loop.results, carried)))
    }
}
