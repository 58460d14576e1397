import TGCCore

/// Element groups: a run of independent elementwise kernels, such as an optimizer step's
/// updates of every parameter and moment (PyTorch's fused/foreach step), SGD's momentum
/// buffers, weight decay or batch norm's running statistics, becomes ONE kernel: one loop over
/// the concatenated elements of every tensor it writes, which threads share by elements (fixed
/// chunks), so a 401k-element weight and a 10-element bias are split evenly. Each kernel is
/// flattened to one loop over its tensor's elements; the kernels of one element count form a
/// segment that runs them in order at each element (multi-output fusion: a value a kernel
/// stores is handed to the later kernels in a register, so Adam reads g, m, v, p once and
/// writes m, v, p once):
///
///     m[i] = m[i] + w * (g[i] - m[i])            for e in chunk (parallel) {
///     v[i] = v[i] * b2 + (1 - b2) * g[i]^2  ==>      segment of w1 (i = e - 0):   m', v', p' of w1
///     p[i] = p[i] - s * m[i] / (sqrt(v[i])...)       segment of w2 (i = e - 288): m', v', p' of w2
///     (and the same for every parameter)         }
///
/// Each kernel's arithmetic is unchanged, so results are the same bits. Legal when (1) within
/// a segment every access to a buffer a member writes is at the element being computed (the
/// row-nest rule with rows of one element, `RowNest.isLegal`), and (2) no segment touches memory
/// another segment writes: the segments run in any order, interleaved across threads, so
/// a kernel that reads another's output at any other element, or a scalar another computes
/// (Adam's bias corrections), is never merged with it. A kernel is a candidate when it has
/// loops, no reductions and no irregular forms, and every address it uses is a constant (a
/// broadcast scalar) or a multiple of its flat position plus a constant (`flattened`). Groups
/// hold any dtypes; the greedy scan keeps program order (only ops that emit no code, views,
/// may sit between members) and closes a group at the first kernel that cannot join.
public struct ElementGroup {
    /// The kernels of one element count, merged into one loop of `count` iterations.
    public struct Segment {
        /// The member ops, in program order.
        public var members: [Op]
        /// One parallel loop over the elements, running every member's statements in order.
        public var kernel: LoopKernel
        /// The segment's first element in the group's concatenated range.
        public var offset: Int

        public var count: Int { kernel.parallelExtents[0] }
    }

    public var segments: [Segment]

    /// The member ops, in program order.
    public var members: [Op]

    /// The length of the concatenated range.
    public var elementCount: Int { segments.reduce(0) { $0 + $1.count } }

    /// Elements computed, summed over the member kernels: what decides whether threads share it.
    public var work: Int { segments.reduce(0) { $0 + $1.count * $1.members.count } }

    /// At most this many kernels join one group: the scan checks every candidate against the
    /// whole group, so a program of thousands of elementwise kernels stays linear.
    public static let maximumMembers = 128

    /// The group of `members` (program order, each with its flattened kernel), or nil when the
    /// rules above forbid running them as one kernel.
    init?(_ members: [(op: Op, kernel: LoopKernel)], plan: BufferPlan) {
        guard Self.isLegal(members, plan: plan) else { return nil }
        var offset = 0
        segments = Self.bySize(members).map { segment in
            let count = segment[0].kernel.parallelExtents[0]
            defer { offset += count }
            return Segment(members: segment.map(\.op), kernel: Self.merged(segment.map(\.kernel), count: count, plan: plan), offset: offset)
        }
        self.members = members.map(\.op)
    }

    /// Whether `members` may run as one group (the rules above).
    static func isLegal(_ members: [(op: Op, kernel: LoopKernel)], plan: BufferPlan) -> Bool {
        guard members.count <= maximumMembers, oneDTypePerAddress(members.map(\.kernel), plan: plan) else { return false }
        let segments = bySize(members).map { $0.map(\.kernel) }
        let footprints = segments.map { Footprint($0, plan: plan) }
        for (a, first) in footprints.enumerated() {
            for second in footprints[(a + 1)...] where first.conflicts(with: second) || second.conflicts(with: first) { return false }
        }
        return segments.allSatisfy { RowNest.isLegal($0, plan: plan) }
    }

    /// The members by element count, in order of first appearance, each in program order.
    private static func bySize(_ members: [(op: Op, kernel: LoopKernel)]) -> [[(op: Op, kernel: LoopKernel)]] {
        var counts: [Int] = []
        var bySize: [Int: [(op: Op, kernel: LoopKernel)]] = [:]
        for member in members {
            let count = member.kernel.parallelExtents[0]
            if bySize[count] == nil { counts.append(count) }
            bySize[count, default: []].append(member)
        }
        return counts.map { bySize[$0]! }
    }

    /// Whether the values at each address the kernels touch have one dtype: the function has
    /// one parameter per address (a cast written over a dead slot of another type of the same
    /// size would be stored through the other type's pointer).
    private static func oneDTypePerAddress(_ kernels: [LoopKernel], plan: BufferPlan) -> Bool {
        var dtypes: [BufferPlan.Address: DType] = [:]
        for statement in kernels.flatMap(\.allStatements) {
            for value in [statement.writtenBuffer].compactMap({ $0 }) + statement.buffersRead {
                if let known = dtypes.updateValue(value.type.dtype, forKey: plan.address(value)), known != value.type.dtype { return false }
            }
        }
        return true
    }

    /// The member kernels' statements in one loop: each member's locals renamed apart
    /// (`k1_t0`), each floating-point store kept in a local (`s0_k1`) that later loads of the
    /// same element read instead of memory.
    private static func merged(_ kernels: [LoopKernel], count: Int, plan: BufferPlan) -> LoopKernel {
        struct Element: Hashable {
            var address: BufferPlan.Address
            var index: AffineIndex
            var dtype: DType
        }
        var stored: [Element: String] = [:]
        var steps: [KernelStep] = []
        for (member, kernel) in kernels.enumerated() {
            let prefix = "k\(member)_"
            func rewrite(_ expression: ScalarExpr) -> ScalarExpr {
                expression.rewritten(local: { prefix + $0 }, load: { value, index in
                    stored[Element(address: plan.address(value), index: index, dtype: value.type.dtype)].map(ScalarExpr.local)
                })
            }
            for statement in kernel.allStatements {
                switch statement {
                case .declare(let name, let type, let value):
                    steps.append(.statement(.declare(prefix + name, type, rewrite(value))))
                case .assign(let name, let value):
                    steps.append(.statement(.assign(prefix + name, rewrite(value))))
                case .store(let buffer, let index, let value):
                    let type = ScalarType(buffer.type.dtype)
                    let element = Element(address: plan.address(buffer), index: index, dtype: buffer.type.dtype)
                    guard type.isFloatingPoint else {
                        stored[element] = nil
                        steps.append(.statement(.store(buffer, index, rewrite(value))))
                        continue
                    }
                    let local = "s\(steps.count)_k\(member)"
                    steps.append(.statement(.declare(local, type, rewrite(value))))
                    steps.append(.statement(.store(buffer, index, .local(local))))
                    stored[element] = local
                case .indirectStore, .accumulate:
                    preconditionFailure("element groups hold plain stores only (ElementGroup.flattened)")
                }
            }
        }
        return LoopKernel(parallelExtents: [count], steps: steps)
    }

    /// The memory one segment's kernels write and touch, for the independence of segments.
    private struct Footprint {
        var written: Set<BufferPlan.Address> = []
        var touched: Set<BufferPlan.Address> = []
        var writtenBytes: [Range<Int>] = []
        var touchedBytes: [Range<Int>] = []

        init(_ kernels: [LoopKernel], plan: BufferPlan) {
            for kernel in kernels {
                for statement in kernel.allStatements {
                    if let value = statement.writtenBuffer { note(value, write: true, plan) }
                    statement.buffersRead.forEach { note($0, write: false, plan) }
                }
            }
        }

        private mutating func note(_ value: Value, write: Bool, _ plan: BufferPlan) {
            let root = plan.root(value)
            let address = plan.address(value)
            touched.insert(address)
            if write { written.insert(address) }
            guard case .arena(let offset) = plan.storage[root] else { return }
            let bytes = offset..<(offset + MemoryPlan.bytes(root.type))
            touchedBytes.append(bytes)
            if write { writtenBytes.append(bytes) }
        }

        /// Whether `other` touches memory this footprint writes.
        func conflicts(with other: Footprint) -> Bool {
            !written.isDisjoint(with: other.touched)
                || writtenBytes.contains { bytes in other.touchedBytes.contains { $0.overlaps(bytes) } }
        }
    }
}

extension ElementGroup {
    /// A stretch of a block's ops: plain ops in order, or an element group.
    public enum Part {
        case ops([Op])
        case group(ElementGroup)
    }

    /// The ops of `block` (its yield left out) with runs of candidate kernels as element groups.
    /// Ops that emit no code between members (views) move before the group.
    public static func parts(of block: Block, plan: BufferPlan) -> [Part] {
        var parts: [Part] = []
        var plain: [Op] = []
        var span: [Op] = []
        var members: [(op: Op, kernel: LoopKernel)] = []
        func flush() {
            if members.count >= 2, let group = ElementGroup(members, plan: plan) {
                let grouped = Set(members.map { ObjectIdentifier($0.op) })
                plain += span.filter { !grouped.contains(ObjectIdentifier($0)) }
                if !plain.isEmpty { parts.append(.ops(plain)) }
                parts.append(.group(group))
                plain = []
            } else {
                plain += span
            }
            (span, members) = ([], [])
        }
        for op in block.ops where op.kind != .yield {
            if let kernel = candidate(op, plan: plan) {
                if !members.isEmpty, isLegal(members + [(op, kernel)], plan: plan) {
                    span.append(op)
                    members.append((op, kernel))
                } else {
                    flush()
                    span = [op]
                    members = [(op, kernel)]
                }
            } else if !members.isEmpty, RowNest.emitsNoCode(op, plan: plan) {
                span.append(op)
            } else {
                flush()
                plain.append(op)
            }
        }
        flush()
        if !plain.isEmpty { parts.append(.ops(plain)) }
        return parts
    }

    /// The flattened kernel of `op` when it may join an element group.
    private static func candidate(_ op: Op, plan: BufferPlan) -> LoopKernel? {
        guard op.results.count == 1, case .kernel(let kernel) = plan.lowering(of: op) else { return nil }
        if case .transposed = plan.storage[op.result] { return nil }
        return kernel.flattened()
    }
}

extension LoopKernel {
    /// The kernel as one parallel loop over its points in row-major order (`i0` the flat
    /// position), when it has loops, no reductions, plain statements only (no irregular forms,
    /// no loop variable used as a value) and every address is `constant + s × position`
    /// (s = 0: a broadcast scalar; s = 1: the element at this point). Nil otherwise.
    func flattened() -> LoopKernel? {
        // (a kernel over no elements, an extent 0, is left as it is)
        guard !parallelExtents.isEmpty, !parallelExtents.contains(0), nests.isEmpty, forms.isEmpty else { return nil }
        var rowMajor: [LoopVariable: Int] = [:]
        var stride = 1
        for (axis, extent) in parallelExtents.enumerated().reversed() {
            rowMajor[.parallel(axis)] = stride
            stride *= extent
        }
        func flat(_ index: AffineIndex) -> AffineIndex? {
            guard let first = index.terms.first else { return index }
            guard let unit = rowMajor[first.variable], first.stride % unit == 0 else { return nil }
            let scale = first.stride / unit
            for (axis, extent) in parallelExtents.enumerated() where extent > 1 || index.stride(of: .parallel(axis)) != 0 {
                guard index.stride(of: .parallel(axis)) == scale * rowMajor[.parallel(axis)]! else { return nil }
            }
            guard index.terms.allSatisfy({ rowMajor[$0.variable] != nil }) else { return nil }
            return AffineIndex(terms: [.init(variable: .parallel(0), stride: scale)], constant: index.constant)
        }
        var flattenable = true
        for statement in allStatements {
            if case .store(_, let index, _) = statement, flat(index) == nil { flattenable = false }
            statement.value.visit(indices: { _, index in if flat(index) == nil { flattenable = false } },
                                  loopIndex: { _ in flattenable = false })
        }
        guard flattenable else { return nil }
        var flattened = mapIndices { flat($0)! }
        flattened.parallelExtents = [stride]
        return flattened
    }
}

extension ScalarExpr {
    /// The expression with every local renamed by `local` and every load that `load` answers
    /// replaced by its answer.
    func rewritten(local: (String) -> String, load: (Value, AffineIndex) -> ScalarExpr?) -> ScalarExpr {
        func recurse(_ x: ScalarExpr) -> ScalarExpr { x.rewritten(local: local, load: load) }
        switch self {
        case .load(let value, let index): return load(value, index) ?? self
        case .local(let name): return .local(local(name))
        case .indirectLoad, .guardedLoad, .loopIndex, .offset, .floatLiteral, .doubleLiteral, .intLiteral, .stringLiteral: return self
        case .prefix(let symbol, let x): return .prefix(symbol, recurse(x))
        case .infix(let symbol, let a, let b): return .infix(symbol, recurse(a), recurse(b))
        case .call(let function, let arguments): return .call(function, arguments.map(recurse))
        case .cast(let type, let x): return .cast(type, recurse(x))
        case .ternary(let c, let a, let b): return .ternary(recurse(c), recurse(a), recurse(b))
        }
    }
}
