import Foundation
import TGCBase
import TGCCore

/// Elementwise math: every elementwise op kind spelled as a function (`exp(x)` and `x.exp()`,
/// `maximum(a, b)` and `a.maximum(b)`, names from the op table) and `where`.
/// The operators (`+`, `**`, ...) are in Evaluator+Operators.swift.
extension BuiltinFamily {
    static let math = BuiltinFamily(name: "math", functions: unaryFunctions + binaryFunctions + (parameterizedMethods + [clampMethod]).map(\.asFunction) + [
        FunctionEntry(name(.select), [.unlabeled("condition"), .unlabeled("a"), .unlabeled("b")],
                      "elementwise a where condition holds, else b") { e, site in
            .tensor(try e.tensorOp(.select, [site.value("condition")!, site.value("a")!, site.value("b")!], at: site.location))
        },
    ], methods: unaryMethods + binaryMethods + parameterizedMethods + [clampMethod] + [
        MethodEntry(name(.pow), Param.otherOperand, "x to the power b") { e, x, site in
            let exponent = site.value("b")!
            var gradFunction: String? = nil
            if case .tensor = exponent { gradFunction = SurfaceFunction.powTensorExponent.gradFunction }
            return .tensor(try e.tensorOp(.pow, [.tensor(x), exponent], gradFunction: gradFunction, at: site.location))
        },
    ])

    /// The one-operand functions with a parameter (held in attrs.alpha), its label and default,
    /// as torch.nn.functional names them: `elu(x, alpha: 1.0)`, `x.leakyRelu(negativeSlope: 0.2)`.
    private static let parameters: [OpKind: (label: String, defaultValue: Double)] = [
        .elu: ("alpha", 1), .leakyRelu: ("negativeSlope", 0.01),
    ]

    /// The one-operand functions without a parameter, by name.
    private static let plainUnary = OpKind.elementwiseFunctions(arity: 1).filter { parameters[$0.value] == nil && $0.value != .clamp }
        .sorted { $0.key < $1.key }

    /// The plain functions of one operand; `round` also takes `decimals:` (roundFunction),
    /// `gelu` `approximate:` (geluFunction).
    private static let unaryWithoutOptions = plainUnary.filter { $0.value != .round && $0.value != .gelu }

    /// `gelu(x)`, `gelu(x, approximate: "tanh")`, as torch.nn.functional.gelu.
    private static let geluFunction = FunctionEntry(name(.gelu), [.unlabeled("x"), .labeled("approximate")],
                                                    "elementwise GELU (the erf form, or approximate: \"tanh\")") { e, site in
        .tensor(try e.gelu(try e.asTensor(site.value("x")!, at: site.location("x")), approximate: try e.geluApproximation(site), at: site.location))
    }

    /// `x.gelu()`, `x.gelu(approximate: "tanh")`.
    private static let geluMethod = MethodEntry(name(.gelu), [.labeled("approximate")],
                                                "elementwise GELU (the erf form, or approximate: \"tanh\")") { e, x, site in
        .tensor(try e.gelu(x, approximate: try e.geluApproximation(site), at: site.location))
    }

    /// `round(x)` (also Python's `round(n)` of a number), `round(x, decimals: 2)`.
    private static let roundFunction = FunctionEntry(name(.round), [.unlabeled("x"), .labeled("decimals")],
                                                     "elementwise round half to even (to `decimals` places)") { e, site in
        let x = site.value("x")!
        let places = try site.value("decimals").map { try e.staticInt($0, what: "decimals", at: site.location("decimals")) }
        if places == nil, let number = try e.pythonNumberFunction(.round, x, at: site.location) { return number }
        return .tensor(try e.round(try e.asTensor(x, at: site.location("x")), decimals: places, at: site.location))
    }

    /// `x.round()`, `x.round(decimals: 2)`.
    private static let roundMethod = MethodEntry(name(.round), [.labeled("decimals")],
                                                 "elementwise round half to even (to `decimals` places)") { e, x, site in
        let places = try site.value("decimals").map { try e.staticInt($0, what: "decimals", at: site.location("decimals")) }
        return .tensor(try e.round(x, decimals: places, at: site.location))
    }

    /// `x.clamp(min: a, max: b)`, either bound optional (numbers), as torch.clamp.
    private static let clampMethod = MethodEntry(name(.clamp), [.labeled("min"), .labeled("max")],
                                                 "x limited to [min, max] (either bound optional)") { e, x, site in
        var attrs = Attributes()
        attrs.low = try site.value("min").map { try e.staticDouble($0, what: "min of clamp", at: site.location("min")) }
        attrs.high = try site.value("max").map { try e.staticDouble($0, what: "max of clamp", at: site.location("max")) }
        guard attrs.low != nil || attrs.high != nil else {
            throw Diagnostic("clamp needs min:, max: or both", at: site.location)
        }
        return .tensor(try e.record(.clamp, [x], attrs, gradFunction: OpKind.clamp.definition.gradFunction, at: site.location))
    }

    private static let parameterizedMethods: [MethodEntry] = parameters.sorted { $0.key.name < $1.key.name }.map { kind, parameter in
        let name = kind.definition.functionName!
        return MethodEntry(name, [.labeled(parameter.label)], "elementwise \(name) (\(parameter.label) \(parameter.defaultValue) unless given)") { e, x, site in
            var attrs = Attributes()
            attrs.alpha = try site.value(parameter.label).map {
                try e.staticDouble($0, what: "\(parameter.label) of \(name)", at: site.location(parameter.label))
            } ?? parameter.defaultValue
            return .tensor(try e.record(kind, [x], attrs, gradFunction: kind.definition.gradFunction, at: site.location))
        }
    }

    /// `exp(x)`: a tensor, or a number (made a float32 tensor).
    private static let unaryFunctions: [FunctionEntry] = [roundFunction, geluFunction] + unaryWithoutOptions.map { name, kind in
        FunctionEntry(name, [.unlabeled("x")], "elementwise \(name)") { e, site in
            let x = site.value("x")!
            if let number = try e.pythonNumberFunction(kind, x, at: site.location) { return number }
            if case .tensor(let t) = x { return .tensor(try e.unaryMath(kind, t, at: site.location)) }
            let scalar = try e.staticDouble(x, what: "the argument of \(name)", at: site.location("x"))
            return .tensor(try e.unaryMath(kind, try e.asTensor(.float(scalar), at: site.location), at: site.location))
        }
    }

    private static let unaryMethods: [MethodEntry] = [roundMethod, geluMethod] + unaryWithoutOptions.map { name, kind in
        MethodEntry(name, [], "elementwise \(name)") { e, x, site in .tensor(try e.unaryMath(kind, x, at: site.location)) }
    }

    /// `maximum(a, b)`: tensors and numbers, with PyTorch's promotion.
    private static let binaryFunctions: [FunctionEntry] = OpKind.elementwiseFunctions(arity: 2).sorted { $0.key < $1.key }.map { name, kind in
        FunctionEntry(name, Param.operands + alphaParameter(kind), "elementwise \(name) of a and b") { e, site in
            .tensor(try e.tensorOp(kind, [site.value("a")!, try scaledByAlpha(e, site)], at: site.location))
        }
    }

    /// `a.maximum(b)`; `pow` is declared by hand (a tensor exponent has its own grad_fn).
    private static let binaryMethods: [MethodEntry] = OpKind.elementwiseFunctions(arity: 2).sorted { $0.key < $1.key }
        .filter { $0.value != .pow }.map { name, kind in
            MethodEntry(name, Param.otherOperand + alphaParameter(kind), "elementwise \(name) with b") { e, x, site in
                .tensor(try e.tensorOp(kind, [.tensor(x), try scaledByAlpha(e, site)], at: site.location))
            }
        }

    /// `add` and `sub` take PyTorch's `alpha:` (a + alpha · b, as `p.add_(p.grad!, alpha: -lr)`).
    private static func alphaParameter(_ kind: OpKind) -> [Param] {
        kind == .add || kind == .sub ? [.labeled("alpha")] : []
    }

    /// The second operand, times `alpha:` when given (its product rounded once, then added).
    private static func scaledByAlpha(_ e: Evaluator, _ site: CallSite) throws -> EvalValue {
        let b = site.value("b")!
        guard let alpha = site.value("alpha") else { return b }
        return .tensor(try e.tensorOp(.mul, [b, alpha], at: site.location("alpha")))
    }
}

extension Evaluator {
    /// `approximate:` of gelu and GELU: "none" (the default) or "tanh".
    func geluApproximation(_ site: CallSite) throws -> String {
        guard let value = site.value("approximate") else { return "none" }
        guard case .string(let text) = value, text == "none" || text == "tanh" else {
            throw Diagnostic("approximate argument must be either none or tanh.", at: site.location("approximate"))
        }
        return text
    }

    /// GELU: the gelu op (x·Φ(x) with erf), or PyTorch's tanh form (Builder.geluTanh).
    func gelu(_ x: TensorValue, approximate: String, at location: SourceLocation) throws -> TensorValue {
        guard approximate == "tanh" else { return try unaryMath(.gelu, x, at: location) }
        let dtype = builder.type(of: x.id).dtype
        guard dtype.isFloatingPoint else { throw Diagnostic("gelu needs a floating-point tensor, got \(dtype)", at: location) }
        return try recordComposite("gelu", [x], gradFunction: OpKind.gelu.definition.gradFunction, at: location) {
            try builder.geluTanh(x.id, at: location)
        }
    }

    /// One elementwise op of one operand, with its own grad_fn.
    func unaryMath(_ kind: OpKind, _ x: TensorValue, at location: SourceLocation) throws -> TensorValue {
        try record(kind, [x], gradFunction: kind.definition.gradFunction, at: location)
    }

    /// `x.round()` (`RoundBackward0`), or with `decimals: d` as PyTorch's CPU kernel: in x's
    /// float type, nearbyint(x · 10^d) / 10^d, or for d < 0 nearbyint(x / 10^−d) · 10^−d
    /// (`RoundBackward1`, also for d = 0). With decimals, integer tensors are an error, as in PyTorch.
    func round(_ x: TensorValue, decimals: Int?, at location: SourceLocation) throws -> TensorValue {
        guard let decimals else { return try unaryMath(.round, x, at: location) }
        let dtype = builder.type(of: x.id).dtype
        guard dtype.isFloatingPoint else {
            throw Diagnostic("round with decimals is not implemented for \(dtype) tensors (PyTorch: \"round_cpu\" not implemented)", at: location)
        }
        guard decimals != 0 else { return try record(.round, [x], gradFunction: SurfaceFunction.roundDecimals.gradFunction, at: location) }
        let power = Foundation.pow(10.0, Double(Swift.abs(decimals)))
        return try recordComposite("round()", [x], gradFunction: SurfaceFunction.roundDecimals.gradFunction, at: location) {
            let scale = try builder.scalar(Tensor.round(power, to: dtype), dtype, at: location)
            let scaled = try builder.apply1(decimals > 0 ? .mul : .div, [x.id, scale], at: location)
            let rounded = try builder.apply1(.round, [scaled], at: location)
            return try builder.apply1(decimals > 0 ? .div : .mul, [rounded, scale], at: location)
        }
    }

    /// Python's built-ins `abs(n)` and `round(n)` on a number (static or run-time): `abs` keeps
    /// an Int an Int, `round` gives an Int (half to even); nil for tensors and other functions.
    func pythonNumberFunction(_ kind: OpKind, _ x: EvalValue, at location: SourceLocation) throws -> EvalValue? {
        switch (kind, x) {
        case (.abs, .int(let n)):
            guard n != .min else { throw Diagnostic("integer overflow in abs", at: location) }
            return .int(Swift.abs(n))
        case (.abs, .float(let v)): return .float(Swift.abs(v))
        case (.round, .int): return x
        case (.round, .float(let v)):
            let rounded = v.rounded(.toNearestOrEven)
            guard rounded.isFinite, Swift.abs(rounded) < 9.2e18 else { throw Diagnostic("cannot convert \(v) to an integer", at: location) }
            return .int(Int(rounded))
        case (.round, .tensor(let t)) where t.isHostScalar:
            var rounded = try converted(try unaryMath(.round, t, at: location), to: .int64, at: location)
            rounded.isHostScalar = true
            return .tensor(rounded)
        default: return nil
        }
    }
}
