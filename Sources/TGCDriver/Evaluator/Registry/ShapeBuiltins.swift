import TGCBase
import TGCCore

/// Shapes: `reshape`/`view`, `flatten`, `unflatten`, `squeeze`, `unsqueeze`, `transpose`,
/// `permute`, `t`, `expand`, `expandAs`, `repeat`, `flip`, `roll`, `tril`, `triu`, `split`, `chunk`, `unbind`,
/// `contiguous` (methods, and
/// the ones in `functionForms` also functions of the tensor), and the shape queries `numel()`,
/// `size()`, `dim()`; the functions `cat` and `stack`. The properties `shape`, `ndim` and `T` are in TensorProperties.swift.
extension BuiltinFamily {
    static let shape: BuiltinFamily = {
        let methods = OpKind.reshape.definition.methodNames.map { name in
            MethodEntry(name, [.unlabeled("shape", variadic: true)], "the same elements in another shape (one dim may be -1)") { e, x, site in
                try e.reshapeMethod(x, site)
            }
        } + [
            MethodEntry("flatten", [.labeled("startDim"), .labeled("endDim")], "dimensions startDim...endDim merged into one (all: a vector)") { e, x, site in
                try e.flatten(x, site)
            },
            MethodEntry("unflatten", [.labeled("dim", optional: false), .labeled("sizes", optional: false)], "dimension dim split into sizes (one may be -1)") { e, x, site in
                try e.unflatten(x, site)
            },
            MethodEntry("permute", [.unlabeled("dims", variadic: true)], "the dimensions reordered: dimension i is dims[i]") { e, x, site in
                try e.permute(x, site)
            },
            MethodEntry("expand", [.unlabeled("sizes", variadic: true)], "size-1 dimensions broadcast to sizes (-1 keeps a size)") { e, x, site in
                try e.expand(x, site)
            },
            MethodEntry("expandAs", [.unlabeled("other")], "expanded to other's shape") { e, x, site in try e.expandAs(x, site) },
            MethodEntry("repeat", [.unlabeled("repeats", variadic: true)], "the tensor tiled repeats[d] times along each dimension") { e, x, site in
                try e.repeatTiles(x, site)
            },
            MethodEntry("tril", [.labeled("diagonal")], "the lower triangle of the last two dimensions, zeros above") { e, x, site in
                try e.triangle(x, site, upper: false)
            },
            MethodEntry("triu", [.labeled("diagonal")], "the upper triangle of the last two dimensions, zeros below") { e, x, site in
                try e.triangle(x, site, upper: true)
            },
            MethodEntry("flip", [.unlabeled("dims", variadic: true)], "the elements reversed along each of dims") { e, x, site in
                try e.flip(x, site)
            },
            MethodEntry("roll", [.unlabeled("shifts"), .labeled("dim"), .labeled("dims", variadic: true)],
                        "elements shifted cyclically along dims (none: the flattened tensor)") { e, x, site in try e.roll(x, site) },
            MethodEntry("split", [.unlabeled("size"), .labeled("dim")], "a tuple of pieces of size along dim (the last smaller), or of the given sizes") { e, x, site in
                try e.split(x, site)
            },
            MethodEntry("chunk", [.unlabeled("chunks"), .labeled("dim")], "a tuple of at most chunks pieces of size ceil(n / chunks) along dim") { e, x, site in
                try e.chunk(x, site)
            },
            MethodEntry("unbind", [.labeled("dim")], "a tuple of the slices at each index of dim, dim removed") { e, x, site in
                try e.unbind(x, site)
            },
            MethodEntry("contiguous", [], "the tensor itself (every tgc tensor is contiguous)") { _, x, _ in .tensor(x) },
            MethodEntry("unsqueeze", [.unlabeled("dim")], "a size-1 dimension inserted at dim") { e, x, site in try e.unsqueeze(x, site) },
            MethodEntry("squeeze", [.unlabeled("dim", optional: true)], "size-1 dimensions removed (all, or dim's)") { e, x, site in
                try e.squeeze(x, site)
            },
            MethodEntry(methodName(.transpose), [.unlabeled("dim0"), .unlabeled("dim1")], "dim0 and dim1 swapped") { e, x, site in
                try e.transposeMethod(x, site)
            },
            MethodEntry("t", [], "a matrix transposed (vectors and scalars unchanged)") { e, x, site in try e.matrixTranspose(x, at: site.location) },
            MethodEntry("numel", [], "the number of elements") { e, x, _ in .int(e.builder.type(of: x.id).elementCount) },
            MethodEntry("size", [.unlabeled("dim", optional: true)], "the shape, a torch.Size; x.size(d): dimension d's size") { e, x, site in
                let shape = e.builder.type(of: x.id).shape
                guard let dim = site.value("dim") else { return .size(shape) }
                return .int(shape[try e.normalizeDim(try e.staticInt(dim, what: "dim", at: site.location("dim")), rank: shape.count, at: site.location("dim"))])
            },
            MethodEntry("dim", [], "the number of dimensions") { e, x, _ in .int(e.builder.type(of: x.id).rank) },
        ]
        let functionForms: Set = ["reshape", "flatten", "unflatten", "transpose", "permute", "squeeze", "unsqueeze", "tril", "triu", "flip", "roll",
                                   "split", "chunk", "unbind", "numel"]
        let joins = [
            FunctionEntry("cat", [.unlabeled("tensors"), .labeled("dim")], "the tensors joined along dim (other dimensions must match)") { e, site in
                try e.cat(site)
            },
            FunctionEntry("stack", [.unlabeled("tensors"), .labeled("dim")], "the tensors, of one shape, joined along a new dimension dim") { e, site in
                try e.stack(site)
            },
        ]
        return BuiltinFamily(name: "shape", functions: methods.filter { functionForms.contains($0.name) }.map(\.asFunction) + joins,
                             methods: methods)
    }()

    /// The method spelling of an op kind (`transpose`).
    static func methodName(_ kind: OpKind) -> String { kind.definition.methodNames[0] }
}
