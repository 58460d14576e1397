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
        /// PyTorch's name where it is not the producer's: a gradient made by one of
        /// `fusedBackwardNodes`' rules, or a sum that keeps its dims.
        public var fusedName: String?
        /// The values of `requiring` (the leaves) that the gradient's history reaches, nil when
        /// unknown: d(a·b)/da is b, so a backward from it gives `a` no gradient.
        public var sources: Set<ValueID>?

        public init(requiresGrad: Bool, producer: OpKind?, fusedName: String? = nil, sources: Set<ValueID>? = nil) {
            self.requiresGrad = requiresGrad
            self.producer = producer
            self.fusedName = fusedName
            self.sources = sources
        }

        /// The `grad_fn` PyTorch prints for the gradient.
        public var gradFunction: String? { fusedName ?? producer?.definition.gradFunction }
    }

    /// The history of each gradient of `output` (weighted by `seed`) with respect to `wrt`, over
    /// `entries` (the ops recorded so far, in program order). `requiring` holds the values that
    /// require grad (the leaves); what the entries compute from them differentiably does too.
    /// The `gradient` ops among the entries (IR, before the autodiff pass) are expanded by the
    /// dry run first, in order, as the pass does. nil when a loop or an `if` lies on the
    /// gradient's path (the dry run does not enter them).
    public static func nodes(of output: ValueID, seed: ValueID?, wrt: [ValueID], entries: [TapeEntry],
                             requiring: Set<ValueID>, types: @escaping (ValueID) -> TensorType,
                             at location: SourceLocation) throws -> [Node]? {
        let dryRun = DryRunBuilder(types: types, requiring: requiring)
        var expanded: [TapeEntry] = []
        var substitutes: [ValueID: ValueID] = [:]
        // The results of earlier gradient ops that a loop or `if` kept from being expanded.
        var unexpanded = Set<ValueID>()
        func sweep(_ output: ValueID, _ seed: ValueID?, _ wrt: [ValueID], at location: SourceLocation) throws -> [ValueID] {
            let find = { (value: ValueID) in substitutes[value] ?? value }
            return try ReverseSweep.gradients(of: find(output), seed: seed.map(find), wrt: wrt.map(find), entries: expanded,
                                              builder: dryRun, observer: { dryRun.rule = $0 }, at: location)
        }
        do {
            for var entry in entries {
                entry.operands = entry.operands.map { substitutes[$0] ?? $0 }
                for (result, type) in zip(entry.results, entry.resultTypes ?? []) { dryRun.declare(result, type) }
                guard entry.kind == .gradient else {
                    if entry.kind.definition.isDifferentiable && entry.operands.contains(where: dryRun.requiring.contains) {
                        dryRun.requiring.formUnion(entry.results)
                    }
                    expanded.append(entry)
                    continue
                }
                let hasSeed = entry.attributes.hasSeedGradient
                do {
                    let gradients = try sweep(entry.operands[0], hasSeed ? entry.operands[1] : nil,
                                              Array(entry.operands.dropFirst(hasSeed ? 2 : 1)), at: entry.location)
                    expanded += dryRun.takeBuilt()
                    for (result, gradient) in zip(entry.results, gradients) { substitutes[result] = gradient }
                } catch is ControlFlowOnGradientPath {
                    _ = dryRun.takeBuilt()
                    expanded.append(entry)
                    unexpanded.formUnion(entry.results)
                }
            }
            // A gradient on the way that could not be expanded: unknown.
            guard sources(unexpanded, reaching: substitutes[output] ?? output, through: expanded).isEmpty else { return nil }
            let gradients = try sweep(output, seed, wrt, at: location)
            let swept = expanded + dryRun.takeBuilt()
            return gradients.map { gradient in
                let producer = dryRun.producers[gradient]
                let owner = dryRun.owners[gradient]
                var name = producer.flatMap { $0 == .add ? nil : owner.flatMap { fusedBackwardNodes[$0.kind] } }
                if producer == .reduceSum || producer == .cascadeSum, dryRun.keepsDims.contains(gradient) {
                    name = "SumBackward1"   // sum_to_size, undoing a broadcast: PyTorch's sum over a list of dims
                }
                if name == nil, let owner, let producer {
                    name = vectorProductName(producer, owner: owner, entries: expanded, type: dryRun.type(of:))
                }
                return Node(requiresGrad: dryRun.requiring.contains(gradient), producer: producer, fusedName: name,
                            sources: Self.sources(requiring, reaching: gradient, through: swept))
            }
        } catch is ControlFlowOnGradientPath {
            return nil
        }
    }

    /// Which of `sources` `output` depends on differentiably through `entries` (in program
    /// order): a walk back from `output`, so its cost does not grow with the sources.
    public static func sources(_ sources: Set<ValueID>, reaching output: ValueID, through entries: [TapeEntry]) -> Set<ValueID> {
        var producer: [ValueID: Int] = [:]
        for (index, entry) in entries.enumerated() where entry.kind.definition.isDifferentiable {
            for result in entry.results { producer[result] = index }
        }
        var reached = Set<ValueID>()
        var stack = [output]
        while let value = stack.popLast() {
            guard reached.insert(value).inserted, let index = producer[value] else { continue }
            stack.append(contentsOf: entries[index].operands)
        }
        return sources.intersection(reached)
    }

    /// PyTorch's name for a gradient through `matmul` with one vector operand, which tgc computes
    /// as a matrix product of the vector viewed as a one-row or one-column matrix, and PyTorch
    /// with `mv`, an outer product or a squeeze: in matrix × vector the matrix's gradient is
    /// `MulBackward0` (an outer product) and the vector's `MvBackward0`; in vector × matrix the
    /// vector's is `SqueezeBackward1`. `owner` is the entry whose rule made the gradient; nil
    /// for any other gradient.
    static func vectorProductName(_ producer: OpKind, owner: TapeEntry, entries: [TapeEntry],
                                  type: (ValueID) -> TensorType) -> String? {
        /// Whether `value` is a vector's matrix view that a matmul reads as operand `position`,
        /// with a matrix (not a batch) on the other side.
        func isVectorView(_ value: ValueID, readAs position: Int) -> Bool {
            guard let view = entries.last(where: { $0.results.contains(value) }), view.kind == .reshape,
                  type(view.operands[0]).rank == 1 else { return false }
            return entries.contains { $0.kind == .matmul && $0.operands[position] == value && type($0.operands[1 - position]).rank == 2 }
        }
        switch (producer, owner.kind) {
        case (.matmul, .matmul):
            let matrixTimesVector = isVectorView(owner.operands[1], readAs: 1) && !isVectorView(owner.operands[0], readAs: 0)
            return matrixTimesVector ? "MulBackward0" : nil
        case (.reshape, .reshape) where type(owner.operands[0]).rank == 1:
            if isVectorView(owner.results[0], readAs: 1) { return "MvBackward0" }
            if isVectorView(owner.results[0], readAs: 0) { return "SqueezeBackward1" }
            return nil
        default:
            return nil
        }
    }

    /// The forward ops whose derivative PyTorch computes with one differentiable backward op
    /// (tgc's rule builds it from several): a gradient their rule made is named after it.
    static let fusedBackwardNodes: [OpKind: String] = [
        .tanh: "TanhBackwardBackward0",
        .sigmoid: "SigmoidBackwardBackward0",
        .relu: "ThresholdBackwardBackward0",
    ]
}

/// A Builder that only infers types and tracks which new values require grad and which op
/// made each: the reverse sweep's rules run through it without building or computing anything.
private final class DryRunBuilder: Builder {
    private let baseTypes: (ValueID) -> TensorType
    private var newTypes: [ValueID: TensorType] = [:]
    var requiring: Set<ValueID>
    /// The ops built since the last `takeBuilt()`, as entries a later sweep can differentiate.
    private var built: [TapeEntry] = []
    private(set) var producers: [ValueID: OpKind] = [:]
    /// The new values made by a reduction that keeps its dims.
    private(set) var keepsDims = Set<ValueID>()
    /// The forward entry whose derivative rule made each new value.
    private(set) var owners: [ValueID: TapeEntry] = [:]
    /// The entry whose derivative rule runs now.
    var rule: TapeEntry?
    /// New handles count down from here, clear of every real value's.
    private var nextRaw = Int.max

    init(types: @escaping (ValueID) -> TensorType, requiring: Set<ValueID>) {
        self.baseTypes = types
        self.requiring = requiring
    }

    func type(of value: ValueID) -> TensorType { newTypes[value] ?? baseTypes(value) }

    /// A handle that only the entries know (a value of an unrolled loop body).
    func declare(_ value: ValueID, _ type: TensorType) { newTypes[value] = type }

    func apply(_ kind: OpKind, _ operands: [ValueID], _ attributes: Attributes,
               at location: SourceLocation) throws -> [ValueID] {
        let resultTypes: [TensorType]
        do {
            resultTypes = try kind.definition.inferType(operands.map(type(of:)), attributes)
        } catch let error as OpTypeError {
            throw Diagnostic(error.message, at: location)
        }
        // A fused PyTorch backward node (threshold_backward for relu) is differentiable in the
        // forward values it reads, even where tgc's rule passes them through a comparison.
        let readsForward = rule.map { GradientHistory.fusedBackwardNodes[$0.kind] != nil
            && ($0.operands + $0.results).contains(where: requiring.contains) } ?? false
        let requires = kind.definition.isDifferentiable && (operands.contains(where: requiring.contains) || (readsForward && !operands.isEmpty))
        let results = resultTypes.map { resultType in
            let id = ValueID(raw: nextRaw)
            nextRaw -= 1
            newTypes[id] = resultType
            producers[id] = kind
            owners[id] = rule
            if attributes.keepDim { keepsDims.insert(id) }
            if requires { requiring.insert(id) }
            return id
        }
        built.append(TapeEntry(kind: kind, operands: operands, results: results, attributes: attributes, location: location))
        return results
    }

    /// The ops built since the last call.
    func takeBuilt() -> [TapeEntry] {
        defer { built = [] }
        return built
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
