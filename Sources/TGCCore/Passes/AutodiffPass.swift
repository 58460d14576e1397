import TGCBase

/// Autodiff: expands each `gradient` op into the adjoint ops of the forward slice it depends on,
/// using each op's VJP rule (Autodiff/VJPRules.swift); the result is ordinary IR.
///
///     %2 = mul %w, %x              %2 = mul %w, %x
///     %3 = reduce_sum %2     ==>   %3 = reduce_sum %2
///     %4 = gradient %3 wrt %w      %5 = constant 1.0 ... %7 = mul %6, %x   (uses of %4 now use %7)
///
/// A gradient op inside a loop body or a branch differentiates through the ops of the enclosing
/// blocks that precede its region too (a loss built partly before an `if`). A loop on the way
/// is unrolled first (LoopUnrolling.swift), an `if` gets an adjoint `if`
/// (BranchDifferentiation.swift). Gradient ops are expanded in program order, so a gradient of
/// a gradient (`createGraph`, `hessian`) differentiates the adjoint ops the inner one became.
let autodiffPass = Pass(name: "autodiff", summary: "expand gradient ops into adjoint ops") { module in
    // Unrolling a loop of an enclosing block changes blocks that are being walked: start over
    // (each restart removes a loop, so this ends).
    while true {
        do {
            try expandGradients(in: module.body, after: [], module)
            return
        } catch is EnclosingBlockChanged {
            continue
        }
    }
}

/// A loop in an enclosing block was unrolled; the walk must start again.
private struct EnclosingBlockChanged: Error {}

/// Expands the gradient ops of `block`, then of the blocks nested in it. `outer` holds the ops
/// of the enclosing blocks that run before `block` does, in program order.
private func expandGradients(in block: Block, after outer: [Op], _ module: Module) throws {
    while let index = block.ops.firstIndex(where: { $0.kind == .gradient }) {
        let op = block.ops[index]
        let builder = GraphBuilder(module: module, insertingInto: block, at: index)
        // A loop or branch depends on the values its regions read from outside too.
        let sources = outer + block.ops[..<index]
        let entries = sources.map { earlier in
            TapeEntry(kind: earlier.kind, operands: (earlier.operands + earlier.capturedValues).map(builder.id),
                      results: earlier.results.map(builder.id), attributes: earlier.attributes,
                      location: earlier.location)
        }
        let hasSeed = op.attributes.hasSeedGradient
        let output = builder.id(op.operands[0])
        let seed = hasSeed ? builder.id(op.operands[1]) : nil
        let wrt = op.operands.dropFirst(hasSeed ? 2 : 1).map(builder.id)
        let gradients: [ValueID]
        let opsBefore = block.ops.count
        do {
            gradients = try ReverseSweep.gradients(
                of: output, seed: seed, wrt: Array(wrt), entries: entries, builder: builder,
                branchRule: { entry, incoming, wants in
                    try BranchDifferentiation.adjoint(of: sources[entry], operands: entries[entry].operands,
                                                      incoming: incoming, wants: wants, builder: builder)
                },
                at: op.location)
        } catch let blocked as ControlFlowOnGradientPath {
            let loop = sources[blocked.entry]
            guard blocked.entry < outer.count else {
                try LoopUnrolling.unroll(loop, in: block, module)
                continue
            }
            let home = module.body.allBlocks.first { $0.ops.contains { $0 === loop } }!
            try LoopUnrolling.unroll(loop, in: home, module)
            throw EnclosingBlockChanged()
        }
        block.ops.removeAll { $0 === op }
        var replacements: [Value: Value] = [:]
        for (result, gradient) in zip(op.results, gradients) { replacements[result] = builder.value(gradient) }
        module.replaceAllUses(replacements)
        // For the gradient-all-reduce pass: the adjoint ops end at the last one inserted.
        let last = index + block.ops.count - opsBefore
        module.backwardGradients.append(BackwardGradients(block: block, after: last >= 0 ? block.ops[last] : nil,
                                                          gradients: gradients.map(builder.value), location: op.location))
    }
    for (index, op) in block.ops.enumerated() {
        for region in op.regions {
            try expandGradients(in: region, after: outer + block.ops[..<index], module)
        }
    }
}
