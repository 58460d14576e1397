import TGCCore

/// Selecting expressions whose indices are always in range: gather, scatter and scatterAdd
/// through the operand's own argsort along a dimension (a permutation of it), indexSelect
/// through a reversed arange, sort and topk values, and maskedFill of a comparison.
extension UnitBuilder {
    func selecting(_ base: GenExpr) -> GenExpr? {
        let type = base.type
        let rank = type.rank
        guard rank > 0, type.dtype != .bool else { return nil }
        let axis = Int.random(in: 0..<rank, using: &rng)
        let extent = type.shape[axis]
        guard extent > 0 else { return nil }
        let dim = rng.chance(0.3) ? axis - rank : axis
        let order = "$0.argsort(dim: \(dim)\(rng.chance(0.5) ? ", descending: true" : ""))"
        var shape = type.shape
        let (name, template, range): (String, String, @Sendable (ValueRange) -> ValueRange)
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: (name, template, range) = ("gather", "$0.gather(dim: \(dim), index: \(order))", { $0 })
        case 1: (name, template, range) = ("scatter", "$0.scatter(dim: \(dim), index: \(order), src: $0 * 2)", { $0.union($0.summed(2)) })
        case 2: (name, template, range) = ("scatterAdd", "$0.scatterAdd(dim: \(dim), index: \(order), src: $0)", { $0.summed(2) })
        case 3: (name, template, range) = ("indexSelect", "$0.indexSelect(dim: \(dim), index: arange(0, \(extent)).flip(dims: [0]))", { $0 })
        case 4: (name, template, range) = ("sort", "$0.sort(dim: \(dim)\(rng.chance(0.5) ? ", descending: true" : "")).values", { $0 })
        case 5:
            let k = Int.random(in: 1...extent, using: &rng)   // not 0: an empty result has no max for later reductions
            shape[axis] = k
            (name, template, range) = ("topk", "$0.topk(\(k), dim: \(dim)\(rng.chance(0.5) ? ", largest: false" : "")).values", { $0 })
        default:
            let fill = type.dtype == .float32 ? "0.5" : "3"
            (name, template, range) = ("maskedFill", "$0.maskedFill($0 > 0, \(fill))", { $0.union(.point(type.dtype == .float32 ? 0.5 : 3)) })
        }
        let op = GenOp(name: name, style: .call, isTranscendental: false,
                       spell: { template.replacingOccurrences(of: "$0", with: $0[0]) }, range: { $0.first.map(range) })
        return .apply(op, [base], TensorType(shape, type.dtype))
    }
}
