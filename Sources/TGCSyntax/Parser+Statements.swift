import TGCBase

/// Statements, patterns, types and `func` declarations.
extension Parser {
    static let assignmentOperators: Set<String> = ["=", "+=", "-=", "*=", "/=", "%="]

    /// The statement forms that start with a keyword.
    enum StatementKeyword { case binding, function, structDecl, ifElse, forIn, whileLoop, returnValue, jump, strayElse }

    static let statementKeywords: [String: StatementKeyword] = [
        "let": .binding, "var": .binding, "func": .function, "struct": .structDecl, "if": .ifElse, "for": .forIn,
        "while": .whileLoop, "return": .returnValue, "break": .jump, "continue": .jump, "else": .strayElse,
    ]

    /// The statement form at the cursor, or nil for an expression or assignment statement.
    var statementKeywordHere: StatementKeyword? {
        guard case .keyword(let word) = current.kind else { return nil }
        return Parser.statementKeywords[word]
    }

    mutating func parseStatement() throws -> Stmt {
        switch statementKeywordHere {
        case nil where current.isPunct("@"): return try parseAttributedFunction()
        case nil: return try parseExpressionStatement()
        case .binding: return try parseBinding()
        case .function: return try parseFunction()
        case .structDecl: return try parseStruct()
        case .ifElse: return try parseIf()
        case .forIn: return try parseFor()
        case .whileLoop: return try parseWhile()
        case .returnValue: return try parseReturn()
        case .jump: return parseJump()
        case .strayElse: throw strayElse()
        }
    }

    /// `break` / `continue`.
    mutating func parseJump() -> Stmt {
        let location = here
        let isBreak = atKeyword("break")
        skip()
        return Stmt(isBreak ? .breakLoop : .continueLoop, at: location)
    }

    /// An expression, an assignment `target op value`, or `_ = value` (evaluate and discard).
    mutating func parseExpressionStatement() throws -> Stmt {
        if current.identifier == "_" && peek(1).isPunct("=") { return try parseDiscard() }
        let location = here
        optionalChainBase = nil
        let expr = try parseExpression()
        let chained = optionalChainBase
        optionalChainBase = nil
        var statement: Stmt
        if let op = punctHere, Parser.assignmentOperators.contains(op) {
            statement = try parseAssignment(to: expr, at: location)
        } else {
            statement = Stmt(.expression(expr), at: location)
        }
        guard let chained else { return statement }
        let present = Expr(.binary(op: "!=", lhs: chained, rhs: Expr(.nilLiteral, at: chained.location)), at: chained.location)
        return Stmt(.ifElse(condition: present, then: [statement], elseBody: nil), at: location)
    }

    /// `target op value` after the target.
    mutating func parseAssignment(to target: Expr, at location: SourceLocation) throws -> Stmt {
        let op = punctHere ?? "="
        skip()
        try checkAssignable(target, op: op)
        let value = try parseExpression(after: "'" + op + "'")
        return Stmt(.assignment(target: target, op: op, value: value), at: location)
    }

    /// `_ = value`.
    mutating func parseDiscard() throws -> Stmt {
        let location = here
        skip()
        skip()
        let value = try parseExpression(after: "'='")
        return Stmt(.assignment(target: Expr(.identifier("_"), at: location), op: "=", value: value), at: location)
    }

    @inline(never)
    func strayElse() -> Diagnostic {
        error("'else' must follow the closing '}' of an 'if' statement", at: here)
    }

    /// Targets of assignment: names, members, subscripts, and (for `=`) tuples of those.
    func checkAssignable(_ target: Expr, op: String) throws {
        switch target.kind {
        case .identifier, .member, .subscriptAccess:
            return
        case .forceUnwrap(let inner):   // `d["a"]! += 1`, `w.grad! -= g`
            try checkAssignable(inner, op: op)
        case .tuple(let elements) where op == "=" && !elements.isEmpty:
            for element in elements { try checkAssignable(element, op: op) }
        default:
            throw error("cannot assign to this expression with '\(op)'; the left side must be a variable, property or subscript",
                        at: target.location)
        }
    }

    /// `let pattern: Type = value` / `var pattern = value` / `var name: Type` / `let name: Type`.
    mutating func parseBinding() throws -> Stmt {
        let location = here
        let isMutable = atKeyword("var")
        skip()
        let pattern = try parsePattern()
        var type: String?
        if consume(":") { type = try parseType() }
        var value: Expr?
        if consume("=") {
            value = try parseExpression(after: "'='")
        } else if type == nil {
            throw missingInitializer(isMutable: isMutable)
        }
        if at(",") { throw oneNamePerBinding(isMutable: isMutable) }
        return Stmt(.binding(isMutable: isMutable, pattern: pattern, type: type, value: value), at: location)
    }

    /// `name`, `_` or `(pattern, pattern, ...)`; `(p)` is just `p`.
    mutating func parsePattern() throws -> Pattern {
        let location = here
        if let name = current.identifier {
            skip()
            return name == "_" ? .wildcard(location) : .name(name, location)
        }
        guard at("(") else { throw expectedPattern() }
        skip()
        try enter("pattern", at: location)
        defer { depth -= 1 }
        var elements: [Pattern] = []
        var sawComma = false
        while !at(")") {
            elements.append(try parsePattern())
            if !consume(",") { break }
            sawComma = true
        }
        try expectClosing(")", open: location)
        if elements.count == 1 && !sawComma { return elements[0] }
        return .tuple(elements, location)
    }

    /// A type written as text: `Tensor`, `[Int]`, `[[Float]]`, `(Tensor, Tensor)`, `Int?`, `A.B<C>`.
    mutating func parseType() throws -> String {
        let open = here
        try enter("type", at: open)
        defer { depth -= 1 }
        var result: String
        if consume("[") {
            let element = try parseType()
            if consume(":") {   // a dictionary type: `[String: Double]`
                let value = try parseType()
                try expectClosing("]", open: open)
                result = "[" + element + ": " + value + "]"
            } else {
                try expectClosing("]", open: open)
                result = "[" + element + "]"
            }
        } else if consume("(") {
            var elements: [String] = []
            while !at(")") {
                elements.append(try parseType())
                if !consume(",") { break }
            }
            try expectClosing(")", open: open)
            result = "(" + elements.joined(separator: ", ") + ")"
        } else if let name = current.identifier, name != "_" {
            skip()
            result = name
            while at("."), let member = peek(1).identifier {
                skip()
                skip()
                result += "." + member
            }
            if at("<") && !current.spaceBefore {
                let angle = here
                skip()
                var arguments: [String] = []
                repeat { arguments.append(try parseType()) } while consume(",")
                try expectClosing(">", open: angle)
                result += "<" + arguments.joined(separator: ", ") + ">"
            }
        } else {
            throw error("expected a type, found \(current.described)", at: here)
        }
        while at("?") && !current.spaceBefore {
            skip()
            result += "?"
        }
        return result
    }

    /// `func name(_ x: T, label name: T = default, name: T) -> T { body }`.
    mutating func parseFunction() throws -> Stmt {
        let decl = try parseFunctionDecl()
        return Stmt(.function(decl), at: decl.location)
    }

    /// `func name(...) -> T { body }` as a declaration.
    mutating func parseFunctionDecl() throws -> FuncDecl {
        let location = here
        skip()
        guard let name = current.identifier, name != "_" else {
            throw error("expected a function name after 'func', found \(current.described)", at: here)
        }
        skip()
        return try parseSignatureAndBody(name: name, at: location)
    }

    /// `(params) -> T { body }` of a function or initializer called `name`.
    mutating func parseSignatureAndBody(name: String, at location: SourceLocation) throws -> FuncDecl {
        let open = here
        if !consume("(") {
            throw error("expected '(' to start the parameters of '\(name)', found \(current.described)", at: here)
        }
        var parameters: [Parameter] = []
        while !at(")") {
            parameters.append(try parseParameter(open: open))
            if !consume(",") { break }
        }
        try expectClosing(")", open: open)
        var returnType: String?
        if consume("->") { returnType = try parseType() }
        let body = try parseBlock(after: "the signature of '\(name)'")
        return FuncDecl(name: name, parameters: parameters, returnType: returnType, body: body, at: location)
    }

    /// `name: T`, `label name: T`, `_ name: T`, each with an optional `= default`.
    mutating func parseParameter(open: SourceLocation) throws -> Parameter {
        let first = current
        var firstName: String
        switch first.kind {
        case .identifier(let name):
            firstName = name
        case .keyword(let word) where peek(1).identifier != nil:
            firstName = word  // Swift allows keywords as argument labels: `in x: Tensor`.
        case .eof, .punct:
            throw error("expected a parameter name or ')' to close '(' at \(Parser.position(open))", at: first.location)
        default:
            throw error("expected a parameter name, found \(first.described)", at: first.location)
        }
        skip()
        var label: String?
        if let second = current.identifier {
            skip()
            label = firstName
            firstName = second
        }
        var type: String?
        if consume(":") { type = try parseType() }
        var defaultValue: Expr?
        if consume("=") { defaultValue = try parseExpression(after: "'='") }
        return Parameter(label: label, name: firstName, type: type, defaultValue: defaultValue, at: first.location)
    }

    /// `if c { } else if d { } else { }`; an else-if is a nested `ifElse` as the sole else statement.
    mutating func parseIf() throws -> Stmt {
        let location = here
        skip()
        // `if let g = w.grad { ... }`: `if w.grad != nil { let g = w.grad!; ... }`.
        var binding: Stmt?
        var condition: Expr
        if atKeyword("let") || atKeyword("var") {
            let isMutable = atKeyword("var")
            let bindingLocation = here
            skip()
            let pattern = try parsePattern()
            guard consume("=") else { throw error("expected '=' after the name in 'if let', found \(current.described)", at: here) }
            let value = try parseHeaderExpression(after: "'='", noun: "value")
            condition = Expr(.binary(op: "!=", lhs: value, rhs: Expr(.nilLiteral, at: value.location)), at: value.location)
            binding = Stmt(.binding(isMutable: isMutable, pattern: pattern, type: nil, value: Expr(.forceUnwrap(value), at: value.location)), at: bindingLocation)
        } else {
            condition = try parseHeaderExpression(after: "'if'", noun: "condition")
        }
        var then = try parseBlock(after: "'if' condition")
        if let binding { then.insert(binding, at: 0) }
        var elseBody: [Stmt]?
        if atKeyword("else") {
            skip()
            if atKeyword("if") {
                try enter("blocks", at: here)
                defer { depth -= 1 }
                elseBody = [try parseIf()]
            } else {
                elseBody = try parseBlock(after: "'else'")
            }
        }
        return Stmt(.ifElse(condition: condition, then: then, elseBody: elseBody), at: location)
    }

    /// `for pattern in sequence { body }`.
    mutating func parseFor() throws -> Stmt {
        let location = here
        skip()
        let pattern = try parsePattern()
        if !atKeyword("in") {
            throw error("expected 'in' after the pattern of a 'for' loop, found \(current.described)", at: here)
        }
        skip()
        let sequence = try parseHeaderExpression(after: "'in'", noun: "sequence")
        // `for p in ps where p.requiresGrad { ... }`: the body runs only where the condition holds.
        var filter: Expr?
        if current.identifier == "where" {
            skip()
            filter = try parseHeaderExpression(after: "'where'", noun: "condition")
        }
        var body = try parseBlock(after: filter == nil ? "'for' sequence" : "'where' condition")
        if let filter { body = [Stmt(.ifElse(condition: filter, then: body, elseBody: nil), at: filter.location)] }
        return Stmt(.forIn(pattern: pattern, sequence: sequence, body: body), at: location)
    }

    /// `while condition { body }`.
    mutating func parseWhile() throws -> Stmt {
        let location = here
        skip()
        let condition = try parseHeaderExpression(after: "'while'", noun: "condition")
        let body = try parseBlock(after: "'while' condition")
        return Stmt(.whileLoop(condition: condition, body: body), at: location)
    }

    /// The expression of an `if`/`for`/`while` header, where `{` starts the body.
    mutating func parseHeaderExpression(after what: String, noun: String) throws -> Expr {
        let saved = noTrailingClosure
        noTrailingClosure = true
        defer { noTrailingClosure = saved }
        if !canStartHere { throw expectedHeader(noun, after: what) }
        return try parseExpression()
    }

    /// `return value`, or a bare `return` before a line break, `;`, `}` or the end of file.
    mutating func parseReturn() throws -> Stmt {
        let location = here
        skip()
        if atNewLine || atEnd || at("}") || at(";") { return Stmt(.returnValue(nil), at: location) }
        return Stmt(.returnValue(try parseExpression(after: "'return'")), at: location)
    }

    // MARK: - Messages

    @inline(never)
    func missingInitializer(isMutable: Bool) -> Diagnostic {
        error("expected a type annotation or '=' and an initial value in '\(isMutable ? "var" : "let")' declaration, found \(current.described)",
              at: here)
    }

    @inline(never)
    func oneNamePerBinding(isMutable: Bool) -> Diagnostic {
        let keyword = isMutable ? "var" : "let"
        return error("declare one name per '\(keyword)', or use a tuple pattern: \(keyword) (a, b) = ...", at: here)
    }

    @inline(never)
    func expectedPattern() -> Diagnostic {
        if case .keyword(let word) = current.kind {
            return error("keyword '\(word)' cannot be used as a name", at: here)
        }
        return error("expected a name, '_' or '(' to start a pattern, found \(current.described)", at: here)
    }

    @inline(never)
    func expectedHeader(_ noun: String, after what: String) -> Diagnostic {
        error("expected \(noun) after \(what), found \(current.described)", at: here)
    }
}
