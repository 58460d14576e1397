import CTGCRuntime
import TGCBase

/// Reference kernels of the selecting ops (gather, scatter, scatterAdd, argsort): each reads or
/// writes the operand at the coordinates of an index tensor with one coordinate replaced by
/// the index's element.
extension Kernels {
    /// The message of an index outside `0 ..< size` along `dimension`: PyTorch's words.
    public static func indexOutOfBounds(_ index: Int, dimension: Int, size: Int) -> String {
        "index \(index) is out of bounds for dimension \(dimension) with size \(size)"
    }

    /// For each element of `index` (row-major): the offset in a tensor of `shape` of its
    /// coordinates with coordinate `axis` replaced by the element, and the offset of its
    /// coordinates in a tensor of `source` shape (scatter's src). An element outside
    /// `0 ..< shape[axis]` is an error at `location`.
    static func selectedOffsets(_ index: Tensor, in shape: [Int], axis: Int, source: [Int]? = nil,
                                _ location: SourceLocation) throws -> [(target: Int, source: Int)] {
        guard case .int64(let selected) = index.storage else { preconditionFailure("the index is int64 (checked by the type rule)") }
        let (shape, indexShape) = (shape.isEmpty ? [1] : shape, index.shape.isEmpty ? [1] : index.shape)
        if let bad = selected.first(where: { $0 < 0 || $0 >= shape[axis] }) {
            throw Diagnostic(indexOutOfBounds(Int(bad), dimension: axis, size: shape[axis]), at: location)
        }
        let strides = TensorType(shape, .bool).strides
        var otherStrides = strides   // the index's own coordinate along axis is replaced
        otherStrides[axis] = 0
        let sourceStrides = TensorType(source.map { $0.isEmpty ? [1] : $0 } ?? indexShape, .bool).strides
        let walk = StridedWalk(shape: indexShape, strides: [otherStrides, sourceStrides])
        let (n, st, ss, along) = (walk.rowLength, walk.rowStride(0), walk.rowStride(1), strides[axis])
        return uninitialized(selected.count) { offsets in
            walk.forEachRow { starts, row in
                for j in 0..<n {
                    offsets[row * n + j] = (starts[0] + j * st + Int(selected[row * n + j]) * along, starts[1] + j * ss)
                }
            }
        }
    }

    /// `result[p] = x[p with coordinate axis replaced by index[p]]`.
    static func gather(_ x: Tensor, _ index: Tensor, axis: Int, _ type: TensorType, _ location: SourceLocation) throws -> Tensor {
        Tensor(type: type, storage: x.storage.gathering(try selectedOffsets(index, in: x.shape, axis: axis, location).map(\.target)))
    }

    /// base with src's elements stored (scatter: the later in index order wins) or added
    /// (scatterAdd: in index order, each sum rounded to the dtype as the C kernel's `+=`) at the
    /// index's positions along axis.
    static func scatter(_ base: Tensor, _ index: Tensor, _ source: Tensor, axis: Int, adding: Bool,
                        _ location: SourceLocation) throws -> Tensor {
        let offsets = try selectedOffsets(index, in: base.shape, axis: axis, source: source.shape, location)
        if case .float32(var elements) = base.storage, case .float32(let sources) = source.storage {
            elements.withUnsafeMutableBufferPointer { elements in
                for (target, from) in offsets { elements[target] = adding ? elements[target] + sources[from] : sources[from] }
            }
            return Tensor(type: base.type, storage: .float32(elements))
        }
        if !base.dtype.isFloatingPoint {   // exactly in int64, wrapping as the C kernel's `+=`
            var elements = (0..<base.storage.count).map(base.storage.int64(at:))
            for (target, from) in offsets {
                let value = source.storage.int64(at: from)
                elements[target] = adding ? elements[target] &+ value : value
            }
            return Tensor(type: base.type, storage: .build(base.dtype, elements.count, integer: { elements[$0] }))
        }
        var elements = base.elements
        let sources = source.elements
        for (target, from) in offsets {
            elements[target] = adding ? Tensor.round(elements[target] + sources[from], to: base.dtype) : sources[from]
        }
        return Tensor(type: base.type, elements: elements)
    }

    /// The indices that sort x along axis: the runtime's `tgc_argsort_*`, which generated code
    /// calls too, so both modes give the same order.
    static func argsort(_ x: Tensor, axis: Int, descending: Bool, _ type: TensorType) -> Tensor {
        let (outer, n, inner) = x.type.rows(around: axis)
        var out = [Int64](repeating: 0, count: x.type.elementCount)
        let (o, count, i, d) = (Int64(outer), Int64(n), Int64(inner), descending ? Int32(1) : 0)
        switch x.storage {
        case .float32(let keys): tgc_argsort_f32(keys, &out, o, count, i, d)
        case .float64(let keys): tgc_argsort_f64(keys, &out, o, count, i, d)
        case .int64(let keys): tgc_argsort_i64(keys, &out, o, count, i, d)
        case .int32(let keys): tgc_argsort_i32(keys, &out, o, count, i, d)
        case .uint8(let keys): tgc_argsort_u8(keys, &out, o, count, i, d)
        case .bool(let keys): tgc_argsort_u8(keys.map { $0 ? 1 : 0 }, &out, o, count, i, d)
        }
        return Tensor(type: type, storage: .int64(out))
    }
}

extension TensorType {
    /// The reduced `axes` as the runtime's `tgc_cascade_sum_*` takes them: bit i set for axis i.
    public static func reducedAxesMask(_ axes: [Int]) -> UInt64 { axes.reduce(0) { $0 | 1 << UInt64($1) } }

    /// The shape seen as [outer, n, inner] around `axis` (a 0-dim tensor is one row of one):
    /// the rows a sort along `axis` orders.
    public func rows(around axis: Int) -> (outer: Int, n: Int, inner: Int) {
        guard !shape.isEmpty else { return (1, 1, 1) }
        return (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }
}
