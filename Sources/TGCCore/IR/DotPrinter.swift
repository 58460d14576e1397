/// The Graphviz form of the IR (`--emit dot`): one node per op, edges along data flow, loop
/// bodies and branches drawn as clusters.
public enum DotPrinter {
    public static func print(_ module: Module) -> String {
        var lines = ["digraph tgc {", "  node [shape=box, fontname=\"monospace\", fontsize=10];"]
        var nodeOf: [Value: String] = [:]
        var counter = 0
        func emit(_ block: Block, indent: String) {
            for argument in block.arguments {
                let node = "n\(counter)"
                counter += 1
                nodeOf[argument] = node
                lines.append("\(indent)\(node) [label=\"arg \(argument.type)\", shape=ellipse];")
            }
            for op in block.ops {
                let node = "n\(counter)"
                counter += 1
                let attrs = IRPrinter.describe(op.attributes, dataLimit: 8).replacingQuotes()
                let types = op.results.map(\.type.description).joined(separator: ", ")
                var label = IRPrinter.opName(op.kind)
                if !attrs.isEmpty { label += "\\n" + attrs }
                if !types.isEmpty { label += "\\n" + types }
                if op.location.line > 0 { label += "\\nline \(op.location.line)" }
                lines.append("\(indent)\(node) [label=\"\(label)\"];")
                for operand in op.operands {
                    if let source = nodeOf[operand] { lines.append("\(indent)\(source) -> \(node);") }
                }
                for (index, region) in op.regions.enumerated() {
                    lines.append("\(indent)subgraph cluster_\(node)_\(index) {")
                    let title = op.kind == .fusion ? (op.attributes.name ?? "fusion") : "\(IRPrinter.opName(op.kind)) region \(index)"
                    lines.append("\(indent)  label=\"\(title)\"; style=dashed;")
                    emit(region, indent: indent + "  ")
                    lines.append("\(indent)}")
                }
                for result in op.results { nodeOf[result] = node }
            }
        }
        emit(module.body, indent: "  ")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// Escapes double quotes and backslashes for a Graphviz label.
    func replacingQuotes() -> String {
        var out = ""
        for character in self {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
