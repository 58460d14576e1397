/// Common subexpression elimination: a pure op with the same kind, operands and attributes as
/// an earlier op in the same block or an enclosing one is replaced by that op's results.
///
///     %2 = mul %0, %1                  %2 = mul %0, %1
///     %3 = mul %0, %1          ==>     %4 = add %2, %2
///     %4 = add %2, %3
///
/// Left alone: ops with effects (two `randn` draws are different numbers), control flow, and
/// ops in sibling regions (a value from one branch of an `if` is not available in the other).
let commonSubexpressionEliminationPass = Pass(name: "cse", summary: "merge identical pure ops") { module in
    var replacements: [Value: Value] = [:]
    eliminate(in: module.body, known: [:], replacements: &replacements)
    module.replaceAllUses(replacements)
    try deadCodeEliminationPass.run(module)
}

/// What makes two pure ops interchangeable. Numbers compare by their bits: 0.0 == -0.0 for
/// Double, but a constant -0.0 must not stand in for 0.0.
private struct OpKey: Hashable {
    var kind: OpKind
    var operands: [ObjectIdentifier]
    var attributes: Attributes
    var numberBits: [UInt64]

    init(_ op: Op) {
        kind = op.kind
        operands = op.operands.map(ObjectIdentifier.init)
        attributes = op.attributes
        let numbers = [op.attributes.value, op.attributes.start, op.attributes.step].compactMap { $0 } + (op.attributes.data ?? [])
        numberBits = numbers.map(\.bitPattern)
    }
}

private func eliminate(in block: Block, known outer: [OpKey: Op], replacements: inout [Value: Value]) {
    var known = outer
    for op in block.ops {
        op.operands = op.operands.map { replacements[$0] ?? $0 }
        for region in op.regions { eliminate(in: region, known: known, replacements: &replacements) }
        guard op.regions.isEmpty, !op.kind.definition.hasEffects, op.kind != .yield, op.kind != .gradient,
              !op.results.isEmpty else { continue }
        let key = OpKey(op)
        if let earlier = known[key] {
            for (result, existing) in zip(op.results, earlier.results) { replacements[result] = existing }
        } else {
            known[key] = op
        }
    }
}
