/// Interval analysis of generated statements: the range and the transcendental depth of every
/// name after running them. Loops run their body's transfer function once per iteration (loop
/// counts are small and known), branches join both sides. Fails (nil) where an op's range rule
/// rejects its inputs, so a loop body that is safe on entry but drifts out of range is caught.
struct AbstractState: Sendable {
    var ranges: [String: ValueRange] = [:]
    /// How many libm calls a value's elements have passed through, for tolerances.
    var depths: [String: Int] = [:]
    /// Keep going past an unsafe op (its result's range becomes unknown): for tolerances of
    /// shrunk programs, whose ranges no longer matter.
    var lenient = false

    func depth(of expr: GenExpr) -> Int {
        expr.transcendentalDepth + (expr.names.map { depths[$0] ?? 0 }.max() ?? 0)
    }

    /// Runs `statements` over the state; false if some op leaves its safe range.
    mutating func run(_ statements: [GenStatement]) -> Bool {
        statements.allSatisfy { run($0) }
    }

    mutating func run(_ statement: GenStatement) -> Bool {
        switch statement {
        case .seed, .save, .print, .backward, .zeroGrad:
            return true
        case .bind(let name, let value, _), .assign(let name, let value, _):
            guard let range = value.range(in: ranges) ?? (lenient ? .unknown : nil) else { return false }
            ranges[name] = range
            depths[name] = depth(of: value)
            return true
        case .assignSlice(let name, _, let value):   // part of name now holds value's elements
            guard let range = value.range(in: ranges) ?? (lenient ? .unknown : nil) else { return false }
            ranges[name] = (ranges[name] ?? .unknown).union(range)
            depths[name] = max(depths[name] ?? 0, depth(of: value))
            return true
        case .destructure(let names, let source, _, _, let results):
            guard source.range(in: ranges) != nil || lenient else { return false }
            for (name, range) in zip(names, results) {
                ranges[name] = range
                depths[name] = depth(of: source)
            }
            return true
        case .loop(let index, let count, let body):
            ranges[index] = ValueRange(0, Double(count - 1))
            for _ in 0..<count where !run(body) { return false }
            return true
        case .branch(let condition, let then, let otherwise):
            guard condition.range(in: ranges) != nil || lenient else { return false }
            var a = self, b = self
            guard a.run(then), b.run(otherwise) else { return false }
            for name in ranges.keys {
                ranges[name] = a.ranges[name]!.union(b.ranges[name]!)
                depths[name] = max(a.depths[name] ?? 0, b.depths[name] ?? 0)
            }
            return true
        case .gradient(let names, let loss, _, _):
            for name in names {
                ranges[name] = .unknown
                depths[name] = 2 * (depths[loss] ?? 0) + 1
            }
            return true
        case .update(let name, _):
            ranges[name] = .unknown
            depths[name] = (depths[name] ?? 0) + 1
            return true
        }
    }
}
