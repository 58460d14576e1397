import TGCBase
import TGCCore

/// Whole-tensor comparisons that answer with one Bool, part of the reduction family:
/// `allclose(a, b)` / `a.allclose(b)` (`rtol:`, `atol:`, `equalNan:`) and `equal(a, b)` /
/// `a.equal(b)`. The answer is a run-time Bool (a 0-dim bool host scalar, like `x.item()`):
/// printed `True`/`False`, usable in `if`, `&&`, `||` and `!`; compiled code branches on it at
/// run time.
extension BuiltinFamily {
    static let closenessMethods = [
        MethodEntry("allclose", [.unlabeled("b"), .labeled("rtol"), .labeled("atol"), .labeled("equalNan")],
                    "whether every element of x is close to b's (|x - b| <= atol + rtol·|b|), a Bool") { e, x, site in
            try e.allClose(x, site)
        },
        MethodEntry("equal", [.unlabeled("b")], "whether x and b have one shape and equal elements, a Bool") { e, x, site in
            try e.tensorsEqual(x, site)
        },
    ]
}

extension Evaluator {
    /// `a.allclose(b, rtol: 1e-05, atol: 1e-08, equalNan: false)` (Builder.allClose).
    func allClose(_ a: TensorValue, _ site: CallSite) throws -> EvalValue {
        let b = try otherTensor(site)
        func number(_ label: String, _ defaultValue: Double) throws -> Double {
            try site.value(label).map { try staticDouble($0, what: "\(label) of allclose", at: site.location(label)) } ?? defaultValue
        }
        let (rtol, atol) = (try number("rtol", 1e-05), try number("atol", 1e-08))
        var equalNaN = false
        if let value = site.value("equalNan") {
            guard case .bool(let flag) = value else { throw Diagnostic("equalNan must be true or false", at: site.location("equalNan")) }
            equalNaN = flag
        }
        let id = try withoutGrad { try builder.allClose(a.id, b.id, rtol: rtol, atol: atol, equalNaN: equalNaN, at: site.location) }
        return .tensor(TensorValue(id: id, isHostScalar: true))
    }

    /// `a.equal(b)`: false when the shapes differ (known statically), else Builder.allEqual.
    func tensorsEqual(_ a: TensorValue, _ site: CallSite) throws -> EvalValue {
        let b = try otherTensor(site)
        guard builder.type(of: a.id).shape == builder.type(of: b.id).shape else { return .bool(false) }
        let id = try withoutGrad { try builder.allEqual(a.id, b.id, at: site.location) }
        return .tensor(TensorValue(id: id, isHostScalar: true))
    }

    /// The tensor `b` of a whole-tensor comparison.
    private func otherTensor(_ site: CallSite) throws -> TensorValue {
        guard case .tensor(let b) = site.value("b")! else {
            throw Diagnostic("\(site.name) compares two tensors; got \(site.value("b")!.kindName)", at: site.location("b"))
        }
        return b
    }
}
