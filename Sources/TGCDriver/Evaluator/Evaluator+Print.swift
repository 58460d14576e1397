import TGCBase
import TGCCore
import TGCSyntax

extension Evaluator {
    /// `print(a, b, ...)`: the items joined by spaces (or `separator:`), then a newline (or
    /// `terminator:`), as Swift's print.
    func printCall(_ arguments: [Argument], at location: SourceLocation) throws -> EvalValue {
        var site = try callSite("print", arguments, at: location)
        try site.bind([.unlabeled("items", optional: true, variadic: true), .labeled("separator"), .labeled("terminator")])
        func text(_ label: String) throws -> String? {
            guard let value = site.value(label) else { return nil }
            guard case .string(let text) = value else {
                throw Diagnostic("\(label) must be a string literal", at: site.location(label))
            }
            return text
        }
        let separator = try text("separator") ?? " "
        var line = FormattedText()
        let itemExprs = arguments.filter { $0.label == nil }.map(\.value)
        for (index, item) in site.values("items").enumerated() {
            if index > 0 { line.append(separator) }
            var item = item
            // A module's array of modules (`print(net.layers)`) prints as PyTorch's ModuleList.
            if case .array(let items) = item, ModuleObject.isModuleArray(items), index < itemExprs.count,
               case .member(let owner, _) = itemExprs[index].kind, let module = staticModule(owner) {
                item = .module(ModuleObject.moduleList(items, training: module.training))
            }
            line.append(try format(item, precision: nil, at: site.location("items")))
        }
        var attrs = Attributes()
        attrs.printSegments = line.segments.isEmpty ? [.text("")] : line.segments
        attrs.terminator = try text("terminator").flatMap { $0 == "\n" ? nil : $0 }
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
            if tensor.isParameter && precision == nil { text.append("Parameter containing:\n") }
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
        case .keys(let names, let ordered):
            text.append((ordered ? "odict_keys([" : "dict_keys([") + names.map(Self.pythonRepr).joined(separator: ", ") + "])")
        case .array(let items):
            text.append("[")
            for (index, item) in items.enumerated() {
                if index > 0 { text.append(", ") }
                text.append(try formatItem(item, precision: precision, at: location))
            }
            text.append("]")
        case .tuple(let items):
            text.append("(")
            for (index, item) in items.enumerated() {
                if index > 0 { text.append(", ") }
                text.append(try formatItem(item, precision: precision, at: location))
            }
            text.append(items.count == 1 ? ",)" : ")")
        case .dictionary(let entries, let ordered):
            // {'k': v, ...}, or PyTorch's state dict: OrderedDict([('k', v), ...]).
            text.append(ordered ? "OrderedDict([" : "{")
            for (index, entry) in entries.enumerated() {
                if index > 0 { text.append(", ") }
                text.append(ordered ? "(" + Self.pythonRepr(entry.key) + ", " : Self.pythonRepr(entry.key) + ": ")
                text.append(try formatItem(entry.value, precision: precision, at: location))
                if ordered { text.append(")") }
            }
            text.append(ordered ? "])" : "}")
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
        case .reduction(let reduction):
            text.append(reduction.rawValue)
        case .function(let decl):
            text.append("<function \(decl.name)>")
        case .structType(let decl):
            text.append("<class '\(decl.name)'>")
        case .module(let module):
            text.append(module.repr())
        case .optimizer(let optimizer):
            text.append("\(optimizer.kind.rawValue) (\nParameter Group 0\n")
            for (name, value) in optimizer.repr {
                text.append("    \(name): ")
                text.append(try formatItem(value, precision: nil, at: location))
                text.append("\n")
            }
            text.append(")")
        case .summaryWriter:
            text.append("<torch.utils.tensorboard.writer.SummaryWriter object at \(Self.backwardNodeAddress)>")
        case .dataset:
            text.append("<torch.utils.data.dataset.TensorDataset object at \(Self.backwardNodeAddress)>")
        case .loader:
            text.append("<torch.utils.data.dataloader.DataLoader object at \(Self.backwardNodeAddress)>")
        case .scheduler(let scheduler):
            // PyTorch prints only the object's address: `<torch.optim.lr_scheduler.StepLR object at 0x...>`.
            throw Diagnostic("a \(scheduler.typeName) has no printed form (PyTorch prints its address); print scheduler.getLastLr()", at: location)
        case .none:
            text.append("None")
        case .gradFunction(let name):
            text.append("<\(name) object at \(Self.backwardNodeAddress)>")
        case .void:
            text.append("()")
        }
        return text
    }

    /// An item of a list, tuple or dict: as `format`, but a string shows its quotes, as Python
    /// prints `['a', 'b']`.
    private func formatItem(_ value: EvalValue, precision: Int?, at location: SourceLocation) throws -> FormattedText {
        if case .string(let string) = value {
            var text = FormattedText()
            text.append(Self.pythonRepr(string))
            return text
        }
        return try format(value, precision: precision, at: location)
    }

    /// Python's `repr` of a str: single quotes unless it holds one and no double quote,
    /// backslash escapes for the quote, backslash and control characters.
    static func pythonRepr(_ string: String) -> String {
        let quote: Character = string.contains("'") && !string.contains("\"") ? "\"" : "'"
        var result = String(quote)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where Character(scalar) == quote: result += "\\" + String(quote)
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                let hex = String(scalar.value, radix: 16)
                result += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + String(quote)
    }

    /// ", requires_grad=True" for leaves, ", grad_fn=<...>" for results with history.
    func gradSuffix(_ tensor: TensorValue) -> String? {
        if tensor.leafKey != nil && tensor.requiresGrad { return "requires_grad=True" }
        if let function = tensor.gradFunction { return "grad_fn=<\(function)>" }
        return nil
    }

    /// The address printed for every backward node: PyTorch prints the node's memory address,
    /// which no two runs share, so tgc prints one fixed address of the same form.
    static let backwardNodeAddress = "0x7f0000000000"

    static func fixed(_ value: Double, _ precision: Int) -> String {
        PrintFormatter.fixed(value, precision: precision)
    }
}
