import TGCBase

/// `@export(name: [d0, d1, ...], ...) func ...`: the one attribute the language has.
extension Parser {
    /// An exported function: the attribute, then a `func` declaration whose parameters it shapes.
    mutating func parseAttributedFunction() throws -> Stmt {
        let location = here
        skip()
        guard current.identifier == "export" else {
            throw error("unknown attribute '@\(current.text)'; the only attribute is '@export' before a 'func'", at: here)
        }
        skip()
        var shapes: [(name: String, shape: [Int], location: SourceLocation)] = []
        let open = here
        if consume("(") {
            while !at(")") {
                shapes.append(try parseExportShape())
                if !consume(",") { break }
            }
            try expectClosing(")", open: open)
        }
        guard atKeyword("func") else {
            throw error("expected 'func' after '@export', found \(current.described)", at: here)
        }
        var decl = try parseFunctionDecl()
        decl.export = ExportAttribute(shapes: shapes, at: location)
        return Stmt(.function(decl), at: decl.location)
    }

    /// `images: [64, 1, 28, 28]`.
    private mutating func parseExportShape() throws -> (name: String, shape: [Int], location: SourceLocation) {
        let location = here
        guard let name = current.identifier else {
            throw error("expected a parameter name in '@export(...)', found \(current.described)", at: here)
        }
        skip()
        guard consume(":") else {
            throw error("expected ':' and the shape of '\(name)', as in '@export(\(name): [64, 10])'", at: here)
        }
        let open = here
        guard consume("[") else {
            throw error("expected the shape of '\(name)' as '[d0, d1, ...]', found \(current.described)", at: here)
        }
        var shape: [Int] = []
        while !at("]") {
            guard case .integer(let extent) = current.kind, extent > 0 else {
                throw error("a dimension of an exported parameter is a positive integer literal, found \(current.described)", at: here)
            }
            shape.append(extent)
            skip()
            if !consume(",") { break }
        }
        try expectClosing("]", open: open)
        return (name, shape, location)
    }
}
