import TGCCore

// The kernel IR's irregular forms, for the ops past plain elementwise code and reductions:
// indirect loads and stores (gather, index-select, embedding, cross-entropy's targets,
// index-put), accumulating stores (scatter-add, the backward of gathers and windows) and
// guarded loads (padding, concatenation, slices past an edge). Window reductions (pooling,
// convolution) need no form of their own: a reduction nest over the window whose loads index
// `i × stride + k - pad`, guarded where the window leaves the operand (docs/ARCHITECTURE.md,
// "Kernel IR forms").
//
// The schedules and analyses written for affine code decline these forms explicitly, each
// where it decides (`LoopKernel.forms`); `LoopKernel.racingVariables` says which parallel
// loops must run in order because two of their points may write one element.

/// An element offset read from memory: `scale × table[position] + remainder`, where `table` is
/// an int64 buffer whose elements the lowering guarantees lie in `0 ..< count` (the extent of
/// the dimension they select; renderers do not check it).
public struct IndirectIndex: Hashable {
    /// The int64 buffer of indices and where in it the index is read.
    public var table: Value
    public var position: AffineIndex
    /// The element stride of the selected dimension, and its extent.
    public var scale: Int
    public var count: Int
    /// The offset within the selected slice (the other dimensions' coordinates × strides).
    public var remainder: AffineIndex

    public init(table: Value, position: AffineIndex, scale: Int, count: Int, remainder: AffineIndex = .zero) {
        (self.table, self.position, self.scale, self.count, self.remainder) = (table, position, scale, count, remainder)
    }

    func mapIndices(_ transform: (AffineIndex) -> AffineIndex) -> IndirectIndex {
        IndirectIndex(table: table, position: transform(position), scale: scale, count: count, remainder: transform(remainder))
    }
}

/// `0 <= coordinate < extent`: one condition of a guarded load (one per padded dimension).
public struct IndexBound: Hashable {
    public var coordinate: AffineIndex
    public var extent: Int

    public init(_ coordinate: AffineIndex, below extent: Int) {
        (self.coordinate, self.extent) = (coordinate, extent)
    }

    func mapIndices(_ transform: (AffineIndex) -> AffineIndex) -> IndexBound {
        IndexBound(transform(coordinate), below: extent)
    }
}

/// Where an accumulating store writes: an affine offset (a window's backward, whose windows
/// overlap) or one read from a table (scatter-add).
public enum IndexExpr: Hashable {
    case affine(AffineIndex)
    case indirect(IndirectIndex)

    func mapIndices(_ transform: (AffineIndex) -> AffineIndex) -> IndexExpr {
        switch self {
        case .affine(let index): .affine(transform(index))
        case .indirect(let index): .indirect(index.mapIndices(transform))
        }
    }
}

/// How an accumulating store folds its value into the element (each renderer switches over it
/// exhaustively; a scatter-reduce with max would add a case).
public enum Accumulation: Hashable, Sendable {
    /// `element += value`.
    case add
}

/// The irregular forms a kernel uses: what the affine analyses look at before they decline.
public struct KernelForms: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// An indirect load: some address is not affine.
    public static let indirectLoad = KernelForms(rawValue: 1 << 0)
    /// A guarded load: some read happens only under a condition.
    public static let guardedLoad = KernelForms(rawValue: 1 << 1)
    /// An indirect store: some written address is not affine, and points may collide.
    public static let indirectStore = KernelForms(rawValue: 1 << 2)
    /// An accumulating store: the element written is read first, and points may collide.
    public static let accumulate = KernelForms(rawValue: 1 << 3)

    /// The forms that write memory other than the point's own affine element.
    public static let irregularWrites: KernelForms = [.indirectStore, .accumulate]
}

extension ScalarExpr {
    /// The irregular forms the expression uses.
    public var forms: KernelForms {
        switch self {
        case .indirectLoad: .indirectLoad
        case .guardedLoad(_, _, _, let fill): fill.forms.union(.guardedLoad)
        case .load, .local, .loopIndex, .offset, .floatLiteral, .doubleLiteral, .intLiteral, .stringLiteral: []
        case .prefix(_, let x), .cast(_, let x): x.forms
        case .infix(_, let a, let b): a.forms.union(b.forms)
        case .call(_, let arguments): arguments.reduce([]) { $0.union($1.forms) }
        case .ternary(let c, let a, let b): c.forms.union(a.forms).union(b.forms)
        }
    }

    /// Reports every buffer the expression reads, in order of use (an indirect load's table
    /// before its element; a guarded load's element before its fill's).
    public func visit(buffers: (Value) -> Void) {
        switch self {
        case .load(let value, _): buffers(value)
        case .indirectLoad(let value, let index):
            buffers(index.table)
            buffers(value)
        case .guardedLoad(let value, _, _, let fill):
            buffers(value)
            fill.visit(buffers: buffers)
        case .local, .loopIndex, .offset, .floatLiteral, .doubleLiteral, .intLiteral, .stringLiteral: break
        case .prefix(_, let x), .cast(_, let x): x.visit(buffers: buffers)
        case .infix(_, let a, let b):
            a.visit(buffers: buffers)
            b.visit(buffers: buffers)
        case .call(_, let arguments): arguments.forEach { $0.visit(buffers: buffers) }
        case .ternary(let c, let a, let b): [c, a, b].forEach { $0.visit(buffers: buffers) }
        }
    }
}

extension KernelStatement {
    /// The irregular forms the statement uses.
    public var forms: KernelForms {
        switch self {
        case .declare, .assign, .store: value.forms
        case .indirectStore: value.forms.union(.indirectStore)
        case .accumulate: value.forms.union(.accumulate)
        }
    }

    /// The buffer the statement writes, if any.
    public var writtenBuffer: Value? {
        switch self {
        case .declare, .assign: nil
        case .store(let buffer, _, _), .indirectStore(let buffer, _, _), .accumulate(let buffer, _, _, _): buffer
        }
    }

    /// Every buffer the statement reads, in order of use: its value's, then the table of an
    /// indirect target. (An accumulation also reads its target: it is `writtenBuffer`.)
    public var buffersRead: [Value] {
        var found: [Value] = []
        value.visit(buffers: { found.append($0) })
        switch self {
        case .indirectStore(_, let index, _), .accumulate(_, .indirect(let index), _, _): found.append(index.table)
        case .declare, .assign, .store, .accumulate(_, .affine, _, _): break
        }
        return found
    }
}

extension LoopKernel {
    /// The irregular forms of every statement, nest bodies included.
    public var forms: KernelForms {
        allStatements.reduce([]) { $0.union($1.forms) }
    }

    /// The parallel loop variables along which two points of the kernel may write the same
    /// element through an indirect or accumulating store: these loops must run in order (or
    /// the writes be made atomic, which would make a float sum's order, and so its bits, depend
    /// on the threads; the C renderer runs them in order). Plain stores write each point's own
    /// element and never race.
    ///
    /// A variable is race-free for one write when the written offset determines it whatever
    /// the table holds (any element of `0 ..< count`, repeats included): it appears in the
    /// offset's affine part and is a high digit (its stride exceeds the span of every other
    /// term together, the table's `scale × (count - 1)` among them) or a low digit (every other
    /// term's stride is a multiple of a number larger than its own span). Everything else
    /// races: a variable that only selects a table element (`y[idx[i]] += x[i]`), one absent
    /// from the offset, one whose windows overlap (`dx[i × 2 + k] += ...` with k < 3).
    public var racingVariables: Set<LoopVariable> {
        var racing: Set<LoopVariable> = []
        forEachStatement { statement, extents in
            let target: (affine: AffineIndex, indirect: IndirectIndex?)
            switch statement {
            case .declare, .assign, .store: return
            case .indirectStore(_, let index, _), .accumulate(_, .indirect(let index), _, _): target = (index.remainder, index)
            case .accumulate(_, .affine(let index), _, _): target = (index, nil)
            }
            for (axis, extent) in parallelExtents.enumerated() where extent > 1 {
                let variable = LoopVariable.parallel(axis)
                if !Self.determines(target.affine, target.indirect, variable, extents) { racing.insert(variable) }
            }
        }
        return racing
    }

    /// Whether the offset `affine + scale × table[position]` tells `variable`'s value.
    private static func determines(_ affine: AffineIndex, _ indirect: IndirectIndex?, _ variable: LoopVariable,
                                   _ extents: [LoopVariable: Int]) -> Bool {
        let stride = abs(affine.stride(of: variable))
        guard stride != 0, let extent = extents[variable] else { return false }
        // The other terms of the offset: (|stride|, extent), the table's index among them.
        var others: [(stride: Int, extent: Int)] = []
        for term in affine.terms where term.variable != variable {
            guard let extent = extents[term.variable] else { return false }
            others.append((abs(term.stride), extent))
        }
        if let indirect { others.append((abs(indirect.scale), indirect.count)) }
        others.removeAll { $0.stride == 0 || $0.extent <= 1 }
        let span = others.reduce(0) { $0 + $1.stride * ($1.extent - 1) }
        if span < stride { return true }                                   // a high digit
        let common = others.reduce(0) { gcd($0, $1.stride) }
        return common > stride * (extent - 1)                              // a low digit
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
