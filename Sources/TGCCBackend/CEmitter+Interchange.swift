import TGCCore
import TGCLowering

/// Interchanged nests (InterchangedNests.swift): the blocks of the innermost parallel loop,
/// each with one stack array per accumulator, the reduction loops around a `simd` loop over
/// the block's lanes, then the kernel's statements lane by lane.
///
///     for (int64_t blk = 0; blk < 4; blk++) {
///         const int64_t lo = blk * 64;
///         const int64_t hi = lo + 64;
///         double acc0[64];
///         for (i0 = lo; i0 < hi; i0++) acc0[i0 - lo] = 0.0;
///         for (r0 = 0; r0 < 128; r0++) for (i0 = lo; i0 < hi; i0++) acc0[i0 - lo] += (double)v3[r0 * 256 + i0];
///         for (i0 = lo; i0 < hi; i0++) v4[i0] = (float)acc0[i0 - lo];
///     }
extension CProgramEmitter {
    /// `firstAxis` outer parallel loops are already open (1 in a row function: `i0` is the row).
    mutating func emitInterchanged(_ kernel: LoopKernel, _ schedule: KernelSchedule,
                                   _ interchange: InterchangedNest, _ renderer: CFamilyRenderer, firstAxis: Int = 0) {
        guard case .nest(let nest) = kernel.steps.first else { return }
        let outer = kernel.parallelExtents.dropLast().dropFirst(firstAxis)
        let lane = LoopVariable.parallel(kernel.parallelExtents.count - 1).name
        let (lanes, length) = (interchange.lanes, interchange.length)
        let pragma = schedule.parallel ? "#pragma omp parallel for" + (outer.isEmpty ? "" : " collapse(\(outer.count + 1))") : nil
        for (axis, extent) in zip(outer.indices, outer) {
            functions.openLoop(LoopVariable.parallel(axis).name, to: "\(extent)", pragma: axis == outer.startIndex ? pragma : nil)
        }
        functions.openLoop("blk", to: "\(interchange.blocks)", pragma: outer.isEmpty ? pragma : nil)
        functions.line("const int64_t lo = blk * \(length);")
        functions.line("const int64_t hi = " + (lanes % length == 0 ? "lo + \(length);" : "lo + \(length) < \(lanes) ? lo + \(length) : \(lanes);"))
        var names: [String: String] = [:]
        for accumulator in nest.accumulators {
            names[accumulator.name] = "\(accumulator.name)[\(lane) - lo]"
            functions.line("\(accumulator.type.cName) \(accumulator.name)[\(length)];")
        }
        openLanes(lane)
        for accumulator in nest.accumulators {
            functions.line("\(names[accumulator.name]!) = \(renderer.render(accumulator.initial));")
        }
        functions.close()
        for (axis, extent) in nest.extents.enumerated() {
            functions.openLoop(LoopVariable.reduction(axis).name, to: "\(extent)")
        }
        openLanes(lane)
        for statement in nest.body { functions.line(renderer.render(statement.renamingLocals { names[$0] ?? $0 })) }
        functions.close()
        for _ in nest.extents { functions.close() }
        openLanes(lane)
        for case .statement(let statement) in kernel.steps.dropFirst() {
            functions.line(renderer.render(statement.renamingLocals { names[$0] ?? $0 }))
        }
        functions.close()
        functions.close()
        for _ in outer { functions.close() }
    }

    /// `for` over the lanes of the current block, vectorized: the lanes are independent.
    private mutating func openLanes(_ lane: String) {
        functions.openLoop(lane, from: "lo", to: "hi", pragma: "#pragma omp simd")
    }
}
