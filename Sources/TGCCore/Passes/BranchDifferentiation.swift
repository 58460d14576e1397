import TGCBase

/// The adjoint of an `if` op on a gradient path (the autodiff pass's rule for branch entries):
/// an `if` on the same condition whose branches recompute their forward ops and sweep them
/// backwards, yielding the cotangents of the values the `if` reads. Only the taken branch runs,
/// as in PyTorch, so the other branch's derivatives never mix in.
///
///     %r = if %c { %t = mul %x, %x; yield %t } else { yield %x }
///     adjoint for %g = d%r:
///     %dx = if %c { %t' = mul %x, %x; (sweep from %t' with %g); yield 2·x·g } else { yield %g }
///
/// Only the ops the yielded values need are recomputed (prints, saves and unused draws are
/// not repeated); a needed loop, nested branch or random draw cannot be and is an error.
enum BranchDifferentiation {
    /// `operands` are the branch entry's operands: the condition, then the values the branches
    /// read from outside. Returns a cotangent for each operand that `wants` one.
    static func adjoint(of op: Op, operands: [ValueID], incoming: [ValueID?], wants: [Bool],
                        builder: GraphBuilder) throws -> [ValueID?] {
        let wanted = operands.indices.filter { $0 > 0 && wants[$0] }
        var outgoing = [ValueID?](repeating: nil, count: operands.count)
        guard !wanted.isEmpty else { return outgoing }
        let targets = wanted.map { operands[$0] }
        func adjointBranch(_ region: Block) -> ([ValueID]) throws -> [ValueID] {
            { _ in
                var recomputed: [Value: ValueID] = [:]
                func handle(_ value: Value) -> ValueID { recomputed[value] ?? builder.id(value) }
                var entries: [TapeEntry] = []
                let needed = opsNeeded(by: zip(region.yielded, incoming).filter { $0.1 != nil }.map(\.0), in: region)
                for inner in region.ops where needed.contains(ObjectIdentifier(inner)) {
                    guard inner.regions.isEmpty, !inner.kind.definition.hasEffects, inner.kind != .gradient else {
                        throw Diagnostic("cannot differentiate through this 'if': a branch holds a loop, another 'if', a gradient or a random draw; compute the loss inside the branch", at: op.location)
                    }
                    let operandHandles = inner.operands.map(handle)
                    let results = try builder.apply(inner.kind, operandHandles, inner.attributes, at: inner.location)
                    for (old, new) in zip(inner.results, results) { recomputed[old] = new }
                    entries.append(TapeEntry(kind: inner.kind, operands: operandHandles, results: results,
                                             attributes: inner.attributes, location: inner.location))
                }
                let seeds = zip(region.yielded, incoming).compactMap { value, cotangent -> (value: ValueID, seed: ValueID)? in
                    guard let cotangent, value.type.dtype == .float32 else { return nil }
                    return (handle(value), cotangent)
                }
                return try ReverseSweep.gradients(seeding: seeds, wrt: targets, entries: entries, builder: builder,
                                                  at: op.location)
            }
        }
        /// The ops of `region` that `values` are computed from (others, prints and random
        /// draws included, are not recomputed).
        func opsNeeded(by values: [Value], in region: Block) -> Set<ObjectIdentifier> {
            let local = Set(region.ops.map(ObjectIdentifier.init))
            var needed = Set<ObjectIdentifier>()
            var stack = values
            while let value = stack.popLast() {
                guard let producer = value.definingOp, local.contains(ObjectIdentifier(producer)),
                      needed.insert(ObjectIdentifier(producer)).inserted else { continue }
                stack.append(contentsOf: producer.operands)
            }
            return needed
        }
        let results = try builder.branch(operands[0], carrying: targets, at: op.location,
                                         then: adjointBranch(op.regions[0]), else: adjointBranch(op.regions[1]))
        for (position, index) in wanted.enumerated() { outgoing[index] = results[position] }
        return outgoing
    }
}
