import TGCBase
import TGCCore

/// Shapes: `reshape`/`view`, `flatten`, `squeeze`, `unsqueeze`, `transpose`, `t` (methods, and
/// all but `view` and `t` also functions of the tensor), and the shape queries `numel()`,
/// `size()`, `dim()`. The properties `shape`, `ndim` and `T` are in TensorProperties.swift.
extension BuiltinFamily {
    static let shape: BuiltinFamily = {
        let methods = OpKind.reshape.definition.methodNames.map { name in
            MethodEntry(name, [.unlabeled("shape", variadic: true)], "the same elements in another shape (one dim may be -1)") { e, x, site in
                try e.reshapeMethod(x, site)
            }
        } + [
            MethodEntry("flatten", [], "the elements as a vector") { e, x, site in try e.flatten(x, at: site.location) },
            MethodEntry("unsqueeze", [.unlabeled("dim")], "a size-1 dimension inserted at dim") { e, x, site in try e.unsqueeze(x, site) },
            MethodEntry("squeeze", [.unlabeled("dim", optional: true)], "size-1 dimensions removed (all, or dim's)") { e, x, site in
                try e.squeeze(x, site)
            },
            MethodEntry(methodName(.transpose), [.unlabeled("dim0"), .unlabeled("dim1")], "dim0 and dim1 swapped") { e, x, site in
                try e.transposeMethod(x, site)
            },
            MethodEntry("t", [], "a matrix transposed (vectors and scalars unchanged)") { e, x, site in try e.matrixTranspose(x, at: site.location) },
            MethodEntry("numel", [], "the number of elements") { e, x, _ in .int(e.builder.type(of: x.id).elementCount) },
            MethodEntry("size", [], "the shape, a torch.Size") { e, x, _ in .size(e.builder.type(of: x.id).shape) },
            MethodEntry("dim", [], "the number of dimensions") { e, x, _ in .int(e.builder.type(of: x.id).rank) },
        ]
        let functionForms: Set = ["reshape", "flatten", "transpose", "squeeze", "unsqueeze"]
        return BuiltinFamily(name: "shape", functions: methods.filter { functionForms.contains($0.name) }.map(\.asFunction),
                             methods: methods)
    }()

    /// The method spelling of an op kind (`transpose`).
    static func methodName(_ kind: OpKind) -> String { kind.definition.methodNames[0] }
}
