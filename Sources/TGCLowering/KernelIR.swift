import TGCCore

// The target-independent kernel language that ops lower to: loop nests over static extents
// whose bodies are scalar statements of the C family's shape (operators, calls of intrinsics,
// casts). The C renderer (TGCCBackend) prints them as CPU loops; a CUDA renderer maps the
// parallel loops onto threads and prints the same scalar code.

/// A scalar type that kernel code computes in (each renderer spells it).
public enum ScalarType: Hashable, Sendable {
    case float32, float64, int64, int32, uint8, bool

    /// The storage type of a tensor element of `dtype` (bool is stored as one byte, 0 or 1).
    public init(_ dtype: DType) {
        switch dtype {
        case .float32: self = .float32
        case .float64: self = .float64
        case .int64: self = .int64
        case .int32: self = .int32
        case .uint8: self = .uint8
        case .bool: self = .bool
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }
}

/// A loop variable of a kernel: a parallel dimension (`i0`, `i1`, ...) of the output, or a
/// sequential reduction dimension (`r0`, ...).
public enum LoopVariable: Hashable, Sendable {
    case parallel(Int)
    case reduction(Int)

    public var name: String {
        switch self {
        case .parallel(let n): "i\(n)"
        case .reduction(let n): "r\(n)"
        }
    }
}

/// An element offset into a buffer: Σ stride × variable + constant, one term per variable.
public struct AffineIndex: Hashable, Sendable {
    public var terms: [Term]
    public var constant: Int

    /// One `stride × variable` product.
    public struct Term: Hashable, Sendable {
        public var variable: LoopVariable
        public var stride: Int
    }

    /// Terms of the same variable are added; zero strides are dropped.
    public init(terms: [Term] = [], constant: Int = 0) {
        var merged: [Term] = []
        for term in terms {
            if let index = merged.firstIndex(where: { $0.variable == term.variable }) {
                merged[index].stride += term.stride
            } else {
                merged.append(term)
            }
        }
        self.terms = merged.filter { $0.stride != 0 }
        self.constant = constant
    }

    /// `variable` with stride 1.
    public init(_ variable: LoopVariable) { self.init(terms: [Term(variable: variable, stride: 1)]) }

    public static let zero = AffineIndex()

    /// The stride of `variable` (0 when it does not occur).
    public func stride(of variable: LoopVariable) -> Int {
        terms.first { $0.variable == variable }?.stride ?? 0
    }

    public var variables: [LoopVariable] { terms.map(\.variable) }

    public static func + (lhs: AffineIndex, rhs: AffineIndex) -> AffineIndex {
        AffineIndex(terms: lhs.terms + rhs.terms, constant: lhs.constant + rhs.constant)
    }

    public static func * (lhs: AffineIndex, factor: Int) -> AffineIndex {
        AffineIndex(terms: lhs.terms.map { Term(variable: $0.variable, stride: $0.stride * factor) },
                    constant: lhs.constant * factor)
    }

    /// Σ coordinates[k] × strides[k]: the offset of a point in a buffer with these strides.
    public static func offset(_ coordinates: [AffineIndex], strides: [Int]) -> AffineIndex {
        zip(coordinates, strides).reduce(AffineIndex.zero) { $0 + $1.0 * $1.1 }
    }
}

/// A scalar expression in C-family syntax (C, CUDA C and OpenCL share it).
public indirect enum ScalarExpr: Hashable {
    /// An element of an IR value's buffer.
    case load(Value, AffineIndex)
    /// An element of a buffer at an offset read from another buffer (gather, index-select,
    /// embedding, a loss's targets): `buffer[scale × table[position] + remainder]`. Not affine:
    /// analyses that reason about addresses decline it (KernelForms.swift).
    case indirectLoad(Value, IndirectIndex)
    /// `buffer[index]` when every bound holds, else `fill` (padding, concatenation, slices past
    /// an edge): the element is read only when the bounds hold, so `index` may point outside
    /// the buffer where they do not.
    case guardedLoad(Value, AffineIndex, bounds: [IndexBound], fill: ScalarExpr)
    /// A local variable of the kernel (an accumulator or a named temporary).
    case local(String)
    /// The current value of a loop variable, as int64.
    case loopIndex(LoopVariable)
    /// An element offset as an int64 expression.
    case offset(AffineIndex)
    case floatLiteral(Float)
    case doubleLiteral(Double)
    case intLiteral(Int64)
    /// A C string constant (the source location a run-time error names).
    case stringLiteral(String)
    /// A prefix operator: `-`, `!`.
    case prefix(String, ScalarExpr)
    /// An infix operator: `+`, `<`, `&&`, ...
    case infix(String, ScalarExpr, ScalarExpr)
    /// A call of an intrinsic (a math function or an exact helper), which each renderer spells.
    case call(Intrinsic, [ScalarExpr])
    /// An explicit conversion, C's cast.
    case cast(ScalarType, ScalarExpr)
    /// `condition ? then : else`.
    case ternary(ScalarExpr, ScalarExpr, ScalarExpr)

    /// The same expression with every index rewritten by `transform`.
    func mapIndices(_ transform: (AffineIndex) -> AffineIndex) -> ScalarExpr {
        switch self {
        case .load(let value, let index): .load(value, transform(index))
        case .indirectLoad(let value, let index): .indirectLoad(value, index.mapIndices(transform))
        case .guardedLoad(let value, let index, let bounds, let fill):
            .guardedLoad(value, transform(index), bounds: bounds.map { $0.mapIndices(transform) }, fill: fill.mapIndices(transform))
        case .offset(let index): .offset(transform(index))
        case .local, .loopIndex, .floatLiteral, .doubleLiteral, .intLiteral, .stringLiteral: self
        case .prefix(let symbol, let x): .prefix(symbol, x.mapIndices(transform))
        case .infix(let symbol, let a, let b): .infix(symbol, a.mapIndices(transform), b.mapIndices(transform))
        case .call(let function, let arguments): .call(function, arguments.map { $0.mapIndices(transform) })
        case .cast(let type, let x): .cast(type, x.mapIndices(transform))
        case .ternary(let c, let a, let b): .ternary(c.mapIndices(transform), a.mapIndices(transform), b.mapIndices(transform))
        }
    }

    /// Reports every affine index in the expression (with the buffer it reads, nil for
    /// `.offset` and a guarded load's bounds) and every loop variable used as a value. An
    /// indirect load reports only its table read (affine): the element it gathers has no affine
    /// index, so an analysis that needs every address must decline kernels with irregular
    /// forms (`LoopKernel.forms`) first. A guarded load reports its unguarded index, which
    /// bounds every address it may read. `visit(buffers:)` reports every buffer read.
    public func visit(indices: (Value?, AffineIndex) -> Void, loopIndex: (LoopVariable) -> Void = { _ in }) {
        let (loads, loopIndex) = (indices, loopIndex)
        switch self {
        case .load(let value, let index): loads(value, index)
        case .indirectLoad(_, let index):
            loads(index.table, index.position)
            loads(nil, index.remainder)
        case .guardedLoad(let value, let index, let bounds, let fill):
            bounds.forEach { loads(nil, $0.coordinate) }
            loads(value, index)
            fill.visit(indices: loads, loopIndex: loopIndex)
        case .offset(let index): loads(nil, index)
        case .loopIndex(let variable): loopIndex(variable)
        case .local, .floatLiteral, .doubleLiteral, .intLiteral, .stringLiteral: break
        case .prefix(_, let x), .cast(_, let x): x.visit(indices: loads, loopIndex: loopIndex)
        case .infix(_, let a, let b):
            a.visit(indices: loads, loopIndex: loopIndex)
            b.visit(indices: loads, loopIndex: loopIndex)
        case .call(_, let arguments): arguments.forEach { $0.visit(indices: loads, loopIndex: loopIndex) }
        case .ternary(let c, let a, let b): [c, a, b].forEach { $0.visit(indices: loads, loopIndex: loopIndex) }
        }
    }
}

/// One statement of a kernel body.
public enum KernelStatement: Hashable {
    /// Declares a local variable with an initial value.
    case declare(String, ScalarType, ScalarExpr)
    /// Assigns to a local variable.
    case assign(String, ScalarExpr)
    /// Writes one element of a result buffer.
    case store(Value, AffineIndex, ScalarExpr)
    /// Writes one element at an offset read from another buffer (index-put): where two points
    /// write the same element, the later one in loop order wins, so the loops along which they
    /// may collide run in order (`LoopKernel.racingVariables`).
    case indirectStore(Value, IndirectIndex, ScalarExpr)
    /// Folds a value into one element of a buffer that already holds its initial values
    /// (scatter-add, the backward of gathers and of overlapping windows): `buffer[index] += value`.
    /// Points that may fold into the same element are racing (`LoopKernel.racingVariables`);
    /// renderers run them in loop order, never with atomics, so the sum has one order.
    case accumulate(Value, IndexExpr, ScalarExpr, Accumulation)

    func mapIndices(_ transform: (AffineIndex) -> AffineIndex) -> KernelStatement {
        switch self {
        case .declare(let name, let type, let value): .declare(name, type, value.mapIndices(transform))
        case .assign(let name, let value): .assign(name, value.mapIndices(transform))
        case .store(let buffer, let index, let value): .store(buffer, transform(index), value.mapIndices(transform))
        case .indirectStore(let buffer, let index, let value):
            .indirectStore(buffer, index.mapIndices(transform), value.mapIndices(transform))
        case .accumulate(let buffer, let index, let value, let accumulation):
            .accumulate(buffer, index.mapIndices(transform), value.mapIndices(transform), accumulation)
        }
    }

    /// The expression the statement computes (the index of an indirect store or accumulation
    /// reads a table too: `buffersRead`).
    public var value: ScalarExpr {
        switch self {
        case .declare(_, _, let value), .assign(_, let value), .store(_, _, let value),
             .indirectStore(_, _, let value), .accumulate(_, _, let value, _): value
        }
    }
}

/// A local of a reduction nest that carries the fold across its iterations.
public struct Accumulator: Hashable {
    public var name: String
    public var type: ScalarType
    public var initial: ScalarExpr
    /// How the accumulator folds its elements, which says how the loop may be reordered.
    public var fold: Fold

    public var isSum: Bool { fold == .sum }
}

/// The sequential loops of one or more reductions over the same elements: accumulators
/// declared before the loops, updated by the body at every point of the reduced dimensions.
public struct ReductionNest: Hashable {
    /// Extents of the loops `r0, r1, ...`, outermost first.
    public var extents: [Int]
    public var accumulators: [Accumulator]
    public var body: [KernelStatement]

    public var work: Int { extents.reduce(1, *) }
}

/// What a kernel does at each point of its parallel loops, in order.
public enum KernelStep: Hashable {
    case statement(KernelStatement)
    case nest(ReductionNest)
}

/// A lowered compute op or fusion group: one nest of parallel loops over the output (`i0`,
/// `i1`, ...) whose body runs statements and reduction nests in order:
///
///     for i... (parallel) { statements; acc = init; for r... { body }; statements using acc }
///
/// Extent-1 dimensions never get a loop (their index is 0).
public struct LoopKernel: Hashable {
    public var parallelExtents: [Int]
    public var steps: [KernelStep]

    public init(parallelExtents: [Int], steps: [KernelStep]) {
        self.parallelExtents = parallelExtents
        self.steps = steps
    }

    /// Scalar iterations of the innermost bodies: a rough measure of the work.
    public var work: Int {
        let perPoint = steps.reduce(0) { total, step in
            if case .nest(let nest) = step { return total + nest.work }
            return total
        }
        return parallelExtents.reduce(1, *) * max(perPoint, 1)
    }

    /// The reduction nests, in order.
    public var nests: [ReductionNest] {
        steps.compactMap { if case .nest(let nest) = $0 { nest } else { nil } }
    }

    /// Calls `visit` with every statement, nest bodies included, and the extent of each loop
    /// variable around it.
    public func forEachStatement(_ visit: (KernelStatement, [LoopVariable: Int]) -> Void) {
        var extents: [LoopVariable: Int] = [:]
        for (axis, extent) in parallelExtents.enumerated() { extents[.parallel(axis)] = extent }
        for step in steps {
            switch step {
            case .statement(let statement):
                visit(statement, extents)
            case .nest(let nest):
                var inner = extents
                for (axis, extent) in nest.extents.enumerated() { inner[.reduction(axis)] = extent }
                nest.body.forEach { visit($0, inner) }
            }
        }
    }

    /// Every statement, nest bodies included.
    public var allStatements: [KernelStatement] {
        steps.flatMap { step -> [KernelStatement] in
            switch step {
            case .statement(let statement): [statement]
            case .nest(let nest): nest.body
            }
        }
    }
}
