import TGCBase
import TGCCore

/// Lowers a group of ops — a fusion region, or one op alone — to ONE loop nest over the
/// root's result (a `LoopKernel`). Values are computed at coordinates, each coordinate an
/// affine function of the loops:
///
/// - a group input is a load at Σ coordinate × stride (broadcast dimensions read index 0);
/// - an elementwise member composes its `ScalarRules` expression from its operands at the same
///   coordinates (broadcast to their shapes); a member used more than once becomes a local;
/// - a reshape leaf reads its contiguous operand at the row-major position of its result's
///   coordinates; a transpose leaf permutes them; a broadcastTo leaf zeroes broadcast ones;
///   a cyclicShift leaf reads `step * i + start` along its axis (a flip is stride -1), and
///   where a roll passes the end a guarded load reads the wrapped element instead;
///   a slice leaf reads start + coordinate × step in each dimension (in place, no copy);
/// - a gather member checks its index element (a run-time error naming its line) and reads
///   its operand through it with an indirect load (`gathered`);
/// - a join (a unit-step slice update, `Op.isFusableJoin`) reads its value (a group input or a
///   view of one) where the coordinates lie in the updated box and its base elsewhere: a
///   guarded load whose fill is the base, so `cat`'s chain of updates into zeros reads each
///   operand in place;
/// - a reduction member becomes a nest of sequential reduction loops with its accumulator
///   (float sums accumulate in double, elements visited in the interpreter's order); several
///   reductions over the same elements share one nest; the elementwise root of an epilogue is
///   applied to the accumulated values.
///
///     %2 = fusion (%a = %0, %m = %1) {            for (i0 ...) {            // parallel
///       %3 = sub %a, %m : f32[4, 8]                   double acc0 = 0.0;
///       %4 = exp %3                         ==>       for (r0 ...) acc0 += (double)tgc_expf(v0[i0 * 8 + r0] - v1[i0]);
///       %5 = reduce_sum %4 {axes = [1]}               v2[i0] = (float)acc0;
///     } : f32[4]                                  }
final class GroupLowering {
    private let member: (Value) -> Op?
    private let buffer: (Value) -> Value
    private let useCount: [Value: Int]

    private enum Scope: Hashable { case outer, nest(Int) }
    private enum Step { case statement(KernelStatement), nest(Int) }
    private struct MemoKey: Hashable {
        let value: Value
        let coordinates: [AffineIndex]
    }
    private struct NestKey: Hashable {
        let shape: [Int]
        let reducedAxes: [Int]
        let coordinates: [AffineIndex]
    }

    private var steps: [Step] = []
    private var nests: [ReductionNest] = []
    private var nestKeys: [NestKey: Int] = [:]
    private var memo: [Scope: [MemoKey: TypedExpr]] = [:]
    private var localCount = 0
    private var accumulatorCount = 0

    private init(member: @escaping (Value) -> Op?, buffer: @escaping (Value) -> Value, useCount: [Value: Int]) {
        self.member = member
        self.buffer = buffer
        self.useCount = useCount
    }

    /// The kernel of one op alone: its operands are the group's inputs.
    static func kernel(for op: Op) throws -> LoopKernel {
        let lowering = GroupLowering(member: { $0 === op.result ? op : nil }, buffer: { $0 }, useCount: [:])
        return try lowering.lower(root: op.result, into: op.result)
    }

    /// The kernel of a fusion op: its region's ops are the members, its operands the inputs.
    static func kernel(forFusion op: Op) throws -> LoopKernel {
        let region = op.regions[0]
        guard region.yielded.count == 1, op.results.count == 1 else {
            throw Diagnostic("internal error: a fusion group must compute one result", at: op.location)
        }
        var producers: [Value: Op] = [:]
        var uses: [Value: Int] = [:]
        for inner in region.ops where inner.kind != .yield {
            for result in inner.results { producers[result] = inner }
            for operand in inner.operands { uses[operand, default: 0] += 1 }
        }
        let inputs = Dictionary(uniqueKeysWithValues: zip(region.arguments, op.operands))
        let lowering = GroupLowering(member: { producers[$0] }, buffer: { inputs[$0] ?? $0 }, useCount: uses)
        return try lowering.lower(root: region.yielded[0], into: op.result)
    }

    /// The epilogue of a matmul fusion (FusionEpilogue.swift): its ops after the matmul, as
    /// two loops `i0` (rows) and `i1` (columns) over the product — kept even where an extent
    /// is 1, as the runtime calls it on blocks of rows and columns — with the product read
    /// from, and the result written to, the fusion's result buffer.
    static func epilogueKernel(forFusion op: Op, product: Value) throws -> LoopKernel {
        let region = op.regions[0]
        var producers: [Value: Op] = [:]
        var uses: [Value: Int] = [:]
        for inner in region.ops where inner.kind != .yield && inner.kind != .matmul {
            for result in inner.results { producers[result] = inner }
            for operand in inner.operands { uses[operand, default: 0] += 1 }
        }
        var inputs = Dictionary(uniqueKeysWithValues: zip(region.arguments, op.operands))
        inputs[product] = op.result
        let lowering = GroupLowering(member: { producers[$0] }, buffer: { inputs[$0] ?? $0 }, useCount: uses)
        let (rows, columns) = (AffineIndex(LoopVariable.parallel(0)), AffineIndex(LoopVariable.parallel(1)))
        let shape = op.result.type.shape
        return try lowering.lower(root: region.yielded[0], into: op.result, extents: shape,
                                  coordinates: [rows, columns], index: rows * shape[1] + columns)
    }

    private func lower(root: Value, into output: Value) throws -> LoopKernel {
        let space = LoopSpace(root.type.shape, variable: LoopVariable.parallel)
        return try lower(root: root, into: output, extents: space.extents, coordinates: space.coordinates,
                         index: space.denseIndex).collapsingContiguousLoops()
    }

    private func lower(root: Value, into output: Value, extents: [Int], coordinates: [AffineIndex],
                       index: AffineIndex) throws -> LoopKernel {
        let value = try evaluate(root, at: coordinates, in: .outer)
        steps.append(.statement(.store(output, index, namingSelectedLoads(value.expr, in: .outer))))
        return LoopKernel(parallelExtents: extents, steps: steps.map { step in
            switch step {
            case .statement(let statement): .statement(statement)
            case .nest(let index): .nest(nests[index])
            }
        })
    }

    // MARK: values at coordinates

    /// The expression of `value`'s element at `coordinates` (one per dimension of its shape).
    private func evaluate(_ value: Value, at coordinates: [AffineIndex], in scope: Scope) throws -> TypedExpr {
        let key = MemoKey(value: value, coordinates: coordinates)
        if let known = memo[scope]?[key] { return known }
        guard let op = member(value) else {
            let index = value.type.elementCount == 1 ? .zero : AffineIndex.offset(coordinates, strides: value.type.strides)
            return TypedExpr(.load(buffer(value), index), ScalarType(value.type.dtype))
        }
        var result: TypedExpr
        if op.kind == .gather {
            result = try gathered(op, at: coordinates, in: scope)
        } else { switch op.isFusableJoin ? .indexMap(.join) : try KernelLowering.semantics(of: op) {
        case .elementwise(let rule):
            let operands = try op.operands.map {
                try evaluate($0, at: Self.broadcast(coordinates, from: value.type.shape, to: $0.type.shape), in: scope)
            }
            result = ScalarRules.round(rule(operands), to: value.type.dtype)
        case .indexMap(let map):
            result = try read(op, map, at: coordinates, in: scope)
        case .reduction(let kind):
            guard scope == .outer else {
                throw Diagnostic("internal error: a reduction inside another reduction's loop cannot be fused", at: op.location)
            }
            result = try reduce(op, kind, at: coordinates)
        case .standalone:
            throw Diagnostic("internal error: \(IRPrinter.opName(op.kind)) cannot be part of a fused kernel", at: op.location)
        } }
        if (useCount[value] ?? 0) > 1, !result.expr.isAtomic { result = named(result, in: scope) }
        memo[scope, default: [:]][key] = result
        return result
    }

    /// An index-map leaf: its operand at the coordinates the map gives.
    private func read(_ op: Op, _ map: IndexMap, at coordinates: [AffineIndex], in scope: Scope) throws -> TypedExpr {
        let operand = op.operands[0]
        switch map {
        case .transpose(let permutation):
            var inner = [AffineIndex](repeating: .zero, count: operand.type.rank)
            for (axis, source) in permutation.enumerated() { inner[source] = coordinates[axis] }
            return try evaluate(operand, at: inner, in: scope)
        case .slice(let dims):
            let inner = zip(coordinates, dims).map { $0 * $1.step + AffineIndex(constant: $1.start) }
            return try evaluate(operand, at: inner, in: scope)
        case .broadcast:
            return try evaluate(operand, at: Self.broadcast(coordinates, from: op.result.type.shape, to: operand.type.shape), in: scope)
        case .cyclicShift(let axis, let step, let start):
            // step * i + start, and the same minus n where it passes the end (a roll's wrap).
            guard member(operand) == nil else {
                throw Diagnostic("internal error: a cyclic shift inside a fused kernel must read a group input", at: op.location)
            }
            let n = operand.type.shape[axis]
            var inner = coordinates
            inner[axis] = coordinates[axis] * step + AffineIndex(constant: start)
            let type = ScalarType(operand.type.dtype)
            let strides = operand.type.strides
            let direct = AffineIndex.offset(inner, strides: strides)
            if step == -1 && start == n - 1 || step == 1 && start == 0 {
                return TypedExpr(.load(buffer(operand), direct), type)
            }
            var wrapped = inner
            wrapped[axis] = inner[axis] + AffineIndex(constant: step == 1 ? -n : n)
            let fill = ScalarExpr.load(buffer(operand), AffineIndex.offset(wrapped, strides: strides))
            return TypedExpr(.guardedLoad(buffer(operand), direct, bounds: [IndexBound(inner[axis], below: n)], fill: fill), type)
        case .join:
            return try join(op, at: coordinates, in: scope)
        case .reshape:
            let (from, to) = (op.result.type.shape, operand.type.shape)
            if from.filter({ $0 != 1 }) == to.filter({ $0 != 1 }) {
                // Only size-1 dimensions differ: the other coordinates carry over in order.
                var kept = zip(from, coordinates).filter { $0.0 != 1 }.map(\.1).makeIterator()
                return try evaluate(operand, at: to.map { $0 == 1 ? .zero : kept.next()! }, in: scope)
            }
            guard member(operand) == nil else {
                throw Diagnostic("internal error: a reshape inside a fused kernel must read a group input", at: op.location)
            }
            let position = AffineIndex.offset(coordinates, strides: op.result.type.strides)
            return TypedExpr(.load(buffer(operand), position), ScalarType(operand.type.dtype))
        }
    }

    /// A gather member at `coordinates` (its index's): the index element, read through the
    /// group (a group input or index maps of one, so a load), is checked to lie along x's
    /// dimension, then x, a group input, is read through it with an indirect load.
    private func gathered(_ op: Op, at coordinates: [AffineIndex], in scope: Scope) throws -> TypedExpr {
        let (x, axis) = (op.operands[0], op.attributes.axes![0])
        let element = try evaluate(op.operands[1], at: coordinates, in: scope)
        guard member(x) == nil, case .load(let table, let position) = element.expr else {
            throw Diagnostic("internal error: a fused gather must read a group input through a loaded index", at: op.location)
        }
        let location = op.location == .unknown ? "" : op.location.description
        let check = ScalarExpr.call(.checkedDimensionIndex, [element.expr, .intLiteral(Int64(x.type.shape[axis])),
                                                            .intLiteral(Int64(axis)), .stringLiteral(location)])
        append(.declare("row\(localCount)", .int64, check), to: scope)
        localCount += 1
        var others = coordinates
        others[axis] = .zero
        let strides = x.type.strides
        let selected = IndirectIndex(table: table, position: position, scale: strides[axis], count: x.type.shape[axis],
                                     remainder: AffineIndex.offset(others, strides: strides))
        return TypedExpr(.indirectLoad(buffer(x), selected), ScalarType(x.type.dtype))
    }

    /// A join's element: its value's at the coordinates less the box's start where they lie in
    /// the box, else its base's at the same coordinates. Only the dimensions the box does not
    /// cover whole are checked. The value is one load (a group input, or a view of one read in
    /// place), which becomes a guarded load, or a literal (a select, which reads nothing: the
    /// zeros of a slice's gradient).
    private func join(_ op: Op, at coordinates: [AffineIndex], in scope: Scope) throws -> TypedExpr {
        let (base, value) = (op.operands[0], op.operands[1])
        let dims = op.attributes.slice ?? []
        let inner = zip(coordinates, dims).map { $0 + AffineIndex(constant: -$1.start) }
        var bounds: [IndexBound] = []
        for (axis, dim) in dims.enumerated() where dim.start != 0 || dim.size != base.type.shape[axis] {
            bounds.append(IndexBound(inner[axis], below: dim.size))
        }
        let element = try evaluate(value, at: inner, in: scope)
        guard !bounds.isEmpty else { return element }
        let fill = try evaluate(base, at: coordinates, in: scope).expr
        if case .load(let buffer, let index) = element.expr {
            return TypedExpr(.guardedLoad(buffer, index, bounds: bounds, fill: fill), element.type)
        }
        var readsMemory = false
        element.expr.visit(buffers: { _ in readsMemory = true })
        guard !readsMemory else {
            throw Diagnostic("internal error: a slice update inside a fused kernel must read its value with one load", at: op.location)
        }
        let conditions = bounds.flatMap { bound -> [ScalarExpr] in
            [.infix(">=", .offset(bound.coordinate), .intLiteral(0)), .infix("<", .offset(bound.coordinate), .intLiteral(Int64(bound.extent)))]
        }
        let inside = conditions.dropFirst().reduce(conditions[0]) { .infix("&&", $0, $1) }
        return TypedExpr(.ternary(inside, element.expr, fill), element.type)
    }

    /// Coordinates of an operand of `shape` read while computing an element of `outShape`:
    /// aligned from the right, dimensions of extent 1 read index 0.
    static func broadcast(_ coordinates: [AffineIndex], from outShape: [Int], to shape: [Int]) -> [AffineIndex] {
        let offset = outShape.count - shape.count
        return shape.indices.map { axis in shape[axis] == 1 || axis + offset < 0 ? .zero : coordinates[axis + offset] }
    }

    // MARK: reductions

    /// Adds `op`'s fold to the nest over its operand's reduced dimensions (shared with any other
    /// reduction over the same elements) and returns its result at `coordinates`.
    private func reduce(_ op: Op, _ kind: ReductionOp, at coordinates: [AffineIndex]) throws -> TypedExpr {
        let x = op.operands[0]
        let shape = x.type.shape
        if let name = kind.nameWithoutIdentity, ShapeRules.reducesAnEmptyGroup(shape, axes: op.attributes.axes) {
            throw Diagnostic("\(name)() of an empty tensor has no identity", at: op.location)
        }
        let reduced = Set(op.attributes.axes ?? Array(0..<shape.count))
        let reducedAxes = shape.indices.filter { reduced.contains($0) }
        let loops = LoopSpace(reducedAxes.map { shape[$0] }, variable: LoopVariable.reduction)
        let key = NestKey(shape: shape, reducedAxes: reducedAxes, coordinates: coordinates)
        let nest = nestKeys[key] ?? {
            nests.append(ReductionNest(extents: loops.extents, accumulators: [], body: []))
            steps.append(.nest(nests.count - 1))
            nestKeys[key] = nests.count - 1
            return nests.count - 1
        }()
        var inner: [AffineIndex] = []
        var (outAxis, loopAxis) = (0, 0)
        for axis in shape.indices {
            if reduced.contains(axis) {
                inner.append(loops.coordinates[loopAxis])
                loopAxis += 1
                if op.attributes.keepDim { outAxis += 1 }
            } else {
                inner.append(coordinates[outAxis])
                outAxis += 1
            }
        }
        let element = try evaluate(x, at: inner, in: .nest(nest))
        let n = accumulatorCount
        accumulatorCount += 1
        let resultType = op.result.type.dtype
        switch kind {
        case .sum:
            let type: ScalarType = x.type.dtype.isFloatingPoint ? .float64 : .int64
            let acc = "acc\(n)"
            // A float64 sum is folded in order: reassociating it would change its own bits.
            let fold: Fold = x.type.dtype == .float64 ? .ordered : .sum
            nests[nest].accumulators.append(Accumulator(name: acc, type: type, initial: ScalarRules.zero(type), fold: fold))
            var summand = TypedExpr(namingSelectedLoads(element.expr, in: .nest(nest)), element.type)
            if summand.expr != element.expr {
                // and the summand itself named: `acc += (double)(c ? x : 0)` is still a
                // conditional reduction to GCC, whatever reads x
                summand = named(summand, in: .nest(nest))
            }
            nests[nest].body.append(.assign(acc, .infix("+", .local(acc), ScalarRules.convert(summand, to: type).expr)))
            return ScalarRules.round(TypedExpr(.local(acc), type), to: resultType)
        case .product:   // in double (floats) or int64, in order: a product has no reassociation rule
            let type: ScalarType = x.type.dtype.isFloatingPoint ? .float64 : .int64
            let acc = "acc\(n)"
            nests[nest].accumulators.append(Accumulator(name: acc, type: type, initial: ScalarRules.literal(1, type), fold: .ordered))
            nests[nest].body.append(.assign(acc, .infix("*", .local(acc), ScalarRules.convert(element, to: type).expr)))
            return ScalarRules.round(TypedExpr(.local(acc), type), to: resultType)
        case .max, .min:
            let type = ScalarType(x.type.dtype)
            let isMax = kind == .max
            let start: ScalarExpr = switch type {
            case .float32, .float64: .floatLiteral(isMax ? -.infinity : .infinity)
            case .int64: .intLiteral(isMax ? .min : .max)
            case .int32: .intLiteral(isMax ? Int64(Int32.min) : Int64(Int32.max))
            case .uint8: .intLiteral(isMax ? 0 : 255)
            case .bool: .intLiteral(isMax ? 0 : 1)
            }
            let acc = "acc\(n)"
            let fold = ExtremeFold(isMax: isMax, type: type)
            nests[nest].accumulators.append(Accumulator(name: acc, type: type, initial: start, fold: .extreme(fold)))
            nests[nest].body.append(.assign(acc, .call(fold.intrinsic, [.local(acc), element.expr])))
            return TypedExpr(.local(acc), type)
        case .argMax, .argMin:
            let type = ScalarType(x.type.dtype)
            let (best, bestValue, current, position, take) = ("best\(n)", "bestValue\(n)", "x\(n)", "pos\(n)", "take\(n)")
            var better = ScalarExpr.infix(kind == .argMax ? ">" : "<", .local(current), .local(bestValue))
            if type.isFloatingPoint {
                better = .infix("&&", .prefix("!", .call(.isNaN, [.local(bestValue)])),
                                .infix("||", .call(.isNaN, [.local(current)]), better))
            }
            nests[nest].accumulators += [Accumulator(name: best, type: .int64, initial: .intLiteral(0), fold: .ordered),
                                         Accumulator(name: bestValue, type: type, initial: ScalarRules.zero(type), fold: .ordered)]
            nests[nest].body += [
                .declare(current, type, element.expr),
                .declare(position, .int64, .offset(loops.denseIndex)),
                .declare(take, .bool, .infix("||", .infix("==", .local(position), .intLiteral(0)), better)),
                .assign(best, .ternary(.local(take), .local(position), .local(best))),
                .assign(bestValue, .ternary(.local(take), .local(current), .local(bestValue))),
            ]
            return TypedExpr(.local(best), .int64)
        }
    }

    /// `expr` with each plain load that a select chooses (`c ? x[i] : 0`, relu's backward)
    /// read first into a local of `scope`. C's `?:` reads only the side it takes, so GCC reads
    /// such a side with a masked load (vmaskmovps, several times a plain load on AMD's cores)
    /// and vectorizes a sum of selects through memory (its accumulators stored and reloaded
    /// every iteration). A plain load is in bounds at every point of the loops (bounds checks
    /// are guarded loads, and a slice update's value reads no memory), so reading it always
    /// changes no value.
    private func namingSelectedLoads(_ expr: ScalarExpr, in scope: Scope) -> ScalarExpr {
        func side(_ side: ScalarExpr) -> ScalarExpr {
            guard case .load(let buffer, _) = side else { return namingSelectedLoads(side, in: scope) }
            return named(TypedExpr(side, ScalarType(buffer.type.dtype)), in: scope).expr
        }
        switch expr {
        case .ternary(let condition, let then, let otherwise):
            return .ternary(namingSelectedLoads(condition, in: scope), side(then), side(otherwise))
        case .prefix(let symbol, let x): return .prefix(symbol, namingSelectedLoads(x, in: scope))
        case .infix(let symbol, let a, let b): return .infix(symbol, namingSelectedLoads(a, in: scope), namingSelectedLoads(b, in: scope))
        case .call(let function, let arguments): return .call(function, arguments.map { namingSelectedLoads($0, in: scope) })
        case .cast(let type, let x): return .cast(type, namingSelectedLoads(x, in: scope))
        case .load, .indirectLoad, .guardedLoad, .local, .loopIndex, .offset, .floatLiteral, .doubleLiteral, .intLiteral, .stringLiteral:
            return expr
        }
    }

    /// `value` computed once into a new local of `scope` (`t0`, `t1`, ...), and read from it.
    private func named(_ value: TypedExpr, in scope: Scope) -> TypedExpr {
        let name = "t\(localCount)"
        localCount += 1
        append(.declare(name, value.type, value.expr), to: scope)
        return TypedExpr(.local(name), value.type)
    }

    private func append(_ statement: KernelStatement, to scope: Scope) {
        switch scope {
        case .outer: steps.append(.statement(statement))
        case .nest(let index): nests[index].body.append(statement)
        }
    }
}

extension ScalarExpr {
    /// Loads, locals and literals: cheap enough to repeat rather than name.
    var isAtomic: Bool {
        switch self {
        case .load, .local, .loopIndex, .floatLiteral, .doubleLiteral, .intLiteral: true
        case .indirectLoad, .guardedLoad, .offset, .stringLiteral, .prefix, .infix, .call, .cast, .ternary: false
        }
    }
}
