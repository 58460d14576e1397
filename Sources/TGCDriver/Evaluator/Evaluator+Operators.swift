import Foundation
import TGCBase
import TGCCore

extension Evaluator {
    /// Applies `kind` to tensors and numbers with PyTorch's promotion, tracking autograd metadata.
    func tensorOp(_ kind: OpKind, _ operands: [EvalValue], _ attrs: Attributes = .none,
                  gradFunction: String? = nil, at location: SourceLocation) throws -> TensorValue {
        if kind != .pow, attrs == .none, operands.count == 2, case .tensor(let a) = operands[0], case .tensor(let b) = operands[1],
           !a.isHostScalar, !b.isHostScalar {
            return try twoTensorOp(kind, a, b, gradFunction: gradFunction, at: location)
        }
        let valueOperands = kind == .select ? Array(operands.dropFirst()) : operands
        var promoted = resultType(of: valueOperands, division: kind == .div)
        if kind == .select, promoted == .float64, valueOperands.allSatisfy({ if case .tensor(let t) = $0 { t.isHostScalar } else { true } }) {
            promoted = .float32   // `where(c, 1.0, 0.0)`: two Python numbers give the default dtype
        }
        if kind == .pow, case .int(let exponent) = operands[1], exponent < 0, !promoted.isFloatingPoint {
            // A Python int to a negative int power is a float (`n ** -1` with n = x.item()).
            if case .tensor(let base) = operands[0], base.isHostScalar { return try tensorOp(kind, [operands[0], .float(Double(exponent))], attrs, gradFunction: gradFunction, at: location) }
            throw Diagnostic("integers to negative integer powers are not allowed; convert with .float() first", at: location)
        }
        var tensors = try operands.enumerated().map { index, value -> TensorValue in
            let dtype: DType = kind == .select && index == 0 ? .bool : promoted
            guard case .tensor(var tensor) = value else { return try asTensor(value, dtype: dtype, at: location) }
            if tensor.isHostScalar { tensor.id = try builder.cast(tensor.id, to: dtype, at: location) }   // a number takes the op's dtype
            return tensor
        }
        if tensors.count == 2 { (tensors[0], tensors[1]) = try inComputingDType(kind, tensors[0], tensors[1], at: location) }
        return try record(kind, tensors, attrs, gradFunction: gradFunction ?? kind.definition.gradFunction, at: location)
    }

    /// The ops PyTorch computes in its operands' promoted dtype, each operand cast to it first:
    /// `tensor([16777217]) - 16777216.0` is 0 (the int64 element becomes float32 16777216) and
    /// `tensor([0.1]) == tensor(0.1, dtype: .float64)` true (the 0-dim float64 becomes float32).
    private static let computedInPromotedDType: Set<OpKind> = [
        .add, .sub, .mul, .maximum, .minimum, .mod,
        .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual,
    ]

    /// a and b cast to the dtype `kind` computes in, when they differ.
    private func inComputingDType(_ kind: OpKind, _ a: TensorValue, _ b: TensorValue,
                                  at location: SourceLocation) throws -> (TensorValue, TensorValue) {
        let (ta, tb) = (builder.type(of: a.id), builder.type(of: b.id))
        guard ta.dtype != tb.dtype, Self.computedInPromotedDType.contains(kind) else { return (a, b) }
        let dtype = DType.resultType(of: [ta, tb])
        var (a, b) = (a, b)
        if ta.dtype != dtype { a.id = try builder.cast(a.id, to: dtype, at: location) }
        if tb.dtype != dtype { b.id = try builder.cast(b.id, to: dtype, at: location) }
        return (a, b)
    }

    /// `lhs op rhs` (see the array form), without building an operand array when both are tensors.
    func tensorOp(_ kind: OpKind, _ lhs: EvalValue, _ rhs: EvalValue, gradFunction: String?,
                  at location: SourceLocation) throws -> TensorValue {
        if kind != .pow, case .tensor(let a) = lhs, case .tensor(let b) = rhs, !a.isHostScalar, !b.isHostScalar {
            return try twoTensorOp(kind, a, b, gradFunction: gradFunction, at: location)
        }
        return try tensorOp(kind, [lhs, rhs], gradFunction: gradFunction, at: location)
    }

    /// Two tensors need no promotion of numbers: the common case, kept cheap for eager mode.
    /// Values without autograd metadata give a result without any (what `record` would compute).
    private func twoTensorOp(_ kind: OpKind, _ a: TensorValue, _ b: TensorValue, gradFunction: String?,
                             at location: SourceLocation) throws -> TensorValue {
        let (a, b) = try inComputingDType(kind, a, b, at: location)
        if !a.hasAutogradMetadata && !b.hasAutogradMetadata {
            return TensorValue(id: try builder.apply1(kind, [a.id, b.id], at: location),
                               isHostScalar: a.isHostScalar && b.isHostScalar)
        }
        return try record(kind, [a, b], gradFunction: gradFunction ?? kind.definition.gradFunction, at: location)
    }

    /// Builds one op on tensor handles and computes the result's autograd metadata.
    func record(_ kind: OpKind, _ operands: [TensorValue], _ attrs: Attributes = .none,
                gradFunction: String?, at location: SourceLocation) throws -> TensorValue {
        let id = try builder.apply1(kind, operands.map(\.id), attrs, at: location)
        let definition = kind.definition
        return try withHistory(id, from: operands, differentiable: definition.isDifferentiable,
                               name: definition.surfaceName, gradFunction: gradFunction, at: location)
    }

    /// Builds a composite (Builder.mean, Builder.dot, ...) and gives its result the autograd
    /// metadata of one op named `name` in messages, whose backward node is `gradFunction`.
    /// A composite without a `gradFunction` (any, all, isnan: bool results) lets no gradient through.
    func recordComposite(_ name: String, _ operands: [TensorValue], gradFunction: String?, at location: SourceLocation,
                         build: () throws -> ValueID) throws -> TensorValue {
        try withHistory(try build(), from: operands, differentiable: gradFunction != nil, name: name, gradFunction: gradFunction, at: location)
    }

    /// The autograd metadata of `id`, computed by an op (named `name` in messages, built only
    /// for a message: eager mode records every op) from `operands`.
    private func withHistory(_ id: ValueID, from operands: [TensorValue], differentiable isDifferentiable: Bool, name: @autoclosure () -> String,
                             gradFunction: String?, at location: SourceLocation) throws -> TensorValue {
        var result = TensorValue(id: id)
        result.isHostScalar = operands.allSatisfy(\.isHostScalar)
        let inputLeaves = operands.reduce(into: [Int: ValueID]()) { $0.merge($1.leaves) { a, _ in a } }
        let differentiable = isDifferentiable && builder.type(of: id).dtype.isFloatingPoint
        if !inputLeaves.isEmpty && gradEnabled && differentiable {
            result.leaves = inputLeaves
            result.gradFunction = gradFunction
        } else if !inputLeaves.isEmpty {
            result.blockedBy = gradEnabled ? (name(), location) : ("noGrad", location)
            if !gradEnabled && builder.type(of: id).dtype.isFloatingPoint {
                // Keep the reverse sweep from flowing through work done under noGrad.
                result.id = try builder.apply1(.stopGradient, [id], at: location)
            }
        } else {
            result.blockedBy = operands.lazy.compactMap(\.blockedBy).first
            if gradEnabled && differentiable && operands.contains(where: \.historyThroughControlFlow) {
                result.historyThroughControlFlow = true
                result.gradFunction = gradFunction
            }
        }
        return result
    }

    func unaryOperator(_ op: String, _ operand: EvalValue, at location: SourceLocation) throws -> EvalValue {
        switch (op, operand) {
        case ("-", .int(let n)):
            guard n != .min else { throw Diagnostic("integer overflow in '-'", at: location) }
            return .int(-n)
        case ("-", .float(let x)): return .float(-x)
        case ("+", .int), ("+", .float), ("+", .tensor): return operand
        case ("!", .bool(let b)): return .bool(!b)
        case ("-", .tensor(let t)): return .tensor(try record(.neg, [t], gradFunction: OpKind.neg.definition.gradFunction, at: location))
        case ("!", .tensor(let t)):
            guard builder.type(of: t.id).dtype == .bool else {
                throw Diagnostic("'!' needs a Bool or a bool tensor, got \(builder.type(of: t.id))", at: location)
            }
            return .tensor(try record(.logicalNot, [t], gradFunction: nil, at: location))
        default:
            throw Diagnostic("unary operator '\(op)' cannot be applied to \(operand.kindName)", at: location)
        }
    }

    func binaryOperator(_ op: String, _ lhs: EvalValue, _ rhs: EvalValue, at location: SourceLocation) throws -> EvalValue {
        if let folded = try staticBinary(op, lhs, rhs, at: location) { return folded }
        if let compared = structuralEquality(op, lhs, rhs) { return compared }
        guard isNumeric(lhs), isNumeric(rhs) else {
            if case .string(let a) = lhs, case .string(let b) = rhs, ["<", "<=", ">", ">="].contains(op) {
                // Python compares strings by code point, as Swift's `<` on strings' scalars.
                let (x, y) = (Array(a.unicodeScalars.map(\.value)), Array(b.unicodeScalars.map(\.value)))
                let less = x.lexicographicallyPrecedes(y), greater = y.lexicographicallyPrecedes(x)
                return .bool(op == "<" ? less : op == ">" ? greater : op == "<=" ? !greater : !less)
            }
            switch (op, lhs) {
            case ("+", .string), ("+", .formatted): return try concatenate(lhs, rhs, at: location)
            case ("+", .array(let items)):
                if case .array(let more) = rhs { return .array(items + more) }
            default: break
            }
            throw Diagnostic("binary operator '\(op)' cannot be applied to operands of type \(lhs.kindName) and \(rhs.kindName)", at: location)
        }
        let kind: OpKind
        var gradFunction: String? = nil
        switch op {
        case "+": kind = .add
        case "-":
            kind = .sub
            if case .tensor = lhs {} else { gradFunction = SurfaceFunction.reverseSub.gradFunction }
        case "*": kind = .mul
        case "/":
            kind = .div
            // PyTorch computes `number / x` as a reciprocal times the number.
            if case .tensor = lhs {} else { gradFunction = OpKind.mul.definition.gradFunction }
        case "%": kind = .mod
        case "**":
            kind = .pow
            if case .tensor = rhs { gradFunction = SurfaceFunction.powTensorExponent.gradFunction }
            if case .tensor = lhs {} else { gradFunction = SurfaceFunction.powNumberBase.gradFunction }
        case "==": kind = .equal
        case "!=": kind = .notEqual
        case "<": kind = .less
        case "<=": kind = .lessEqual
        case ">": kind = .greater
        case ">=": kind = .greaterEqual
        default: throw Diagnostic("unsupported operator '\(op)'", at: location)
        }
        return .tensor(try tensorOp(kind, lhs, rhs, gradFunction: gradFunction, at: location))
    }

    private func isNumeric(_ value: EvalValue) -> Bool {
        switch value {
        case .int, .float, .bool, .tensor: true
        default: false
        }
    }

    private func concatenate(_ lhs: EvalValue, _ rhs: EvalValue, at location: SourceLocation) throws -> EvalValue {
        var text = FormattedText()
        for side in [lhs, rhs] {
            switch side {
            case .string(let s): text.append(s)
            case .formatted(let f): text.append(f)
            default: throw Diagnostic("cannot add \(side.kindName) to a String; use interpolation \"\\(value)\"", at: location)
            }
        }
        if text.operands.isEmpty, case .text(let s)? = text.segments.first { return .string(s) }
        return text.operands.isEmpty ? .string("") : .formatted(text)
    }

    /// Arithmetic on numbers known at compile time, with Python's semantics (`/` gives a
    /// Float, `%` takes the sign of the divisor). nil when an operand is not static.
    private func staticBinary(_ op: String, _ lhs: EvalValue, _ rhs: EvalValue, at location: SourceLocation) throws -> EvalValue? {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)):
            switch op {
            case "+", "-", "*":
                let (value, overflow) = op == "+" ? a.addingReportingOverflow(b) : op == "-" ? a.subtractingReportingOverflow(b) : a.multipliedReportingOverflow(by: b)
                guard !overflow else { throw Diagnostic("integer overflow in '\(op)'", at: location) }
                return .int(value)
            case "/":
                guard b != 0 else { throw Diagnostic("division by zero", at: location) }
                return .float(Double(a) / Double(b))
            case "%":
                guard b != 0 else { throw Diagnostic("division by zero in '%'", at: location) }
                let r = b == -1 ? 0 : a % b
                return .int(r != 0 && (r < 0) != (b < 0) ? r + b : r)
            case "**":
                if b < 0 { return .float(Foundation.pow(Double(a), Double(b))) }
                var result = 1
                for _ in 0..<min(b, 64) {
                    let (value, overflow) = result.multipliedReportingOverflow(by: a)
                    guard !overflow else { throw Diagnostic("integer overflow in '**'", at: location) }
                    result = value
                }
                return .int(b > 64 && a.magnitude > 1 ? 0 : result)
            default: return try staticCompare(op, Double(a), Double(b), at: location)
            }
        case (.int, .float), (.float, .int), (.float, .float):
            let a = try staticDouble(lhs, what: "operand", at: location)
            let b = try staticDouble(rhs, what: "operand", at: location)
            switch op {
            case "+": return .float(a + b)
            case "-": return .float(a - b)
            case "*": return .float(a * b)
            case "/": return .float(a / b)
            case "%":
                // Python: the result takes the divisor's sign, a zero result too.
                let r = fmod(a, b)
                if r == 0 { return .float(copysign(0, b)) }
                return .float((r < 0) != (b < 0) ? r + b : r)
            case "**": return .float(Foundation.pow(a, b))
            default: return try staticCompare(op, a, b, at: location)
            }
        case (.bool(let a), .bool(let b)):
            switch op {
            case "==": return .bool(a == b)
            case "!=": return .bool(a != b)
            default: return nil
            }
        case (.string(let a), .string(let b)):
            switch op {
            case "+": return .string(a + b)
            case "==": return .bool(a == b)
            case "!=": return .bool(a != b)
            default: return nil
            }
        default:
            return nil
        }
    }

    private func staticCompare(_ op: String, _ a: Double, _ b: Double, at location: SourceLocation) throws -> EvalValue {
        switch op {
        case "==": return .bool(a == b)
        case "!=": return .bool(a != b)
        case "<": return .bool(a < b)
        case "<=": return .bool(a <= b)
        case ">": return .bool(a > b)
        case ">=": return .bool(a >= b)
        default: throw Diagnostic("unsupported operator '\(op)'", at: location)
        }
    }
}
