/// Matmul epilogues (the last step of fusion): a float32 matmul whose only user is an
/// elementwise kernel with a result of the product's type (shape and float32: the product is
/// stored in that result before the epilogue runs) that reads the product element by element — a
/// fusion group or a lone elementwise op, as in `relu(matmul(x, w) + b)` — joins that kernel.
/// The backends run the matrix product and apply the rest to each block of the product as soon
/// as it is final, while it is still in cache, instead of storing it and sweeping it again.
///
///     %2 = matmul %x, %w : f32[m, n]           %4 = fusion (%x, %w, %b) : f32[m, n] {
///     %4 = fusion (%2, %b) : f32[m, n] {   ==>   ^(%a, %c, %d): %p = matmul %a, %c
///       ^(%p, %d): %y = add %p, %d                              %y = add %p, %d
///                  %z = relu %y                                 %z = relu %y
///                  yield %z                                     yield %z
///     }                                        }
///
/// A 2-D transpose feeding the matmul joins the group as a leaf (the product reads it through a
/// transpose flag); it is dropped from the block when nothing else reads it. The kernel may
/// not hold reductions, and the product must not be read through an index map (a broadcast or
/// transpose of it reads other elements than the one being finished). Batched products (3 or
/// more dimensions) are left alone: `tgc_sgemm_epilogue` finishes the blocks of one matrix, and
/// a batch is a loop of sgemm calls (MatmulLowering.swift).
struct MatmulEpilogueFusion {
    let module: Module
    let block: Block

    func run() {
        while let (matmul, user, members) = nextCandidate() {
            let users = module.usersByValue()
            let leaves = matmul.operands.compactMap { operand -> Op? in
                guard let transpose = operand.definingOp, transpose.kind == .transpose, transpose.attributes.permutation == [1, 0],
                      block.ops.contains(where: { $0 === transpose }) else { return nil }
                return transpose
            }.reduce(into: [Op]()) { unique, leaf in if !unique.contains(where: { $0 === leaf }) { unique.append(leaf) } }
            let fusion = makeFusion(matmul: matmul, leaves: leaves, user: user, members: members)
            block.ops = block.ops.compactMap { op in
                if op === user { return fusion }
                return op === matmul ? nil : op
            }
            for leaf in leaves where (users[leaf.result] ?? []).allSatisfy({ $0 === matmul }) {
                block.ops.removeAll { $0 === leaf }
            }
            module.replaceAllUses([user.result: fusion.result])
        }
    }

    /// The first float32 2-D matmul of the block whose only reader is an epilogue kernel.
    private func nextCandidate() -> (matmul: Op, user: Op, members: [Op])? {
        let users = module.usersByValue()
        for matmul in block.ops where matmul.kind == .matmul && matmul.result.type.dtype == .float32 && matmul.result.type.rank == 2 {
            let product = matmul.result
            guard let readers = users[product], let user = readers.first, readers.allSatisfy({ $0 === user }),
                  block.ops.contains(where: { $0 === user }), user.results.count == 1,
                  user.result.type == product.type,   // the product is stored in the result first
                  let members = epilogueMembers(user, product: product) else { continue }
            return (matmul, user, members)
        }
        return nil
    }

    /// The ops `user` computes, with `product` as an input: nil unless every one is
    /// elementwise arithmetic, a literal or an index-map leaf, and every read of `product` is
    /// by an elementwise op of its shape (the same element).
    private func epilogueMembers(_ user: Op, product: Value) -> [Op]? {
        let planner = FusionPlanner(module: module, block: block)
        let ops: [Op]
        let input: Value
        if user.kind == .fusion {
            ops = user.regions[0].ops.filter { $0.kind != .yield }
            guard let index = user.operands.firstIndex(of: product) else { return nil }
            input = user.regions[0].arguments[index]
        } else {
            ops = [user]
            input = product
        }
        for op in ops {
            switch planner.role(op) {
            case .elementwise, .literal, .indexMap: break
            default: return nil
            }
            if op.operands.contains(input), planner.role(op) != .elementwise || op.result.type.shape != product.type.shape {
                return nil
            }
        }
        return ops
    }

    /// The fusion op: transpose leaves, the matmul, then the user's ops, reading the group's
    /// inputs (the matmul's operands or the transposes' sources, then the user's other inputs).
    private func makeFusion(matmul: Op, leaves: [Op], user: Op, members: [Op]) -> Op {
        let product = matmul.result
        var inputs: [Value] = []
        func addInput(_ value: Value) { if !inputs.contains(value) { inputs.append(value) } }
        for operand in matmul.operands {
            if let leaf = leaves.first(where: { $0.result == operand }) { addInput(leaf.operands[0]) } else { addInput(operand) }
        }
        for operand in user.operands where operand != product { addInput(operand) }
        let region = Block(arguments: inputs.map { module.makeValue($0.type) })
        var mapping = Dictionary(uniqueKeysWithValues: zip(inputs, region.arguments))
        func clone(_ op: Op) { region.ops.append(module.copy(op, mapping: &mapping)) }
        leaves.forEach(clone)
        clone(matmul)
        if user.kind == .fusion {
            for (argument, operand) in zip(user.regions[0].arguments, user.operands) { mapping[argument] = mapping[operand] }
        }
        members.forEach(clone)
        let root = user.kind == .fusion ? user.regions[0].yielded[0] : user.result
        region.ops.append(module.makeOp(.yield, [mapping[root]!], resultTypes: [], at: user.location))
        var attrs = Attributes()
        attrs.name = FusionPlanner.kernelName(leaves + [matmul] + members)
        return module.makeOp(.fusion, inputs, resultTypes: [user.result.type], attributes: attrs,
                             regions: [region], at: user.location)
    }
}
