import TGCCore

/// A reduction over leading axes whose kept inner axis is contiguous (a column sum of a
/// `[rows, n]` matrix) runs with its reduction loops OUTSIDE the innermost parallel loop, so
/// the innermost loop walks memory with stride 1 and vectorizes:
///
///     for i0 (parallel) {                     for blk (parallel) {    // blocks of i0
///         acc = 0                                 acc[i0 - lo] = 0        for i0 in the block
///         for r0 { acc += x[r0 * n + i0] }  ==>   for r0 { for i0 in the block (simd) {
///         out[i0] = acc                               acc[i0 - lo] += x[r0 * n + i0] } }
///     }                                           out[i0] = acc[i0 - lo]  for i0 in the block
///                                             }
///
/// Each accumulator is folded from the same elements in the same order as before (the lanes
/// of one block are separate accumulators, never combined), so results are the same bits as
/// the plain nest and the interpreter, on any number of threads.
///
/// Legal for any kernel whose steps are one reduction nest and then statements: the points
/// of a kernel's parallel loops are independent, and the memory plan lets a result share an
/// operand's memory only when it reads that operand at its own position, which each point
/// still does before it stores.
///
/// Limitations: only kernels of exactly that shape (no statements before the nest, one
/// nest); only when every load that moves with the innermost parallel variable moves by 1
/// (so a row reduction keeps its plain form) and some load moves with both it and the
/// innermost reduction variable.
public struct InterchangedNest {
    /// Lanes (elements of the innermost parallel loop) per block: the accumulators of one
    /// block are a stack array of this many.
    public static let blockLength = 64
    /// Fewer lanes than this are not worth the arrays.
    public static let minimumLanes = 8

    /// The extent of the innermost parallel loop.
    public var lanes: Int
    /// Lanes per block (the last block may be shorter) and the number of blocks.
    public var length: Int
    public var blocks: Int

    /// The interchanged schedule of `kernel`'s nest, or nil when the kernel does not qualify.
    /// Declines kernels with irregular forms (KernelForms.swift): the legality argument reads
    /// every address as affine, and the lanes loop is `omp simd`.
    public init?(_ kernel: LoopKernel) {
        guard kernel.forms.isEmpty, let lanes = kernel.parallelExtents.last, lanes >= Self.minimumLanes,
              case .nest(let nest)? = kernel.steps.first, kernel.nests.count == 1,
              !nest.extents.isEmpty else { return nil }
        let lane = LoopVariable.parallel(kernel.parallelExtents.count - 1)
        let inner = LoopVariable.reduction(nest.extents.count - 1)
        var stored: Set<Value> = []
        for case .store(let value, _, _) in kernel.allStatements { stored.insert(value) }
        var columnRead = false
        var qualifies = true
        for statement in nest.body {
            statement.value.visit(indices: { value, index in
                guard let value else { return }
                let (laneStride, innerStride) = (index.stride(of: lane), index.stride(of: inner))
                if stored.contains(value) || (laneStride != 0 && laneStride != 1) { qualifies = false }
                if laneStride == 1, innerStride != 0 { columnRead = true }
            })
        }
        guard qualifies, columnRead else { return nil }
        self.lanes = lanes
        self.length = min(lanes, Self.blockLength)
        self.blocks = (lanes + length - 1) / length
    }
}

extension KernelStatement {
    /// The statement with every local variable renamed by `rename` (declared, assigned and read):
    /// sibling reductions rename a merged kernel's locals apart, interchanged nests their
    /// accumulators into lane arrays.
    public func renamingLocals(_ rename: (String) -> String) -> KernelStatement {
        switch self {
        case .declare(let name, let type, let value): .declare(rename(name), type, value.renamingLocals(rename))
        case .assign(let name, let value): .assign(rename(name), value.renamingLocals(rename))
        case .store(let buffer, let index, let value): .store(buffer, index, value.renamingLocals(rename))
        case .indirectStore(let buffer, let index, let value): .indirectStore(buffer, index, value.renamingLocals(rename))
        case .accumulate(let buffer, let index, let value, let accumulation):
            .accumulate(buffer, index, value.renamingLocals(rename), accumulation)
        }
    }
}

extension ScalarExpr {
    /// The expression with every local variable renamed by `rename`.
    public func renamingLocals(_ rename: (String) -> String) -> ScalarExpr {
        switch self {
        case .local(let name): .local(rename(name))
        case .load, .indirectLoad, .loopIndex, .offset, .floatLiteral, .doubleLiteral, .intLiteral, .stringLiteral: self
        case .guardedLoad(let value, let index, let bounds, let fill):
            .guardedLoad(value, index, bounds: bounds, fill: fill.renamingLocals(rename))
        case .prefix(let symbol, let x): .prefix(symbol, x.renamingLocals(rename))
        case .infix(let symbol, let a, let b): .infix(symbol, a.renamingLocals(rename), b.renamingLocals(rename))
        case .call(let function, let arguments): .call(function, arguments.map { $0.renamingLocals(rename) })
        case .cast(let type, let x): .cast(type, x.renamingLocals(rename))
        case .ternary(let c, let a, let b): .ternary(c.renamingLocals(rename), a.renamingLocals(rename), b.renamingLocals(rename))
        }
    }
}
