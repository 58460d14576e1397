/// The shape/dtype rule, fusion class and effects of every op kind: one entry per op.
enum OpTable {
    static let definitions: [OpKind: OpDef] = {
        var table: [OpKind: OpDef] = [:]
        for def in all { table[def.kind] = def }
        precondition(table.count == OpKind.allCases.count, "every OpKind needs an OpDef")
        return table
    }()

    private static let all: [OpDef] = [
        OpDef(.constant, .injective, source),
        OpDef(.arange, .injective, source),
        OpDef(.randUniform, .opaque, effects: true, source),
        OpDef(.randNormal, .opaque, effects: true, source),
        OpDef(.input, .opaque, source),
        OpDef(.load, .opaque, effects: true, source),

        OpDef(.neg, .elementwise) { types, _ in
            guard types[0].dtype != .bool else {
                throw OpTypeError("negation ('-') of a bool tensor is not supported; use '!' to invert a mask")
            }
            return [types[0]]
        },
        OpDef(.exp, .elementwise, floatResult),
        OpDef(.log, .elementwise, floatResult),
        OpDef(.sin, .elementwise, floatResult),
        OpDef(.cos, .elementwise, floatResult),
        OpDef(.tanh, .elementwise, floatResult),
        OpDef(.sqrt, .elementwise, floatResult),
        OpDef(.sigmoid, .elementwise, floatResult),
        OpDef(.abs, .elementwise, sameType),
        OpDef(.relu, .elementwise, sameType),
        OpDef(.sign, .elementwise, sameType),
        OpDef(.logicalNot, .elementwise) { types, _ in [TensorType(types[0].shape, .bool)] },
        OpDef(.cast, .elementwise) { types, attrs in [TensorType(types[0].shape, attrs.dtype!)] },
        OpDef(.stopGradient, .elementwise, sameType),

        OpDef(.add, .broadcast, arithmetic),
        OpDef(.sub, .broadcast, arithmetic),
        OpDef(.mul, .broadcast, arithmetic),
        OpDef(.div, .broadcast) { types, _ in [TensorType(try ShapeRules.broadcast(types[0].shape, types[1].shape), .float32)] },
        OpDef(.pow, .broadcast, arithmetic),
        OpDef(.maximum, .broadcast, arithmetic),
        OpDef(.minimum, .broadcast, arithmetic),
        OpDef(.mod, .broadcast, arithmetic),
        OpDef(.equal, .broadcast, comparison),
        OpDef(.notEqual, .broadcast, comparison),
        OpDef(.less, .broadcast, comparison),
        OpDef(.lessEqual, .broadcast, comparison),
        OpDef(.greater, .broadcast, comparison),
        OpDef(.greaterEqual, .broadcast, comparison),
        OpDef(.logicalAnd, .broadcast, comparison),
        OpDef(.logicalOr, .broadcast, comparison),
        OpDef(.select, .broadcast) { types, _ in
            guard types[0].dtype == .bool else { throw OpTypeError("the condition of where() must be bool, not \(types[0].dtype)") }
            let shape = try ShapeRules.broadcast(types[0].shape, try ShapeRules.broadcast(types[1].shape, types[2].shape))
            return [TensorType(shape, DType.promote(types[1].dtype, types[2].dtype))]
        },

        OpDef(.reshape, .injective) { types, attrs in
            let shape = attrs.shape!
            let count = try ShapeRules.checkedCount(shape)
            guard count == types[0].elementCount else {
                throw OpTypeError("cannot reshape a tensor of shape \(formatShape(types[0].shape)) (\(types[0].elementCount) elements) into shape \(formatShape(shape)) (\(count) elements)")
            }
            return [TensorType(shape, types[0].dtype)]
        },
        OpDef(.transpose, .injective) { types, attrs in
            let perm = attrs.permutation!
            guard perm.sorted() == Array(0..<types[0].rank) else {
                throw OpTypeError("permutation \(formatShape(perm)) is not valid for a tensor of rank \(types[0].rank)")
            }
            return [TensorType(perm.map { types[0].shape[$0] }, types[0].dtype)]
        },
        OpDef(.broadcastTo, .broadcast) { types, attrs in
            let shape = attrs.shape!
            guard ShapeRules.broadcasts(types[0].shape, to: shape) else {
                throw OpTypeError("cannot broadcast shape \(formatShape(types[0].shape)) to \(formatShape(shape))")
            }
            return [TensorType(shape, types[0].dtype)]
        },

        OpDef(.reduceSum, .reduction) { types, attrs in
            let dtype: DType = types[0].dtype == .float32 ? .float32 : .int64
            return [TensorType(try reducedShape(types[0], attrs), dtype)]
        },
        OpDef(.reduceMax, .reduction) { types, attrs in [TensorType(try reducedShape(types[0], attrs), types[0].dtype)] },
        OpDef(.reduceMin, .reduction) { types, attrs in [TensorType(try reducedShape(types[0], attrs), types[0].dtype)] },
        OpDef(.argMax, .reduction) { types, attrs in [TensorType(try reducedShape(types[0], attrs), .int64)] },
        OpDef(.argMin, .reduction) { types, attrs in [TensorType(try reducedShape(types[0], attrs), .int64)] },

        OpDef(.matmul, .outEpilogue) { types, _ in
            let (a, b) = (types[0], types[1])
            guard a.rank == 2, b.rank == 2 else {
                throw OpTypeError("matmul expects 2-D operands here, got \(formatShape(a.shape)) and \(formatShape(b.shape))")
            }
            guard a.shape[1] == b.shape[0] else {
                throw OpTypeError("matmul shape mismatch: \(formatShape(a.shape)) and \(formatShape(b.shape)) (inner dimensions \(a.shape[1]) and \(b.shape[0]) differ)")
            }
            guard a.dtype == b.dtype else {
                throw OpTypeError("matmul operands must have the same dtype, got \(a.dtype) and \(b.dtype)")
            }
            return [TensorType([a.shape[0], b.shape[1]], a.dtype)]
        },

        OpDef(.print, .control, effects: true) { _, _ in [] },
        OpDef(.save, .control, effects: true) { _, _ in [] },
        OpDef(.manualSeed, .control, effects: true) { _, _ in [] },
        OpDef(.gradient, .control) { types, attrs in Array(types.dropFirst(attrs.hasSeedGradient ? 2 : 1)) },
        OpDef(.forLoop, .control, effects: true) { types, _ in types },
        OpDef(.ifElse, .control, effects: true) { _, _ in [] },
        OpDef(.yield, .control) { _, _ in [] },
        OpDef(.fusion, .opaque) { _, _ in [] },
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
