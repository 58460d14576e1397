import TGCBase
import TGCCore

/// Matrix products. float32 goes to the runtime's `tgc_sgemm` (packed, register-tiled AVX-512
/// kernels), with an operand produced by a folded transpose of the last two dimensions passed
/// as a transpose flag instead of being materialized (backward passes compute `g @ Wᵀ` and
/// `Xᵀ @ g` this way). A batched product (3 or more dimensions) is a loop over its matrices,
/// one sgemm call each at per-matrix offsets (GemmBatch); broadcast operands are not copied.
///
/// sgemm sums in float32 with fused multiply-adds in its own order (small products in plain
/// order, as MKL's: `tgc_sgemm_in_plain_order` in tgc_runtime.h); the interpreter calls the
/// same routine (Kernels.matmul), so eager and compiled products have the same bits. int64 and
/// bool products keep an exact loop nest that accumulates in int64 in the interpreter's order.
enum MatmulLowering {
    /// A fusion holding a matmul (FusionEpilogue.swift): `tgc_sgemm_epilogue` writes the
    /// product into the fusion's result, and the epilogue kernel finishes each block of it. A
    /// transpose in the group that feeds the product is read through the transpose flag.
    static func lower(epilogueFusion op: Op) throws -> LoweredOp {
        let region = op.regions[0]
        guard let matmul = region.ops.first(where: { $0.kind == .matmul }) else {
            throw Diagnostic("internal error: an epilogue fusion has no matmul", at: op.location)
        }
        let inputs = Dictionary(uniqueKeysWithValues: zip(region.arguments, op.operands))
        func stored(_ value: Value) throws -> (value: Value, transposed: Bool) {
            if let input = inputs[value] { return (input, false) }
            if let transpose = value.definingOp, transpose.kind == .transpose, transpose.attributes.permutation == [1, 0],
               let input = inputs[transpose.operands[0]] {
                return (input, true)
            }
            throw Diagnostic("internal error: a matmul operand in an epilogue fusion is neither an input nor a transpose of one", at: op.location)
        }
        let (a, b) = (try stored(matmul.operands[0]), try stored(matmul.operands[1]))
        let shape = matmul.result.type.shape
        var call = GemmCall(a: a.value, b: b.value, transposeA: a.transposed, transposeB: b.transposed,
                            m: shape[0], n: shape[1], k: matmul.operands[0].type.shape[1])
        call.epilogue = try GroupLowering.epilogueKernel(forFusion: op, product: matmul.result)
        return .gemm(call)
    }

    /// A matmul op: for float32 one `tgc_sgemm` call per matrix of the batch (a transposed
    /// stored operand through its flag); otherwise an exact loop nest over the batch and the
    /// matrix (in double for float64), reading broadcast batch dimensions with stride 0.
    static func lower(_ op: Op, transposedSource: (Value) -> Value?) throws -> LoweredOp {
        let (a, b) = (op.operands[0], op.operands[1])
        let (shapeA, shapeB) = (a.type.shape, b.type.shape)
        let (m, k, n) = (shapeA[shapeA.count - 2], shapeA[shapeA.count - 1], shapeB[shapeB.count - 1])
        let (sourceA, sourceB) = (transposedSource(a), transposedSource(b))
        let batch = GemmBatch(a: shapeA, b: shapeB, result: op.result.type.shape)
        if op.result.type.dtype == .float32 {
            var call = GemmCall(a: sourceA ?? a, b: sourceB ?? b, transposeA: sourceA != nil,
                                transposeB: sourceB != nil, m: m, n: n, k: k)
            call.batch = batch
            return .gemm(call)
        }
        // Strides of the stored operands: a transposed source is read with its axes swapped.
        let aStrides = batch.stridesA + (sourceA == nil ? [k, 1] : [1, m])
        let bStrides = batch.stridesB + (sourceB == nil ? [n, 1] : [1, k])
        let parallel = LoopSpace(batch.extents + [m, n], variable: LoopVariable.parallel)
        let reduction = LoopSpace([k], variable: LoopVariable.reduction)
        let batchCoordinates = Array(parallel.coordinates.dropLast(2))
        let (i, j, p) = (parallel.coordinates[batch.extents.count], parallel.coordinates[batch.extents.count + 1], reduction.coordinates[0])
        let aIndex = AffineIndex.offset(batchCoordinates + [i, p], strides: aStrides)
        let bIndex = AffineIndex.offset(batchCoordinates + [p, j], strides: bStrides)
        // float64 sums in double, in order (the interpreter's loop); integers in int64.
        let accumulator: ScalarType = op.result.type.dtype == .float64 ? .float64 : .int64
        let product = ScalarExpr.infix(
            "*",
            ScalarRules.convert(TypedExpr(.load(sourceA ?? a, aIndex), ScalarType(a.type.dtype)), to: accumulator).expr,
            ScalarRules.convert(TypedExpr(.load(sourceB ?? b, bIndex), ScalarType(b.type.dtype)), to: accumulator).expr)
        let result = ScalarRules.round(TypedExpr(.local("acc0"), accumulator), to: op.result.type.dtype)
        let nest = ReductionNest(extents: reduction.extents,
                                 accumulators: [Accumulator(name: "acc0", type: accumulator, initial: ScalarRules.zero(accumulator),
                                                            fold: accumulator == .float64 ? .ordered : .sum)],
                                 body: [.assign("acc0", .infix("+", .local("acc0"), product))])
        return .kernel(LoopKernel(parallelExtents: parallel.extents,
                                  steps: [.nest(nest), .statement(.store(op.result, parallel.denseIndex, result.expr))]))
    }
}
