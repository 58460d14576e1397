/// Lifetimes of the values of a module in positions of the program order (memory-plan step 2).
///
/// Every op outside fusion regions gets a position; an op with regions also gets an end
/// position after everything nested in it. A value lives from its definition to its last use.
/// A use inside a loop body or branch of a value defined outside that op is moved to the op's
/// end: a loop reads it again in every iteration. Uses are charged to the storage they read: a
/// view's uses to its root, a folded transpose's to its operand's root.
struct MemoryLiveness {
    private(set) var start: [Value: Int] = [:]
    private(set) var end: [Value: Int] = [:]
    private(set) var position: [ObjectIdentifier: Int] = [:]
    private(set) var endPosition: [ObjectIdentifier: Int] = [:]
    /// The loop whose body holds each op at its top level.
    private(set) var enclosingLoop: [ObjectIdentifier: Op] = [:]
    /// For each carried value: the last position inside its loop's body where its storage is
    /// read (yields included): after that point the iteration no longer needs the old value.
    private(set) var lastReadInBody: [Value: Int] = [:]
    /// The run of kernels of each position: consecutive ops that compute elements (elementwise,
    /// broadcast, index-map, reduction, gather/scatter and fused ops) share a run; a library
    /// call, an effect, a source, a loop or branch (and its end) is a run of its own. The
    /// kernels of a run may share one loop over rows (`SlotSharing.placeGroups`).
    private(set) var runs: [Int] = []
    private var run = 0

    private let storage: [Value: StorageClass]
    private var counter = 0
    private var definitionScope: [Value: [Op]] = [:]
    private var uses: [(value: Value, position: Int, scope: [Op])] = []

    init(_ module: Module, storage: [Value: StorageClass]) {
        self.storage = storage
        walk(module.body, scope: [])
        resolveUses()
    }

    /// The arena value whose storage `value` reads, if any.
    func storageRoot(_ value: Value) -> Value? {
        switch storage[value] {
        case .arena: return value
        case .view(let base): return storage[base] == .arena ? base : nil
        case .transposedOperand(let base): return storageRoot(base)
        case .external, nil: return nil
        }
    }

    private mutating func walk(_ block: Block, scope: [Op]) {
        for op in block.ops {
            let here = counter
            counter += 1
            let kernel = op.kind == .fusion
                || op.regions.isEmpty && [.elementwise, .broadcast, .indexMap, .reduction, .gatherScatter].contains(op.kind.definition.fusion)
            if !kernel { run += 1 }
            runs.append(run)
            if !kernel { run += 1 }
            position[ObjectIdentifier(op)] = here
            if let loop = scope.last, loop.kind == .forLoop { enclosingLoop[ObjectIdentifier(op)] = loop }
            for operand in op.operands { uses.append((operand, here, scope)) }
            if op.kind == .forLoop {
                for argument in op.regions[0].arguments { define(argument, at: here, scope: scope + [op]) }
            }
            if op.kind != .fusion {
                for region in op.regions { walk(region, scope: scope + [op]) }
            }
            var after = here
            if op.kind != .fusion && !op.regions.isEmpty {
                after = counter
                counter += 1
                runs.append(run)
                run += 1
            }
            endPosition[ObjectIdentifier(op)] = after
            for result in op.results {
                define(result, at: op.kind == .forLoop ? after : here, scope: scope)
                // An `if`'s results are written by its branches' yields, one after another: each
                // lives to the op's end, so that none shares storage with a value a later copy of
                // the yield still reads (an unused result would otherwise end where it starts).
                if op.kind == .ifElse { end[result] = max(end[result]!, after) }
            }
            if op.kind == .forLoop {
                for argument in op.regions[0].arguments.dropFirst() { end[argument] = after }
            }
        }
    }

    private mutating func define(_ value: Value, at position: Int, scope: [Op]) {
        start[value] = position
        end[value] = max(end[value] ?? position, position)
        definitionScope[value] = scope
    }

    private mutating func resolveUses() {
        for use in uses {
            guard let root = storageRoot(use.value) else { continue }
            let depth = definitionScope[use.value]?.count ?? 0
            var at = use.position
            if use.scope.count > depth { at = endPosition[ObjectIdentifier(use.scope[depth])]! }
            end[root] = max(end[root] ?? at, at)
            // A carried value read inside its own loop's body.
            if let loop = root.definingBlockLoop(in: definitionScope), let loopStart = position[ObjectIdentifier(loop)],
               at > loopStart, at < endPosition[ObjectIdentifier(loop)]! {
                lastReadInBody[root] = max(lastReadInBody[root] ?? at, at)
            }
        }
    }
}

private extension Value {
    /// The loop that carries this value, when it is a loop body's argument.
    func definingBlockLoop(in scopes: [Value: [Op]]) -> Op? {
        guard definingOp == nil, let loop = scopes[self]?.last, loop.kind == .forLoop,
              loop.regions[0].arguments.dropFirst().contains(self) else { return nil }
        return loop
    }
}

/// Which arena values share a slot (memory-plan step 3) and where each group goes (step 4).
struct SlotSharing {
    /// Values that share one slot, alive from `start` to `end`.
    struct Group {
        var members: [Value]
        var start: Int
        var end: Int
        var bytes: Int
        var offset = 0
    }

    let module: Module
    let storage: [Value: StorageClass]
    let liveness: MemoryLiveness
    private var groupOf: [Value: Int] = [:]
    private var groups: [Group] = []

    init(module: Module, storage: [Value: StorageClass]) {
        self.module = module
        self.storage = storage
        self.liveness = MemoryLiveness(module, storage: storage)
    }

    mutating func run() {
        for value in MemoryPlan.valuesInOrder(module) where storage[value] == .arena {
            groupOf[value] = groups.count
            groups.append(Group(members: [value], start: liveness.start[value]!, end: liveness.end[value]!,
                                bytes: MemoryPlan.slotBytes(value.type)))
        }
        module.body.walkOutsideFusions { op in
            guard op.results.count == 1, op.regions.isEmpty || op.kind == .fusion, storage[op.result] == .arena else { return }
            if !updateCarriedValueInPlace(op) { writeOverDeadOperand(op) }
        }
    }

    /// Groups of at least this many bytes share memory only with groups of their own size
    /// (`placeGroups`).
    static let privateBytes = 256 << 10

    /// Places the groups largest first, each at the lowest aligned offset where it overlaps no
    /// placed group that is alive at the same time or dies in the run of kernels where it is
    /// defined (`MemoryLiveness.runs`: the kernels of a run may then share one loop over their
    /// rows, RowNests.swift, which a slot reused between them forbids: batch norm's bias
    /// gradient written over the gradient that the elementwise pass before it read), nor a
    /// large one (`privateBytes` or more) of another size when it is large itself. Threads split a kernel's work by its outer loop, so
    /// a tensor of another shape written over a large one is written by other threads than the
    /// ones whose caches hold its bytes, and every line moves between cores: the 64-image
    /// classifier ran 4.5 ms where the same calls on separate buffers ran 3.2 ms (2 threads on
    /// two cores), and B6's step was 4% slower. Tensors of one size are split alike.
    func placeGroups() -> [Group] {
        var placed: [Group] = []
        let order = groups.filter { !$0.members.isEmpty }.sorted {
            $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.start < $1.start
        }
        func isLarge(_ group: Group) -> Bool { group.bytes >= Self.privateBytes }
        /// `later` is defined in the run of kernels where `earlier` dies.
        func sameRun(_ later: Group, _ earlier: Group) -> Bool {
            earlier.end < later.start && liveness.runs[earlier.end] == liveness.runs[later.start]
        }
        for var group in order {
            let conflicts = placed.filter {
                $0.bytes > 0 && ($0.start <= group.end && group.start <= $0.end || sameRun(group, $0) || sameRun($0, group)
                                 || isLarge(group) && isLarge($0) && $0.bytes != group.bytes)
            }
                .sorted { $0.offset < $1.offset }
            var offset = 0
            if group.bytes > 0 {
                for other in conflicts where other.offset < offset + group.bytes {
                    offset = max(offset, other.offset + other.bytes)
                }
            }
            group.offset = offset
            placed.append(group)
        }
        return placed
    }

    /// A loop body's op whose result is yielded as carried value A writes A's slot directly,
    /// when A's old value is not read after this op in the iteration (or only by this op,
    /// element by element).
    private mutating func updateCarriedValueInPlace(_ op: Op) -> Bool {
        guard let loop = liveness.enclosingLoop[ObjectIdentifier(op)] else { return false }
        let body = loop.regions[0]
        let here = liveness.position[ObjectIdentifier(op)]!
        for (index, yielded) in body.yielded.enumerated() where liveness.storageRoot(yielded) === op.result {
            let carried = body.arguments[index + 1]
            let lastRead = liveness.lastReadInBody[carried] ?? -1
            guard lastRead <= here, sameElements(carried, op.result),
                  lastRead < here || readsOnlyPointwise(op, carried) else { continue }
            merge(op.result, into: carried)
            return true
        }
        return false
    }

    /// An op writes its result over an operand that dies here and that it reads only element
    /// by element at the result's own position.
    private mutating func writeOverDeadOperand(_ op: Op) {
        let here = liveness.position[ObjectIdentifier(op)]!
        for operand in op.operands {
            guard let root = liveness.storageRoot(operand), root !== op.result, let group = groupOf[root],
                  groups[group].end == here, groups[group].bytes == MemoryPlan.slotBytes(op.result.type),
                  sameElements(root, op.result), readsOnlyPointwise(op, root) else { continue }
            merge(op.result, into: root)
            return
        }
    }

    /// Whether every operand of `op` stored in `root`'s slot group is read pointwise.
    private func readsOnlyPointwise(_ op: Op, _ root: Value) -> Bool {
        let group = groupOf[root]
        return op.operands.indices.allSatisfy { index in
            guard let other = liveness.storageRoot(op.operands[index]), groupOf[other] == group else { return true }
            return MemoryPlan.readsPointwise(op, operand: index)
        }
    }

    /// The same bytes holding the same dtype: a kernel reads and writes a shared slot through
    /// one pointer (so a float32 → int32 cast, the same size, gets a slot of its own).
    private func sameElements(_ a: Value, _ b: Value) -> Bool {
        MemoryPlan.bytes(a.type) == MemoryPlan.bytes(b.type) && a.type.dtype == b.type.dtype
    }

    /// Moves `value`'s (single-member) group into `target`'s group.
    private mutating func merge(_ value: Value, into target: Value) {
        let (from, to) = (groupOf[value]!, groupOf[target]!)
        guard from != to else { return }
        for member in groups[from].members { groupOf[member] = to }
        groups[to].members += groups[from].members
        groups[to].start = min(groups[to].start, groups[from].start)
        groups[to].end = max(groups[to].end, groups[from].end)
        groups[from].members = []
    }
}
