import TGCBase
import TGCCore
import TGCSyntax

/// A piece of mutable state that control flow must thread: a variable, a leaf's `.grad`, a
/// parameter an optimizer updates (leaf key; held by module fields and variables), a state
/// tensor of an optimizer, or a scheduler's state. Each slot carries exactly one tensor
/// through `Builder.loop` and `Builder.branch`.
enum StateSlot: Hashable {
    case variable(String)
    /// A String variable (`status = "converged"` under an `if` on a run-time value): carried
    /// as the int64 index of its text among `carriedTexts[name]`.
    case text(String)
    case grad(Int)
    case parameter(Int)
    case optimizerState(OptimizerState)
    case buffer(ModuleBuffer)
    case scheduler(SchedulerState)
}

/// A buffer of a module (batch norm's running statistics), which calling the module updates.
struct ModuleBuffer: Hashable {
    let module: ModuleObject
    let field: String

    static func == (a: Self, b: Self) -> Bool { a.module === b.module && a.field == b.field }
    func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(module))
        hasher.combine(field)
    }

    var value: TensorValue {
        get { if case .tensor(let tensor)? = module.field(field) { tensor } else { preconditionFailure("buffer \(field) is a tensor") } }
        nonmutating set { module.fields[module.fields.firstIndex { $0.name == field }!].value = .tensor(newValue) }
    }
}

/// One state tensor of an optimizer: `state[array][parameter]`, its step count, or its
/// learning rate (a float64 host scalar while carried).
struct OptimizerState: Hashable {
    enum Entry: Hashable { case steps, learningRate, tensor(array: Int, parameter: Int) }
    let optimizer: OptimizerObject
    let entry: Entry

    static func == (a: Self, b: Self) -> Bool { a.optimizer === b.optimizer && a.entry == b.entry }
    func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(optimizer))
        hasher.combine(entry)
    }

    /// The value; the learning rate's only once it is a tensor (`Evaluator.learningRateTensor`).
    var value: TensorValue {
        get {
            switch entry {
            case .steps: return optimizer.steps
            case .tensor(let array, let parameter): return optimizer.state[array][parameter]
            case .learningRate:
                guard case .tensor(let lr) = optimizer.learningRate else { preconditionFailure("a carried learning rate is a tensor") }
                return lr
            }
        }
        nonmutating set {
            switch entry {
            case .steps: optimizer.steps = newValue
            case .tensor(let array, let parameter): optimizer.state[array][parameter] = newValue
            case .learningRate: optimizer.learningRate = .tensor(TensorValue(id: newValue.id, isHostScalar: true))
            }
        }
    }

    /// Every state tensor of the optimizer, the step count first.
    static func all(of optimizer: OptimizerObject) -> [OptimizerState] {
        [OptimizerState(optimizer: optimizer, entry: .steps)]
            + optimizer.state.indices.flatMap { array in
                optimizer.parameters.indices.map { OptimizerState(optimizer: optimizer, entry: .tensor(array: array, parameter: $0)) }
            }
    }
}

extension Evaluator {
    func executeFor(_ pattern: Pattern, _ sequence: Expr, _ body: [Stmt], at location: SourceLocation,
                    progress: ProgressLabel? = nil, exitFlag: String? = nil) throws {
        if progress == nil, let (wrapped, label) = try progressWrapper(sequence) {
            return try executeFor(pattern, wrapped, body, at: location, progress: label, exitFlag: exitFlag)
        }
        guard let (first, count, step) = try steppedRange(sequence) else {
            return try executeForEach(pattern, sequence, body, progress: progress, exitFlag: exitFlag)
        }
        var slicing = IndexSlicingScan(index: MutationScan.boundNames(pattern)) { name in
            switch self.environment.lookup(name)?.value {
            case .array?, .size?, .keys?, .tuple?: true
            default: false
            }
        }
        let indexDecided = indexDecidedExits.contains(location) && builder is GraphBuilder && count <= Self.compiledUnrollLimit
        if compileTimeState(assignedIn: body) || slicing.slices(body) || moduleStateScan.changes(body) || indexDecided {
            // `layers.append(Linear(4, 4))`: an array (or string) that grows has a length known
            // only by running the body once per index, with the index a compile-time Int; so
            // has a slice `x[i ..< i + batch]` (the last one may be shorter, as in PyTorch).
            // Compiled, every iteration is traced into the IR; eager mode runs them as they come.
            let limit = builder is GraphBuilder ? Self.compiledUnrollLimit : 1_000_000
            guard count <= limit else {
                throw Diagnostic("a loop that grows an array or a dictionary, slices by its index, or changes a module's mode or a requiresGrad flag, is unrolled, and \(count) iterations are too many for a compiled program (at most \(limit)); keep the values in a tensor instead (var losses = zeros([\(count)], dtype: .float64); losses[i] = loss.item()), batch with a DataLoader, or run it with --eager", at: location)
            }
            return try executeUnrolled(pattern, (0..<count).map { .int(first + $0 * step) }, body, progress: progress, at: sequence.location)
        }
        let range = step == 1 ? first..<(first + count) : 0..<count
        try executeLoop(range, body, at: location, progress: progress.map { ($0, count) }, exitFlag: exitFlag) { index in
            var value = index
            if step != 1 {   // first + k · step from the iteration number k
                let scaled = try builder.apply1(.mul, [index, try builder.scalar(Double(step), .int64, at: location)], at: location)
                value = try builder.apply1(.add, [scaled, try builder.scalar(Double(first), .int64, at: location)], at: location)
            }
            try bind(pattern, to: .tensor(TensorValue(id: value, isHostScalar: true)), mutable: false)
        }
        if let progress { try reportProgress(progress, done: try builder.scalar(Double(count), .int64, at: location), total: count) }
    }

    /// The integers a `for` loop runs over, as (first, count, step): a range `a..<b` / `a...b`,
    /// `stride(from: a, to: b, by: s)` / `stride(from: a, through: b, by: s)`, or a range's
    /// `reversed()`; nil for other sequences (arrays, loaders, ...). Bounds are compile-time Ints.
    private func steppedRange(_ sequence: Expr) throws -> (first: Int, count: Int, step: Int)? {
        switch sequence.kind {
        case .binary(let op, let lowExpr, let highExpr) where op == "..<" || op == "...":
            let low = try staticInt(try evaluate(lowExpr), what: "the loop's lower bound", at: lowExpr.location)
            let upper = try staticInt(try evaluate(highExpr), what: "the loop's upper bound", at: highExpr.location)
            guard upper < Int.max else { throw Diagnostic("the loop's upper bound is too large", at: highExpr.location) }
            let high = upper + (op == "..." ? 1 : 0)
            guard low <= high else {
                throw Diagnostic("range requires lowerBound <= upperBound (got \(low) and \(upper))", at: sequence.location)
            }
            return (low, high - low, 1)
        case .tuple(let elements) where elements.count == 1:
            return try steppedRange(elements[0])
        case .call(let callee, let arguments, nil) where arguments.isEmpty:
            guard case .member(let base, "reversed") = callee.kind, let (first, count, step) = try steppedRange(base) else { return nil }
            return (first + (count - 1) * step, count, -step)   // `(0..<n).reversed()`
        case .call(let callee, let arguments, nil):
            guard case .identifier("stride") = callee.kind, arguments.count == 3, arguments[0].label == "from",
                  let end = arguments[1].label, end == "to" || end == "through", arguments[2].label == "by" else { return nil }
            let values = try arguments.map { try staticInt(try evaluate($0.value), what: "stride's '\($0.label!)'", at: $0.location) }
            let (from, to, by) = (values[0], values[1], values[2])
            guard by != 0 else { throw Diagnostic("a stride's step must not be zero", at: arguments[2].location) }
            let (distance, overflow) = to.subtractingReportingOverflow(from)
            guard !overflow, by != .min else { throw Diagnostic("the stride is too long to loop over", at: sequence.location) }
            // Swift's counts: `to` stops before the end, `through` includes an end it lands on.
            let (span, rest, direction) = (distance / by, distance % by, distance.signum() * by.signum())
            let count = end == "to" ? (direction <= 0 ? 0 : span + (rest == 0 ? 0 : 1)) : (direction < 0 ? 0 : span + 1)
            return (from, count, by)
        default:
            return nil
        }
    }

    /// Whether a later gradient may differentiate through how a loop iteration computed a
    /// carried value: a user's tensor variable (any tensor may be a `grad(of:wrt:)`), or a value
    /// computed from leaves. Python numbers (`total += loss.item()`), parameters, `.grad`s,
    /// optimizer and scheduler state and module buffers are updated without history, as
    /// PyTorch's in-place updates under no_grad.
    static func keepsHistory(_ slot: StateSlot, _ value: TensorValue) -> Bool {
        if case .variable = slot { return !value.isHostScalar || value.isDifferentiable }
        return value.isDifferentiable && value.leafKey == nil
    }

    /// A loop in the IR (one `for` op; eager mode runs it) over `range`, carrying the state the
    /// body changes; `bindItems` binds the loop's pattern from the run-time index each iteration,
    /// and a `progress` label is reported as the iteration's position among `total`. A loop
    /// left by `break` names its stop flag (`exitFlag`, LoopExits): once set at run time, the
    /// loop ends (a `loopExit` op first in the body) instead of running its guarded iterations.
    func executeLoop(_ range: Range<Int>, _ body: [Stmt], at location: SourceLocation,
                     progress: (label: ProgressLabel, total: Int)? = nil, exitFlag: String? = nil,
                     bindItems: (ValueID) throws -> Void) throws {
        let slots = try stateSlots(assignedIn: body, at: location)
        var history = carriedHistory(slots)
        let mark = leafMark()
        let initial = try slots.map { try currentTensor($0, entering: "loop", at: location) }
        let hasLeafSlots = initial.contains { $0.leafKey != nil }
        var replacedLeaves = Set<Int>()
        // The leaf version each slot ends every iteration as (`m = w`, or a slot holding `w` left alone).
        var keptLeaves: [KeptLeaf?] = []
        // The variables' values at the end of the previous iteration (eager mode runs several).
        var previousEnds: [TensorValue]? = nil
        let savedOrigins = carriedLeafOrigins
        defer { carriedLeafOrigins = savedOrigins }
        let exitSlot = exitFlag.flatMap { slots.firstIndex(of: .variable($0)) }
        let results = try builder.loop(range, carrying: initial.map(\.id), at: location) { index, carried in
            // First, before the iteration touches anything: eager mode's loop ends here, the
            // variables as the last iteration left them.
            if let exitSlot { _ = try builder.apply(.loopExit, [carried[exitSlot]], .none, at: location) }
            environment.push()
            loopBodyDepth += 1
            defer {
                environment.pop()
                // A gradient None at the end of the body is None after the loop.
                noneGradients = noneGradients.mapValues { Swift.min($0, loopBodyDepth - 1) }
                loopBodyDepth -= 1
            }
            for (slot, (value, id)) in zip(slots, zip(initial, carried)) { setSlot(slot, rebased(value, to: id)) }
            // A carried leaf is the version from before the loop (one compiled body serves every
            // iteration), except in an eager iteration after one that updated it in place: then
            // it is that newer version, which an `if` that leaves it alone must keep.
            let updatedSoFar = builder is GraphBuilder ? [] : Set(inPlaceLeafUpdates[mark.updates...])
            for (index, start) in initial.enumerated() where start.leafKey != nil && start.requiresGrad && !updatedSoFar.contains(start.leafKey!) {
                // An eager iteration after one that rebound the variable (`z = z * 2`) carries that value, not the leaf.
                if let previousEnds, keptLeaf(previousEnds[index]) == nil { continue }
                carriedLeafOrigins[carried[index]] = leafOrigin(start.id)
            }
            try bindItems(index)
            if let progress {
                let done = try builder.apply1(.sub, [index, try builder.scalar(Double(range.lowerBound), .int64, at: location)], at: location)
                try reportProgress(progress.label, done: done, total: progress.total)
            }
            try keepingGradMode("loop body", at: location) { try executeBlock(body) }
            var ends = try zip(slots, initial).map { slot, start in try slotValue(slot, like: start, at: location) }
            if let previousEnds { keepUnchangedVariables(slots, &ends, previous: previousEnds, carried: carried) }
            previousEnds = ends
            if hasLeafSlots {
                replacedLeaves.formUnion(leavesReplaced(initial: initial, carried: carried, ends: ends))
            }
            let kept = ends.map(keptLeaf)
            keptLeaves = keptLeaves.isEmpty ? kept : zip(keptLeaves, kept).map { $0 == $1 ? $0 : nil }
            var next = ends.map(\.id)
            if hasLeafSlots { try refreshReplacedLeaves(&next, slots, initial: initial, at: location) }
            builder.keepHistory(of: zip(slots, zip(ends, next)).compactMap { slot, end in
                Self.keepsHistory(slot, end.0) ? end.1 : nil
            }, holding: Array(gradSlots.values) + Array(retainedValues.values) + gradHistory.values.map(\.id))
            return next
        }
        history.updatedLeaves = replacedLeaves.union(leavesUpdated(since: mark))
        // A value that called retainGrad() in the body is gone after it (as its Python name
        // is), and so is its `.grad`, which was computed inside the body.
        for key in mark.leaves..<leafTypes.count where retainedValues[key] != nil {
            retainedValues[key] = nil
            gradSlots[key] = nil
            noneGradients[key] = nil
        }
        try finishCarried(slots, results: results, after: "loop", history: history, at: location)
        keepLeaves(slots, keptLeaves, updated: history.updatedLeaves)
    }

    /// A variable that an iteration left as it entered (an `if` on a tensor did not assign it)
    /// is the previous iteration's value, with its history (eager mode runs every iteration;
    /// each starts from the loop's initial metadata, as the one compiled body does).
    private func keepUnchangedVariables(_ slots: [StateSlot], _ ends: inout [TensorValue], previous: [TensorValue], carried: [ValueID]) {
        for (index, slot) in slots.enumerated() {
            guard case .variable(let name) = slot, ends[index].id == carried[index], previous[index].hasAutogradMetadata,
                  previous[index].leafKey == nil else { continue }   // a leaf left alone is handled as a kept leaf
            var kept = previous[index]
            kept.id = carried[index]   // the same tensor, which a loop without a tape carries under a new handle
            kept.branchSuffix = nil
            ends[index] = kept
            environment.assign(name, .tensor(kept))
        }
    }

    /// `for p in model.parameters()`, `for (name, p) in model.namedParameters()`, `for (k, v) in d`:
    /// a loop over items known at compile time runs its body once per item (unrolled), as
    /// `while` loops run.
    private func executeForEach(_ pattern: Pattern, _ sequenceExpr: Expr, _ body: [Stmt], progress: ProgressLabel?,
                                exitFlag: String?) throws {
        let sequence: EvalValue
        if case .call(let callee, let arguments, nil) = sequenceExpr.kind, arguments.isEmpty, case .member(let base, "enumerated") = callee.kind {
            let items = try evaluate(base)
            // `for (i, row) in x.enumerated()`: Python's enumerate(x) over a tensor's rows.
            if case .tensor(let tensor) = items {
                return try executeRowLoop(pattern, tensor, body, enumerated: true, at: sequenceExpr.location, progress: progress, exitFlag: exitFlag)
            }
            guard let pairs = enumerated(items) else {
                throw Diagnostic("value of type \(items.kindName) has no method 'enumerated'", at: callee.location)
            }
            sequence = pairs
        } else if case .call(let callee, let arguments, nil) = sequenceExpr.kind, case .identifier("zip") = callee.kind,
                  arguments.count >= 2, arguments.allSatisfy({ $0.label == nil }) {
            // `for (t, p) in zip(labels, predictions)`: the tensors' rows side by side, as
            // Python's zip over tensors; zip over arrays is the function's.
            let values = try arguments.map { try evaluate($0.value) }
            let tensors = values.compactMap { value -> TensorValue? in if case .tensor(let t) = value { t } else { nil } }
            guard tensors.count == values.count else { return try executeUnrolledZip(pattern, values, arguments, body, progress: progress) }
            return try executeZippedRows(pattern, tensors, body, at: sequenceExpr.location, progress: progress, exitFlag: exitFlag)
        } else {
            sequence = try evaluate(sequenceExpr)
        }
        if case .loader(let loader) = sequence {
            return try executeLoaderLoop(pattern, loader, body, at: sequenceExpr.location, progress: progress, exitFlag: exitFlag)
        }
        if case .tensor(let tensor) = sequence {
            return try executeRowLoop(pattern, tensor, body, enumerated: false, at: sequenceExpr.location, progress: progress, exitFlag: exitFlag)
        }
        let items: [EvalValue]
        switch sequence {
        case .array(let values), .tuple(let values): items = values
        case .size, .keys: items = sequence.arrayItems!
        case .dictionary(let entries, _): items = entries.map { .tuple([.string($0.key), $0.value]) }
        case .module(let module) where module.listedModules != nil: items = module.listedModules!   // `for layer in model`
        default:
            throw Diagnostic("expected a range 'a..<b' or 'a...b', a DataLoader, or an array, tuple or dictionary, to loop over; got \(sequence.kindName)", at: sequenceExpr.location)
        }
        try executeUnrolled(pattern, items, body, progress: progress, at: sequenceExpr.location)
    }

    /// Runs `body` once per item, binding `pattern` to it: a loop unrolled at compile time.
    private func executeUnrolled(_ pattern: Pattern, _ items: [EvalValue], _ body: [Stmt], progress: ProgressLabel?,
                                 at location: SourceLocation) throws {
        for (index, item) in items.enumerated() {
            environment.push()
            defer { environment.pop() }
            try bind(pattern, to: item, mutable: false)
            if let progress { try reportProgress(progress, done: try builder.scalar(Double(index), .int64, at: location), total: items.count) }
            try executeBlock(body)
        }
        if let progress { try reportProgress(progress, done: try builder.scalar(Double(items.count), .int64, at: location), total: items.count) }
    }

    /// `for row in x` (and `for (i, row) in x.enumerated()`): x's rows (dimension 0), as iterating
    /// a tensor in Python; one IR loop selecting row i at its run-time index.
    private func executeRowLoop(_ pattern: Pattern, _ tensor: TensorValue, _ body: [Stmt], enumerated: Bool,
                                at location: SourceLocation, progress: ProgressLabel?, exitFlag: String?) throws {
        guard let rows = builder.type(of: tensor.id).shape.first else {
            throw Diagnostic("iteration over a 0-d tensor", at: location)
        }
        guard progress == nil else { throw Diagnostic("progress(...) takes a range, an array or a DataLoader, not a tensor", at: location) }
        try executeLoop(0..<rows, body, at: location, exitFlag: exitFlag) { index in
            let position = TensorValue(id: index, isHostScalar: true)
            let row = EvalValue.tensor(try selectRow(tensor, position, at: location))
            try bind(pattern, to: enumerated ? .tuple([.tensor(position), row]) : row, mutable: false)
        }
    }

    /// `for (a, b) in zip(x, y)` over tensors: one loop over the fewest rows, each iteration
    /// binding the tensors' rows at its index.
    private func executeZippedRows(_ pattern: Pattern, _ tensors: [TensorValue], _ body: [Stmt],
                                   at location: SourceLocation, progress: ProgressLabel?, exitFlag: String?) throws {
        let counts = try tensors.map { tensor -> Int in
            guard let rows = builder.type(of: tensor.id).shape.first else { throw Diagnostic("iteration over a 0-d tensor", at: location) }
            return rows
        }
        guard progress == nil else { throw Diagnostic("progress(...) takes a range, an array or a DataLoader, not a zip of tensors", at: location) }
        try executeLoop(0..<counts.min()!, body, at: location, exitFlag: exitFlag) { index in
            let position = TensorValue(id: index, isHostScalar: true)
            try bind(pattern, to: .tuple(try tensors.map { .tensor(try selectRow($0, position, at: location)) }), mutable: false)
        }
    }

    /// `zip(...)` of arrays (or arrays and tensors, which then must be arrays of items too): the
    /// zip function's pairs, unrolled.
    private func executeUnrolledZip(_ pattern: Pattern, _ values: [EvalValue], _ arguments: [Argument], _ body: [Stmt],
                                    progress: ProgressLabel?) throws {
        try executeUnrolled(pattern, try Self.zipped(values, at: arguments.map(\.location)), body, progress: progress, at: arguments[0].location)
    }

    /// Python's zip of static sequences: a tuple of the items at each position, as many as the
    /// shortest has (`locations`: where each sequence is written, for the error).
    static func zipped(_ values: [EvalValue], at locations: [SourceLocation]) throws -> [EvalValue] {
        let sequences = try zip(values, locations).map { value, location -> [EvalValue] in
            guard let items = value.sequenceItems else {
                throw Diagnostic("zip takes arrays, tuples, shapes or a dictionary's keys (a for loop also takes tensors, all of them); got \(value.kindName)", at: location)
            }
            return items
        }
        let count = sequences.map(\.count).min()!
        return (0..<count).map { index in .tuple(sequences.map { $0[index] }) }
    }

    /// ModuleStateScan on the modules in scope.
    var moduleStateScan: ModuleStateScan {
        ModuleStateScan(isModule: { self.staticModule($0) != nil },
                        holdsNumber: { owner, name in self.staticModule(owner)?.field(name)?.isPythonNumber ?? false },
                        settledGuards: settledExitGuards)
    }

    /// The module an expression names (`net`, `model.fc1`), looked up without evaluating it.
    func staticModule(_ expr: Expr) -> ModuleObject? {
        switch expr.kind {
        case .identifier(let name):
            if case .module(let module)? = environment.lookup(name)?.value { return module }
            return nil
        case .member(let base, let name):
            if case .module(let module)? = staticModule(base)?.field(name) { return module }
            return nil
        default:
            return nil
        }
    }

    /// The most iterations a compiled loop that grows an array is unrolled to (each is traced,
    /// and the passes' time grows faster than the program).
    static let compiledUnrollLimit = 200

    /// Whether `body` changes a variable that holds a compile-time value other than a number
    /// (an array, a string, a dictionary): such a loop over a range is unrolled rather than one IR loop.
    func compileTimeState(assignedIn body: [Stmt]) -> Bool {
        mutations(in: body).names.contains { name in
            switch environment.lookup(name)?.value {
            case .array?, .string?, .formatted?, .dictionary?: true
            default: false
            }
        }
    }

    /// `while condition { body }` unrolled while its condition is a compile-time Bool; once the
    /// condition is known only at run time (from the start, `while loss.item() > 0.1`, or after
    /// iterations that made it so, `while !done { ...; done = loss.item() < 0.1 }`, or a `break`
    /// on a run-time value), the rest is one loop at run time. A loop with exits passes its
    /// rewritten condition and body, and the program's (`exits`, `userCondition`, `userBody`).
    func executeWhile(_ condition: Expr, _ body: [Stmt], at location: SourceLocation, exits: LoopExits? = nil,
                      userCondition: Expr? = nil, userBody: [Stmt]? = nil) throws {
        var iterations = 0
        while true {
            let value = try evaluate(condition)
            if case .tensor(let first) = value {
                guard let exits else {
                    return try withLoopExits(body, at: location) { exits in
                        try executeRuntimeWhile(first: first, condition: condition, body, exits, at: location)
                    }
                }
                return try executeRuntimeWhile(first: first, condition: userCondition ?? condition, userBody ?? body, exits, at: location)
            }
            guard case .bool(let keepGoing) = value else {
                throw Diagnostic("a 'while' condition must be a Bool or a tensor, not \(value.kindName)", at: condition.location)
            }
            guard keepGoing else { return }
            iterations += 1
            guard iterations <= 1_000_000 else {
                throw Diagnostic("'while' loop ran more than 1000000 iterations at compile time", at: location)
            }
            try executeBlock(body)
        }
    }

    /// The most iterations a `while` loop runs at run time (Python's has no limit).
    static let runtimeWhileLimit = 1 << 40

    /// `while condition { body }` with `condition` known only at run time (its first value
    /// `first`), or `while true { ... break ... }` (no condition): a run-time loop of
    /// `runtimeWhileLimit` iterations whose stop flag starts as `!first` and is set again from
    /// the condition after each iteration (after a `continue` too, not after a `break`); once
    /// set, the loop ends (a `loopExit`).
    func executeRuntimeWhile(first: TensorValue?, condition: Expr?, _ body: [Stmt], _ exits: LoopExits,
                             at location: SourceLocation) throws {
        var loopBody = exits.body(body, at: location)
        if let first, let condition {
            let flag = try truthValue(first, of: "'while'", at: condition.location, opsAt: condition.location)
            let held = "loop first condition"   // a name no program can spell
            environment.declare(held, Binding(value: .tensor(TensorValue(id: flag, isHostScalar: true)), isMutable: false, location: location))
            try execute(exits.stop(unless: Expr(.identifier(held), at: condition.location)))
            loopBody.append(exits.stop(unless: condition, guarded: true))
        }
        try executeLoop(0..<Self.runtimeWhileLimit, loopBody, at: location, exitFlag: exits.stopped) { _ in }
    }

    /// Python's truth value of a one-element tensor (nonzero) as a bool scalar: the condition of
    /// a run-time `if`, `while` or `?:` (`construct`); a tensor of other sizes is an error at
    /// `conditionLocation`, followed by `hint`.
    func truthValue(_ tensor: TensorValue, of construct: String, hint: String = "", at conditionLocation: SourceLocation,
                    opsAt location: SourceLocation) throws -> ValueID {
        let type = builder.type(of: tensor.id)
        guard type.elementCount == 1 else {
            throw Diagnostic("the condition of \(construct) must be a single value, got a tensor of shape \(formatShape(type.shape))\(hint)", at: conditionLocation)
        }
        let flag = try builder.reshape(tensor.id, to: [], at: location)
        guard type.dtype != .bool else { return flag }
        return try builder.apply1(.notEqual, [flag, try builder.scalar(0, type.dtype, at: location)], at: location)
    }

    func executeIf(_ conditionExpr: Expr, _ then: [Stmt], _ elseBody: [Stmt], at location: SourceLocation) throws {
        let condition = try evaluate(conditionExpr)
        switch condition {
        case .bool(let value):
            try executeBlock(value ? then : elseBody)
        case .tensor(let tensor):
            let conditionID = try truthValue(tensor, of: "'if'", at: conditionExpr.location, opsAt: location)
            if builder is GraphBuilder, !settledExitGuards.contains(location), moduleStateScan.changesUnderCondition(then + elseBody) {
                if LoopExits.isGuard(conditionExpr) {
                    throw Diagnostic("this loop, left by 'break' on a run-time value, changes a module's mode or flags where it may have stopped; switch modes before the exit (model.eval(); if worse { break }), or use --eager", at: location)
                }
                throw Diagnostic("this 'if' on a value known only at run time changes a module (train(), eval(), a replaced property or number) or a requiresGrad flag, which a compiled program fixes when it is compiled; decide with a value known at compile time (a loop's index: for epoch in 0..<n { if epoch == 2 { ... } }), or run it with --eager", at: location)
            }
            let slots = try stateSlots(assignedIn: then + elseBody, at: location)
            let mark = leafMark()
            // A branch reads the values themselves (no block arguments), history included.
            let initial = try slots.map { try currentTensor($0, entering: nil, at: location) }
            var branchEnds: [[TensorValue]] = []
            // Which gradients are None (`opt.zeroGrad()` in a branch) is known when compiling:
            // each branch starts from the state before the `if`.
            let gradientsBefore = (none: noneGradients, cleared: clearedGradients)
            var gradientsAfter: [(none: [Int: Int], cleared: [Int: ValueID])] = []
            func runBranch(_ statements: [Stmt]) -> ([ValueID]) throws -> [ValueID] {
                { carried in
                    for (slot, value) in zip(slots, initial) { self.setSlot(slot, value) }
                    (self.noneGradients, self.clearedGradients) = gradientsBefore
                    defer { gradientsAfter.append((self.noneGradients, self.clearedGradients)) }
                    self.runtimeBranchDepth += 1
                    defer { self.runtimeBranchDepth -= 1 }
                    try self.keepingGradMode("branch of an 'if' on a tensor", at: location) { try self.executeBlock(statements) }
                    let ends = try zip(slots, initial).map { slot, start in try self.slotValue(slot, like: start, at: location) }
                    branchEnds.append(ends)
                    return ends.map(\.id)
                }
            }
            let results = try builder.branch(conditionID, carrying: initial.map(\.id), at: location,
                                             then: runBranch(then), else: runBranch(elseBody))
            if gradientsAfter.count == 2 {
                // Compiled: a gradient is None after the `if` only where both branches leave it
                // None; one that only the branch taken at run time cleared holds its zeros.
                let (a, b) = (gradientsAfter[0], gradientsAfter[1])
                noneGradients = [:]
                for (key, depth) in a.none { if let other = b.none[key] { noneGradients[key] = Swift.max(depth, other) } }
                clearedGradients = a.cleared.filter { b.cleared[$0.key] == $0.value }
            }
            // Eager mode ran one branch; compiled mode built both and keeps what either needs.
            let merged = slots.indices.map { index in mergedBranchEnds(branchEnds.map { $0[index] }) }
            let updated = leavesUpdated(since: mark)
            try finishCarried(slots, results: results, after: "if", ends: merged,
                              history: CarriedHistory(before: [], updatedLeaves: updated), at: location)
            // Every branch left the same leaf tensor (`m = w` where `m` held `w`): the variable is that tensor.
            let keptLeaves = slots.indices.map { index -> KeptLeaf? in
                let kept = branchEnds.map { keptLeaf($0[index]) }
                return kept.allSatisfy { $0 == kept[0] } ? kept[0] : nil
            }
            keepLeaves(slots, keptLeaves, updated: updated)
            if branchEnds.count == 2 { try chooseSuffixesAtRunTime(slots, branchEnds, condition: conditionID) }
        default:
            throw Diagnostic("the condition of 'if' must be a Bool or a tensor, not \(condition.kindName)", at: conditionExpr.location)
        }
    }

    /// Where the leaf keys and in-place leaf updates stood before a loop or `if` (see `leavesUpdated`).
    private func leafMark() -> (leaves: Int, updates: Int) { (leafTypes.count, inPlaceLeafUpdates.count) }

    /// The leaves a loop or `if` gives a new version since `mark`: updated in place
    /// (`w -= ...` under noGrad) or created in it. Values computed from those inside the
    /// construct cannot get their history back after it. A plain assignment of a leaf variable
    /// (`m = m * 2` where `m` held the leaf) only rebinds it, as in PyTorch: the leaf stays.
    private func leavesUpdated(since mark: (leaves: Int, updates: Int)) -> Set<Int> {
        // A key made by retainGrad() names a computed value, not a new leaf.
        let created = (mark.leaves..<leafTypes.count).filter { retainedValues[$0] == nil }
        let updated = Set(inPlaceLeafUpdates[mark.updates...]).union(created)
        // Keep the log short across the iterations of an eager loop: each key once.
        inPlaceLeafUpdates.removeSubrange(mark.updates...)
        inPlaceLeafUpdates += updated.filter { $0 < mark.leaves }.sorted()
        return updated
    }

    /// The carried leaves that one loop body does not hand on as themselves or as a value
    /// computed from them with history: a slot that ends as another leaf or a value without
    /// history enters the next iteration as something other than the leaf the body was built
    /// for, so what the body computed from that leaf has no history after the loop.
    private func leavesReplaced(initial: [TensorValue], carried: [ValueID], ends: [TensorValue]) -> Set<Int> {
        var replaced = Set<Int>()
        for (index, start) in initial.enumerated() {
            guard let key = start.leafKey, start.requiresGrad else { continue }
            let end = ends[index]
            // Still the leaf (a new version of it is in the in-place log), or rebound to a value with history.
            if end.leafKey == key || (end.leafKey == nil && end.requiresGrad) { continue }
            replaced.insert(key)
        }
        return replaced
    }

    /// A leaf version a variable holds at the end of a body: its key and its handle from
    /// before the loop or `if` (a carried leaf's block argument maps back to it).
    struct KeptLeaf: Equatable {
        var key: Int
        var id: ValueID
    }

    private func leafOrigin(_ id: ValueID) -> ValueID { carriedLeafOrigins[id] ?? id }

    /// The leaf version `end` is, when it is one made by `requiresGrad = true` or an in-place update.
    private func keptLeaf(_ end: TensorValue) -> KeptLeaf? {
        guard let key = end.leafKey, end.requiresGrad else { return nil }
        let id = leafOrigin(end.id)
        return leafVersions.contains(id) ? KeptLeaf(key: key, id: id) : nil
    }

    /// After a loop or `if` whose every run left a variable holding the same leaf version
    /// (`m = w`, no new version of it made inside): the variable is that tensor, as in
    /// PyTorch, not the construct's result, so every use of the leaf shares one handle.
    private func keepLeaves(_ slots: [StateSlot], _ kept: [KeptLeaf?], updated: Set<Int>) {
        for (slot, leaf) in zip(slots, kept) {
            guard case .variable(let name) = slot, let leaf, !updated.contains(leaf.key) else { continue }
            var value = TensorValue(id: leaf.id)
            value.leafKey = leaf.key
            value.leaves = [leaf.key: leaf.id]
            environment.assign(name, .tensor(value))
        }
    }

    /// A variable's metadata after an `if` from its value at the end of each branch that was
    /// built (eager mode runs one, compiled mode both). A leaf in one branch and a computed
    /// value in the other (`m = w` or `m = w * 2`) make a non-leaf that depends on the leaf:
    /// PyTorch's variable is one or the other, and the runtime-chosen suffix prints which.
    private func mergedBranchEnds(_ ends: [TensorValue]) -> TensorValue {
        func isLeaf(_ value: TensorValue) -> Bool { value.leafKey != nil && value.requiresGrad }
        func leaves(_ value: TensorValue) -> [Int: ValueID] { isLeaf(value) ? [value.leafKey!: value.id] : value.leaves }
        guard ends.contains(where: isLeaf), !ends.allSatisfy(isLeaf) else {
            return ends.dropLast().reduce(ends.last!) { merged, end in
                var value = merged
                value.leaves = end.leaves.merging(merged.leaves) { _, kept in kept }
                return value
            }
        }
        var merged = ends.first { !isLeaf($0) }!
        for end in ends { merged.leaves.merge(leaves(end)) { kept, _ in kept } }
        return merged
    }

    /// A leaf variable that the loop body replaces by a new leaf (`noGrad { w = w - lr * w.grad }`
    /// then `w.requiresGrad = true`) enters the next iteration as a fresh leaf, as in PyTorch: its
    /// `.grad` (in `next`) starts again from zero. Replacing it by a tensor that does not require
    /// grad, in a body that calls backward(), cannot be compiled: every iteration runs one body,
    /// with the leaf entering as a leaf.
    private func refreshReplacedLeaves(_ next: inout [ValueID], _ slots: [StateSlot], initial: [TensorValue],
                                       at location: SourceLocation) throws {
        for (index, slot) in slots.enumerated() {
            guard case .variable(let name) = slot, let key = initial[index].leafKey, initial[index].requiresGrad,
                  let gradIndex = slots.firstIndex(of: .grad(key)) else { continue }
            let end = try slotValue(slot, like: initial[index], at: location)
            guard end.leafKey != key else { continue }
            if end.leafKey == nil && end.isDifferentiable {
                throw Diagnostic("'\(name)' holds a leaf when the loop starts, and the body, which calls backward(), rebinds it to a value computed with history; one body serves every iteration, and from the second one '\(name)' is no longer that leaf; keep the leaf in its own variable and give the computed value another name", at: location)
            }
            guard end.leafKey != nil, end.requiresGrad else {
                throw Diagnostic("'\(name)' requires grad when the loop starts, but the body replaces it with a tensor that does not, and one body serves every iteration; set \(name).requiresGrad = true after the update, or update it in place (\(name) -= ...) inside noGrad", at: location)
            }
            next[gradIndex] = try builder.full(leafTypes[key]!.shape, 0, leafTypes[key]!.dtype, at: location)
        }
    }

    /// After an `if` built both branches (compiled mode): a variable whose branches would print
    /// different suffixes (grad_fn, requires_grad) prints the one of the branch that runs.
    private func chooseSuffixesAtRunTime(_ slots: [StateSlot], _ ends: [[TensorValue]], condition: ValueID) throws {
        for (index, slot) in slots.enumerated() {
            guard case .variable(let name) = slot, case .tensor(var value)? = environment.lookup(name)?.value else { continue }
            let (ifTrue, ifFalse) = (gradSuffix(ends[0][index]), gradSuffix(ends[1][index]))
            guard ifTrue != ifFalse else { continue }
            value.branchSuffix = BranchSuffix(condition: condition, ifTrue: ifTrue, ifFalse: ifFalse)
            environment.assign(name, .tensor(value))
        }
    }

    /// What `statements` may change, seeing into the functions they call.
    private func mutations(in statements: [Stmt]) -> MutationScan {
        var scan = MutationScan(lookupFunction: { name in
            if case .function(let decl)? = self.environment.lookup(name)?.value { return decl }
            return nil
        })
        scan.visit(statements)
        return scan
    }

    /// The variables and `.grad` buffers that `statements` may change, in a fixed order.
    private func stateSlots(assignedIn statements: [Stmt], at location: SourceLocation) throws -> [StateSlot] {
        var scan = mutations(in: statements)
        var slots: [StateSlot] = []
        var names = scan.names
        // A tensor updated in place (`w -= lr * w.grad!` under noGrad, `w.data.mul_(0.5)`)
        // changes under a `let` too, as PyTorch's `w` does.
        var updatedInPlace = scan.updatedInPlace
        for name in scan.inPlaceOwners.sorted() {
            // `model.fc.weight.data.mul_(0.5)`: every parameter of the module may change.
            switch environment.lookup(name)?.value {
            case .module(let module)?:
                slots += module.namedParameters.compactMap { $0.tensor.leafKey }.map(StateSlot.parameter)
                scan.callees.insert(name)   // and its buffers, as when it is called
            case .array(let items)?, .tuple(let items)?:
                // `for p in params { p.mul_(0.5) }`: the leaves the array holds.
                for case .tensor(let tensor) in items {
                    if let key = tensor.leafKey, !slots.contains(.parameter(key)) { slots.append(.parameter(key)) }
                }
            default:
                names.insert(name)
                updatedInPlace.insert(name)
            }
        }
        for name in names.sorted() {
            guard let binding = environment.lookup(name) else { continue }
            if case .optimizer(let optimizer) = binding.value {   // `opt.lr = ...`
                slots.append(try carriedLearningRate(optimizer, at: location))
                continue
            }
            guard binding.isAssigned else {
                throw Diagnostic("'\(name)' is declared without a value (line \(binding.location.line)) and assigned inside a loop that runs at run time or an 'if' on a tensor value, which carry it in from before; give it a value where it is declared", at: location)
            }
            guard binding.isMutable || updatedInPlace.contains(name) else { continue }
            switch binding.value {
            case .tensor, .int, .float, .bool:
                slots.append(.variable(name))
            case .string:
                slots.append(.text(name))
            case .formatted(let text) where text.choiceOptions != nil:
                slots.append(.text(name))
            default:
                let kind = binding.value.kindName
                let article = kind.first.map { "aeiou".contains($0) } == true ? "an" : "a"
                throw Diagnostic("'\(name)' holds \(article) \(kind), which cannot change inside an 'if' on a tensor value or a loop that runs at run time; only tensors, numbers and strings can", at: location)
            }
        }
        // An optimizer stepped in the body: its parameters and its state change. A module called
        // in it: its buffers (batch norm's running statistics) may change.
        var buffers = Set<ModuleBuffer>()
        for name in scan.receivers.union(scan.callees).sorted() {
            switch environment.lookup(name)?.value {
            case .optimizer(let optimizer)? where scan.receivers.contains(name):
                // A parameter frozen since the optimizer was made (`requiresGrad = false`) is no
                // longer its leaf: step() skips it, as PyTorch skips a parameter without a gradient.
                slots += optimizer.parameters.filter { currentLeafValue($0) != nil }.map(StateSlot.parameter)
                slots += OptimizerState.all(of: optimizer).map(StateSlot.optimizerState)
            case .scheduler(let scheduler)? where scan.receivers.contains(name):
                slots += [true, false].map { StateSlot.scheduler(SchedulerState(scheduler: scheduler, isEpoch: $0)) }
                let learningRate = try carriedLearningRate(scheduler.optimizer, at: location)
                if !slots.contains(learningRate) { slots.append(learningRate) }
            case nil where scan.receivers.contains(name):
                // An optimizer made in the body (`let opt = SGD([w], ...)`, then `opt.step()`):
                // any leaf held now may be one of its parameters.
                for key in leafTypes.keys.sorted() where currentLeafValue(key) != nil && !slots.contains(.parameter(key)) {
                    slots.append(.parameter(key))
                }
            case .module(let module)?:
                for buffer in module.allBuffers.map({ ModuleBuffer(module: $0.module, field: $0.field) }) where buffers.insert(buffer).inserted {
                    slots.append(.buffer(buffer))
                }
            default: continue
            }
        }
        if scan.touchesGradients || !scan.receivers.isEmpty {
            slots += leafTypes.keys.sorted().map { StateSlot.grad($0) }
        }
        return slots
    }

    /// The slot's value before control flow, as a tensor (numbers become 0-dim constants; a
    /// missing `.grad` starts as zeros).
    /// `construct` names the loop whose block arguments the value enters as (nil for a branch,
    /// which reads the value itself).
    private func currentTensor(_ slot: StateSlot, entering construct: String?, at location: SourceLocation) throws -> TensorValue {
        switch slot {
        case .text(let name):
            return TensorValue(id: try textIndex(environment.lookup(name)!.value, of: name, at: location), isHostScalar: true)
        case .variable(let name):
            let value = environment.lookup(name)!.value
            var carried = try asTensor(value, dtype: pythonDType(value), at: location)
            if let construct, carried.leafKey == nil, carried.requiresGrad {
                // History cannot be carried into a loop or branch: the value enters as a
                // constant that still requires grad (and prints so).
                carried.leaves = [:]
                carried.blockedBy = (construct, location)
                carried.historyThroughControlFlow = true
            }
            return carried
        case .grad(let key):
            if let grad = gradSlots[key] { return TensorValue(id: grad) }
            noneGradients[key] = loopBodyDepth   // zeros to add to, None until a backward()
            return TensorValue(id: try builder.full(leafTypes[key]!.shape, 0, leafTypes[key]!.dtype, at: location))
        case .parameter(let key):
            guard let value = currentLeafValue(key) else {
                throw Diagnostic("a parameter the optimizer updates is no longer held by any module or variable", at: location)
            }
            return value
        case .optimizerState(let state) where state.entry == .learningRate:
            return try learningRateTensor(state.optimizer, at: location)
        case .optimizerState(let state):
            return state.value
        case .buffer(let buffer):
            return buffer.value
        case .scheduler(let state):
            return state.value
        }
    }

    /// The slot's value at the end of a body, converted to the type it entered with.
    private func slotValue(_ slot: StateSlot, like start: TensorValue, at location: SourceLocation) throws -> TensorValue {
        switch slot {
        case .text(let name):
            return TensorValue(id: try textIndex(environment.lookup(name)!.value, of: name, at: location), isHostScalar: true)
        case .variable(let name):
            let value = environment.lookup(name)!.value
            let dtype = builder.type(of: start.id).dtype
            if case .tensor(let tensor) = value { return tensor }
            var tensor = try asTensor(value, dtype: pythonDType(value), at: location)
            tensor.id = try builder.cast(tensor.id, to: dtype, at: location)
            return tensor
        case .grad(let key):
            return TensorValue(id: gradSlots[key]!)
        case .parameter(let key):
            return currentLeafValue(key) ?? start
        case .optimizerState(let state) where state.entry == .learningRate:
            return try learningRateTensor(state.optimizer, at: location)   // `opt.lr = 0.3` in the body
        case .optimizerState(let state):
            return state.value
        case .buffer(let buffer):
            return buffer.value
        case .scheduler(let state):
            return state.value
        }
    }

    /// A copy of `value`'s metadata for a new handle (a block argument or a loop result).
    private func rebased(_ value: TensorValue, to id: ValueID) -> TensorValue {
        guard value.hasAutogradMetadata else { return TensorValue(id: id, isHostScalar: value.isHostScalar) }
        var result = value
        result.id = id
        result.branchSuffix = nil   // its condition belongs to the block it was made in
        if let key = value.leafKey, value.requiresGrad {
            result.leaves = [key: id]
        } else {
            result.historyThroughControlFlow = value.requiresGrad
            result.leaves = [:]
        }
        return result
    }

    /// The leaves a loop or branch result depends on: its end-of-body value's, and when that
    /// was computed from the loop's carried values (cut at `construct`), those of every carried
    /// non-leaf before the loop (over-approximated: which carried values it read is not
    /// tracked; a carried leaf shows up in the end value's own leaves).
    /// nil when that history cannot be differentiated after the construct.
    private func restoredLeaves(end: TensorValue, before: [TensorValue?], updatedLeaves: Set<Int>,
                                construct: SourceLocation) -> [Int: ValueID]? {
        guard end.leafKey == nil else { return nil }
        var leaves = end.leaves
        if end.historyThroughControlFlow {
            // Cut by something else than this construct's carried values (an inner loop).
            guard end.blockedBy?.location == construct else { return nil }
            for case let value? in before where value.leafKey == nil {
                guard !value.historyThroughControlFlow else { return nil }
                leaves.merge(value.leaves) { kept, _ in kept }
            }
        }
        guard !leaves.isEmpty, updatedLeaves.isDisjoint(with: leaves.keys) else { return nil }
        return leaves
    }

    private func setSlot(_ slot: StateSlot, _ value: TensorValue) {
        switch slot {
        case .variable(let name): environment.assign(name, .tensor(value))
        case .text(let name): environment.assign(name, carriedText(name, value.id))
        case .grad(let key): gradSlots[key] = value.id
        case .parameter(let key): replaceLeaf(key, with: value)
        case .optimizerState(let state): state.value = value
        case .buffer(let buffer): buffer.value = value
        case .scheduler(let state): state.value = value
        }
    }

    /// What the results of a loop or branch need to get their history back: each slot's value
    /// before it (a loop's body sees them only as cut block arguments; a branch needs none),
    /// and the leaves it gives a new version (a history through those cannot be restored).
    struct CarriedHistory {
        var before: [TensorValue?]
        var updatedLeaves: Set<Int>
    }

    private func carriedHistory(_ slots: [StateSlot]) -> CarriedHistory {
        let before = slots.map { slot -> TensorValue? in
            guard case .variable(let name) = slot, case .tensor(let tensor)? = environment.lookup(name)?.value else { return nil }
            return tensor
        }
        return CarriedHistory(before: before, updatedLeaves: [])
    }

    /// After a loop or branch: the slots take the results, keeping their end-of-body metadata.
    /// A loop result computed from leaves the loop does not update gets that history back (the
    /// autodiff pass unrolls the loop to differentiate it; the eager tape holds every
    /// iteration); inside the body, carried values keep none, and an `if` keeps none.
    private func finishCarried(_ slots: [StateSlot], results: [ValueID], after construct: String,
                               ends: [TensorValue]? = nil, history: CarriedHistory, at location: SourceLocation) throws {
        for (position, (slot, id)) in zip(slots, results).enumerated() {
            switch slot {
            case .variable(let name):
                var value: TensorValue
                if let ends {
                    value = ends[position]
                } else if case .tensor(let tensor) = environment.lookup(name)!.value {
                    value = tensor
                } else {
                    // a Python number the body never ran on (eager mode, a loop that ended at once)
                    value = TensorValue(id: id, isHostScalar: true)
                }
                let end = value
                value = rebased(value, to: id)
                if value.historyThroughControlFlow { value.blockedBy = (construct, location) }
                if var leaves = restoredLeaves(end: end, before: history.before, updatedLeaves: history.updatedLeaves,
                                               construct: location) {
                    // A leaf carried into a loop is a block argument inside it; after it, the
                    // history reaches the leaf through the loop's operand.
                    for (key, _) in leaves {
                        if case let outer?? = history.before.first(where: { $0?.leafKey == key && $0?.requiresGrad == true }) {
                            leaves[key] = outer.id
                        }
                    }
                    value.leaves = leaves
                    value.historyThroughControlFlow = false
                    value.blockedBy = nil
                }
                environment.assign(name, .tensor(value))
            case .text(let name):
                environment.assign(name, carriedText(name, id))
            case .grad(let key):
                gradSlots[key] = id
            case .parameter(let key):
                // A new version of the leaf, wherever it is held (the update is in place).
                var value = rebased(currentLeafValue(key) ?? TensorValue(id: id), to: id)
                markInPlaceLeafUpdate(&value, of: key)
                replaceLeaf(key, with: value)
            case .optimizerState(let state):
                state.value = TensorValue(id: id)
            case .buffer(let buffer):
                buffer.value = TensorValue(id: id)
            case .scheduler(let state):
                state.value = TensorValue(id: id)
            }
        }
    }
}

extension Evaluator {
    /// The text of a String variable carried through control flow: the option its index picks.
    func carriedText(_ name: String, _ index: ValueID) -> EvalValue {
        .formatted(FormattedText(segments: [.choice(operand: 0, options: carriedTexts[name] ?? [])], operands: [index]))
    }

    /// The int64 index of a String variable's value among its carried texts (which grow by
    /// each new string assigned): a string known when compiling, or text already chosen at run
    /// time (its index mapped onto the variable's list).
    func textIndex(_ value: EvalValue, of name: String, at location: SourceLocation) throws -> ValueID {
        var options = carriedTexts[name] ?? []
        defer { carriedTexts[name] = options }
        func position(_ text: String) -> Int {
            if let found = options.firstIndex(of: text) { return found }
            options.append(text)
            return options.count - 1
        }
        switch value {
        case .string(let text):
            return try builder.scalar(Double(position(text)), .int64, at: location)
        case .formatted(let text):
            guard let (chosen, index) = text.choiceOptions else { break }
            let positions = chosen.map(position)
            if positions == Array(positions.indices) { return index }
            var attrs = Attributes()
            attrs.data = positions.map(Double.init)
            attrs.shape = [positions.count]
            attrs.dtype = .int64
            let table = try builder.apply1(.constant, [], attrs, at: location)
            let picked = try builder.indexSelect(table, axis: 0, try builder.reshape(index, to: [1], at: location), at: location)
            return try builder.reshape(picked, to: [], at: location)
        default:
            break
        }
        throw Diagnostic("'\(name)' holds a String, which can change inside an 'if' on a tensor value or a loop that runs at run time only to another string, not to \(value.kindName)", at: location)
    }
}

/// Finds what a list of statements may assign: variable names and whether any `.grad` changes.
struct MutationScan {
    var names = Set<String>()
    var touchesGradients = false
    /// Variables whose objects a method call may change (`opt.step()`, `opt.zeroGrad()`).
    var receivers = Set<String>()
    /// Variables whose members are updated in place (`model.fc.weight.data.mul_(0.5)`,
    /// `w.data.zero_()`): the module's parameters and buffers, or the variable, change.
    var inPlaceOwners = Set<String>()
    /// Variables whose tensor itself is updated in place (`w -= lr * g`, `x.add_(1)`): they
    /// change under a `let` too.
    var updatedInPlace = Set<String>()
    /// Variables called or whose members are called (`model(x)`, `model.fc1(x)`): a module's
    /// buffers change when it is called in training mode.
    var callees = Set<String>()
    /// Whether `grad(of:wrt:)` is called.
    var differentiates = false
    /// Every name read (ExportTracer copies only the globals that functions and methods read).
    var mentioned = Set<String>()
    let lookupFunction: (String) -> FuncDecl?
    /// The functions whose bodies are being scanned (a recursive call is not scanned again).
    private var enclosingFunctions = Set<String>()

    init(lookupFunction: @escaping (String) -> FuncDecl?) { self.lookupFunction = lookupFunction }

    mutating func visit(_ statements: [Stmt]) {
        for statement in statements { visit(statement) }
    }

    mutating func visit(_ statement: Stmt) {
        switch statement.kind {
        case .binding(_, _, _, let value): if let value { visit(value) }
        case .assignment(let target, let op, let value):
            // `x = ...` rebinds x; `m.fc.bias -= ...`, `m.weight.grad = nil`, `x[0] = 1` change
            // what x holds (a module's parameters, or the tensor variable itself).
            if let root = Self.rootName(target) {
                if case .identifier = target.kind { names.insert(root) } else { inPlaceOwners.insert(root) }
                if case .identifier = target.kind, op != "=" { updatedInPlace.insert(root) }
            }
            if Self.mentionsGrad(target) { touchesGradients = true }
            visit(value)
        case .expression(let expr), .returnValue(let expr?): visit(expr)
        case .forIn(let pattern, let sequence, let body):
            visit(sequence)
            let changed = names.union(inPlaceOwners)
            visit(body)
            // `for p in model.parameters() { p.mul_(0.5) }`, `for p in [w, b] { ... }`: an
            // in-place update through the loop variable changes what the sequence holds.
            if Self.boundNames(pattern).contains(where: { !changed.contains($0) && (names.contains($0) || inPlaceOwners.contains($0)) }) {
                inPlaceOwners.formUnion(Self.sequenceRoots(sequence))
            }
        case .whileLoop(let condition, let body): visit(condition); visit(body)
        case .ifElse(let condition, let then, let elseBody): visit(condition); visit(then); visit(elseBody ?? [])
        case .function(let decl): visit(decl.body)   // a nested function may run anywhere in its scope
        case .structDecl: break
        case .returnValue(nil), .breakLoop, .continueLoop: break
        }
    }

    mutating func visit(_ expr: Expr) {
        switch expr.kind {
        case .call(let callee, let arguments, let closure):
            if let root = Self.rootName(callee) { callees.insert(root) }
            if case .member(let base, let name) = callee.kind {
                if name == "backward" { touchesGradients = true }
                if name == "step" || name == "zeroGrad", let root = Self.rootName(base) { receivers.insert(root) }
                if name == "append", let root = Self.rootName(base) { names.insert(root) }   // an array grows
                if BuiltinRegistry.mutatingMethods[name] != nil || Evaluator.isInPlaceMethod(name) {   // `x.zero()`, `x.add_(1)`: update their receiver
                    if Self.mentionsGrad(base) { touchesGradients = true } else if let root = Self.rootName(base) {
                        if Self.isMember(base) { inPlaceOwners.insert(root) } else { names.insert(root); updatedInPlace.insert(root) }
                    }
                }
                visit(base)
            } else if case .identifier(let name) = callee.kind {
                if ["grad", "jacobian", "hessian"].contains(name) { differentiates = true }
                if name == "batchNorm" {   // in training it assigns its running statistics' variables
                    for argument in arguments.dropFirst().prefix(2) {
                        if case .identifier(let variable) = argument.value.kind { names.insert(variable) }
                    }
                }
                if let decl = lookupFunction(name), !enclosingFunctions.contains(name) { visitCall(of: decl, arguments) }
            }
            for argument in arguments { visit(argument.value) }
            if let closure { visit(closure.body) }
        case .unary(_, let operand): visit(operand)
        case .binary(_, let lhs, let rhs): visit(lhs); visit(rhs)
        case .member(let base, _), .forceUnwrap(let base): visit(base)
        case .subscriptAccess(let base, let arguments): visit(base); arguments.forEach { visit($0.value) }
        case .partialRange(_, let lower, let upper):
            if let lower { visit(lower) }
            if let upper { visit(upper) }
        case .arrayLiteral(let items), .tuple(let items): items.forEach { visit($0) }
        case .dictionaryLiteral(let entries): entries.forEach { visit($0.key); visit($0.value) }
        case .closure(let closure): visit(closure.body)
        case .ternary(let c, let a, let b): visit(c); visit(a); visit(b)
        case .stringLiteral(let parts):
            for case .interpolation(let arguments) in parts { arguments.forEach { visit($0.value) } }
        case .identifier(let name): mentioned.insert(name)
        case .intLiteral, .floatLiteral, .boolLiteral, .nilLiteral, .implicitMember: break
        }
    }

    /// A call of a program's function: what its body changes, with each parameter read as the
    /// variable its argument names (`step(opt)` with `func step(_ o: Adam)` steps `opt`).
    private mutating func visitCall(of decl: FuncDecl, _ arguments: [Argument]) {
        var body = MutationScan(lookupFunction: lookupFunction)
        body.enclosingFunctions = enclosingFunctions.union([decl.name])
        body.visit(decl.body)
        var renamed: [String: String] = [:]
        for (parameter, argument) in zip(decl.parameters, arguments) {
            if let root = Self.rootName(argument.value) { renamed[parameter.name] = root }
        }
        func rename(_ set: Set<String>) -> Set<String> { Set(set.map { renamed[$0] ?? $0 }) }
        names.formUnion(rename(body.names))
        receivers.formUnion(rename(body.receivers))
        inPlaceOwners.formUnion(rename(body.inPlaceOwners))
        updatedInPlace.formUnion(rename(body.updatedInPlace))
        callees.formUnion(rename(body.callees))
        mentioned.formUnion(rename(body.mentioned))
        touchesGradients = touchesGradients || body.touchesGradients
        differentiates = differentiates || body.differentiates
    }

    static func rootName(_ expr: Expr) -> String? {
        switch expr.kind {
        case .identifier(let name): name
        case .member(let base, _), .subscriptAccess(let base, _), .forceUnwrap(let base): rootName(base)
        default: nil
        }
    }

    /// The names a `for` or `let` pattern binds.
    static func boundNames(_ pattern: Pattern) -> [String] {
        switch pattern {
        case .name(let name, _): [name]
        case .wildcard: []
        case .tuple(let items, _): items.flatMap(boundNames)
        }
    }

    /// The variables whose tensors a `for` loop's items are: `[w, b]`'s, `model.parameters()`'s
    /// module, `params`.
    static func sequenceRoots(_ expr: Expr) -> [String] {
        switch expr.kind {
        case .arrayLiteral(let items), .tuple(let items): items.flatMap(sequenceRoots)
        case .call(let callee, _, _):
            if case .member(_, let name) = callee.kind, ["parameters", "namedParameters", "enumerated"].contains(name) {
                rootName(callee).map { [$0] } ?? []
            } else {
                []
            }
        case .identifier(let name): [name]
        default: []
        }
    }

    /// Whether `expr` is a member access (`w.data`, `model.fc.weight`), not a variable itself.
    static func isMember(_ expr: Expr) -> Bool {
        if case .member = expr.kind { true } else { false }
    }

    static func mentionsGrad(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .member(let base, let name): name == "grad" || mentionsGrad(base)
        case .forceUnwrap(let base): mentionsGrad(base)
        default: false
        }
    }
}
