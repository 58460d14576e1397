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
/// access to it in the nest touches only row i0's part of it, and its bytes overlap no other
/// buffer the nest touches (unless that one is the same slot, same size: an in-place update).
/// A row is what one stride of i0 selects, the same for every access of the buffer: a plain
/// row is `i0 × rowSize + inner` with inner within the row; channel c of `[N, C, P]` is
/// `n × C·P + c × P + p` (`rowStride`). Then iteration i0 touches written memory only in row
/// i0 and everything else is read-only during the nest, so running the kernels row by row
/// computes what running them one after the other does. The memory plan is read as it is:
/// kernels whose slots would break the rule (a slot reused inside the nest) stay separate
/// (its placement gives no value the memory of one that died earlier in its run of kernels).
///
/// Batch norm's backward over `[N, C, H, W]` runs channel by channel: the two channel sums,
/// the per-channel coefficients (an element group of one segment joins as its kernel), the
/// input gradient at every element (lowered as a loop over [N, C, H·W], it joins with its
/// channel loop moved outermost: `movingOutermost`, the same points in another order) and the
/// convolution bias's sum of that gradient, so each channel's rows are read from memory once.
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
    /// A stretch of a block that may join a row nest: one op, or an element group (a group of
    /// one segment joins as the kernel of its segment: batch norm's per-channel coefficients
    /// between the channel sums and the elementwise pass that uses them).
    private enum Item {
        case op(Op)
        case group(ElementGroup)
    }

    /// The ops of `block` (its yield left out): element groups first, then runs of mergeable
    /// kernels and single-segment groups as row nests. The ops in `apart` join no nest (a
    /// target emits them its own way: the C program's pooled activations).
    public static func runs(of block: Block, plan: BufferPlan, apart: Set<ObjectIdentifier> = []) -> [BlockRun] {
        runs(of: ElementGroup.parts(of: block, plan: plan).flatMap { part -> [Item] in
            switch part {
            case .ops(let ops): ops.map(Item.op)
            case .group(let group): [.group(group)]
            }
        }, plan: plan, apart: apart)
    }

    /// `items` with runs of mergeable kernels as row nests.
    private static func runs(of items: [Item], plan: BufferPlan, apart: Set<ObjectIdentifier>) -> [BlockRun] {
        var runs: [BlockRun] = []
        var span: [Item] = []                                 // the candidate's items, transparent ops too
        var members: [(item: Int, ops: [Op], kernel: LoopKernel)] = []   // item: its place in span
        func alone(_ item: Item) -> BlockRun {
            switch item {
            case .op(let op): .op(op)
            case .group(let group): .elements(group)
            }
        }
        func flush() {
            let work = members.reduce(0) { $0 + $1.kernel.work }
            if members.count >= 2, work >= KernelSchedule.parallelWork {
                let nested = Set(members.map(\.item))
                runs += span.indices.filter { !nested.contains($0) }.map { alone(span[$0]) }
                runs.append(.rows(RowNest(members: mergingSiblingReductions(members.map { ($0.ops, $0.kernel) }, plan: plan),
                                          rows: members[0].kernel.parallelExtents[0])))
            } else {
                runs += span.map(alone)
            }
            span = []
            members = []
        }
        for item in items {
            if let (ops, kernel) = rowKernel(item, plan: plan), ops.allSatisfy({ !apart.contains(ObjectIdentifier($0)) }) {
                let fitted = members.first.flatMap { first in
                    kernel.fitted(rows: first.kernel.parallelExtents[0]).first { isLegal(members.map(\.kernel) + [$0], plan: plan) }
                }
                if let fitted {
                    members.append((span.count, ops, fitted))
                    span.append(item)
                } else {
                    flush()
                    if admits(kernel) {
                        span = [item]
                        members = [(0, ops, kernel)]
                    } else {
                        runs.append(alone(item))
                    }
                }
            } else if !members.isEmpty, case .op(let op) = item, emitsNoCode(op, plan: plan) {
                span.append(item)
            } else {
                flush()
                runs.append(alone(item))
            }
        }
        flush()
        return runs
    }

    /// `members` with each run of sibling reductions merged into one kernel.
    private static func mergingSiblingReductions(_ members: [(ops: [Op], kernel: LoopKernel)],
                                                 plan: BufferPlan) -> [(ops: [Op], kernel: LoopKernel)] {
        var merged: [(ops: [Op], kernel: LoopKernel)] = []
        for (ops, kernel) in members {
            if let last = merged.last, let both = last.kernel.mergingSiblingReduction(kernel, sibling: last.ops.count, plan: plan) {
                merged[merged.count - 1] = (last.ops + ops, both)
            } else {
                merged.append((ops, kernel))
            }
        }
        return merged
    }

    /// The ops and kernel of `item` when it is a kernel that might join a row nest: a kernel
    /// op, or an element group of one segment (whether it does, as it is or with its loops
    /// rearranged, `admits` and `fitted` say).
    private static func rowKernel(_ item: Item, plan: BufferPlan) -> (ops: [Op], kernel: LoopKernel)? {
        switch item {
        case .op(let op):
            guard op.results.count == 1, case .kernel(let kernel) = plan.lowering(of: op) else { return nil }
            if case .transposed = plan.storage[op.result] { return nil }
            return ([op], kernel)
        case .group(let group):
            return group.segments.count == 1 ? (group.members, group.segments[0].kernel) : nil
        }
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
        var rowStrides: [BufferPlan.Address: [Int]] = [:]   // [stride of i0, elements]: one per buffer
        for access in accesses where written.contains(plan.address(access.value)) {
            guard let stride = rowStride(access, rows: rows) else { return false }
            let layout = [stride, access.value.type.elementCount]
            if let known = rowStrides.updateValue(layout, forKey: plan.address(access.value)), known != layout { return false }
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

    /// The stride of `i0` in the access when it reads or writes only row `i0` of its buffer,
    /// the buffer seen as `[count / (stride × rows), rows, stride]` (row i0: the elements whose
    /// index / stride % rows is i0; a plain row is stride = count / rows, and batch norm's channel
    /// c of `[N, C, H, W]` is stride H·W): every other term moves by whole multiples of
    /// stride × rows, or stays, with the constant, within `0 ..< stride`. Nil when it does not.
    /// Accesses of one buffer must agree on the stride (`isLegal`), so their rows are the same.
    private static func rowStride(_ access: Access, rows: Int) -> Int? {
        let (count, stride) = (access.value.type.elementCount, access.index.stride(of: .parallel(0)))
        guard rows > 0, stride > 0, count % (stride * rows) == 0 else { return nil }   // no rows: nothing to nest
        var (low, high) = (access.index.constant, access.index.constant)
        for term in access.index.terms where term.variable != .parallel(0) && term.stride % (stride * rows) != 0 {
            guard let extent = access.extents[term.variable] else { return nil }
            let span = term.stride * (extent - 1)
            if span < 0 { low += span } else { high += span }
        }
        return low >= 0 && high < stride ? stride : nil
    }
}

extension LoopKernel {
    /// The forms of the kernel with an outer loop of `rows` iterations, to try in order: its outer
    /// loop split (`splittingOuterLoop`), then each middle loop of `rows` iterations moved
    /// outermost (`movingOutermost`): batch norm's elementwise backward over `[N, C, H·W]` joins
    /// the per-channel sums' nest over C.
    func fitted(rows: Int) -> [LoopKernel] {
        let moved = parallelExtents.indices.dropFirst().dropLast().filter { parallelExtents[$0] == rows }.compactMap(movingOutermost)
        return ([splittingOuterLoop(rows: rows)].compactMap { $0 } + moved).filter(RowNest.admits)
    }

    /// The kernel with parallel loop `axis` outermost, the others in their order: the same
    /// points (each computes what it did: the points of parallel loops are independent), in
    /// another order. Nil when a loop variable is used as a value (only indices are rewritten).
    func movingOutermost(_ axis: Int) -> LoopKernel? {
        guard !usesLoopIndexAsValue else { return nil }
        var moved = mapIndices { index in
            AffineIndex(terms: index.terms.map { term in
                guard case .parallel(let number) = term.variable, number <= axis else { return term }
                return AffineIndex.Term(variable: .parallel(number == axis ? 0 : number + 1), stride: term.stride)
            }, constant: index.constant)
        }
        moved.parallelExtents = [parallelExtents[axis]] + parallelExtents[..<axis] + parallelExtents[(axis + 1)...]
        return moved
    }

    /// Whether a statement reads a loop variable as a value (not only in an index).
    private var usesLoopIndexAsValue: Bool {
        var uses = false
        for statement in allStatements {
            statement.value.visit(indices: { _, _ in }, loopIndex: { _ in uses = true })
        }
        return uses
    }

    /// The kernel with an outer loop of `rows` iterations: itself when it has one; when its
    /// outer loop is a multiple `rows × k`, that loop split in two (`i0` of `rows` and a new
    /// `i1` of `k`, the other loops renumbered), which runs the same points in the same order.
    /// Nil otherwise, or when a loop variable is used as a value (only indices are rewritten),
    /// or when the split kernel would not qualify (`RowNest.admits`).
    func splittingOuterLoop(rows: Int) -> LoopKernel? {
        guard let outer = parallelExtents.first, outer % rows == 0 else { return nil }
        if outer == rows { return self }
        guard !usesLoopIndexAsValue else { return nil }
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
