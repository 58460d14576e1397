import TGCBase

/// What a gradient built with `createGraph` records as PyTorch's autograd would: whether it
/// requires grad (its adjoint ops read a value that does) and the kind of the op that produced
/// it (its `grad_fn`). Found by a dry run of the reverse sweep through a builder that builds
/// nothing, so the evaluator knows it in both modes before the autodiff pass runs.
public enum GradientHistory {
    /// The history of one gradient: `producer` is nil when the gradient is a constant.
    public struct Node: Equatable, Sendable {
        public var requiresGrad: Bool
        public var producer: OpKind?

        public init(requiresGrad: Bool, producer: OpKind?) {
            self.requiresGrad = requiresGrad
            self.producer = producer
        }
    }

    /// The history of each gradient of `output` (weighted by `seed`) with respect to `wrt`, over
    /// `entries` (the ops recorded so far, in program order). `requiring` holds the values that
    /// require grad (the leaves); what the entries compute from them differentiably does too.
    /// nil when a loop or an `if` lies on the gradient's path (the dry run does not enter them).
    public static func nodes(of output: ValueID, seed: ValueID?, wrt: [ValueID], entries: [TapeEntry],
                             requiring: Set<ValueID>, types: @escaping (ValueID) -> TensorType,
                             at location: SourceLocation) throws -> [Node]? {
        var requires = requiring
        for entry in entries where entry.kind.definition.isDifferentiable && entry.operands.contains(where: requires.contains) {
            requires.formUnion(entry.results)
        }
        let dryRun = DryRunBuilder(types: types, requiring: requires)
        let gradients: [ValueID]
        do {
            gradients = try ReverseSweep.gradients(of: output, seed: seed, wrt: wrt, entries: entries,
                                                   builder: dryRun, at: location)
        } catch is ControlFlowOnGradientPath {
            return nil
        }
        return gradients.map { Node(requiresGrad: dryRun.requiring.contains($0), producer: dryRun.producers[$0]) }
    }
}

/// A Builder that only infers types and tracks which new values require grad and which op
/// made each: the reverse sweep's rules run through it without building or computing anything.
private final class DryRunBuilder: Builder {
    private let baseTypes: (ValueID) -> TensorType
    private var newTypes: [ValueID: TensorType] = [:]
    private(set) var requiring: Set<ValueID>
    private(set) var producers: [ValueID: OpKind] = [:]
    /// New handles count down from here, clear of every real value's.
    private var nextRaw = Int.max

    init(types: @escaping (ValueID) -> TensorType, requiring: Set<ValueID>) {
        self.baseTypes = types
        self.requiring = requiring
    }

    func type(of value: ValueID) -> TensorType { newTypes[value] ?? baseTypes(value) }

    func apply(_ kind: OpKind, _ operands: [ValueID], _ attributes: Attributes,
               at location: SourceLocation) throws -> [ValueID] {
        let resultTypes: [TensorType]
        do {
            resultTypes = try kind.definition.inferType(operands.map(type(of:)), attributes)
        } catch let error as OpTypeError {
            throw Diagnostic(error.message, at: location)
        }
        let requires = kind.definition.isDifferentiable && operands.contains(where: requiring.contains)
        return resultTypes.map { resultType in
            let id = ValueID(raw: nextRaw)
            nextRaw -= 1
            newTypes[id] = resultType
            producers[id] = kind
            if requires { requiring.insert(id) }
            return id
        }
    }

    func loop(_ range: Range<Int>, carrying: [ValueID], at location: SourceLocation,
              body: (ValueID, [ValueID]) throws -> [ValueID]) throws -> [ValueID] {
        throw ControlFlowOnGradientPath(entry: 0)
    }

    func branch(_ condition: ValueID, carrying: [ValueID], at location: SourceLocation,
                then: ([ValueID]) throws -> [ValueID], else: ([ValueID]) throws -> [ValueID]) throws -> [ValueID] {
        throw ControlFlowOnGradientPath(entry: 0)
    }

    func gradient(of output: ValueID, seed: ValueID?, wrt: [ValueID], at location: SourceLocation) throws -> [ValueID] {
        throw ControlFlowOnGradientPath(entry: 0)
    }

    func recordedEntries() -> [TapeEntry] { [] }
}
