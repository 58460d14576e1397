import TGCBase

/// `struct Name: Module { ... }` declarations: stored properties, one `init`, methods.
extension Parser {
    mutating func parseStruct() throws -> Stmt {
        let location = here
        skip()
        guard let name = current.identifier, name != "_" else {
            throw error("expected a type name after 'struct', found \(current.described)", at: here)
        }
        skip()
        var conformances: [String] = []
        if consume(":") {
            repeat {
                guard let conformance = current.identifier else {
                    throw error("expected a protocol name after ':', found \(current.described)", at: here)
                }
                conformances.append(conformance)
                skip()
            } while consume(",")
        }
        guard at("{") else { throw expectedBlock(after: "'struct \(name)'") }
        let open = here
        skip()
        try enter("blocks", at: open)
        defer { depth -= 1 }
        var properties: [PropertyDecl] = []
        var initializer: FuncDecl?
        var methods: [FuncDecl] = []
        while try !atEndOfStatements(closing: open) {
            switch current.kind {
            case .keyword("let"), .keyword("var"):
                properties.append(try parseProperty())
            case .keyword("init"):
                let initLocation = here
                guard initializer == nil else { throw error("'\(name)' has a second 'init'; declare one", at: here) }
                skip()
                initializer = try parseSignatureAndBody(name: "init", at: initLocation)
            case .keyword("func"):
                methods.append(try parseFunctionDecl())
            default:
                throw error("expected 'let', 'var', 'init' or 'func' in 'struct \(name)', found \(current.described)", at: here)
            }
            if !(at(";") || at("}") || atEnd || atNewLine) { throw separatorError() }
        }
        try expectClosing("}", open: open)
        let decl = StructDecl(name: name, conformances: conformances, properties: properties, initializer: initializer,
                              methods: methods, at: location)
        return Stmt(.structDecl(decl), at: location)
    }

    /// `let name: Type = value`, `var name: Type` (set by `init`) or `let name = value`.
    private mutating func parseProperty() throws -> PropertyDecl {
        let location = here
        let isMutable = atKeyword("var")
        skip()
        guard let name = current.identifier, name != "_" else { throw expectedPattern() }
        skip()
        var type: String?
        if consume(":") { type = try parseType() }
        var value: Expr?
        if consume("=") {
            value = try parseExpression(after: "'='")
        } else if type == nil {
            throw error("a stored property needs a type annotation or '=' and a default value, found \(current.described)", at: here)
        }
        if at(",") { throw oneNamePerBinding(isMutable: isMutable) }
        return PropertyDecl(isMutable: isMutable, name: name, type: type, value: value, at: location)
    }
}
