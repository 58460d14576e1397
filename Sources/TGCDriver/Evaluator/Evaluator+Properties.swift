import TGCBase
import TGCCore
import TGCSyntax

extension Evaluator {
    /// `x.shape` and the other tensor properties (TensorProperty.all), an array's `count`, a
    /// string's `count` and `isEmpty`, a named tuple's fields, a dictionary's `count` and `keys`.
    func property(_ name: String, of base: EvalValue, baseExpr: Expr, at location: SourceLocation) throws -> EvalValue {
        if let items = base.arrayItems, name == "count" { return .int(items.count) }
        if case .array(let items) = base, let value = arrayProperty(name, of: items) { return value }
        if case .tuple(let items) = base, name == "count" { return .int(items.count) }
        if case .string(let text) = base, let value = stringProperty(name, of: text) { return value }
        if case .module(let module) = base, name == "count", let items = module.listedModules { return .int(items.count) }   // len(model)
        if case .module(let module) = base { return try moduleProperty(module, name, at: location) }
        if case .optimizer(let optimizer) = base { return try optimizerProperty(optimizer, name, at: location) }
        switch base {
        case .dataset, .loader: return try dataProperty(base, name, at: location)
        default: break
        }
        if case .dictionary(let entries, let ordered) = base {
            switch name {
            case "count": return .int(entries.count)
            case "keys": return .keys(entries.map(\.key), ordered: ordered)
            default: throw Diagnostic("a dictionary has 'count' and 'keys', not '\(name)'", at: location)
            }
        }
        if case .namedTuple(let tupleName, let fields) = base {
            // `x.max(dim: 1).values`, `.indices`, as PyTorch's named tuples.
            guard let field = fields.first(where: { $0.0 == name }) else {
                throw Diagnostic("\(tupleName) has no field '\(name)'; it has \(fields.map { "'\($0.0)'" }.joined(separator: " and "))", at: location)
            }
            return field.1
        }
        if case .gradFunction(let function) = base, name == "name" { return .string(function) }
        guard case .tensor(let tensor) = base else {
            throw Diagnostic("value of type \(base.kindName) has no member '\(name)'", at: location)
        }
        guard let property = BuiltinRegistry.properties[name] else {
            if BuiltinRegistry.methods[name] != nil {
                throw Diagnostic("'\(name)' is a method; call it: x.\(name)()", at: location)
            }
            throw Diagnostic("value of type Tensor has no member '\(name)'", at: location)
        }
        return try property.get(self, TensorProperty.Access(tensor: tensor, baseExpr: baseExpr, location: location))
    }

    func attributesWith(permutation: [Int]) -> Attributes {
        var attrs = Attributes()
        attrs.permutation = permutation
        return attrs
    }
}
