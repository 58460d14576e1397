import TGCBase
import TGCCore

/// Lowers each IR op to its loop nest and per-element scalar code, independent of the target.
/// This is the one exhaustive switch over `OpKind` in the backends: a new op kind does not
/// compile until it is lowered here.
public enum KernelLowering {
    public static func lower(_ op: Op) throws -> LoweredOp {
        let attrs = op.attributes
        switch op.kind {
        case .constant:
            let type = op.result.type
            if let data = attrs.data, type.elementCount > 0 {
                guard data.count == type.elementCount else {
                    throw Diagnostic("internal error: a constant of type \(type) has \(data.count) elements", at: op.location)
                }
                return .staticData(data.map { Tensor.round($0, to: type.dtype) })
            }
            let value = ScalarRules.literal(attrs.value ?? 0, ScalarType(type.dtype))
            return map(op, []) { _ in TypedExpr(value, ScalarType(type.dtype)) }
        case .arange:
            return arange(op)
        case .randUniform, .randNormal:
            guard op.result.type.dtype == .float32 else {
                throw Diagnostic("random tensors must be float32, not \(op.result.type.dtype)", at: op.location)
            }
            return .random(normal: op.kind == .randNormal)
        case .input: return .input(name: attrs.name ?? "")
        case .load: return .load(path: attrs.path ?? "")

        case .neg: return map(op) { ScalarRules.negate($0[0], result: op.result.type.dtype) }
        case .exp: return map(op) { ScalarRules.floatFunction("expf", $0[0]) }
        case .log: return map(op) { ScalarRules.floatFunction("logf", $0[0]) }
        case .sin: return map(op) { ScalarRules.floatFunction("sinf", $0[0]) }
        case .cos: return map(op) { ScalarRules.floatFunction("cosf", $0[0]) }
        case .tanh: return map(op) { ScalarRules.floatFunction("tanhf", $0[0]) }
        case .sqrt: return map(op) { ScalarRules.floatFunction("sqrtf", $0[0]) }
        case .sigmoid: return map(op) { ScalarRules.sigmoid($0[0]) }
        case .abs: return map(op) { ScalarRules.absolute($0[0]) }
        case .relu: return map(op) { ScalarRules.relu($0[0]) }
        case .sign: return map(op) { ScalarRules.sign($0[0]) }
        case .logicalNot: return map(op) { ScalarRules.logicalNot($0[0]) }
        case .cast: return map(op) { ScalarRules.round($0[0], to: op.result.type.dtype) }
        case .stopGradient, .reshape: return .view(of: op.operands[0])

        case .add: return binary(op) { ScalarRules.arithmetic("+", $0, $1, result: $2) }
        case .sub: return binary(op) { ScalarRules.arithmetic("-", $0, $1, result: $2) }
        case .mul: return binary(op) { ScalarRules.arithmetic("*", $0, $1, result: $2) }
        case .div: return binary(op) { a, b, _ in ScalarRules.divide(a, b) }
        case .pow: return binary(op) { ScalarRules.power($0, $1, result: $2) }
        case .maximum: return binary(op) { ScalarRules.extreme($0, $1, isMax: true, result: $2) }
        case .minimum: return binary(op) { ScalarRules.extreme($0, $1, isMax: false, result: $2) }
        case .mod: return binary(op) { ScalarRules.floorMod($0, $1, result: $2) }
        case .equal: return binary(op) { a, b, _ in ScalarRules.compare("==", a, b) }
        case .notEqual: return binary(op) { a, b, _ in ScalarRules.compare("!=", a, b) }
        case .less: return binary(op) { a, b, _ in ScalarRules.compare("<", a, b) }
        case .lessEqual: return binary(op) { a, b, _ in ScalarRules.compare("<=", a, b) }
        case .greater: return binary(op) { a, b, _ in ScalarRules.compare(">", a, b) }
        case .greaterEqual: return binary(op) { a, b, _ in ScalarRules.compare(">=", a, b) }
        case .logicalAnd: return binary(op) { a, b, _ in ScalarRules.logical("&&", a, b) }
        case .logicalOr: return binary(op) { a, b, _ in ScalarRules.logical("||", a, b) }
        case .select: return map(op) { ScalarRules.select($0[0], $0[1], $0[2], result: op.result.type.dtype) }

        case .transpose: return transpose(op, permutation: attrs.permutation ?? [])
        case .broadcastTo: return map(op) { $0[0] }

        case .reduceSum: return .kernel(ReductionLowering.sum(op))
        case .reduceMax: return .kernel(try ReductionLowering.extreme(op, isMax: true, name: "max"))
        case .reduceMin: return .kernel(try ReductionLowering.extreme(op, isMax: false, name: "min"))
        case .argMax: return .kernel(try ReductionLowering.argExtreme(op, isMax: true, name: "argMax"))
        case .argMin: return .kernel(try ReductionLowering.argExtreme(op, isMax: false, name: "argMin"))

        case .matmul: return .kernel(ReductionLowering.matmul(op))

        case .print:
            let segments = attrs.printSegments ?? []
            for case .tensor(let operand, _) in segments where !op.operands.indices.contains(operand) {
                throw Diagnostic("internal error: print refers to operand \(operand) of \(op.operands.count)", at: op.location)
            }
            for case .scalar(let operand, _) in segments where !op.operands.indices.contains(operand) {
                throw Diagnostic("internal error: print refers to operand \(operand) of \(op.operands.count)", at: op.location)
            }
            return .print(segments)
        case .save: return .save(path: attrs.path ?? "")
        case .manualSeed: return .reseed(UInt64(truncatingIfNeeded: attrs.seed ?? 0))
        case .gradient:
            throw Diagnostic("gradient op was not expanded; run the autodiff pass", at: op.location)
        case .forLoop: return .loop(lower: attrs.lower ?? 0, upper: attrs.upper ?? 0)
        case .ifElse: return .branch
        case .yield: return .yield
        case .fusion:
            throw Diagnostic("internal error: fusion groups are not lowered to C yet (run without the fusion pass)", at: op.location)
        }
    }

    // MARK: elementwise

    /// An elementwise kernel over the result's shape: each operand is read with broadcasting
    /// and `value` computes the element from the operands' elements. When every operand has
    /// the result's shape (or one element), a single flat loop is enough.
    static func map(_ op: Op, _ operands: [Value]? = nil, _ value: ([TypedExpr]) -> TypedExpr) -> LoweredOp {
        let operands = operands ?? op.operands
        let out = op.result.type
        let flat = operands.allSatisfy { $0.type.shape == out.shape || $0.type.elementCount == 1 }
        let space = flat ? LoopSpace([out.elementCount], variable: LoopVariable.parallel)
                         : LoopSpace(out.shape, variable: LoopVariable.parallel)
        let loads = operands.map { operand -> TypedExpr in
            let index: AffineIndex
            if operand.type.elementCount == 1 {
                index = .zero
            } else if flat {
                index = space.denseIndex
            } else {
                index = space.index(strides: LoopSpace.broadcastStrides(from: operand.type.shape, to: out.shape))
            }
            return TypedExpr(.load(operand, index), ScalarType(operand.type.dtype))
        }
        let element = ScalarRules.round(value(loads), to: out.dtype)
        return .kernel(LoopKernel(parallelExtents: space.extents, reductionExtents: [],
                                  body: [.store(op.result, space.denseIndex, element.expr)]))
    }

    /// A two-operand elementwise op; `value` also receives the result dtype.
    static func binary(_ op: Op, _ value: (TypedExpr, TypedExpr, DType) -> TypedExpr) -> LoweredOp {
        map(op) { value($0[0], $0[1], op.result.type.dtype) }
    }

    /// start + i × step, computed in double and rounded to the dtype.
    static func arange(_ op: Op) -> LoweredOp {
        let type = op.result.type
        let space = LoopSpace([type.elementCount], variable: LoopVariable.parallel)
        let (start, step) = (op.attributes.start ?? 0, op.attributes.step ?? 1)
        let position = ScalarExpr.cast(.float64, .offset(space.denseIndex))
        let value = ScalarExpr.infix("+", .doubleLiteral(start), .infix("*", position, .doubleLiteral(step)))
        let element = ScalarRules.round(TypedExpr(value, .float64), to: type.dtype)
        return .kernel(LoopKernel(parallelExtents: space.extents, reductionExtents: [],
                                  body: [.store(op.result, space.denseIndex, element.expr)]))
    }

    /// out[i0, ..., in] = x[i at position perm[k] of x's axes].
    static func transpose(_ op: Op, permutation: [Int]) -> LoweredOp {
        let x = op.operands[0]
        let out = op.result.type
        let space = LoopSpace(out.shape, variable: LoopVariable.parallel)
        let inStrides = x.type.strides
        let index = space.index(strides: permutation.map { inStrides[$0] })
        return .kernel(LoopKernel(parallelExtents: space.extents, reductionExtents: [],
                                  body: [.store(op.result, space.denseIndex, .load(x, index))]))
    }
}
