/// Dead code elimination: removes ops without effects whose results are never used, and
/// loop-carried values that no one reads and that only feed themselves.
///
///     %1 = exp %0        (unused)        ==>   (removed)
///     print "x", %0                            print "x", %0
///
/// Ops with effects (print, save, RNG draws, manualSeed, loops and branches) always stay:
/// removing a random draw would shift every later number of the stream.
let deadCodeEliminationPass = Pass(name: "dce", summary: "remove unused pure ops") { module in
    var changed = true
    while changed {
        changed = false
        var used = Set<Value>()
        module.body.walk { op in used.formUnion(op.operands) }
        for block in module.body.allBlocks {
            let before = block.ops.count
            block.ops.removeAll { op in
                !op.kind.definition.hasEffects && op.kind != .yield && !op.results.isEmpty
                    && op.results.allSatisfy { !used.contains($0) }
            }
            changed = changed || block.ops.count != before
            for op in block.ops where op.kind == .forLoop {
                changed = dropUnusedCarriedValues(op, used: used) || changed
            }
        }
    }
}

/// Removes carried values of `loop` whose result is unused and whose body argument feeds
/// only its own yield: state that nothing reads. `used` and the reader counts are taken before
/// any removal, so they can only over-count: the pass repeats until nothing changes.
private func dropUnusedCarriedValues(_ loop: Op, used: Set<Value>) -> Bool {
    let body = loop.regions[0]
    var readers: [ObjectIdentifier: Int] = [:]
    body.walk { op in
        for operand in op.operands { readers[ObjectIdentifier(operand), default: 0] += 1 }
    }
    var changed = false
    for index in (0..<loop.operands.count).reversed() {
        let argument = body.arguments[index + 1]
        let count = readers[ObjectIdentifier(argument), default: 0]
        let feedsOnlyItself = count == 0 || (count == 1 && body.yielded[index] === argument)
        guard feedsOnlyItself, !used.contains(loop.results[index]) else { continue }
        loop.removeCarried(at: index)
        changed = true
    }
    return changed
}
