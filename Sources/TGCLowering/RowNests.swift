import TGCCore

/// Row nests: consecutive kernels of a block whose outer parallel loops run over the same rows
/// are emitted under ONE outer parallel loop, their inner loops in sequence, so each row is
/// still in cache when the next kernel reads it. A row softmax's three sweeps of the tensor
/// (row max, row sum of exp(x - m), exp(x - m) / s) become one:
///
///     for i0 (parallel) { m = max of row }          for i0 (parallel) {
///     for i0 (parallel) { s = sum of row }    ==>       { m[i0] = max of row i0 }
///     for i0 (parallel) { for i1 { out = ... } }        { s[i0] = sum of row i0 }
///                                                       for i1 { out[i0, i1] = ... }
///                                                   }
///
/// Each kernel's own code is unchanged (same loops, same summation order), so results are
/// the same bits as with separate kernels. Legal when, for every buffer a member writes, every
/// access to it in the nest touches only row i0's part of it (`i0 × rowSize + inner`, inner
/// within the row), and its bytes overlap no other buffer the nest touches (unless that one
/// is the same slot, same size: an in-place update). Then iteration i0 touches written
/// memory only in row i0 and everything else is read-only during the nest, so running the
/// kernels row by row computes what running them one after the other does. The memory plan
/// is read as it is: kernels whose slots would break the rule (a slot reused inside the nest)
/// stay separate.
///
/// A reduction over a middle axis (softmax over dim 1 of `[64, 512, 32]`) runs interchanged
/// (InterchangedNests.swift) and joins the nest when it has a loop outside its lanes: its row
/// function runs the blocks of lanes of row i0. A kernel whose outer loop covers several rows
/// at once (`[64, 1, 32]` collapsed into one loop of 2048) joins with its loop split into
/// rows × the rest (`splittingOuterLoop`), which changes no point's computation.
///
/// Limitations: only kernels with no other code between them (views and static data emit
/// none); only outer loops of at least `minimumRows` rows, and only nests with enough work to
/// run in parallel; intermediates stay in their arena slots (no per-row scratch).
public struct RowNest {
    /// The member kernels in program order, with the ops each computes (several where sibling
    /// reductions share one nest: SiblingReductions.swift).
    public var members: [(ops: [Op], kernel: LoopKernel)]
    /// The extent of the shared outer loop `i0`.
    public var rows: Int

    /// Fewer rows than this do not share a loop: the separate kernels would collapse their
    /// outer loops for parallelism (KernelSchedule).
    public static let minimumRows = 16
}

/// What `emitBlock` emits: one op, a row nest of several kernel ops, or an element group
/// (ElementGroups.swift).
public enum BlockRun {
    case op(Op)
    case rows(RowNest)
    case elements(ElementGroup)
}

extension RowNest {
    /// The ops of `block` (its yield left out): element groups first, then runs of mergeable
    /// kernels among the other ops as row nests.
    public static func runs(of block: Block, plan: BufferPlan) -> [BlockRun] {
        ElementGroup.parts(of: block, plan: plan).flatMap { part -> [BlockRun] in
            switch part {
            case .ops(let ops): runs(of: ops, plan: plan)
            case .group(let group): [.elements(group)]
            }
        }
    }

    /// `ops` with runs of mergeable kernels as row nests.
    private static func runs(of ops: [Op], plan: BufferPlan) -> [BlockRun] {
        var runs: [BlockRun] = []
        var span: [Op] = []                              // the candidate's ops, transparent ones too
        var members: [(op: Op, kernel: LoopKernel)] = []
        func flush() {
            let work = members.reduce(0) { $0 + $1.kernel.work }
            if members.count >= 2, work >= KernelSchedule.parallelWork {
                let kernels = Set(members.map { ObjectIdentifier($0.op) })
                runs += span.filter { !kernels.contains(ObjectIdentifier($0)) }.map(BlockRun.op)
                runs.append(.rows(RowNest(members: mergingSiblingReductions(members, plan: plan),
                                          rows: members[0].kernel.parallelExtents[0])))
            } else {
                runs += span.map(BlockRun.op)
            }
            span = []
            members = []
        }
        for op in ops {
            if let kernel = rowKernel(op, plan: plan) {
                let fitted = members.first.flatMap { kernel.splittingOuterLoop(rows: $0.kernel.parallelExtents[0]) }
                if let fitted, isLegal(members.map(\.kernel) + [fitted], plan: plan) {
                    span.append(op)
                    members.append((op, fitted))
                } else {
                    flush()
                    span = [op]
                    members = [(op, kernel)]
                }
            } else if !members.isEmpty, emitsNoCode(op, plan: plan) {
                span.append(op)
            } else {
                flush()
                runs.append(.op(op))
            }
        }
        flush()
        return runs
    }

    /// `members` with each run of sibling reductions merged into one kernel.
    private static func mergingSiblingReductions(_ members: [(op: Op, kernel: LoopKernel)],
                                                 plan: BufferPlan) -> [(ops: [Op], kernel: LoopKernel)] {
        var merged: [(ops: [Op], kernel: LoopKernel)] = []
        for (op, kernel) in members {
            if let last = merged.last, let both = last.kernel.mergingSiblingReduction(kernel, sibling: last.ops.count, plan: plan) {
                merged[merged.count - 1] = (last.ops + [op], both)
            } else {
                merged.append(([op], kernel))
            }
        }
        return merged
    }

    /// The kernel of `op` when it may join a row nest (`admits`).
    private static func rowKernel(_ op: Op, plan: BufferPlan) -> LoopKernel? {
        guard op.results.count == 1, case .kernel(let kernel) = plan.lowering(of: op), admits(kernel) else { return nil }
        if case .transposed = plan.storage[op.result] { return nil }
        return kernel
    }

    /// Whether `kernel` may join a row nest: an outer parallel loop of at least `minimumRows`,
    /// not the lanes of an interchanged nest, and no irregular forms (KernelForms.swift): the
    /// legality proof reads every address as affine (an indirect load may read any row, an
    /// accumulating or indirect store may write another row's elements).
    static func admits(_ kernel: LoopKernel) -> Bool {
        guard kernel.forms.isEmpty, let rows = kernel.parallelExtents.first, rows >= minimumRows else { return false }
        return kernel.parallelExtents.count >= 2 || InterchangedNest(kernel) == nil
    }

    /// Ops that generate no statements (a view, static data, a transpose folded into matmuls).
    static func emitsNoCode(_ op: Op, plan: BufferPlan) -> Bool {
        if op.results.count == 1, case .transposed = plan.storage[op.result] { return true }
        switch plan.lowering(of: op) {
        case .view, .staticData: return true
        case .kernel, .gemm, .random, .argsort, .cascadeSum, .nllSum, .convolution, .input, .load, .hyper, .save, .print, .progress, .addScalar, .reseed, .loopExit, .allReduce, .processRank, .loop, .branch, .yield: return false
        }
    }

    // MARK: legality

    /// One load or store of a buffer, with the extents of the loop variables around it.
    private struct Access {
        var value: Value
        var index: AffineIndex
        var extents: [LoopVariable: Int]
        var isWrite: Bool
    }

    /// Whether `kernels` (all with outer loops over the same rows) may share their outer loop.
    static func isLegal(_ kernels: [LoopKernel], plan: BufferPlan) -> Bool {
        guard let rows = kernels.first?.parallelExtents.first else { return false }
        var accesses: [Access] = []
        for kernel in kernels {
            kernel.forEachStatement { statement, extents in
                if case .store(let value, let index, _) = statement {
                    accesses.append(Access(value: value, index: index, extents: extents, isWrite: true))
                }
                statement.value.visit(indices: { value, index in
                    if let value { accesses.append(Access(value: value, index: index, extents: extents, isWrite: false)) }
                })
            }
        }
        let written = Set(accesses.filter(\.isWrite).map { plan.address($0.value) })
        for access in accesses where written.contains(plan.address(access.value)) {
            guard isRowLocal(access, rows: rows) else { return false }
        }
        // Written memory overlaps nothing else the nest touches, except the same slot.
        var touched: [BufferPlan.Address: Range<Int>] = [:]   // arena bytes, widest use
        for access in accesses {
            let root = plan.root(access.value)
            guard case .arena(let offset) = plan.storage[root] else { continue }
            let range = offset..<(offset + MemoryPlan.bytes(root.type))
            let address = plan.address(access.value)
            if let known = touched[address], known != range {
                if written.contains(address) { return false }   // rows of different sizes
                touched[address] = known.count >= range.count ? known : range
            } else {
                touched[address] = range
            }
        }
        for (address, range) in touched where written.contains(address) && !range.isEmpty {
            for (other, otherRange) in touched where other != address && range.overlaps(otherRange) { return false }
        }
        return true
    }

    /// The access reads or writes only row `i0` of its buffer: `i0 × rowSize + inner` with
    /// `0 <= inner < rowSize` for every value of the other loop variables.
    private static func isRowLocal(_ access: Access, rows: Int) -> Bool {
        let count = access.value.type.elementCount
        guard rows > 0, count % rows == 0 else { return false }   // no rows: nothing to nest
        let rowSize = count / rows
        guard access.index.stride(of: .parallel(0)) == rowSize else { return false }
        var (low, high) = (access.index.constant, access.index.constant)
        for term in access.index.terms where term.variable != .parallel(0) {
            guard let extent = access.extents[term.variable] else { return false }
            let span = term.stride * (extent - 1)
            if span < 0 { low += span } else { high += span }
        }
        return low >= 0 && high < rowSize
    }
}

extension LoopKernel {
    /// The kernel with an outer loop of `rows` iterations: itself when it has one; when its
    /// outer loop is a multiple `rows × k`, that loop split in two (`i0` of `rows` and a new
    /// `i1` of `k`, the other loops renumbered), which runs the same points in the same order.
    /// Nil otherwise, or when a loop variable is used as a value (only indices are rewritten),
    /// or when the split kernel would not qualify (`RowNest.admits`).
    func splittingOuterLoop(rows: Int) -> LoopKernel? {
        guard let outer = parallelExtents.first, outer % rows == 0 else { return nil }
        if outer == rows { return self }
        var usesLoopIndex = false
        for statement in allStatements {
            statement.value.visit(indices: { _, _ in }, loopIndex: { _ in usesLoopIndex = true })
        }
        guard !usesLoopIndex else { return nil }
        let k = outer / rows
        var split = mapIndices { index in
            AffineIndex(terms: index.terms.flatMap { term -> [AffineIndex.Term] in
                guard case .parallel(let axis) = term.variable else { return [term] }
                if axis > 0 { return [AffineIndex.Term(variable: .parallel(axis + 1), stride: term.stride)] }
                return [AffineIndex.Term(variable: .parallel(0), stride: term.stride * k),
                        AffineIndex.Term(variable: .parallel(1), stride: term.stride)]
            }, constant: index.constant)
        }
        split.parallelExtents = [rows, k] + parallelExtents.dropFirst()
        return RowNest.admits(split) ? split : nil
    }
}
