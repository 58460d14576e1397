import TGCBase

/// Part of canonicalization: a `load` of a .npy or IDX file whose rows (first dimension) are
/// read only through leading slices, directly or after elementwise ops that keep its rows apart
/// (a cast, a division by a scalar), loads just the rows they reach (`fileRows` keeps the
/// file's count) and the ops between narrow with it; a gzip'd file is then inflated only that
/// far. `FashionMNIST(train: true).tensors` sliced to `[..<6000]` reads 6,000 of 60,000 images.
///
///     %0 = load {shape = [60000, 28, 28], ...}               %0 = load {shape = [6000, 28, 28], ..., fileRows = 60000}
///     %1 = cast %0 {dtype = float32} : f32[60000, 28, 28]  ==>  %1 = cast %0 {dtype = float32} : f32[6000, 28, 28]
///     %2 = slice %1 {slice = [[0, 1, 6000], ...]}             %2 = slice %1 {slice = [[0, 1, 6000], ...]}
struct LoadNarrowing {
    let module: Module

    /// Narrows every load it can; true when one changed.
    func run() -> Bool {
        var loads: [Op] = []
        var blockOf: [ObjectIdentifier: Block] = [:]
        for block in module.body.allBlocks {
            for op in block.ops {
                blockOf[ObjectIdentifier(op)] = block
                if op.kind == .load, op.attributes.name == nil, op.result.type.rank > 0 { loads.append(op) }
            }
        }
        guard !loads.isEmpty else { return false }
        let users = module.usersByValue()
        var changed = false
        for load in loads {
            let rows = load.result.type.shape[0]
            guard let reached = rowsReached(load.result, users), reached < rows else { continue }
            var attrs = load.attributes
            attrs.fileRows = attrs.fileRows ?? rows
            attrs.shape![0] = reached
            narrow(load, to: reached, attributes: attrs, operands: [], users: users, blockOf: blockOf)
            changed = true
        }
        return changed
    }

    /// How many leading rows the uses of `value` read; nil when some use needs all of them (or
    /// there is none).
    private func rowsReached(_ value: Value, _ users: [Value: [Op]]) -> Int? {
        guard let uses = users[value], !uses.isEmpty else { return nil }
        var reached = 0
        for use in uses {
            if use.kind == .slice, let rows = use.attributes.slice?.first, rows.step > 0 {
                reached = max(reached, rows.size == 0 ? 0 : rows.start + (rows.size - 1) * rows.step + 1)
            } else if keepsRows(use, of: value), let inner = rowsReached(use.result, users) {
                reached = max(reached, inner)
            } else {
                return nil
            }
        }
        return reached
    }

    /// An elementwise op whose result row i is computed from row i of `value` alone: `value`
    /// has the result's shape and every other operand is the same for every row (of lower rank,
    /// or one row broadcast), like the 255 of `toFloat`'s division.
    private func keepsRows(_ op: Op, of value: Value) -> Bool {
        let definition = op.kind.definition
        guard definition.fusion == .elementwise || definition.fusion == .broadcast, op.results.count == 1, op.regions.isEmpty,
              !definition.hasEffects, op.result.type.shape == value.type.shape else { return false }
        let others = op.operands.filter { $0 !== value }
        return others.count == op.operands.count - 1
            && others.allSatisfy { $0.type.rank < value.type.rank || $0.type.shape.first == 1 }
    }

    /// Replaces `op` in its block by the same op on `operands` with its first dimension cut to
    /// `rows`, then the ops reading it: slices read the new value, row-keeping ops narrow too.
    private func narrow(_ op: Op, to rows: Int, attributes: Attributes, operands: [Value], users: [Value: [Op]],
                        blockOf: [ObjectIdentifier: Block]) {
        var type = op.result.type
        type.shape[0] = rows
        let narrowed = module.makeOp(op.kind, operands, resultTypes: [type], attributes: attributes, at: op.location)
        let block = blockOf[ObjectIdentifier(op)]!
        block.ops[block.ops.firstIndex { $0 === op }!] = narrowed
        for use in users[op.result] ?? [] {
            if use.kind == .slice {
                use.operands[0] = narrowed.result
            } else {
                let operands = use.operands.map { $0 === op.result ? narrowed.result : $0 }
                narrow(use, to: rows, attributes: use.attributes, operands: operands, users: users, blockOf: blockOf)
            }
        }
    }
}
