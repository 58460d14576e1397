import Foundation

/// The textual form of the IR (`tgc ir`): one op per line, values renumbered in order of
/// definition, attributes in a fixed order, the source location as a trailing comment.
public struct IRPrinter {
    private var names: [Value: String] = [:]
    private var output = ""

    public static func print(_ module: Module, locations: Bool = true) -> String {
        var printer = IRPrinter()
        printer.output = "module {\n"
        printer.printBlock(module.body, indent: 1, locations: locations)
        printer.output += "}\n"
        return printer.output
    }

    private mutating func name(_ value: Value) -> String {
        if let name = names[value] { return name }
        let name = "%\(names.count)"
        names[value] = name
        return name
    }

    private mutating func printBlock(_ block: Block, indent: Int, locations: Bool) {
        let pad = String(repeating: "  ", count: indent)
        for op in block.ops {
            var line = pad
            if !op.results.isEmpty && op.kind != .forLoop {
                line += op.results.map { name($0) }.joined(separator: ", ") + " = "
            }
            switch op.kind {
            case .forLoop:
                let body = op.regions[0]
                let results = op.results.map { name($0) }
                line += results.isEmpty ? "" : results.joined(separator: ", ") + " = "
                let index = name(body.arguments[0])
                let carried = zip(body.arguments.dropFirst(), op.operands).map { "\(name($0.0)) = \(name($0.1))" }
                line += "for \(index) in \(op.attributes.lower!)..<\(op.attributes.upper!)"
                if !carried.isEmpty { line += " carrying (\(carried.joined(separator: ", ")))" }
                line += typeSuffix(op) + arenaSuffix(op) + " {"
                output += line + locationComment(op, locations) + "\n"
                printBlock(body, indent: indent + 1, locations: locations)
                output += pad + "}\n"
                continue
            case .ifElse:
                line += "if \(name(op.operands[0]))" + typeSuffix(op) + arenaSuffix(op) + " {"
                output += line + locationComment(op, locations) + "\n"
                printBlock(op.regions[0], indent: indent + 1, locations: locations)
                output += pad + "} else {\n"
                printBlock(op.regions[1], indent: indent + 1, locations: locations)
                output += pad + "}\n"
                continue
            case .fusion:
                let region = op.regions[0]
                let arguments = zip(region.arguments, op.operands).map { "\(name($0.0)) = \(name($0.1))" }
                line += "fusion \(IRStringLiteral.quoted(op.attributes.name ?? "")) (\(arguments.joined(separator: ", ")))" + typeSuffix(op) + arenaSuffix(op) + " {"
                output += line + locationComment(op, locations) + "\n"
                printBlock(region, indent: indent + 1, locations: locations)
                output += pad + "}\n"
                continue
            default:
                line += opName(op.kind)
                if !op.operands.isEmpty { line += " " + op.operands.map { name($0) }.joined(separator: ", ") }
                let attrs = Self.describe(op.attributes)
                if !attrs.isEmpty { line += " {\(attrs)}" }
                line += typeSuffix(op)
            }
            output += line + locationComment(op, locations) + "\n"
        }
    }

    private func typeSuffix(_ op: Op) -> String {
        op.results.isEmpty ? "" : " : " + op.results.map(\.type.description).joined(separator: ", ")
    }

    private func locationComment(_ op: Op, _ enabled: Bool) -> String {
        enabled && op.location.line > 0 ? "  // \(op.location.line):\(op.location.column)" : ""
    }

    /// snake_case op names: `reduce_sum`, `rand_normal`.
    public func opName(_ kind: OpKind) -> String { Self.opName(kind) }

    public static func opName(_ kind: OpKind) -> String {
        var name = ""
        for character in kind.name {
            if character.isUppercase { name += "_" + character.lowercased() } else { name.append(character) }
        }
        return name
    }

    /// The set attributes as `key = value` pairs, in declaration order; `data` is cut to
    /// `dataLimit` elements and `...` (the IR text keeps all of it, graph labels do not).
    public static func describe(_ a: Attributes, dataLimit: Int = .max) -> String {
        var parts: [String] = []
        if let data = a.data {
            parts.append("data = [" + data.prefix(dataLimit).map(formatNumber).joined(separator: ", ") + (data.count > dataLimit ? ", ..." : "") + "]")
        }
        if let value = a.value { parts.append("value = \(formatNumber(value))") }
        if let start = a.start { parts.append("start = \(formatNumber(start))") }
        if let step = a.step { parts.append("step = \(formatNumber(step))") }
        if let alpha = a.alpha { parts.append("alpha = \(formatNumber(alpha))") }
        if let low = a.low { parts.append("low = \(formatNumber(low))") }
        if let high = a.high { parts.append("high = \(formatNumber(high))") }
        if let shape = a.shape { parts.append("shape = \(formatShape(shape))") }
        if let axes = a.axes { parts.append("axes = \(formatShape(axes))") }
        if a.keepDim { parts.append("keepDim = true") }
        if a.descending { parts.append("descending = true") }
        if let permutation = a.permutation { parts.append("permutation = \(formatShape(permutation))") }
        if let window = a.window { parts.append("window = \(formatShape(window))") }
        if let slice = a.slice { parts.append("slice = [" + slice.map { "[\($0.start), \($0.step), \($0.size)]" }.joined(separator: ", ") + "]") }
        if let dtype = a.dtype { parts.append("dtype = \(dtype.rawValue)") }
        if let name = a.name { parts.append("name = " + IRStringLiteral.quoted(name)) }
        if let names = a.names { parts.append("names = [" + names.map(IRStringLiteral.quoted).joined(separator: ", ") + "]") }
        if let path = a.path { parts.append("path = " + IRStringLiteral.quoted(path)) }
        if let fileRows = a.fileRows { parts.append("fileRows = \(fileRows)") }
        if let upper = a.upper { parts.append("upper = \(upper)") }
        if let seed = a.seed { parts.append("seed = \(seed)") }
        if a.hasSeedGradient { parts.append("seeded = true") }
        if let segments = a.printSegments { parts.append("format = " + describe(segments)) }
        if let terminator = a.terminator { parts.append("terminator = " + IRStringLiteral.quoted(terminator)) }
        if let slots = a.arena { parts.append("arena = " + (slots.count == 1 ? describe(slots[0]) : "[" + slots.map(describe).joined(separator: ", ") + "]")) }
        return parts.joined(separator: ", ")
    }

    /// `[offset, bytes]` of an arena slot.
    private static func describe(_ slot: ArenaSlot) -> String { "[\(slot.offset), \(slot.bytes)]" }

    /// ` {arena = ...}` for ops printed in their own syntax (loops, branches, fusion groups).
    private func arenaSuffix(_ op: Op) -> String {
        var attrs = Attributes()
        attrs.arena = op.attributes.arena
        return attrs.arena == nil ? "" : " {\(Self.describe(attrs))}"
    }

    /// A print format as one string: literal text with `\`, `"`, `{`, `}` and control characters
    /// escaped; `{N}` a tensor, `{N, SUFFIX}` a tensor with its suffix, `{N, C ? SUFFIX : SUFFIX}`
    /// a branch's suffix (`-` for none), `{N!r}` a scalar as Python's repr, `{N:.Pf}` a scalar
    /// with P decimals, `{N!l}` a tensor as a Python list, `{N!c "A" "B" ...}` the string that
    /// scalar N picks (each option a quoted string, escaped again as the format's text).
    private static func describe(_ segments: [PrintSegment]) -> String {
        let pieces = segments.map { segment -> String in
            switch segment {
            case .text(let text): return IRStringLiteral.escaped(text, braces: true)
            case .tensor(let operand, let suffix): return "{\(operand)" + (suffix.map { ", " + IRStringLiteral.escaped($0, braces: true) } ?? "") + "}"
            case .tensorWithBranchSuffix(let operand, let condition, let ifTrue, let ifFalse):
                let (shownTrue, shownFalse) = (ifTrue.map { IRStringLiteral.escaped($0, braces: true) }, ifFalse.map { IRStringLiteral.escaped($0, braces: true) })
                return "{\(operand), \(condition) ? \(shownTrue ?? "-") : \(shownFalse ?? "-")}"
            case .scalar(let operand, let precision): return "{\(operand)" + (precision.map { ":.\($0)f" } ?? "!r") + "}"
            case .list(let operand): return "{\(operand)!l}"
            case .choice(let operand, let options):
                return "{\(operand)!c" + options.map { " " + IRStringLiteral.escaped(IRStringLiteral.quoted($0), braces: true) }.joined() + "}"
            }
        }
        return "\"" + pieces.joined() + "\""
    }

    static func formatNumber(_ value: Double) -> String {
        if value == 0 && value.sign == .minus { return "-0.0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }
}
