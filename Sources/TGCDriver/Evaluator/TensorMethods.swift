import TGCBase
import TGCCore

/// The methods of tensors, by name (`x.sum(dim: 1)`, `x.reshape([2, 3])`, `y.backward()`).
enum TensorMethods {
    typealias Method = @Sendable (Evaluator, TensorValue, CallSite) throws -> EvalValue

    static func isProperty(_ name: String) -> Bool {
        ["shape", "dtype", "ndim", "device", "requiresGrad", "isLeaf", "grad", "T"].contains(name)
    }

    /// Elementwise math available both as `x.exp()` and `exp(x)`.
    static let unaryMath: [String: @Sendable (Evaluator, TensorValue, SourceLocation) throws -> EvalValue] = {
        var table: [String: @Sendable (Evaluator, TensorValue, SourceLocation) throws -> EvalValue] = [:]
        for (name, kind) in OpKind.elementwiseFunctions(arity: 1) {
            table[name] = { e, x, at in .tensor(try e.record(kind, [x], gradFunction: kind.definition.gradFunction, at: at)) }
        }
        return table
    }()

    static let methods: [String: Method] = {
        var table: [String: Method] = [
            "numel": { e, x, site in try noArguments(site); return .int(e.builder.type(of: x.id).elementCount) },
            "size": { e, x, site in try noArguments(site); return .size(e.builder.type(of: x.id).shape) },
            "dim": { e, x, site in try noArguments(site); return .int(e.builder.type(of: x.id).rank) },
            "item": { e, x, site in try noArguments(site); return try e.item(x, at: site.location) },
            "backward": { e, x, site in
                var site = site
                try site.bind([.unlabeled("gradient", optional: true)])
                try e.backward(x, gradient: site.value("gradient"), at: site.location)
                return .void
            },
            "detach": { e, x, site in
                try noArguments(site)
                var result = TensorValue(id: try e.builder.apply1(.stopGradient, [x.id], at: site.location))
                result.isHostScalar = x.isHostScalar
                return .tensor(result)
            },
            "clone": { e, x, site in try noArguments(site); return .tensor(x) },
            "numpy": { e, x, site in try noArguments(site); return .tensor(x) },
            "cpu": { e, x, site in try noArguments(site); return .tensor(x) },
            "cuda": { e, x, site in try noArguments(site); return .tensor(x) },
            "to": { e, x, site in
                var site = site
                try site.bind([.unlabeled("target")])
                switch site.value("target")! {
                case .device: return .tensor(x)
                case .string(let name) where name == "cpu" || name == "cuda" || name.hasPrefix("cuda:"): return .tensor(x)
                case .dtype(let dtype):
                    return .tensor(try e.converted(x, to: dtype, at: site.location))
                default: throw Diagnostic("to() takes a device (.cpu, .cuda) or a dtype (.float32, .int64, .bool)", at: site.location("target"))
                }
            },
            "float": { e, x, site in try noArguments(site); return .tensor(try e.converted(x, to: .float32, at: site.location)) },
            "long": { e, x, site in try noArguments(site); return .tensor(try e.converted(x, to: .int64, at: site.location)) },
            "matmul": { e, x, site in try e.binaryFunction(prepend(x, site)) { e, a, b, at in try e.matmul(a, b, at: at) } },
            "dot": { e, x, site in try e.binaryFunction(prepend(x, site)) { e, a, b, at in try e.dot(a, b, at: at) } },
            "pow": { e, x, site in
                try e.binaryFunction(prepend(x, site)) { e, a, b, at in
                    var gradFunction: String? = nil
                    if case .tensor = b { gradFunction = "PowBackward1" }
                    return .tensor(try e.tensorOp(.pow, [a, b], gradFunction: gradFunction, at: at))
                }
            },
            "reshape": { e, x, site in try e.reshapeMethod(x, site) },
            "view": { e, x, site in try e.reshapeMethod(x, site) },
            "flatten": { e, x, site in
                try noArguments(site)
                if e.builder.type(of: x.id).rank == 1 { return .tensor(x) }   // PyTorch returns the tensor itself
                return .tensor(try e.reshaped(x, to: [e.builder.type(of: x.id).elementCount], gradFunction: "ViewBackward0", at: site.location))
            },
            "unsqueeze": { e, x, site in try e.unsqueeze(x, site) },
            "squeeze": { e, x, site in try e.squeeze(x, site) },
            "transpose": { e, x, site in try e.transposeMethod(x, site) },
            "t": { e, x, site in
                try noArguments(site)
                let rank = e.builder.type(of: x.id).rank
                guard rank <= 2 else { throw Diagnostic("t() expects a tensor with at most 2 dimensions, got \(rank)", at: site.location) }
                if rank < 2 { return .tensor(x) }
                return .tensor(try e.record(.transpose, [x], e.attributesWith(permutation: [1, 0]), gradFunction: "TBackward0", at: site.location))
            },
            "sum": { e, x, site in try e.reduction(x, site, .sum) },
            "mean": { e, x, site in try e.reduction(x, site, .mean) },
            "std": { e, x, site in try e.reduction(x, site, .std) },
            "max": { e, x, site in try e.reduction(x, site, .max) },
            "min": { e, x, site in try e.reduction(x, site, .min) },
            "argmax": { e, x, site in try e.reduction(x, site, .argmax) },
            "argmin": { e, x, site in try e.reduction(x, site, .argmin) },
        ]
        for (name, kind) in OpKind.elementwiseFunctions(arity: 2) where table[name] == nil {
            table[name] = { e, x, site in
                try e.binaryFunction(prepend(x, site)) { e, a, b, at in .tensor(try e.tensorOp(kind, [a, b], at: at)) }
            }
        }
        for (name, math) in unaryMath {
            table[name] = { e, x, site in try noArguments(site); return try math(e, x, site.location) }
        }
        return table
    }()

    static func noArguments(_ site: CallSite) throws {
        var site = site
        try site.bind([])
    }

    static func castAttributes(_ dtype: DType) -> Attributes {
        var attrs = Attributes()
        attrs.dtype = dtype
        return attrs
    }

    /// The call with the receiver as its first unlabeled argument (`x.matmul(y)` → `matmul(x, y)`).
    static func prepend(_ x: TensorValue, _ site: CallSite) -> CallSite {
        CallSite(name: site.name, location: site.location, arguments: [(nil, .tensor(x), site.location)] + site.arguments)
    }
}
