import TGCCore

/// The kernels of the selecting ops: gather is an indirect load at every point of the index,
/// scatter and scatterAdd copy their base and then store or add src's elements through the
/// index in index order (one thread, so a repeated index has the interpreter's last write or
/// sum), and argsort is the runtime's per-row merge sort. Every index is checked first (a
/// run-time error naming the source line). A gather fused into its consumers is read in
/// GroupLowering instead (`gathered`); this kernel is a gather alone.
enum SelectionLowering {
    /// `result[p] = x[p with coordinate axis replaced by index[p]]`, parallel over the index.
    static func gather(_ op: Op) -> LoopKernel {
        let (x, index, result) = (op.operands[0], op.operands[1], op.result)
        let axis = op.attributes.axes![0]
        let space = LoopSpace(shape(of: index), variable: LoopVariable.parallel)
        let selected = through(index, at: space.coordinates, position: space.denseIndex, into: x, axis: axis)
        return LoopKernel(parallelExtents: space.extents, steps: [
            .statement(.declare("row", .int64, check(index, at: space.denseIndex, x, axis: axis, op))),
            .statement(.store(result, space.denseIndex, .indirectLoad(x, selected))),
        ])
    }

    /// base copied into the result, then src's element at each point of the index stored
    /// (scatter) or added (scatterAdd) at the index's position, in index order: two sequential
    /// nests. Each point of the dimensions before `axis` writes its own block of the result,
    /// so those are parallel loops when the index covers them entirely (a copy of the block,
    /// then its stores); otherwise the kernel has one point. Written in place over a dying base
    /// (MemoryPlan.readsPointwise), the C emitter drops the copy.
    static func scatter(_ op: Op) -> LoopKernel {
        let (base, index, source, result) = (op.operands[0], op.operands[1], op.operands[2], op.result)
        let axis = op.attributes.axes![0]
        let (baseShape, indexShape) = (shape(of: base), shape(of: index))
        let blocks = baseShape[..<axis] == indexShape[..<axis] && index.type.elementCount > 0 ? axis : 0
        let outer = LoopSpace(Array(baseShape[..<blocks]), variable: LoopVariable.parallel)
        let copy = LoopSpace(Array(baseShape[blocks...]), variable: LoopVariable.reduction)
        let space = LoopSpace(Array(indexShape[blocks...]), variable: LoopVariable.reduction)
        let (copyAt, indexAt) = (outer.coordinates + copy.coordinates, outer.coordinates + space.coordinates)
        let baseIndex = AffineIndex.offset(copyAt, strides: TensorType(baseShape, .bool).strides)
        let position = AffineIndex.offset(indexAt, strides: TensorType(indexShape, .bool).strides)
        let target = through(index, at: indexAt, position: position, into: result, axis: axis)
        let element = ScalarExpr.load(source, AffineIndex.offset(indexAt, strides: TensorType(shape(of: source), .bool).strides))
        var steps: [KernelStep] = []
        if base.type.elementCount > 0 {
            steps.append(.nest(ReductionNest(extents: copy.extents, accumulators: [],
                                             body: [.store(result, baseIndex, .load(base, baseIndex))])))
        }
        if index.type.elementCount > 0 {
            steps.append(.nest(ReductionNest(extents: space.extents, accumulators: [], body: [
                .declare("row", .int64, check(index, at: position, base, axis: axis, op)),
                op.kind == .scatterAdd ? .accumulate(result, .indirect(target), element, .add) : .indirectStore(result, target, element),
            ])))
        }
        return LoopKernel(parallelExtents: outer.extents, steps: steps)
    }

    /// The address in `x` of the index's element at `coordinates` (read at `position`) with
    /// coordinate `axis` read from the index.
    private static func through(_ index: Value, at coordinates: [AffineIndex], position: AffineIndex, into x: Value,
                                axis: Int) -> IndirectIndex {
        let strides = TensorType(shape(of: x), .bool).strides
        var others = coordinates
        others[axis] = .zero
        return IndirectIndex(table: index, position: position, scale: strides[axis], count: shape(of: x)[axis],
                             remainder: AffineIndex.offset(others, strides: strides))
    }

    /// The index's element at `position`, checked to lie along x's dimension `axis`.
    private static func check(_ index: Value, at position: AffineIndex, _ x: Value, axis: Int, _ op: Op) -> ScalarExpr {
        let location = op.location == .unknown ? "" : op.location.description
        return .call(.checkedDimensionIndex, [.load(index, position), .intLiteral(Int64(shape(of: x)[axis])),
                                              .intLiteral(Int64(axis)), .stringLiteral(location)])
    }

    /// A value's shape, a 0-dim tensor as one element of dimension 0.
    private static func shape(of value: Value) -> [Int] {
        value.type.shape.isEmpty ? [1] : value.type.shape
    }
}

extension LoopKernel {
    /// A scatter's kernel (`SelectionLowering.scatter`) whose copy of its base stores `fill`
    /// instead of reading the base: for a base of equal elements (a zero constant, as the
    /// gradient of a gather starts from), each block is then filled right before its updates,
    /// while it is in cache, rather than by a pass of its own or a copy of the constant.
    public func fillingScatterBase(with fill: Double, _ dtype: DType) -> LoopKernel {
        guard case .nest(var copy)? = steps.first, copy.body.count == 1, case .store(let result, let index, .load) = copy.body[0] else {
            return self
        }
        copy.body = [.store(result, index, ScalarRules.literal(fill, ScalarType(dtype)))]
        var kernel = self
        kernel.steps[0] = .nest(copy)
        return kernel
    }
}
