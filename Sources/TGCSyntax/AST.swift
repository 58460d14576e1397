import TGCBase

/// The syntax tree of a .swiftdsl program: a list of top-level statements.
public struct Program: Sendable {
    public var statements: [Stmt]
    public init(statements: [Stmt]) { self.statements = statements }
}

/// An expression with the location of its first token (binary: the operator's location).
public struct Expr: Sendable {
    public indirect enum Kind: Sendable {
        case intLiteral(Int)
        case floatLiteral(Double)
        case boolLiteral(Bool)
        case nilLiteral
        case stringLiteral([StringPart])
        case identifier(String)
        /// `.float32`, `.cuda`: a member of an implied type.
        case implicitMember(String)
        case arrayLiteral([Expr])
        /// `["w": w, "b": b]`, or `[:]` when empty.
        case dictionaryLiteral([(key: Expr, value: Expr)])
        /// `(a, b)`; a parenthesized single expression is not a tuple.
        case tuple([Expr])
        /// `-x`, `!x`, `+x`.
        case unary(op: String, operand: Expr)
        /// `+ - * / % ** == != < <= > >= && || ..< ...`
        case binary(op: String, lhs: Expr, rhs: Expr)
        /// `f(a, label: b) { trailing closure }`; `callee` may be a member (`x.sum(dim: 1)`).
        case call(callee: Expr, arguments: [Argument], trailingClosure: Closure?)
        /// `x.T`, `x.shape`, `x.grad`.
        case member(base: Expr, name: String)
        /// `x[0, 1..<3]` (chapter 2 indexing).
        case subscriptAccess(base: Expr, arguments: [Argument])
        /// `x.grad!`: Swift's force unwrap, the value itself (an error when it is nil).
        case forceUnwrap(Expr)
        /// A range with a missing bound, written only as a subscript argument: `1...` (no
        /// upper), `..<2` and `...2` (no lower), and a bare `...` (neither: an ellipsis).
        case partialRange(op: String, lower: Expr?, upper: Expr?)
        /// `{ a, b in ... }` as a value.
        case closure(Closure)
        /// `cond ? a : b`
        case ternary(condition: Expr, then: Expr, else: Expr)
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

/// One argument of a call or subscript: `label: value` or just `value`.
public struct Argument: Sendable {
    public var label: String?
    public var value: Expr
    public var location: SourceLocation
    public init(label: String?, value: Expr, at location: SourceLocation) {
        self.label = label
        self.value = value
        self.location = location
    }
}

/// A piece of a string literal: text, or `\(expr)` / `\(expr, precision: 4)` interpolation.
public enum StringPart: Sendable {
    case text(String)
    case interpolation([Argument])
}

/// `{ params in body }` or `{ body }`.
public struct Closure: Sendable {
    public var parameters: [String]
    public var body: [Stmt]
    public var location: SourceLocation
    public init(parameters: [String], body: [Stmt], at location: SourceLocation) {
        self.parameters = parameters
        self.body = body
        self.location = location
    }
}

/// A binding pattern: `x`, `_`, `(a, b)`.
public indirect enum Pattern: Sendable {
    case name(String, SourceLocation)
    case wildcard(SourceLocation)
    case tuple([Pattern], SourceLocation)
}

/// One parameter of a `func`: `label name: Type = default`; `label` nil means the label is the name, "_" means none.
public struct Parameter: Sendable {
    public var label: String?
    public var name: String
    public var type: String?
    public var defaultValue: Expr?
    public var location: SourceLocation
    public init(label: String?, name: String, type: String?, defaultValue: Expr?, at location: SourceLocation) {
        self.label = label
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.location = location
    }

    /// The label callers must write, or nil when the argument is unlabeled (`_ x`).
    public var callLabel: String? {
        if let label { return label == "_" ? nil : label }
        return name
    }
}

/// `func name(params) -> Type { body }`, inlined at each call site.
public struct FuncDecl: Sendable {
    public var name: String
    public var parameters: [Parameter]
    public var returnType: String?
    public var body: [Stmt]
    public var location: SourceLocation
    /// `@export(x: [2, 3])`: the function is a library entry point (`tgc compile --emit lib`).
    public var export: ExportAttribute?
    public init(name: String, parameters: [Parameter], returnType: String?, body: [Stmt], at location: SourceLocation) {
        self.name = name
        self.parameters = parameters
        self.returnType = returnType
        self.body = body
        self.location = location
    }
}

/// `@export(images: [64, 1, 28, 28])`: the float32 shape of each parameter of an exported function.
public struct ExportAttribute: Sendable {
    public var shapes: [(name: String, shape: [Int], location: SourceLocation)]
    public var location: SourceLocation
    public init(shapes: [(name: String, shape: [Int], location: SourceLocation)], at location: SourceLocation) {
        self.shapes = shapes
        self.location = location
    }
}

/// `let name: Type = value` / `var name: Type` inside a `struct`: a stored property.
public struct PropertyDecl: Sendable {
    public var isMutable: Bool
    public var name: String
    public var type: String?
    /// The default value; nil when the initializer sets the property.
    public var value: Expr?
    public var location: SourceLocation
    public init(isMutable: Bool, name: String, type: String?, value: Expr?, at location: SourceLocation) {
        (self.isMutable, self.name, self.type, self.value, self.location) = (isMutable, name, type, value, location)
    }
}

/// `struct Name: Module { properties, init, methods }`: a module type, as a PyTorch
/// `nn.Module` subclass (stored properties are its layers, parameters and settings).
public struct StructDecl: Sendable {
    public var name: String
    public var conformances: [String]
    public var properties: [PropertyDecl]
    /// `init(...) { ... }`, which assigns the properties that have no default value.
    public var initializer: FuncDecl?
    /// `func callAsFunction(_ x: Tensor) -> Tensor` and any other methods.
    public var methods: [FuncDecl]
    public var location: SourceLocation
    public init(name: String, conformances: [String], properties: [PropertyDecl], initializer: FuncDecl?,
                methods: [FuncDecl], at location: SourceLocation) {
        (self.name, self.conformances, self.properties) = (name, conformances, properties)
        (self.initializer, self.methods, self.location) = (initializer, methods, location)
    }
}

/// A statement with the location of its first token.
public struct Stmt: Sendable {
    public indirect enum Kind: Sendable {
        /// `let p: T = e` / `var p = e` (`value` nil only for `var x: T` without initializer).
        case binding(isMutable: Bool, pattern: Pattern, type: String?, value: Expr?)
        /// `target op value` with op one of `= += -= *= /= %=`.
        case assignment(target: Expr, op: String, value: Expr)
        case expression(Expr)
        /// `for pattern in sequence { body }`
        case forIn(pattern: Pattern, sequence: Expr, body: [Stmt])
        /// `while condition { body }` (condition must be known at compile time in compiled mode).
        case whileLoop(condition: Expr, body: [Stmt])
        /// `if c { } else if d { } else { }`: else-if is a nested `ifElse` in `elseBody`.
        case ifElse(condition: Expr, then: [Stmt], elseBody: [Stmt]?)
        case function(FuncDecl)
        case structDecl(StructDecl)
        case returnValue(Expr?)
        case breakLoop
        case continueLoop
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}
