import TGCBase
import TGCCore
import TGCSyntax

/// A tensor subscript resolved against the tensor's shape: the `slice` op's region (one entry
/// per dimension) and the dimensions an integer index removes.
struct TensorIndex {
    var dims: [SliceDim]
    /// The dimensions selected by an integer (`x[0]`): size 1 in the slice, gone in the result.
    var removed: Set<Int>
    /// The positions in the result of the size-1 dimensions a `nil` adds (`x[nil]`, `x[..., nil]`).
    var newAxes: [Int] = []
    /// PyTorch's backward node of the result: the last integer (`SelectBackward0`) or range
    /// (`SliceBackward0`) in the subscript; nil when nothing is selected (`x[...]`).
    var gradFunction: String?

    /// The shape of the subscript's result.
    var resultShape: [Int] {
        var shape = dims.indices.filter { !removed.contains($0) }.map { dims[$0].size }
        for position in newAxes { shape.insert(1, at: position) }
        return shape
    }
}

extension Evaluator {
    /// `x[0]`, `x[-1]`, `x[1..<3]`, `x[1...]`, `x[..<2]`, `x[0, 1...2]`, `x[..., 1]`,
    /// `x[stride(from: 0, to: 6, by: 2)]`: PyTorch's basic indexing. A slice op (read in place by
    /// a fused kernel) then, for integer indices, a reshape that drops their dimensions.
    func indexTensor(_ x: TensorValue, _ arguments: [Argument], at location: SourceLocation) throws -> EvalValue {
        let elements = try indexElements(arguments)
        for case (.mask, let at) in elements { throw Self.maskReadError(at: at) }
        if let runtime = try runtimeIndex(elements, shape: builder.type(of: x.id).shape, at: location) {
            return .tensor(try read(x, runtime, at: location))
        }
        if case .tensor(let rows)? = elements.first?.0 {
            guard elements.count == 1 else {
                throw Diagnostic("an int64 index tensor must be the only index (x[idx]); combine it with other indices in separate steps", at: elements[0].1)
            }
            return .tensor(builder.type(of: rows.id).rank == 0 ? try selectRow(x, rows, at: location) : try selectRows(x, rows, at: location))
        }
        return .tensor(try read(x, try resolveIndex(elements, shape: builder.type(of: x.id).shape, at: location), at: location))
    }

    /// The elements of `x` that `index` selects.
    func read(_ x: TensorValue, _ index: TensorIndex, at location: SourceLocation) throws -> TensorValue {
        guard let gradFunction = index.gradFunction else {
            return try reshaped(x, to: index.resultShape, gradFunction: SurfaceFunction.alias.gradFunction, at: location)
        }
        var attrs = Attributes()
        attrs.slice = index.dims
        if index.removed.isEmpty && index.newAxes.isEmpty {
            return try record(.slice, [x], attrs, gradFunction: gradFunction, at: location)
        }
        let region = try record(.slice, [x], attrs, gradFunction: OpKind.slice.definition.gradFunction, at: location)
        return try reshaped(region, to: index.resultShape, gradFunction: gradFunction, at: location)
    }

    /// `y[index] = value` (or `op=`): `y` becomes `sliceUpdate(y, value)`, the value broadcast to
    /// the region's shape and converted to `y`'s dtype. A new value of `y`, never a write into
    /// a tensor another variable holds (tgc tensors are values). `y[0][1] = v` writes through
    /// the view `y[0]` into `y`, as in PyTorch: `y[0] = (y[0] with [1] = v)`.
    func assignSubscript(_ baseExpr: Expr, _ arguments: [Argument], op: String, value valueExpr: Expr,
                         at location: SourceLocation) throws {
        try assignSubscript(baseExpr, arguments, op: op, value: try evaluate(valueExpr), valueLocation: valueExpr.location, at: location)
    }

    func assignSubscript(_ baseExpr: Expr, _ arguments: [Argument], op: String, value: EvalValue,
                                 valueLocation: SourceLocation, at location: SourceLocation) throws {
        if case .subscriptAccess(let outerBase, let outerArguments) = baseExpr.kind {
            guard case .tensor(let view) = try evaluate(baseExpr) else {
                throw Diagnostic("only a tensor variable can be assigned through a subscript (y[0] = v)", at: baseExpr.location)
            }
            let updated = try updatedThroughSubscript(view, named: Self.describe(baseExpr), arguments, op: op, value: value,
                                                      valueLocation: valueLocation, at: location)
            return try assignSubscript(outerBase, outerArguments, op: "=", value: .tensor(updated), valueLocation: location, at: location)
        }
        guard case .identifier(let name) = baseExpr.kind else {   // `w.data[0] = 5`, `w.grad![1] = 0`, `model.fc.bias[0] = 0`
            guard case .tensor(let base) = try evaluate(baseExpr) else {
                throw Diagnostic("only a tensor variable can be assigned through a subscript (y[0] = v)", at: baseExpr.location)
            }
            let updated = try updatedThroughSubscript(base, named: Self.describe(baseExpr), arguments, op: op, value: value,
                                                      valueLocation: valueLocation, at: location)
            try storeInPlace(updated, into: baseExpr, current: base, what: "subscript assignment", at: location)
            return
        }
        let held = try lookupVariable(name, at: baseExpr.location)
        if case .dictionary(let entries, let ordered) = held {
            return try assignEntry(name, entries, ordered: ordered, arguments, op: op, value: value, at: location)
        }
        guard case .tensor(let base) = held else {
            throw Diagnostic("'\(name)' is not a tensor; only tensor elements can be assigned through a subscript", at: baseExpr.location)
        }
        if base.leafKey != nil, base.requiresGrad, gradEnabled {
            throw Diagnostic("a leaf tensor that requires grad ('\(name)') is being used in an in-place operation; wrap the update in noGrad { ... }", at: location)
        }
        var updated = try updatedThroughSubscript(base, named: name, arguments, op: op, value: value, valueLocation: valueLocation, at: location)
        if let key = base.leafKey, !gradEnabled {   // `noGrad { w[0] = 0 }` keeps w the same leaf, a new version
            markInPlaceLeafUpdate(&updated, of: key)
        }
        try assignVariable(name, .tensor(updated), at: baseExpr.location)
    }

    /// `base` with the region `arguments` name set to `value` (or updated by `op=`).
    private func updatedThroughSubscript(_ base: TensorValue, named name: String, _ arguments: [Argument], op: String, value given: EvalValue,
                                         valueLocation: SourceLocation, at location: SourceLocation) throws -> TensorValue {
        let type = builder.type(of: base.id)
        let region = try assignedRegion(try indexElements(arguments), shape: type.shape, at: location)
        var value = given
        if op != "=" {
            guard let kind = Self.compoundKinds[op] else { throw Diagnostic("unsupported operator '\(op)'", at: location) }
            let current = switch region {
            case .slice(let index): try read(base, index, at: location)
            case .row(let row): try selectRow(base, row, at: location)
            case .runtime(let index): try read(base, index, at: location)
            case .mask: base
            }
            let updated = try tensorOp(kind, [.tensor(current), value], at: location)
            let dtype = builder.type(of: updated.id).dtype
            guard dtype.castsInPlace(to: type.dtype) else {   // PyTorch: "result type Float can't be cast to the desired output type Long"
                throw Diagnostic("in-place '\(op)' would store a \(dtype) result in a slice of '\(name)', whose dtype is \(type.dtype)", at: location)
            }
            value = .tensor(updated)
        }
        var tensor = try asTensor(value, dtype: type.dtype, at: valueLocation)
        let valueShape = builder.type(of: tensor.id).shape
        let regionShape = switch region {
        case .slice(let index): index.resultShape
        case .row: Array(type.shape.dropFirst())
        case .runtime(let index): index.selected.resultShape
        case .mask(_, let rest): op == "=" ? rest : type.shape   // a compound update is computed on the whole tensor
        }
        guard ShapeRules.broadcasts(valueShape, to: regionShape) else {
            throw Diagnostic("shape mismatch: value tensor of shape \(formatShape(valueShape)) cannot be broadcast to indexing result of shape \(formatShape(regionShape))", at: valueLocation)
        }
        tensor = try converted(tensor, to: type.dtype, at: valueLocation)
        if valueShape != regionShape {
            tensor = try record(.broadcastTo, [tensor], attributesWith(shape: regionShape),
                                gradFunction: OpKind.broadcastTo.definition.gradFunction, at: valueLocation)
        }
        switch region {
        case .slice(let index):
            tensor = try reshaped(tensor, to: index.dims.map(\.size), gradFunction: OpKind.reshape.definition.gradFunction!, at: location)
            var attrs = Attributes()
            attrs.slice = index.dims
            return try record(.sliceUpdate, [base, tensor], attrs, gradFunction: OpKind.sliceUpdate.definition.gradFunction, at: location)
        case .row(let row):
            return try scatterRow(base, row, tensor, at: location)
        case .runtime(let index):
            return try write(base, index, tensor, at: location)
        case .mask(let mask, _):
            let gradFunction = SurfaceFunction.indexPut.gradFunction
            return try record(.select, [TensorValue(id: mask), tensor, base], gradFunction: gradFunction, at: location)
        }
    }

    /// Where an assignment through a subscript writes: a static region, the row at a run-time
    /// integer (`y[i] = v` with a loop index i), or run-time integers among other indices
    /// (`y[i, j] = v`, `y[..., i] = v`).
    private enum AssignedRegion {
        case slice(TensorIndex)
        case row(TensorValue)
        case runtime(RuntimeIndex)
        /// Every element where a mask (shaped to broadcast over the tensor) is true, each set
        /// to a value of the shape of the dimensions past the mask's (`x[x < 0] = 0.0`).
        case mask(ValueID, [Int])
    }

    private func assignedRegion(_ elements: [(IndexElement, SourceLocation)], shape: [Int], at location: SourceLocation) throws -> AssignedRegion {
        if case .mask(let mask)? = elements.first?.0 {
            let maskShape = builder.type(of: mask.id).shape
            guard elements.count == 1, maskShape.count <= shape.count, Array(shape.prefix(maskShape.count)) == maskShape else {
                throw Diagnostic(elements.count == 1
                    ? "the mask of shape \(formatShape(maskShape)) does not match the indexed tensor of shape \(formatShape(shape))"
                    : "a boolean mask must be the only index of an assignment (x[mask] = v)", at: elements[0].1)
            }
            // the mask over the leading dimensions, broadcast along the others
            let ones = Array(repeating: 1, count: shape.count - maskShape.count)
            return .mask(try builder.reshape(mask.id, to: maskShape + ones, at: location), Array(shape.dropFirst(maskShape.count)))
        }
        for case (.mask, let at) in elements { throw Diagnostic("a boolean mask must be the only index of an assignment (x[mask] = v)", at: at) }
        if case .tensor(let row)? = elements.first?.0, elements.count == 1, builder.type(of: row.id).rank == 0 {
            guard !shape.isEmpty else { throw Diagnostic("a 0-dim tensor cannot be indexed by a tensor", at: location) }
            return .row(row)
        }
        if let runtime = try runtimeIndex(elements, shape: shape, at: location) { return .runtime(runtime) }
        for case (.tensor, let at) in elements {
            throw Diagnostic("assigning through an int64 index tensor is not supported yet; use integers, ranges or one run-time integer (y[i] = v)", at: at)
        }
        return .slice(try resolveIndex(elements, shape: shape, at: location))
    }

    /// `x[i]` at a 0-dim int64 tensor i: row i without its dimension, as `x[0]` is row 0.
    func selectRow(_ x: TensorValue, _ row: TensorValue, at location: SourceLocation) throws -> TensorValue {
        let shape = Array(builder.type(of: x.id).shape.dropFirst())
        return try reshaped(try selectRows(x, row, at: location), to: shape, gradFunction: SurfaceFunction.select.gradFunction, at: location)
    }

    /// `y` with row `row` (a 0-dim int64 tensor, negative from the end) replaced by `value` (of
    /// the row's shape): a scatter along dimension 0, whose run-time range check names this line
    /// and whose gradient is zero at the row for `y` and the row's for `value` (`CopySlices`, as
    /// the static `y[0] = v`).
    private func scatterRow(_ y: TensorValue, _ row: TensorValue, _ value: TensorValue, at location: SourceLocation) throws -> TensorValue {
        let shape = builder.type(of: y.id).shape
        let rowShape = [1] + shape.dropFirst()
        let index = try withoutGrad { () throws -> TensorValue in
            let normalized = try normalizedRows(row, count: shape[0], at: location)
            let column = try builder.reshape(normalized.id, to: Array(repeating: 1, count: shape.count), at: location)
            return TensorValue(id: try builder.broadcast(column, to: rowShape, at: location))
        }
        let source = try reshaped(value, to: rowShape, gradFunction: OpKind.reshape.definition.gradFunction!, at: location)
        var attrs = Attributes()
        attrs.axes = [0]
        return try record(.scatter, [y, index, source], attrs, gradFunction: OpKind.sliceUpdate.definition.gradFunction, at: location)
    }

    private func attributesWith(shape: [Int]) -> Attributes {
        var attrs = Attributes()
        attrs.shape = shape
        return attrs
    }

    /// Reading through a mask: the result's length is the count of its true elements.
    static func maskReadError(at location: SourceLocation) -> Diagnostic {
        Diagnostic("indexing with a boolean mask is not supported: its result's shape depends on the data; use where(mask, x, 0.0) to keep the shape (PyTorch: x.masked_fill(~mask, 0.0)); assigning through one (x[mask] = 0.0) is supported", at: location)
    }

    /// Resolves each subscript element against `shape`: integers (negative from the end),
    /// ranges (`a..<b`, `a...b`, `a...`, `..<b`, `...b`, negative bounds from the end), strides
    /// and one ellipsis. An out-of-range integer is an error (reported at compile time: shapes
    /// are static); ranges are clamped to the dimension, as Python's slices.
    func resolveIndex(_ elements: [(IndexElement, SourceLocation)], shape: [Int], at location: SourceLocation) throws -> TensorIndex {
        let ellipses = elements.filter { if case .ellipsis = $0.0 { true } else { false } }
        guard ellipses.count <= 1 else { throw Diagnostic("an index can only have a single ellipsis ('...')", at: ellipses[1].1) }
        let added = elements.filter { if case .newAxis = $0.0 { true } else { false } }.count
        let counted = elements.count - ellipses.count - added
        guard counted <= shape.count else {
            throw Diagnostic("too many indices for tensor of dimension \(shape.count)", at: location)
        }
        var result = TensorIndex(dims: shape.map(SliceDim.all), removed: [], gradFunction: nil)
        var axis = 0
        var output = 0   // the result's dimensions so far
        for (element, at) in elements {
            switch element {
            case .tensor:
                throw Diagnostic("an int64 index tensor must be the only index (x[idx])", at: at)
            case .mask:
                throw Self.maskReadError(at: at)
            case .newAxis:
                result.newAxes.append(output)
                result.gradFunction = SurfaceFunction.unsqueeze.gradFunction
                output += 1
            case .ellipsis:
                axis += shape.count - counted
                output += shape.count - counted
            case .integer(let value):
                let extent = shape[axis]
                guard value >= -extent, value < extent else {
                    throw Diagnostic("index \(value) is out of bounds for dimension \(axis) with size \(extent)", at: at)
                }
                result.dims[axis] = SliceDim(start: value < 0 ? value + extent : value, step: 1, size: 1)
                result.removed.insert(axis)
                result.gradFunction = SurfaceFunction.select.gradFunction
                axis += 1
            case .range(let lower, let upper, let step, let closed):
                // Python's slice rules: negative bounds count from the end, bounds past either
                // end are clamped to it, and a range that ends before it starts is empty
                // (`x[8..<12]` of 10 rows is the last 2, as PyTorch's `x[8:12]`).
                let extent = shape[axis]
                let start = min(max(lower.map { $0 < 0 ? $0 + extent : $0 } ?? 0, 0), extent)
                var end = upper.map { $0 < 0 ? $0 + extent : $0 } ?? extent
                if closed { end += 1 }
                end = max(min(end, extent), start)
                let dim = SliceDim(start: start, step: step, size: (end - start + step - 1) / step)
                result.dims[axis] = dim
                // PyTorch skips a slice of a whole dimension among several indices (`x[:, 0:4]`).
                if elements.count == 1 || dim != SliceDim.all(extent) { result.gradFunction = OpKind.slice.definition.gradFunction }
                axis += 1
                output += 1
            }
        }
        return result
    }

    /// The subscript's elements, each with its location.
    private func indexElements(_ arguments: [Argument]) throws -> [(IndexElement, SourceLocation)] {
        try arguments.map { argument in
            if let label = argument.label {
                throw Diagnostic("a subscript takes no labels, got '\(label):'", at: argument.location)
            }
            return (try indexElement(argument.value), argument.location)
        }
    }

    /// `x[idx]`: the rows of x that an int64 tensor names (negative from the end), an
    /// indexSelect whose run-time range check names this line (a 0-dim idx selects one row).
    private func selectRows(_ x: TensorValue, _ rows: TensorValue, at location: SourceLocation) throws -> TensorValue {
        let shape = builder.type(of: x.id).shape
        guard let count = shape.first else { throw Diagnostic("a 0-dim tensor cannot be indexed by a tensor", at: location) }
        let index = try withoutGrad { try normalizedRows(rows, count: count, at: location) }
        return try record(.indexSelect, [x, index], gradFunction: OpKind.indexSelect.definition.gradFunction, at: location)
    }

    /// Row indices with the negative ones counted from the end of `count` rows.
    func normalizedRows(_ rows: TensorValue, count: Int, at location: SourceLocation) throws -> TensorValue {
        let negative = try builder.apply1(.less, [rows.id, try builder.scalar(0, .int64, at: location)], at: location)
        let moved = try builder.apply1(.add, [rows.id, try builder.scalar(Double(count), .int64, at: location)], at: location)
        return TensorValue(id: try builder.apply1(.select, [negative, moved, rows.id], at: location))
    }

    /// One subscript element: an integer, a range, a stride, or `...`.
    private func indexElement(_ expr: Expr) throws -> IndexElement {
        switch expr.kind {
        case .partialRange(_, nil, nil):
            return .ellipsis
        case .nilLiteral:
            return .newAxis
        case .binary(let op, let lhs, let rhs) where op == "..<" || op == "...":
            return .range(start: try bound(lhs), end: try bound(rhs), step: 1, closed: op == "...")
        case .partialRange(let op, let lower, let upper):
            return .range(start: try lower.map(bound), end: try upper.map(bound), step: 1, closed: op == "..." && upper != nil)
        case .call(let callee, let arguments, nil):
            if case .identifier("stride") = callee.kind, arguments.count == 3, arguments[0].label == "from", arguments[2].label == "by",
               arguments[1].label == "to" || arguments[1].label == "through" {
                let step = try staticInt(try evaluate(arguments[2].value), what: "a stride's step", at: arguments[2].location)
                guard step >= 1 else { throw Diagnostic("a stride used as an index must have a positive step, got \(step)", at: arguments[2].location) }
                return .range(start: try bound(arguments[0].value), end: try bound(arguments[1].value), step: step,
                              closed: arguments[1].label == "through")
            }
        default:
            break
        }
        var value = try evaluate(expr)
        if case .array = value {   // `x[[0, 2]]`: a list of indices is an int64 index tensor, as in PyTorch
            value = try BuiltinRegistry.functions["tensor"]!.call(self, CallSite(name: "tensor", location: expr.location, arguments: [(nil, value, expr.location)]))
        }
        switch value {
        case .int(let value):
            return .integer(value)
        case .tensor(let tensor):
            let type = builder.type(of: tensor.id)
            if type.dtype == .bool || type.dtype == .uint8 {   // PyTorch reads a uint8 index as a mask
                return .mask(try converted(tensor, to: .bool, at: expr.location))
            }
            if type.dtype.isFloatingPoint {
                throw Diagnostic("tensors used as indices must be long, int, byte or bool tensors", at: expr.location)
            }
            return .tensor(try converted(tensor, to: .int64, at: expr.location))   // int32 rows as int64
        case let other:
            throw Diagnostic("an index must be an Int, a range, a stride or '...', got \(other.kindName)", at: expr.location)
        }
    }

    /// A range bound or stride limit: an Int known at compile time.
    private func bound(_ expr: Expr) throws -> Int {
        try staticInt(try evaluate(expr), what: "a range bound", at: expr.location)
    }
}

/// One element of a subscript, before it is resolved against a dimension.
enum IndexElement {
    case integer(Int)
    case range(start: Int?, end: Int?, step: Int, closed: Bool)
    case ellipsis
    /// `nil` (Python's None): a new dimension of size 1.
    case newAxis
    /// An int64 tensor: the rows it names (indexSelect), or one row for a 0-dim tensor.
    case tensor(TensorValue)
    /// A bool (or uint8) tensor: a mask, which only an assignment may index by (`x[x < 0] = 0`).
    case mask(TensorValue)
}
