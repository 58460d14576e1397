import TGCBase
import TGCCore

/// The reductions of the language; mean and std are built from sums.
enum ReductionKind {
    case sum, mean, std, max, min, argmax, argmin
}

extension Evaluator {
    /// A dimension index, negative counting from the end, checked against `rank` as PyTorch does.
    func normalizeDim(_ dim: Int, rank: Int, at location: SourceLocation) throws -> Int {
        let extent = max(rank, 1)
        guard dim >= -extent, dim < extent else {
            throw Diagnostic("dimension out of range (expected to be in range of [\(-extent), \(extent - 1)], but got \(dim))", at: location)
        }
        return dim < 0 ? dim + extent : dim
    }

    func reshaped(_ x: TensorValue, to shape: [Int], gradFunction: String, at location: SourceLocation) throws -> TensorValue {
        // PyTorch makes a view even when the shape does not change; it shows in grad_fn.
        if builder.type(of: x.id).shape == shape && !(x.requiresGrad && gradEnabled) { return x }
        var attrs = Attributes()
        attrs.shape = shape
        var result = try record(.reshape, [x], attrs, gradFunction: gradFunction, at: location)
        result.isHostScalar = x.isHostScalar && shape.isEmpty
        return result
    }

    func reshapeMethod(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        var site = site
        try site.bind([.unlabeled("shape", variadic: true)])
        var dims = site.values("shape")
        if dims.count == 1, let items = dims[0].arrayItems { dims = items }
        var shape = try dims.map { try staticInt($0, what: "a dimension", at: site.location("shape")) }
        let count = builder.type(of: x.id).elementCount
        let shown = "shape '\(formatShape(shape))' is invalid for input of size \(count)"
        let inferred = shape.indices.filter { shape[$0] == -1 }
        guard inferred.count <= 1 else { throw Diagnostic("only one dimension can be inferred (-1) in \(formatShape(shape))", at: site.location("shape")) }
        guard shape.allSatisfy({ $0 >= -1 }) else { throw Diagnostic("invalid negative dimension in \(formatShape(shape))", at: site.location("shape")) }
        if let axis = inferred.first {
            var known = 1
            for (index, dim) in shape.enumerated() where index != axis {
                let (product, overflow) = known.multipliedReportingOverflow(by: dim)
                guard !overflow else { throw Diagnostic(shown, at: site.location("shape")) }
                known = product
            }
            guard known > 0, count % known == 0 else { throw Diagnostic(shown, at: site.location("shape")) }
            shape[axis] = count / known
        }
        do {
            guard try ShapeRules.checkedCount(shape) == count else { throw Diagnostic(shown, at: site.location("shape")) }
        } catch let error as OpTypeError {
            throw Diagnostic(error.message, at: site.location("shape"))
        }
        return .tensor(try reshaped(x, to: shape, gradFunction: "ViewBackward0", at: site.location))
    }

    func unsqueeze(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        var site = site
        try site.bind([.unlabeled("dim")])
        var shape = builder.type(of: x.id).shape
        let dim = try normalizeDim(try staticInt(site.value("dim")!, what: "dim", at: site.location("dim")), rank: shape.count + 1, at: site.location("dim"))
        shape.insert(1, at: dim)
        return .tensor(try reshaped(x, to: shape, gradFunction: "UnsqueezeBackward0", at: site.location))
    }

    func squeeze(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        var site = site
        try site.bind([.unlabeled("dim", optional: true)])
        var shape = builder.type(of: x.id).shape
        if let value = site.value("dim") {
            let dim = try normalizeDim(try staticInt(value, what: "dim", at: site.location("dim")), rank: shape.count, at: site.location("dim"))
            if dim < shape.count && shape[dim] == 1 { shape.remove(at: dim) }
            return .tensor(try reshaped(x, to: shape, gradFunction: "SqueezeBackward1", at: site.location))
        }
        shape.removeAll { $0 == 1 }
        return .tensor(try reshaped(x, to: shape, gradFunction: "SqueezeBackward0", at: site.location))
    }

    func transposeMethod(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        var site = site
        try site.bind([.unlabeled("dim0"), .unlabeled("dim1")])
        let rank = builder.type(of: x.id).rank
        let d0 = try normalizeDim(try staticInt(site.value("dim0")!, what: "dim0", at: site.location("dim0")), rank: rank, at: site.location("dim0"))
        let d1 = try normalizeDim(try staticInt(site.value("dim1")!, what: "dim1", at: site.location("dim1")), rank: rank, at: site.location("dim1"))
        if (d0 == d1 || rank < 2) && !(x.requiresGrad && gradEnabled) { return .tensor(x) }
        var permutation = Array(0..<rank)
        permutation.swapAt(d0, d1)
        return .tensor(try record(.transpose, [x], attributesWith(permutation: permutation), gradFunction: "TransposeBackward0", at: site.location))
    }

    /// `x.to(dtype)`: the tensor itself when it already has that dtype, as in PyTorch.
    func converted(_ x: TensorValue, to dtype: DType, at location: SourceLocation) throws -> TensorValue {
        if builder.type(of: x.id).dtype == dtype { return x }
        return try record(.cast, [x], TensorMethods.castAttributes(dtype), gradFunction: "ToCopyBackward0", at: location)
    }

    func item(_ x: TensorValue, at location: SourceLocation) throws -> EvalValue {
        let type = builder.type(of: x.id)
        guard type.elementCount == 1 else {
            throw Diagnostic("item() needs a tensor with exactly one element, but this one has shape \(formatShape(type.shape))", at: location)
        }
        let id = try builder.reshape(try withoutGrad { try builder.apply1(.stopGradient, [x.id], at: location) }, to: [], at: location)
        return .tensor(TensorValue(id: id, isHostScalar: true))
    }

    func matmul(_ aValue: EvalValue, _ bValue: EvalValue, at location: SourceLocation) throws -> EvalValue {
        guard case .tensor(let a) = aValue, case .tensor(let b) = bValue else {
            throw Diagnostic("matmul needs two tensors, got \(aValue.kindName) and \(bValue.kindName)", at: location)
        }
        let (sa, sb) = (builder.type(of: a.id).shape, builder.type(of: b.id).shape)
        switch (sa.count, sb.count) {
        case (1, 1): return try dot(aValue, bValue, at: location)
        case (2, 2): return .tensor(try record(.matmul, [a, b], gradFunction: "MmBackward0", at: location))
        case (2, 1):
            let column = try reshaped(b, to: [sb[0], 1], gradFunction: "ViewBackward0", at: location)
            let product = try record(.matmul, [a, column], gradFunction: "MmBackward0", at: location)
            return .tensor(try reshaped(product, to: [sa[0]], gradFunction: "MvBackward0", at: location))
        case (1, 2):
            let row = try reshaped(a, to: [1, sa[0]], gradFunction: "ViewBackward0", at: location)
            let product = try record(.matmul, [row, b], gradFunction: "MmBackward0", at: location)
            return .tensor(try reshaped(product, to: [sb[1]], gradFunction: "SqueezeBackward4", at: location))
        default:
            throw Diagnostic("matmul supports 1-D and 2-D operands, got shapes \(formatShape(sa)) and \(formatShape(sb))", at: location)
        }
    }

    func dot(_ aValue: EvalValue, _ bValue: EvalValue, at location: SourceLocation) throws -> EvalValue {
        guard case .tensor(let a) = aValue, case .tensor(let b) = bValue else {
            throw Diagnostic("dot needs two tensors, got \(aValue.kindName) and \(bValue.kindName)", at: location)
        }
        let (ta, tb) = (builder.type(of: a.id), builder.type(of: b.id))
        guard ta.rank == 1, tb.rank == 1 else {
            throw Diagnostic("dot expects 1-D tensors, got shapes \(formatShape(ta.shape)) and \(formatShape(tb.shape))", at: location)
        }
        guard ta.shape == tb.shape else {
            throw Diagnostic("dot expects vectors of the same length, got \(ta.shape[0]) and \(tb.shape[0])", at: location)
        }
        guard ta.dtype == tb.dtype else {
            throw Diagnostic("dot expects both vectors to have the same dtype, got \(ta.dtype) and \(tb.dtype)", at: location)
        }
        let product = try record(.mul, [a, b], gradFunction: "MulBackward0", at: location)
        var result = try record(.reduceSum, [product], gradFunction: "DotBackward0", at: location)
        result.isHostScalar = false
        return .tensor(result)
    }

    func reduction(_ x: TensorValue, _ site: CallSite, _ kind: ReductionKind) throws -> EvalValue {
        var site = site
        try site.bind([.labeled("dim"), .labeled("keepDim")])
        let type = builder.type(of: x.id)
        var axes: [Int]? = nil
        if let value = site.value("dim") {
            let dims: [EvalValue]
            if let items = value.arrayItems { dims = items } else { dims = [value] }
            let normalized = try dims.map { try normalizeDim(try staticInt($0, what: "dim", at: site.location("dim")), rank: type.rank, at: site.location("dim")) }
            guard Set(normalized).count == normalized.count else {
                throw Diagnostic("dim \(formatShape(normalized)) names a dimension twice", at: site.location("dim"))
            }
            guard normalized.count == 1 || [.sum, .mean, .std].contains(kind) else {
                throw Diagnostic("\(site.name) takes a single dim", at: site.location("dim"))
            }
            axes = type.rank == 0 ? [] : normalized.sorted()
        }
        var keepDim = false
        if let value = site.value("keepDim") {
            guard case .bool(let flag) = value else { throw Diagnostic("keepDim must be true or false", at: site.location("keepDim")) }
            keepDim = flag
        }
        var attrs = Attributes()
        attrs.axes = axes
        attrs.keepDim = keepDim
        let variant = axes == nil ? "0" : "1"
        let at = site.location
        let reducedCount = (axes ?? Array(0..<type.rank)).reduce(1) { $0 * type.shape[$1] }
        switch kind {
        case .sum:
            return .tensor(try record(.reduceSum, [x], attrs, gradFunction: "SumBackward" + variant, at: at))
        case .mean, .std:
            guard type.dtype == .float32 else {
                throw Diagnostic("\(site.name)() needs a floating-point tensor, got \(type.dtype); convert it with .float() first", at: at)
            }
            if kind == .mean {
                let sum = try record(.reduceSum, [x], attrs, gradFunction: nil, at: at)
                var mean = try tensorOp(.div, [.tensor(sum), .float(Double(reducedCount))], at: at)
                if mean.requiresGrad { mean.gradFunction = "MeanBackward" + variant }
                return .tensor(mean)
            }
            var keep = attrs
            keep.keepDim = true
            let sum = try record(.reduceSum, [x], keep, gradFunction: nil, at: at)
            let mean = try tensorOp(.div, [.tensor(sum), .float(Double(reducedCount))], at: at)
            let centered = try tensorOp(.sub, [.tensor(x), .tensor(mean)], at: at)
            let squares = try tensorOp(.mul, [.tensor(centered), .tensor(centered)], at: at)
            let total = try record(.reduceSum, [squares], attrs, gradFunction: nil, at: at)
            let variance = try tensorOp(.div, [.tensor(total), .float(Double(reducedCount - 1))], at: at)
            var std = try record(.sqrt, [variance], gradFunction: nil, at: at)
            if std.requiresGrad { std.gradFunction = "StdBackward0" }
            return .tensor(std)
        case .max, .min:
            guard type.elementCount > 0 else {
                throw Diagnostic("\(site.name)() of an empty tensor is undefined", at: at)
            }
            let values = try record(kind == .max ? .reduceMax : .reduceMin, [x], attrs,
                                    gradFunction: (kind == .max ? "MaxBackward" : "MinBackward") + (axes == nil ? "1" : "0"), at: at)
            guard axes != nil else { return .tensor(values) }
            let indices = try record(kind == .max ? .argMax : .argMin, [x], attrs, gradFunction: nil, at: at)
            return .namedTuple(name: "torch.return_types.\(site.name)", fields: [("values", .tensor(values)), ("indices", .tensor(indices))])
        case .argmax, .argmin:
            guard type.elementCount > 0 else {
                throw Diagnostic("\(site.name)() of an empty tensor is undefined", at: at)
            }
            return .tensor(try record(kind == .argmax ? .argMax : .argMin, [x], attrs, gradFunction: nil, at: at))
        }
    }
}
