import TGCBase
import TGCCore
import TGCSyntax

/// Swift's array methods on the evaluator's arrays (compile-time values: layers of a module,
/// names, numbers, tensors): `a.append(x)`, `a.append(contentsOf: b)`, `a + b`, `a += b`,
/// `a.isEmpty`, `a.first`, `a.last`, and the closure-taking `map`, `filter`, `reduce`
/// (`model.parameters().map { $0.numel() }.reduce(0, +)`), with `sorted()`, `reversed()`,
/// `min()`, `max()` and `contains(x)`. A loop over a range that grows an array is unrolled.
extension Evaluator {
    /// `receiver.name(arguments) { closure }` on an array; nil when `name` is not an array method.
    func callArrayMethod(_ name: String, receiver: Expr, _ items: [EvalValue], _ arguments: [Argument], _ closure: Closure?,
                         at location: SourceLocation) throws -> EvalValue? {
        switch name {
        case "append": break
        case "map", "filter", "reduce":
            return try callHigherOrder(name, items, arguments, closure, at: location)
        case "sorted", "reversed", "min", "max", "contains":
            try rejectClosure(closure, name)
            return try callOrdering(name, items, arguments, at: location)
        default: return nil
        }
        try rejectClosure(closure, name)
        var site = try callSite(name, arguments, at: location)
        let appended: [EvalValue]
        if site.arguments.first?.label == "contentsOf" {
            try site.bind([.labeled("contentsOf", optional: false)])
            guard let more = site.value("contentsOf")!.arrayItems else {
                throw Diagnostic("append(contentsOf:) takes an array", at: site.location("contentsOf"))
            }
            appended = more
        } else {
            try site.bind([.unlabeled("newElement")])
            appended = [site.value("newElement")!]
        }
        let held = "appended array"   // a name no program can spell
        environment.push()
        defer { environment.pop() }
        environment.declare(held, Binding(value: .array(items + appended), isMutable: false, location: location))
        try assign(receiver, op: "=", value: Expr(.identifier(held), at: location), at: location)
        return .void
    }

    /// `a.isEmpty`, `a.first`, `a.last` (nil-like `.none` for an empty array); nil for other names.
    func arrayProperty(_ name: String, of items: [EvalValue]) -> EvalValue? {
        switch name {
        case "isEmpty": .bool(items.isEmpty)
        case "first": items.first ?? EvalValue.none
        case "last": items.last ?? EvalValue.none
        default: nil
        }
    }

    /// `map { f }`, `filter { p }`, `reduce(initial) { f }` and `reduce(initial, +)`.
    private func callHigherOrder(_ name: String, _ items: [EvalValue], _ arguments: [Argument], _ closure: Closure?,
                                 at location: SourceLocation) throws -> EvalValue {
        if name == "reduce" {
            guard let initial = arguments.first, arguments.count == (closure == nil ? 2 : 1) else {
                throw Diagnostic("reduce takes an initial value and a closure: a.reduce(0) { $0 + $1 } or a.reduce(0, +)", at: location)
            }
            if let closure { return try items.reduce(try evaluate(initial.value)) { try callClosure(closure, [$0, $1], at: location) } }
            guard case .identifier(let op) = arguments[1].value.kind, ["+", "*", "-", "/"].contains(op) else {
                throw Diagnostic("reduce's second argument is a closure or an operator: a.reduce(0, +)", at: arguments[1].location)
            }
            return try items.reduce(try evaluate(initial.value)) { try binaryOperator(op, $0, $1, at: location) }   // `reduce(0, +)`
        }
        guard let closure, arguments.isEmpty else {
            throw Diagnostic("\(name) takes only a closure: a.\(name) { ... }", at: location)
        }
        if name == "map" { return .array(try items.map { try callClosure(closure, [$0], at: location) }) }
        return .array(try items.filter { item in
            guard case .bool(let keep) = try callClosure(closure, [item], at: location) else {
                throw Diagnostic("filter's closure must give a Bool known at compile time", at: location)
            }
            return keep
        })
    }

    /// `losses.min()` of numbers some of which are known only at run time (`loss.item()`): the
    /// extreme as a run-time number (float64 when any is a float, else int64), as Python's min().
    private func runTimeExtreme(_ items: [EvalValue], max: Bool, at location: SourceLocation) throws -> EvalValue {
        let isFloat = items.contains { item in
            switch item {
            case .float: true
            case .tensor(let tensor): builder.type(of: tensor.id).dtype.isFloatingPoint
            default: false
            }
        }
        let dtype: DType = isFloat ? .float64 : .int64
        let scalars = try items.map { item -> ValueID in
            guard case .tensor(let tensor) = item else { return try builder.reshape(try asTensor(item, dtype: dtype, at: location).id, to: [1], at: location) }
            guard tensor.isHostScalar || builder.type(of: tensor.id).elementCount == 1 else {
                throw Diagnostic("\(max ? "max" : "min")() compares numbers; an item is a tensor of shape \(formatShape(builder.type(of: tensor.id).shape))", at: location)
            }
            return try builder.reshape(try builder.cast(tensor.id, to: dtype, at: location), to: [1], at: location)
        }
        let joined = scalars.count == 1 ? scalars[0] : try builder.concatenate(scalars, axis: 0, at: location)
        var attrs = Attributes()
        attrs.axes = [0]
        return .tensor(TensorValue(id: try builder.apply1(max ? .reduceMax : .reduceMin, [joined], attrs, at: location), isHostScalar: true))
    }

    /// `sorted()`, `reversed()`, `min()`, `max()` (nil-like `.none` for an empty array) and
    /// `contains(x)`, over numbers and strings known at compile time.
    private func callOrdering(_ name: String, _ items: [EvalValue], _ arguments: [Argument], at location: SourceLocation) throws -> EvalValue {
        if name == "reversed" {
            guard arguments.isEmpty else { throw Diagnostic("reversed() takes no arguments", at: location) }
            return .array(items.reversed())
        }
        if name == "contains" {
            guard arguments.count == 1 else { throw Diagnostic("contains takes one element: a.contains(3)", at: location) }
            let element = try evaluate(arguments[0].value)
            return .bool(try items.contains { item in
                if case .bool(let equal) = try binaryOperator("==", item, element, at: location) { return equal }
                throw Diagnostic("contains compares values known at compile time", at: location)
            })
        }
        guard arguments.isEmpty else { throw Diagnostic("\(name)() takes no arguments", at: location) }
        if name == "min" || name == "max", !items.isEmpty,
           items.contains(where: { if case .tensor = $0 { true } else { false } }) {
            return try runTimeExtreme(items, max: name == "max", at: location)
        }
        func less(_ a: EvalValue, _ b: EvalValue) throws -> Bool {
            guard case .bool(let result) = try binaryOperator("<", a, b, at: location) else {
                throw Diagnostic("\(name)() compares numbers or strings known at compile time", at: location)
            }
            return result
        }
        var sorted = items
        try sorted.sort(by: less)   // a stable order is not needed: equal values are interchangeable
        switch name {
        case "sorted": return .array(sorted)
        case "min": return sorted.first ?? .none
        default: return sorted.last ?? .none
        }
    }

    /// Calls a closure with `values` bound to its parameters (`$0`, `$1`, ... when it names
    /// none) in a scope inside the caller's; a body that is one expression gives its value.
    func callClosure(_ closure: Closure, _ values: [EvalValue], at location: SourceLocation) throws -> EvalValue {
        let names = closure.parameters.isEmpty ? values.indices.map { "$\($0)" } : closure.parameters
        guard names.count == values.count else {
            throw Diagnostic("the closure takes \(names.count) argument\(names.count == 1 ? "" : "s") but is given \(values.count)", at: closure.location)
        }
        environment.push()
        callDepth += 1
        let callerBranchDepth = runtimeBranchDepth
        runtimeBranchDepth = 0
        defer {
            callDepth -= 1
            runtimeBranchDepth = callerBranchDepth
            environment.pop()
        }
        for (name, value) in zip(names, values) {
            environment.declare(name, Binding(value: value, isMutable: false, location: closure.location))
        }
        if closure.body.count == 1, case .expression(let expr) = closure.body[0].kind { return try evaluate(expr) }
        do {
            try executeBlock(closure.body)
        } catch let signal as ReturnSignal {
            return signal.value
        }
        return .void
    }
}
