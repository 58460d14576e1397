/// The language's functions that are not one op kind, with PyTorch's name for their backward
/// node (printed as `grad_fn=<...>`): composites built from several ops (`mean`, `std`, `dot`,
/// see Builder+Composites.swift) and surface variants of an op kind that PyTorch names after
/// the function called rather than the op it runs (`x.t()` is a transpose, shown as
/// `TBackward0`). A variant whose name is its op kind's own (`x.flatten()` is a reshape,
/// `ViewBackward0`) is not listed: it takes `OpDef.gradFunction`.
public enum SurfaceFunction: CaseIterable, Sendable {
    /// `x.sum(dim: d)`; `x.sum()` is `reduceSum`'s own `SumBackward0`.
    case sumDims
    /// `x.mean()`.
    case meanAll
    /// `x.mean(dim: d)`.
    case meanDims
    /// `x.std()` and `x.std(dim: d)`.
    case std
    /// `x.var()` and `x.var(dim: d)`.
    case variance
    /// `x.amax()` and `x.amax(dim: d)`: the gradient shared evenly between ties.
    case amax
    /// `x.amin()` and `x.amin(dim: d)`.
    case amin
    /// `softmax(x, dim: d)`.
    case softmax
    /// `logSoftmax(x, dim: d)`.
    case logSoftmax
    /// `x.logsumexp(dim: d)`.
    case logsumexp
    /// `x.max(dim: d).values`; `x.max()` is `reduceMax`'s own `MaxBackward1`.
    case maxDim
    /// `x.min(dim: d).values`; `x.min()` is `reduceMin`'s own `MinBackward1`.
    case minDim
    /// `dot(a, b)`, and `matmul` of two vectors.
    case dot
    /// `matmul(matrix, vector)`.
    case matrixVector
    /// `matmul(vector, matrix)`: PyTorch multiplies a one-row matrix and squeezes the row.
    case vectorMatrix
    /// `matmul` with an operand of 3 or more dimensions: PyTorch runs `bmm` (or `mm`/`mv` on
    /// the batch folded into the rows) and returns an `_unsafe_view` of it in the result's shape.
    case batchedMatmul
    /// `x.clone()`, and `matmul(matrix, batch)` (or a one-matrix 3-D batch times a 3-D batch)
    /// when the first operand requires grad: PyTorch multiplies the transposes with one `mm` and
    /// copies (clones) the transposed product into a contiguous tensor; when one row or one
    /// column makes that transpose contiguous already, the result is the transpose itself
    /// (`TransposeBackward0`).
    case clone
    /// `bmm(a, b)`.
    case bmm
    /// `a.trace()`.
    case trace
    /// `x.diag()` of a matrix: its diagonal (PyTorch copies the `diagonal()` view).
    case diagonalOfMatrix
    /// `x.diag()` of a vector: the square matrix with it on the diagonal.
    case diagonalMatrix
    /// `x.round(decimals: d)`, 0 included.
    case roundDecimals
    /// `x.unsqueeze(d)`.
    case unsqueeze
    /// `x.squeeze()`.
    case squeezeAll
    /// `x.squeeze(d)`.
    case squeezeDim
    /// `x.t()`.
    case matrixTranspose
    /// `x.permute(dims)`, a transpose by any permutation, and `x.T` (every dimension reversed).
    case permute
    /// `x[0]`: an integer index last in the subscript (a slice then a reshape).
    case select
    /// `x[...]`: a subscript that selects nothing, a view of the whole tensor.
    case alias
    /// `x[mask] = v`: an assignment through a boolean mask (a select, PyTorch's index_put_).
    case indexPut
    /// `number - tensor`.
    case reverseSub
    /// `a ** b` and `a.pow(b)` with a tensor exponent.
    case powTensorExponent
    /// `number ** tensor`.
    case powNumberBase
    /// `x.repeat(repeats)` (Builder.repeated).
    case repeatTiles
    /// `x.roll(shifts, dims:)`: cyclic shifts (one `cyclicShift` per dimension), whose own name
    /// `FlipBackward0` is `x.flip(dims:)`'s.
    case roll
    /// `x.tril(diagonal:)` (Builder.triangle).
    case lowerTriangle
    /// `x.triu(diagonal:)` (Builder.triangle).
    case upperTriangle
    /// `cat(tensors, dim:)` (Builder.concatenate).
    case cat
    /// `stack(tensors, dim:)`: each operand unsqueezed, then concatenated.
    case stack
    /// The pieces of `x.split(size, dim:)` and `x.chunk(count, dim:)` (slices).
    case split
    /// The pieces of `x.split([sizes], dim:)`.
    case splitWithSizes
    /// The pieces of `x.unbind(dim:)` (slices with the dimension removed).
    case unbind
    // Chapter 2 math
    /// `x.prod(dim: d)`; `x.prod()` is `reduceProd`'s own `ProdBackward0`.
    case prodDim
    /// `x.norm()`, `x.norm(p:, dim:)` (Builder.vectorNorm): torch.norm runs linalg.vector_norm.
    case norm
    /// `x.indexSelect(dim:, index:)` (a gather, Builder.indexSelect); `x[idx]` is `IndexBackward0`.
    case indexSelect
    /// `x.scatter(dim:, index:, value:)`: a number scattered.
    case scatterValue
    /// `x.sort(dim:)`'s values (a gather through argsort).
    case sort
    /// `x.topk(k, dim:)`'s values.
    case topk
    /// `x.maskedFill(mask, number)` (a select, Builder.maskedFill).
    case maskedFill
    /// `x.maskedFill(mask, tensor)` with a 0-dim tensor value.
    case maskedFillTensor
    // Losses (Builder+Losses.swift); l1Loss and the other cases PyTorch names after their last
    // op take that op's name.
    /// `mseLoss(input, target)`.
    case mseLoss
    /// `smoothL1Loss(input, target, beta:)` with beta > 0.
    case smoothL1Loss
    /// `huberLoss(input, target, delta:)`.
    case huberLoss
    /// `nllLoss` and `crossEntropy` of class labels, without label smoothing, inputs of rank 1 or 2.
    case nllLoss
    /// The same with inputs of rank 3 or more (PyTorch's nll_loss2d).
    case nllLoss2d
    /// `crossEntropy` of class probabilities with `reduction: .mean` (a division by a number).
    case crossEntropyProbabilitiesMean
    /// `binaryCrossEntropy(input, target)`.
    case binaryCrossEntropy
    /// `binaryCrossEntropyWithLogits(input, target)`.
    case binaryCrossEntropyWithLogits
    // Convolution and pooling (Builder+Convolution.swift, Builder+Layers.swift)
    /// `avgPool2d` and `AvgPool2d`.
    case avgPool2d
    /// `adaptiveAvgPool2d` and `AdaptiveAvgPool2d` to an output other than (1, 1) (which is a mean).
    case adaptiveAvgPool2d

    /// PyTorch's name for the backward node of this function's result.
    public var gradFunction: String {
        switch self {
        case .sumDims: "SumBackward1"
        case .meanAll: "MeanBackward0"
        case .meanDims: "MeanBackward1"
        case .std: "StdBackward0"
        case .variance: "VarBackward0"
        case .amax: "AmaxBackward0"
        case .amin: "AminBackward0"
        case .softmax: "SoftmaxBackward0"
        case .logSoftmax: "LogSoftmaxBackward0"
        case .logsumexp: "LogsumexpBackward0"
        case .maxDim: "MaxBackward0"
        case .minDim: "MinBackward0"
        case .dot: "DotBackward0"
        case .matrixVector: "MvBackward0"
        case .vectorMatrix: "SqueezeBackward4"
        case .batchedMatmul: "UnsafeViewBackward0"
        case .clone: "CloneBackward0"
        case .bmm: "BmmBackward0"
        case .trace: "TraceBackward0"
        case .diagonalOfMatrix: "DiagonalBackward0_copy"
        case .diagonalMatrix: "DiagEmbedBackward0"
        case .roundDecimals: "RoundBackward1"
        case .unsqueeze: "UnsqueezeBackward0"
        case .squeezeAll: "SqueezeBackward0"
        case .squeezeDim: "SqueezeBackward1"
        case .matrixTranspose: "TBackward0"
        case .select: "SelectBackward0"
        case .alias: "AliasBackward0"
        case .indexPut: "IndexPutBackward0"
        case .reverseSub: "RsubBackward1"
        case .powTensorExponent: "PowBackward1"
        case .powNumberBase: "PowBackward2"
        case .permute: "PermuteBackward0"
        case .repeatTiles: "RepeatBackward0"
        case .roll: "RollBackward0"
        case .lowerTriangle: "TrilBackward0"
        case .upperTriangle: "TriuBackward0"
        case .cat: "CatBackward0"
        case .stack: "StackBackward0"
        case .split: "SplitBackward0"
        case .splitWithSizes: "SplitWithSizesBackward0"
        case .unbind: "UnbindBackward0"
        // Chapter 2 math
        case .prodDim: "ProdBackward1"
        case .norm: "LinalgVectorNormBackward0"
        case .indexSelect: "IndexSelectBackward0"
        case .scatterValue: "ScatterBackward1"
        case .sort: "SortBackward0"
        case .topk: "TopkBackward0"
        case .maskedFill: "MaskedFillBackward0"
        case .maskedFillTensor: "MaskedFillBackward1"
        // Losses
        case .mseLoss: "MseLossBackward0"
        case .smoothL1Loss: "SmoothL1LossBackward0"
        case .huberLoss: "HuberLossBackward0"
        case .nllLoss: "NllLossBackward0"
        case .nllLoss2d: "NllLoss2DBackward0"
        case .crossEntropyProbabilitiesMean: "DivBackward1"
        case .binaryCrossEntropy: "BinaryCrossEntropyBackward0"
        case .binaryCrossEntropyWithLogits: "BinaryCrossEntropyWithLogitsBackward0"
        // Convolution and pooling
        case .avgPool2d: "AvgPool2DBackward0"
        case .adaptiveAvgPool2d: "AdaptiveAvgPool2DBackward0"
        }
    }
}

extension OpDef {
    /// The names of its method-only spellings (`x.argmax()`; `reshape` and `view`).
    public var methodNames: [String] {
        spellings.compactMap { spelling in
            if case .method(let name) = spelling { return name }
            return nil
        }
    }
}
