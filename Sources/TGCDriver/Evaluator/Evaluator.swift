import TGCBase
import TGCCore
import TGCSyntax

/// Walks the AST against a Builder. It never knows whether the Builder records IR (compiled
/// mode) or computes now (eager mode): both run exactly this code.
final class Evaluator {
    let builder: Builder
    /// The folder of the model file: relative `load` paths are resolved against it.
    let baseDirectory: String
    var environment = Environment()
    /// false inside `noGrad { }`: ops record no autograd history.
    var gradEnabled = true
    /// The `.grad` buffer of each leaf, by leaf key.
    var gradSlots: [Int: ValueID] = [:]
    /// Every leaf key handed out so far and the type of its tensor.
    var leafTypes: [Int: TensorType] = [:]
    /// The leaf keys updated in place (`w -= ...` under noGrad), in order: a loop or `if` reads
    /// the ones its body appended to know which leaves it gives a new version.
    var inPlaceLeafUpdates: [Int] = []
    /// Inside loop bodies: the handle a carried leaf had before the loop, by its block argument
    /// (the same tensor while the body keeps the leaf).
    var carriedLeafOrigins: [ValueID: ValueID] = [:]
    /// The handles of the leaf versions made so far (`requiresGrad = true`, in-place updates).
    var leafVersions = Set<ValueID>()
    /// Inlining depth of user functions (recursion guard).
    var callDepth = 0
    /// Nesting depth of runtime branches in the function being inlined (a `return` inside one
    /// cannot be compiled; a call inside one starts again from 0).
    var runtimeBranchDepth = 0
    /// Nesting depth of loop bodies: one trace serves every iteration.
    var loopBodyDepth = 0
    /// Loops with `break` or `continue` run so far (numbering their `LoopExits` flags).
    var loopExitCount = 0
    /// The texts a String variable carried through control flow may hold, by name (StateSlot.text).
    var carriedTexts: [String: [String]] = [:]
    /// The `if !stopped` guards (by location) of loops that switch modules' modes only
    /// unconditionally and before their exits (ModuleStateScan.settlesModesBeforeExits): every
    /// iteration ends in the same modes wherever it stops, so the guard may hold the switches.
    var settledExitGuards: Set<SourceLocation> = []
    /// `for` loops (by location) whose `break`/`continue` hang on the index alone, unrolled
    /// when compiled within the unroll limit (LoopExits.exitsDecidedBy).
    var indexDecidedExits: Set<SourceLocation> = []
    /// Where the properties of each module `init` being run are declared (innermost last):
    /// `self.x = v` sets property x even where a parameter x shadows it.
    var initializingProperties: [Range<Int>] = []
    /// Values that `backward()` has already run from: as in PyTorch, their graph is spent.
    var spentGraphs = Set<ValueID>()
    /// The relative paths of the safetensors files the program has saved so far, with the names
    /// and types saved: loading one reads it back from where it was written (the output
    /// directory), and need not exist when the program is compiled.
    var savedCheckpoints: [String: [(name: String, type: TensorType)]] = [:]
    /// The relative paths of the `.npy` files the program has saved so far, with the type
    /// written: loading one reads it back from the output directory, as a checkpoint.
    var savedArrays: [String: TensorType] = [:]
    /// The autograd metadata of a `.grad` that has history (`backward(createGraph: true)`), by
    /// key; it holds only while `gradSlots` still has the same handle for the key.
    var gradHistory: [Int: TensorValue] = [:]
    /// The leaves whose `.grad` is None though their slot holds zeros to add to (`zeroGrad()`, as
    /// PyTorch's `zero_grad(set_to_none=True)`, and a loop's slot for a gradient that did not
    /// exist before it), by key, with the loop-body depth where it became None: `w.grad` reads
    /// None at that depth (in a deeper loop body it is an error: None in the first iteration
    /// only), and `step()` skips the leaf. A backward() or an assignment makes it a gradient.
    var noneGradients: [Int: Int] = [:]
    /// The zeros `zeroGrad()` put in the slot of a gradient it made None, by key: a backward()
    /// that finds the slot still holding them and the gradient still None assigns its gradient,
    /// as PyTorch's AccumulateGrad does to a None `.grad` (no pass adding zeros; -0.0 stays -0.0).
    var clearedGradients: [Int: ValueID] = [:]
    /// The values that called `retainGrad()`, by the key of their `.grad`.
    var retainedValues: [Int: ValueID] = [:]

    /// `-D name=value` from the command line: the values of `hyper("name", ...)`.
    let hyperOverrides: [String: String]
    /// The hyperparameters declared so far, in order.
    var hyperparameters: [Hyperparameter] = []
    /// The values of run-time hyperparameters, by name: one used where a number must be known
    /// when compiling is fixed there (`hyperValue`).
    var hyperValues: [ValueID: String] = [:]

    init(builder: Builder, baseDirectory: String, hyperOverrides: [String: String] = [:]) {
        self.builder = builder
        self.baseDirectory = baseDirectory
        self.hyperOverrides = hyperOverrides
    }

    func run(_ program: Program) throws {
        try declareFunctions(program.statements)
        for statement in program.statements {
            if case .function(let decl) = statement.kind, decl.export != nil { _ = try Self.exportedParameterTypes(decl) }
        }
        for statement in program.statements {
            try execute(statement)
        }
        try checkHyperOverridesUsed()
        (builder as? GraphBuilder)?.module.hyperparameters = hyperparameters
    }

    /// Functions and struct types are visible in their whole scope (as in Swift), so declare them first.
    private func declareFunctions(_ statements: [Stmt]) throws {
        for statement in statements {
            let (name, value): (String, EvalValue)
            switch statement.kind {
            case .function(let decl): (name, value) = (decl.name, .function(decl))
            case .structDecl(let decl): (name, value) = (decl.name, .structType(decl))
            default: continue
            }
            if environment.isDeclaredHere(name) {
                throw Diagnostic("invalid redeclaration of '\(name)'", at: statement.location)
            }
            environment.declare(name, Binding(value: value, isMutable: false, location: statement.location))
        }
    }

    /// Runs statements in a new scope.
    func executeBlock(_ statements: [Stmt]) throws {
        environment.push()
        defer { environment.pop() }
        for statement in statements {
            if case .function(let decl) = statement.kind, let export = decl.export {
                throw Diagnostic("'@export' functions are declared at the top level of the program", at: export.location)
            }
        }
        try declareFunctions(statements)
        for statement in statements { try execute(statement) }
    }

    func execute(_ statement: Stmt) throws {
        let at = statement.location
        switch statement.kind {
        case .binding(let isMutable, let pattern, let type, let value):
            guard let value else {
                // Swift's deferred initialization: `var y: Tensor`, assigned before it is read.
                guard case .name = pattern, type != nil else {
                    throw Diagnostic("a variable declared without a value needs a name and a type: var name: Tensor", at: at)
                }
                return try bind(pattern, to: .void, mutable: isMutable, assigned: false)
            }
            try bind(pattern, to: Self.annotated(try evaluate(value), as: type), mutable: isMutable)
        case .assignment(let target, let op, let value):
            try assign(target, op: op, value: value, at: at)
        case .expression(let expr):
            _ = try evaluate(expr)
        case .forIn(let pattern, let sequence, let body):
            guard LoopExits.exits(body) else { return try executeFor(pattern, sequence, body, at: at) }
            if LoopExits.exitsDecidedBy(Set(MutationScan.boundNames(pattern)), body) { indexDecidedExits.insert(at) }
            defer { indexDecidedExits.remove(at) }
            try withLoopExits(body, at: at) { exits in
                try executeFor(pattern, sequence, exits.body(body, at: at), at: at, exitFlag: exits.stopped)
            }
        case .whileLoop(let condition, let body):
            guard LoopExits.exits(body) else { return try executeWhile(condition, body, at: at) }
            if case .boolLiteral(true) = condition.kind {
                // `while true { ...; if done { break } }`: left on a run-time value, a run-time loop
                return try withLoopExits(body, at: at) { exits in try executeRuntimeWhile(first: nil, condition: nil, body, exits, at: at) }
            }
            try withLoopExits(body, at: at) { exits in
                try executeWhile(exits.whileCondition(condition), exits.body(body, at: at), at: at, exits: exits,
                                 userCondition: condition, userBody: body)
            }
        case .ifElse(let condition, let then, let elseBody):
            try executeIf(condition, then, elseBody ?? [], at: at)
        case .function:
            break   // declared when its scope was entered
        case .structDecl(let decl):
            try checkModuleDeclaration(decl)
        case .returnValue(let expr):
            guard callDepth > 0 else { throw Diagnostic("'return' outside a function", at: at) }
            guard runtimeBranchDepth == 0 else {
                throw Diagnostic("'return' inside an 'if' on a tensor value cannot be compiled; assign to a variable and return after the 'if'", at: at)
            }
            throw ReturnSignal(value: try expr.map(evaluate) ?? .void)
        case .breakLoop:
            throw Diagnostic("'break' is only allowed inside a loop", at: at)
        case .continueLoop:
            throw Diagnostic("'continue' is only allowed inside a loop", at: at)
        }
    }

    /// Runs a loop whose body has `break` or `continue` through the flags of `LoopExits`,
    /// declared in a scope around the loop.
    func withLoopExits(_ body: [Stmt], at location: SourceLocation, _ run: (LoopExits) throws -> Void) throws {
        loopExitCount += 1
        let exits = LoopExits(loop: loopExitCount, body: body)
        let settled = builder is GraphBuilder && moduleStateScan.settlesModesBeforeExits(body) && settledExitGuards.insert(location).inserted
        defer { if settled { settledExitGuards.remove(location) } }
        environment.push()
        defer { environment.pop() }
        try execute(exits.declaration(at: location))
        try run(exits)
    }

    /// A number written as an integer where the annotation says floating point (`let f: Float = 2`,
    /// `[Double]` items, a `Float` parameter or result): the float, as Swift types the literal.
    static func annotated(_ value: EvalValue, as type: String?) -> EvalValue {
        guard var type = type?.filter({ !$0.isWhitespace }) else { return value }
        if type.hasPrefix("["), type.hasSuffix("]"), case .array(let items) = value {
            type = String(type.dropFirst().dropLast())
            return .array(items.map { annotated($0, as: type) })
        }
        if case .int(let number) = value, ["Float", "Double", "Float32", "Float64"].contains(type) { return .float(Double(number)) }
        return value
    }

    /// Binds a pattern (`x`, `_`, `(a, b)`) to a value in the current scope (a name without
    /// its value yet, `assigned` false: deferred initialization).
    func bind(_ pattern: Pattern, to value: EvalValue, mutable: Bool, assigned: Bool = true) throws {
        switch pattern {
        case .wildcard:
            break
        case .name(let name, let location):
            if environment.isDeclaredHere(name) {
                throw Diagnostic("invalid redeclaration of '\(name)'", at: location)
            }
            environment.declare(name, Binding(value: value, isMutable: mutable, location: location, isAssigned: assigned))
        case .tuple(let patterns, let location):
            let elements: [EvalValue]
            switch value {
            case .tuple(let items): elements = items
            case .namedTuple(_, let fields): elements = fields.map(\.1)
            default:
                // As Python unpacks a list: `let (train, test) = randomSplit(ds, [50000, 10000])`,
                // `let (n, c, h, w) = x.shape`.
                guard let items = value.arrayItems else {
                    throw Diagnostic("cannot destructure a value of type \(value.kindName) into \(patterns.count) names", at: location)
                }
                elements = items
            }
            guard elements.count == patterns.count else {
                throw Diagnostic("\(value.kindName) has \(elements.count) elements but the pattern has \(patterns.count)", at: location)
            }
            for (pattern, element) in zip(patterns, elements) { try bind(pattern, to: element, mutable: mutable) }
        }
    }
}

/// Unwinds an inlined function call to its `return`.
struct ReturnSignal: Error {
    var value: EvalValue
}
