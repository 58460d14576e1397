/// How an op's result elements read its operands (TVM's op patterns): what fusion, the memory
/// plan and the lowering need to know to merge, alias or schedule it.
public enum FusionClass: Sendable {
    /// Makes values from attributes or the outside world (constant, arange, rand, input, load).
    case source
    /// Result element i reads element i of every operand (same shapes).
    case elementwise
    /// Elementwise after broadcasting the operands to the result's shape.
    case broadcast
    /// Moves elements without computing (reshape, transpose, broadcastTo): each result index is
    /// an affine function of the loop indices, so it joins a kernel as a leaf.
    case indexMap
    /// Folds one or more axes (sum, max, argmax): absorbs elementwise producers.
    case reduction
    /// Reads or writes at indices taken from another tensor (gather, scatter, indexSelect).
    case gatherScatter
    /// A library call (matmul) whose elementwise consumer becomes its output epilogue.
    case outEpilogue
    /// Never fused: its own kernel or none.
    case opaque
    /// Effects and control flow.
    case control
}

/// What recomputing an op costs, for fusion's choice between recomputing and storing.
public enum CostClass: Sendable {
    case cheap
    /// exp, log, tanh, pow: worth computing once when several kernels read it.
    case transcendental
}

/// How an op is written in the language, for name resolution and messages.
public enum Spelling: Sendable, Hashable {
    /// `exp(x)` and `x.exp()`: a function that is also a tensor method.
    case function(String)
    /// A method only: `x.argmax()`.
    case method(String)
    /// An infix operator: `a + b`.
    case infix(String)
    /// A prefix operator: `-x`, `!mask`.
    case prefix(String)
    /// Several spellings (`x.int()`, `x.to(.int64)`) described in a phrase for messages.
    case phrase(String)

    /// The name used in messages: `exp()`, `argmax()`, `+`.
    public var text: String {
        switch self {
        case .function(let name), .method(let name): "\(name)()"
        case .infix(let symbol), .prefix(let symbol), .phrase(let symbol): symbol
        }
    }
}

/// Every fact about one op kind that is not a per-layer algorithm, in one place: arity, type
/// rule, fusion class, aliasing, cost, effects, spellings and PyTorch's backward-node name.
/// The per-layer algorithms (interpreter kernel, VJP rule, scalar rule, C lowering) are
/// exhaustive switches over `OpKind`, so the compiler names what a new kind forgot. A class:
/// eager mode reads its kind's definition on every op, and a reference is one retain.
public final class OpDef: Sendable {
    public let kind: OpKind
    /// The number of operands, nil when variadic (print, control flow, fusion).
    public let arity: Int?
    /// The result types for given operand types and attributes; throws on ill-typed use.
    public let inferType: @Sendable ([TensorType], Attributes) throws -> [TensorType]
    public let fusion: FusionClass
    /// The result is operand 0's storage under another type (reshape, detach): the memory plan
    /// aliases it instead of giving it a buffer.
    public let aliasesOperand: Bool
    public let cost: CostClass
    /// Ops with effects (printing, RNG, files) are never removed, merged or reordered.
    public let hasEffects: Bool
    /// The language's spellings, the first one used in messages; empty for IR-only ops.
    public let spellings: [Spelling]
    /// PyTorch's name for this op's backward node (`MulBackward0`), printed as `grad_fn=<...>`;
    /// nil exactly when the op has no derivative (VJPRules has a rule iff this is set).
    public let gradFunction: String?

    /// Whether gradients flow through this op (it has a VJP rule).
    public var isDifferentiable: Bool { gradFunction != nil }

    /// The name of its `f(x)` / `x.f()` spelling, if it has one.
    public var functionName: String? {
        for case .function(let name) in spellings { return name }
        return nil
    }

    /// How the op is named in messages: its first spelling, or its IR name.
    public var surfaceName: String { spellings.first?.text ?? IRPrinter.opName(kind) }

    init(_ kind: OpKind, _ fusion: FusionClass, arity: Int?, cost: CostClass = .cheap,
         aliasesOperand: Bool = false, effects: Bool = false, spelled spellings: [Spelling] = [],
         grad gradFunction: String? = nil,
         _ inferType: @escaping @Sendable ([TensorType], Attributes) throws -> [TensorType]) {
        self.kind = kind
        self.arity = arity
        self.fusion = fusion
        self.aliasesOperand = aliasesOperand
        self.cost = cost
        self.hasEffects = effects
        self.spellings = spellings
        self.gradFunction = gradFunction
        self.inferType = inferType
    }
}

extension OpKind {
    /// The definition of this op kind.
    public var definition: OpDef { OpTable.definitions[self]! }

    /// The number of operands an op of this kind takes, nil when variadic.
    public var arity: Int? { definition.arity }

    /// The elementwise kinds with `arity` operands spelled as functions (`exp(x)` and
    /// `x.exp()`; `maximum(a, b)`), by function name: what the language resolves them from.
    public static func elementwiseFunctions(arity: Int) -> [String: OpKind] {
        var table: [String: OpKind] = [:]
        for kind in allCases where kind.arity == arity {
            switch kind.definition.fusion {
            case .elementwise, .broadcast:
                if let name = kind.definition.functionName { table[name] = kind }
            case .source, .indexMap, .reduction, .gatherScatter, .outEpilogue, .opaque, .control:
                break
            }
        }
        return table
    }
}
