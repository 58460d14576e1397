import TGCBase

/// Reverse-mode differentiation over a list of entries in program order, shared by the IR
/// autodiff pass and eager mode's tape: find the ops between `wrt` and the outputs, then walk
/// them backwards, calling each op's VJP rule through the Builder and summing cotangents.
public enum ReverseSweep {
    /// The VJP of a branch entry (an `if` op of the IR), given by the autodiff pass, which owns
    /// the op's regions: the entry's index, the cotangents of its results, and which operands
    /// want one.
    public typealias BranchRule = (_ entry: Int, _ incoming: [ValueID?], _ wants: [Bool]) throws -> [ValueID?]

    /// The gradients of `output` (scalar, or weighted by `seed`) with respect to `wrt`.
    /// `observer` hears of each entry just before its derivative rule runs.
    public static func gradients(of output: ValueID, seed: ValueID?, wrt: [ValueID],
                                 entries: [TapeEntry], builder b: Builder, branchRule: BranchRule? = nil,
                                 observer: ((TapeEntry) -> Void)? = nil,
                                 consumed: ((_ live: Set<ValueID>) -> Void)? = nil,
                                 at location: SourceLocation) throws -> [ValueID] {
        let outputType = b.type(of: output)
        guard outputType.dtype.isFloatingPoint else {
            throw Diagnostic("cannot differentiate a \(outputType.dtype) value; gradients need float32 or float64", at: location)
        }
        let seedValue = try seed ?? b.full(outputType.shape, 1, outputType.dtype, at: location)
        return try gradients(seeding: [(output, seedValue)], wrt: wrt, entries: entries, builder: b,
                             branchRule: branchRule, observer: observer, consumed: consumed, at: location)
    }

    /// The sum of the vector-Jacobian products of several outputs, each weighted by its seed.
    /// `consumed` hears, after each entry's rule, the cotangents that later rules can still
    /// read (the sweep forgets the others): a caller may free whatever else the sweep made.
    public static func gradients(seeding outputs: [(value: ValueID, seed: ValueID)], wrt: [ValueID],
                                 entries: [TapeEntry], builder b: Builder, branchRule: BranchRule? = nil,
                                 observer: ((TapeEntry) -> Void)? = nil,
                                 consumed: ((_ live: Set<ValueID>) -> Void)? = nil,
                                 at location: SourceLocation) throws -> [ValueID] {
        let wrtSet = Set(wrt)
        var producer: [ValueID: Int] = [:]
        for (index, entry) in entries.enumerated() {
            for result in entry.results { producer[result] = index }
        }
        // Entries the outputs depend on. A wrt value computed from another one passes its
        // gradient on, as in PyTorch's autograd.grad (the total derivative); history behind an
        // op without a derivative cannot matter, except that a loop or branch on the way must
        // be found.
        var needed = Set<Int>()
        var stack = outputs.map(\.value)
        var seen = Set<ValueID>()
        while let value = stack.popLast() {
            guard seen.insert(value).inserted, let index = producer[value] else { continue }
            needed.insert(index)
            let kind = entries[index].kind
            if kind.definition.isDifferentiable || kind == .forLoop || kind == .ifElse {
                stack.append(contentsOf: entries[index].operands)
            }
        }
        // Of those, the ones that depend on a wrt value: the slice gradients flow through.
        var active = wrtSet
        var slice: [Int] = []
        for index in needed.sorted() where entries[index].operands.contains(where: active.contains) {
            slice.append(index)
            active.formUnion(entries[index].results)
        }
        if let blocking = slice.first(where: {
            entries[$0].kind == .forLoop || (entries[$0].kind == .ifElse && branchRule == nil)
        }) {
            throw ControlFlowOnGradientPath(entry: blocking)
        }

        var cotangent: [ValueID: ValueID] = [:]
        func accumulate(_ value: ValueID, _ contribution: ValueID, at location: SourceLocation) throws {
            // A gradient takes its input's dtype (float32 x + float64 y gives x a float32 gradient).
            let contribution = try b.cast(contribution, to: b.type(of: value).dtype, at: location)
            if let existing = cotangent[value] {
                cotangent[value] = try b.apply1(.add, [existing, contribution], at: location)
            } else {
                cotangent[value] = contribution
            }
        }
        for (value, seed) in outputs { try accumulate(value, seed, at: location) }
        for index in slice.reversed() {
            let entry = entries[index]
            let incoming = entry.results.map { cotangent[$0] }
            guard incoming.contains(where: { $0 != nil }) else { continue }
            let wants = entry.operands.map { active.contains($0) && b.type(of: $0).dtype.isFloatingPoint }
            let outgoing: [ValueID?]
            observer?(entry)
            if let rule = VJPRules.rule(for: entry.kind) {
                outgoing = try rule(b, entry.operands, entry.results, entry.attributes, incoming, wants, entry.location)
            } else if entry.kind == .ifElse, let branchRule {
                outgoing = try branchRule(index, incoming, wants)
            } else {
                continue   // not differentiable (comparisons, argmax, casts to integers): no gradient flows
            }
            for (operand, contribution) in zip(entry.operands, outgoing) {
                guard let contribution, active.contains(operand) else { continue }
                try accumulate(operand, contribution, at: entry.location)
            }
            // Earlier entries only ever add to their operands' cotangents: the results' are spent.
            for result in entry.results where !wrtSet.contains(result) { cotangent[result] = nil }
            consumed?(Set(cotangent.values))
        }
        return try wrt.map { value in
            if let gradient = cotangent[value] { return gradient }
            return try b.full(b.type(of: value).shape, 0, b.type(of: value).dtype, at: location)
        }
    }
}

/// A loop (or, without a branch rule, an `if`) lies between the wrt values and the outputs
/// (only IR has them: an eager tape holds the ops each iteration ran). Thrown before any
/// adjoint op is built, so the caller can unroll the loop and sweep again; `entry` indexes the
/// entries given.
public struct ControlFlowOnGradientPath: Error {
    public let entry: Int
}
