import TGCBase
import TGCCore

/// The shape functions of ShapeBuiltins.swift beyond reshape/squeeze/transpose: `permute`,
/// `expand`, `expandAs`, `repeat`, `tril`, `triu`, `flatten(startDim:endDim:)`, `unflatten`,
/// `contiguous`. Each checks its arguments as PyTorch does and names PyTorch's backward node.
extension Evaluator {
    /// Ints given as `f(1, 0, 2)` or `f([1, 0, 2])`.
    func intList(_ site: CallSite, _ name: String, what: String) throws -> [Int] {
        var items = site.values(name)
        if items.count == 1, let nested = items[0].arrayItems { items = nested }
        return try items.map { try staticInt($0, what: what, at: site.location(name)) }
    }

    /// `x.permute([1, 0, 2])`: dimension i of the result is dimension dims[i] of x.
    func permute(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let rank = builder.type(of: x.id).rank
        let at = site.location("dims")
        let dims = try intList(site, "dims", what: "a dimension")
        guard dims.count == rank else {
            throw Diagnostic("permute: the tensor has \(rank) dimensions but \(dims.count) were given in \(formatShape(dims))", at: at)
        }
        let permutation = try dims.map { try normalizeDim($0, rank: rank, at: at) }
        guard Set(permutation).count == rank else {
            throw Diagnostic("permute: \(formatShape(dims)) is not a permutation (a dimension is repeated)", at: at)
        }
        if permutation == Array(0..<rank) && !(x.requiresGrad && gradEnabled) { return .tensor(x) }
        return .tensor(try record(.transpose, [x], attributesWith(permutation: permutation),
                                  gradFunction: SurfaceFunction.permute.gradFunction, at: site.location))
    }

    /// `x.expand([3, 4])`: size-1 dimensions broadcast (and new leading ones added); -1 keeps a size.
    func expand(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        try expand(x, to: try intList(site, "sizes", what: "a size"), at: site.location("sizes"), site.location)
    }

    /// `x.expandAs(y)`: x expanded to y's shape.
    func expandAs(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let other = try asTensor(site.value("other")!, at: site.location("other"))
        return try expand(x, to: builder.type(of: other.id).shape, at: site.location("other"), site.location)
    }

    private func expand(_ x: TensorValue, to sizes: [Int], at argument: SourceLocation, _ location: SourceLocation) throws -> EvalValue {
        let shape = builder.type(of: x.id).shape
        guard sizes.count >= shape.count else {
            throw Diagnostic("expand: the number of sizes provided (\(sizes.count)) must be greater or equal to the number of dimensions in the tensor (\(shape.count))", at: argument)
        }
        let offset = sizes.count - shape.count
        var target = sizes
        for (index, size) in sizes.enumerated() {
            if index < offset {
                guard size >= 0 else {
                    throw Diagnostic("expand: the size \(size) is not allowed in a leading, non-existing dimension \(index)", at: argument)
                }
                continue
            }
            let current = shape[index - offset]
            if size == -1 { target[index] = current; continue }
            guard size >= 0 else { throw Diagnostic("expand: invalid size \(size) at dimension \(index)", at: argument) }
            guard current == size || current == 1 else {
                throw Diagnostic("expand: the expanded size of the tensor (\(size)) must match the existing size (\(current)) at non-singleton dimension \(index); target sizes \(formatShape(sizes)), tensor shape \(formatShape(shape))", at: argument)
            }
        }
        if target == shape && !(x.requiresGrad && gradEnabled) { return .tensor(x) }
        var attrs = Attributes()
        attrs.shape = target
        return .tensor(try record(.broadcastTo, [x], attrs, gradFunction: OpKind.broadcastTo.definition.gradFunction, at: location))
    }

    /// `x.repeat([2, 1])` (Builder.repeated).
    func repeatTiles(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let at = site.location("repeats")
        let repeats = try intList(site, "repeats", what: "a repeat count")
        let rank = builder.type(of: x.id).rank
        guard repeats.count >= rank else {
            throw Diagnostic("repeat: the number of repeats (\(repeats.count)) cannot be smaller than the number of dimensions of the tensor (\(rank))", at: at)
        }
        if let negative = repeats.first(where: { $0 < 0 }) {
            throw Diagnostic("repeat: repeat counts cannot be negative, got \(negative) in \(formatShape(repeats))", at: at)
        }
        return .tensor(try recordComposite("repeat()", [x], gradFunction: SurfaceFunction.repeatTiles.gradFunction, at: site.location) {
            try builder.repeated(x.id, repeats, at: site.location)
        })
    }

    /// `x.tril(diagonal: 0)` and `x.triu(diagonal: 0)` (Builder.triangle).
    func triangle(_ x: TensorValue, _ site: CallSite, upper: Bool) throws -> EvalValue {
        let rank = builder.type(of: x.id).rank
        guard rank >= 2 else {
            throw Diagnostic("\(site.name): the tensor must have at least 2 dimensions, got \(rank)", at: site.location)
        }
        let diagonal = try site.value("diagonal").map { try staticInt($0, what: "diagonal", at: site.location("diagonal")) } ?? 0
        let function: SurfaceFunction = upper ? .upperTriangle : .lowerTriangle
        return .tensor(try recordComposite("\(site.name)()", [x], gradFunction: function.gradFunction, at: site.location) {
            try builder.triangle(x.id, diagonal: diagonal, upper: upper, at: site.location)
        })
    }

    /// `x.flatten(startDim: 1, endDim: -1)`: dimensions startDim...endDim merged into one (a
    /// view); a 0-dim tensor becomes a vector of one; nothing to merge returns x itself.
    func flatten(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        var shape = builder.type(of: x.id).shape
        let start = try normalizeDim(try site.value("startDim").map { try staticInt($0, what: "startDim", at: site.location("startDim")) } ?? 0,
                                     rank: shape.count, at: site.location("startDim"))
        let end = try normalizeDim(try site.value("endDim").map { try staticInt($0, what: "endDim", at: site.location("endDim")) } ?? -1,
                                   rank: shape.count, at: site.location("endDim"))
        guard start <= end || shape.isEmpty else {
            throw Diagnostic("flatten() has invalid args: startDim (\(start)) cannot come after endDim (\(end))", at: site.location)
        }
        if shape.isEmpty { return .tensor(try reshaped(x, to: [1], gradFunction: OpKind.reshape.definition.gradFunction!, at: site.location)) }
        if start == end { return .tensor(x) }
        let merged = shape[start...end].reduce(1, *)
        shape.replaceSubrange(start...end, with: [merged])
        return .tensor(try reshaped(x, to: shape, gradFunction: OpKind.reshape.definition.gradFunction!, at: site.location))
    }

    /// `x.unflatten(dim: 1, sizes: [2, 3])`: dimension dim split into `sizes` (one may be -1).
    func unflatten(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        var shape = builder.type(of: x.id).shape
        let at = site.location("sizes")
        let dim = try normalizeDim(try staticInt(site.value("dim")!, what: "dim", at: site.location("dim")), rank: shape.count, at: site.location("dim"))
        guard !shape.isEmpty else { throw Diagnostic("unflatten: a 0-dim tensor has no dimension to split", at: site.location) }
        var sizes = try intList(site, "sizes", what: "a size")
        guard !sizes.isEmpty else { throw Diagnostic("unflatten: sizes must be non-empty", at: at) }
        let inferred = sizes.indices.filter { sizes[$0] == -1 }
        guard inferred.count <= 1 else { throw Diagnostic("unflatten: only one size can be inferred (-1) in \(formatShape(sizes))", at: at) }
        guard sizes.allSatisfy({ $0 >= -1 }) else { throw Diagnostic("unflatten: invalid negative size in \(formatShape(sizes))", at: at) }
        let known = sizes.filter { $0 != -1 }.reduce(1, *)
        if let index = inferred.first {
            guard known > 0, shape[dim] % known == 0 else {
                throw Diagnostic("unflatten: sizes \(formatShape(sizes)) do not split dimension \(dim) of size \(shape[dim])", at: at)
            }
            sizes[index] = shape[dim] / known
        }
        guard sizes.reduce(1, *) == shape[dim] else {
            throw Diagnostic("unflatten: sizes \(formatShape(sizes)) don't multiply up to the size of dimension \(dim) (\(shape[dim]))", at: at)
        }
        shape.replaceSubrange(dim...dim, with: sizes)
        return .tensor(try reshaped(x, to: shape, gradFunction: OpKind.reshape.definition.gradFunction!, at: site.location))
    }

    /// `x.flip(dims: [0, 1])`: the elements reversed along each of dims, one `cyclicShift`
    /// (step -1) per dimension.
    func flip(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let rank = builder.type(of: x.id).rank
        let at = site.location("dims")
        let given = try intList(site, "dims", what: "a dimension")
        let dims = try given.map { try normalizeDim($0, rank: rank, at: at) }
        guard Set(dims).count == dims.count else {
            throw Diagnostic("flip: dims \(formatShape(given)) name a dimension more than once", at: at)
        }
        guard !dims.isEmpty, rank > 0 else {   // still a new node, as PyTorch's flip(dims=[])
            return .tensor(try reshaped(x, to: builder.type(of: x.id).shape, gradFunction: OpKind.cyclicShift.definition.gradFunction!, at: site.location))
        }
        return .tensor(try recordComposite("flip()", [x], gradFunction: OpKind.cyclicShift.definition.gradFunction!, at: site.location) {
            try dims.reduce(x.id) { value, dim in
                try builder.cyclicShift(value, axis: dim, step: -1, start: builder.type(of: value).shape[dim] - 1, at: site.location)
            }
        })
    }

    /// `x.roll(1, dim: 0)`, `x.roll([1, 2], dims: [0, 1])`: elements shifted along each dim,
    /// those passing the end coming back at the start; without dims, over the flattened tensor.
    func roll(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let shape = builder.type(of: x.id).shape
        if site.value("dim") != nil && site.value("dims") != nil {
            throw Diagnostic("roll takes dim: or dims:, not both", at: site.location("dims"))
        }
        let shifts = try intList(site, "shifts", what: "a shift")
        let dimsName = site.value("dim") != nil ? "dim" : "dims"
        let given = site.value(dimsName) != nil
        let dims = try intList(site, dimsName, what: "a dimension").map { try normalizeDim($0, rank: shape.count, at: site.location(dimsName)) }
        guard !shifts.isEmpty else { throw Diagnostic("roll: shifts must be non-empty", at: site.location("shifts")) }
        if given {
            guard shifts.count == dims.count else {
                throw Diagnostic("roll: shifts and dims must align, got \(shifts.count) shifts and \(dims.count) dims", at: site.location(dimsName))
            }
        } else if shifts.count != 1 {
            throw Diagnostic("roll: without dims, one shift rolls the flattened tensor; got \(shifts.count) shifts", at: site.location("shifts"))
        }
        return .tensor(try recordComposite("roll()", [x], gradFunction: SurfaceFunction.roll.gradFunction, at: site.location) {
            guard given else {
                let flat = try builder.reshape(x.id, to: [shape.reduce(1, *)], at: site.location)
                let rolled = try builder.cyclicShift(flat, axis: 0, step: 1, start: -shifts[0], at: site.location)
                return try builder.reshape(rolled, to: shape, at: site.location)
            }
            return try zip(shifts, dims).reduce(x.id) { value, pair in
                try builder.cyclicShift(value, axis: pair.1, step: 1, start: -pair.0, at: site.location)
            }
        })
    }
}
