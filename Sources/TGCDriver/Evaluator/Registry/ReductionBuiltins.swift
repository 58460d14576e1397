import TGCBase
import TGCCore

/// The reductions of the language, as methods (`x.sum(dim: 1, keepDim: true)`) and functions
/// of the tensor (`sum(x, dim: 1)`); `mean` and `std` are Builder composites.
enum ReductionMethod: CaseIterable {
    case sum, mean, std, max, min, argmax, argmin

    /// The op kind it is, nil for the composites (Builder.mean, Builder.std).
    var kind: OpKind? {
        switch self {
        case .sum: .reduceSum
        case .max: .reduceMax
        case .min: .reduceMin
        case .argmax: .argMax
        case .argmin: .argMin
        case .mean, .std: nil
        }
    }

    var name: String {
        if let kind { return BuiltinFamily.methodName(kind) }
        return self == .mean ? "mean" : "std"
    }

    /// Whether `dim:` may name several dimensions.
    var takesSeveralDims: Bool { self == .sum || self == .mean || self == .std }
}

extension BuiltinFamily {
    static let reduction: BuiltinFamily = {
        let methods = ReductionMethod.allCases.map { method in
            MethodEntry(method.name, [.labeled("dim"), .labeled("keepDim")], "\(method.name) over dim (default: every dimension)") { e, x, site in
                try e.reduction(x, site, method)
            }
        }
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
    /// otherwise the reduction `max(x, dim:)`.
    func maxOrMin(_ site: CallSite, reduction: MethodEntry) throws -> EvalValue {
        let name = site.name
        guard site.arguments.count == 2, site.arguments.allSatisfy({ $0.label == nil }) else {
            return try reduction.callWithReceiverFirst(self, site)
        }
        let (a, b) = (site.arguments[0].value, site.arguments[1].value)
        if case .tensor = a {} else if case .tensor = b {} else {
            let (x, y) = (try staticDouble(a, what: "an argument of \(name)", at: site.location),
                          try staticDouble(b, what: "an argument of \(name)", at: site.location))
            return name == "max" ? (x >= y ? a : b) : (x <= y ? a : b)
        }
        return .tensor(try tensorOp(name == "max" ? .maximum : .minimum, [a, b], at: site.location))
    }
}
