import TGCBase

/// Helpers for passes that edit the IR in place.
extension Module {
    /// Replaces every use of each key with its value, in every block and nested region.
    public func replaceAllUses(_ replacements: [Value: Value]) {
        guard !replacements.isEmpty else { return }
        body.walk { op in
            op.operands = op.operands.map { replacements[$0] ?? $0 }
        }
    }

    /// A constant op filling `type` with `value`.
    func makeSplat(_ value: Double, _ type: TensorType, at location: SourceLocation) -> Op {
        var attrs = Attributes()
        attrs.value = value
        attrs.shape = type.shape
        attrs.dtype = type.dtype
        return makeOp(.constant, [], resultTypes: [type], attributes: attrs, at: location)
    }

    /// Every op that reads each value, anywhere in the module.
    func usersByValue() -> [Value: [Op]] {
        var users: [Value: [Op]] = [:]
        body.walk { op in
            for operand in op.operands { users[operand, default: []].append(op) }
        }
        return users
    }

    /// A copy of `op` and its regions, reading `mapping`'s value for each operand that has one
    /// (others stay as they are); the copy's results and region arguments join `mapping`.
    func copy(_ op: Op, mapping: inout [Value: Value]) -> Op {
        let regions = op.regions.map { region -> Block in
            let copyBlock = Block(arguments: region.arguments.map { makeValue($0.type) })
            for (old, new) in zip(region.arguments, copyBlock.arguments) { mapping[old] = new }
            copyBlock.ops = region.ops.map { copy($0, mapping: &mapping) }
            return copyBlock
        }
        let result = makeOp(op.kind, op.operands.map { mapping[$0] ?? $0 }, resultTypes: op.results.map(\.type),
                            attributes: op.attributes, regions: regions, at: op.location)
        for (old, new) in zip(op.results, result.results) { mapping[old] = new }
        return result
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
    /// The values that this op's regions read but do not define (none for an op without
    /// regions): what a loop or branch depends on besides its operands.
    var capturedValues: [Value] {
        guard !regions.isEmpty else { return [] }
        var defined = Set<Value>()
        var read: [Value] = []
        for region in regions {
            defined.formUnion(region.arguments)
            region.walk { inner in
                for nested in inner.regions { defined.formUnion(nested.arguments) }
                defined.formUnion(inner.results)
                read.append(contentsOf: inner.operands)
            }
        }
        var seen = Set<Value>()
        return read.filter { !defined.contains($0) && seen.insert($0).inserted }
    }

    /// Adds a result to a branch op whose regions were just given one more yielded value each.
    func appendResult(_ value: Value) {
        precondition(kind == .ifElse && regions.allSatisfy { $0.yielded.count == results.count + 1 })
        value.definingOp = self
        results.append(value)
    }

    /// Removes loop-carried value `index` of a `forLoop`: its initial operand, body argument,
    /// yielded value and result. Uses of the argument and the result must be gone already.
    func removeCarried(at index: Int) {
        precondition(kind == .forLoop)
        operands.remove(at: index)
        results.remove(at: index)
        let body = regions[0]
        body.arguments.remove(at: index + 1)
        body.ops[body.ops.count - 1].operands.remove(at: index)
    }
}
