import TGCBase
import TGCCore
import TGCSyntax

extension Evaluator {
    func evaluate(_ expr: Expr) throws -> EvalValue {
        let at = expr.location
        switch expr.kind {
        case .intLiteral(let value): return .int(value)
        case .floatLiteral(let value): return .float(value)
        case .boolLiteral(let value): return .bool(value)
        case .nilLiteral: return .none   // Python's None: an optional argument left at its default, `w.grad = nil`
        case .stringLiteral(let parts): return try evaluateString(parts)
        case .identifier(let name):
            guard let binding = environment.lookup(name) else {
                // Swift's implicit self in a method: `training` is `self.training`.
                if implicitSelf != nil, let value = try? evaluate(Expr(.member(base: Expr(.identifier("self"), at: at), name: name), at: at)) {
                    return value
                }
                if BuiltinRegistry.isFunction(name) {
                    throw Diagnostic("'\(name)' is a function; call it with arguments: \(name)(...)", at: at)
                }
                throw Diagnostic("cannot find '\(name)' in scope", at: at)
            }
            try Self.requireAssigned(binding, name, at: at)
            return binding.value
        case .implicitMember(let name):
            if let dtype = BuiltinRegistry.dtype(named: name) { return .dtype(dtype) }
            if name == "cpu" || name == "cuda" { return .device(name) }
            if let constant = Self.floatConstant(name) { return .float(constant) }   // x.norm(p: .infinity)
            if let reduction = LossReduction(rawValue: name) { return .reduction(reduction) }   // mseLoss(x, y, reduction: .sum)
            throw Diagnostic("unknown member '.\(name)'; expected a dtype (.float32, .float64, .int64, .int32, .uint8, .bool), a device (.cpu, .cuda), .infinity, .nan, .pi or a reduction (.mean, .sum, .none)", at: at)
        case .arrayLiteral(let items):
            return .array(try items.map(evaluate))
        case .dictionaryLiteral(let entries):
            return try dictionary(entries)
        case .tuple(let items):
            return .tuple(try items.map(evaluate))
        case .unary(let op, let operand):
            return try unaryOperator(op, try evaluate(operand), at: at)
        case .binary(let op, let lhs, let rhs):
            if op == "&&" || op == "||" { return try logical(op, lhs, rhs, at: at) }
            if op == "..<" || op == "..." {
                throw Diagnostic("a range can only be used as the sequence of a 'for' loop", at: at)
            }
            return try binaryOperator(op, try evaluate(lhs), try evaluate(rhs), at: at)
        case .call(let callee, let arguments, let closure):
            return try call(callee, arguments, closure, at: at)
        case .member(let base, let name):
            // `Float.nan`, `Double.pi`: Swift's constants of the floating-point types.
            if case .identifier(let type) = base.kind, type == "Float" || type == "Double", environment.lookup(type) == nil,
               let constant = Self.floatConstant(name) {
                return .float(constant)
            }
            return try property(name, of: try evaluate(base), baseExpr: base, at: at)
        case .subscriptAccess(let baseExpr, let arguments):
            let base = try evaluate(baseExpr)
            if case .tensor(let tensor) = base { return try indexTensor(tensor, arguments, at: at) }
            if case .dictionary(let entries, _) = base { return try lookUp(arguments, in: entries, at: at) }
            // `ds[i]`: sample i, a tuple of each tensor's row i (PyTorch's TensorDataset.__getitem__).
            if case .dataset(let dataset) = base {
                return .tuple(try dataset.tensors.map { try indexTensor($0, arguments, at: at) })
            }
            // A tuple is indexed as in Python: `x.chunk(3)[0]`; a Sequential by position: `net[0]`.
            let tupleItems: [EvalValue]? = switch base {
            case .tuple(let items): items
            case .namedTuple(_, let fields): fields.map(\.1)   // `x.max(dim: 1)[0]`: the values
            case .module(let module): module.listedModules
            default: nil
            }
            guard let items = base.arrayItems ?? tupleItems, arguments.count == 1, arguments[0].label == nil else {
                throw Diagnostic("indexing with [...] works on tensors, data sets, arrays such as x.shape and tuples, not on \(base.kindName)", at: at)
            }
            if let range = try staticRange(arguments[0].value, count: items.count) {
                // `x.shape[1...]`, `names[..<2]`: a slice of the same kind, as Python's a[1:].
                if case .size(let dims) = base { return .size(Array(dims[range])) }
                if case .module = base { throw Diagnostic("a Sequential is indexed by one position: net[0]", at: at) }
                if case .tuple = base { return .tuple(Array(items[range])) }
                return .array(Array(items[range]))
            }
            let indexValue = try evaluate(arguments[0].value)
            if case .tensor(let row) = indexValue, let texts = items.strings {
                return .formatted(try runtimeChoice(texts, row, at: arguments[0].location))
            }
            var index = try staticInt(indexValue, what: "an array index", at: arguments[0].location)
            if index < 0 { index += items.count }   // x.shape[-1], as in Python
            guard items.indices.contains(index) else {
                throw Diagnostic("index \(index) is out of range for an array of \(items.count) elements", at: arguments[0].location)
            }
            return items[index]
        case .forceUnwrap(let optional):
            let value = try evaluate(optional)
            if case .none = value {
                throw Diagnostic("unexpectedly found nil while unwrapping an Optional value (PyTorch: None)", at: at)
            }
            return value
        case .partialRange:
            throw Diagnostic("a range with a missing bound, or '...', can only be used as a tensor index: x[1...], x[..., 0]", at: at)
        case .closure:
            throw Diagnostic("a closure can only be passed as a trailing closure (noGrad { ... })", at: at)
        case .ternary(let conditionExpr, let thenExpr, let elseExpr):
            let condition = try evaluate(conditionExpr)
            if case .bool(let value) = condition { return try evaluate(value ? thenExpr : elseExpr) }
            // Python's `a if c else b` on a tensor `c` is its `if`: one value, and the result is
            // one of the two operands (their shape, not one broadcast with the condition's).
            guard case .tensor(let c) = condition else {
                throw Diagnostic("the condition of '?:' must be a Bool or a tensor, not \(condition.kindName)", at: conditionExpr.location)
            }
            let flag = try truthValue(c, of: "'?:'", hint: "; use where(condition, a, b) to choose elementwise",
                                      at: conditionExpr.location, opsAt: at)
            let (a, b) = (try evaluate(thenExpr), try evaluate(elseExpr))
            if case .string(let ifTrue) = a, case .string(let ifFalse) = b {
                // `correct ? "right" : "wrong"`: the text the run-time condition picks.
                let index = try builder.cast(flag, to: .int64, at: at)
                return .formatted(FormattedText(segments: [.choice(operand: 0, options: [ifFalse, ifTrue])], operands: [index]))
            }
            for case (let side, .formatted) in [(thenExpr, a), (elseExpr, b)] {
                throw Diagnostic("'?:' on a value known only at run time picks between strings known at compile time; this one holds run-time values: print it in an 'if' instead (if condition { print(...) } else { print(...) })", at: side.location)
            }
            if a.isPythonNumber, b.isPythonNumber {
                // Two Python numbers: a run-time number (`epoch < 2 ? 0.1 : 0.01` is a float64,
                // `c ? 3 : 4` an int64), not a float32 tensor as where() of two numbers.
                let dtypes = [a, b].map { value -> DType in
                    switch value {
                    case .float: .float64
                    case .tensor(let t): builder.type(of: t.id).dtype
                    default: .int64
                    }
                }
                let dtype: DType = dtypes.contains(where: \.isFloatingPoint) ? .float64 : dtypes.allSatisfy { $0 == .bool } ? .bool : .int64
                let (x, y) = (try asTensor(a, dtype: dtype, at: at), try asTensor(b, dtype: dtype, at: at))
                let chosen = try builder.apply1(.select, [flag, try builder.cast(x.id, to: dtype, at: at), try builder.cast(y.id, to: dtype, at: at)], at: at)
                return .tensor(TensorValue(id: chosen, isHostScalar: true))
            }
            if case .tensor(let x) = a, case .tensor(let y) = b, builder.type(of: x.id).shape != builder.type(of: y.id).shape {
                throw Diagnostic("the two sides of '?:' on a tensor condition must have the same shape (compiled code picks one at run time), got \(formatShape(builder.type(of: x.id).shape)) and \(formatShape(builder.type(of: y.id).shape))", at: at)
            }
            var result = try tensorOp(.select, [.tensor(TensorValue(id: flag)), a, b],
                                      gradFunction: OpKind.select.definition.gradFunction, at: at)
            if case .tensor(let x) = a, case .tensor(let y) = b, result.requiresGrad {
                // The result is one of the two tensors: print the chosen one's grad_fn.
                result.branchSuffix = BranchSuffix(condition: flag, ifTrue: gradSuffix(x), ifFalse: gradSuffix(y))
            }
            return .tensor(result)
        }
    }

    private func evaluateString(_ parts: [StringPart]) throws -> EvalValue {
        var text = FormattedText()
        for part in parts {
            switch part {
            case .text(let literal):
                text.append(literal)
            case .interpolation(let arguments):
                guard let first = arguments.first, first.label == nil else {
                    throw Diagnostic("expected a value to interpolate", at: arguments.first?.location ?? .unknown)
                }
                var precision: Int? = nil
                for argument in arguments.dropFirst() {
                    guard argument.label == "precision" else {
                        throw Diagnostic("unknown interpolation argument '\(argument.label ?? "_")'; only 'precision:' is supported", at: argument.location)
                    }
                    precision = try staticInt(try evaluate(argument.value), what: "precision", at: argument.location)
                    guard (0...20).contains(precision!) else {
                        throw Diagnostic("precision must be between 0 and 20", at: argument.location)
                    }
                }
                text.append(try format(try evaluate(first.value), precision: precision, interpolated: true, at: first.location))
            }
        }
        return text.value
    }

    /// `&&` and `||` short-circuit on Bools and are elementwise on tensors.
    private func logical(_ op: String, _ lhsExpr: Expr, _ rhsExpr: Expr, at location: SourceLocation) throws -> EvalValue {
        let lhs = try evaluate(lhsExpr)
        if case .bool(let left) = lhs {
            if op == "&&" && !left { return .bool(false) }
            if op == "||" && left { return .bool(true) }
            let rhs = try evaluate(rhsExpr)
            if case .bool = rhs { return rhs }
            return .tensor(try tensorOp(op == "&&" ? .logicalAnd : .logicalOr, [lhs, rhs], at: location))
        }
        let rhs = try evaluate(rhsExpr)
        return .tensor(try tensorOp(op == "&&" ? .logicalAnd : .logicalOr, [lhs, rhs], at: location))
    }

    /// Converts a number or tensor to a tensor handle (numbers become 0-dim constants).
    func asTensor(_ value: EvalValue, dtype: DType? = nil, at location: SourceLocation) throws -> TensorValue {
        switch value {
        case .tensor(let tensor): return tensor
        case .int(let n): return TensorValue(id: try builder.scalar(Double(n), dtype ?? .int64, at: location), isHostScalar: true)
        case .float(let x): return TensorValue(id: try builder.scalar(x, dtype ?? .float32, at: location), isHostScalar: true)
        case .bool(let b): return TensorValue(id: try builder.scalar(b ? 1 : 0, dtype ?? .bool, at: location), isHostScalar: true)
        default: throw Diagnostic("expected a tensor or a number, got \(value.kindName)", at: location)
        }
    }

    /// PyTorch's `torch.result_type` of tensors and numbers (`DType.resultType`): numbers and
    /// run-time numbers (host scalars: items, loop indices) are converted to it before the op,
    /// and the op's type rule gives it again from the tensors. Numbers alone follow Python:
    /// float64 when one is a float (or for `/`), else int64 (bool for bools alone).
    func resultType(of operands: [EvalValue], division: Bool = false) -> DType {
        var (dimensioned, zeroDim, numbers) = ([DType](), [DType](), [DType]())
        for operand in operands {
            guard let dtype = staticDType(operand) else { continue }
            if case .tensor(let tensor) = operand, !tensor.isHostScalar {
                if builder.type(of: tensor.id).rank > 0 { dimensioned.append(dtype) } else { zeroDim.append(dtype) }
            } else {
                numbers.append(dtype.isFloatingPoint ? .float32 : dtype == .bool ? .bool : .int64)
            }
        }
        if dimensioned.isEmpty && zeroDim.isEmpty {
            return numbers.contains(.float32) || division ? .float64 : numbers.contains(.int64) ? .int64 : .bool
        }
        return DType.resultType(dimensioned: dimensioned, zeroDim: zeroDim, numbers: numbers)
    }

    /// The dtype a number takes as a run-time value: Python's float64, int64 and bool.
    func pythonDType(_ value: EvalValue) -> DType? {
        switch value {
        case .float: .float64
        case .int: .int64
        case .bool: .bool
        default: nil
        }
    }

    /// The dtype a static number takes next to tensors.
    func staticDType(_ value: EvalValue) -> DType? {
        switch value {
        case .int: .int64
        case .float: .float32
        case .bool: .bool
        case .tensor(let t): builder.type(of: t.id).dtype
        default: nil
        }
    }

    func staticInt(_ value: EvalValue, what: String, at location: SourceLocation) throws -> Int {
        switch value {
        case .int(let n): return n
        case .tensor:
            throw Diagnostic("\(what) must be known at compile time (an Int), but it is a tensor value computed at run time", at: location)
        default:
            throw Diagnostic("\(what) must be an Int, got \(value.kindName)", at: location)
        }
    }

    /// The module whose method is running (`self`), which unqualified names may refer to.
    var implicitSelf: ModuleObject? {
        if case .module(let module)? = environment.lookup("self")?.value { module } else { nil }
    }

    func staticDouble(_ value: EvalValue, what: String, at location: SourceLocation) throws -> Double {
        switch value {
        case .int(let n): return Double(n)
        case .float(let x): return x
        case .bool(let b): return b ? 1 : 0
        default:
            if let fixed = fixedHyperValue(value) { return fixed }
            throw Diagnostic("\(what) must be a number known at compile time, got \(value.kindName)", at: location)
        }
    }

    /// The positions a range subscript of a compile-time sequence of `count` items names
    /// (`1..<3`, `1...`, `..<2`, `1...2`), clamped as Python's slices; nil when `expr` is no range.
    func staticRange(_ expr: Expr, count: Int) throws -> Range<Int>? {
        let lower: Expr?, upper: Expr?, closed: Bool
        switch expr.kind {
        case .binary(let op, let a, let b) where op == "..<" || op == "...": (lower, upper, closed) = (a, b, op == "...")
        case .partialRange(let op, let a, let b): (lower, upper, closed) = (a, b, op == "...")
        default: return nil
        }
        func bound(_ expr: Expr?, _ otherwise: Int) throws -> Int {
            guard let expr else { return otherwise }
            let value = try staticInt(try evaluate(expr), what: "a slice bound", at: expr.location)
            return min(max(value < 0 ? value + count : value, 0), count)
        }
        let low = try bound(lower, 0)
        let high = upper == nil ? count : min(try bound(upper, count) + (closed ? 1 : 0), count)
        return low..<max(low, high)
    }
}

extension Evaluator {
    /// Swift's floating-point constants by member name (`.infinity`, `Float.nan`, `.pi`):
    /// Python's `float('inf')`, `float('nan')`, `math.pi`.
    static func floatConstant(_ name: String) -> Double? {
        switch name {
        case "infinity": .infinity
        case "nan": .nan
        case "pi": .pi
        default: nil
        }
    }
}
