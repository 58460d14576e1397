import TGCBase
import TGCCore
import TGCSyntax

extension Evaluator {
    /// `x.shape`, `x.dtype`, `x.ndim`, `x.device`, `x.requiresGrad`, `x.isLeaf`, `x.grad`, `x.T`.
    func property(_ name: String, of base: EvalValue, baseExpr: Expr, at location: SourceLocation) throws -> EvalValue {
        if let items = base.arrayItems, name == "count" { return .int(items.count) }
        if case .namedTuple(let tupleName, let fields) = base {
            // `x.max(dim: 1).values`, `.indices`, as PyTorch's named tuples.
            guard let field = fields.first(where: { $0.0 == name }) else {
                throw Diagnostic("\(tupleName) has no field '\(name)'; it has \(fields.map { "'\($0.0)'" }.joined(separator: " and "))", at: location)
            }
            return field.1
        }
        guard case .tensor(let tensor) = base else {
            throw Diagnostic("value of type \(base.kindName) has no member '\(name)'", at: location)
        }
        let type = builder.type(of: tensor.id)
        switch name {
        case "shape": return .size(type.shape)
        case "dtype": return .dtype(type.dtype)
        case "ndim": return .int(type.rank)
        case "device": return .device("cpu")
        case "requiresGrad": return .bool(tensor.requiresGrad)
        case "isLeaf": return .bool(tensor.isLeaf)
        case "T":
            guard type.rank >= 2 || (tensor.requiresGrad && gradEnabled) else { return base }
            return .tensor(try record(.transpose, [tensor], attributesWith(permutation: Array((0..<type.rank).reversed())),
                                      gradFunction: "PermuteBackward0", at: location))
        case "grad":
            let owner = Self.describe(baseExpr)
            guard let key = tensor.leafKey, tensor.requiresGrad else {
                if tensor.requiresGrad {
                    throw Diagnostic("\(owner) is not a leaf tensor, so \(owner).grad is not kept; read the gradient of the leaves it was computed from", at: location)
                }
                throw Diagnostic("\(owner) does not require grad, so \(owner).grad is nil; create it with requiresGrad: true", at: location)
            }
            guard let grad = gradSlots[key] else {
                throw Diagnostic("\(owner).grad is nil: call backward() on a value computed from \(owner) first", at: location)
            }
            return .tensor(TensorValue(id: grad))
        default:
            if TensorMethods.methods[name] != nil {
                throw Diagnostic("'\(name)' is a method; call it: x.\(name)()", at: location)
            }
            throw Diagnostic("value of type Tensor has no member '\(name)'", at: location)
        }
    }

    func attributesWith(permutation: [Int]) -> Attributes {
        var attrs = Attributes()
        attrs.permutation = permutation
        return attrs
    }
}
