import TGCBase
import TGCCore
import TGCSyntax

/// Checks of `@export(name: [shape]) func ...` declarations (traced by ExportTracer).
extension Evaluator {
    /// The float32 type of each parameter, from the `@export(name: [shape])` attribute.
    static func exportedParameterTypes(_ decl: FuncDecl) throws -> [TensorType] {
        let attribute = decl.export!
        for shape in attribute.shapes where !decl.parameters.contains(where: { $0.name == shape.name }) {
            throw Diagnostic("'@export' gives the shape of '\(shape.name)', which is not a parameter of '\(decl.name)'", at: shape.location)
        }
        return try decl.parameters.map { parameter in
            guard parameter.defaultValue == nil, parameter.label == nil || parameter.label == "_" else {
                throw Diagnostic("a parameter of an exported function has no argument label and no default value", at: parameter.location)
            }
            guard let shape = attribute.shapes.first(where: { $0.name == parameter.name }) else {
                throw Diagnostic("'@export' needs the shape of parameter '\(parameter.name)', as in '@export(\(parameter.name): [64, 10])'", at: attribute.location)
            }
            return TensorType(shape.shape, .float32)
        }
    }
}
