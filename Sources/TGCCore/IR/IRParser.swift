import TGCBase

/// Reads the text that `IRPrinter` writes (`tgc ir`) back into a module and verifies it.
/// Errors are diagnostics at a line and column of the text. The `// LINE:COL` comments become
/// the ops' source locations, in the file `IRParser.sourceFile` (the text does not name it).
/// The grammar is in docs/IR.md.
public struct IRParser {
    /// The file of the source locations restored from `// LINE:COL` comments.
    public static let sourceFile = "<source>"

    /// Op kinds by printed name (`reduce_sum`), from `OpKind.allCases`; loops, branches and
    /// fusion groups have their own syntax (`for`, `if`, `fusion`) instead.
    static let kindsByName: [String: OpKind] = Dictionary(uniqueKeysWithValues: OpKind.allCases
        .filter { ![.forLoop, .ifElse, .fusion].contains($0) }
        .map { (IRPrinter.opName($0), $0) })

    let module = Module()
    var tokens: [IRToken]
    var position = 0
    /// The names visible here: one table per enclosing block.
    var scopes: [[String: Value]] = [[:]]
    /// Where each op starts in the text, to locate verifier errors.
    var textLocations: [ObjectIdentifier: SourceLocation] = [:]

    /// The module that `text` (the contents of `fileName`) describes.
    public static func parse(_ text: String, fileName: String) throws -> Module {
        var parser = IRParser(tokens: try IRLexer.tokens(of: text, fileName: fileName))
        try parser.parseModule()
        do {
            try Verifier.verify(parser.module)
        } catch let error as VerifierError {
            let at = error.failingOp.flatMap { parser.textLocations[$0] } ?? parser.tokens[0].location
            throw Diagnostic("invalid IR: \(error.message)", at: at)
        }
        return parser.module
    }

    private init(tokens: [IRToken]) { self.tokens = tokens }

    // MARK: structure

    private mutating func parseModule() throws {
        try expectWord("module")
        try expect("{")
        module.body = try parseBlock(arguments: [])
        try expect("}")
        guard current.kind == .end else { throw error("expected the end of the text after the module, found \(current.quoted)") }
    }

    /// How deeply regions may nest: deeper text is an error rather than a stack overflow.
    static let maximumNesting = 256

    /// Ops up to the closing `}` (left for the caller), with `arguments` named in their scope.
    private mutating func parseBlock(arguments: [(name: IRToken, value: Value)]) throws -> Block {
        guard scopes.count <= Self.maximumNesting else { throw error("regions nested more than \(Self.maximumNesting) deep") }
        scopes.append([:])
        defer { scopes.removeLast() }
        for argument in arguments { try define(argument.name, argument.value) }
        let block = Block(arguments: arguments.map(\.value))
        while !isPunctuation("}") {
            guard current.kind != .end else { throw error("expected '}' before the end of the text") }
            block.ops.append(try parseOp())
        }
        return block
    }

    private mutating func parseOp() throws -> Op {
        let start = current.location
        var resultNames: [IRToken] = []
        if case .value = current.kind {
            repeat { resultNames.append(try expectValueName()) } while skip(",")
            try expect("=")
        }
        guard case .identifier(let word) = current.kind else {
            throw error("expected an op, found \(current.quoted)")
        }
        let op = switch word {
        case "for": try parseLoop(resultNames)
        case "if": try parseBranch(resultNames)
        case "fusion": try parseFusion(resultNames)
        default: try parsePlainOp(resultNames)
        }
        textLocations[ObjectIdentifier(op)] = start
        try Self.checkAttributes(of: op, at: start)
        for (name, result) in zip(resultNames, op.results) { try define(name, result) }
        return op
    }

    /// `%r = kind %a, %b {attributes} : types  // line:col`
    private mutating func parsePlainOp(_ resultNames: [IRToken]) throws -> Op {
        let nameToken = advance()
        guard case .identifier(let name) = nameToken.kind, let kind = Self.kindsByName[name] else {
            throw error("unknown op \(nameToken.quoted)", at: nameToken)
        }
        var operands: [Value] = []
        if case .value = current.kind {
            repeat { operands.append(try parseOperand()) } while skip(",")
        }
        let attributes = isPunctuation("{") ? try parseAttributes(allowed: nil) : Attributes()
        let types = try parseResultTypes(count: resultNames, of: nameToken)
        return Op(kind: kind, operands: operands, results: types.map(module.makeValue), attributes: attributes,
                  regions: [], location: parseSourceLocation())
    }

    /// `%r = for %i in 0..<10 carrying (%a = %x) : types {arena} {  // line:col` body `}`
    private mutating func parseLoop(_ resultNames: [IRToken]) throws -> Op {
        let keyword = advance()
        let index = try expectValueName()
        try expectWord("in")
        var attributes = Attributes()
        let lowerToken = current
        attributes.lower = try parseInteger()
        try expect("..<")
        attributes.upper = try parseInteger()
        guard attributes.lower! <= attributes.upper! else {
            throw error("a loop's lower bound must not exceed its upper bound", at: lowerToken)
        }
        var carried: [(name: IRToken, initial: Value)] = []
        if isWord("carrying") {
            advance()
            carried = try parseBindings()
        }
        let types = try parseResultTypes(count: resultNames, of: keyword)
        attributes.arena = try parseArenaSuffix()
        try expect("{")
        let location = parseSourceLocation()
        let arguments = [(index, module.makeValue(.scalar(.int64)))] + carried.map { ($0.name, module.makeValue($0.initial.type)) }
        let body = try parseBlock(arguments: arguments)
        try expect("}")
        return Op(kind: .forLoop, operands: carried.map(\.initial), results: types.map(module.makeValue),
                  attributes: attributes, regions: [body], location: location)
    }

    /// `%r = if %c : types {arena} {  // line:col` then `} else {` else `}`
    private mutating func parseBranch(_ resultNames: [IRToken]) throws -> Op {
        let keyword = advance()
        let condition = try parseOperand()
        let types = try parseResultTypes(count: resultNames, of: keyword)
        var attributes = Attributes()
        attributes.arena = try parseArenaSuffix()
        try expect("{")
        let location = parseSourceLocation()
        let thenBlock = try parseBlock(arguments: [])
        try expect("}")
        try expectWord("else")
        try expect("{")
        let elseBlock = try parseBlock(arguments: [])
        try expect("}")
        return Op(kind: .ifElse, operands: [condition], results: types.map(module.makeValue),
                  attributes: attributes, regions: [thenBlock, elseBlock], location: location)
    }

    /// `%r = fusion "name" (%a = %x, ...) : types {arena} {  // line:col` body `}`
    private mutating func parseFusion(_ resultNames: [IRToken]) throws -> Op {
        let keyword = advance()
        var attributes = Attributes()
        let name = try parseString()
        attributes.name = name.isEmpty ? nil : name
        let arguments = try parseBindings()
        let types = try parseResultTypes(count: resultNames, of: keyword)
        attributes.arena = try parseArenaSuffix()
        try expect("{")
        let location = parseSourceLocation()
        let body = try parseBlock(arguments: arguments.map { ($0.name, module.makeValue($0.initial.type)) })
        try expect("}")
        return Op(kind: .fusion, operands: arguments.map(\.initial), results: types.map(module.makeValue),
                  attributes: attributes, regions: [body], location: location)
    }

    /// `(%argument = %value, ...)`: block arguments and the values they start as.
    private mutating func parseBindings() throws -> [(name: IRToken, initial: Value)] {
        try expect("(")
        var bindings: [(name: IRToken, initial: Value)] = []
        if !isPunctuation(")") {
            repeat {
                let name = try expectValueName()
                try expect("=")
                bindings.append((name, try parseOperand()))
            } while skip(",")
        }
        try expect(")")
        return bindings
    }

    /// ` : f32[2], i64[]`, as many types as the op has result names.
    private mutating func parseResultTypes(count resultNames: [IRToken], of op: IRToken) throws -> [TensorType] {
        var types: [TensorType] = []
        if skip(":") {
            repeat { types.append(try parseType()) } while skip(",")
        }
        guard types.count == resultNames.count else {
            throw error("\(resultNames.count) result names but \(types.count) result types", at: resultNames.first ?? op)
        }
        return types
    }

    /// ` {arena = ...}` after a loop, branch or fusion group, the one attribute they print there.
    private mutating func parseArenaSuffix() throws -> [ArenaSlot]? {
        guard isPunctuation("{"), case .identifier = lookahead(1).kind,
              lookahead(2).kind == .punctuation("=") else { return nil }
        return try parseAttributes(allowed: ["arena"]).arena
    }

    private mutating func parseSourceLocation() -> SourceLocation {
        guard case .sourceLocation(let line, let column) = current.kind else { return .unknown }
        advance()
        return SourceLocation(file: Self.sourceFile, line: line, column: column)
    }

    // MARK: values

    private mutating func define(_ name: IRToken, _ value: Value) throws {
        let text = Self.valueName(name)
        guard scopes.allSatisfy({ $0[text] == nil }) else { throw error("value %\(text) is defined twice", at: name) }
        scopes[scopes.count - 1][text] = value
    }

    private mutating func parseOperand() throws -> Value {
        let token = try expectValueName()
        let text = Self.valueName(token)
        guard let value = scopes.reversed().lazy.compactMap({ $0[text] }).first else {
            throw error("use of undefined value %\(text)", at: token)
        }
        return value
    }

    private mutating func expectValueName() throws -> IRToken {
        guard case .value = current.kind else { throw error("expected a value such as %0, found \(current.quoted)") }
        return advance()
    }

    /// `12` for the token `%12`.
    private static func valueName(_ token: IRToken) -> String {
        guard case .value(let name) = token.kind else { return "" }
        return name
    }

    // MARK: tokens

    var current: IRToken { tokens[position] }

    /// The token `offset` places after the current one (the end token past the end).
    func lookahead(_ offset: Int) -> IRToken { tokens[min(position + offset, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> IRToken {
        defer { if position < tokens.count - 1 { position += 1 } }
        return tokens[position]
    }

    func isPunctuation(_ text: String) -> Bool { current.kind == .punctuation(text) }

    func isWord(_ word: String) -> Bool { current.kind == .identifier(word) }

    mutating func skip(_ punctuation: String) -> Bool {
        guard isPunctuation(punctuation) else { return false }
        advance()
        return true
    }

    mutating func expect(_ punctuation: String) throws {
        guard skip(punctuation) else { throw error("expected '\(punctuation)', found \(current.quoted)") }
    }

    mutating func expectWord(_ word: String) throws {
        guard isWord(word) else { throw error("expected '\(word)', found \(current.quoted)") }
        advance()
    }

    func error(_ message: String, at token: IRToken? = nil) -> Diagnostic {
        Diagnostic(message, at: (token ?? current).location)
    }
}
