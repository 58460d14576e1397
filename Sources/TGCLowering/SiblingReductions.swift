import TGCCore

/// Sibling reductions: two kernels of a row nest (RowNests.swift) whose reduction nests sweep
/// the same elements of the same row and read a common buffer become one kernel with one nest
/// of both accumulators, so the row is read once. Batch norm's backward takes sum(g) and
/// sum(g·x̂) over each channel of the same masked gradient:
///
///     row i0 { a = 0; for r { a += g[r] }; A[i0] = a }          row i0 { a = 0; b = 0
///     row i0 { b = 0; for r { b += g[r]·x[r] }; B[i0] = b }  ==>   for r { a += g[r]; b += g[r]·x[r] }
///                                                                  A[i0] = a; B[i0] = b }
///
/// Each accumulator folds the same elements in the same order as before (the merged nest is
/// vectorized exactly when each alone was: same extents, same reorderability), and the second
/// kernel's locals are renamed apart. Legal when each kernel is one nest followed by plain
/// statements, the nest bodies only update locals, and the second kernel's nest reads nothing
/// the first kernel writes (its statements after the nest may: they still run after it).
extension LoopKernel {
    /// `self` and `next` as one kernel whose nest folds both kernels' accumulators, `next`'s
    /// locals prefixed `k<sibling>_` (`sibling`: how many kernels `self` already merges); nil
    /// when the rule above does not hold.
    func mergingSiblingReduction(_ next: LoopKernel, sibling: Int, plan: BufferPlan) -> LoopKernel? {
        guard parallelExtents == next.parallelExtents, InterchangedNest(self) == nil, InterchangedNest(next) == nil,
              let (nest, after) = singleNest, let (otherNest, otherAfter) = next.singleNest,
              nest.extents == otherNest.extents, nest.isReorderable == otherNest.isReorderable,
              (nest.body + otherNest.body).allSatisfy({ $0.writtenBuffer == nil }) else { return nil }
        let written = Set(allStatements.compactMap(\.writtenBuffer).map(plan.address))
        let otherReads = Set(otherNest.body.flatMap(\.buffersRead).map(plan.address))
        let reads = Set(nest.body.flatMap(\.buffersRead).map(plan.address))
        guard otherReads.isDisjoint(with: written), !otherReads.isDisjoint(with: reads) else { return nil }
        let rename = { (name: String) in "k\(sibling)_" + name }
        var merged = nest
        merged.accumulators += otherNest.accumulators.map { accumulator in
            var renamed = accumulator
            renamed.name = rename(accumulator.name)
            renamed.initial = accumulator.initial.renamingLocals(rename)
            return renamed
        }
        merged.body += otherNest.body.map { $0.renamingLocals(rename) }
        let steps = [KernelStep.nest(merged)] + after.map(KernelStep.statement)
            + otherAfter.map { KernelStep.statement($0.renamingLocals(rename)) }
        return LoopKernel(parallelExtents: parallelExtents, steps: steps)
    }

    /// The kernel's only reduction nest and the statements after it, when it starts with it.
    private var singleNest: (ReductionNest, [KernelStatement])? {
        guard case .nest(let nest) = steps.first else { return nil }
        var after: [KernelStatement] = []
        for step in steps.dropFirst() {
            guard case .statement(let statement) = step else { return nil }
            after.append(statement)
        }
        return (nest, after)
    }
}
