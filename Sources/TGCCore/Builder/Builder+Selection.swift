import TGCBase

/// Selecting functions built from the selecting op kinds (gather, argsort), shared by eager
/// and compiled mode: `index_select` along any dimension, sort, topk, masked_fill and randperm.
/// The PyTorch names of their backward nodes are in `SurfaceFunction`.
extension Builder {
    /// One selecting op along `axis` (gather, scatter, scatterAdd, argsort).
    public func applyAlong(_ kind: OpKind, _ operands: [ValueID], axis: Int, descending: Bool = false,
                       at location: SourceLocation) throws -> ValueID {
        var attrs = Attributes()
        attrs.axes = [axis]
        attrs.descending = descending
        return try apply1(kind, operands, attrs, at: location)
    }

    /// `x.index_select(axis, index)`: a gather through the vector `index` (of `count` int64
    /// elements) placed along `axis` and broadcast over the other dimensions, so its gradient
    /// adds the rows up at the index as index_add does.
    public func indexSelect(_ x: ValueID, axis: Int, _ index: ValueID, at location: SourceLocation) throws -> ValueID {
        let shape = type(of: x).shape
        let count = type(of: index).elementCount
        var line = [Int](repeating: 1, count: shape.count)
        var target = shape
        line[axis] = count
        target[axis] = count
        let spread = try broadcast(try reshape(index, to: line, at: location), to: target, at: location)
        return try applyAlong(.gather, [x, spread], axis: axis, at: location)
    }

    /// The first `k` indices along `axis` of the order that sorts x (largest first when
    /// `largest`): argsort, then a slice.
    public func topIndices(_ x: ValueID, k: Int, axis: Int, largest: Bool, at location: SourceLocation) throws -> ValueID {
        let order = try applyAlong(.argsort, [x], axis: axis, descending: largest, at: location)
        let shape = type(of: x).shape
        guard !shape.isEmpty, k != shape[axis] else { return order }
        var attrs = Attributes()
        attrs.slice = shape.enumerated().map { $0.offset == axis ? SliceDim(start: 0, step: 1, size: k) : .all($0.element) }
        return try apply1(.slice, [order], attrs, at: location)
    }

    /// `x.masked_fill(mask, value)`: value (a 0-dim tensor of x's dtype) where the bool mask
    /// holds, else x; a select, so it fuses into its consumers and its gradient is where-like.
    public func maskedFill(_ x: ValueID, _ mask: ValueID, _ value: ValueID, at location: SourceLocation) throws -> ValueID {
        try apply1(.select, [mask, value, x], at: location)
    }

    /// `torch.randperm(n)`: the order that sorts n uniform draws of the Philox stream (ties,
    /// rare, in draw order), so eager and compiled mode give the same permutation.
    public func randomPermutation(_ n: Int, at location: SourceLocation) throws -> ValueID {
        var attrs = Attributes()
        attrs.shape = [n]
        attrs.dtype = .float32
        return try applyAlong(.argsort, [try apply1(.randUniform, [], attrs, at: location)], axis: 0, at: location)
    }
}
