import TGCBase
import TGCCore
import TGCSyntax

/// The label of `for i in progress(seq, "label")`: its text (interpolations of run-time
/// values formatted when the loop runs) and its call site, which keys the loop's clock.
struct ProgressLabel {
    var text: FormattedText
    var location: SourceLocation
    var key: String { "\(location.line):\(location.column)" }
}

extension Evaluator {
    /// `progress(seq, "label")` as a for loop's sequence: the wrapped sequence and the label.
    func progressWrapper(_ sequence: Expr) throws -> (Expr, ProgressLabel)? {
        guard case .call(let callee, let arguments, let closure) = sequence.kind, case .identifier("progress") = callee.kind,
              environment.lookup("progress") == nil else { return nil }
        try rejectClosure(closure, "progress")
        guard (1...2).contains(arguments.count), arguments.allSatisfy({ $0.label == nil }) else {
            throw Diagnostic("progress takes a sequence and an optional label: progress(0..<n, \"epoch\")", at: sequence.location)
        }
        var text = FormattedText()
        if arguments.count == 2 {
            switch try evaluate(arguments[1].value) {
            case .string(let label): text.append(label)
            case .formatted(let label): text.append(label)
            case let other: throw Diagnostic("progress's label must be a string, got \(other.kindName)", at: arguments[1].location)
            }
        } else {
            text.append("progress")
        }
        return (arguments[0].value, ProgressLabel(text: text, location: sequence.location))
    }

    /// A `progress` op: `done` (an int64 scalar) of `total` iterations.
    func reportProgress(_ label: ProgressLabel, done: ValueID, total: Int) throws {
        var attrs = Attributes()
        attrs.name = label.key
        attrs.printSegments = label.text.segments.isEmpty ? [.text("")] : label.text.segments
        attrs.upper = total
        _ = try builder.apply(.progress, label.text.operands + [done], attrs, at: label.location)
    }
}
