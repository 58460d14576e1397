import TGCBase

/// How a loss folds its per-element (per-sample) values: PyTorch's `reduction=` argument.
public enum LossReduction: String, CaseIterable, Sendable {
    case mean, sum, none
}

/// The loss functions of `torch.nn.functional` (mse_loss, l1_loss, smooth_l1_loss, huber_loss,
/// nll_loss, cross_entropy, binary_cross_entropy, binary_cross_entropy_with_logits), built
/// from existing ops with PyTorch's formulas. Class labels are picked with a gather, which
/// checks them at run time; the entries equal to `ignoreIndex` are replaced by class 0 first
/// and masked out after, so they are never checked. The names of their backward nodes are in
/// `SurfaceFunction`.
extension Builder {
    /// Folds per-element losses: their mean, their sum, or the losses themselves.
    public func reduceLoss(_ losses: ValueID, _ reduction: LossReduction, at location: SourceLocation) throws -> ValueID {
        switch reduction {
        case .none: losses
        case .sum: try sum(losses, axes: nil, at: location)
        case .mean: try mean(losses, axes: nil, at: location)
        }
    }

    /// `F.mse_loss`: (input - target)², input and target broadcast together.
    public func mseLoss(_ input: ValueID, _ target: ValueID, reduction: LossReduction, at location: SourceLocation) throws -> ValueID {
        let difference = try apply1(.sub, [input, target], at: location)
        return try reduceLoss(try apply1(.mul, [difference, difference], at: location), reduction, at: location)
    }

    /// `F.l1_loss`: |input - target|.
    public func l1Loss(_ input: ValueID, _ target: ValueID, reduction: LossReduction, at location: SourceLocation) throws -> ValueID {
        let difference = try apply1(.sub, [input, target], at: location)
        return try reduceLoss(try apply1(.abs, [difference], at: location), reduction, at: location)
    }

    /// `F.smooth_l1_loss` (`huber` false, `threshold` is beta): with z = |input - target|,
    /// 0.5·z²/beta below beta, else z - 0.5·beta (beta 0 is the L1 loss). `F.huber_loss`
    /// (`huber` true, `threshold` is delta): 0.5·z² below delta, else delta·(z - 0.5·delta).
    public func smoothL1Loss(_ input: ValueID, _ target: ValueID, threshold: Double, huber: Bool,
                             reduction: LossReduction, at location: SourceLocation) throws -> ValueID {
        let difference = try apply1(.sub, [input, target], at: location)
        let magnitude = try apply1(.abs, [difference], at: location)
        if threshold == 0 && !huber { return try reduceLoss(magnitude, reduction, at: location) }
        let half = try apply1(.mul, [try apply1(.mul, [try scalar(0.5, .float32, at: location), difference], at: location), difference], at: location)
        let bound = try scalar(threshold, .float32, at: location)
        let shifted = try apply1(.sub, [magnitude, try scalar(0.5 * threshold, .float32, at: location)], at: location)
        let quadratic = huber ? half : try apply1(.div, [half, bound], at: location)
        let linear = huber ? try apply1(.mul, [bound, shifted], at: location) : shifted
        let inside = try apply1(.less, [magnitude, bound], at: location)
        return try reduceLoss(try apply1(.select, [inside, quadratic, linear], at: location), reduction, at: location)
    }

    /// `F.nll_loss`: -weight[t]·logProbs[n, t, d...] for each target t = target[n, d...] (the
    /// class dimension is 1, or 0 for one sample of rank 1), 0 where t is `ignoreIndex`; the
    /// mean divides the sum by the total weight of the samples not ignored (their count when
    /// there are no class weights), NaN when every sample is ignored, as in PyTorch.
    public func nllLoss(_ logProbs: ValueID, _ target: ValueID, weight: ValueID?, ignoreIndex: Int,
                        reduction: LossReduction, at location: SourceLocation) throws -> ValueID {
        let samples = try LabelWeights(self, target, weight: weight, ignoreIndex: ignoreIndex, at: location)
        return try nllLoss(logProbs, samples, reduction: reduction, at: location)
    }

    /// nll_loss of labels already weighed.
    private func nllLoss(_ logProbs: ValueID, _ samples: LabelWeights, reduction: LossReduction, at location: SourceLocation) throws -> ValueID {
        let classAxis = type(of: logProbs).rank == 1 ? 0 : 1
        let targetShape = type(of: samples.labels).shape
        var unsqueezed = targetShape
        unsqueezed.insert(1, at: classAxis)
        let index = try reshape(samples.labels, to: unsqueezed, at: location)
        let picked = try reshape(try applyAlong(.gather, [logProbs, index], axis: classAxis, at: location), to: targetShape, at: location)
        let weighted = try samples.classWeights.map { try apply1(.mul, [picked, $0], at: location) } ?? picked
        let zero = try scalar(0, .float32, at: location)
        let losses = try apply1(.select, [samples.ignored, zero, try apply1(.neg, [weighted], at: location)], at: location)
        if reduction == .none { return losses }
        let total = try apply1(.nllSum, [losses, samples.ignored], at: location)
        return reduction == .sum ? total : try apply1(.div, [total, samples.totalWeight], at: location)
    }

    /// `F.cross_entropy` with int64 class labels: nll_loss of log_softmax over the class
    /// dimension. Label smoothing ε mixes in the mean over classes, as PyTorch:
    /// (1 - ε)·nll + (ε / C)·reduce(-Σ_c weight[c]·logProbs[c]), ignored samples 0 and the mean
    /// divided by the same total weight as nll's.
    public func crossEntropy(_ logits: ValueID, labels target: ValueID, weight: ValueID?, ignoreIndex: Int,
                             labelSmoothing: Double, reduction: LossReduction, at location: SourceLocation) throws -> ValueID {
        let rank = type(of: logits).rank
        let classAxis = rank == 1 ? 0 : 1
        let classes = type(of: logits).shape[classAxis]
        let logProbs = try logSoftmax(logits, axis: classAxis, at: location)
        let samples = try LabelWeights(self, target, weight: weight, ignoreIndex: ignoreIndex, at: location)
        let nll = try nllLoss(logProbs, samples, reduction: reduction, at: location)
        guard labelSmoothing > 0 else { return nll }
        let perClass = try weight.map { try apply1(.mul, [logProbs, try classVector($0, rank: rank, classAxis: classAxis, at: location)], at: location) } ?? logProbs
        let summed = try apply1(.neg, [try sum(perClass, axes: [classAxis], at: location)], at: location)
        let smooth = try apply1(.select, [samples.ignored, try scalar(0, .float32, at: location), summed], at: location)
        let reduced = switch reduction {
        case .none: smooth
        case .sum: try sum(smooth, axes: nil, at: location)
        case .mean: try apply1(.div, [try sum(smooth, axes: nil, at: location), samples.totalWeight], at: location)
        }
        let kept = try apply1(.mul, [nll, try scalar(1 - labelSmoothing, .float32, at: location)], at: location)
        let spread = try apply1(.mul, [reduced, try scalar(labelSmoothing / Double(classes), .float32, at: location)], at: location)
        return try apply1(.add, [kept, spread], at: location)
    }

    /// `F.cross_entropy` with class-probability targets of the logits' shape: -Σ_c
    /// weight[c]·target[c]·logProbs[c] per sample, the target first smoothed to
    /// target·(1 - ε) + ε / C; the mean divides the total by the number of samples (the
    /// elements over the class count), as PyTorch.
    public func crossEntropy(_ logits: ValueID, probabilities target: ValueID, weight: ValueID?, labelSmoothing: Double,
                             reduction: LossReduction, at location: SourceLocation) throws -> ValueID {
        let rank = type(of: logits).rank
        let classAxis = rank == 1 ? 0 : 1
        let classes = type(of: logits).shape[classAxis]
        let logProbs = try logSoftmax(logits, axis: classAxis, at: location)
        var smoothed = target
        if labelSmoothing > 0 {
            let kept = try apply1(.mul, [target, try scalar(1 - labelSmoothing, .float32, at: location)], at: location)
            smoothed = try apply1(.add, [kept, try scalar(labelSmoothing / Double(classes), .float32, at: location)], at: location)
        }
        var products = try apply1(.mul, [logProbs, smoothed], at: location)
        if let weight {
            products = try apply1(.mul, [products, try classVector(weight, rank: rank, classAxis: classAxis, at: location)], at: location)
        }
        switch reduction {
        case .none:
            return try apply1(.neg, [try sum(products, axes: [classAxis], at: location)], at: location)
        case .sum:
            return try apply1(.neg, [try sum(products, axes: nil, at: location)], at: location)
        case .mean:
            let total = try apply1(.neg, [try sum(products, axes: nil, at: location)], at: location)
            let samples = type(of: logits).elementCount / max(classes, 1)
            return try apply1(.div, [total, try scalar(Double(samples), .float32, at: location)], at: location)
        }
    }

    /// `F.binary_cross_entropy`: (target - 1)·max(log(1 - input), -100) - target·max(log(input), -100),
    /// PyTorch's clamp keeping an input of exactly 0 or 1 finite.
    public func binaryCrossEntropy(_ input: ValueID, _ target: ValueID, weight: ValueID?, reduction: LossReduction,
                                   at location: SourceLocation) throws -> ValueID {
        let one = try scalar(1, .float32, at: location)
        let logInput = try clampedLog(input, at: location)
        let logComplement = try clampedLog(try apply1(.sub, [one, input], at: location), at: location)
        let negative = try apply1(.mul, [try apply1(.sub, [target, one], at: location), logComplement], at: location)
        var losses = try apply1(.sub, [negative, try apply1(.mul, [target, logInput], at: location)], at: location)
        if let weight { losses = try apply1(.mul, [losses, weight], at: location) }
        return try reduceLoss(losses, reduction, at: location)
    }

    /// `F.binary_cross_entropy_with_logits`: (1 - target)·x + w·softplus(-x) with
    /// w = 1 + (posWeight - 1)·target, PyTorch's form through log-sigmoid, finite for any x.
    public func binaryCrossEntropyWithLogits(_ logits: ValueID, _ target: ValueID, weight: ValueID?, posWeight: ValueID?,
                                             reduction: LossReduction, at location: SourceLocation) throws -> ValueID {
        let one = try scalar(1, .float32, at: location)
        let linear = try apply1(.mul, [try apply1(.sub, [one, target], at: location), logits], at: location)
        var softplus = try apply1(.softplus, [try apply1(.neg, [logits], at: location)], at: location)
        if let posWeight {
            let scaled = try apply1(.mul, [try apply1(.sub, [posWeight, one], at: location), target], at: location)
            softplus = try apply1(.mul, [try apply1(.add, [scaled, one], at: location), softplus], at: location)
        }
        var losses = try apply1(.add, [linear, softplus], at: location)
        if let weight { losses = try apply1(.mul, [losses, weight], at: location) }
        return try reduceLoss(losses, reduction, at: location)
    }

    /// A class-weight vector shaped to broadcast along `classAxis` of a tensor of `rank`.
    private func classVector(_ weight: ValueID, rank: Int, classAxis: Int, at location: SourceLocation) throws -> ValueID {
        var shape = [Int](repeating: 1, count: rank)
        shape[classAxis] = type(of: weight).elementCount
        return try reshape(weight, to: shape, at: location)
    }

    /// log(x) clamped below at -100, as binary_cross_entropy clamps it; the log is taken of 1
    /// where x is 0, so the gradient there is 0 rather than 0 / 0.
    private func clampedLog(_ value: ValueID, at location: SourceLocation) throws -> ValueID {
        let isZero = try apply1(.equal, [value, try scalar(0, .float32, at: location)], at: location)
        let safe = try apply1(.select, [isZero, try scalar(1, .float32, at: location), value], at: location)
        var attrs = Attributes()
        attrs.low = -100
        let clamped = try apply1(.clamp, [try apply1(.log, [safe], at: location)], attrs, at: location)
        return try apply1(.select, [isZero, try scalar(-100, .float32, at: location), clamped], at: location)
    }
}

/// The samples of class labels as nll_loss weighs them: where the label is `ignoreIndex`, the
/// labels with those entries replaced by class 0 (so the gather never checks them), each
/// sample's class weight (nil without class weights), and the total weight of the samples
/// not ignored, which a mean divides by.
private struct LabelWeights {
    let ignored: ValueID
    let labels: ValueID
    let classWeights: ValueID?
    let totalWeight: ValueID

    init(_ b: some Builder, _ target: ValueID, weight: ValueID?, ignoreIndex: Int, at location: SourceLocation) throws {
        ignored = try b.apply1(.equal, [target, try b.scalar(Double(ignoreIndex), .int64, at: location)], at: location)
        labels = try b.apply1(.select, [ignored, try b.scalar(0, .int64, at: location), target], at: location)
        let zero = try b.scalar(0, .float32, at: location)
        if let weight {
            let flat = try b.reshape(labels, to: [b.type(of: labels).elementCount], at: location)
            let picked = try b.reshape(try b.indexSelect(weight, axis: 0, flat, at: location), to: b.type(of: target).shape, at: location)
            classWeights = picked
            totalWeight = try b.apply1(.nllSum, [try b.apply1(.select, [ignored, zero, picked], at: location), ignored], at: location)
        } else {
            classWeights = nil
            let counted = try b.apply1(.select, [ignored, zero, try b.scalar(1, .float32, at: location)], at: location)
            totalWeight = try b.apply1(.reduceSum, [counted], at: location)
        }
    }
}
