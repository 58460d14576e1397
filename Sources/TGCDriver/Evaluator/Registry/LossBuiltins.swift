import TGCBase
import TGCCore

/// The loss functions of `torch.nn.functional` (`mseLoss`, `l1Loss`, `smoothL1Loss`,
/// `huberLoss`, `crossEntropy`, `nllLoss`, `binaryCrossEntropy`,
/// `binaryCrossEntropyWithLogits`), each taking `reduction: .mean | .sum | .none`, with
/// PyTorch's arguments in PyTorch's order and its defaults. They are Builder composites
/// (Builder+Losses.swift) whose shapes are checked here, before anything is built.
extension BuiltinFamily {
    static let loss: BuiltinFamily = {
        let pair: [Param] = [.unlabeled("input"), .unlabeled("target")]
        let reduction = Param.labeled("reduction")
        let labelOptions: [Param] = [.labeled("weight"), .labeled("ignoreIndex"), reduction]
        return BuiltinFamily(name: "loss", functions: [
            FunctionEntry("mseLoss", pair + [reduction], "F.mse_loss: (input - target)²") { e, site in
                try e.regressionLoss(site, .mse)
            },
            FunctionEntry("l1Loss", pair + [reduction], "F.l1_loss: |input - target|") { e, site in
                try e.regressionLoss(site, .l1)
            },
            FunctionEntry("smoothL1Loss", pair + [reduction, .labeled("beta")], "F.smooth_l1_loss: quadratic below beta (default 1), then linear") { e, site in
                try e.regressionLoss(site, .smoothL1)
            },
            FunctionEntry("huberLoss", pair + [reduction, .labeled("delta")], "F.huber_loss: quadratic below delta (default 1), then delta-scaled linear") { e, site in
                try e.regressionLoss(site, .huber)
            },
            FunctionEntry("crossEntropy", pair + labelOptions + [.labeled("labelSmoothing")],
                          "F.cross_entropy of logits and int64 class labels or class probabilities") { e, site in
                try e.classificationLoss(site, logits: true)
            },
            FunctionEntry("nllLoss", pair + labelOptions, "F.nll_loss of log-probabilities and int64 class labels") { e, site in
                try e.classificationLoss(site, logits: false)
            },
            FunctionEntry("binaryCrossEntropy", pair + [.labeled("weight"), reduction], "F.binary_cross_entropy of probabilities") { e, site in
                try e.binaryLoss(site, logits: false)
            },
            FunctionEntry("binaryCrossEntropyWithLogits", pair + [.labeled("weight"), reduction, .labeled("posWeight")],
                          "F.binary_cross_entropy_with_logits") { e, site in
                try e.binaryLoss(site, logits: true)
            },
        ])
    }()
}

/// The elementwise losses of a prediction against a target of its shape.
enum RegressionLoss {
    case mse, l1, smoothL1, huber
}

extension Evaluator {
    /// `mseLoss`, `l1Loss`, `smoothL1Loss(beta:)`, `huberLoss(delta:)`: input and target
    /// broadcast together, as in PyTorch (which also warns when their shapes differ).
    func regressionLoss(_ site: CallSite, _ loss: RegressionLoss) throws -> EvalValue {
        let (input, target) = (try lossTensor(site, "input"), try lossTensor(site, "target"))
        let (inputShape, targetShape) = (builder.type(of: input.id).shape, builder.type(of: target.id).shape)
        guard (try? ShapeRules.broadcast(inputShape, targetShape)) != nil else {
            throw Diagnostic("\(site.name): the target of shape \(formatShape(targetShape)) does not broadcast with the input of shape \(formatShape(inputShape))",
                             at: site.location("target"))
        }
        let reduction = try lossReduction(site)
        let threshold = try lossThreshold(site, loss)
        let gradFunction: String? = switch loss {
        case .mse: SurfaceFunction.mseLoss.gradFunction
        case .l1: l1GradFunction(reduction)
        case .smoothL1: threshold == 0 ? l1GradFunction(reduction) : SurfaceFunction.smoothL1Loss.gradFunction
        case .huber: SurfaceFunction.huberLoss.gradFunction
        }
        let at = site.location
        return .tensor(try recordComposite("\(site.name)()", [input, target], gradFunction: gradFunction, at: at) {
            switch loss {
            case .mse: try builder.mseLoss(input.id, target.id, reduction: reduction, at: at)
            case .l1: try builder.l1Loss(input.id, target.id, reduction: reduction, at: at)
            case .smoothL1, .huber:
                try builder.smoothL1Loss(input.id, target.id, threshold: threshold, huber: loss == .huber, reduction: reduction, at: at)
            }
        })
    }

    /// `crossEntropy(logits, target, weight:, ignoreIndex: -100, reduction:, labelSmoothing: 0)`
    /// and `nllLoss(logProbs, target, weight:, ignoreIndex:, reduction:)`. The input is [C] or
    /// [N, C, d1, ...]; int64 labels have its shape without the class dimension, class
    /// probabilities (crossEntropy only) its own shape.
    func classificationLoss(_ site: CallSite, logits: Bool) throws -> EvalValue {
        let (input, target) = (try lossTensor(site, "input"), try lossTensor(site, "target", allowingLabels: true))
        let (inputShape, targetType) = (builder.type(of: input.id).shape, builder.type(of: target.id))
        guard !inputShape.isEmpty else { throw Diagnostic("\(site.name) needs an input with a class dimension, got a 0-dim tensor", at: site.location("input")) }
        let classAxis = inputShape.count == 1 ? 0 : 1
        let classes = inputShape[classAxis]
        let weight = try classWeights(site, classes: classes)
        let ignoreIndex = try site.value("ignoreIndex").map { try staticInt($0, what: "ignoreIndex", at: site.location("ignoreIndex")) } ?? -100
        let smoothing = try site.value("labelSmoothing").map { try staticDouble($0, what: "labelSmoothing", at: site.location("labelSmoothing")) } ?? 0
        guard (0...1).contains(smoothing) else {
            throw Diagnostic("labelSmoothing must be between 0.0 and 1.0, got \(smoothing)", at: site.location("labelSmoothing"))
        }
        let reduction = try lossReduction(site)
        let operands = [input, target] + (weight.map { [$0] } ?? [])
        let at = site.location
        if targetType.dtype.isFloatingPoint && logits {
            guard targetType.shape == inputShape else {
                throw Diagnostic("crossEntropy: class probabilities must have the input's shape \(formatShape(inputShape)), got \(formatShape(targetType.shape))",
                                 at: site.location("target"))
            }
            let gradFunction: String? = reduction == .mean ? SurfaceFunction.crossEntropyProbabilitiesMean.gradFunction : OpKind.neg.definition.gradFunction
            return .tensor(try recordComposite("crossEntropy()", operands, gradFunction: gradFunction, at: at) {
                try builder.crossEntropy(input.id, probabilities: target.id, weight: weight?.id, labelSmoothing: smoothing, reduction: reduction, at: at)
            })
        }
        guard targetType.dtype == .int64 else {
            let expected = logits ? "int64 class labels or floating-point class probabilities" : "int64 class labels"
            throw Diagnostic("\(site.name) expects \(expected) as its target, got \(targetType.dtype)", at: site.location("target"))
        }
        try checkLabelShape(targetType.shape, inputShape: inputShape, site)
        let gradFunction: String? = if logits && smoothing > 0 { OpKind.add.definition.gradFunction }
            else if inputShape.count <= 2 { SurfaceFunction.nllLoss.gradFunction }
            else if inputShape.count != 4 && reduction == .none { OpKind.reshape.definition.gradFunction }   // nll_loss_nd views other ranks as 4-d and back
            else { SurfaceFunction.nllLoss2d.gradFunction }
        return .tensor(try recordComposite("\(site.name)()", operands, gradFunction: gradFunction, at: at) {
            guard logits else {
                return try builder.nllLoss(input.id, target.id, weight: weight?.id, ignoreIndex: ignoreIndex, reduction: reduction, at: at)
            }
            return try builder.crossEntropy(input.id, labels: target.id, weight: weight?.id, ignoreIndex: ignoreIndex,
                                            labelSmoothing: smoothing, reduction: reduction, at: at)
        })
    }

    /// `binaryCrossEntropy(probs, target, weight:, reduction:)` and
    /// `binaryCrossEntropyWithLogits(logits, target, weight:, reduction:, posWeight:)`: target
    /// of the input's shape (PyTorch refuses others), weights broadcast to it.
    func binaryLoss(_ site: CallSite, logits: Bool) throws -> EvalValue {
        let (input, target) = (try lossTensor(site, "input"), try lossTensor(site, "target"))
        let (inputShape, targetShape) = (builder.type(of: input.id).shape, builder.type(of: target.id).shape)
        guard targetShape == inputShape else {
            throw Diagnostic("\(site.name): the target's shape \(formatShape(targetShape)) must be the input's shape \(formatShape(inputShape))",
                             at: site.location("target"))
        }
        let weight = try broadcastWeight(site, "weight", to: inputShape)
        let posWeight = try broadcastWeight(site, "posWeight", to: inputShape)
        let extras = [weight, posWeight].compactMap { $0 }
        let reduction = try lossReduction(site)
        let at = site.location
        let function: SurfaceFunction = logits ? .binaryCrossEntropyWithLogits : .binaryCrossEntropy
        return .tensor(try recordComposite("\(site.name)()", [input, target] + extras, gradFunction: function.gradFunction, at: at) {
            guard logits else { return try builder.binaryCrossEntropy(input.id, target.id, weight: weight?.id, reduction: reduction, at: at) }
            return try builder.binaryCrossEntropyWithLogits(input.id, target.id, weight: weight?.id, posWeight: posWeight?.id,
                                                            reduction: reduction, at: at)
        })
    }

    /// binaryLoss's `weight:` or `posWeight:`, nil when left out: a tensor that broadcasts to `shape`.
    private func broadcastWeight(_ site: CallSite, _ name: String, to shape: [Int]) throws -> TensorValue? {
        guard site.value(name) != nil else { return nil }
        let weight = try lossTensor(site, name)
        let weightShape = builder.type(of: weight.id).shape
        guard (try? ShapeRules.broadcast(weightShape, shape)) == shape else {
            throw Diagnostic("\(site.name): \(name) of shape \(formatShape(weightShape)) does not broadcast to the input's shape \(formatShape(shape))",
                             at: site.location(name))
        }
        return weight
    }

    /// `reduction:` (default `.mean`).
    private func lossReduction(_ site: CallSite) throws -> LossReduction {
        guard let value = site.value("reduction") else { return .mean }
        guard case .reduction(let reduction) = value else {
            throw Diagnostic("reduction must be .mean, .sum or .none, got \(value.kindName)", at: site.location("reduction"))
        }
        return reduction
    }

    /// A float32 or float64 tensor argument (int64 too when `allowingLabels`).
    private func lossTensor(_ site: CallSite, _ name: String, allowingLabels: Bool = false) throws -> TensorValue {
        guard case .tensor(let tensor)? = site.value(name) else {
            throw Diagnostic("\(name) of \(site.name) must be a tensor", at: site.location(name))
        }
        let dtype = builder.type(of: tensor.id).dtype
        guard dtype == .float32 || dtype == .float64 || (allowingLabels && dtype == .int64) else {
            let fix = allowingLabels && !dtype.isFloatingPoint && dtype != .bool ? "class labels are int64: convert them with .long()" : "convert it with .float() first"
            throw Diagnostic("\(site.name) needs a floating-point \(name)\(allowingLabels ? " or int64 class labels" : ""), got \(dtype); \(fix)", at: site.location(name))
        }
        return tensor
    }

    /// smoothL1Loss's beta (default 1, not negative) and huberLoss's delta (default 1, positive).
    private func lossThreshold(_ site: CallSite, _ loss: RegressionLoss) throws -> Double {
        let name = loss == .huber ? "delta" : "beta"
        guard loss == .smoothL1 || loss == .huber, let value = site.value(name) else { return 1 }
        let threshold = try staticDouble(value, what: name, at: site.location(name))
        guard loss == .huber ? threshold > 0 : threshold >= 0 else {
            throw Diagnostic("\(site.name) needs a \(loss == .huber ? "positive" : "non-negative") \(name), got \(threshold)", at: site.location(name))
        }
        return threshold
    }

    /// l1Loss's backward node is its last op's: the mean's, the sum's, or abs's.
    private func l1GradFunction(_ reduction: LossReduction) -> String? {
        switch reduction {
        case .mean: SurfaceFunction.meanAll.gradFunction
        case .sum: OpKind.reduceSum.definition.gradFunction
        case .none: OpKind.abs.definition.gradFunction
        }
    }

    /// `weight:` of crossEntropy and nllLoss: a float32 vector of one weight per class.
    private func classWeights(_ site: CallSite, classes: Int) throws -> TensorValue? {
        guard site.value("weight") != nil else { return nil }
        let weight = try lossTensor(site, "weight")
        let shape = builder.type(of: weight.id).shape
        guard shape == [classes] else {
            throw Diagnostic("weight should be defined for all \(classes) classes, got a weight of shape \(formatShape(shape))", at: site.location("weight"))
        }
        return weight
    }

    /// Labels for an input [C] are 0-dim, for [N, C, d1, ...] of shape [N, d1, ...].
    private func checkLabelShape(_ shape: [Int], inputShape: [Int], _ site: CallSite) throws {
        let expected = inputShape.count == 1 ? [] : [inputShape[0]] + inputShape.dropFirst(2)
        guard shape != expected else { return }
        let location = site.location("target")
        if inputShape.count >= 2, shape.count == expected.count, shape.first != inputShape[0] {
            throw Diagnostic("\(site.name): expected input batch size (\(inputShape[0])) to match target batch size (\(shape[0])): input of shape \(formatShape(inputShape)), target of shape \(formatShape(shape))", at: location)
        }
        throw Diagnostic("\(site.name): class labels for an input of shape \(formatShape(inputShape)) must have shape \(formatShape(expected)), got \(formatShape(shape))", at: location)
    }
}

extension BuiltinFamily {
    /// The loss modules (`nn.MSELoss()`, `nn.CrossEntropyLoss(labelSmoothing: 0.1)`), each
    /// the module form of a loss function: made with that function's labeled options, called
    /// as `criterion(output, target)`.
    static let lossModules = BuiltinFamily(name: "loss modules", functions: [
        ("MSELoss", "mseLoss"), ("L1Loss", "l1Loss"), ("SmoothL1Loss", "smoothL1Loss"), ("HuberLoss", "huberLoss"),
        ("CrossEntropyLoss", "crossEntropy"), ("NLLLoss", "nllLoss"), ("BCELoss", "binaryCrossEntropy"),
        ("BCEWithLogitsLoss", "binaryCrossEntropyWithLogits"),
    ].map { typeName, function in
        let options = Array(BuiltinFamily.loss.functions.first { $0.name == function }!.params!.dropFirst(2))
        return FunctionEntry(typeName, options, "torch.nn.\(typeName): the module form of \(function)") { _, site in
            let fields = options.compactMap { option in site.value(option.name).map { (name: option.name, value: $0) } }
            return .module(ModuleObject(.layer(.loss(typeName: typeName, function: function)), fields: fields))
        }
    })
}
