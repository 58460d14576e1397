import TGCCore

/// What one IR op becomes after lowering: a loop kernel, or an action that a backend performs
/// with its runtime (RNG, files, printing) or with the op's regions (loops, branches).
public enum LoweredOp {
    /// Computes the op's single result with a loop nest.
    case kernel(LoopKernel)
    /// A float32 matrix product through the runtime's `tgc_sgemm`, with an epilogue or not.
    case gemm(GemmCall)
    /// The result shares the operand's storage: no data moves (reshape, detach).
    case view(of: Value)
    /// A constant with explicit elements, already rounded to the result's dtype.
    case staticData([Double])
    /// Fills the result from the run's Philox stream, uniform in [0, 1) or standard normal.
    case random(normal: Bool)
    /// The result is the tensor bound to `--in name=FILE.npy`.
    case input(name: String)
    /// The result (a float64 scalar) is hyperparameter `name`: `value` unless `--name X` sets it.
    case hyper(name: String, value: Double)
    /// The result is read at run time from a .npy file, or (with `tensor`) from the tensor of
    /// that name in a safetensors file.
    case load(path: String, tensor: String?)
    /// Writes operand 0 to a .npy file, or (with `names`) the operands to a safetensors file
    /// under those names (relative paths go under `--out`).
    case save(path: String, names: [String]?)
    /// Prints the text assembled from the segments, then the terminator (nil: a newline).
    case print([PrintSegment], terminator: String?)
    /// Reports the loop's progress: the last operand (int64) of `total` iterations done, the
    /// label assembled from the segments and the other operands.
    case progress(key: String, label: [PrintSegment], total: Int)
    /// Logs the float32 scalar operand 0 at the int64 step operand 1 under `tag` in the
    /// folder's scalars.csv and TensorBoard event file (relative folders go under `--out`).
    case addScalar(folder: String, tag: String)
    /// Restarts the Philox stream at `seed`.
    case reseed(UInt64)
    /// Leaves the enclosing loop (C's `break`) when operand 0, a bool scalar, is true.
    case loopExit
    /// The result is the mean over the MPI processes of operand 0 (float32 or float64): the
    /// runtime's `tgc_all_reduce_mean_*`, a copy in a program built without MPI.
    case allReduce
    /// The result (an int64 scalar) is this process's MPI rank: the runtime's `tgc_process_rank()`.
    case processRank
    /// A counted loop over region 0: (index, carried...) -> yield.
    case loop(lower: Int, upper: Int)
    /// Runs region 0 or region 1 depending on the bool scalar operand 0.
    case branch
    /// Ends a region, handing its operands to the enclosing loop or branch.
    case yield
    /// The indices that sort operand 0 along a dimension: the runtime's `tgc_argsort_*`.
    case argsort(SortCall)
    /// The float sum of operand 0 over some axes in PyTorch's order: the runtime's `tgc_cascade_sum_*`.
    case cascadeSum(CascadeSumCall)
    /// nll_loss's sum of operand 0's `count` values, skipping where operand 1 is true: the
    /// runtime's `tgc_nll_sum_*` (float32 or float64).
    case nllSum(count: Int, dtype: DType)
    /// conv2d, one of its gradients, max pooling or its indices: the runtime's `tgc_conv2d_*`,
    /// `tgc_max_pool2d_*` or `tgc_max_pool2d_indices_*` on the operands.
    case convolution(ConvolutionCall)
}

/// A convolution op through the runtime: `tgc_conv2d_f32`, `tgc_conv2d_input_grad_f32`,
/// `tgc_conv2d_weight_grad_f32`, `tgc_max_pool2d_f32` or `tgc_max_pool2d_indices_f32` (`_f64`
/// for float64) with the op's geometry.
public struct ConvolutionCall {
    public var kind: OpKind
    public var shape: ConvolutionShape
    /// The floating-point dtype of operand 0.
    public var dtype: DType

    /// The runtime function's name.
    public var function: String {
        let base = switch kind {
        case .conv2dInputGrad: "tgc_conv2d_input_grad"
        case .conv2dWeightGrad: "tgc_conv2d_weight_grad"
        case .maxPool2dIndices: "tgc_max_pool2d_indices"
        case .maxPool2d: "tgc_max_pool2d"
        default: "tgc_conv2d"
        }
        return base + (dtype == .float64 ? "_f64" : "_f32")
    }
}

/// An argsort through the runtime (`tgc_argsort_f32`, `tgc_argsort_i64`): the operand seen as
/// [outer, n, inner], sorted along n, stable, NaN largest.
public struct SortCall {
    public var outer: Int
    public var n: Int
    public var inner: Int
    public var descending: Bool
    /// The operand's dtype: float32 or int64.
    public var dtype: DType
}

/// A sum through the runtime (`tgc_cascade_sum_f32`, `_f64`): the row-major operand of `shape`
/// summed over `axes` as PyTorch's CPU kernel orders the additions.
public struct CascadeSumCall {
    public var shape: [Int]
    public var axes: [Int]
    /// float32 or float64.
    public var dtype: DType

    /// The reduced axes as the runtime's bit mask (bit i: axis i).
    public var reducedMask: UInt64 { TensorType.reducedAxesMask(axes) }
}

/// The loop variables that iterate over a shape: one per dimension whose extent is not 1.
struct LoopSpace {
    let shape: [Int]
    /// The variable of each dimension, nil where the extent is 1 (the index is always 0).
    let variables: [LoopVariable?]
    /// The extents of the dimensions that have a variable, outermost first.
    let extents: [Int]

    init(_ shape: [Int], variable: (Int) -> LoopVariable) {
        self.shape = shape
        var variables: [LoopVariable?] = []
        var extents: [Int] = []
        for extent in shape {
            if extent == 1 {
                variables.append(nil)
            } else {
                variables.append(variable(extents.count))
                extents.append(extent)
            }
        }
        self.variables = variables
        self.extents = extents
    }

    /// The coordinate of each dimension: its loop variable, or 0 where the extent is 1.
    var coordinates: [AffineIndex] { variables.map { $0.map { AffineIndex($0) } ?? .zero } }

    /// Σ variable × stride over the dimensions (`strides` has one entry per dimension).
    func index(strides: [Int]) -> AffineIndex {
        var terms: [AffineIndex.Term] = []
        for (variable, stride) in zip(variables, strides) {
            if let variable { terms.append(AffineIndex.Term(variable: variable, stride: stride)) }
        }
        return AffineIndex(terms: terms)
    }

    /// The row-major offset of the current point in a buffer of exactly this shape.
    var denseIndex: AffineIndex { index(strides: TensorType(shape, .bool).strides) }
}

/// `C = op(A) · op(B)` with `tgc_sgemm`, all row-major: op(X) is X or, when its flag is set,
/// X transposed (a transpose folded into the product instead of materialized).
public struct GemmCall {
    /// The stored A and B (the transposes' operands when the flags are set).
    public var a: Value
    public var b: Value
    public var transposeA: Bool
    public var transposeB: Bool
    public var m: Int
    public var n: Int
    public var k: Int
    /// A matmul fusion's elementwise rest, over loops `i0` (rows) and `i1` (columns) of C,
    /// applied to each block of C as soon as it is final (`tgc_sgemm_epilogue`).
    public var epilogue: LoopKernel?
    /// For a batched product, the loop over its matrices (empty for one matrix).
    public var batch = GemmBatch()

    public init(a: Value, b: Value, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int) {
        (self.a, self.b, self.transposeA, self.transposeB) = (a, b, transposeA, transposeB)
        (self.m, self.n, self.k) = (m, n, k)
    }

    /// Row strides of the stored matrices, in elements.
    public var lda: Int { transposeA ? m : k }
    public var ldb: Int { transposeB ? k : n }
}

/// The batch of a batched `GemmCall`: one product per point of `extents`, whose A, B and C
/// start Σ index × stride elements into the stored operands and the result. An operand
/// broadcast over a batch dimension has stride 0 there (its matrices are read again, not
/// copied). Dimensions of extent 1 are left out.
public struct GemmBatch: Equatable {
    public var extents: [Int] = []
    public var stridesA: [Int] = []
    public var stridesB: [Int] = []
    public var stridesC: [Int] = []

    public init() {}

    /// The batch of a matmul of operand shapes `a` and `b` (matrices or batches of them)
    /// into `result`; a transposed stored operand has the same batch strides as its transpose.
    public init(a: [Int], b: [Int], result: [Int]) {
        let extents = Array(result.dropLast(2))
        func strides(_ shape: [Int]) -> [Int] {
            let batch = Array(shape.dropLast(2)), offset = extents.count - shape.dropLast(2).count
            var strides = [Int](repeating: 0, count: extents.count), stride = shape.suffix(2).reduce(1, *)
            for axis in batch.indices.reversed() {
                strides[axis + offset] = batch[axis] == 1 ? 0 : stride
                stride *= batch[axis]
            }
            return strides
        }
        let (sa, sb, sc) = (strides(a), strides(b), strides(result))
        for axis in extents.indices where extents[axis] != 1 {
            self.extents.append(extents[axis])
            (stridesA, stridesB, stridesC) = (stridesA + [sa[axis]], stridesB + [sb[axis]], stridesC + [sc[axis]])
        }
    }
}
