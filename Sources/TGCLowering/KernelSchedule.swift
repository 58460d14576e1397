import TGCCore

/// How a kernel's loops run on a multicore CPU with vector units: which loop is shared among
/// OpenMP threads, which loops carry `omp simd`, whether a full reduction is split into
/// chunks and whether a reduction over leading axes runs interchanged. Decided from the
/// kernel's work alone, so tiny kernels (a training loop on 100 elements) never open a
/// parallel region.
public struct KernelSchedule {
    /// Kernels with fewer scalar iterations than this run on one thread: a parallel region
    /// costs a few microseconds, about what 32K simple iterations take.
    public static let parallelWork = 1 << 15
    /// A full reduction's chunk: this many iterations per partial sum, whatever the number of
    /// threads, so the result does not depend on `--threads`.
    public static let chunkWork = 1 << 15
    /// Reduction nests over at least this many elements are vectorized (`omp simd reduction`)
    /// when their innermost loop has `simdInnerExtent` iterations or more. Sums
    /// are then reassociated, but still accumulate in double, so they agree with the
    /// interpreter's sequential double sum to far below float32 precision (documented
    /// tolerance: relative 1e-5). Max and min stay exact (`ExtremeFold`'s rules; the C renderer's `emitNest`).
    public static let reorderableExtent = 256
    /// The shortest innermost loop a vectorized reduction nest runs: a batch norm's 64 × 196
    /// sum per channel vectorizes its 196; a 10-class softmax row stays scalar.
    public static let simdInnerExtent = 32

    /// `#pragma omp parallel for` on the outer parallel loop (with `collapse` loops).
    public var parallel = false
    public var collapse = 1
    /// `#pragma omp simd` on the innermost parallel loop (elementwise kernels).
    public var simdInnermost = false
    /// Nests (by index in `kernel.nests`) whose innermost loop is an `omp simd` reduction.
    public var simdNests: Set<Int> = []
    /// In a kernel of one output element, the nests (by index in `kernel.nests`) split into
    /// fixed chunks of their outermost loop, reduced in parallel and combined in order.
    public var chunks: [Int: (count: Int, length: Int)] = [:]
    /// The nest runs outside the innermost parallel loop (InterchangedNests.swift); `parallel`
    /// then shares the outer parallel loops and the blocks of the innermost one.
    public var interchange: InterchangedNest?

    public init(_ kernel: LoopKernel) {
        let forms = kernel.forms
        guard forms.isEmpty else {
            self = Self(irregular: kernel, forms)
            return
        }
        if let interchange = InterchangedNest(kernel) {
            self.interchange = interchange
            let outerPoints = kernel.parallelExtents.dropLast().reduce(1, *)
            parallel = kernel.work >= Self.parallelWork && outerPoints * interchange.blocks >= 2
            collapse = kernel.parallelExtents.count
            return
        }
        let nests = kernel.nests
        for (index, nest) in nests.enumerated() where nest.isReorderable && nest.work >= Self.reorderableExtent
            && (nest.extents.last ?? 0) >= Self.simdInnerExtent {
            simdNests.insert(index)
        }
        let points = kernel.parallelExtents.reduce(1, *)
        if kernel.work >= Self.parallelWork, points >= 2 {
            parallel = true
            if kernel.parallelExtents.count >= 2, kernel.parallelExtents[0] < 16 { collapse = 2 }
        }
        if !kernel.parallelExtents.isEmpty, nests.isEmpty, (kernel.parallelExtents.last ?? 0) >= 8,
           kernel.innermostParallelLoopIsContiguous {
            simdInnermost = true
        }
        guard kernel.parallelExtents.isEmpty else { return }
        chunks = Self.chunks(of: nests)
    }

    /// The nests of a one-point kernel that run in fixed chunks: the chunkable ones with
    /// enough work for two chunks at least.
    private static func chunks(of nests: [ReductionNest]) -> [Int: (count: Int, length: Int)] {
        var chunks: [Int: (count: Int, length: Int)] = [:]
        for (index, nest) in nests.enumerated() where nest.isChunkable && nest.work >= parallelWork {
            guard let outer = nest.extents.first else { continue }
            let inner = nest.work / outer
            let length = max(1, chunkWork / max(inner, 1))
            let count = (outer + length - 1) / length
            if count >= 2 { chunks[index] = (count, length) }
        }
        return chunks
    }

    /// The schedule of a kernel with irregular forms (KernelForms.swift). Never vectorized:
    /// `omp simd` and the lane sums were decided for affine loads and stores (a gather has no
    /// stride to vectorize along; the lane sums prefetch a guarded load's unguarded address).
    /// Never interchanged (InterchangedNest declines). The parallel loops run in threads only
    /// where no two points write one element (`racingVariables`): when the outer loop races,
    /// the whole kernel runs on one thread, in loop order; when only the second does, the
    /// outer loop is not collapsed with it. Racing writes are ordered, never atomic, so a
    /// scatter-add's sums have one order and the same bits on any thread count. A nest whose
    /// body writes irregularly is never chunked (its chunks would race); reads alone do not
    /// stop chunking, whose partial results are folded in order.
    private init(irregular kernel: LoopKernel, _ forms: KernelForms) {
        let racing = kernel.racingVariables
        let points = kernel.parallelExtents.reduce(1, *)
        if kernel.work >= Self.parallelWork, points >= 2, !racing.contains(.parallel(0)) {
            parallel = true
            if kernel.parallelExtents.count >= 2, kernel.parallelExtents[0] < 16, !racing.contains(.parallel(1)) { collapse = 2 }
        }
        guard kernel.parallelExtents.isEmpty, forms.isDisjoint(with: .irregularWrites) else { return }
        chunks = Self.chunks(of: kernel.nests)
    }
}

extension ReductionNest {
    /// Every accumulator is a sum or a max/min: the loop may run in another order (vectorized,
    /// or in chunks whose results are folded in order).
    public var isReorderable: Bool {
        !accumulators.isEmpty && accumulators.allSatisfy { $0.fold.combiner != .inOrderOnly }
    }

    /// Chunks of the loop can be folded apart and their results folded in order.
    var isChunkable: Bool { isReorderable }
}

extension LoopKernel {
    /// The innermost parallel variable walks the stored result with stride 1.
    var innermostParallelLoopIsContiguous: Bool {
        let variable = LoopVariable.parallel(parallelExtents.count - 1)
        return allStatements.allSatisfy { statement in
            guard case .store(_, let index, _) = statement else { return true }
            return index.stride(of: variable) == 1
        }
    }

    /// Merges neighbouring loops that every index walks as one: when the outer variable's
    /// stride is the inner one's times the inner extent in every load and store, the two loops
    /// are one loop over the product (`[3, 4] + [3, 4]` runs as one loop of 12).
    /// Declines kernels with irregular forms (KernelForms.swift): an indirect offset's table
    /// position and remainder cannot be merged apart from the table element it adds.
    func collapsingContiguousLoops() -> LoopKernel {
        var kernel = self
        guard forms.isEmpty else { return kernel }
        var usesLoopIndex = false
        for statement in allStatements {
            statement.value.visit(indices: { _, _ in }, loopIndex: { _ in usesLoopIndex = true })
        }
        guard !usesLoopIndex else { return kernel }
        var axis = kernel.parallelExtents.count - 2
        while axis >= 0 {
            let (outer, inner) = (LoopVariable.parallel(axis), LoopVariable.parallel(axis + 1))
            let extent = kernel.parallelExtents[axis + 1]
            if kernel.indices.allSatisfy({ $0.stride(of: outer) == $0.stride(of: inner) * extent }) {
                kernel = kernel.mapIndices { Self.merge($0, axis, LoopVariable.parallel) }
                kernel.parallelExtents[axis] *= extent
                kernel.parallelExtents.remove(at: axis + 1)
            }
            axis -= 1
        }
        kernel.steps = kernel.steps.map { step in
            guard case .nest(var nest) = step else { return step }
            var axis = nest.extents.count - 2
            while axis >= 0 {
                let (outer, inner) = (LoopVariable.reduction(axis), LoopVariable.reduction(axis + 1))
                let extent = nest.extents[axis + 1]
                if nest.body.allSatisfy({ $0.indices.allSatisfy { $0.stride(of: outer) == $0.stride(of: inner) * extent } }) {
                    nest.body = nest.body.map { $0.mapIndices { Self.merge($0, axis, LoopVariable.reduction) } }
                    nest.extents[axis] *= extent
                    nest.extents.remove(at: axis + 1)
                }
                axis -= 1
            }
            return .nest(nest)
        }
        return kernel
    }

    /// `index` with loops `axis` and `axis + 1` of one kind merged into loop `axis`.
    private static func merge(_ index: AffineIndex, _ axis: Int, _ kind: (Int) -> LoopVariable) -> AffineIndex {
        let terms = index.terms.compactMap { term -> AffineIndex.Term? in
            for number in 0..<64 where term.variable == kind(number) {
                if number == axis { return nil }
                return AffineIndex.Term(variable: number > axis ? kind(number - 1) : term.variable, stride: term.stride)
            }
            return term
        }
        return AffineIndex(terms: terms, constant: index.constant)
    }

    /// Every index in the kernel.
    private var indices: [AffineIndex] { allStatements.flatMap(\.indices) }

    func mapIndices(_ transform: (AffineIndex) -> AffineIndex) -> LoopKernel {
        LoopKernel(parallelExtents: parallelExtents, steps: steps.map { step -> KernelStep in
            switch step {
            case .statement(let statement):
                return .statement(statement.mapIndices(transform))
            case .nest(var nest):
                nest.body = nest.body.map { $0.mapIndices(transform) }
                return .nest(nest)
            }
        })
    }
}

extension KernelStatement {
    /// The indices of the statement: its store's and every load's and offset's (only the affine
    /// parts of irregular forms: callers decline kernels with `forms`).
    var indices: [AffineIndex] {
        var found: [AffineIndex] = []
        if case .store(_, let index, _) = self { found.append(index) }
        value.visit(indices: { _, index in found.append(index) })
        return found
    }
}
