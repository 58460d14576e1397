import TGCCore

/// Generates random well-typed programs (as `GenUnit`s) over every op of the language:
/// broadcasting with size-1 and odd dims, reductions over each axis, matmul chains, reshapes
/// and transposes, loops with state, `if`s on tensor conditions, `grad(of:wrt:)` and
/// `backward()` training loops. Value ranges are tracked (`ValueRange`) so programs stay
/// finite: a difference between backends is a bug, not an overflow.
public struct ProgramGenerator: Sendable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// A unit whose names and files start with `prefix`.
    public func unit(named prefix: String) -> GenUnit {
        let builder = UnitBuilder(seed: seed, prefix: prefix)
        builder.generate()
        return GenUnit(prefix: prefix, statements: builder.statements, dataFiles: builder.dataFiles)
    }
}

/// A value in scope while generating, with what the generator knows about it.
struct GenValue {
    var name: String
    var type: TensorType
    var mutable = false
    var requiresGrad = false
    var expr: GenExpr { .name(name, type) }
}

/// The mutable state of generating one unit: the statements so far, the values in scope and
/// their ranges. Nested blocks (loop and branch bodies) are generated with `block(_:)`.
final class UnitBuilder {
    var rng: SplitMix64
    let prefix: String
    var statements: [GenStatement] = []
    var scope: [GenValue] = []
    var state = AbstractState()
    var dataFiles: [(name: String, tensor: Tensor)] = []
    private var counter = 0

    /// At most this many elements in any generated tensor.
    static let maximumElements = 120

    init(seed: UInt64, prefix: String) {
        rng = SplitMix64(seed: seed)
        self.prefix = prefix
    }

    func freshName(_ stem: String) -> String {
        counter += 1
        return "\(prefix)_\(stem)\(counter)"
    }

    func range(of expr: GenExpr) -> ValueRange? { expr.range(in: state.ranges) }
    func range(of value: GenValue) -> ValueRange { state.ranges[value.name] ?? .unknown }

    /// Appends a statement and updates the ranges; false (and nothing appended) if unsafe.
    @discardableResult
    func emit(_ statement: GenStatement) -> Bool {
        var next = state
        guard next.run(statement) else { return false }
        state = next
        statements.append(statement)
        return true
    }

    /// `let name = value` (or `var`); the new value, or nil if the value is unsafe.
    @discardableResult
    func bind(_ value: GenExpr, stem: String = "v", mutable: Bool = false, requiresGrad: Bool = false) -> GenValue? {
        let name = freshName(stem)
        guard emit(.bind(name, value, mutable: mutable)) else { return nil }
        let result = GenValue(name: name, type: value.type, mutable: mutable, requiresGrad: requiresGrad)
        scope.append(result)
        return result
    }

    /// Runs `body` into a fresh statement list (a nested block), restoring the scope after it.
    func block(_ body: () -> Void) -> [GenStatement] {
        let (savedStatements, savedScope) = (statements, scope)
        statements = []
        body()
        let result = statements
        (statements, scope) = (savedStatements, savedScope)
        return result
    }

    /// The values in scope that satisfy `predicate`, bounded ones only unless `anyRange`.
    func values(anyRange: Bool = false, _ predicate: (GenValue) -> Bool = { _ in true }) -> [GenValue] {
        scope.filter { (anyRange || range(of: $0).isBounded) && predicate($0) }
    }

    func generate() {
        statements.append(.seed(Int(rng.next() % 1000)))
        for _ in 0..<Int.random(in: 2...3, using: &rng) { _ = leaf(shape: randomShape(), dtype: rng.chance(0.8) ? .float32 : .int64) }
        for _ in 0..<Int.random(in: 5...12, using: &rng) { statement() }
        finish()
    }

    /// One random statement of any kind.
    func statement() {
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<50: _ = bind(expression(depth: Int.random(in: 0...2, using: &rng)) ?? leafExpr(shape: randomShape(), dtype: .float32))
        case 50..<60: loop()
        case 60..<68: branch()
        case 68..<76: gradient()
        case 76..<82: training()
        case 82..<87: matmulChain()
        case 87..<92: destructure()
        case 92..<95: specialValues()
        case 95..<98: leafAlias()
        default: _ = leaf(shape: randomShape(), dtype: rng.pick([.float32, .float32, .int64, .bool]))
        }
    }

    /// Saves the unit's results (every gradient and some other values) and prints exact ones.
    func finish() {
        let gradients = scope.filter { !range(of: $0).isBounded }
        let others = scope.filter { range(of: $0).isBounded }.suffix(8).shuffled(using: &rng).prefix(4)
        for value in gradients + others {
            statements.append(.save(value.name, file: "\(value.name).npy"))
        }
        for value in scope.filter({ $0.type.dtype != .float32 }).suffix(2) {
            statements.append(.print(value.name, label: prefix, member: value.type.rank <= 1 && value.type.elementCount <= 6 ? "" : ".sum()"))
        }
        if let value = scope.last { statements.append(.print(value.name, label: prefix, member: ".shape")) }
    }
}
