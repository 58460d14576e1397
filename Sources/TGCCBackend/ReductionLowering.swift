import TGCBase
import TGCCore

/// Loop nests for ops that combine many elements into one: reductions over axes, arg-max/min
/// and matrix products. Elements of one output are visited in the interpreter's order (row-major
/// over the reduced axes), and float sums accumulate in double, so results agree bit for bit.
enum ReductionLowering {
    /// The loops of a reduction of `x` over `axes`: parallel loops over the kept axes, reduction
    /// loops over the reduced ones, and the offsets they give.
    struct Geometry {
        let parallel: LoopSpace
        let reduction: LoopSpace
        /// Offset of the current element of x.
        let input: AffineIndex
        /// Offset of the current output element.
        let output: AffineIndex
        /// Row-major position of the current element within its group (what argmax returns).
        let position: AffineIndex

        init(_ x: TensorType, axes: [Int]?) {
            let reduced = Set(axes ?? Array(0..<x.rank))
            let kept = (0..<x.rank).filter { !reduced.contains($0) }
            let reducedAxes = (0..<x.rank).filter { reduced.contains($0) }
            let strides = x.strides
            parallel = LoopSpace(kept.map { x.shape[$0] }, variable: LoopVariable.parallel)
            reduction = LoopSpace(reducedAxes.map { x.shape[$0] }, variable: LoopVariable.reduction)
            input = parallel.index(strides: kept.map { strides[$0] }) + reduction.index(strides: reducedAxes.map { strides[$0] })
            output = parallel.denseIndex
            position = reduction.denseIndex
        }
    }

    /// Sum, accumulated in double for float32 and in int64 for integers and bools.
    static func sum(_ op: Op) -> LoopKernel {
        let x = op.operands[0]
        let geometry = Geometry(x.type, axes: op.attributes.axes)
        let accumulator: ScalarType = x.type.dtype == .float32 ? .float64 : .int64
        let element = ScalarRules.convert(TypedExpr(.load(x, geometry.input), ScalarType(x.type.dtype)), to: accumulator)
        let result = ScalarRules.round(TypedExpr(.local("acc"), accumulator), to: op.result.type.dtype)
        return LoopKernel(parallelExtents: geometry.parallel.extents, reductionExtents: geometry.reduction.extents,
                          prologue: [.declare("acc", accumulator, ScalarRules.zero(accumulator))],
                          body: [.assign("acc", .infix("+", .local("acc"), element.expr))],
                          epilogue: [.store(op.result, geometry.output, result.expr)])
    }

    /// Max or min with NaN propagation, starting from -inf / +inf (the identity of the fold).
    static func extreme(_ op: Op, isMax: Bool, name: String) throws -> LoopKernel {
        let x = op.operands[0]
        try checkNonEmpty(x, name, op.location)
        let geometry = Geometry(x.type, axes: op.attributes.axes)
        let type = ScalarType(x.type.dtype)
        let start: ScalarExpr = switch type {
        case .float32, .float64: .floatLiteral(isMax ? -.infinity : .infinity)
        case .int64: .intLiteral(isMax ? .min : .max)
        case .bool: .intLiteral(isMax ? 0 : 1)
        }
        let helper = ScalarRules.extremeHelper(type, isMax: isMax)
        return LoopKernel(parallelExtents: geometry.parallel.extents, reductionExtents: geometry.reduction.extents,
                          prologue: [.declare("acc", type, start)],
                          body: [.assign("acc", .call(helper, [.local("acc"), .load(x, geometry.input)]))],
                          epilogue: [.store(op.result, geometry.output, .local("acc"))])
    }

    /// The position of the first maximum (minimum) in each group; a NaN counts as the extreme.
    static func argExtreme(_ op: Op, isMax: Bool, name: String) throws -> LoopKernel {
        let x = op.operands[0]
        try checkNonEmpty(x, name, op.location)
        let geometry = Geometry(x.type, axes: op.attributes.axes)
        let type = ScalarType(x.type.dtype)
        let (value, best) = (ScalarExpr.local("x"), ScalarExpr.local("bestValue"))
        var better = ScalarExpr.infix(isMax ? ">" : "<", value, best)
        if type.isFloatingPoint {
            better = .infix("&&", .prefix("!", .call("isnan", [best])), .infix("||", .call("isnan", [value]), better))
        }
        let take = ScalarExpr.infix("||", .infix("==", .local("pos"), .intLiteral(0)), better)
        return LoopKernel(
            parallelExtents: geometry.parallel.extents, reductionExtents: geometry.reduction.extents,
            prologue: [.declare("best", .int64, .intLiteral(0)), .declare("bestValue", type, ScalarRules.zero(type))],
            body: [.declare("x", type, .load(x, geometry.input)),
                   .declare("pos", .int64, .offset(geometry.position)),
                   .declare("take", .bool, take),
                   .assign("best", .ternary(.local("take"), .local("pos"), .local("best"))),
                   .assign("bestValue", .ternary(.local("take"), value, best))],
            epilogue: [.store(op.result, geometry.output, .local("best"))])
    }

    /// out[i, j] = Σ_p a[i, p] × b[p, j], accumulated in double (int64 for integers) in order of p.
    static func matmul(_ op: Op) -> LoopKernel {
        let (a, b) = (op.operands[0], op.operands[1])
        let (k, n) = (a.type.shape[1], b.type.shape[1])
        let parallel = LoopSpace(op.result.type.shape, variable: LoopVariable.parallel)
        let reduction = LoopSpace([k], variable: LoopVariable.reduction)
        let aIndex = parallel.index(strides: [k, 0]) + reduction.index(strides: [1])
        let bIndex = parallel.index(strides: [0, 1]) + reduction.index(strides: [n])
        let accumulator: ScalarType = a.type.dtype == .float32 ? .float64 : .int64
        let product = ScalarExpr.infix(
            "*",
            ScalarRules.convert(TypedExpr(.load(a, aIndex), ScalarType(a.type.dtype)), to: accumulator).expr,
            ScalarRules.convert(TypedExpr(.load(b, bIndex), ScalarType(b.type.dtype)), to: accumulator).expr)
        let result = ScalarRules.round(TypedExpr(.local("acc"), accumulator), to: op.result.type.dtype)
        return LoopKernel(parallelExtents: parallel.extents, reductionExtents: reduction.extents,
                          prologue: [.declare("acc", accumulator, ScalarRules.zero(accumulator))],
                          body: [.assign("acc", .infix("+", .local("acc"), product))],
                          epilogue: [.store(op.result, parallel.denseIndex, result.expr)])
    }

    private static func checkNonEmpty(_ x: Value, _ name: String, _ location: SourceLocation) throws {
        if x.type.elementCount == 0 {
            throw Diagnostic("\(name)() of an empty tensor has no identity", at: location)
        }
    }
}
