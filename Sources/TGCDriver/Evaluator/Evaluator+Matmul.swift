import TGCBase
import TGCCore

/// `matmul(a, b)` as torch.matmul: vectors, matrices and batches of matrices.
extension Evaluator {
    /// Vectors become a one-row (first operand) or one-column (second operand) matrix whose
    /// added dimension is removed from the result; with 3 or more dimensions on either side
    /// the batch dimensions broadcast (one `matmul` op over the batch). The result is named as
    /// PyTorch names it (`MvBackward0`, `SqueezeBackward4`, `UnsafeViewBackward0`, ...).
    func matmul(_ aValue: EvalValue, _ bValue: EvalValue, at location: SourceLocation) throws -> EvalValue {
        guard case .tensor(let a) = aValue, case .tensor(let b) = bValue else {
            throw Diagnostic("matmul needs two tensors, got \(aValue.kindName) and \(bValue.kindName)", at: location)
        }
        let (sa, sb) = (builder.type(of: a.id).shape, builder.type(of: b.id).shape)
        if sa.count == 1 && sb.count == 1 { return try dot(aValue, bValue, at: location) }
        let shape: [Int]
        do {
            shape = try ShapeRules.matmul(sa, sb)
        } catch let error as OpTypeError {
            throw Diagnostic(error.message, at: location)
        }
        let view = OpKind.reshape.definition.gradFunction!
        let left = sa.count == 1 ? try reshaped(a, to: [1, sa[0]], gradFunction: view, at: location) : a
        let right = sb.count == 1 ? try reshaped(b, to: [sb[0], 1], gradFunction: view, at: location) : b
        let name = matmulGradFunction(sa, sb, firstRequiresGrad: a.requiresGrad)
        let product = try record(.matmul, [left, right], gradFunction: name, at: location)
        if sa.count > 1 && sb.count > 1 { return .tensor(product) }
        return .tensor(try reshaped(product, to: shape, gradFunction: name, at: location))
    }

    /// The backward node PyTorch 2.13 gives torch.matmul's result, which depends on the path
    /// its implementation takes (`mm`, `mv`, `bmm`, or `mm` on a folded batch): operands of at
    /// most 2 dimensions by rank; a matrix (or a one-matrix 3-D batch before a 3-D batch of
    /// more) that requires grad, times a batch, through a transposed product; otherwise a view.
    private func matmulGradFunction(_ sa: [Int], _ sb: [Int], firstRequiresGrad: Bool) -> String {
        switch (sa.count, sb.count) {
        case (2, 2): return OpKind.matmul.definition.gradFunction!
        case (2, 1): return SurfaceFunction.matrixVector.gradFunction
        case (1, 2): return SurfaceFunction.vectorMatrix.gradFunction
        default:
            let matrixTimesBatch = (sa.count == 2 && sb.count >= 3) || (sa.count == 3 && sb.count == 3 && sa[0] == 1 && sb[0] != 1)
            guard matrixTimesBatch && firstRequiresGrad else { return SurfaceFunction.batchedMatmul.gradFunction }
            // The transposed product is already contiguous with one row or one column (or none).
            let (rows, columns, batch) = (sa[sa.count - 2], sb[sb.count - 1], sb.dropLast(2).reduce(1, *))
            if rows <= 1 || columns <= 1 || batch == 0 {
                return OpKind.transpose.definition.gradFunction!
            }
            return SurfaceFunction.batchedMatmulTransposed.gradFunction
        }
    }
}
