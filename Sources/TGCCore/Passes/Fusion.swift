/// Fusion: groups each kernel root with the cheap elementwise work that feeds it into one
/// `fusion` op whose region holds the grouped ops, so the backends emit one loop nest for the
/// whole group and the intermediates never reach memory.
///
///     %2 = mul %0, %1 : f32[n]                 %4 = fusion (%0, %1) : f32[n] {
///     %3 = add %2, %1 : f32[n]        ==>        ^(%a, %b): %x = mul %a, %b
///     %4 = relu %3 : f32[n]                                 %y = add %x, %b
///                                                           %z = relu %y
///                                                           yield %z
///                                              }
///
/// Rules (TVM's op patterns, simplified):
/// - An elementwise, broadcast or cast op is *inlined* into its consumers when every consumer
///   can absorb it (an elementwise op, or a reduction taking it as its prologue) and it has the
///   consumer's element count (never recomputed per broadcast element). A cheap op used by
///   several consumers is recomputed in each (cheaper than a round trip through memory); a
///   transcendental one (exp, log, tanh, ...) read by several kernels is computed once.
/// - reshape, transpose, broadcastTo and slice join a group only as its leaves: their operand
///   is a group input, or another index map under one that composes affinely (a slice under
///   the reshape that drops an integer index's dimension), so every index in a kernel stays an
///   affine function of its loops.
/// - A gather joins like an elementwise op (an indirect load of a group input through its
///   index), its index a group input or index maps of one (index_select's broadcast index).
/// - A reduction absorbs inlinable producers of its operand (its prologue). A reduction whose
///   only user is an elementwise op of the same shape becomes that op's epilogue input.
/// - A slice update with unit steps is a *join* (FusionJoins.swift): inlined like an
///   elementwise op, its base may be a literal, a view or another join of the group, its value
///   a group input, a literal or a view of an input (no cyclic shift); so `cat([a, b], dim: 1) * 2` and a plain `cat` are one kernel each.
/// - A float32 matmul joins the elementwise kernel that is its only user as its epilogue
///   (FusionEpilogue.swift); data sources, effects and control flow are never grouped.
/// Groups of one op are left alone.
let fusionPass = Pass(name: "fusion", summary: "group elementwise chains and reduction prologues/epilogues into kernels") { module in
    for block in module.body.allBlocks {
        FusionPlanner(module: module, block: block).run()
        MatmulEpilogueFusion(module: module, block: block).run()
    }
}

/// Decides and builds the fusion groups of one block.
struct FusionPlanner {
    let module: Module
    let block: Block

    /// How an op takes part in fusion.
    enum Role {
        /// Elementwise arithmetic, select, cast: absorbs producers and can be absorbed.
        case elementwise
        /// reshape, transpose, broadcastTo: a group leaf (its operand is a group input).
        case indexMap
        /// A splat constant: inlined as a literal anywhere.
        case literal
        /// A gather of a tensor of rank 1 or more: its x operand is a group input, its index
        /// a group input or index maps of one.
        case gather
        case reduction
        /// A unit-step slice update (`Op.isFusableJoin`): absorbed like an elementwise op; its
        /// base may be a member, its value is a group input, a literal or a plain view.
        case join
        case none
    }

    func role(_ op: Op) -> Role {
        if op.isFusableJoin { return .join }
        return switch op.kind.definition.fusion {
        case .elementwise, .broadcast: .elementwise
        case .indexMap: .indexMap
        case .reduction: .reduction
        case .source: op.kind == .constant && op.attributes.value != nil ? .literal : .none
        case .gatherScatter: op.kind == .gather && op.operands[0].type.rank > 0 ? .gather : .none
        case .outEpilogue, .opaque, .control: .none
        }
    }

    func run() {
        let users = module.usersByValue()
        let inBlock = Set(block.ops.map(ObjectIdentifier.init))
        func blockUsers(_ op: Op) -> [Op]? {
            // nil when a result is used outside this block's own op list (nested regions, yields).
            var result: [Op] = []
            for value in op.results {
                for user in users[value] ?? [] {
                    guard inBlock.contains(ObjectIdentifier(user)), user.kind != .yield else { return nil }
                    result.append(user)
                }
            }
            return result
        }
        // Reductions that become the epilogue input of their single elementwise user.
        var epilogue = Set<ObjectIdentifier>()
        for op in block.ops where role(op) == .reduction {
            guard let consumers = blockUsers(op), let user = consumers.first,
                  consumers.allSatisfy({ $0 === user }), role(user) == .elementwise,
                  user.results[0].type.shape == op.results[0].type.shape else { continue }
            epilogue.insert(ObjectIdentifier(op))
        }
        // Ops recomputed inside each of their consumers.
        var inlinable = Set<ObjectIdentifier>()
        // Inlinable index maps whose element is one load of a group input (no cyclic shift in
        // them or under them): a join's value may be one, its load then guarded by the box.
        var plainViews = Set<ObjectIdentifier>()
        for op in block.ops where [.elementwise, .literal, .indexMap, .gather, .join].contains(role(op)) {
            guard op.results.count == 1, let consumers = blockUsers(op), !consumers.isEmpty else { continue }
            if role(op) != .literal && op.operands.contains(where: { $0.definingOp.map { epilogue.contains(ObjectIdentifier($0)) } ?? false }) {
                continue   // it carries a reduction: compute it once
            }
            if op.kind.definition.cost == .transcendental && Set(consumers.map(ObjectIdentifier.init)).count > 1 {
                continue   // an exp read by two kernels is computed once and stored, not twice
            }
            let count = op.results[0].type.elementCount
            let plain = role(op) == .indexMap && op.kind != .cyclicShift && op.operands.allSatisfy { operand in
                guard let producer = operand.definingOp, inlinable.contains(ObjectIdentifier(producer)) else { return true }
                return plainViews.contains(ObjectIdentifier(producer))
            }
            let absorbable = consumers.allSatisfy { user in
                switch role(user) {
                case .elementwise: return role(op) == .literal || user.results[0].type.elementCount == count
                case .reduction: return true
                case .join:
                    // The base may be any member; the value a literal or a plain view.
                    return role(op) == .literal || plain || [.join, .indexMap].contains(role(op)) && user.operands[1] !== op.results[0]
                case .indexMap: return role(op) == .indexMap && Self.composesAffinely(user)   // x[0]: slice, then reshape
                case .gather:   // only its index, read through index maps: x is read from memory
                    return role(op) == .indexMap && Self.composesAffinely(op) && user.operands[0] !== op.results[0]
                default: return false
                }
            }
            if absorbable { inlinable.insert(ObjectIdentifier(op)) }
            if absorbable && plain { plainViews.insert(ObjectIdentifier(op)) }
        }
        // Build one group per root, in block order.
        var absorbed = Set<ObjectIdentifier>()
        var fusionFor: [ObjectIdentifier: Op] = [:]
        var replacements: [Value: Value] = [:]
        for op in block.ops {
            let id = ObjectIdentifier(op)
            guard role(op) != .none, role(op) != .literal, !inlinable.contains(id), !epilogue.contains(id) else { continue }
            var members: [Op] = []
            var seen = Set<ObjectIdentifier>()
            gather(op, into: &members, seen: &seen, inlinable: inlinable, epilogue: epilogue)
            guard members.count >= 2 else { continue }
            let fusion = makeFusion(root: op, members: members)
            fusionFor[id] = fusion
            absorbed.formUnion(seen)
            for (old, new) in zip(op.results, fusion.results) { replacements[old] = new }
        }
        guard !fusionFor.isEmpty else { return }
        block.ops = block.ops.compactMap { op in
            let id = ObjectIdentifier(op)
            if let fusion = fusionFor[id] { return fusion }
            return absorbed.contains(id) ? nil : op
        }
        module.replaceAllUses(replacements)
    }

    /// The ops of `root`'s group: the root, its inlinable producers and absorbed reductions.
    private func gather(_ op: Op, into members: inout [Op], seen: inout Set<ObjectIdentifier>,
                        inlinable: Set<ObjectIdentifier>, epilogue: Set<ObjectIdentifier>) {
        guard seen.insert(ObjectIdentifier(op)).inserted else { return }
        if role(op) != .indexMap || Self.composesAffinely(op) {
            for operand in op.operands {
                guard let producer = operand.definingOp else { continue }
                let id = ObjectIdentifier(producer)
                if inlinable.contains(id) || epilogue.contains(id) {
                    gather(producer, into: &members, seen: &seen, inlinable: inlinable, epilogue: epilogue)
                }
            }
        }
        members.append(op)   // after its producers: program order inside the region
    }

    /// An index map whose operand's coordinates are affine in its own, so it may read another
    /// index map of its group (a slice under the reshape that drops an integer index's
    /// dimension): everything but a reshape that regroups elements and a cyclic shift (a roll's
    /// wrap is a guarded load of a group input).
    static func composesAffinely(_ op: Op) -> Bool {
        switch op.kind {
        case .reshape: op.results[0].type.shape.filter { $0 != 1 } == op.operands[0].type.shape.filter { $0 != 1 }
        case .cyclicShift: false
        default: true
        }
    }

    /// A `fusion` op computing `root` from the group's inputs, with clones of the members.
    private func makeFusion(root: Op, members: [Op]) -> Op {
        let memberResults = Set(members.flatMap(\.results))
        var inputs: [Value] = []
        for member in members {
            for operand in member.operands where !memberResults.contains(operand) && !inputs.contains(operand) {
                inputs.append(operand)
            }
        }
        let region = Block(arguments: inputs.map { module.makeValue($0.type) })
        var mapping = Dictionary(uniqueKeysWithValues: zip(inputs, region.arguments))
        for member in members { region.ops.append(module.copy(member, mapping: &mapping)) }
        region.ops.append(module.makeOp(.yield, root.results.map { mapping[$0]! }, resultTypes: [], at: root.location))
        var attrs = Attributes()
        attrs.name = FusionPlanner.kernelName(members)
        return module.makeOp(.fusion, inputs, resultTypes: root.results.map(\.type), attributes: attrs,
                             regions: [region], at: root.location)
    }

    /// `fused_sub_exp_reduce_sum`: named after what the kernel contains (literals left out).
    static func kernelName(_ members: [Op]) -> String {
        var names: [String] = []
        for member in members where member.kind != .constant {
            let name = IRPrinter.opName(member.kind)
            if names.last != name { names.append(name) }
        }
        return "fused_" + names.prefix(6).joined(separator: "_")
    }
}
