import TGCBase

/// The attribute, type, number and string syntax of the textual IR.
extension IRParser {
    /// Every attribute name, in the order the printer writes them.
    static let attributeNames = ["data", "value", "start", "step", "alpha", "low", "high", "shape", "axes", "keepDim", "descending", "permutation",
                                 "window", "slice", "dtype", "name", "names", "path", "fileRows", "upper", "seed", "seeded", "format", "terminator", "arena"]

    /// `{key = value, ...}`; `allowed` limits the names (nil: any attribute name).
    mutating func parseAttributes(allowed: Set<String>?) throws -> Attributes {
        try expect("{")
        var attributes = Attributes()
        var seen = Set<String>()
        repeat {
            let keyToken = advance()
            guard case .identifier(let key) = keyToken.kind, Self.attributeNames.contains(key) else {
                throw error("unknown attribute \(keyToken.quoted); attributes: \(Self.attributeNames.joined(separator: ", "))", at: keyToken)
            }
            if let allowed, !allowed.contains(key) {
                throw error("attribute '\(key)' cannot be written here; only \(allowed.sorted().joined(separator: ", "))", at: keyToken)
            }
            guard seen.insert(key).inserted else { throw error("attribute '\(key)' is given twice", at: keyToken) }
            try expect("=")
            switch key {
            case "data": attributes.data = try parseList { try $0.parseNumber() }
            case "value": attributes.value = try parseNumber()
            case "start": attributes.start = try parseNumber()
            case "step": attributes.step = try parseNumber()
            case "alpha": attributes.alpha = try parseNumber()
            case "low": attributes.low = try parseNumber()
            case "high": attributes.high = try parseNumber()
            case "shape": attributes.shape = try parseList { try $0.parseInteger() }
            case "axes": attributes.axes = try parseList { try $0.parseInteger() }
            case "keepDim": attributes.keepDim = try parseBool()
            case "descending": attributes.descending = try parseBool()
            case "permutation": attributes.permutation = try parseList { try $0.parseInteger() }
            case "window": attributes.window = try parseList { try $0.parseInteger() }
            case "slice": attributes.slice = try parseSlice()
            case "dtype": attributes.dtype = try parseDType()
            case "name": attributes.name = try parseString()
            case "path": attributes.path = try parseString()
            case "fileRows": attributes.fileRows = try parseInteger()
            case "names": attributes.names = try parseList { try $0.parseString() }
            case "upper": attributes.upper = try parseInteger()
            case "seed": attributes.seed = try parseInteger()
            case "seeded": attributes.hasSeedGradient = try parseBool()
            case "format": attributes.printSegments = try parseFormat()
            case "terminator": attributes.terminator = try parseString()
            default: attributes.arena = try parseArena()
            }
        } while skip(",")
        try expect("}")
        return attributes
    }

    /// `[[start, step, size], ...]`: one triple per dimension.
    mutating func parseSlice() throws -> [SliceDim] {
        let start = current
        let triples = try parseList { try $0.parseList { try $0.parseInteger() } }
        guard triples.allSatisfy({ $0.count == 3 }) else {
            throw error("a slice is a list of [start, step, size] triples", at: start)
        }
        return triples.map { SliceDim(start: $0[0], step: $0[1], size: $0[2]) }
    }

    /// `f32[3, 4]`, `i64[]`, `bool[2]`.
    mutating func parseType() throws -> TensorType {
        let token = advance()
        let dtypes = Dictionary(uniqueKeysWithValues: DType.allCases.map { ($0.irName, $0) })
        guard case .identifier(let name) = token.kind, let dtype = dtypes[name] else {
            throw error("expected a type such as f32[2, 3], i64[] or bool[4], found \(token.quoted)", at: token)
        }
        let shape = try parseList { try $0.parseInteger() }
        do {
            _ = try ShapeRules.checkedCount(shape)
        } catch let typeError as OpTypeError {
            throw error(typeError.message, at: token)
        }
        return TensorType(shape, dtype)
    }

    /// `[a, b, ...]`, each element read by `element`.
    mutating func parseList<Element>(_ element: (inout IRParser) throws -> Element) throws -> [Element] {
        try expect("[")
        var elements: [Element] = []
        if !isPunctuation("]") {
            repeat { elements.append(try element(&self)) } while skip(",")
        }
        try expect("]")
        return elements
    }

    /// A number as `IRPrinter.formatNumber` writes it: `3`, `-0.0`, `0.1`, `1e-05`, `inf`, `nan`.
    mutating func parseNumber() throws -> Double {
        let negative = skip("-")
        let token = advance()
        let magnitude: Double? = switch token.kind {
        case .number(let digits): Double(digits)
        case .identifier("inf"): .infinity
        case .identifier("nan"): .nan
        default: nil
        }
        guard let magnitude else { throw error("expected a number, found \(token.quoted)", at: token) }
        return negative ? -magnitude : magnitude
    }

    mutating func parseInteger() throws -> Int {
        let negative = skip("-")
        let token = advance()
        guard case .number(let digits) = token.kind, let magnitude = Int(digits) else {
            throw error("expected an integer, found \(token.quoted)", at: token)
        }
        return negative ? -magnitude : magnitude
    }

    private mutating func parseBool() throws -> Bool {
        let token = advance()
        guard token.kind == .identifier("true") || token.kind == .identifier("false") else {
            throw error("expected true or false, found \(token.quoted)", at: token)
        }
        return token.kind == .identifier("true")
    }

    private mutating func parseDType() throws -> DType {
        let token = advance()
        guard case .identifier(let name) = token.kind, let dtype = DType(rawValue: name) else {
            throw error("expected a dtype (\(DType.allCases.map(\.rawValue).joined(separator: ", "))), found \(token.quoted)", at: token)
        }
        return dtype
    }

    /// A string literal's value, escapes resolved.
    mutating func parseString() throws -> String {
        let token = advance()
        guard case .string(let raw) = token.kind else { throw error("expected a string, found \(token.quoted)", at: token) }
        return try unescaped(Substring(raw), at: token)
    }

    func unescaped(_ raw: Substring, at token: IRToken) throws -> String {
        var text = String.UnicodeScalarView()
        var scalars = raw.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            guard scalar == "\\" else {
                text.append(scalar)
                continue
            }
            guard let escaped = scalars.popFirst(), let character = IRStringLiteral.unescaped(escaped) else {
                throw error("unknown escape in string; escapes: \\\\ \\\" \\n \\r \\t \\{ \\}", at: token)
            }
            text.append(character)
        }
        return String(text)
    }

    /// `[offset, bytes]` (one slot), or `[[offset, bytes], ...]`.
    private mutating func parseArena() throws -> [ArenaSlot] {
        func slot(_ parser: inout IRParser) throws -> ArenaSlot {
            let pair = try parser.parseList { try $0.parseInteger() }
            guard pair.count == 2 else { throw parser.error("an arena slot is [offset, bytes]") }
            return ArenaSlot(offset: pair[0], bytes: pair[1])
        }
        guard lookahead(1).kind == .punctuation("[") || lookahead(1).kind == .punctuation("]") else {
            return [try slot(&self)]
        }
        return try parseList(slot)
    }
}
