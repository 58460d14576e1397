import TGCBase

/// Autodiff: expands each `gradient` op into the adjoint ops of the forward slice it depends on,
/// using each op's VJP rule (Autodiff/VJPRules.swift); the result is ordinary IR.
///
///     %2 = mul %w, %x              %2 = mul %w, %x
///     %3 = reduce_sum %2     ==>   %3 = reduce_sum %2
///     %4 = gradient %3 wrt %w      %5 = constant 1.0 ... %7 = mul %6, %x   (uses of %4 now use %7)
///
/// Limitation: the slice must lie in the gradient op's own block; differentiating through a
/// loop or conditional op is reported as an error at that op.
let autodiffPass = Pass(name: "autodiff", summary: "expand gradient ops into adjoint ops") { module in
    for block in module.body.allBlocks {
        while let index = block.ops.firstIndex(where: { $0.kind == .gradient }) {
            let op = block.ops[index]
            let builder = GraphBuilder(module: module, insertingInto: block, at: index)
            let entries = block.ops[..<index].map { earlier in
                TapeEntry(kind: earlier.kind, operands: earlier.operands.map(builder.id),
                          results: earlier.results.map(builder.id), attributes: earlier.attributes,
                          location: earlier.location)
            }
            let hasSeed = op.attributes.hasSeedGradient
            let output = builder.id(op.operands[0])
            let seed = hasSeed ? builder.id(op.operands[1]) : nil
            let wrt = op.operands.dropFirst(hasSeed ? 2 : 1).map(builder.id)
            let gradients = try ReverseSweep.gradients(of: output, seed: seed, wrt: Array(wrt), entries: entries,
                                                       builder: builder, at: op.location)
            block.ops.removeAll { $0 === op }
            var replacements: [Value: Value] = [:]
            for (result, gradient) in zip(op.results, gradients) { replacements[result] = builder.value(gradient) }
            module.replaceAllUses(replacements)
        }
    }
}
