import TGCBase
import TGCCore

/// Selecting: `gather`, `scatter`, `scatterAdd`, `indexSelect`, `maskedFill`, `sort`,
/// `argsort`, `topk` (methods, and functions of the tensor) and `randperm`, with PyTorch's
/// defaults, checks and backward names.
extension Evaluator {
    /// `x.gather(dim: 1, index: idx)`: result[p] = x[p with coordinate dim replaced by idx[p]].
    func gather(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let dim = try selectionDim(x, site)
        let index = try tensorArgument(site, "index")
        var attrs = Attributes()
        attrs.axes = [dim]
        return .tensor(try record(.gather, [x, index], attrs, gradFunction: OpKind.gather.definition.gradFunction, at: site.location))
    }

    /// `x.scatter(dim:, index:, src:)` or `(..., value: 2.0)`, and `x.scatterAdd(dim:, index:, src:)`:
    /// x with src's elements stored (added) at the index's positions along dim.
    func scatter(_ x: TensorValue, _ site: CallSite, adding: Bool) throws -> EvalValue {
        let kind: OpKind = adding ? .scatterAdd : .scatter
        let dim = try selectionDim(x, site)
        let index = try tensorArgument(site, "index")
        var attrs = Attributes()
        attrs.axes = [dim]
        var (source, value) = (site.value("src"), site.value("value"))
        switch source {   // `x.scatter(1, idx, 2.0)`: PyTorch's value overload
        case .int?, .float?, .bool? where !adding && value == nil: (source, value) = (nil, source)
        default: break
        }
        switch (source, value) {
        case (let source?, nil):
            guard case .tensor(let source) = source else {
                throw Diagnostic("src of \(site.name) must be a tensor\(adding ? "" : "; scatter a number with value:")", at: site.location("src"))
            }
            return .tensor(try record(kind, [x, index, source], attrs, gradFunction: kind.definition.gradFunction, at: site.location))
        case (nil, let value?) where !adding:
            let type = builder.type(of: x.id)
            let number = try staticDouble(value, what: "value of scatter", at: site.location("value"))
            return .tensor(try recordComposite("scatter()", [x, index], gradFunction: SurfaceFunction.scatterValue.gradFunction, at: site.location) {
                let filled = try builder.full(builder.type(of: index.id).shape, number, type.dtype, at: site.location)
                return try builder.apply1(.scatter, [x.id, index.id, filled], attrs, at: site.location)
            })
        default:
            throw Diagnostic(adding ? "scatterAdd needs src:" : "scatter needs exactly one of src: and value:", at: site.location)
        }
    }

    /// `x.indexSelect(dim: 1, index: idx)`: the slices of x along dim that the int64 vector (or
    /// 0-dim tensor) names, in its order.
    func indexSelect(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let dim = try selectionDim(x, site)
        let index = try tensorArgument(site, "index")
        let indexType = builder.type(of: index.id)
        guard indexType.rank <= 1 else { throw Diagnostic("index_select(): index is supposed to be a vector", at: site.location("index")) }
        guard indexType.dtype == .int64 else {
            throw Diagnostic("index_select(): expected dtype int64 for index, got \(indexType.dtype)", at: site.location("index"))
        }
        guard builder.type(of: x.id).rank >= 1 else { throw Diagnostic("index_select of a 0-dim tensor is not supported", at: site.location) }
        return .tensor(try recordComposite("indexSelect()", [x, index], gradFunction: SurfaceFunction.indexSelect.gradFunction, at: site.location) {
            try builder.indexSelect(x.id, axis: dim, index.id, at: site.location)
        })
    }

    /// `x.maskedFill(mask, value)`: value where the bool mask (broadcast with x) holds, else x.
    func maskedFill(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let mask = try tensorArgument(site, "mask")
        let (type, maskType) = (builder.type(of: x.id), builder.type(of: mask.id))
        guard maskType.dtype == .bool else {
            throw Diagnostic("maskedFill only supports boolean masks, but got mask with dtype \(maskType.dtype)", at: site.location("mask"))
        }
        guard (try? ShapeRules.broadcast(type.shape, maskType.shape)) != nil else {
            throw Diagnostic("the mask of shape \(formatShape(maskType.shape)) does not broadcast with the tensor of shape \(formatShape(type.shape))", at: site.location("mask"))
        }
        let value = site.value("value")!
        var operands = [x, mask]
        var function = SurfaceFunction.maskedFill
        if case .tensor(let tensor) = value {
            let rank = builder.type(of: tensor.id).rank
            guard rank == 0 else {
                throw Diagnostic("maskedFill only supports a 0-dimensional value tensor, but got tensor with \(rank) dimension(s)", at: site.location("value"))
            }
            operands.append(tensor)
            function = .maskedFillTensor
        }
        let number = function == .maskedFill ? try staticDouble(value, what: "value of maskedFill", at: site.location("value")) : 0
        return .tensor(try recordComposite("maskedFill()", operands, gradFunction: function.gradFunction, at: site.location) {
            var fill = try builder.scalar(number, type.dtype, at: site.location)
            if operands.count == 3 {
                fill = operands[2].id
                if builder.type(of: fill).dtype != type.dtype { fill = try builder.cast(fill, to: type.dtype, at: site.location) }
            }
            return try builder.maskedFill(x.id, mask.id, fill, at: site.location)
        })
    }

    /// `x.sort(dim: -1, descending: false, stable: false)`: (values, indices); every sort is
    /// stable (ties keep their order) and NaN sorts above every number, as torch.sort on the CPU.
    func sort(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let dim = try selectionDim(x, site, defaultDim: -1)
        let indices = try sortIndices(x, dim: dim, descending: try flag(site, "descending", default: false), site)
        _ = try flag(site, "stable", default: false)
        let values = try selected(x, indices, dim: dim, named: .sort, at: site.location)
        return .namedTuple(name: "torch.return_types.sort", fields: [("values", .tensor(values)), ("indices", .tensor(indices))])
    }

    /// `x.argsort(dim: -1, descending: false, stable: false)`: sort's indices.
    func argsort(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let dim = try selectionDim(x, site, defaultDim: -1)
        _ = try flag(site, "stable", default: false)
        return .tensor(try sortIndices(x, dim: dim, descending: try flag(site, "descending", default: false), site))
    }

    /// `x.topk(k, dim: -1, largest: true, sorted: true)`: (values, indices) of the k largest
    /// (smallest) along dim, the first k of a stable sort (`sorted: false` gives them sorted too).
    func topk(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let dim = try selectionDim(x, site, defaultDim: -1)
        let shape = builder.type(of: x.id).shape
        let k = try staticInt(site.value("k")!, what: "k", at: site.location("k"))
        guard k >= 0, k <= (shape.isEmpty ? 1 : shape[dim]) else {
            throw Diagnostic("topk: k (\(k)) is out of range for dimension \(dim) of size \(shape.isEmpty ? 1 : shape[dim])", at: site.location("k"))
        }
        let largest = try flag(site, "largest", default: true)
        _ = try flag(site, "sorted", default: true)
        try checkSortable(x, site)
        let indices = try withoutGrad {
            TensorValue(id: try builder.topIndices(x.id, k: k, axis: dim, largest: largest, at: site.location))
        }
        let values = try selected(x, indices, dim: dim, named: .topk, at: site.location)
        return .namedTuple(name: "torch.return_types.topk", fields: [("values", .tensor(values)), ("indices", .tensor(indices))])
    }

    /// `randperm(n, dtype: .int64)`: a random permutation of 0 ..< n, the order that sorts n
    /// draws of `rand` (so not PyTorch's numbers).
    func randperm(_ site: CallSite) throws -> EvalValue {
        let n = try staticInt(site.value("n")!, what: "n", at: site.location("n"))
        guard n >= 0 else { throw Diagnostic("randperm: n must be non-negative, got \(n)", at: site.location("n")) }
        let permutation = try builder.randomPermutation(n, at: site.location)
        return .tensor(TensorValue(id: try builder.cast(permutation, to: try dtypeArgument(site) ?? .int64, at: site.location)))
    }

    /// The argsort of x along dim (no gradient: int64).
    private func sortIndices(_ x: TensorValue, dim: Int, descending: Bool, _ site: CallSite) throws -> TensorValue {
        try checkSortable(x, site)
        var attrs = Attributes()
        attrs.axes = [dim]
        attrs.descending = descending
        return try record(.argsort, [x], attrs, gradFunction: nil, at: site.location)
    }

    private func checkSortable(_ x: TensorValue, _ site: CallSite) throws {
        if builder.type(of: x.id).dtype == .bool {
            throw Diagnostic("\(site.name) of a bool tensor is not supported; convert it to int64 first", at: site.location)
        }
    }

    /// x gathered at indices along dim: sort's and topk's values, named after `function`.
    private func selected(_ x: TensorValue, _ indices: TensorValue, dim: Int, named function: SurfaceFunction,
                          at location: SourceLocation) throws -> TensorValue {
        try recordComposite("\(function)()", [x], gradFunction: function.gradFunction, at: location) {
            try builder.applyAlong(.gather, [x.id, indices.id], axis: dim, at: location)
        }
    }

    /// The `dim:` argument, normalized (required unless a default is given).
    private func selectionDim(_ x: TensorValue, _ site: CallSite, defaultDim: Int? = nil) throws -> Int {
        guard let value = site.value("dim") ?? defaultDim.map(EvalValue.int) else {
            throw Diagnostic("\(site.name) needs dim:", at: site.location)
        }
        return try normalizeDim(try staticInt(value, what: "dim", at: site.location("dim")),
                                rank: builder.type(of: x.id).rank, at: site.location("dim"))
    }

    private func tensorArgument(_ site: CallSite, _ name: String) throws -> TensorValue {
        guard case .tensor(let tensor)? = site.value(name) else {
            throw Diagnostic("\(name) of \(site.name) must be a tensor", at: site.location(name))
        }
        return tensor
    }

    private func flag(_ site: CallSite, _ name: String, default value: Bool) throws -> Bool {
        guard let given = site.value(name) else { return value }
        guard case .bool(let flag) = given else { throw Diagnostic("\(name) must be true or false", at: site.location(name)) }
        return flag
    }
}
