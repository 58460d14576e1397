import TGCBase

/// Parses a whole source file into a Program; the first syntax error is thrown as a Diagnostic.
public func parseProgram(_ source: SourceText) throws -> Program {
    var parser = try Parser(source: source)
    return try parser.parseProgram()
}
