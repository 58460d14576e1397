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
/// not repeated). A needed op that cannot run again (a random draw, a loop or `if` inside the
/// branch) is exported instead: the forward `if` yields its result too, which is right when it
/// does not depend on what is differentiated, and an error when it does.
enum BranchDifferentiation {
    /// `operands` are the branch entry's operands: the condition, then the values the branches
    /// read from outside. Returns a cotangent for each operand that `wants` one.
    static func adjoint(of op: Op, operands: [ValueID], incoming: [ValueID?], wants: [Bool],
                        builder: GraphBuilder) throws -> [ValueID?] {
        let wanted = operands.indices.filter { $0 > 0 && wants[$0] }
        var outgoing = [ValueID?](repeating: nil, count: operands.count)
        guard !wanted.isEmpty else { return outgoing }
        let targets = wanted.map { operands[$0] }
        let neededOps = op.regions.map { region in
            opsNeeded(by: zip(region.yielded, incoming).filter { $0.1 != nil }.map(\.0), in: region)
        }
        let exported = try exportConstants(of: op, needed: neededOps, targets: Set(targets.map(builder.value)), builder.module)
        func adjointBranch(_ index: Int) -> ([ValueID]) throws -> [ValueID] {
            { _ in
                let region = op.regions[index]
                var recomputed: [Value: ValueID] = [:]
                func handle(_ value: Value) -> ValueID { recomputed[value] ?? builder.id(value) }
                var entries: [TapeEntry] = []
                for inner in region.ops where neededOps[index].contains(ObjectIdentifier(inner)) {
                    if let first = inner.results.first, exported[first] != nil {
                        for result in inner.results { recomputed[result] = builder.id(exported[result]!) }
                        continue
                    }
                    let operandHandles = inner.operands.map(handle)
                    let results = try builder.apply(inner.kind, operandHandles, inner.attributes, at: inner.location)
                    for (old, new) in zip(inner.results, results) { recomputed[old] = new }
                    entries.append(TapeEntry(kind: inner.kind, operands: operandHandles, results: results,
                                             attributes: inner.attributes, location: inner.location))
                }
                let seeds = zip(region.yielded, incoming).compactMap { value, cotangent -> (value: ValueID, seed: ValueID)? in
                    guard let cotangent, value.type.dtype.isFloatingPoint else { return nil }
                    return (handle(value), cotangent)
                }
                return try ReverseSweep.gradients(seeding: seeds, wrt: targets, entries: entries, builder: builder,
                                                  at: op.location)
            }
        }
        let results = try builder.branch(operands[0], carrying: targets, at: op.location,
                                         then: adjointBranch(0), else: adjointBranch(1))
        for (position, index) in wanted.enumerated() { outgoing[index] = results[position] }
        return outgoing
    }

    /// The ops of `region` that `values` are computed from (others, prints and random draws
    /// included, are not recomputed).
    private static func opsNeeded(by values: [Value], in region: Block) -> Set<ObjectIdentifier> {
        let local = Set(region.ops.map(ObjectIdentifier.init))
        var needed = Set<ObjectIdentifier>()
        var stack = values
        while let value = stack.popLast() {
            guard let producer = value.definingOp, local.contains(ObjectIdentifier(producer)),
                  needed.insert(ObjectIdentifier(producer)).inserted else { continue }
            stack.append(contentsOf: producer.operands + producer.capturedValues)
        }
        return needed
    }

    /// Needed ops that cannot run again (random draws, loops and branches inside the branch)
    /// but do not depend on the targets: the forward `if` also yields their results (the other
    /// branch yields zeros), and the adjoint reads those. Returns each such result's new `if`
    /// result. One that depends on a target is an error.
    private static func exportConstants(of op: Op, needed: [Set<ObjectIdentifier>], targets: Set<Value>,
                                        _ module: Module) throws -> [Value: Value] {
        var exported: [Value: Value] = [:]
        for (index, region) in op.regions.enumerated() {
            var dependent = targets
            for inner in region.ops where inner.kind != .yield {
                let reads = inner.operands + inner.capturedValues
                let dependsOnTarget = reads.contains(where: dependent.contains)
                if dependsOnTarget { dependent.formUnion(inner.results) }
                let recomputable = inner.regions.isEmpty && !inner.kind.definition.hasEffects && inner.kind != .gradient
                guard needed[index].contains(ObjectIdentifier(inner)), !recomputable else { continue }
                guard !dependsOnTarget else {
                    throw Diagnostic("cannot differentiate through this 'if': the gradient flows through a loop, another 'if' or a gradient inside a branch; compute the loss inside the branch", at: op.location)
                }
                for result in inner.results {
                    let other = op.regions[1 - index]
                    let zero = module.makeSplat(0, result.type, at: op.location)
                    other.ops.insert(zero, at: other.ops.count - 1)
                    other.ops[other.ops.count - 1].operands.append(zero.result)
                    region.ops[region.ops.count - 1].operands.append(result)
                    let exportedResult = module.makeValue(result.type)
                    op.appendResult(exportedResult)
                    exported[result] = exportedResult
                }
            }
        }
        return exported
    }
}
