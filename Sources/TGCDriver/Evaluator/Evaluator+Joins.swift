import TGCBase
import TGCCore

/// Joining and splitting: `cat`, `stack` (Builder.concatenate), and `split`, `chunk`, `unbind`,
/// whose pieces are slices returned as a tuple (`let (a, b) = x.chunk(2, dim: 0)`).
extension Evaluator {
    /// `cat([a, b], dim: 0)`: the tensors laid end to end along dim, promoted to one dtype as
    /// torch.cat does; every other dimension must match.
    func cat(_ site: CallSite) throws -> EvalValue {
        let tensors = try tensorList(site, "cat")
        let shapes = tensors.map { builder.type(of: $0.id).shape }
        let at = site.location("tensors")
        if let index = shapes.firstIndex(where: \.isEmpty) {
            throw Diagnostic("cat: zero-dimensional tensor (at position \(index)) cannot be concatenated", at: at)
        }
        let dim = try normalizeDim(try staticInt(site.value("dim") ?? .int(0), what: "dim", at: site.location("dim")),
                                   rank: shapes[0].count, at: site.location("dim"))
        for (index, shape) in shapes.enumerated().dropFirst() {
            guard shape.count == shapes[0].count else {
                throw Diagnostic("cat: tensors must have the same number of dimensions: got \(shapes[0].count) (shape \(formatShape(shapes[0]))) and \(shape.count) (shape \(formatShape(shape))) for tensor number \(index) in the list", at: at)
            }
            for axis in shape.indices where axis != dim && shape[axis] != shapes[0][axis] {
                throw Diagnostic("cat: sizes of tensors must match except in dimension \(dim); expected size \(shapes[0][axis]) but got size \(shape[axis]) for tensor number \(index) in the list (shapes \(shapes.map(formatShape).joined(separator: ", ")))", at: at)
            }
        }
        return .tensor(try joined(tensors, dim: dim, function: .cat, at: site.location))
    }

    /// `stack([a, b], dim: 0)`: the tensors, all of one shape, joined along a new dimension dim.
    func stack(_ site: CallSite) throws -> EvalValue {
        let tensors = try tensorList(site, "stack")
        let shapes = tensors.map { builder.type(of: $0.id).shape }
        let at = site.location("tensors")
        for (index, shape) in shapes.enumerated() where shape != shapes[0] {
            throw Diagnostic("stack expects each tensor to be equal size, but got \(formatShape(shapes[0])) at entry 0 and \(formatShape(shape)) at entry \(index)", at: at)
        }
        let dim = try normalizeDim(try staticInt(site.value("dim") ?? .int(0), what: "dim", at: site.location("dim")),
                                   rank: shapes[0].count + 1, at: site.location("dim"))
        return .tensor(try joined(tensors, dim: dim, unsqueezing: true, function: .stack, at: site.location))
    }

    /// The tensors promoted to their common dtype (and each given a size-1 dimension at `dim`
    /// when `unsqueezing`), concatenated along `dim`: one composite named after `function`.
    private func joined(_ tensors: [TensorValue], dim: Int, unsqueezing: Bool = false, function: SurfaceFunction,
                        at location: SourceLocation) throws -> TensorValue {
        let dtype = tensors.map { builder.type(of: $0.id).dtype }.max()!
        let name = function == .cat ? "cat()" : "stack()"
        return try recordComposite(name, tensors, gradFunction: function.gradFunction, at: location) {
            let operands = try tensors.map { tensor in
                var id = tensor.id
                if builder.type(of: id).dtype != dtype { id = try builder.cast(id, to: dtype, at: location) }
                if unsqueezing {
                    var shape = builder.type(of: id).shape
                    shape.insert(1, at: dim)
                    id = try builder.reshape(id, to: shape, at: location)
                }
                return id
            }
            return try builder.concatenate(operands, axis: dim, at: location)
        }
    }

    /// The non-empty array of tensors that `cat` and `stack` take first.
    private func tensorList(_ site: CallSite, _ name: String) throws -> [TensorValue] {
        let at = site.location("tensors")
        guard let items = site.value("tensors")?.arrayItems else {
            throw Diagnostic("\(name) expects an array of tensors ([a, b])", at: at)
        }
        guard !items.isEmpty else { throw Diagnostic("\(name) expects a non-empty array of tensors", at: at) }
        return try items.map { item in
            guard case .tensor(let tensor) = item else {
                throw Diagnostic("\(name) expects an array of tensors, but an element is a \(item.kindName)", at: at)
            }
            return tensor
        }
    }

    /// `x.split(2, dim: 0)`: pieces of size 2 along dim (the last may be smaller);
    /// `x.split([1, 3], dim: 0)`: pieces of the given sizes, which must add up to the dimension.
    func split(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let shape = builder.type(of: x.id).shape
        let dim = try pieceDim(x, site)
        let at = site.location("size")
        let sizes: [Int]
        var name = SurfaceFunction.split
        if site.value("size")?.arrayItems != nil {
            name = .splitWithSizes
            sizes = try intList(site, "size", what: "a split size")
            guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[dim] else {
                throw Diagnostic("split: split sizes \(formatShape(sizes)) must be non-negative and sum exactly to the size of dimension \(dim) (\(shape[dim]))", at: at)
            }
        } else {
            let size = try staticInt(site.value("size")!, what: "the split size", at: at)
            guard size > 0 || (size == 0 && shape[dim] == 0) else {
                throw Diagnostic("split: the split size must be positive, got \(size)", at: at)
            }
            sizes = evenPieces(shape[dim], size: size)
        }
        return try pieces(x, sizes: sizes, dim: dim, named: name, at: site.location)
    }

    /// `x.chunk(3, dim: 1)`: PyTorch's chunks of size ceil(n / 3) (possibly fewer than 3).
    func chunk(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        let shape = builder.type(of: x.id).shape
        let dim = try pieceDim(x, site)
        let chunks = try staticInt(site.value("chunks")!, what: "the number of chunks", at: site.location("chunks"))
        guard chunks > 0 else {
            throw Diagnostic("chunk expects `chunks` to be greater than 0, got: \(chunks)", at: site.location("chunks"))
        }
        let size = (shape[dim] + chunks - 1) / chunks
        return try pieces(x, sizes: size == 0 ? Array(repeating: 0, count: chunks) : evenPieces(shape[dim], size: size), dim: dim,
                          named: .split, at: site.location)
    }

    /// `x.unbind(dim: 0)`: every index of dim, the dimension removed.
    func unbind(_ x: TensorValue, _ site: CallSite) throws -> EvalValue {
        var shape = builder.type(of: x.id).shape
        let dim = try pieceDim(x, site)
        let count = shape.remove(at: dim)
        return .tuple(try (0..<count).map { index in
            let region = try slice(x, start: index, size: 1, dim: dim, gradFunction: OpKind.slice.definition.gradFunction, at: site.location)
            return .tensor(try reshaped(region, to: shape, gradFunction: SurfaceFunction.unbind.gradFunction, at: site.location))
        })
    }

    /// The dimension a split, chunk or unbind cuts (a 0-dim tensor has none).
    private func pieceDim(_ x: TensorValue, _ site: CallSite) throws -> Int {
        let rank = builder.type(of: x.id).rank
        guard rank > 0 else { throw Diagnostic("\(site.name) expects at least a 1-dimensional tensor", at: site.location) }
        return try normalizeDim(try staticInt(site.value("dim") ?? .int(0), what: "dim", at: site.location("dim")), rank: rank, at: site.location("dim"))
    }

    /// `extent` cut in pieces of `size`, the last smaller; one empty piece when extent is 0.
    private func evenPieces(_ extent: Int, size: Int) -> [Int] {
        guard extent > 0 else { return [0] }
        return stride(from: 0, to: extent, by: size).map { min(size, extent - $0) }
    }

    /// The consecutive slices of `sizes` along dim, as a tuple; `name` gives their backward node.
    private func pieces(_ x: TensorValue, sizes: [Int], dim: Int, named name: SurfaceFunction, at location: SourceLocation) throws -> EvalValue {
        var start = 0
        return .tuple(try sizes.map { size in
            defer { start += size }
            return .tensor(try slice(x, start: start, size: size, dim: dim, gradFunction: name.gradFunction, at: location))
        })
    }

    private func slice(_ x: TensorValue, start: Int, size: Int, dim: Int, gradFunction: String?, at location: SourceLocation) throws -> TensorValue {
        let shape = builder.type(of: x.id).shape
        var attrs = Attributes()
        attrs.slice = shape.indices.map { $0 == dim ? SliceDim(start: start, step: 1, size: size) : SliceDim.all(shape[$0]) }
        return try record(.slice, [x], attrs, gradFunction: gradFunction, at: location)
    }
}
