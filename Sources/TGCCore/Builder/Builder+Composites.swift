import TGCBase

/// Ops the language offers that are built from several op kinds, for the evaluator, VJP rules
/// and layers (softmax, cross-entropy, batch norm) to share. Each builds exactly the ops
/// PyTorch's definition implies, so eager mode and compiled mode agree by construction; the
/// names PyTorch gives their backward nodes are in `SurfaceFunction`.
extension Builder {
    /// The number of elements a reduction over `axes` (nil: every axis) folds into one.
    public func reducedCount(_ value: ValueID, axes: [Int]?) -> Int {
        let shape = type(of: value).shape
        return (axes ?? Array(shape.indices)).reduce(1) { $0 * shape[$1] }
    }

    /// `torch.mean(x, dim=axes, keepdim=keepDim)`: the sum over `axes` (nil: every axis)
    /// divided by the number of elements summed. An empty reduction gives NaN (0 / 0), as in
    /// PyTorch. Only float32 tensors have a mean.
    public func mean(_ value: ValueID, axes: [Int]?, keepDim: Bool = false, at location: SourceLocation) throws -> ValueID {
        try requireFloat(value, "mean", at: location)
        let sum = try apply1(.reduceSum, [value], Self.reductionAttributes(axes, keepDim), at: location)
        return try apply1(.div, [sum, try scalar(Double(reducedCount(value, axes: axes)), .float32, at: location)], at: location)
    }

    /// `torch.std(x, dim=axes, correction=correction, keepdim=keepDim)`: the square root of
    /// the sum of squared deviations from the mean over `axes` (nil: every axis), divided by
    /// N - correction. PyTorch's default correction 1 is Bessel's (the sample standard
    /// deviation): one element gives NaN (0 / 0). Only float32 tensors have one.
    public func std(_ value: ValueID, axes: [Int]?, keepDim: Bool = false, correction: Int = 1,
                    at location: SourceLocation) throws -> ValueID {
        try requireFloat(value, "std", at: location)
        let count = reducedCount(value, axes: axes)
        let sum = try apply1(.reduceSum, [value], Self.reductionAttributes(axes, true), at: location)
        let mean = try apply1(.div, [sum, try scalar(Double(count), .float32, at: location)], at: location)
        let centered = try apply1(.sub, [value, mean], at: location)
        let squares = try apply1(.mul, [centered, centered], at: location)
        let total = try apply1(.reduceSum, [squares], Self.reductionAttributes(axes, keepDim), at: location)
        let variance = try apply1(.div, [total, try scalar(Double(count - correction), .float32, at: location)], at: location)
        return try apply1(.sqrt, [variance], at: location)
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
        return try apply1(.reduceSum, [try apply1(.mul, [a, b], at: location)], at: location)
    }

    private func requireFloat(_ value: ValueID, _ function: String, at location: SourceLocation) throws {
        let dtype = type(of: value).dtype
        guard dtype == .float32 else {
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
