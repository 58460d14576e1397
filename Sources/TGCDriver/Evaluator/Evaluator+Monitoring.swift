import TGCBase
import TGCCore
import TGCSyntax

extension Evaluator {
    /// `SummaryWriter("runs/fashion")`: a log folder (relative to `--out`, created when the
    /// first scalar is logged).
    func makeSummaryWriter(_ site: CallSite) throws -> EvalValue {
        guard case .string(let folder) = site.value("logDir"), !folder.isEmpty else {
            throw Diagnostic("SummaryWriter expects a folder name as a string literal", at: site.location("logDir"))
        }
        return .summaryWriter(folder)
    }

    /// `writer.addScalar(tag, value, step: n)`, `writer.flush()`, `writer.close()`.
    func callSummaryWriterMember(_ folder: String, _ name: String, _ arguments: [Argument], at location: SourceLocation) throws -> EvalValue {
        var site = try callSite(name, arguments, at: location)
        switch name {
        case "addScalar":
            try site.bind([.unlabeled("tag"), .unlabeled("value"), .labeled("step")])
            try addScalar(folder, site)
        case "flush", "close":
            // Every scalar is flushed as it is logged; the files close when the program ends.
            try site.bind([])
        default:
            throw Diagnostic("value of type SummaryWriter has no method '\(name)' (it has addScalar, flush and close)", at: location)
        }
        return .void
    }

    private func addScalar(_ folder: String, _ site: CallSite) throws {
        guard case .string(let tag) = site.value("tag"), !tag.isEmpty else {
            throw Diagnostic("addScalar expects a tag as a string literal, such as \"train/loss\"", at: site.location("tag"))
        }
        if let bad = tag.first(where: { $0 == "," || $0 == "\"" || $0.isNewline }) {
            throw Diagnostic("a scalar's tag cannot contain \(bad.isNewline ? "a line break" : "'\(bad)'") (it is a field of scalars.csv)", at: site.location("tag"))
        }
        let value = try singleElement(site.value("value")!, .float32, what: "addScalar's value", at: site.location("value"))
        let stepValue = site.value("step") ?? .int(0)   // PyTorch's global_step=None: step 0 in the event
        let isInteger = switch stepValue {
        case .int: true
        case .tensor(let t): builder.type(of: t.id).dtype.isInteger
        default: false
        }
        guard isInteger else {
            throw Diagnostic("addScalar's step must be an integer, such as the loop's index", at: site.location("step"))
        }
        let step = try singleElement(stepValue, .int64, what: "addScalar's step", at: site.location("step"))
        var attrs = Attributes()
        attrs.path = folder
        attrs.name = tag
        _ = try builder.apply(.addScalar, [value, step], attrs, at: site.location)
    }

    /// A number, or a tensor of one element, as a 0-dim tensor of `dtype`.
    private func singleElement(_ value: EvalValue, _ dtype: DType, what: String, at location: SourceLocation) throws -> ValueID {
        let tensor: TensorValue
        switch value {
        case .int, .float, .bool, .tensor: tensor = try asTensor(value, dtype: dtype, at: location)
        default: throw Diagnostic("\(what) must be a number or a tensor of one element, got \(value.kindName)", at: location)
        }
        let type = builder.type(of: tensor.id)
        guard type.elementCount == 1 else {
            throw Diagnostic("\(what) must be a single value, got a tensor of shape \(formatShape(type.shape))", at: location)
        }
        let scalar = type.rank == 0 ? tensor.id : try builder.reshape(tensor.id, to: [], at: location)
        return type.dtype == dtype ? scalar : try builder.cast(scalar, to: dtype, at: location)
    }
}
