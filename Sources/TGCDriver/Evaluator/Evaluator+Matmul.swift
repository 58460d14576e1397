import TGCBase
import TGCCore

/// `matmul(a, b)` as torch.matmul: vectors, matrices and batches of matrices.
extension Evaluator {
    /// Vectors become a one-row (first operand) or one-column (second operand) matrix whose
    /// added dimension is removed from the result; with 3 or more dimensions on either side
    /// the batch dimensions broadcast (one `matmul` op over the batch). The result is named as
    /// PyTorch names it (`MvBackward0`, `SqueezeBackward4`, `UnsafeViewBackward0`, ...), or
    /// `gradFunction` when the caller is one of PyTorch's narrower routines (`bmm`).
    func matmul(_ aValue: EvalValue, _ bValue: EvalValue, gradFunction nameOverride: String? = nil,
                at location: SourceLocation) throws -> EvalValue {
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
        let name = nameOverride ?? matmulGradFunction(sa, sb, firstRequiresGrad: a.requiresGrad)
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
            return SurfaceFunction.clone.gradFunction
        }
    }
}

/// PyTorch's products that take operands of fixed ranks only (`torch.mm`, `torch.mv`, `torch.bmm`).
enum RankCheckedProduct: String, CaseIterable {
    case mm, mv, bmm

    /// The ranks of the two operands.
    var ranks: (Int, Int) {
        switch self {
        case .mm: (2, 2)
        case .mv: (2, 1)
        case .bmm: (3, 3)
        }
    }

    var summary: String {
        switch self {
        case .mm: "the product of two matrices"
        case .mv: "the product of a matrix and a vector"
        case .bmm: "the products of two equal-size batches of matrices"
        }
    }
}

extension Evaluator {
    /// `mm(a, b)`, `mv(a, v)`, `bmm(a, b)`: `matmul` after checking the ranks (and, for `bmm`,
    /// that the batch sizes are equal: bmm does not broadcast), with PyTorch's `grad_fn`.
    func rankCheckedProduct(_ product: RankCheckedProduct, _ aValue: EvalValue, _ bValue: EvalValue,
                            at location: SourceLocation) throws -> EvalValue {
        guard case .tensor(let a) = aValue, case .tensor(let b) = bValue else {
            throw Diagnostic("\(product) needs two tensors, got \(aValue.kindName) and \(bValue.kindName)", at: location)
        }
        let (sa, sb) = (builder.type(of: a.id).shape, builder.type(of: b.id).shape)
        guard (sa.count, sb.count) == product.ranks else {
            let expected = product.ranks.0 == product.ranks.1 ? "two \(product.ranks.0)-D tensors" : "a 2-D tensor and a vector"
            throw Diagnostic("\(product) needs \(expected), got shapes \(formatShape(sa)) and \(formatShape(sb))", at: location)
        }
        guard product != .bmm || sa[0] == sb[0] else {
            throw Diagnostic("bmm needs batches of the same size, got shapes \(formatShape(sa)) and \(formatShape(sb))", at: location)
        }
        return try matmul(aValue, bValue, gradFunction: product == .bmm ? SurfaceFunction.bmm.gradFunction : nil, at: location)
    }

    /// `outer(u, v)`: u as a column times v as a row (`MulBackward0`, as torch.outer).
    func outer(_ aValue: EvalValue, _ bValue: EvalValue, at location: SourceLocation) throws -> EvalValue {
        guard case .tensor(let a) = aValue, case .tensor(let b) = bValue else {
            throw Diagnostic("outer needs two tensors, got \(aValue.kindName) and \(bValue.kindName)", at: location)
        }
        let (sa, sb) = (builder.type(of: a.id).shape, builder.type(of: b.id).shape)
        guard sa.count == 1 && sb.count == 1 else {
            throw Diagnostic("outer needs two vectors, got shapes \(formatShape(sa)) and \(formatShape(sb))", at: location)
        }
        let column = try reshaped(a, to: [sa[0], 1], gradFunction: SurfaceFunction.unsqueeze.gradFunction, at: location)
        return .tensor(try tensorOp(.mul, [.tensor(column), .tensor(b)], at: location))
    }

    /// `a.trace()`: the sum of the diagonal of a matrix (`TraceBackward0`); the gradient is the
    /// incoming one on the diagonal and +0 elsewhere. Integer and bool matrices sum to int64, as
    /// torch.trace (which rejects bool).
    func trace(_ value: EvalValue, at location: SourceLocation) throws -> EvalValue {
        guard case .tensor(let x) = value else {
            throw Diagnostic("trace needs a tensor, got \(value.kindName)", at: location)
        }
        let type = builder.type(of: x.id)
        guard type.rank == 2 else {
            throw Diagnostic("trace needs a matrix, got shape \(formatShape(type.shape))", at: location)
        }
        guard type.dtype != .bool else { throw Diagnostic("trace of a bool matrix is not defined", at: location) }
        return .tensor(try recordComposite("trace()", [x], gradFunction: SurfaceFunction.trace.gradFunction, at: location) {
            let diagonal = try builder.eye(type.shape[0], type.shape[1], .bool, at: location)
            let kept = try builder.apply1(.select, [diagonal, x.id, try builder.scalar(0, type.dtype, at: location)], at: location)
            return try builder.reduceSum(kept, axes: [0, 1], keepDim: false, at: location)
        })
    }

    /// `x.diag()`: a matrix's main diagonal as a vector (its rows at column = row, read through
    /// one gather of the flattened matrix, `DiagonalBackward0_copy`), or for a vector the square
    /// matrix with it on the diagonal and zeros elsewhere (`DiagEmbedBackward0`), as torch.diag.
    func diag(_ value: EvalValue, at location: SourceLocation) throws -> EvalValue {
        guard case .tensor(let x) = value else {
            throw Diagnostic("diag needs a tensor, got \(value.kindName)", at: location)
        }
        let type = builder.type(of: x.id)
        switch type.rank {
        case 1:
            let n = type.shape[0]
            return .tensor(try recordComposite("diag()", [x], gradFunction: SurfaceFunction.diagonalMatrix.gradFunction, at: location) {
                let onDiagonal = try builder.eye(n, n, .bool, at: location)
                let rows = try builder.broadcast(x.id, to: [n, n], at: location)
                return try builder.apply1(.select, [onDiagonal, rows, try builder.scalar(0, type.dtype, at: location)], at: location)
            })
        case 2:
            let (rows, columns) = (type.shape[0], type.shape[1])
            let count = min(rows, columns)
            return .tensor(try recordComposite("diag()", [x], gradFunction: SurfaceFunction.diagonalOfMatrix.gradFunction, at: location) {
                let flat = try builder.reshape(x.id, to: [rows * columns], at: location)
                var attrs = Attributes()
                attrs.start = 0
                attrs.step = Double(columns + 1)
                attrs.shape = [count]
                attrs.dtype = .int64
                let positions = try builder.apply1(.arange, [], attrs, at: location)
                return try builder.indexSelect(flat, axis: 0, positions, at: location)
            })
        default:
            throw Diagnostic("diag needs a vector or a matrix, got shape \(formatShape(type.shape))", at: location)
        }
    }
}
