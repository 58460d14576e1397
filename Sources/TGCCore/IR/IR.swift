import TGCBase

/// An SSA value: the result of an op or an argument of a block. Identity is the object.
public final class Value: Hashable, CustomStringConvertible {
    public let id: Int
    public let type: TensorType
    /// The op that defines this value, nil for block arguments.
    public internal(set) weak var definingOp: Op?

    init(id: Int, type: TensorType) {
        self.id = id
        self.type = type
    }

    public static func == (lhs: Value, rhs: Value) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
    public var description: String { "%\(id)" }
}

/// One operation: a kind, operands, typed results, attributes, nested regions and where it came from.
public final class Op {
    public let kind: OpKind
    public var operands: [Value]
    public internal(set) var results: [Value]
    public var attributes: Attributes
    public var regions: [Block]
    public let location: SourceLocation

    init(kind: OpKind, operands: [Value], results: [Value], attributes: Attributes,
         regions: [Block], location: SourceLocation) {
        self.kind = kind
        self.operands = operands
        self.results = results
        self.attributes = attributes
        self.regions = regions
        self.location = location
        for result in results { result.definingOp = self }
    }

    public var result: Value { results[0] }
}

/// An ordered list of ops with typed arguments (loop index and carried values for a loop body).
public final class Block {
    public var arguments: [Value]
    public var ops: [Op]

    public init(arguments: [Value] = [], ops: [Op] = []) {
        self.arguments = arguments
        self.ops = ops
    }

    /// The `yield` terminator's operands (empty when the block has no terminator).
    public var yielded: [Value] {
        guard let last = ops.last, last.kind == .yield else { return [] }
        return last.operands
    }
}

/// A whole program: one top-level block run once, and the counter that names values.
public final class Module {
    public var body: Block
    /// The program's `hyper(...)` values in order of declaration, run-time and fixed ones
    /// (generated programs list them in `--help`). Not part of the IR text.
    public var hyperparameters: [Hyperparameter] = []
    /// Set for `--distributed mpi`: the gradient-all-reduce pass averages the gradients of
    /// `backwardGradients` over the processes. Not part of the IR text.
    public var distribution: Distribution?
    /// The gradients each `gradient` op expanded into, recorded by the autodiff pass for the
    /// gradient-all-reduce pass. Not part of the IR text.
    public var backwardGradients: [BackwardGradients] = []
    private(set) var nextValueID = 0

    public init() { body = Block() }

    /// Creates a fresh value of `type`; every value in a module comes from here.
    public func makeValue(_ type: TensorType) -> Value {
        defer { nextValueID += 1 }
        return Value(id: nextValueID, type: type)
    }

    /// Creates an op whose results are fresh values of `resultTypes`.
    public func makeOp(_ kind: OpKind, _ operands: [Value], resultTypes: [TensorType],
                       attributes: Attributes = .none, regions: [Block] = [],
                       at location: SourceLocation) -> Op {
        Op(kind: kind, operands: operands, results: resultTypes.map(makeValue),
           attributes: attributes, regions: regions, location: location)
    }
}

extension Block {
    /// Every op in this block and its nested regions, in program order (pre-order).
    public func walk(_ visit: (Op) throws -> Void) rethrows {
        for op in ops {
            try visit(op)
            for region in op.regions { try region.walk(visit) }
        }
    }
}
