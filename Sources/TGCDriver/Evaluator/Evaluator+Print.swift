import TGCBase
import TGCCore
import TGCSyntax

extension Evaluator {
    /// `print(a, b, ...)`: the items joined by spaces (or `separator:`), then a newline (or
    /// `terminator:`), as Swift's print.
    func printCall(_ arguments: [Argument], at location: SourceLocation) throws -> EvalValue {
        var site = try callSite("print", arguments, at: location)
        try site.bind([.unlabeled("items", optional: true, variadic: true), .labeled("separator"), .labeled("terminator")])
        var (separator, terminator) = (" ", "\n")
        if let value = site.value("separator") {
            guard case .string(let text) = value else {
                throw Diagnostic("separator must be a string literal", at: site.location("separator"))
            }
            separator = text
        }
        if let value = site.value("terminator") {
            guard case .string(let text) = value else {
                throw Diagnostic("terminator must be a string literal", at: site.location("terminator"))
            }
            terminator = text
        }
        var line = FormattedText()
        for (index, item) in site.values("items").enumerated() {
            if index > 0 { line.append(separator) }
            line.append(try format(item, precision: nil, at: site.location("items")))
        }
        var attrs = Attributes()
        attrs.printSegments = line.segments.isEmpty ? [.text("")] : line.segments
        if terminator != "\n" { attrs.terminator = terminator }
        _ = try builder.apply(.print, line.operands, attrs, at: location)
        return .void
    }

    /// How a value prints: as Python/PyTorch would print the corresponding object. Inside a
    /// string interpolation a 0-dim tensor formats as its number, as PyTorch's f-strings do.
    func format(_ value: EvalValue, precision: Int?, interpolated: Bool = false, at location: SourceLocation) throws -> FormattedText {
        var text = FormattedText()
        switch value {
        case .int(let n):
            text.append(precision.map { Self.fixed(Double(n), $0) } ?? String(n))
        case .float(let x):
            text.append(precision.map { Self.fixed(x, $0) } ?? PrintFormatter.pythonRepr(x))
        case .bool(let b):
            text.append(precision.map { Self.fixed(b ? 1 : 0, $0) } ?? (b ? "True" : "False"))
        case .string(let s):
            text.append(s)
        case .formatted(let f):
            text.append(f)
        case .tensor(let tensor):
            let type = builder.type(of: tensor.id)
            if tensor.isHostScalar || precision != nil || (interpolated && type.rank == 0) {
                guard type.elementCount == 1 else {
                    throw Diagnostic("precision: needs a single value, got a tensor of shape \(formatShape(type.shape))", at: location)
                }
                var scalar = try builder.reshape(tensor.id, to: [], at: location)
                if precision != nil && !type.dtype.isFloatingPoint {
                    // Python formats any number with `:.Nf`, ints and bools included.
                    scalar = try builder.cast(scalar, to: .float64, at: location)
                }
                text.segments.append(.scalar(operand: 0, precision: precision))
                text.operands.append(scalar)
            } else if let choice = tensor.branchSuffix {
                text.segments.append(.tensorWithBranchSuffix(operand: 0, condition: 1, ifTrue: choice.ifTrue, ifFalse: choice.ifFalse))
                text.operands += [tensor.id, choice.condition]
            } else {
                text.segments.append(.tensor(operand: 0, suffix: gradSuffix(tensor)))
                text.operands.append(tensor.id)
            }
        case .size(let dims):
            text.append("torch.Size(\(formatShape(dims)))")
        case .array(let items):
            text.append("[")
            for (index, item) in items.enumerated() {
                if index > 0 { text.append(", ") }
                text.append(try format(item, precision: precision, at: location))
            }
            text.append("]")
        case .tuple(let items):
            text.append("(")
            for (index, item) in items.enumerated() {
                if index > 0 { text.append(", ") }
                text.append(try format(item, precision: precision, at: location))
            }
            text.append(items.count == 1 ? ",)" : ")")
        case .namedTuple(let name, let fields):
            text.append("\(name)(")
            for (index, (field, item)) in fields.enumerated() {
                text.append(index > 0 ? ",\n" : "\n")
                text.append("\(field)=")
                text.append(try format(item, precision: precision, at: location))
            }
            text.append(")")
        case .dtype(let dtype):
            text.append(dtype.torchName)
        case .device(let device):
            text.append(device == "cuda" ? "cpu" : device)
        case .function(let decl):
            text.append("<function \(decl.name)>")
        case .void:
            text.append("()")
        }
        return text
    }

    /// ", requires_grad=True" for leaves, ", grad_fn=<...>" for results with history.
    func gradSuffix(_ tensor: TensorValue) -> String? {
        if tensor.leafKey != nil && tensor.requiresGrad { return "requires_grad=True" }
        if let function = tensor.gradFunction { return "grad_fn=<\(function)>" }
        return nil
    }

    static func fixed(_ value: Double, _ precision: Int) -> String {
        PrintFormatter.fixed(value, precision: precision)
    }
}
