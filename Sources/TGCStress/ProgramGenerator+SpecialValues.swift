import TGCCore

/// Deliberate NaN and ±inf: the log or square root of negatives, division by zero, exp of large
/// values; then ops that must propagate them as PyTorch does (max and min return NaN, argmax
/// points at the NaN, relu and maximum keep it, comparisons with NaN are false).
extension UnitBuilder {
    static let specialSources = ["log($0)", "sqrt($0)", "$0 / 0.0", "exp($0 * 100.0)", "($0 * 0.0) / 0.0", "log($0.abs() * 0.0)"]
    /// What a follower op makes of its operand's type.
    enum FollowerResult {
        case scalar, index, same, mask, maxWithIndices

        func type(_ operand: TensorType) -> TensorType {
            switch self {
            case .scalar: TensorType([], operand.dtype)
            case .index: TensorType([], .int64)
            case .same, .maxWithIndices: operand
            case .mask: TensorType(operand.shape, .bool)
            }
        }
    }

    static let specialFollowers: [(String, FollowerResult)] = [
        ("$0.max()", .scalar), ("$0.min()", .scalar), ("$0.sum()", .scalar), ("$0.mean()", .scalar), ("$0.argmax()", .index),
        ("$0.argmin()", .index), ("relu($0)", .same), ("maximum($0, 0.0)", .same), ("minimum($0, 1.0)", .same),
        ("($0 > 0.0)", .mask), ("($0 == $0)", .mask), ("where($0 > 0.0, $0, 1.0)", .same), ("sigmoid($0)", .same),
        ("tanh($0)", .same), ("abs($0)", .same), ("sign($0)", .same), (".max(dim: 0, keepDim: true)", .maxWithIndices),
    ]

    /// An op spelled by `template` whose result range is unknown.
    static func opaque(_ template: String) -> GenOp {
        GenOp(name: "special", style: .call, isTranscendental: true,
              spell: { template.replacingOccurrences(of: "$0", with: $0[0]) }, range: { _ in .unknown })
    }

    func specialValues() {
        let shape = randomShape(maxRank: 2)
        let base = operand(shape: shape.isEmpty ? [3] : shape, dtype: .float32)
        guard let special = bind(.apply(Self.opaque("(" + rng.pick(Self.specialSources) + ")"), [base.expr], base.type), stem: "nan") else { return }
        for (template, result) in Self.specialFollowers.shuffled(using: &rng).prefix(3) {
            guard result == .maxWithIndices else {
                bind(.apply(Self.opaque(template), [special.expr], result.type(special.type)), stem: "nan")
                continue
            }
            guard special.type.rank > 0 else { continue }
            var reduced = special.type.shape
            reduced[0] = 1
            let names = [freshName("nanv"), freshName("nani")]
            let types = [TensorType(reduced, .float32), TensorType(reduced, .int64)]
            if emit(.destructure(names, source: special.expr, call: template, types: types, ranges: [.unknown, .unknown])) {
                for (name, type) in zip(names, types) { scope.append(GenValue(name: name, type: type)) }
            }
        }
    }
}
