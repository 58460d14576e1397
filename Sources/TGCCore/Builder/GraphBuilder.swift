import TGCBase

/// The compiled-mode Builder: records every op into an IR module (define-and-run).
public final class GraphBuilder: Builder {
    public let module: Module
    private var values: [Int: Value] = [:]
    /// The block ops are appended to, innermost last, and the insertion index in it (nil: at the end).
    private var insertionStack: [(block: Block, index: Int?)]

    public init(module: Module = Module()) {
        self.module = module
        self.insertionStack = [(module.body, nil)]
    }

    /// A builder that inserts before `index` in `block` (used by passes such as autodiff).
    public init(module: Module, insertingInto block: Block, at index: Int) {
        self.module = module
        self.insertionStack = [(block, index)]
    }

    public func id(_ value: Value) -> ValueID {
        values[value.id] = value
        return ValueID(raw: value.id)
    }

    public func value(_ id: ValueID) -> Value {
        guard let value = values[id.raw] else { preconditionFailure("unknown value \(id)") }
        return value
    }

    public func type(of value: ValueID) -> TensorType { self.value(value).type }

    @discardableResult
    private func insert(_ op: Op) -> Op {
        let top = insertionStack.count - 1
        if let index = insertionStack[top].index {
            insertionStack[top].block.ops.insert(op, at: index)
            insertionStack[top].index = index + 1
        } else {
            insertionStack[top].block.ops.append(op)
        }
        return op
    }

    public func apply(_ kind: OpKind, _ operands: [ValueID], _ attributes: Attributes,
                      at location: SourceLocation) throws -> [ValueID] {
        let operandValues = operands.map(value)
        let types: [TensorType]
        do {
            types = try kind.definition.inferType(operandValues.map(\.type), attributes)
            try types.forEach(ShapeRules.checkSize)
        } catch let error as OpTypeError {
            throw Diagnostic(error.message, at: location)
        }
        let op = insert(module.makeOp(kind, operandValues, resultTypes: types, attributes: attributes, at: location))
        return op.results.map(id)
    }

    /// Runs `build` with ops going into `block`, then appends `yield` of what it returns.
    private func fill(_ block: Block, location: SourceLocation, _ build: () throws -> [ValueID]) throws -> [Value] {
        insertionStack.append((block, nil))
        defer { insertionStack.removeLast() }
        let yielded = try build().map(value)
        block.ops.append(module.makeOp(.yield, yielded, resultTypes: [], at: location))
        return yielded
    }

    public func loop(_ range: Range<Int>, carrying: [ValueID], at location: SourceLocation,
                     body: (ValueID, [ValueID]) throws -> [ValueID]) throws -> [ValueID] {
        let initial = carrying.map(value)
        let index = module.makeValue(.scalar(.int64))
        let arguments = initial.map { module.makeValue($0.type) }
        let block = Block(arguments: [index] + arguments)
        let yielded = try fill(block, location: location) {
            try body(id(index), arguments.map(id))
        }
        try checkTypes(yielded, match: initial, what: "loop-carried value", at: location)
        var attrs = Attributes()
        attrs.lower = range.lowerBound
        attrs.upper = range.upperBound
        let op = insert(module.makeOp(.forLoop, initial, resultTypes: initial.map(\.type),
                                      attributes: attrs, regions: [block], at: location))
        return op.results.map(id)
    }

    public func branch(_ condition: ValueID, carrying: [ValueID], at location: SourceLocation,
                       then: ([ValueID]) throws -> [ValueID],
                       else: ([ValueID]) throws -> [ValueID]) throws -> [ValueID] {
        let conditionValue = value(condition)
        guard conditionValue.type == .scalar(.bool) else {
            throw Diagnostic("condition must be a bool scalar, got \(conditionValue.type)", at: location)
        }
        let initial = carrying.map(value)
        let thenBlock = Block(), elseBlock = Block()
        let thenValues = try fill(thenBlock, location: location) { try then(carrying) }
        let elseValues = try fill(elseBlock, location: location) { try `else`(carrying) }
        try checkTypes(thenValues, match: initial, what: "value assigned in 'if'", at: location)
        try checkTypes(elseValues, match: initial, what: "value assigned in 'else'", at: location)
        let op = insert(module.makeOp(.ifElse, [conditionValue], resultTypes: initial.map(\.type),
                                      regions: [thenBlock, elseBlock], at: location))
        return op.results.map(id)
    }

    public func gradient(of output: ValueID, seed: ValueID?, wrt: [ValueID],
                         at location: SourceLocation) throws -> [ValueID] {
        var attrs = Attributes()
        attrs.hasSeedGradient = seed != nil
        return try apply(.gradient, [output] + (seed.map { [$0] } ?? []) + wrt, attrs, at: location)
    }

    /// Gradients without history (backward() and grad() without createGraph), each behind a
    /// stopGradient: a later gradient does not differentiate through the ops that make them, as
    /// eager mode's tape drops them (`(x * x.grad!).sum().backward()` treats x.grad as a constant).
    /// Canonicalize removes the stopGradients once the autodiff pass has run.
    public func detachedGradient(of output: ValueID, seed: ValueID?, wrt: [ValueID],
                                 at location: SourceLocation) throws -> [ValueID] {
        try gradient(of: output, seed: seed, wrt: wrt, at: location).map { try apply1(.stopGradient, [$0], at: location) }
    }

    /// The ops before the insertion point, loops unrolled (UnrolledEntries).
    public func recordedEntries() -> [TapeEntry] { recordedEntries(choosing: nil).entries }

    /// The ops before the insertion point, loops unrolled, the `if` at position `choice.index`
    /// of `conditions` replaced by the ops of one branch; with the conditions of the `if`s.
    public func recordedEntries(choosing choice: (index: Int, taken: Bool)?) -> (entries: [TapeEntry], conditions: [ValueID]) {
        var unrolled = UnrolledEntries(handle: id, choice: choice)
        for level in insertionStack {
            unrolled.append(level.block.ops[..<(level.index ?? level.block.ops.count)])
        }
        return (unrolled.entries, unrolled.conditions)
    }

    private func checkTypes(_ values: [Value], match initial: [Value], what: String, at location: SourceLocation) throws {
        for (new, old) in zip(values, initial) where new.type != old.type {
            throw Diagnostic("\(what) changes type from \(old.type) to \(new.type); compiled control flow needs fixed shapes and dtypes", at: location)
        }
    }
}
