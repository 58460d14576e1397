/// The definition of every op kind (OpDef: arity, type rule, fusion class, aliasing, cost,
/// effects, spellings, PyTorch backward name): one entry per op.
enum OpTable {
    static let definitions: [OpKind: OpDef] = {
        var table: [OpKind: OpDef] = [:]
        for def in all { table[def.kind] = def }
        precondition(table.count == OpKind.allCases.count, "every OpKind needs an OpDef")
        return table
    }()

    private static let all: [OpDef] = [
        OpDef(.constant, .source, arity: 0, source),
        OpDef(.arange, .source, arity: 0, spelled: [.function("arange")], source),
        OpDef(.randUniform, .source, arity: 0, effects: true, spelled: [.function("rand")], source),
        OpDef(.randNormal, .source, arity: 0, effects: true, spelled: [.function("randn")], source),
        OpDef(.input, .source, arity: 0, spelled: [.function("input")], source),
        OpDef(.load, .source, arity: 0, effects: true, spelled: [.function("load")], source),

        OpDef(.neg, .elementwise, arity: 1, spelled: [.prefix("-"), .function("neg")], grad: "NegBackward0") { types, _ in
            guard types[0].dtype != .bool else {
                throw OpTypeError("negation ('-') of a bool tensor is not supported; use '!' to invert a mask")
            }
            return [types[0]]
        },
        OpDef(.exp, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("exp")], grad: "ExpBackward0", floatResult),
        OpDef(.log, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("log")], grad: "LogBackward0", floatResult),
        OpDef(.sin, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("sin")], grad: "SinBackward0", floatResult),
        OpDef(.cos, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("cos")], grad: "CosBackward0", floatResult),
        OpDef(.tanh, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("tanh")], grad: "TanhBackward0", floatResult),
        OpDef(.sqrt, .elementwise, arity: 1, spelled: [.function("sqrt")], grad: "SqrtBackward0", floatResult),
        OpDef(.sigmoid, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("sigmoid")], grad: "SigmoidBackward0", floatResult),
        OpDef(.abs, .elementwise, arity: 1, spelled: [.function("abs")], grad: "AbsBackward0", sameType),
        OpDef(.relu, .elementwise, arity: 1, spelled: [.function("relu")], grad: "ReluBackward0", sameType),
        OpDef(.sign, .elementwise, arity: 1, spelled: [.function("sign")], grad: "SignBackward0", sameType),
        OpDef(.logicalNot, .elementwise, arity: 1, spelled: [.prefix("!")]) { types, _ in [TensorType(types[0].shape, .bool)] },
        OpDef(.cast, .elementwise, arity: 1, spelled: [.phrase("a conversion to an integer dtype")], grad: "ToCopyBackward0") { types, attrs in
            [TensorType(types[0].shape, attrs.dtype!)]
        },
        OpDef(.stopGradient, .opaque, arity: 1, aliasesOperand: true, spelled: [.method("detach")], sameType),

        OpDef(.add, .broadcast, arity: 2, spelled: [.infix("+"), .function("add")], grad: "AddBackward0", arithmetic),
        OpDef(.sub, .broadcast, arity: 2, spelled: [.infix("-"), .function("sub")], grad: "SubBackward0", arithmetic),
        OpDef(.mul, .broadcast, arity: 2, spelled: [.infix("*"), .function("mul")], grad: "MulBackward0", arithmetic),
        OpDef(.div, .broadcast, arity: 2, spelled: [.infix("/"), .function("div")], grad: "DivBackward0") { types, _ in
            [TensorType(try ShapeRules.broadcast(types[0].shape, types[1].shape), .float32)]
        },
        OpDef(.pow, .broadcast, arity: 2, cost: .transcendental, spelled: [.infix("**"), .function("pow")], grad: "PowBackward0", arithmetic),
        OpDef(.maximum, .broadcast, arity: 2, spelled: [.function("maximum")], grad: "MaximumBackward0", arithmetic),
        OpDef(.minimum, .broadcast, arity: 2, spelled: [.function("minimum")], grad: "MinimumBackward0", arithmetic),
        OpDef(.mod, .broadcast, arity: 2, spelled: [.infix("%")], grad: "RemainderBackward0", arithmetic),
        OpDef(.equal, .broadcast, arity: 2, spelled: [.infix("==")], comparison),
        OpDef(.notEqual, .broadcast, arity: 2, spelled: [.infix("!=")], comparison),
        OpDef(.less, .broadcast, arity: 2, spelled: [.infix("<")], comparison),
        OpDef(.lessEqual, .broadcast, arity: 2, spelled: [.infix("<=")], comparison),
        OpDef(.greater, .broadcast, arity: 2, spelled: [.infix(">")], comparison),
        OpDef(.greaterEqual, .broadcast, arity: 2, spelled: [.infix(">=")], comparison),
        OpDef(.logicalAnd, .broadcast, arity: 2, spelled: [.infix("&&")], comparison),
        OpDef(.logicalOr, .broadcast, arity: 2, spelled: [.infix("||")], comparison),
        OpDef(.select, .broadcast, arity: 3, spelled: [.function("where")], grad: "WhereBackward0") { types, _ in
            guard types[0].dtype == .bool else { throw OpTypeError("the condition of where() must be bool, not \(types[0].dtype)") }
            let shape = try ShapeRules.broadcast(types[0].shape, try ShapeRules.broadcast(types[1].shape, types[2].shape))
            return [TensorType(shape, DType.promote(types[1].dtype, types[2].dtype))]
        },

        OpDef(.reshape, .indexMap, arity: 1, aliasesOperand: true, spelled: [.method("reshape"), .method("view")], grad: "ViewBackward0") { types, attrs in
            let shape = attrs.shape!
            let count = try ShapeRules.checkedCount(shape)
            guard count == types[0].elementCount else {
                throw OpTypeError("cannot reshape a tensor of shape \(formatShape(types[0].shape)) (\(types[0].elementCount) elements) into shape \(formatShape(shape)) (\(count) elements)")
            }
            return [TensorType(shape, types[0].dtype)]
        },
        OpDef(.transpose, .indexMap, arity: 1, spelled: [.method("transpose")], grad: "TransposeBackward0") { types, attrs in
            let perm = attrs.permutation!
            guard perm.sorted() == Array(0..<types[0].rank) else {
                throw OpTypeError("permutation \(formatShape(perm)) is not valid for a tensor of rank \(types[0].rank)")
            }
            return [TensorType(perm.map { types[0].shape[$0] }, types[0].dtype)]
        },
        OpDef(.broadcastTo, .indexMap, arity: 1, grad: "ExpandBackward0") { types, attrs in
            let shape = attrs.shape!
            guard ShapeRules.broadcasts(types[0].shape, to: shape) else {
                throw OpTypeError("cannot broadcast shape \(formatShape(types[0].shape)) to \(formatShape(shape))")
            }
            return [TensorType(shape, types[0].dtype)]
        },

        OpDef(.reduceSum, .reduction, arity: 1, spelled: [.method("sum")], grad: "SumBackward0") { types, attrs in
            let dtype: DType = types[0].dtype == .float32 ? .float32 : .int64
            return [TensorType(try reducedShape(types[0], attrs), dtype)]
        },
        OpDef(.reduceMax, .reduction, arity: 1, spelled: [.method("max")], grad: "MaxBackward1") { types, attrs in
            [TensorType(try reducedShape(types[0], attrs), types[0].dtype)]
        },
        OpDef(.reduceMin, .reduction, arity: 1, spelled: [.method("min")], grad: "MinBackward1") { types, attrs in
            [TensorType(try reducedShape(types[0], attrs), types[0].dtype)]
        },
        OpDef(.argMax, .reduction, arity: 1, spelled: [.method("argmax")]) { types, attrs in [TensorType(try reducedShape(types[0], attrs), .int64)] },
        OpDef(.argMin, .reduction, arity: 1, spelled: [.method("argmin")]) { types, attrs in [TensorType(try reducedShape(types[0], attrs), .int64)] },

        OpDef(.matmul, .outEpilogue, arity: 2, spelled: [.function("matmul")], grad: "MmBackward0") { types, _ in
            // Matrices, or stacks of them whose leading (batch) dimensions broadcast: the
            // evaluator turns vectors into one-row and one-column matrices first.
            let (a, b) = (types[0], types[1])
            guard a.rank >= 2, b.rank >= 2 else {
                throw OpTypeError("matmul expects operands of at least 2 dimensions here, got \(formatShape(a.shape)) and \(formatShape(b.shape))")
            }
            let shape = try ShapeRules.matmul(a.shape, b.shape)
            guard a.dtype == b.dtype else {
                throw OpTypeError("matmul operands must have the same dtype, got \(a.dtype) and \(b.dtype)")
            }
            return [TensorType(shape, a.dtype)]
        },

        OpDef(.print, .control, arity: nil, effects: true, spelled: [.function("print")]) { _, _ in [] },
        OpDef(.save, .control, arity: 1, effects: true, spelled: [.function("save")]) { _, _ in [] },
        OpDef(.manualSeed, .control, arity: 0, effects: true, spelled: [.function("manualSeed")]) { _, _ in [] },
        OpDef(.gradient, .control, arity: nil, spelled: [.method("backward"), .function("grad")]) { types, attrs in
            Array(types.dropFirst(attrs.hasSeedGradient ? 2 : 1))
        },
        OpDef(.forLoop, .control, arity: nil, effects: true, spelled: [.phrase("for")]) { types, _ in types },
        OpDef(.ifElse, .control, arity: nil, effects: true, spelled: [.phrase("if")]) { _, _ in [] },
        OpDef(.yield, .control, arity: nil) { _, _ in [] },
        OpDef(.fusion, .opaque, arity: nil) { _, _ in [] },
    ]

    /// Sources take their type from attrs.shape and attrs.dtype.
    private static let source: @Sendable ([TensorType], Attributes) throws -> [TensorType] = { _, attrs in
        [TensorType(attrs.shape!, attrs.dtype!)]
    }

    private static let sameType: @Sendable ([TensorType], Attributes) throws -> [TensorType] = { types, _ in [types[0]] }

    /// Transcendental functions of integers give float32, as in PyTorch.
    private static let floatResult: @Sendable ([TensorType], Attributes) throws -> [TensorType] = { types, _ in
        [TensorType(types[0].shape, .float32)]
    }

    private static let arithmetic: @Sendable ([TensorType], Attributes) throws -> [TensorType] = { types, _ in
        [TensorType(try ShapeRules.broadcast(types[0].shape, types[1].shape), DType.promote(types[0].dtype, types[1].dtype))]
    }

    private static let comparison: @Sendable ([TensorType], Attributes) throws -> [TensorType] = { types, _ in
        [TensorType(try ShapeRules.broadcast(types[0].shape, types[1].shape), .bool)]
    }

    private static func reducedShape(_ type: TensorType, _ attrs: Attributes) throws -> [Int] {
        let axes = attrs.axes ?? Array(0..<type.rank)
        for axis in axes where axis < 0 || axis >= type.rank {
            throw OpTypeError("dimension \(axis) is out of range for a tensor of rank \(type.rank)")
        }
        return ShapeRules.reduced(type.shape, axes: axes, keepDim: attrs.keepDim)
    }
}
