import TGCBase
import TGCCore

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

    /// `x.reshape(2, -1)`, `x.view([2, 3])`.
    func reshapeMethod(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
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
        return .tensor(try reshaped(x, to: shape, gradFunction: OpKind.reshape.definition.gradFunction!, at: site.location))
    }

    func unsqueeze(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        var shape = builder.type(of: x.id).shape
        let dim = try normalizeDim(try staticInt(site.value("dim")!, what: "dim", at: site.location("dim")), rank: shape.count + 1, at: site.location("dim"))
        shape.insert(1, at: dim)
        return .tensor(try reshaped(x, to: shape, gradFunction: SurfaceFunction.unsqueeze.gradFunction, at: site.location))
    }

    func squeeze(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        var shape = builder.type(of: x.id).shape
        if let value = site.value("dim") {
            let dim = try normalizeDim(try staticInt(value, what: "dim", at: site.location("dim")), rank: shape.count, at: site.location("dim"))
            if dim < shape.count && shape[dim] == 1 { shape.remove(at: dim) }
            return .tensor(try reshaped(x, to: shape, gradFunction: SurfaceFunction.squeezeDim.gradFunction, at: site.location))
        }
        shape.removeAll { $0 == 1 }
        return .tensor(try reshaped(x, to: shape, gradFunction: SurfaceFunction.squeezeAll.gradFunction, at: site.location))
    }

    func transposeMethod(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let rank = builder.type(of: x.id).rank
        let d0 = try normalizeDim(try staticInt(site.value("dim0")!, what: "dim0", at: site.location("dim0")), rank: rank, at: site.location("dim0"))
        let d1 = try normalizeDim(try staticInt(site.value("dim1")!, what: "dim1", at: site.location("dim1")), rank: rank, at: site.location("dim1"))
        if (d0 == d1 || rank < 2) && !(x.requiresGrad && gradEnabled) { return .tensor(x) }
        var permutation = Array(0..<rank)
        permutation.swapAt(d0, d1)
        return .tensor(try record(.transpose, [x], attributesWith(permutation: permutation),
                                  gradFunction: OpKind.transpose.definition.gradFunction, at: site.location))
    }

    /// `x.t()`: a matrix transposed; vectors and scalars are returned as they are.
    func matrixTranspose(_ x: TensorValue, at location: SourceLocation) throws -> EvalValue {
        let rank = builder.type(of: x.id).rank
        guard rank <= 2 else { throw Diagnostic("t() expects a tensor with at most 2 dimensions, got \(rank)", at: location) }
        // A vector or a scalar is unchanged, but with history it is a new view (TBackward0), as in PyTorch.
        guard rank == 2 || (x.requiresGrad && gradEnabled) else { return .tensor(x) }
        return .tensor(try record(.transpose, [x], attributesWith(permutation: Array((0..<rank).reversed())),
                                  gradFunction: SurfaceFunction.matrixTranspose.gradFunction, at: location))
    }

    /// `x.to(dtype)`: the tensor itself when it already has that dtype, as in PyTorch.
    func converted(_ x: TensorValue, to dtype: DType, at location: SourceLocation) throws -> TensorValue {
        if builder.type(of: x.id).dtype == dtype { return x }
        var attrs = Attributes()
        attrs.dtype = dtype
        return try record(.cast, [x], attrs, gradFunction: OpKind.cast.definition.gradFunction, at: location)
    }

    func item(_ x: TensorValue, at location: SourceLocation) throws -> EvalValue {
        let type = builder.type(of: x.id)
        guard type.elementCount == 1 else {
            throw Diagnostic("item() needs a tensor with exactly one element, but this one has shape \(formatShape(type.shape))", at: location)
        }
        let id = try builder.reshape(try withoutGrad { try builder.apply1(.stopGradient, [x.id], at: location) }, to: [], at: location)
        // A Python number: a float is a float64, an integer an int64 (Python's int).
        let number = type.dtype.isFloatingPoint ? DType.float64 : type.dtype == .bool ? .bool : .int64
        return .tensor(TensorValue(id: try builder.cast(id, to: number, at: location), isHostScalar: true))
    }

    /// `dot(a, b)` (Builder.dot): a 0-dim tensor, never a host scalar.
    func dot(_ aValue: EvalValue, _ bValue: EvalValue, at location: SourceLocation) throws -> EvalValue {
        guard case .tensor(let a) = aValue, case .tensor(let b) = bValue else {
            throw Diagnostic("dot needs two tensors, got \(aValue.kindName) and \(bValue.kindName)", at: location)
        }
        var result = try recordComposite("dot()", [a, b], gradFunction: SurfaceFunction.dot.gradFunction, at: location) {
            try builder.dot(a.id, b.id, at: location)
        }
        result.isHostScalar = false
        return .tensor(result)
    }

    /// `x.sum(dim: 1, keepDim: true)` and the other reductions (see ReductionMethod).
    func reduction(_ x: TensorValue, _ site: CallSite, _ method: ReductionMethod) throws -> EvalValue {
        let type = builder.type(of: x.id)
        var axes: [Int]? = nil
        if let value = site.value("dim") {
            let dims: [EvalValue]
            if method == .prod, value.arrayItems != nil {
                throw Diagnostic("prod takes one dim (an Int), not a list of them, as torch.prod", at: site.location("dim"))
            }
            if let items = value.arrayItems { dims = items } else { dims = [value] }
            let normalized = try dims.map { try normalizeDim(try staticInt($0, what: "dim", at: site.location("dim")), rank: type.rank, at: site.location("dim")) }
            guard Set(normalized).count == normalized.count else {
                throw Diagnostic("dim \(formatShape(normalized)) names a dimension twice", at: site.location("dim"))
            }
            guard normalized.count == 1 || method.takesSeveralDims else {
                throw Diagnostic("\(site.name) takes a single dim", at: site.location("dim"))
            }
            // An empty list reduces every dimension, as torch.sum(x, dim=[]) does.
            axes = type.rank == 0 ? [] : normalized.isEmpty ? nil : normalized.sorted()
        }
        var keepDim = false
        if let value = site.value("keepDim") {
            guard case .bool(let flag) = value else { throw Diagnostic("keepDim must be true or false", at: site.location("keepDim")) }
            keepDim = flag
        }
        var attrs = Attributes()
        attrs.axes = axes
        attrs.keepDim = keepDim
        let at = site.location
        let all = axes == nil
        let dimGiven = site.value("dim") != nil   // `dim: []` reduces all but is named as a dim reduction (SumBackward1)
        switch method {
        case .sum:
            let gradFunction = dimGiven ? SurfaceFunction.sumDims.gradFunction : OpKind.reduceSum.definition.gradFunction
            return .tensor(try record(builder.sumKind(of: x.id), [x], attrs, gradFunction: gradFunction, at: at))
        case .mean:
            let gradFunction = (dimGiven ? SurfaceFunction.meanDims : .meanAll).gradFunction
            return .tensor(try recordComposite("mean()", [x], gradFunction: gradFunction, at: at) {
                try builder.mean(x.id, axes: axes, keepDim: keepDim, at: at)
            })
        case .std, .var:
            var correction = 1
            if let value = site.value("unbiased") {
                guard case .bool(let flag) = value else { throw Diagnostic("unbiased must be true or false", at: site.location("unbiased")) }
                correction = flag ? 1 : 0
            }
            if method == .var {
                return .tensor(try recordComposite("var()", [x], gradFunction: SurfaceFunction.variance.gradFunction, at: at) {
                    try builder.variance(x.id, axes: axes, keepDim: keepDim, correction: correction, at: at)
                })
            }
            return .tensor(try recordComposite("std()", [x], gradFunction: SurfaceFunction.std.gradFunction, at: at) {
                try builder.std(x.id, axes: axes, keepDim: keepDim, correction: correction, at: at)
            })
        case .amax, .amin:
            guard !ShapeRules.reducesAnEmptyGroup(type.shape, axes: axes) else {
                throw Diagnostic("\(site.name)() of an empty tensor is undefined", at: at)
            }
            let gradFunction = (method == .amax ? SurfaceFunction.amax : .amin).gradFunction
            return .tensor(try recordComposite("\(site.name)()", [x], gradFunction: gradFunction, at: at) {
                try builder.extreme(x.id, max: method == .amax, axes: axes, keepDim: keepDim, at: at)
            })
        case .any, .all:
            return .tensor(try recordComposite("\(site.name)()", [x], gradFunction: nil, at: at) {
                try builder.anyOrAll(x.id, every: method == .all, axes: axes, keepDim: keepDim, at: at)
            })
        case .logsumexp:
            return .tensor(try recordComposite("logsumexp()", [x], gradFunction: SurfaceFunction.logsumexp.gradFunction, at: at) {
                try builder.logsumexp(x.id, axes: axes ?? [], keepDim: keepDim, at: at)
            })
        case .max, .min:
            guard !ShapeRules.reducesAnEmptyGroup(type.shape, axes: axes) else {
                throw Diagnostic("\(site.name)() of an empty tensor is undefined", at: at)
            }
            let kind = method.kind!
            let gradFunction = all ? kind.definition.gradFunction : (method == .max ? SurfaceFunction.maxDim : .minDim).gradFunction
            let values = try record(kind, [x], attrs, gradFunction: gradFunction, at: at)
            guard !all else { return .tensor(values) }
            let indices = try record(method == .max ? .argMax : .argMin, [x], attrs, gradFunction: nil, at: at)
            return .namedTuple(name: "torch.return_types.\(site.name)", fields: [("values", .tensor(values)), ("indices", .tensor(indices))])
        case .prod:
            let gradFunction = all ? OpKind.reduceProd.definition.gradFunction : SurfaceFunction.prodDim.gradFunction
            return .tensor(try record(.reduceProd, [x], attrs, gradFunction: gradFunction, at: at))
        case .norm:
            var p = 2.0
            if let value = site.value("p") {
                p = try staticDouble(value, what: "p of norm", at: site.location("p"))
                guard p != 0, !p.isNaN else {
                    throw Diagnostic("norm with p: 0 (the count of nonzero elements) or NaN is not supported", at: site.location("p"))
                }
            }
            return .tensor(try recordComposite("norm()", [x], gradFunction: SurfaceFunction.norm.gradFunction, at: at) {
                try builder.vectorNorm(x.id, p: p, axes: axes, keepDim: keepDim, at: at)
            })
        case .argmax, .argmin:
            guard !ShapeRules.reducesAnEmptyGroup(type.shape, axes: axes) else {
                throw Diagnostic("\(site.name)() of an empty tensor is undefined", at: at)
            }
            return .tensor(try record(method.kind!, [x], attrs, gradFunction: nil, at: at))
        }
    }
}
