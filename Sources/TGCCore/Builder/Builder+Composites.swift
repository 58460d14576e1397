import TGCBase

/// Ops the language offers that are built from several op kinds, for the evaluator, VJP rules
/// and layers (softmax, cross-entropy, batch norm) to share. Each builds exactly the ops
/// PyTorch's definition implies, so eager mode and compiled mode agree by construction; the
/// names PyTorch gives their backward nodes are in `SurfaceFunction`.
extension Builder {
    /// `gelu(x, approximate: "tanh")`: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), its
    /// operations in the order of PyTorch's CPU kernel; a float tensor.
    public func geluTanh(_ x: ValueID, at location: SourceLocation) throws -> ValueID {
        let dtype = type(of: x).dtype
        func constant(_ value: Double) throws -> ValueID { try scalar(value, dtype, at: location) }
        func apply(_ kind: OpKind, _ a: ValueID, _ b: ValueID) throws -> ValueID { try apply1(kind, [a, b], at: location) }
        let cube = try apply(.mul, try apply(.mul, x, x), x)
        let inner = try apply(.mul, try constant(2.0.squareRoot() * (2 / Double.pi.squareRoot()) * 0.5),
                              try apply(.add, x, try apply(.mul, try constant(0.044715), cube)))
        let tanh = try apply1(.tanh, [inner], at: location)
        return try apply(.mul, try apply(.mul, try constant(0.5), x), try apply(.add, try constant(1), tanh))
    }

    /// The number of elements a reduction over `axes` (nil: every axis) folds into one.
    public func reducedCount(_ value: ValueID, axes: [Int]?) -> Int {
        let shape = type(of: value).shape
        return (axes ?? Array(shape.indices)).reduce(1) { $0 * shape[$1] }
    }

    /// `torch.sum(x, dim=axes, keepdim=keepDim)` as a program spells it (nil axes: every axis),
    /// by the op `sumKind` chooses.
    public func sum(_ value: ValueID, axes: [Int]?, keepDim: Bool = false, at location: SourceLocation) throws -> ValueID {
        try apply1(sumKind(of: value), [value], Self.reductionAttributes(axes, keepDim), at: location)
    }

    /// How `torch.sum` of `value` adds. PyTorch's CPU sum of fewer than 32768 elements
    /// (at::internal::GRAIN_SIZE) runs on one thread in its cascade order, which `cascadeSum`
    /// follows, so a float sum rounds as PyTorch's; a larger one PyTorch splits by its thread
    /// count, so no order is PyTorch's on every machine, and `reduceSum` fuses it into its
    /// producers' kernel, in double. An integer or bool tensor's sum is exact in int64.
    public func sumKind(of value: ValueID) -> OpKind {
        let type = type(of: value)
        return type.dtype.isFloatingPoint && type.elementCount < 32768 ? .cascadeSum : .reduceSum
    }

    /// `torch.mean(x, dim=axes, keepdim=keepDim)`: the sum over `axes` (nil: every axis), in
    /// PyTorch's order, divided by the number of elements summed, as PyTorch's CPU mean. An
    /// empty reduction gives NaN (0 / 0), as in PyTorch. Only float tensors have a mean.
    public func mean(_ value: ValueID, axes: [Int]?, keepDim: Bool = false, at location: SourceLocation) throws -> ValueID {
        try requireFloat(value, "mean", at: location)
        let total = try sum(value, axes: axes, keepDim: keepDim, at: location)
        return try apply1(.div, [total, try scalar(Double(reducedCount(value, axes: axes)), .float32, at: location)], at: location)
    }

    /// `torch.var(x, dim=axes, correction=correction, keepdim=keepDim)`: the sum of squared
    /// deviations from the mean over `axes` (nil: every axis), divided by max(N - correction, 0).
    /// PyTorch's default correction 1 is Bessel's (the sample variance): one element, or none,
    /// gives NaN (0 / 0). Computed in double and rounded once, as PyTorch's CPU kernels do
    /// (Welford's updates or two passes, in double), so a float32 variance has PyTorch's bits.
    public func variance(_ value: ValueID, axes: [Int]?, keepDim: Bool = false, correction: Int = 1,
                         at location: SourceLocation) throws -> ValueID {
        try requireFloat(value, "var", at: location)
        let double = try varianceInDouble(value, axes: axes, keepDim: keepDim, correction: correction, at: location)
        return try cast(double, to: type(of: value).dtype, at: location)
    }

    /// `torch.std(x, dim=axes, correction=correction, keepdim=keepDim)`: the square root of
    /// the variance (see `variance`), taken in double before rounding, as PyTorch's. Only
    /// float tensors have one.
    public func std(_ value: ValueID, axes: [Int]?, keepDim: Bool = false, correction: Int = 1,
                    at location: SourceLocation) throws -> ValueID {
        try requireFloat(value, "std", at: location)
        let double = try varianceInDouble(value, axes: axes, keepDim: keepDim, correction: correction, at: location)
        return try cast(try apply1(.sqrt, [double], at: location), to: type(of: value).dtype, at: location)
    }

    /// The variance of `value` as a float64 tensor: two passes over its elements in double.
    private func varianceInDouble(_ value: ValueID, axes: [Int]?, keepDim: Bool, correction: Int,
                                  at location: SourceLocation) throws -> ValueID {
        let x = try cast(value, to: .float64, at: location)
        let count = reducedCount(value, axes: axes)
        let sum = try apply1(.reduceSum, [x], Self.reductionAttributes(axes, true), at: location)
        let mean = try apply1(.div, [sum, try scalar(Double(count), .float64, at: location)], at: location)
        let centered = try apply1(.sub, [x, mean], at: location)
        let squares = try apply1(.mul, [centered, centered], at: location)
        let total = try apply1(.reduceSum, [squares], Self.reductionAttributes(axes, keepDim), at: location)
        return try apply1(.div, [total, try scalar(Double(max(count - correction, 0)), .float64, at: location)], at: location)
    }

    /// `torch.amax(x, dim=axes, keepdim=keepDim)` (and `amin` when `max` is false): the
    /// largest element over `axes` (nil: every axis), whose gradient is shared evenly between
    /// the elements equal to it, as PyTorch's AmaxBackward0. `reduceMax`'s own rule sends a
    /// one-axis gradient to the first extreme only (max(dim:)), so the reduction runs over the
    /// axes plus a trailing axis of extent 1, which changes no value.
    public func extreme(_ value: ValueID, max: Bool, axes: [Int]?, keepDim: Bool = false, at location: SourceLocation) throws -> ValueID {
        let kind: OpKind = max ? .reduceMax : .reduceMin
        guard let axes else { return try apply1(kind, [value], Self.reductionAttributes(nil, keepDim), at: location) }
        let shape = type(of: value).shape
        let widened = try reshape(value, to: shape + [1], at: location)
        let reduced = try apply1(kind, [widened], Self.reductionAttributes(axes + [shape.count], keepDim), at: location)
        guard keepDim else { return reduced }
        var kept = shape
        for axis in axes { kept[axis] = 1 }
        return try reshape(reduced, to: kept, at: location)
    }

    /// The largest element over `axis`, kept as an axis of extent 1 and detached: the shift
    /// that keeps exp from overflowing in softmax, logSoftmax and logsumexp (their gradients do
    /// not depend on it).
    private func detachedMax(_ value: ValueID, axes: [Int], at location: SourceLocation) throws -> ValueID {
        let type = type(of: value)
        if ShapeRules.reducesAnEmptyGroup(type.shape, axes: axes) {
            // over an empty dimension the shift is any number: softmax of [2, 0, 3] along 1 is
            // empty, and logsumexp over it log(0) = -inf, as in PyTorch
            let kept = type.shape.indices.map { axes.contains($0) ? 1 : type.shape[$0] }
            return try full(kept, 0, type.dtype, at: location)
        }
        let max = try apply1(.reduceMax, [value], Self.reductionAttributes(axes, true), at: location)
        return try apply1(.stopGradient, [max], at: location)
    }

    /// `torch.softmax(x, dim=axis)`: exp(x - max) / sum(exp(x - max)) over `axis`, the max
    /// subtracted so large inputs do not overflow. Only float32 tensors have one.
    public func softmax(_ value: ValueID, axis: Int, at location: SourceLocation) throws -> ValueID {
        try requireFloat(value, "softmax", at: location)
        let axes = type(of: value).rank == 0 ? [] : [axis]
        let shifted = try apply1(.sub, [value, try detachedMax(value, axes: axes, at: location)], at: location)
        let exps = try apply1(.exp, [shifted], at: location)
        let total = try apply1(.reduceSum, [exps], Self.reductionAttributes(axes, true), at: location)
        return try apply1(.div, [exps, total], at: location)
    }

    /// `torch.log_softmax(x, dim=axis)`: x - max - log(sum(exp(x - max))) over `axis`. Only
    /// float32 tensors have one.
    public func logSoftmax(_ value: ValueID, axis: Int, at location: SourceLocation) throws -> ValueID {
        try requireFloat(value, "logSoftmax", at: location)
        let axes = type(of: value).rank == 0 ? [] : [axis]
        let shifted = try apply1(.sub, [value, try detachedMax(value, axes: axes, at: location)], at: location)
        let total = try apply1(.reduceSum, [try apply1(.exp, [shifted], at: location)], Self.reductionAttributes(axes, true), at: location)
        return try apply1(.sub, [shifted, try apply1(.log, [total], at: location)], at: location)
    }

    /// `torch.logsumexp(x, dim=axes, keepdim=keepDim)`: max + log(sum(exp(x - max))) over
    /// `axes`, an infinite max taken as 0 for the shift as PyTorch does (so a row of -inf gives
    /// -inf, not NaN). Only float32 tensors have one.
    public func logsumexp(_ value: ValueID, axes: [Int], keepDim: Bool = false, at location: SourceLocation) throws -> ValueID {
        try requireFloat(value, "logsumexp", at: location)
        let max = try detachedMax(value, axes: axes, at: location)
        let infinite = try apply1(.equal, [try apply1(.abs, [max], at: location), try scalar(.infinity, .float32, at: location)], at: location)
        let shift = try apply1(.select, [infinite, try scalar(0, .float32, at: location), max], at: location)
        let exps = try apply1(.exp, [try apply1(.sub, [value, shift], at: location)], at: location)
        let total = try apply1(.reduceSum, [exps], Self.reductionAttributes(axes, keepDim), at: location)
        let kept = keepDim ? shift : try reshape(shift, to: type(of: total).shape, at: location)
        return try apply1(.add, [try apply1(.log, [total], at: location), kept], at: location)
    }

    /// `torch.any(x, dim=axes, keepdim=keepDim)` (`torch.all` when `every` is true): whether
    /// some (every) element over `axes` (nil: every axis) is nonzero, a bool tensor (uint8 for a
    /// uint8 tensor, as PyTorch's); NaN counts as nonzero, an empty reduction is false for any
    /// and true for all, as in PyTorch.
    public func anyOrAll(_ value: ValueID, every: Bool, axes: [Int]?, keepDim: Bool = false, at location: SourceLocation) throws -> ValueID {
        let dtype = type(of: value).dtype
        var flags = try apply1(.notEqual, [value, try scalar(0, dtype, at: location)], at: location)
        if every { flags = try apply1(.logicalNot, [flags], at: location) }
        let count = try apply1(.reduceSum, [try cast(flags, to: .int64, at: location)], Self.reductionAttributes(axes, keepDim), at: location)
        let result = try apply1(every ? .equal : .greater, [count, try scalar(0, .int64, at: location)], at: location)
        return dtype == .uint8 ? try cast(result, to: .uint8, at: location) : result
    }

    /// `torch.isnan(x)`: x != x, a bool tensor (false everywhere for integer tensors).
    public func isNaN(_ value: ValueID, at location: SourceLocation) throws -> ValueID {
        try apply1(.notEqual, [value, value], at: location)
    }

    /// `torch.isinf(x)`: abs(x) == inf, a bool tensor (false everywhere for integer tensors).
    public func isInf(_ value: ValueID, at location: SourceLocation) throws -> ValueID {
        guard type(of: value).dtype.isFloatingPoint else { return try apply1(.notEqual, [value, value], at: location) }
        return try apply1(.equal, [try apply1(.abs, [value], at: location), try scalar(.infinity, .float32, at: location)], at: location)
    }

    /// `torch.isfinite(x)`: neither NaN nor infinite, a bool tensor.
    public func isFinite(_ value: ValueID, at location: SourceLocation) throws -> ValueID {
        let special = try apply1(.logicalOr, [try isNaN(value, at: location), try isInf(value, at: location)], at: location)
        return try apply1(.logicalNot, [special], at: location)
    }

    /// `torch.dot(a, b)`: the sum of the elementwise product of two vectors of the same length
    /// and dtype, a 0-dim tensor.
    public func dot(_ a: ValueID, _ b: ValueID, at location: SourceLocation) throws -> ValueID {
        let (ta, tb) = (type(of: a), type(of: b))
        guard ta.rank == 1, tb.rank == 1 else {
            throw Diagnostic("dot expects 1-D tensors, got shapes \(formatShape(ta.shape)) and \(formatShape(tb.shape))", at: location)
        }
        guard ta.shape == tb.shape else {
            throw Diagnostic("dot expects vectors of the same length, got \(ta.shape[0]) and \(tb.shape[0])", at: location)
        }
        guard ta.dtype == tb.dtype else {
            throw Diagnostic("dot expects both vectors to have the same dtype, got \(ta.dtype) and \(tb.dtype)", at: location)
        }
        let sum = try apply1(.reduceSum, [try apply1(.mul, [a, b], at: location)], at: location)
        // An integer sum widens to int64 (torch.sum's rule); torch.dot keeps the vectors' dtype,
        // wrapping as they do (the int64 sum cast back keeps its low bits).
        return ta.dtype.isFloatingPoint ? sum : try cast(sum, to: ta.dtype, at: location)
    }

    private func requireFloat(_ value: ValueID, _ function: String, at location: SourceLocation) throws {
        let dtype = type(of: value).dtype
        guard dtype.isFloatingPoint else {
            throw Diagnostic("\(function)() needs a floating-point tensor, got \(dtype); convert it with .float() first", at: location)
        }
    }

    /// nil axes reduce every axis (the attribute left unset, as `x.sum()` builds it).
    private static func reductionAttributes(_ axes: [Int]?, _ keepDim: Bool) -> Attributes {
        var attrs = Attributes()
        attrs.axes = axes
        attrs.keepDim = keepDim
        return attrs
    }
}
