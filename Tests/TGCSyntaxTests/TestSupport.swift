import Testing
import TGCBase
@testable import TGCSyntax

/// Test-only rendering of the AST: every binary, unary and ternary expression is fully
/// parenthesized, so a string comparison pins down precedence and associativity.
enum Render {
    static func expr(_ e: Expr) -> String {
        switch e.kind {
        case .intLiteral(let v): return "\(v)"
        case .floatLiteral(let v): return "\(v)"
        case .boolLiteral(let v): return "\(v)"
        case .nilLiteral: return "nil"
        case .stringLiteral(let parts): return string(parts)
        case .identifier(let name): return name
        case .implicitMember(let name): return "." + name
        case .arrayLiteral(let elements): return "[" + elements.map(expr).joined(separator: ", ") + "]"
        case .dictionaryLiteral(let entries):
            return entries.isEmpty ? "[:]" : "[" + entries.map { expr($0.key) + ": " + expr($0.value) }.joined(separator: ", ") + "]"
        case .tuple(let elements): return "tuple(" + elements.map(expr).joined(separator: ", ") + ")"
        case .unary(let op, let operand): return "(\(op)\(expr(operand)))"
        case .binary(let op, let lhs, let rhs): return "(\(expr(lhs)) \(op) \(expr(rhs)))"
        case .call(let callee, let arguments, let trailing):
            var out = expr(callee) + "(" + arguments.map(argument).joined(separator: ", ") + ")"
            if let trailing { out += " " + closure(trailing) }
            return out
        case .member(let base, let name): return expr(base) + "." + name
        case .subscriptAccess(let base, let arguments):
            return expr(base) + "[" + arguments.map(argument).joined(separator: ", ") + "]"
        case .forceUnwrap(let base): return expr(base) + "!"
        case .partialRange(let op, let lower, let upper): return "(" + (lower.map(expr) ?? "") + op + (upper.map(expr) ?? "") + ")"
        case .closure(let c): return closure(c)
        case .ternary(let c, let t, let f): return "(\(expr(c)) ? \(expr(t)) : \(expr(f)))"
        }
    }

    static func argument(_ a: Argument) -> String {
        (a.label.map { "\($0): " } ?? "") + expr(a.value)
    }

    static func string(_ parts: [StringPart]) -> String {
        var out = "\""
        for part in parts {
            switch part {
            case .text(let text): out += text
            case .interpolation(let arguments): out += "\\(" + arguments.map(argument).joined(separator: ", ") + ")"
            }
        }
        return out + "\""
    }

    static func closure(_ c: Closure) -> String {
        let header = c.parameters.isEmpty ? "" : " " + c.parameters.joined(separator: ", ") + " in"
        return "{" + header + " " + block(c.body) + " }"
    }

    static func block(_ statements: [Stmt]) -> String {
        statements.map(stmt).joined(separator: "; ")
    }

    static func pattern(_ p: Pattern) -> String {
        switch p {
        case .name(let name, _): return name
        case .wildcard: return "_"
        case .tuple(let elements, _): return "(" + elements.map(pattern).joined(separator: ", ") + ")"
        }
    }

    static func function(_ f: FuncDecl) -> String {
        let params = f.parameters.map { p -> String in
            var out = (p.label.map { "\($0) " } ?? "") + p.name
            if let type = p.type { out += ": " + type }
            if let value = p.defaultValue { out += " = " + expr(value) }
            return out
        }
        let ret = f.returnType.map { " -> " + $0 } ?? ""
        return "func \(f.name)(\(params.joined(separator: ", ")))\(ret) { \(block(f.body)) }"
    }

    static func stmt(_ s: Stmt) -> String {
        switch s.kind {
        case .binding(let isMutable, let p, let type, let value):
            var out = (isMutable ? "var " : "let ") + pattern(p)
            if let type { out += ": " + type }
            if let value { out += " = " + expr(value) }
            return out
        case .assignment(let target, let op, let value): return "\(expr(target)) \(op) \(expr(value))"
        case .expression(let e): return expr(e)
        case .forIn(let p, let sequence, let body): return "for \(pattern(p)) in \(expr(sequence)) { \(block(body)) }"
        case .whileLoop(let c, let body): return "while \(expr(c)) { \(block(body)) }"
        case .ifElse(let c, let then, let elseBody):
            var out = "if \(expr(c)) { \(block(then)) }"
            if let elseBody { out += " else { \(block(elseBody)) }" }
            return out
        case .function(let f): return function(f)
        case .structDecl(let s):
            var members = s.properties.map { p -> String in
                var out = (p.isMutable ? "var " : "let ") + p.name
                if let type = p.type { out += ": " + type }
                if let value = p.value { out += " = " + expr(value) }
                return out
            }
            if let initializer = s.initializer { members.append(function(initializer)) }
            members += s.methods.map(function)
            let conformances = s.conformances.isEmpty ? "" : ": " + s.conformances.joined(separator: ", ")
            return "struct \(s.name)\(conformances) { \(members.joined(separator: "; ")) }"
        case .returnValue(let value): return value.map { "return " + expr($0) } ?? "return"
        case .breakLoop: return "break"
        case .continueLoop: return "continue"
        }
    }
}

func parse(_ text: String, file: String = "test.swiftdsl") throws -> Program {
    try parseProgram(SourceText(path: file, text: text))
}

/// The whole program rendered, statements joined by " | ".
func rendered(_ text: String) throws -> String {
    try parse(text).statements.map(Render.stmt).joined(separator: " | ")
}

/// The single expression statement of `text`.
func parseExpr(_ text: String) throws -> Expr {
    let program = try parse(text)
    guard program.statements.count == 1, case .expression(let e) = program.statements[0].kind else {
        throw ToolError("expected one expression statement in \(text)")
    }
    return e
}

/// The diagnostic that parsing `text` throws, or nil (recording an issue) when it parses.
func diagnostic(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Diagnostic? {
    do {
        _ = try parse(text)
        Issue.record("expected a diagnostic for \(text.debugDescription)", sourceLocation: sourceLocation)
        return nil
    } catch let d as Diagnostic {
        return d
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Lexes `text` into tokens (including the final eof).
func lex(_ text: String) throws -> [Token] {
    var lexer = Lexer(text: text, file: "lex.swiftdsl")
    return try lexer.tokenize()
}
