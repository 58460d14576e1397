import TGCBase
import TGCCore
import TGCSyntax

/// A property of tensors (`x.shape`, `w.grad`): read without parentheses. Every property is
/// declared here, once; "is this a property" (`BuiltinRegistry.isProperty`) and its value
/// both come from this list.
struct TensorProperty: Sendable {
    /// Where the property is read: the tensor, the expression it came from (for messages such
    /// as "w.grad is nil") and the location of the access.
    struct Access {
        var tensor: TensorValue
        var baseExpr: Expr
        var location: SourceLocation
    }

    let name: String
    let summary: String
    let get: @Sendable (Evaluator, Access) throws -> EvalValue

    init(_ name: String, _ summary: String, _ get: @escaping @Sendable (Evaluator, Access) throws -> EvalValue) {
        self.name = name
        self.summary = summary
        self.get = get
    }

    static let all: [TensorProperty] = [
        TensorProperty("shape", "the shape, a torch.Size") { e, access in .size(e.builder.type(of: access.tensor.id).shape) },
        TensorProperty("dtype", "the element type") { e, access in .dtype(e.builder.type(of: access.tensor.id).dtype) },
        TensorProperty("ndim", "the number of dimensions") { e, access in .int(e.builder.type(of: access.tensor.id).rank) },
        TensorProperty("count", "the size of the first dimension (Python's len(x))") { e, access in
            guard let first = e.builder.type(of: access.tensor.id).shape.first else {
                throw Diagnostic("len() of a 0-d tensor: a 0-dim tensor has no count", at: access.location)
            }
            return .int(first)
        },
        TensorProperty("device", "always the CPU") { _, _ in .device("cpu") },
        TensorProperty("isCuda", "whether it is on a GPU: always false") { _, _ in .bool(false) },
        TensorProperty("requiresGrad", "whether autograd records ops on it") { e, access in
            try e.requiresGrad(access.tensor, at: access.location)
        },
        TensorProperty("isLeaf", "whether it was created rather than computed from tensors that require grad") { e, access in
            try e.isLeaf(access.tensor, at: access.location)
        },
        TensorProperty("grad", "a leaf's accumulated gradient") { e, access in try e.leafGradient(access) },
        TensorProperty("data", "the value without autograd history; its in-place methods update the tensor unrecorded") { e, access in
            try e.dataView(of: access.tensor, at: access.location)
        },
        TensorProperty("gradFn", "the backward node that made it (PyTorch's grad_fn), None for leaves") { e, access in
            e.gradFunction(of: access.tensor)
        },
        TensorProperty("retainsGrad", "whether retainGrad() keeps its .grad") { _, access in
            .bool(access.tensor.retainKey != nil && access.tensor.leafKey == nil)
        },
        TensorProperty("T", "every dimension reversed (a permute)") { e, access in try e.reversedDims(access) },
    ]
}

extension Evaluator {
    /// `x.T`: the tensor itself below rank 2 unless autograd records it, as in PyTorch.
    func reversedDims(_ access: TensorProperty.Access) throws -> EvalValue {
        let (tensor, rank) = (access.tensor, builder.type(of: access.tensor.id).rank)
        guard rank >= 2 || (tensor.requiresGrad && gradEnabled) else { return .tensor(tensor) }
        return .tensor(try record(.transpose, [tensor], attributesWith(permutation: Array((0..<rank).reversed())),
                                  gradFunction: SurfaceFunction.permute.gradFunction, at: access.location))
    }

    /// `w.grad`: the gradient accumulated in a leaf that requires grad, or in a value that called
    /// `retainGrad()`; PyTorch's `None` for any other tensor, before the first `backward()` and
    /// after `zeroGrad()` (`noneGradients`). Inside a loop body a `.grad` that was None before
    /// the loop must not be read before the body's backward(): one trace serves every
    /// iteration, and later iterations would see the gradient an earlier one accumulated.
    func leafGradient(_ access: TensorProperty.Access) throws -> EvalValue {
        let (tensor, location) = (access.tensor, access.location)
        let owner = Self.describe(access.baseExpr)
        guard let key = tensor.leafKey ?? tensor.retainKey, tensor.requiresGrad else { return .none }
        let noneSince = noneGradients[key]
        guard let grad = gradSlots[key], noneSince == nil else {
            if tensor.retainKey != nil || (noneSince ?? 0) == loopBodyDepth { return .none }
            throw Diagnostic("\(owner).grad would be None in this loop's first iteration and a tensor in later ones, which one compiled loop body cannot be: call backward() on a value computed from \(owner) before the loop, or read \(owner).grad after backward() in the body", at: location)
        }
        if let history = gradHistory[key], history.id == grad { return .tensor(history) }
        return .tensor(TensorValue(id: grad))
    }
}
