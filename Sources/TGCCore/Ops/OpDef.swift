/// How an op may be fused (TVM's op patterns): elementwise and broadcast ops merge into loops,
/// reductions absorb producers, `outEpilogue` ops (matmul) take elementwise consumers.
public enum FusionClass: Sendable {
    case elementwise, broadcast, injective, reduction, outEpilogue, opaque, control
}

/// What every layer needs to know about one op kind, found in one place.
public struct OpDef: Sendable {
    public let kind: OpKind
    /// The result types for given operand types and attributes; throws on ill-typed use.
    public let inferType: @Sendable ([TensorType], Attributes) throws -> [TensorType]
    public let fusion: FusionClass
    /// Ops with effects (printing, RNG, files) are never removed, merged or reordered.
    public let hasEffects: Bool

    init(_ kind: OpKind, _ fusion: FusionClass, effects: Bool = false,
         _ inferType: @escaping @Sendable ([TensorType], Attributes) throws -> [TensorType]) {
        self.kind = kind
        self.fusion = fusion
        self.hasEffects = effects
        self.inferType = inferType
    }
}

extension OpKind {
    /// The definition of this op kind.
    public var definition: OpDef { OpTable.definitions[self]! }

    /// The number of operands an op of this kind takes, nil when variadic.
    public var arity: Int? {
        switch self {
        case .constant, .arange, .randUniform, .randNormal, .input, .load, .manualSeed: 0
        case .neg, .exp, .log, .sin, .cos, .tanh, .sqrt, .abs, .relu, .sigmoid, .sign, .logicalNot,
             .cast, .stopGradient, .reshape, .transpose, .broadcastTo,
             .reduceSum, .reduceMax, .reduceMin, .argMax, .argMin, .save: 1
        case .add, .sub, .mul, .div, .pow, .maximum, .minimum, .mod, .equal, .notEqual, .less,
             .lessEqual, .greater, .greaterEqual, .logicalAnd, .logicalOr, .matmul: 2
        case .select: 3
        case .print, .gradient, .forLoop, .ifElse, .yield, .fusion: nil
        }
    }
}
