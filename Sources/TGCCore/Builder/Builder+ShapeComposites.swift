import TGCBase

/// Creation and shape functions built from other op kinds (`eye`, `repeat`, `tril`, `triu`),
/// shared by eager and compiled mode. Each is exact: it only moves, compares or selects
/// elements. The PyTorch names of their backward nodes are in `SurfaceFunction`.
extension Builder {
    /// `torch.eye(rows, columns)`: 1 where the row index equals the column index, else 0,
    /// built as `arange(rows)[:, None] == arange(columns)[None, :]` cast to `dtype`.
    public func eye(_ rows: Int, _ columns: Int, _ dtype: DType, at location: SourceLocation) throws -> ValueID {
        let r = try reshape(try indices(rows, at: location), to: [rows, 1], at: location)
        let c = try reshape(try indices(columns, at: location), to: [1, columns], at: location)
        return try cast(try apply1(.equal, [r, c], at: location), to: dtype, at: location)
    }

    /// `x.repeat(repeats)`: the tensor tiled `repeats[d]` times along each dimension (leading
    /// repeats add dimensions). Exact: the operand of shape `[s0, s1]` is viewed as
    /// `[1, s0, 1, s1]`, broadcast to `[r0, s0, r1, s1]` and viewed as `[r0 * s0, r1 * s1]`.
    /// The caller checks that there are at least as many repeats as dimensions, none negative.
    public func repeated(_ value: ValueID, _ repeats: [Int], at location: SourceLocation) throws -> ValueID {
        let shape = type(of: value).shape
        let padded = Array(repeating: 1, count: repeats.count - shape.count) + shape
        let interleaved = padded.flatMap { [1, $0] }
        let tiled = zip(repeats, padded).flatMap { [$0.0, $0.1] }
        let view = try reshape(value, to: interleaved, at: location)
        let expanded = try broadcast(view, to: tiled, at: location)
        return try reshape(expanded, to: zip(repeats, padded).map { $0.0 * $0.1 }, at: location)
    }

    /// `torch.tril(x, diagonal)` (`upper: false`) and `torch.triu(x, diagonal)` (`upper: true`)
    /// over the last two dimensions: the elements whose `column - row` is at most (tril) or at
    /// least (triu) `diagonal`, zeros elsewhere; `select(mask, x, 0)`, so the gradient is masked
    /// the same way. The caller checks that there are at least two dimensions.
    public func triangle(_ value: ValueID, diagonal: Int, upper: Bool, at location: SourceLocation) throws -> ValueID {
        let type = type(of: value)
        let (rows, columns) = (type.shape[type.rank - 2], type.shape[type.rank - 1])
        let r = try reshape(try indices(rows, at: location), to: [rows, 1], at: location)
        let c = try reshape(try indices(columns, at: location), to: [1, columns], at: location)
        let offset = try apply1(.sub, [c, r], at: location)
        let mask = try apply1(upper ? .greaterEqual : .lessEqual, [offset, try scalar(Double(diagonal), .int64, at: location)], at: location)
        return try apply1(.select, [mask, value, try scalar(0, type.dtype, at: location)], at: location)
    }

    /// `arange(count)` as int64.
    public func indices(_ count: Int, at location: SourceLocation) throws -> ValueID {
        var attrs = Attributes()
        attrs.start = 0
        attrs.step = 1
        attrs.shape = [count]
        attrs.dtype = .int64
        return try apply1(.arange, [], attrs, at: location)
    }
}

extension Builder {
    /// `torch.randint(low, high, shape)`: int64 draws in [low, high) from the one Philox stream,
    /// as `min(Int(rand(shape) * (high - low)), high - low - 1) + low` (the float32 product can
    /// round up to `high - low`; the minimum keeps it in range). The numbers differ from
    /// PyTorch's generator, as `rand`'s do; ranges wider than 2^24 cannot reach every integer.
    public func randomIntegers(_ low: Int, _ high: Int, _ shape: [Int], at location: SourceLocation) throws -> ValueID {
        var attrs = Attributes()
        attrs.shape = shape
        attrs.dtype = .float32
        let uniform = try apply1(.randUniform, [], attrs, at: location)
        let span = high - low
        let scaled = try apply1(.mul, [uniform, try scalar(Double(span), .float32, at: location)], at: location)
        let truncated = try cast(scaled, to: .int64, at: location)
        let clamped = try apply1(.minimum, [truncated, try scalar(Double(span - 1), .int64, at: location)], at: location)
        return try apply1(.add, [clamped, try scalar(Double(low), .int64, at: location)], at: location)
    }
}

extension Builder {
    /// `torch.cat(values, dim: axis)`: the operands laid end to end along `axis`, as one
    /// `sliceUpdate` of each into zeros of the result's shape, so the gradient of each operand
    /// is the slice of the result's gradient it was written to. The caller checks that the
    /// operands have one dtype and equal sizes in every other dimension.
    public func concatenate(_ values: [ValueID], axis: Int, at location: SourceLocation) throws -> ValueID {
        let first = type(of: values[0])
        var shape = first.shape
        shape[axis] = values.reduce(0) { $0 + type(of: $1).shape[axis] }
        var result = try full(shape, 0, first.dtype, at: location)
        var offset = 0
        for value in values {
            let extent = type(of: value).shape[axis]
            var attrs = Attributes()
            attrs.slice = shape.indices.map { $0 == axis ? SliceDim(start: offset, step: 1, size: extent) : SliceDim.all(shape[$0]) }
            result = try apply1(.sliceUpdate, [result, value], attrs, at: location)
            offset += extent
        }
        return result
    }
}
