/// Memory planning: gives every intermediate value a slot (a 64-byte aligned byte offset) in
/// one static arena that a generated program allocates once, reusing memory between values
/// whose lifetimes do not overlap. The plan is recorded as an `arena = [offset, bytes]`
/// attribute on each op (a loop lists the slots of its carried values, which are its results).
///
///     %2 = fusion "fused_mul_add" (...) : f32[100]         %2 = fusion ... {arena = [0, 400]}
///     %3 = fusion "fused_exp" (%4 = %2) : f32[100]   ==>   %3 = fusion ... {arena = [0, 400]}
///     %5 = reduce_sum %3 : f32[]                           %5 = reduce_sum %3 {arena = [448, 4]}
///
/// (`%3` is written in place over `%2`: it reads `%2` element by element and `%2` is dead after.)
///
/// Algorithm:
/// 1. Storage classes (`MemoryPlan.storageClasses`): ops whose definition aliases their operand
///    (reshape, detach) are views of it, a loop's results are its carried values, a 2-D
///    transpose read only by matmuls is folded into them as a transpose flag; inputs, constant data and loop indices live outside
///    the arena. Everything else that has a result needs a slot; the values inside fusion
///    regions never reach memory.
/// 2. Liveness (`MemoryLiveness`): ops are numbered in program order; a value lives from its
///    definition to its last use, where a use inside a loop body or branch of a value defined
///    outside it counts at the end of that loop or branch (the loop reads it every iteration).
///    Carried values live for their whole loop.
/// 3. Sharing: a view shares its root's slot. A result takes over the slot of an operand that
///    dies at this op when the op reads that operand only element by element at the result's
///    own position (`readsPointwise`) and the sizes match: in-place update. A loop body's
///    yielded value is computed straight into its carried value's slot when the carried value
///    is no longer read in the iteration after that point: no copy at the end of the iteration.
/// 4. Placement: the groups of values sharing a slot are placed largest first at the lowest
///    aligned offset that does not overlap any placed group alive at the same time or dead
///    earlier in the same run of kernels (no library call, effect or loop between: the kernels
///    of a run may share one loop over rows), nor, for a group of 256 KiB or more, a large group
///    of another size (threads split kernels by their outer loops, so memory passed between
///    tensors of different shapes moves between cores).
///
/// Limitations: lifetimes are intervals of the program order, so a value used once early in a
/// loop body and once late keeps its slot in between; slots are never split.
let memoryPlanPass = Pass(name: "memory-plan", summary: "give every intermediate a slot in one static arena, reusing dead memory") { module in
    MemoryPlan(module).annotate(module)
}

/// How one value of a generated program is stored.
public enum StorageClass: Hashable {
    /// A slot of the arena.
    case arena
    /// The storage of another value (its root, never itself a view): reshape, detach, and a
    /// loop's result, which is its carried value after the last iteration.
    case view(of: Value)
    /// A 2-D transpose that only matrix products read: they take its operand with a transpose
    /// flag, so it has no storage of its own.
    case transposedOperand(of: Value)
    /// Outside the arena: bound inputs, constant data and loop indices.
    case external
}

/// The memory plan of a module: each value's storage class and each arena value's slot.
public struct MemoryPlan {
    public private(set) var storage: [Value: StorageClass] = [:]
    public private(set) var slots: [Value: ArenaSlot] = [:]
    /// Values with a slot, in order of definition.
    public private(set) var arenaValues: [Value] = []
    /// The arena's size: the end of the last slot, rounded up to the alignment.
    public private(set) var arenaBytes = 0
    /// What one buffer per value (no reuse) would need.
    public private(set) var naiveBytes = 0

    /// Plans `module`; without `reuse`, every arena value gets a slot of its own (views still
    /// share their root's).
    public init(_ module: Module, reuse: Bool = true) {
        storage = Self.storageClasses(module)
        arenaValues = Self.valuesInOrder(module).filter { storage[$0] == .arena }
        naiveBytes = arenaValues.reduce(0) { $0 + Self.slotBytes($1.type) }
        guard reuse else {
            for value in arenaValues {
                slots[value] = ArenaSlot(offset: arenaBytes, bytes: Self.bytes(value.type))
                arenaBytes += Self.slotBytes(value.type)
            }
            return
        }
        var sharing = SlotSharing(module: module, storage: storage)
        sharing.run()
        for group in sharing.placeGroups() {
            for member in group.members {
                slots[member] = ArenaSlot(offset: group.offset, bytes: Self.bytes(member.type))
            }
            arenaBytes = max(arenaBytes, group.offset + group.bytes)
        }
    }

    /// The plan recorded in `module`'s attributes by the `memory-plan` pass; nil when some
    /// arena value has no slot (the pass did not run, or the module changed since).
    public init?(reading module: Module) {
        storage = Self.storageClasses(module)
        arenaValues = Self.valuesInOrder(module).filter { storage[$0] == .arena }
        var found: [Value: ArenaSlot] = [:]
        module.body.walkOutsideFusions { op in
            guard let recorded = op.attributes.arena else { return }
            let values = op.kind == .forLoop ? Array(op.regions[0].arguments.dropFirst()) : op.results
            for (value, slot) in zip(values, recorded) where storage[value] == .arena { found[value] = slot }
        }
        for value in arenaValues {
            guard let slot = found[value], slot.bytes == Self.bytes(value.type) else { return nil }
            slots[value] = slot
            arenaBytes = max(arenaBytes, slot.offset + Self.slotBytes(value.type))
        }
        naiveBytes = arenaValues.reduce(0) { $0 + Self.slotBytes($1.type) }
    }

    /// Records the slots as `arena` attributes (replacing any earlier plan).
    public func annotate(_ module: Module) {
        module.body.walkOutsideFusions { op in
            op.attributes.arena = nil
            let values = op.kind == .forLoop ? Array(op.regions[0].arguments.dropFirst()) : op.results
            let recorded = values.compactMap { slots[$0] }
            if !values.isEmpty, recorded.count == values.count { op.attributes.arena = recorded }
        }
    }

    /// The value whose storage `value` uses: itself unless it is a view.
    public func root(_ value: Value) -> Value {
        if case .view(let base) = storage[value] { return base }
        return value
    }

    // MARK: storage classes

    /// The storage class of every value outside fusion regions.
    public static func storageClasses(_ module: Module) -> [Value: StorageClass] {
        let users = module.usersByValue()
        var classes: [Value: StorageClass] = [:]
        func rootOf(_ value: Value) -> Value {
            if case .view(let base) = classes[value] { return base }
            return value
        }
        func visit(_ block: Block) {
            for op in block.ops {
                if op.kind == .forLoop, let body = op.regions.first {
                    classes[body.arguments[0]] = .external
                    for argument in body.arguments.dropFirst() { classes[argument] = .arena }
                }
                if op.kind != .fusion { op.regions.forEach(visit) }
                for (index, result) in op.results.enumerated() {
                    switch op.kind {
                    case .input:
                        classes[result] = .external
                    case .constant where (op.attributes.data != nil && result.type.elementCount > 0):
                        classes[result] = .external
                    case _ where op.kind.definition.aliasesOperand:
                        classes[result] = .view(of: rootOf(op.operands[0]))
                    case .forLoop:
                        classes[result] = .view(of: op.regions[0].arguments[index + 1])
                    case .transpose where isFoldedIntoMatmuls(op, users: users[result] ?? []):
                        classes[result] = .transposedOperand(of: op.operands[0])
                    default:
                        classes[result] = .arena
                    }
                }
            }
        }
        visit(module.body)
        return classes
    }

    /// A transpose of the last two dimensions (of a matrix or a batch of them) whose every
    /// user is a matrix product: each matrix of its operand is read through sgemm's flag.
    private static func isFoldedIntoMatmuls(_ op: Op, users: [Op]) -> Bool {
        let rank = op.result.type.rank
        return rank >= 2 && op.attributes.permutation == Array(0..<rank - 2) + [rank - 1, rank - 2]
            && !users.isEmpty && users.allSatisfy { $0.kind == .matmul }
    }

    /// Whether `op` reads operand `index` only at the position of the result element it is
    /// computing, element by element, so that the result may be written over the operand.
    public static func readsPointwise(_ op: Op, operand index: Int) -> Bool {
        guard op.results.count == 1, op.operands.indices.contains(index),
              op.operands[index].type.elementCount == op.result.type.elementCount else { return false }
        // Indexing: a slice update, index add or scatter reads its base at the result's own
        // position (before anything is written there), or not at all.
        if op.kind.updatesItsBase { return index == 0 }
        guard op.kind == .fusion else { return isPointwise(op.kind) }
        // A matmul epilogue: the product is written to the result before the epilogue reads.
        guard !op.regions[0].ops.contains(where: { $0.kind == .matmul }) else { return false }
        let count = op.result.type.elementCount
        let argument = op.regions[0].arguments[index]
        var pointwise = true
        op.regions[0].walk { member in
            guard member.operands.contains(argument) else { return }
            if !isPointwise(member.kind) || member.results.count != 1 || member.result.type.elementCount != count {
                pointwise = false
            }
        }
        return pointwise
    }

    private static func isPointwise(_ kind: OpKind) -> Bool {
        switch kind.definition.fusion {
        case .elementwise, .broadcast: true
        case .source, .indexMap, .reduction, .gatherScatter, .outEpilogue, .opaque, .control: false
        }
    }

    // MARK: sizes

    /// The bytes of a tensor of `type` (bool is one byte per element).
    public static func bytes(_ type: TensorType) -> Int {
        type.elementCount * type.dtype.byteSize
    }

    /// `bytes` rounded up to the slot alignment.
    static func slotBytes(_ type: TensorType) -> Int {
        let alignment = ArenaSlot.alignment
        return (bytes(type) + alignment - 1) / alignment * alignment
    }

    /// Every value outside fusion regions in order of definition (block arguments first).
    static func valuesInOrder(_ module: Module) -> [Value] {
        var values: [Value] = []
        func visit(_ block: Block) {
            values += block.arguments
            for op in block.ops {
                if op.kind != .fusion { op.regions.forEach(visit) }
                values += op.results
            }
        }
        visit(module.body)
        return values
    }
}

extension Block {
    /// Every op in program order, nested regions included except the insides of fusion ops.
    public func walkOutsideFusions(_ visit: (Op) -> Void) {
        for op in ops {
            visit(op)
            if op.kind != .fusion {
                for region in op.regions { region.walkOutsideFusions(visit) }
            }
        }
    }
}

extension OpKind {
    /// A copy of operand 0 with some elements replaced or added to (slice update, index add,
    /// scatter, scatter add): written in place over a base that dies at the op, the copy is
    /// left out.
    public var updatesItsBase: Bool { [.sliceUpdate, .indexAdd, .scatter, .scatterAdd].contains(self) }
}
