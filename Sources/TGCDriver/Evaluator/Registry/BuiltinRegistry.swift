import TGCBase
import TGCCore
import TGCSyntax

/// A free function of the language (`zeros(3, 4, dtype: .int64)`): its name, its parameters
/// (labels, which may be left out, which are variadic), what it does, and its body.
struct FunctionEntry: Sendable {
    enum Body: Sendable {
        /// Gets its arguments evaluated and, when `params` is set, matched against them.
        case values(@Sendable (Evaluator, CallSite) throws -> EvalValue)
        /// Sees the argument expressions and the trailing closure (`print`, `noGrad { }`).
        case syntax(@Sendable (Evaluator, [Argument], Closure?, SourceLocation) throws -> EvalValue)
    }

    let name: String
    /// nil when the body matches its arguments itself (overloads: `max(a, b)` and `max(x, dim:)`).
    let params: [Param]?
    let summary: String
    let body: Body

    init(_ name: String, _ params: [Param]?, _ summary: String,
         _ body: @escaping @Sendable (Evaluator, CallSite) throws -> EvalValue) {
        self.name = name
        self.params = params
        self.summary = summary
        self.body = .values(body)
    }

    init(syntax name: String, _ summary: String,
         _ body: @escaping @Sendable (Evaluator, [Argument], Closure?, SourceLocation) throws -> EvalValue) {
        self.name = name
        self.params = nil
        self.summary = summary
        self.body = .syntax(body)
    }

    /// Runs the body on arguments already evaluated (a loss module calling its function).
    func call(_ evaluator: Evaluator, _ site: CallSite) throws -> EvalValue {
        guard case .values(let run) = body else { preconditionFailure("\(name) takes its arguments unevaluated") }
        var site = site
        if let params { try site.bind(params) }
        try evaluator.checkDeviceArgument(site)
        return try run(evaluator, site)
    }

    /// Evaluates and matches the arguments, then runs the body.
    func call(_ evaluator: Evaluator, _ arguments: [Argument], _ closure: Closure?, at location: SourceLocation) throws -> EvalValue {
        switch body {
        case .syntax(let run):
            return try run(evaluator, arguments, closure, location)
        case .values(let run):
            try evaluator.rejectClosure(closure, name)
            var site = try evaluator.callSite(name, arguments, at: location)
            if let params { try site.bind(params) }
            try evaluator.checkDeviceArgument(site)
            return try run(evaluator, site)
        }
    }
}

/// A method of tensors (`x.sum(dim: 1)`): the receiver is not among `params`.
struct MethodEntry: Sendable {
    let name: String
    /// nil when the body matches its arguments itself.
    let params: [Param]?
    let summary: String
    let body: @Sendable (Evaluator, TensorValue, CallSite) throws -> EvalValue

    init(_ name: String, _ params: [Param]?, _ summary: String,
         _ body: @escaping @Sendable (Evaluator, TensorValue, CallSite) throws -> EvalValue) {
        self.name = name
        self.params = params
        self.summary = summary
        self.body = body
    }

    /// Matches the (evaluated) arguments, then runs the body on the receiver.
    func call(_ evaluator: Evaluator, on receiver: TensorValue, _ site: CallSite) throws -> EvalValue {
        var site = site
        if let params { try site.bind(params) }
        return try body(evaluator, receiver, site)
    }

    /// The function form `f(x, ...)` of this method: the first argument, unlabeled, must be a
    /// tensor and becomes the receiver.
    var asFunction: FunctionEntry {
        FunctionEntry(name, nil, summary) { [self] e, site in try callWithReceiverFirst(e, site) }
    }

    /// `f(x, ...)` run as `x.f(...)`.
    func callWithReceiverFirst(_ evaluator: Evaluator, _ site: CallSite) throws -> EvalValue {
        guard let first = site.arguments.first, first.label == nil, case .tensor(let x) = first.value else {
            throw Diagnostic("\(name) expects a tensor as its first argument", at: site.location)
        }
        return try call(evaluator, on: x, CallSite(name: name, location: site.location, arguments: Array(site.arguments.dropFirst())))
    }
}

/// A method that changes the value it is called on (`x.grad.zero()`), so it gets the receiver's
/// expression (the variable or `.grad` to update) as well as its value. This is where methods
/// with state (an optimizer's `opt.step()` updating its moments) belong.
struct MutatingMethodEntry: Sendable {
    let name: String
    let summary: String
    /// Receives the argument values unmatched (`zero` ignores them).
    let body: @Sendable (Evaluator, _ receiver: Expr, TensorValue, CallSite) throws -> EvalValue
}

/// The built-ins of one family (creation, math, shape, ...), each family declared in its own
/// file; `BuiltinRegistry` merges them.
struct BuiltinFamily: Sendable {
    let name: String
    var functions: [FunctionEntry] = []
    var methods: [MethodEntry] = []
    var mutatingMethods: [MutatingMethodEntry] = []
}

/// Name resolution for built-ins: every family's entries merged into one table per namespace
/// (free functions, tensor methods, mutating methods, tensor properties). A name declared
/// twice in a namespace keeps its first declaration and is listed in `duplicateNames`, which a
/// test requires to be empty.
enum BuiltinRegistry {
    static let families: [BuiltinFamily] = [.creation, .conversion, .math, .linearAlgebra, .shape, .selection, .reduction, .autograd, .nn, .convolution, .loss, .lossModules, .monitoring, .data]

    static let functions: [String: FunctionEntry] = merged(families.flatMap(\.functions), name: \.name)
    static let methods: [String: MethodEntry] = merged(families.flatMap(\.methods), name: \.name)
    static let mutatingMethods: [String: MutatingMethodEntry] = merged(families.flatMap(\.mutatingMethods), name: \.name)
    static let properties: [String: TensorProperty] = merged(TensorProperty.all, name: \.name)

    static func isFunction(_ name: String) -> Bool { functions[name] != nil }
    static func isProperty(_ name: String) -> Bool { properties[name] != nil }

    /// Each name declared more than once in a namespace, with the families that declare it.
    static var duplicateNames: [String] {
        var found: [String] = []
        func check(_ namespace: String, _ names: [(family: String, name: String)]) {
            let grouped = Dictionary(grouping: names, by: \.name)
            for (name, declarations) in grouped where declarations.count > 1 {
                found.append("\(namespace) '\(name)' in \(declarations.map(\.family).joined(separator: ", "))")
            }
        }
        check("function", families.flatMap { family in family.functions.map { (family.name, $0.name) } })
        check("method", families.flatMap { family in family.methods.map { (family.name, $0.name) } }
                  + families.flatMap { family in family.mutatingMethods.map { (family.name, $0.name) } })
        check("property", TensorProperty.all.map { ("properties", $0.name) })
        return found.sorted()
    }

    private static func merged<Entry>(_ entries: [Entry], name: (Entry) -> String) -> [String: Entry] {
        var table: [String: Entry] = [:]
        for entry in entries where table[name(entry)] == nil { table[name(entry)] = entry }
        return table
    }

    /// `float32`, `.int64`, `long`, ...: the dtype names of the language.
    static func dtype(named name: String) -> DType? {
        switch name {
        case "float32", "float": .float32
        case "float64", "double": .float64
        case "int64", "long": .int64
        case "int32", "int": .int32
        case "uint8": .uint8
        case "bool": .bool
        default: nil
        }
    }
}

extension Param {
    /// `f(a, b)`: two unlabeled operands.
    static let operands: [Param] = [.unlabeled("a"), .unlabeled("b")]
    /// `x.f(b)`: the second operand of a method whose receiver is the first.
    static let otherOperand: [Param] = [.unlabeled("b")]
    /// `zeros(3, 4, dtype:, device:, requiresGrad:)`: a shape (variadic or an array) and the
    /// creation options (the device is checked, then ignored: programs run on one device).
    static let shapeAndOptions: [Param] = [.unlabeled("shape", variadic: true), .labeled("dtype"), .labeled("device"), .labeled("requiresGrad")]
    /// `zerosLike(x, dtype:, requiresGrad:)` and the other `...Like` functions.
    static let likeOptions: [Param] = [.unlabeled("input"), .labeled("dtype"), .labeled("device"), .labeled("requiresGrad")]
}
