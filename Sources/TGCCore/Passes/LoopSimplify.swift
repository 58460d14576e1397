/// Loop simplification: hoists pure ops whose operands are all defined outside a loop body
/// out of the loop (loop-invariant code motion), and stops carrying values that never change
/// (the body yields the argument itself, or the same outer value the loop started with).
///
///     for %i in 0..<100 carrying (%g = %zero) {        %c = constant 0.01
///       %c = constant 0.01                     ==>     for %i in 0..<100 {
///       %y = mul %c, %x                                  %y = mul %c, %x
///       yield %zero                                      yield
///     }                                                }
///
/// Left alone: ops with effects (a random draw in a loop body is a new draw each iteration),
/// ops reading the loop index or carried values, and control flow ops.
let loopSimplifyPass = Pass(name: "loop-simplify", summary: "hoist loop invariants, drop invariant carried values") { module in
    var changed = true
    while changed {
        changed = false
        for block in module.body.allBlocks {
            var index = 0
            while index < block.ops.count {
                let op = block.ops[index]
                if op.kind == .forLoop {
                    let hoisted = hoistInvariants(of: op)
                    block.ops.insert(contentsOf: hoisted, at: index)
                    index += hoisted.count
                    changed = changed || !hoisted.isEmpty
                    changed = dropInvariantCarriedValues(of: op, module) || changed
                }
                index += 1
            }
        }
    }
}

/// Removes and returns the pure ops of the loop's body that depend on nothing inside it.
private func hoistInvariants(of loop: Op) -> [Op] {
    let body = loop.regions[0]
    var inside = Set(body.arguments)
    var hoisted: [Op] = []
    var kept: [Op] = []
    for op in body.ops {
        let invariant = op.regions.isEmpty && !op.kind.definition.hasEffects && op.kind != .yield
            && op.kind != .gradient && !op.results.isEmpty && op.operands.allSatisfy { !inside.contains($0) }
        if invariant {
            hoisted.append(op)
        } else {
            kept.append(op)
            op.walkValues { inside.insert($0) }
        }
    }
    body.ops = kept
    return hoisted
}

/// Stops carrying values whose every iteration yields what the loop started with.
private func dropInvariantCarriedValues(of loop: Op, _ module: Module) -> Bool {
    let body = loop.regions[0]
    var changed = false
    for index in (0..<loop.operands.count).reversed() {
        let (initial, argument, yielded) = (loop.operands[index], body.arguments[index + 1], body.yielded[index])
        guard yielded === argument || yielded === initial else { continue }
        module.replaceAllUses([argument: initial, loop.results[index]: initial])
        loop.removeCarried(at: index)
        changed = true
    }
    return changed
}

extension Op {
    /// Every value this op and its regions define.
    func walkValues(_ visit: (Value) -> Void) {
        results.forEach(visit)
        for region in regions {
            region.arguments.forEach(visit)
            region.walk { $0.results.forEach(visit) }
        }
    }
}
