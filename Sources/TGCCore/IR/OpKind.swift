/// Every operation the IR knows. Each kind has one `OpDef` (Ops/OpTable.swift), one
/// interpreter kernel, one C lowering and at most one VJP rule.
public enum OpKind: Hashable, Sendable, CaseIterable {
    // Sources of values.
    case constant        // attrs.data (row-major) or attrs.value (splat)
    case arange          // attrs.start, attrs.step; length from the result type
    case randUniform     // draws from the run's Philox stream
    case randNormal
    case input           // attrs.name: bound at run time (`--in name=file.npy`)
    case hyper           // attrs.name, attrs.value (its value as compiled): a float64 scalar set by `--name X` at run time
    case load            // attrs.path: a .npy or IDX file read at run time, or tensor attrs.name of a safetensors file (attrs.names on a checkpoint's first: every key it may hold)

    // Elementwise, one operand.
    case neg, exp, log, sin, cos, tanh, sqrt, abs, relu, sigmoid, sign, logicalNot
    case cast            // attrs.dtype
    case stopGradient    // identity that blocks differentiation (`detach()`)
    // Chapter 2 math
    case floor, ceil, round, trunc, frac   // round: half to even, as torch.round
    case log1p, expm1, log2, log10, exp2
    case rsqrt, reciprocal, square
    case tan, asin, acos, atan, sinh, cosh, erf
    case softplus, silu, gelu            // softplus: beta 1, threshold 20; gelu: the exact erf form
    case elu             // attrs.alpha
    case leakyRelu       // attrs.alpha: the negative slope
    case clamp           // attrs.low, attrs.high: the bounds, either may be absent

    // Elementwise, two operands, with broadcasting.
    case add, sub, mul, div, pow, maximum, minimum, mod
    case equal, notEqual, less, lessEqual, greater, greaterEqual, logicalAnd, logicalOr
    // Chapter 2 math
    case atan2

    // Elementwise, three operands: condition ? a : b.
    case select
    // a · b + c rounded once (a fused multiply-add): batch norm's x·α + β and β = bias − mean·α,
    // as PyTorch's CPU kernel computes them.
    case fusedMultiplyAdd

    // Data movement.
    case reshape         // attrs.shape
    case transpose       // attrs.permutation
    case broadcastTo     // attrs.shape
    // Shape
    case cyclicShift     // along attrs.axes[0]: out[i] = in[(attrs.step * i + attrs.start) mod n]; flip and roll

    // Indexing.
    case slice           // attrs.slice: per dimension start, step, size (an affine index map)
    case sliceUpdate     // operands: base, value; base with the attrs.slice region replaced by value
    case indexSelect     // operands: x, index (int64 in 0..<x.shape[0], else a run-time error); x's rows at index
    case indexAdd        // operands: base, index, value; base with value's rows added at the index's rows, in order

    // Selecting along attrs.axes[0] (int64 indices in range, else a run-time error).
    case gather          // operands: x, index; result[p] = x[p with coordinate dim replaced by index[p]]
    case scatter         // operands: base, index, src; base with src[p] stored at index[p] along dim, later wins
    case scatterAdd      // operands: base, index, src; base with src[p] added at index[p] along dim, in index order
    case argsort         // the indices that sort x along dim (stable; NaN largest; attrs.descending)

    // Reductions over attrs.axes (keepDim in attrs.keepDim).
    case reduceSum, reduceMax, reduceMin
    // The float sum a program spells (x.sum(), x.mean(), a loss's mean) in PyTorch's CPU order:
    // runtime/src/cascade_sum.c, shared by both modes. reduceSum's double sums are the internal ones.
    case cascadeSum
    // nll_loss's sum of its per-sample values (operand 0, sample order), skipping those where
    // operand 1 (bool) is true, in PyTorch's nll_loss order: runtime/src/cascade_sum.c.
    case nllSum
    case argMax, argMin  // attrs.axes has one axis, or none for the flattened tensor
    // Chapter 2 math
    case reduceProd      // the product over attrs.axes (one axis or all), accumulated in double
    case cumsum          // running sums along attrs.axes[0], accumulated in double as PyTorch's CPU kernel

    // Linear algebra.
    case matmul          // [m, k] x [k, n] -> [m, n]

    // Convolution (attrs.window: kernel, stride, padding, dilation per axis, then groups).
    case conv2d          // operands: x [N, C, H, W], weight [O, C/groups, kh, kw]; [N, O, Ho, Wo]
    case conv2dInputGrad // operands: gy [N, O, Ho, Wo], weight; conv2d's gradient for x (attrs.shape: x's shape)
    case conv2dWeightGrad // operands: x, gy; conv2d's gradient for weight [O, C/groups, kh, kw]
    case maxPool2dIndices // x [N, C, H, W] -> int64 [N, C, Ho, Wo]: each window's argmax, iy·W + ix (max_pool2d's indices)
    case maxPool2d       // x [N, C, H, W] -> [N, C, Ho, Wo]: each window's maximum, x at maxPool2dIndices' argmax

    // Data-parallel training over MPI (docs/DISTRIBUTED.md).
    case allReduce       // the mean over the processes of a float tensor (the identity in one process); placed by the gradient-all-reduce pass
    case processRank     // this process's rank, an int64 scalar (0 in one process); a DataLoader's shard under --distributed

    // Effects and control flow.
    case print           // attrs.printSegments
    case save            // attrs.path: one operand to a .npy file, or attrs.names to a safetensors file
    case manualSeed      // attrs.seed: restarts the Philox stream
    case progress        // attrs.name: call site, attrs.printSegments: label, attrs.upper: total; operands: label's, then done (int64)
    case addScalar       // attrs.path: log folder, attrs.name: tag; operands: float32 value, int64 step (0-dim)
    case gradient        // operands: [loss, seed?, wrt...]; expanded by the autodiff pass
    case forLoop         // attrs.lower ..< attrs.upper; region 0: (index, carried...) -> yield
    case loopExit        // operand: bool scalar; first op of a loop body: when true the loop ends there (its results: the carried values)
    case ifElse          // operand 0: bool scalar; regions: then, else; both yield the results
    case yield           // terminator of a region
    case fusion          // one kernel: region 0 (arguments = operands) computes the results; attrs.name
}

extension OpKind {
    /// The case name (`reduceSum`), for messages and traces. Not a raw value on purpose: op
    /// kinds are hashed on every op built, and a String-backed enum hashes its string.
    public var name: String { String(describing: self) }
}
