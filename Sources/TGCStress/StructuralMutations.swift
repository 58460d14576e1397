/// Mutations of program structure: swap bracketed subtrees between programs, change shapes and
/// dims, splice, delete or duplicate lines, wrap lines in blocks, nest deeply, write very long
/// lines. Bracket groups stand in for AST subtrees, so these work on already broken inputs too.
enum StructuralMutations {
    static let nestingDepths = [8, 64, 512, 4096, 20000]
    static let extremeDims = ["0", "1", "-1", "7", "-5", "2147483648", "4611686018427387904", "9223372036854775807", "1099511627776"]
    static let blockOpeners = [
        "for i in 0..<3 {", "for j in 1...2 {", "noGrad {", "func f() {", "func g(_ a: Tensor) -> Tensor {",
        "if true {", "if randn([1]).sum() > 0 {", "while false {", "if x.sum() > 0 {", "} else {",
    ]

    /// Applies one structural mutation chosen by `rng` with text from `donor`; returns its name.
    static func apply(to text: inout String, donor: String, using rng: inout SplitMix64) -> String {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return swapGroup(&text, donor: donor, using: &rng)
        case 1: return changeDims(&text, using: &rng)
        case 2: return spliceLines(&text, donor: donor, using: &rng)
        case 3: return editLines(&text, using: &rng)
        case 4: return wrapInBlock(&text, using: &rng)
        case 5: return nestDeeply(&text, using: &rng)
        case 6: return longLine(&text, using: &rng)
        default:
            var chunks = SourceChunks(text)
            guard let group = chunks.bracketGroups.randomElement(using: &rng) else { return "none" }
            let copy = Array(chunks.chunks[group])
            if rng.chance(0.5) {
                chunks.chunks.removeSubrange(group.lowerBound + 1..<group.upperBound)
                text = chunks.text
                return "empty-group"
            }
            chunks.chunks.insert(contentsOf: copy, at: group.upperBound + 1)
            text = chunks.text
            return "duplicate-group"
        }
    }

    /// Replaces a bracket group with one from the donor (a subtree splice).
    static func swapGroup(_ text: inout String, donor: String, using rng: inout SplitMix64) -> String {
        var chunks = SourceChunks(text)
        let donorChunks = SourceChunks(donor)
        guard let target = chunks.bracketGroups.randomElement(using: &rng),
              let source = donorChunks.bracketGroups.randomElement(using: &rng) else { return "none" }
        chunks.chunks.replaceSubrange(target, with: donorChunks.chunks[source])
        text = chunks.text
        return "swap-group"
    }

    /// Changes one dimension of an integer array literal (a shape), or adds or drops one.
    static func changeDims(_ text: inout String, using rng: inout SplitMix64) -> String {
        var chunks = SourceChunks(text)
        let shapes = chunks.bracketGroups.filter { group in
            chunks.chunks[group].first?.text == "[" &&
                chunks.chunks[group].dropFirst().dropLast().allSatisfy { [.number, .space, .symbol].contains($0.kind) }
        }
        guard let shape = shapes.randomElement(using: &rng) else { return "none" }
        let numbers = shape.filter { chunks.chunks[$0].kind == .number }
        switch Int.random(in: 0..<3, using: &rng) {
        case 0 where !numbers.isEmpty:
            chunks.chunks[rng.pick(numbers)].text = rng.pick(extremeDims)
        case 1 where !numbers.isEmpty:
            chunks.chunks.insert(.init(text: rng.pick(extremeDims) + ", ", kind: .number), at: rng.pick(numbers))
        default:
            chunks.chunks.replaceSubrange(shape.lowerBound + 1..<shape.upperBound,
                                          with: [.init(text: (0..<Int.random(in: 0...9, using: &rng)).map { _ in rng.pick(["1", "2", "3", "0"]) }.joined(separator: ", "), kind: .number)])
        }
        text = chunks.text
        return "change-dims"
    }

    /// Inserts a few lines of the donor at a random line.
    static func spliceLines(_ text: inout String, donor: String, using rng: inout SplitMix64) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let donorLines = donor.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = Int.random(in: 0..<donorLines.count, using: &rng)
        let piece = donorLines[start..<min(donorLines.count, start + Int.random(in: 1...6, using: &rng))]
        lines.insert(contentsOf: piece, at: Int.random(in: 0...lines.count, using: &rng))
        text = lines.joined(separator: "\n")
        return "splice-lines"
    }

    /// Deletes, duplicates or swaps lines.
    static func editLines(_ text: inout String, using rng: inout SplitMix64) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let a = Int.random(in: 0..<lines.count, using: &rng), b = Int.random(in: 0..<lines.count, using: &rng)
        let name: String
        switch Int.random(in: 0..<3, using: &rng) {
        case 0:
            lines.removeSubrange(min(a, b)...max(a, b))
            name = "delete-lines"
        case 1:
            lines.insert(contentsOf: lines[min(a, b)...max(a, b)], at: max(a, b) + 1)
            name = "duplicate-lines"
        default:
            lines.swapAt(a, b)
            name = "swap-lines"
        }
        text = lines.joined(separator: "\n")
        return name
    }

    /// Wraps a range of lines in a block (a loop, noGrad, a func, an if).
    static func wrapInBlock(_ text: inout String, using rng: inout SplitMix64) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let a = Int.random(in: 0..<lines.count, using: &rng), b = Int.random(in: 0..<lines.count, using: &rng)
        lines.insert(rng.chance(0.9) ? "}" : "", at: max(a, b) + 1)
        lines.insert(rng.pick(blockOpeners), at: min(a, b))
        text = lines.joined(separator: "\n")
        return "wrap-in-block"
    }

    /// Deep nesting: parentheses, brackets, prefix operators or blocks, thousands deep.
    static func nestDeeply(_ text: inout String, using rng: inout SplitMix64) -> String {
        let depth = rng.pick(nestingDepths)
        let (open, close) = rng.pick([("(", ")"), ("[", "]"), ("-", ""), ("!", ""), ("if true {\n", "}\n"),
                                      ("{", "}"), ("f(", ")"), ("x.sum(dim: ", ")"), ("tensor([", "])"), ("(1, ", ")")])
        var chunks = SourceChunks(text)
        let at = chunks.tokenIndices.randomElement(using: &rng) ?? 0
        let balanced = rng.chance(0.8)
        let closing = balanced ? String(repeating: close, count: depth) : String(repeating: close, count: depth / 2)
        let inner = at < chunks.chunks.count ? chunks.chunks[at].text : "1"
        let nested = String(repeating: open, count: depth) + inner + closing
        if at < chunks.chunks.count { chunks.chunks[at].text = nested } else { chunks.chunks.append(.init(text: nested, kind: .symbol)) }
        text = chunks.text
        return "nest-\(depth)"
    }

    /// A very long line: a long sum, string, identifier, number or array literal.
    static func longLine(_ text: inout String, using rng: inout SplitMix64) -> String {
        let count = rng.chance(0.1) ? 200_000 : rng.pick([1_000, 30_000])
        let line: String
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: line = "let zz = " + Array(repeating: "1", count: count).joined(separator: " + ")
        case 1: line = "print(\"" + String(repeating: "a", count: count) + "\")"
        case 2: line = "let " + String(repeating: "v", count: count) + " = 1"
        case 3: line = "let n = " + String(repeating: "9", count: count)
        case 4: line = "let t = tensor([" + Array(repeating: "0.5", count: count).joined(separator: ", ") + "])"
        default: line = "let y = x" + String(repeating: ".T", count: count / 3)
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert(line, at: Int.random(in: 0...lines.count, using: &rng))
        text = lines.joined(separator: "\n")
        return "long-line-\(count)"
    }
}
