import TGCBase

/// Vector norms and closeness tests (torch.linalg.vector_norm, torch.isclose, torch.allclose,
/// torch.equal), built from existing ops like the composites of Builder+Composites.swift.
extension Builder {
    /// `torch.linalg.vector_norm(x, ord=p, dim=axes, keepdim=keepDim)` (what `x.norm(p)` runs):
    /// max |x| for p = inf (min for -inf), sum |x| for p = 1, sqrt(sum x²) for p = 2, else
    /// (sum |x|^p)^(1/p), over `axes` (nil: every axis). The root is taken of 1 where the sum is
    /// 0 and the result then replaced by 0 (a select on both sides), so the gradient at a zero
    /// vector is 0, as PyTorch's, and never 0 · inf = NaN. Only float32 and float64 tensors have one.
    public func vectorNorm(_ value: ValueID, p: Double, axes: [Int]?, keepDim: Bool, at location: SourceLocation) throws -> ValueID {
        let dtype = type(of: value).dtype
        guard dtype == .float32 || dtype == .float64 else {
            throw Diagnostic("norm() needs a floating-point tensor, got \(dtype); convert it with .float() first", at: location)
        }
        var attrs = Attributes()
        attrs.axes = axes
        attrs.keepDim = keepDim
        let magnitude = try apply1(.abs, [value], at: location)
        if p.isInfinite { return try extreme(magnitude, max: p > 0, axes: axes, keepDim: keepDim, at: location) }
        if p == 1 { return try apply1(.reduceSum, [magnitude], attrs, at: location) }
        let powers = p == 2 ? try apply1(.mul, [value, value], at: location)
            : try apply1(.pow, [magnitude, try scalar(p, dtype, at: location)], at: location)
        let total = try apply1(.reduceSum, [powers], attrs, at: location)
        let zero = try scalar(0, dtype, at: location)
        let isZero = try apply1(.equal, [total, zero], at: location)
        let safe = try apply1(.select, [isZero, try scalar(1, dtype, at: location), total], at: location)
        let root = p == 2 ? try apply1(.sqrt, [safe], at: location)
            : try apply1(.pow, [safe, try scalar(1 / p, dtype, at: location)], at: location)
        return try apply1(.select, [isZero, zero, root], at: location)
    }

    /// `torch.isclose(a, b, rtol, atol, equal_nan)`: a == b, or |a - b| finite and at most
    /// atol + |rtol · b| (both broadcast), and NaN beside NaN when `equalNaN`; a bool tensor.
    /// Bool tensors are close where equal. The operands must have one dtype, as in PyTorch.
    public func isClose(_ a: ValueID, _ b: ValueID, rtol: Double, atol: Double, equalNaN: Bool,
                        at location: SourceLocation) throws -> ValueID {
        let (ta, tb) = (type(of: a).dtype, type(of: b).dtype)
        guard ta == tb else { throw Diagnostic("allclose needs tensors of one dtype, got \(ta) and \(tb)", at: location) }
        var close = try apply1(.equal, [a, b], at: location)
        if ta == .bool { return close }
        if equalNaN {
            let bothNaN = try apply1(.logicalAnd, [try isNaN(a, at: location), try isNaN(b, at: location)], at: location)
            close = try apply1(.logicalOr, [close, bothNaN], at: location)
        }
        let error = try apply1(.abs, [try apply1(.sub, [a, b], at: location)], at: location)
        let scaled = try apply1(.abs, [try apply1(.mul, [try scalar(rtol, .float32, at: location), b], at: location)], at: location)
        let allowed = try apply1(.add, [try scalar(atol, .float32, at: location), scaled], at: location)
        let within = try apply1(.logicalAnd, [try isFinite(error, at: location),
                                              try apply1(.lessEqual, [error, allowed], at: location)], at: location)
        return try apply1(.logicalOr, [close, within], at: location)
    }

    /// `torch.allclose(a, b, ...)`: every element of `isClose`, a 0-dim bool tensor.
    public func allClose(_ a: ValueID, _ b: ValueID, rtol: Double, atol: Double, equalNaN: Bool,
                         at location: SourceLocation) throws -> ValueID {
        let close = try isClose(a, b, rtol: rtol, atol: atol, equalNaN: equalNaN, at: location)
        return try anyOrAll(close, every: true, axes: nil, at: location)
    }

    /// `torch.equal(a, b)` of two tensors of one shape: every element equal (NaN is not), a
    /// 0-dim bool tensor. (Tensors of different shapes are not equal; the caller knows that
    /// statically.)
    public func allEqual(_ a: ValueID, _ b: ValueID, at location: SourceLocation) throws -> ValueID {
        try anyOrAll(try apply1(.equal, [a, b], at: location), every: true, axes: nil, at: location)
    }
}
