import TGCBase

/// IR ops as the entries a dry run of the reverse sweep reads (GradientHistory): each `for`
/// loop unrolled, its body's ops once per iteration with fresh handles that carry their types,
/// as the autodiff pass unrolls a loop on a gradient's path (LoopUnrolling.swift), so compiled
/// mode knows what eager mode's tape holds. An `if` stays one entry (its branch is chosen at
/// run time) unless it is the one `choice` names: then the ops of the branch it names stand in
/// its place. A loop past the unrolling budget stays one entry.
struct UnrolledEntries {
    /// The most ops unrolling may add, the autodiff pass's limit.
    static let budget = 100_000

    private let handle: (Value) -> ValueID
    /// The handle each unrolled value stands for, in the iteration being written.
    private var substitutes: [Value: ValueID] = [:]
    private var nextRaw = -1
    private var remaining = budget
    private(set) var entries: [TapeEntry] = []
    /// The `if` (by its position in `conditions`) replaced by one of its branches.
    private let choice: (index: Int, taken: Bool)?
    /// The conditions of the `if`s outside unrolled loops, in program order (an `if` inside an
    /// unrolled body has no condition handle outside the dry run, and stays an entry).
    private(set) var conditions: [ValueID] = []

    /// `handle` names the module's own values.
    init(handle: @escaping (Value) -> ValueID, choice: (index: Int, taken: Bool)? = nil) {
        self.handle = handle
        self.choice = choice
    }

    private func id(_ value: Value) -> ValueID { substitutes[value] ?? handle(value) }

    private mutating func freshID() -> ValueID {
        defer { nextRaw -= 1 }
        return ValueID(raw: nextRaw)
    }

    /// Appends `ops`' entries; `fresh` gives the results new handles (ops of an unrolled body).
    mutating func append(_ ops: some Sequence<Op>, fresh: Bool = false) {
        for op in ops where op.kind != .yield {
            if op.kind == .forLoop, let (lower, upper) = op.attributes.lower.flatMap({ l in op.attributes.upper.map { (l, $0) } }),
               op.regions[0].ops.count * (upper - lower) <= remaining {
                unroll(op, lower..<upper, fresh: fresh)
                continue
            }
            if op.kind == .ifElse, !fresh {
                conditions.append(id(op.operands[0]))
                if let choice, choice.index == conditions.count - 1 {
                    let branch = op.regions[choice.taken ? 0 : 1]
                    append(branch.ops, fresh: true)
                    bindResults(of: op, to: branch.yielded.map(id), fresh: false)
                    continue
                }
            }
            var results = op.results.map(handle)
            if fresh {
                results = op.results.map { _ in freshID() }
                for (value, result) in zip(op.results, results) { substitutes[value] = result }
            }
            entries.append(TapeEntry(kind: op.kind, operands: (op.operands + op.capturedValues).map(id), results: results,
                                     attributes: op.attributes, location: op.location,
                                     resultTypes: fresh ? op.results.map(\.type) : nil))
        }
    }

    /// The loop's body once per iteration, then an identity (a reshape to the same shape) from
    /// the last carried values to the loop's results.
    private mutating func unroll(_ loop: Op, _ range: Range<Int>, fresh: Bool) {
        let body = loop.regions[0]
        remaining -= body.ops.count * range.count
        var carried = loop.operands.map(id)
        for index in range {
            var attrs = Attributes()
            attrs.value = Double(index)
            attrs.shape = []
            attrs.dtype = .int64
            let indexID = freshID()
            entries.append(TapeEntry(kind: .constant, operands: [], results: [indexID], attributes: attrs,
                                     location: loop.location, resultTypes: [.scalar(.int64)]))
            substitutes[body.arguments[0]] = indexID
            for (argument, value) in zip(body.arguments.dropFirst(), carried) { substitutes[argument] = value }
            append(body.ops, fresh: true)
            carried = body.yielded.map(id)
        }
        bindResults(of: loop, to: carried, fresh: fresh)
    }

    /// An identity (a reshape to the same shape) from each value to the op's result.
    private mutating func bindResults(of op: Op, to values: [ValueID], fresh: Bool) {
        for (result, value) in zip(op.results, values) {
            var attrs = Attributes()
            attrs.shape = result.type.shape
            let resultID = fresh ? freshID() : handle(result)
            if fresh { substitutes[result] = resultID }
            entries.append(TapeEntry(kind: .reshape, operands: [value], results: [resultID], attributes: attrs,
                                     location: op.location, resultTypes: fresh ? [result.type] : nil))
        }
    }
}
