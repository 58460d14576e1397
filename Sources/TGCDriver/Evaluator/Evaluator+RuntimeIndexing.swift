import TGCBase
import TGCCore

/// A subscript holding run-time integers (0-dim int64 tensors such as a compiled loop's index)
/// beside other elements: `x[i, j]`, `x[..., i]`, `y[i, 1...] += 1`. Each run-time integer
/// selects as an Int would (its dimension removed, PyTorch's grad_fn of an Int index).
struct RuntimeIndex {
    /// The static part, each run-time integer taken as its whole dimension.
    var region: TensorIndex
    /// The subscript with each run-time integer taken as 0: the result's shape and grad_fn.
    var selected: TensorIndex
    /// Each run-time integer (normalized: negative from the end) with its dimension in the
    /// region's result, in ascending order of that dimension.
    var runtime: [(position: Int, index: TensorValue)]
}

extension Evaluator {
    /// The subscript's run-time integers and static part; nil when it has no run-time integer
    /// or is one alone (`x[i]`, a row).
    func runtimeIndex(_ elements: [(IndexElement, SourceLocation)], shape: [Int], at location: SourceLocation) throws -> RuntimeIndex? {
        let runtimeAt = elements.indices.filter {
            if case .tensor(let t) = elements[$0].0 { builder.type(of: t.id).rank == 0 } else { false }
        }
        guard elements.count > 1, !runtimeAt.isEmpty else { return nil }
        for case (.newAxis, let at) in elements {
            throw Diagnostic("nil (a new dimension) cannot be combined with a run-time index; unsqueeze the result instead", at: at)
        }
        var asRanges = elements
        var asIntegers = elements
        for k in runtimeAt {
            asRanges[k].0 = .range(start: nil, end: nil, step: 1, closed: false)
            asIntegers[k].0 = .integer(0)
        }
        let region = try resolveIndex(asRanges, shape: shape, at: location)
        let selected = try resolveIndex(asIntegers, shape: shape, at: location)
        // The dimension of each element: an ellipsis stands for the ones not indexed.
        let ellipsisExtent = shape.count - elements.filter { if case .ellipsis = $0.0 { false } else { true } }.count
        var axis = 0
        var runtime: [(position: Int, index: TensorValue)] = []
        for (k, (element, _)) in elements.enumerated() {
            if case .ellipsis = element {
                axis += ellipsisExtent
                continue
            }
            if runtimeAt.contains(k), case .tensor(let row) = element {
                let index = try withoutGrad { try normalizedRows(row, count: shape[axis], at: location) }
                runtime.append((axis - region.removed.filter { $0 < axis }.count, index))
            }
            axis += 1
        }
        return RuntimeIndex(region: region, selected: selected, runtime: runtime)
    }

    /// `x[i, j]`: the static region, then each run-time integer's slab (an index_select whose
    /// run-time range check names this line), its dimension removed.
    func read(_ x: TensorValue, _ index: RuntimeIndex, at location: SourceLocation) throws -> TensorValue {
        var value = try read(x, index.region, at: location)
        for (position, row) in index.runtime.reversed() {
            value = try slab(value, at: row, along: position, at: location)
        }
        return try reshaped(value, to: index.selected.resultShape, gradFunction: index.selected.gradFunction!, at: location)
    }

    /// `y[i, j] = value` (value already of the selection's shape and y's dtype): the region
    /// with each run-time integer's slab replaced by a scatter along its dimension, written back
    /// into y (`CopySlices`, as a static subscript's).
    func write(_ y: TensorValue, _ index: RuntimeIndex, _ value: TensorValue, at location: SourceLocation) throws -> TensorValue {
        var slabShape = index.region.resultShape
        for (position, _) in index.runtime { slabShape[position] = 1 }
        let source = try reshaped(value, to: slabShape, gradFunction: OpKind.reshape.definition.gradFunction!, at: location)
        let region = try scattered(try read(y, index.region, at: location), index.runtime[...], source, at: location)
        let shape = builder.type(of: y.id).shape
        if index.region.removed.isEmpty && index.region.dims == shape.map(SliceDim.all) { return region }
        var attrs = Attributes()
        attrs.slice = index.region.dims
        let written = try reshaped(region, to: index.region.dims.map(\.size), gradFunction: OpKind.reshape.definition.gradFunction!, at: location)
        return try record(.sliceUpdate, [y, written], attrs, gradFunction: OpKind.sliceUpdate.definition.gradFunction, at: location)
    }

    /// `region` with the slab at the first run-time integer replaced: by `source`, or for
    /// several, by that slab with the next ones replaced in turn.
    private func scattered(_ region: TensorValue, _ runtime: ArraySlice<(position: Int, index: TensorValue)>, _ source: TensorValue,
                           at location: SourceLocation) throws -> TensorValue {
        guard let (position, row) = runtime.first else { return source }
        let inner = runtime.count == 1 ? source
            : try scattered(try slab(region, at: row, along: position, at: location), runtime.dropFirst(), source, at: location)
        let innerShape = builder.type(of: inner.id).shape
        let index = try withoutGrad { () throws -> TensorValue in
            let column = try builder.reshape(row.id, to: Array(repeating: 1, count: innerShape.count), at: location)
            return TensorValue(id: try builder.broadcast(column, to: innerShape, at: location))
        }
        var attrs = Attributes()
        attrs.axes = [position]
        return try record(.scatter, [region, index, inner], attrs, gradFunction: OpKind.sliceUpdate.definition.gradFunction, at: location)
    }

    /// The slab of `x` at the 0-dim index `row` along `axis`, that dimension kept with size 1.
    private func slab(_ x: TensorValue, at row: TensorValue, along axis: Int, at location: SourceLocation) throws -> TensorValue {
        try recordComposite("index", [x, row], gradFunction: SurfaceFunction.select.gradFunction, at: location) {
            try builder.indexSelect(x.id, axis: axis, row.id, at: location)
        }
    }
}

extension Evaluator {
    /// `names[i]` for an array of strings and an integer computed at run time (`classes[pred.item()]`):
    /// text that prints the string `i` picks, negative `i` counting from the end as in Python.
    /// The index is checked at run time (an index_select of 0 ..< count), naming this line.
    func runtimeChoice(_ options: [String], _ index: TensorValue, at location: SourceLocation) throws -> FormattedText {
        let type = builder.type(of: index.id)
        guard type.dtype.isInteger, type.elementCount == 1 else {
            let what = type.dtype.isInteger ? "a tensor of \(type.elementCount) elements" : "a \(type.dtype) tensor"
            throw Diagnostic("an array of strings is indexed by one integer, got \(what)", at: location)
        }
        let checked = try withoutGrad {
            let row = try normalizedRows(TensorValue(id: try builder.reshape(try builder.cast(index.id, to: .int64, at: location), to: [1], at: location)),
                                         count: options.count, at: location)
            return try builder.reshape(try builder.indexSelect(try arange(options.count, at: location), axis: 0, row.id, at: location), to: [], at: location)
        }
        return FormattedText(segments: [.choice(operand: 0, options: options)], operands: [checked])
    }
}

extension Array where Element == EvalValue {
    /// The strings of an array of strings; nil when it is empty or holds anything else.
    var strings: [String]? {
        let texts = compactMap { if case .string(let text) = $0 { text } else { nil } }
        return !isEmpty && texts.count == count ? texts : nil
    }
}
