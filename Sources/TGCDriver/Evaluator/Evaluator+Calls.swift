import TGCBase
import TGCCore
import TGCSyntax

extension Evaluator {
    func call(_ callee: Expr, _ arguments: [Argument], _ closure: Closure?, at location: SourceLocation) throws -> EvalValue {
        switch callee.kind {
        case .identifier(let name):
            if let binding = environment.lookup(name) {
                try rejectClosure(closure, name)
                switch binding.value {
                case .function(let decl): return try inline(decl, arguments, at: location)
                case .structType(let decl): return try instantiate(decl, arguments, at: location)
                case .module(let module): return try callModule(module, arguments, at: location)
                default: throw Diagnostic("cannot call value of type \(binding.value.kindName)", at: callee.location)
                }
            }
            // Swift's implicit self: `forward(x)` in a method calls `self.forward(x)`.
            if let module = implicitSelf, case .user(let decl) = module.kind, decl.methods.contains(where: { $0.name == name }) {
                try rejectClosure(closure, name)
                return try callModuleMember(module, name, arguments, at: location)
            }
            guard let function = BuiltinRegistry.functions[name] else {
                try rejectClosure(closure, name)
                throw Diagnostic("cannot find '\(name)' in scope", at: callee.location)
            }
            return try function.call(self, arguments, closure, at: location)
        case .member(let baseExpr, let name):
            let base = try evaluate(baseExpr)
            if case .array(let items) = base, let result = try callArrayMethod(name, receiver: baseExpr, items, arguments, closure, at: location) {
                return result
            }
            // `net.layers.parameters()`, `blocks.train()`: an array of modules is a ModuleList.
            if case .array(let items) = base, ModuleObject.isModuleArray(items), ModuleMethod.names.contains(name) {
                try rejectClosure(closure, name)
                return try callModuleMember(ModuleObject.moduleList(items, training: true), name, arguments, at: location)
            }
            if case .size(let dims) = base, name == "numel", arguments.isEmpty, closure == nil {
                return .int(dims.reduce(1, *))   // torch.Size.numel()
            }
            try rejectClosure(closure, name)
            if case .module(let module) = base { return try callModuleMember(module, name, arguments, at: location) }
            if case .optimizer(let optimizer) = base { return try callOptimizerMember(optimizer, name, arguments, at: location) }
            if case .summaryWriter(let folder) = base { return try callSummaryWriterMember(folder, name, arguments, at: location) }
            if case .scheduler(let scheduler) = base { return try callSchedulerMember(scheduler, name, arguments, at: location) }
            if case .gradFunction(let function) = base, name == "name", arguments.isEmpty { return .string(function) }   // PyTorch's grad_fn.name()
            if case .string(let text) = base { return try callStringMethod(text, name, arguments, at: location) }
            if name == "enumerated", arguments.isEmpty, let pairs = enumerated(base) { return pairs }
            guard case .tensor(let tensor) = base else {
                throw Diagnostic("value of type \(base.kindName) has no method '\(name)'", at: callee.location)
            }
            if let method = BuiltinRegistry.mutatingMethods[name] {
                return try method.body(self, baseExpr, tensor, try callSite(name, arguments, at: location))
            }
            if Self.isInPlaceMethod(name) {
                return try callInPlaceMethod(name, receiver: baseExpr, tensor, arguments, at: location)
            }
            guard let method = BuiltinRegistry.methods[name] else {
                if BuiltinRegistry.isProperty(name) {
                    throw Diagnostic("'\(name)' is a property; use x.\(name) without parentheses", at: callee.location)
                }
                throw Diagnostic("value of type Tensor has no method '\(name)'", at: callee.location)
            }
            return try method.call(self, on: tensor, try callSite(name, arguments, at: location))
        case .arrayLiteral(let elements) where arguments.isEmpty && elements.count == 1 && Self.namesType(elements[0]):
            try rejectClosure(closure, "an array")
            return .array([])   // `[Double]()`: Swift's empty array of a type
        case .dictionaryLiteral(let entries) where arguments.isEmpty && entries.count == 1
                && Self.namesType(entries[0].key) && Self.namesType(entries[0].value):
            try rejectClosure(closure, "a dictionary")
            return .dictionary([])   // `[String: Double]()`
        default:
            // `layers[0](x)`: a module picked out of an array.
            guard case .module(let module) = try evaluate(callee) else {
                throw Diagnostic("cannot call this expression", at: callee.location)
            }
            try rejectClosure(closure, "a module")
            return try callModule(module, arguments, at: location)
        }
    }

    /// Swift's `seq.enumerated()` (Python's `enumerate`): (index, element) pairs of an array,
    /// tuple or torch.Size, or a loader whose loop binds `(i, batch)`; nil for other values.
    func enumerated(_ sequence: EvalValue) -> EvalValue? {
        if case .loader(var loader) = sequence, !loader.enumerated {
            loader.enumerated = true
            return .loader(loader)
        }
        let items: [EvalValue]
        switch sequence {
        case .tuple(let values): items = values
        case .module(let module):
            guard let values = module.listedModules else { return nil }
            items = values
        default:
            guard let values = sequence.arrayItems else { return nil }
            items = values
        }
        return .array(items.enumerated().map { .tuple([.int($0.offset), $0.element]) })
    }

    /// Whether `expr` names a type (`Double`, `Tensor`, `[Int]`): a capitalized identifier or an array of one.
    static func namesType(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .identifier(let name): name.first?.isUppercase == true
        case .arrayLiteral(let elements): elements.count == 1 && namesType(elements[0])
        default: false
        }
    }

    func rejectClosure(_ closure: Closure?, _ name: String) throws {
        if let closure { throw Diagnostic("'\(name)' does not take a trailing closure", at: closure.location) }
    }

    func callSite(_ name: String, _ arguments: [Argument], at location: SourceLocation) throws -> CallSite {
        CallSite(name: name, location: location, arguments: try arguments.map { ($0.label, try evaluate($0.value), $0.location) })
    }

    /// Inlines a user function: binds its parameters in a new scope and runs its body.
    private func inline(_ decl: FuncDecl, _ arguments: [Argument], at location: SourceLocation) throws -> EvalValue {
        try inScopeOfGlobals(decl.name, arguments, decl.parameters, at: location) { try runBody(of: decl) }
    }

    /// Runs a function's body to its `return`; a body that is one expression returns its value,
    /// as Swift's implicit return (`func f(_ x: Tensor) -> Tensor { x * 2 }`).
    func runBody(of decl: FuncDecl) throws -> EvalValue {
        if decl.returnType != nil, decl.body.count == 1, case .expression(let expr) = decl.body[0].kind {
            return Self.annotated(try evaluate(expr), as: decl.returnType)
        }
        do {
            try executeBlock(decl.body)
        } catch let signal as ReturnSignal {
            return Self.annotated(signal.value, as: decl.returnType)
        }
        return .void
    }

    /// Runs `body` as the body of a call to `name` (a function, method or initializer): in a
    /// new scope that sees the globals and not the caller's locals, the declarations `before`
    /// makes, then the arguments bound to `parameters`. Globals the body assigns are kept.
    func inScopeOfGlobals<T>(_ name: String, _ arguments: [Argument], _ parameters: [Parameter], at location: SourceLocation,
                             before: () throws -> Void = {}, _ body: () throws -> T) throws -> T {
        guard callDepth < 64 else {
            throw Diagnostic("function calls nest deeper than 64 (is '\(name)' recursive? functions are inlined)", at: location)
        }
        var site = try callSite(name, arguments, at: location)
        try site.bind(parameters.map { Param(label: $0.callLabel, name: $0.name, optional: $0.defaultValue != nil) })
        var values: [(String, EvalValue)] = []
        for parameter in parameters {
            values.append((parameter.name, Self.annotated(try site.value(parameter.name) ?? evaluate(parameter.defaultValue!), as: parameter.type)))
        }
        let saved = environment
        // A function sees the globals and itself, not the caller's locals.
        environment = Environment()
        let visibleGlobals = saved.globals
        for (name, binding) in visibleGlobals { environment.declare(name, binding) }
        callDepth += 1
        let callerBranchDepth = runtimeBranchDepth
        runtimeBranchDepth = 0   // a `return` ends the inlined body wherever its call stands
        defer {
            callDepth -= 1
            runtimeBranchDepth = callerBranchDepth
            let globals = environment.globals
            environment = saved
            for (name, binding) in globals where visibleGlobals[name] != nil { environment.assignGlobal(name, binding.value) }
        }
        environment.push()
        try before()
        for (name, value) in values {
            environment.declare(name, Binding(value: value, isMutable: false, location: location))
        }
        return try body()
    }

    /// `noGrad { ... }` (enabled false) and `enableGrad { ... }` (true): runs the closure with
    /// autograd recording off or on, then restores the mode it had. A closure that is one
    /// expression gives its value, as Swift's implicit return: `let y = noGrad { x * 2 }` is
    /// PyTorch's `with torch.no_grad(): y = x * 2`. A `return` in a longer closure gives the
    /// closure's value, as in Swift (`func predict(...) -> Tensor { noGrad { ...; return y } }` is
    /// PyTorch's `with torch.no_grad(): return y`).
    func withGradMode(_ enabled: Bool, _ name: String, _ arguments: [Argument], _ closure: Closure?,
                      at location: SourceLocation) throws -> EvalValue {
        guard arguments.isEmpty, let closure, closure.parameters.isEmpty else {
            throw Diagnostic("\(name) takes a trailing closure without parameters: \(name) { ... }", at: location)
        }
        let saved = gradEnabled
        gradEnabled = enabled
        defer { gradEnabled = saved }
        if closure.body.count == 1, case .expression(let expr) = closure.body[0].kind { return try evaluate(expr) }
        return try callClosure(closure, [], at: location)
    }

    /// `x.zero()` / `x.grad.zero()`: fills the tensor (or the leaf's gradient) with zeros in place.
    func zeroInPlace(_ baseExpr: Expr, _ tensor: TensorValue, at location: SourceLocation) throws -> EvalValue {
        let type = builder.type(of: tensor.id)
        let zeros = TensorValue(id: try builder.full(type.shape, 0, type.dtype, at: location))
        if case .member(let owner, "grad") = baseExpr.kind {
            guard case .tensor(let leaf) = try evaluate(owner), let key = leaf.leafKey ?? leaf.retainKey else {
                throw Diagnostic("zero() of a gradient needs a leaf tensor that requires grad, or a value that called retainGrad()", at: location)
            }
            gradSlots[key] = zeros.id
            noneGradients[key] = nil
        } else if case .identifier(let name) = baseExpr.kind {
            try assignVariable(name, .tensor(zeros), at: location)
        } else {
            throw Diagnostic("zero() works on a variable or on x.grad", at: location)
        }
        return .tensor(zeros)
    }
}
