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
