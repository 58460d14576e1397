import TGCCore

/// A statement of a generated program.
indirect enum GenStatement: Sendable {
    case seed(Int)
    /// `let name = value` (or `var`).
    case bind(String, GenExpr, mutable: Bool)
    /// `let (values, indices) = source.max(dim: d)`: `call` is the text after the source.
    case destructure([String], source: GenExpr, call: String, types: [TensorType], ranges: [ValueRange])
    /// `name = value`; `spelling` is the text when it is written as a compound assignment.
    case assign(String, GenExpr, spelling: String?)
    /// `name[region] = value`: a slice assignment (`region` is the subscript text, brackets included).
    case assignSlice(String, region: String, GenExpr)
    case loop(index: String, count: Int, body: [GenStatement])
    case branch(GenExpr, then: [GenStatement], else: [GenStatement])
    /// `let (ga, gb) = grad(of: loss, wrt: a, b)`, with `createGraph: true` when set (the
    /// gradients get history; later losses may differentiate them again either way).
    case gradient([String], of: String, wrt: [String], createGraph: Bool)
    /// `loss.backward()` or `y.backward(weights)`.
    case backward(String, gradient: String?)
    /// `noGrad { w -= rate * w.grad }`.
    case update(String, rate: Double)
    case zeroGrad(String)
    case save(String, file: String)
    /// `print("label", name.member)`: only exact values (ints, bools, shapes) are printed.
    case print(String, label: String, member: String)

    /// The source lines of the statement, indented by `indent` levels.
    func lines(indent: Int = 0) -> [String] {
        let pad = String(repeating: "    ", count: indent)
        switch self {
        case .seed(let seed): return [pad + "manualSeed(\(seed))"]
        case .bind(let name, let value, let mutable): return [pad + "\(mutable ? "var" : "let") \(name) = \(value.text)"]
        case .destructure(let names, let source, let call, _, _):
            return [pad + "let (\(names.joined(separator: ", "))) = \(source.operandText)\(call)"]
        case .assign(let name, let value, let spelling): return [pad + (spelling ?? "\(name) = \(value.text)")]
        case .assignSlice(let name, let region, let value): return [pad + "\(name)\(region) = \(value.text)"]
        case .loop(let index, let count, let body):
            return [pad + "for \(index) in 0..<\(count) {"] + body.flatMap { $0.lines(indent: indent + 1) } + [pad + "}"]
        case .branch(let condition, let then, let otherwise):
            var lines = [pad + "if \(condition.text) {"] + then.flatMap { $0.lines(indent: indent + 1) }
            if !otherwise.isEmpty { lines += [pad + "} else {"] + otherwise.flatMap { $0.lines(indent: indent + 1) } }
            return lines + [pad + "}"]
        case .gradient(let names, let loss, let wrt, let createGraph):
            let target = names.count == 1 ? names[0] : "(\(names.joined(separator: ", ")))"
            return [pad + "let \(target) = grad(of: \(loss), wrt: \(wrt.joined(separator: ", "))\(createGraph ? ", createGraph: true" : ""))"]
        case .backward(let name, let gradient): return [pad + "\(name).backward(\(gradient ?? ""))"]
        case .update(let name, let rate):
            return [pad + "noGrad {", pad + "    \(name) -= \(rate) * \(name).grad", pad + "}"]
        case .zeroGrad(let name): return [pad + "\(name).grad.zero()"]
        case .save(let name, let file): return [pad + "save(\(name), \"\(file)\")"]
        case .print(let name, let label, let member): return [pad + "print(\"\(label)\", \(name)\(member))"]
        }
    }

    /// The statements nested in this one (loop and branch bodies).
    var children: [[GenStatement]] {
        switch self {
        case .loop(_, _, let body): [body]
        case .branch(_, let then, let otherwise): [then, otherwise]
        default: []
        }
    }

    /// The names this statement defines in its scope.
    var defines: [String] {
        switch self {
        case .bind(let name, _, _): [name]
        case .destructure(let names, _, _, _, _), .gradient(let names, _, _, _): names
        default: []
        }
    }

    /// The names this statement (with its nested statements) reads or writes.
    var uses: Set<String> {
        switch self {
        case .seed: return []
        case .bind(_, let value, _): return value.names
        case .destructure(_, let source, _, _, _): return source.names
        case .assign(let name, let value, _), .assignSlice(let name, _, let value): return value.names.union([name])
        case .loop(_, _, let body): return body.reduce(into: Set()) { $0.formUnion($1.uses) }
        case .branch(let condition, let then, let otherwise):
            return (then + otherwise).reduce(into: condition.names) { $0.formUnion($1.uses) }
        case .gradient(_, let loss, let wrt, _): return Set(wrt + [loss])
        case .backward(let name, let gradient): return Set([name] + (gradient.map { [$0] } ?? []))
        case .update(let name, _), .zeroGrad(let name), .save(let name, _), .print(let name, _, _): return [String(name.prefix { $0 != "." })]
        }
    }
}
