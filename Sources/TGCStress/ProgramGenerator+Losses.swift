import Foundation
import TGCCore

/// Loss expressions of a float operand against a target made from it, so labels are always in
/// range and shapes always match: mseLoss, l1Loss, smoothL1Loss, huberLoss and
/// binaryCrossEntropyWithLogits against half the operand (or its sigmoid), crossEntropy of a
/// matrix against its own argmax, each with a random reduction.
extension UnitBuilder {
    func loss(_ base: GenExpr) -> GenExpr? {
        let type = base.type
        guard type.dtype == .float32, type.rank > 0, type.elementCount > 0 else { return nil }
        let reduction = rng.pick(LossReduction.allCases)
        let count = Double(type.elementCount)
        let scale = reduction == .sum ? count : 1
        let classifying = type.rank == 2 && rng.chance(0.4)
        let (name, template): (String, String)
        let bound: @Sendable (ValueRange) -> Double
        if classifying {
            let smoothing = rng.chance(0.5) ? ", labelSmoothing: 0.1" : ""
            let classes = Double(type.shape[1])
            (name, template) = ("crossEntropy", "crossEntropy($0, $0.argmax(dim: 1), reduction: .\(reduction)\(smoothing))")
            bound = { ($0.hi - $0.lo + log(classes) + 1) * (reduction == .sum ? Double(type.shape[0]) : 1) }
        } else {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: (name, template, bound) = ("mseLoss", "mseLoss($0, $0 * 0.5, reduction: .\(reduction))", { 0.25 * $0.magnitude * $0.magnitude * scale })
            case 1: (name, template, bound) = ("l1Loss", "l1Loss($0, $0 * 0.5, reduction: .\(reduction))", { 0.5 * $0.magnitude * scale })
            case 2: (name, template, bound) = ("smoothL1Loss", "smoothL1Loss($0, $0 * 0.5, reduction: .\(reduction), beta: 0.5)", { $0.magnitude * scale })
            case 3: (name, template, bound) = ("huberLoss", "huberLoss($0, $0 * 0.5, reduction: .\(reduction), delta: 0.5)", { $0.magnitude * scale })
            default:
                (name, template, bound) = ("binaryCrossEntropyWithLogits", "binaryCrossEntropyWithLogits($0, sigmoid($0), reduction: .\(reduction))",
                                           { (2 * $0.magnitude + 1) * scale })
            }
        }
        let shape: [Int] = reduction != .none ? [] : classifying ? [type.shape[0]] : type.shape
        let op = GenOp(name: name, style: .call, isTranscendental: true,
                       spell: { template.replacingOccurrences(of: "$0", with: $0[0]) },
                       range: { $0.first.map { ValueRange(0, bound($0)) } })
        return .apply(op, [base], TensorType(shape, .float32))
    }
}
