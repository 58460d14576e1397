import TGCBase
import TGCCore

/// The reductions of the language, as methods (`x.sum(dim: 1, keepDim: true)`) and functions
/// of the tensor (`sum(x, dim: 1)`); `mean`, `std`, `var`, `amax`, `amin`, `logsumexp` and
/// `norm` are Builder composites, as are `softmax(x, dim:)` and `logSoftmax(x, dim:)`. The
/// family also holds `cumsum(x, dim:)` and the Bool-valued `allclose` and `equal`
/// (ClosenessBuiltins.swift).
enum ReductionMethod: String, CaseIterable {
    case sum, mean, std, `var`, amax, amin, logsumexp, any, all, max, min, argmax, argmin
    // Chapter 2 math
    case prod, norm

    /// The op kind it is, nil for the composites (Builder.mean, Builder.std).
    var kind: OpKind? {
        switch self {
        case .sum: .reduceSum
        case .max: .reduceMax
        case .min: .reduceMin
        case .argmax: .argMax
        case .argmin: .argMin
        case .prod: .reduceProd
        case .mean, .std, .var, .amax, .amin, .logsumexp, .any, .all, .norm: nil
        }
    }

    var name: String {
        if let kind { return BuiltinFamily.methodName(kind) }
        return rawValue
    }

    /// Whether `dim:` may name several dimensions.
    var takesSeveralDims: Bool { kind == nil || self == .sum }

    /// Its parameters: `dim:` (required by logsumexp, as in PyTorch), `keepDim:`,
    /// `unbiased:` for var and std (before keepDim, as PyTorch's positional order
    /// `x.var(0, False)`), and `p:` first for norm.
    var parameters: [Param] {
        let dims: [Param] = [.labeled("dim", optional: self != .logsumexp), .labeled("keepDim")]
        switch self {
        case .var, .std: return [dims[0], .labeled("unbiased"), dims[1]]
        case .norm: return [.labeled("p")] + dims
        default: return dims
        }
    }
}

/// `isnan(x)`, `isinf(x)`, `isfinite(x)` and their methods: bool tensors, no gradient.
enum FloatClassMethod: String, CaseIterable {
    case isnan, isinf, isfinite
}

/// `softmax(x, dim:)` and `logSoftmax(x, dim:)`: normalizations over one dimension.
enum SoftmaxMethod: String, CaseIterable {
    case softmax, logSoftmax
}

extension BuiltinFamily {
    static let reduction: BuiltinFamily = {
        let methods = ReductionMethod.allCases.map { method in
            MethodEntry(method.name, method.parameters, "\(method.name) over dim (default: every dimension)") { e, x, site in
                try e.reduction(x, site, method)
            }
        } + SoftmaxMethod.allCases.map { method in
            MethodEntry(method.rawValue, [.labeled("dim", optional: false)], "\(method.rawValue) over dim") { e, x, site in
                try e.softmax(x, site, method)
            }
        } + [
            MethodEntry(BuiltinFamily.methodName(.cumsum), [.labeled("dim", optional: false)], "the running sums along dim") { e, x, site in
                try e.cumsum(x, site)
            },
        ] + FloatClassMethod.allCases.map { method in
            MethodEntry(method.rawValue, [], "elementwise \(method.rawValue), a bool tensor") { e, x, site in
                try e.floatClass(x, site, method)
            }
        } + closenessMethods
        let functions = methods.map { entry in
            guard entry.name == "max" || entry.name == "min" else { return entry.asFunction }
            return FunctionEntry(entry.name, nil, "\(entry.name)(a, b): elementwise; \(entry.name)(x, dim:): a reduction") { e, site in
                try e.maxOrMin(site, reduction: entry)
            }
        }
        return BuiltinFamily(name: "reduction", functions: functions, methods: methods)
    }()
}

extension Evaluator {
    /// `max(a, b)`: the elementwise maximum (Swift's max of two numbers, torch.max(a, b));
    /// otherwise the reduction `max(x, dim:)`, also `max(x, 1)`: an Int after a tensor is a
    /// dimension, as in `torch.max(x, 1)`.
    func maxOrMin(_ site: CallSite, reduction: MethodEntry) throws -> EvalValue {
        let name = site.name
        guard site.arguments.count == 2, site.arguments.allSatisfy({ $0.label == nil }) else {
            return try reduction.callWithReceiverFirst(self, site)
        }
        let (a, b) = (site.arguments[0].value, site.arguments[1].value)
        if case .tensor(let x) = a, !x.isHostScalar, case .int = b { return try reduction.callWithReceiverFirst(self, site) }
        if case .tensor = a {} else if case .tensor = b {} else {
            let (x, y) = (try staticDouble(a, what: "an argument of \(name)", at: site.location),
                          try staticDouble(b, what: "an argument of \(name)", at: site.location))
            return name == "max" ? (x >= y ? a : b) : (x <= y ? a : b)
        }
        return .tensor(try tensorOp(name == "max" ? .maximum : .minimum, [a, b], at: site.location))
    }
}

extension Evaluator {
    /// `softmax(x, dim: 1)`, `x.logSoftmax(dim: -1)` (Builder.softmax, Builder.logSoftmax).
    func softmax(_ x: TensorValue, _ site: CallSite, _ method: SoftmaxMethod) throws -> EvalValue {
        let rank = builder.type(of: x.id).rank
        let axis = try normalizeDim(try staticInt(site.value("dim")!, what: "dim", at: site.location("dim")), rank: rank, at: site.location("dim"))
        let at = site.location
        switch method {
        case .softmax:
            return .tensor(try recordComposite("softmax()", [x], gradFunction: SurfaceFunction.softmax.gradFunction, at: at) {
                try builder.softmax(x.id, axis: axis, at: at)
            })
        case .logSoftmax:
            return .tensor(try recordComposite("logSoftmax()", [x], gradFunction: SurfaceFunction.logSoftmax.gradFunction, at: at) {
                try builder.logSoftmax(x.id, axis: axis, at: at)
            })
        }
    }
}

extension Evaluator {
    /// `isnan(x)`, `x.isinf()`, `isfinite(x)` (Builder.isNaN, isInf, isFinite).
    func floatClass(_ x: TensorValue, _ site: CallSite, _ method: FloatClassMethod) throws -> EvalValue {
        let at = site.location
        return .tensor(try recordComposite("\(method.rawValue)()", [x], gradFunction: nil, at: at) {
            switch method {
            case .isnan: try builder.isNaN(x.id, at: at)
            case .isinf: try builder.isInf(x.id, at: at)
            case .isfinite: try builder.isFinite(x.id, at: at)
            }
        })
    }
}

extension Evaluator {
    /// `x.cumsum(dim: 1)`, `cumsum(x, dim: 0)`: int64 for integer and bool tensors, as torch.cumsum.
    func cumsum(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let rank = builder.type(of: x.id).rank
        var attrs = Attributes()
        attrs.axes = [try normalizeDim(try staticInt(site.value("dim")!, what: "dim", at: site.location("dim")), rank: rank, at: site.location("dim"))]
        return .tensor(try record(.cumsum, [x], attrs, gradFunction: OpKind.cumsum.definition.gradFunction, at: site.location))
    }
}
