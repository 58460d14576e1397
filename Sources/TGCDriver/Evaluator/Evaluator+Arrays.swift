import TGCBase
import TGCSyntax

/// Swift's array methods on the evaluator's arrays (compile-time values: layers of a module,
/// names, numbers): `a.append(x)`, `a.append(contentsOf: b)`, `a + b`, `a += b`, `a.isEmpty`,
/// `a.first`, `a.last`. An array cannot grow inside a loop that runs at run time (its length
/// would depend on the trip count); MutationScan makes that a located error.
extension Evaluator {
    /// `receiver.name(arguments)` on an array; nil when `name` is not an array method.
    func callArrayMethod(_ name: String, receiver: Expr, _ items: [EvalValue], _ arguments: [Argument],
                         at location: SourceLocation) throws -> EvalValue? {
        guard name == "append" else { return nil }
        var site = try callSite(name, arguments, at: location)
        let appended: [EvalValue]
        if site.arguments.first?.label == "contentsOf" {
            try site.bind([.labeled("contentsOf", optional: false)])
            guard let more = site.value("contentsOf")!.arrayItems else {
                throw Diagnostic("append(contentsOf:) takes an array", at: site.location("contentsOf"))
            }
            appended = more
        } else {
            try site.bind([.unlabeled("newElement")])
            appended = [site.value("newElement")!]
        }
        let held = "appended array"   // a name no program can spell
        environment.push()
        defer { environment.pop() }
        environment.declare(held, Binding(value: .array(items + appended), isMutable: false, location: location))
        try assign(receiver, op: "=", value: Expr(.identifier(held), at: location), at: location)
        return .void
    }

    /// `a.isEmpty`, `a.first`, `a.last` (nil-like `.none` for an empty array); nil for other names.
    func arrayProperty(_ name: String, of items: [EvalValue]) -> EvalValue? {
        switch name {
        case "isEmpty": .bool(items.isEmpty)
        case "first": items.first ?? EvalValue.none
        case "last": items.last ?? EvalValue.none
        default: nil
        }
    }
}
