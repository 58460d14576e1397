import TGCBase
import TGCCore

/// How one op takes part in generated code (`KernelLowering.semantics`).
enum OpSemantics {
    /// The element at each position, computed from the operands' elements at the same position
    /// (read with broadcasting). The rule's result is rounded to the op's dtype by the caller.
    case elementwise(([TypedExpr]) -> TypedExpr)
    /// Reads its one operand at other coordinates: no arithmetic.
    case indexMap(IndexMap)
    /// Folds its operand over `attrs.axes` (all axes when nil).
    case reduction(ReductionOp)
    /// Lowered on its own: a library call, a view, a runtime action or control flow.
    case standalone(LoweredOp)
}

/// How an index-map op reads its operand.
enum IndexMap {
    /// The operand's element at the same row-major position.
    case reshape
    /// Result axis k is operand axis permutation[k].
    case transpose([Int])
    /// Broadcasting: dimensions the operand lacks or has as 1 are read at index 0.
    case broadcast
    /// Along `axis`, result index i reads operand index (step * i + start) mod n (flip, roll).
    case cyclicShift(axis: Int, step: Int, start: Int)
    /// Result coordinate c of dimension d reads operand coordinate start + c × step.
    case slice([SliceDim])
    /// A unit-step slice update in a fused kernel (`Op.isFusableJoin`): the value where the
    /// coordinates lie in the box, else the base (GroupLowering). Alone, it is `sliceUpdate`'s kernel.
    case join
}

/// Which reduction a reduction op computes in a kernel. (The language's reductions, mean and
/// std among them, are the evaluator's `ReductionMethod`; they reach the IR as these ops.)
enum ReductionOp {
    case sum, max, min, argMax, argMin
    // Chapter 2 math
    case product

    /// The DSL name of a reduction without an identity, which an empty tensor cannot have;
    /// nil for sum, whose empty result is 0.
    var nameWithoutIdentity: String? {
        switch self {
        case .sum, .product: nil
        case .max: "max"
        case .min: "min"
        case .argMax: "argMax"
        case .argMin: "argMin"
        }
    }
}

/// Lowers each IR op to generated code, independent of the target. `semantics(of:)` is the one
/// exhaustive switch over `OpKind` in the backends: a new op kind does not compile until it is
/// lowered here.
public enum KernelLowering {
    /// What `op` becomes. `transposedSource(v)` is the operand of a transpose that matrix
    /// products read through a flag (the memory plan's `transposedOperand`), nil otherwise.
    public static func lower(_ op: Op, transposedSource: (Value) -> Value? = { _ in nil }) throws -> LoweredOp {
        switch try semantics(of: op, transposedSource: transposedSource) {
        case .standalone(let lowered):
            return lowered
        case .indexMap(.reshape):
            return .view(of: op.operands[0])
        case .elementwise, .indexMap, .reduction:
            return .kernel(try GroupLowering.kernel(for: op))
        }
    }

    /// How `op` takes part in generated code; `transposedSource` as for `lower`.
    static func semantics(of op: Op, transposedSource: (Value) -> Value? = { _ in nil }) throws -> OpSemantics {
        let attrs = op.attributes
        let dtype = op.results.first?.type.dtype ?? .float32
        switch op.kind {
        case .constant:
            let type = op.result.type
            if let data = attrs.data, type.elementCount > 0 {
                guard data.count == type.elementCount else {
                    throw Diagnostic("internal error: a constant of type \(type) has \(data.count) elements", at: op.location)
                }
                return .standalone(.staticData(data.map { Tensor.round($0, to: type.dtype) }))
            }
            let value = ScalarRules.literal(attrs.value ?? 0, ScalarType(type.dtype))
            return .elementwise { _ in TypedExpr(value, ScalarType(type.dtype)) }
        case .arange:
            return .standalone(.kernel(arange(op)))
        case .randUniform, .randNormal:
            guard dtype == .float32 else {
                throw Diagnostic("random tensors must be float32, not \(dtype)", at: op.location)
            }
            return .standalone(.random(normal: op.kind == .randNormal))
        case .input: return .standalone(.input(name: attrs.name ?? ""))
        case .hyper: return .standalone(.hyper(name: attrs.name ?? "", value: attrs.value ?? 0))
        case .load: return .standalone(.load(path: attrs.path ?? "", tensor: attrs.name))

        case .neg: return .elementwise { ScalarRules.negate($0[0], result: dtype) }
        case .exp: return .elementwise { ScalarRules.floatFunction(.exp, $0[0], result: dtype) }
        case .log: return .elementwise { ScalarRules.floatFunction(.log, $0[0], result: dtype) }
        case .sin: return .elementwise { ScalarRules.floatFunction(.sin, $0[0], result: dtype) }
        case .cos: return .elementwise { ScalarRules.floatFunction(.cos, $0[0], result: dtype) }
        case .tanh: return .elementwise { ScalarRules.floatFunction(.tanh, $0[0], result: dtype) }
        case .sqrt: return .elementwise { ScalarRules.floatFunction(.sqrt, $0[0], result: dtype) }
        case .sigmoid: return .elementwise { ScalarRules.sigmoid($0[0], result: dtype) }
        case .abs: return .elementwise { ScalarRules.absolute($0[0]) }
        case .relu: return .elementwise { ScalarRules.relu($0[0]) }
        case .sign: return .elementwise { ScalarRules.sign($0[0]) }
        case .logicalNot: return .elementwise { ScalarRules.logicalNot($0[0]) }
        case .cast: return .elementwise { $0[0] }
        case .stopGradient: return .standalone(.view(of: op.operands[0]))
        // Chapter 2 math
        case .floor: return .elementwise { ScalarRules.rounding(.floor, $0[0], result: dtype) }
        case .ceil: return .elementwise { ScalarRules.rounding(.ceil, $0[0], result: dtype) }
        case .round: return .elementwise { ScalarRules.rounding(.round, $0[0], result: dtype) }
        case .trunc: return .elementwise { ScalarRules.rounding(.trunc, $0[0], result: dtype) }
        case .frac: return .elementwise { ScalarRules.floatFunction(.frac, $0[0], result: dtype) }
        case .log1p: return .elementwise { ScalarRules.floatFunction(.log1p, $0[0], result: dtype) }
        case .expm1: return .elementwise { ScalarRules.floatFunction(.expm1, $0[0], result: dtype) }
        case .log2: return .elementwise { ScalarRules.floatFunction(.log2, $0[0], result: dtype) }
        case .log10: return .elementwise { ScalarRules.floatFunction(.log10, $0[0], result: dtype) }
        case .exp2: return .elementwise { ScalarRules.floatFunction(.exp2, $0[0], result: dtype) }
        case .rsqrt: return .elementwise { ScalarRules.reciprocal(ScalarRules.floatFunction(.sqrt, $0[0], result: dtype), result: dtype) }
        case .reciprocal: return .elementwise { ScalarRules.reciprocal($0[0], result: dtype) }
        case .square: return .elementwise { ScalarRules.arithmetic("*", $0[0], $0[0], result: dtype) }
        case .tan: return .elementwise { ScalarRules.floatFunction(.tan, $0[0], result: dtype) }
        case .asin: return .elementwise { ScalarRules.floatFunction(.asin, $0[0], result: dtype) }
        case .acos: return .elementwise { ScalarRules.floatFunction(.acos, $0[0], result: dtype) }
        case .atan: return .elementwise { ScalarRules.floatFunction(.atan, $0[0], result: dtype) }
        case .sinh: return .elementwise { ScalarRules.floatFunction(.sinh, $0[0], result: dtype) }
        case .cosh: return .elementwise { ScalarRules.floatFunction(.cosh, $0[0], result: dtype) }
        case .erf: return .elementwise { ScalarRules.floatFunction(.erf, $0[0], result: dtype) }
        case .softplus: return .elementwise { ScalarRules.floatFunction(.softplus, $0[0], result: dtype) }
        case .silu: return .elementwise { ScalarRules.floatFunction(.silu, $0[0], result: dtype) }
        case .gelu: return .elementwise { ScalarRules.floatFunction(.gelu, $0[0], result: dtype) }
        case .elu: return .elementwise { ScalarRules.floatFunction(.elu, $0[0], parameter: attrs.alpha ?? 1, result: dtype) }
        case .leakyRelu: return .elementwise { ScalarRules.floatFunction(.leakyRelu, $0[0], parameter: attrs.alpha ?? 0.01, result: dtype) }
        case .clamp: return .elementwise { ScalarRules.clamp($0[0], low: attrs.low, high: attrs.high, result: dtype) }

        case .add: return .elementwise { ScalarRules.arithmetic("+", $0[0], $0[1], result: dtype) }
        case .sub: return .elementwise { ScalarRules.arithmetic("-", $0[0], $0[1], result: dtype) }
        case .mul: return .elementwise { ScalarRules.arithmetic("*", $0[0], $0[1], result: dtype) }
        case .div: return .elementwise { ScalarRules.divide($0[0], $0[1], result: dtype) }
        case .pow: return .elementwise { ScalarRules.power($0[0], $0[1], result: dtype) }
        case .maximum: return .elementwise { ScalarRules.extreme($0[0], $0[1], isMax: true, result: dtype) }
        case .minimum: return .elementwise { ScalarRules.extreme($0[0], $0[1], isMax: false, result: dtype) }
        case .mod: return .elementwise { ScalarRules.floorMod($0[0], $0[1], result: dtype, at: op.location) }
        case .equal: return .elementwise { ScalarRules.compare("==", $0[0], $0[1]) }
        case .notEqual: return .elementwise { ScalarRules.compare("!=", $0[0], $0[1]) }
        case .less: return .elementwise { ScalarRules.compare("<", $0[0], $0[1]) }
        case .lessEqual: return .elementwise { ScalarRules.compare("<=", $0[0], $0[1]) }
        case .greater: return .elementwise { ScalarRules.compare(">", $0[0], $0[1]) }
        case .greaterEqual: return .elementwise { ScalarRules.compare(">=", $0[0], $0[1]) }
        case .logicalAnd: return .elementwise { ScalarRules.logical("&&", $0[0], $0[1]) }
        case .logicalOr: return .elementwise { ScalarRules.logical("||", $0[0], $0[1]) }
        // Chapter 2 math
        case .atan2: return .elementwise { ScalarRules.floatFunction(.atan2, $0[0], $0[1], result: dtype) }
        case .select: return .elementwise { ScalarRules.select($0[0], $0[1], $0[2], result: dtype) }
        case .fusedMultiplyAdd: return .elementwise { ScalarRules.fusedMultiplyAdd($0[0], $0[1], $0[2], result: dtype) }

        case .reshape: return .indexMap(.reshape)
        case .transpose: return .indexMap(.transpose(attrs.permutation ?? []))
        case .cyclicShift: return .indexMap(.cyclicShift(axis: attrs.axes![0], step: Int(attrs.step!), start: Int(attrs.start!)))
        case .broadcastTo: return .indexMap(.broadcast)
        // Indexing
        case .slice: return .indexMap(.slice(attrs.slice ?? []))
        case .sliceUpdate: return .standalone(.kernel(sliceUpdate(op)))
        case .indexSelect: return .standalone(.kernel(indexSelect(op)))
        case .indexAdd: return .standalone(.kernel(indexAdd(op)))
        // Selecting (SelectionLowering.swift)
        case .gather: return .standalone(.kernel(SelectionLowering.gather(op)))
        case .scatter, .scatterAdd: return .standalone(.kernel(SelectionLowering.scatter(op)))
        case .argsort:
            let type = op.operands[0].type
            let (outer, n, inner) = type.rows(around: attrs.axes![0])
            return .standalone(.argsort(SortCall(outer: outer, n: n, inner: inner, descending: attrs.descending, dtype: type.dtype)))

        case .reduceSum: return .reduction(.sum)
        case .nllSum: return .standalone(.nllSum(count: op.operands[0].type.elementCount, dtype: dtype))
        case .cascadeSum:
            let shape = op.operands[0].type.shape
            return .standalone(.cascadeSum(CascadeSumCall(shape: shape, axes: attrs.axes ?? Array(shape.indices), dtype: dtype)))
        case .reduceMax: return .reduction(.max)
        case .reduceMin: return .reduction(.min)
        case .argMax: return .reduction(.argMax)
        case .argMin: return .reduction(.argMin)

        // Chapter 2 math
        case .reduceProd: return .reduction(.product)
        case .cumsum: return .standalone(.kernel(cumsum(op)))

        case .matmul:
            return .standalone(try MatmulLowering.lower(op, transposedSource: transposedSource))
        case .conv2d, .conv2dInputGrad, .conv2dWeightGrad, .maxPool2dIndices, .maxPool2d:
            let shape = ConvolutionShape(op.kind, operands: op.operands.map(\.type), result: op.result.type, attrs: attrs)
            return .standalone(.convolution(ConvolutionCall(kind: op.kind, shape: shape, dtype: op.operands[0].type.dtype)))

        case .print:
            let segments = attrs.printSegments ?? []
            for segment in segments {
                for operand in segment.operands where !op.operands.indices.contains(operand) {
                    throw Diagnostic("internal error: print refers to operand \(operand) of \(op.operands.count)", at: op.location)
                }
            }
            return .standalone(.print(segments, terminator: attrs.terminator))
        case .save: return .standalone(.save(path: attrs.path ?? "", names: attrs.names))
        case .progress: return .standalone(.progress(key: attrs.name ?? "", label: attrs.printSegments ?? [], total: attrs.upper ?? 0))
        case .addScalar: return .standalone(.addScalar(folder: attrs.path ?? "", tag: attrs.name ?? ""))
        case .manualSeed: return .standalone(.reseed(UInt64(truncatingIfNeeded: attrs.seed ?? 0)))
        case .loopExit: return .standalone(.loopExit)
        case .allReduce: return .standalone(.allReduce)
        case .processRank: return .standalone(.processRank)
        case .gradient:
            throw Diagnostic("gradient op was not expanded; run the autodiff pass", at: op.location)
        case .forLoop: return .standalone(.loop(lower: attrs.lower ?? 0, upper: attrs.upper ?? 0))
        case .ifElse: return .standalone(.branch)
        case .yield: return .standalone(.yield)
        case .fusion:
            if op.isMatmulEpilogue { return .standalone(try MatmulLowering.lower(epilogueFusion: op)) }
            return .standalone(.kernel(try GroupLowering.kernel(forFusion: op)))
        }
    }

    /// base copied into the result, then value stored over the slice region: two sequential
    /// nests in a kernel of one point (no parallel loops, so the copy ends before the stores).
    /// Written in place over a dying base (MemoryPlan.readsPointwise), the C emitter drops the copy.
    static func sliceUpdate(_ op: Op) -> LoopKernel {
        let (base, value, result) = (op.operands[0], op.operands[1], op.result)
        let dims = op.attributes.slice ?? []
        let copy = LoopSpace(base.type.shape, variable: LoopVariable.reduction)
        let region = LoopSpace(value.type.shape, variable: LoopVariable.reduction)
        let starts = dims.map { AffineIndex(constant: $0.start) }
        let target = zip(zip(region.coordinates, dims), starts).map { $0.0 * $0.1.step + $1 }
        let targetIndex = AffineIndex.offset(target, strides: result.type.strides)
        var steps: [KernelStep] = []
        if base.type.elementCount > 0 {
            steps.append(.nest(ReductionNest(extents: copy.extents, accumulators: [],
                                             body: [.store(result, copy.denseIndex, .load(base, copy.denseIndex))])))
        }
        if value.type.elementCount > 0 {
            steps.append(.nest(ReductionNest(extents: region.extents, accumulators: [],
                                             body: [.store(result, targetIndex, .load(value, region.denseIndex))])))
        }
        return LoopKernel(parallelExtents: [], steps: steps)
    }

    /// x's rows at the int64 index: an indirect load, after a check of each index at every
    /// point (a row outside `0 ..< rows` is a run-time error naming the source line, before
    /// the load reads it).
    static func indexSelect(_ op: Op) -> LoopKernel {
        let (x, index, result) = (op.operands[0], op.operands[1], op.result)
        let rows = x.type.shape.first ?? 0
        let width = x.type.shape.dropFirst().reduce(1, *)   // not count / rows: rows may be 0
        let space = LoopSpace([index.type.elementCount, width], variable: LoopVariable.parallel)
        let (position, remainder) = (space.coordinates[0], space.coordinates[1])
        let gathered = IndirectIndex(table: index, position: position, scale: width, count: rows, remainder: remainder)
        let location = op.location == .unknown ? "" : op.location.description
        let check = ScalarExpr.call(.checkedIndex, [.load(index, position), .intLiteral(Int64(rows)), .stringLiteral(location)])
        return LoopKernel(parallelExtents: space.extents, steps: [
            .statement(.declare("row", .int64, check)),
            .statement(.store(result, space.denseIndex, .indirectLoad(x, gathered))),
        ])
    }

    /// base copied into the result, then each row of value added at its index's row, in index
    /// order (an accumulating store; the kernel has no parallel loops, so repeated rows add up
    /// in one order and the sums have the interpreter's bits). Each index is checked first.
    /// Written in place over a dying base (MemoryPlan.readsPointwise), the C emitter drops the copy.
    static func indexAdd(_ op: Op) -> LoopKernel {
        let (base, index, value, result) = (op.operands[0], op.operands[1], op.operands[2], op.result)
        let rows = base.type.shape.first ?? 0
        let width = base.type.shape.dropFirst().reduce(1, *)   // not count / rows: rows may be 0
        let copy = LoopSpace(base.type.shape, variable: LoopVariable.reduction)
        let space = LoopSpace([index.type.elementCount, width], variable: LoopVariable.reduction)
        let (position, remainder) = (space.coordinates[0], space.coordinates[1])
        let target = IndirectIndex(table: index, position: position, scale: width, count: rows, remainder: remainder)
        let location = op.location == .unknown ? "" : op.location.description
        let check = ScalarExpr.call(.checkedIndex, [.load(index, position), .intLiteral(Int64(rows)), .stringLiteral(location)])
        var steps: [KernelStep] = []
        if base.type.elementCount > 0 {
            steps.append(.nest(ReductionNest(extents: copy.extents, accumulators: [],
                                             body: [.store(result, copy.denseIndex, .load(base, copy.denseIndex))])))
        }
        if value.type.elementCount > 0 {
            steps.append(.nest(ReductionNest(extents: space.extents, accumulators: [], body: [
                .declare("row", .int64, check),
                .accumulate(result, .indirect(target), .load(value, space.denseIndex), .add),
            ])))
        }
        return LoopKernel(parallelExtents: [], steps: steps)
    }

    /// The running sums along the axis: parallel over the other dimensions, a sequential loop
    /// along the axis whose ordered accumulator (double for floats, as PyTorch's CPU kernel;
    /// int64 otherwise) is stored, rounded to the dtype, at every step.
    static func cumsum(_ op: Op) -> LoopKernel {
        let (x, result) = (op.operands[0], op.result)
        let shape = x.type.rank == 0 ? [1] : x.type.shape
        let axis = x.type.rank == 0 ? 0 : op.attributes.axes![0]
        guard result.type.elementCount > 0 else { return LoopKernel(parallelExtents: [], steps: []) }
        var across = shape
        across[axis] = 1
        let space = LoopSpace(across, variable: LoopVariable.parallel)
        let strides = TensorType(shape, .bool).strides
        let index = space.index(strides: strides) + AffineIndex(LoopVariable.reduction(0)) * strides[axis]
        let type: ScalarType = x.type.dtype.isFloatingPoint ? .float64 : .int64
        let element = ScalarRules.convert(TypedExpr(.load(x, index), ScalarType(x.type.dtype)), to: type)
        let sum = Accumulator(name: "acc0", type: type, initial: ScalarRules.zero(type), fold: .ordered)
        let running = ScalarRules.round(TypedExpr(.local(sum.name), type), to: result.type.dtype)
        return LoopKernel(parallelExtents: space.extents, steps: [
            .nest(ReductionNest(extents: [shape[axis]], accumulators: [sum], body: [
                .assign(sum.name, .infix("+", .local(sum.name), element.expr)),
                .store(result, index, running.expr),
            ])),
        ])
    }

    /// start + i × step, computed in double as PyTorch's kernel does (ArangeValues) and rounded
    /// to the dtype.
    static func arange(_ op: Op) -> LoopKernel {
        let type = op.result.type
        let space = LoopSpace([type.elementCount], variable: LoopVariable.parallel)
        let (start, step) = (op.attributes.start ?? 0, op.attributes.step ?? 1)
        let index = ScalarExpr.offset(space.denseIndex)
        func fused(_ a: ScalarExpr, _ b: ScalarExpr, _ c: ScalarExpr) -> ScalarExpr { .call(.fusedMultiplyAdd(.float64), [a, b, c]) }
        var value = ScalarExpr.infix("+", .doubleLiteral(start), .infix("*", .cast(.float64, index), .doubleLiteral(step)))
        if let lanes = ArangeValues.lanes(type.dtype) {
            let scalar = fused(.doubleLiteral(step), .cast(.float64, index), .doubleLiteral(start))
            let lane = ScalarExpr.infix("%", index, .intLiteral(Int64(lanes)))
            let first = fused(.doubleLiteral(step), .cast(.float64, .infix("-", index, lane)), .doubleLiteral(start))
            let base = ScalarRules.round(TypedExpr(first, .float64), to: type.dtype)
            let vector = fused(.cast(.float64, lane), .doubleLiteral(step), .cast(.float64, base.expr))
            let vectorized = Int64(ArangeValues.vectorizedCount(type.elementCount, lanes: lanes))
            value = .ternary(.infix("<", index, .intLiteral(vectorized)), vector, scalar)
        }
        let element = ScalarRules.round(TypedExpr(value, .float64), to: type.dtype)
        return LoopKernel(parallelExtents: space.extents, steps: [.statement(.store(op.result, space.denseIndex, element.expr))])
    }
}

extension Op {
    /// A fusion whose group is a matmul and its epilogue (FusionEpilogue.swift).
    var isMatmulEpilogue: Bool {
        kind == .fusion && regions[0].ops.contains { $0.kind == .matmul }
    }
}
