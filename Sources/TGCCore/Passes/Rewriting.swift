/// Helpers for passes that edit the IR in place.
extension Module {
    /// Replaces every use of each key with its value, in every block and nested region.
    public func replaceAllUses(_ replacements: [Value: Value]) {
        guard !replacements.isEmpty else { return }
        body.walk { op in
            op.operands = op.operands.map { replacements[$0] ?? $0 }
        }
    }
}

extension Block {
    /// Every block nested in this one (loop bodies, branches), this one first.
    public var allBlocks: [Block] {
        var blocks: [Block] = [self]
        for op in ops {
            for region in op.regions { blocks.append(contentsOf: region.allBlocks) }
        }
        return blocks
    }
}

extension Op {
    /// Removes loop-carried value `index` of a `forLoop`: its initial operand, body argument,
    /// yielded value and result. Uses of the argument and the result must be gone already.
    /// Adds a result to a branch op whose regions were just given one more yielded value each.
    func appendResult(_ value: Value) {
        precondition(kind == .ifElse && regions.allSatisfy { $0.yielded.count == results.count + 1 })
        value.definingOp = self
        results.append(value)
    }

    func removeCarried(at index: Int) {
        precondition(kind == .forLoop)
        operands.remove(at: index)
        results.remove(at: index)
        let body = regions[0]
        body.arguments.remove(at: index + 1)
        body.ops[body.ops.count - 1].operands.remove(at: index)
    }
}
