import Testing
@testable import TGCCBackend
@testable import TGCLowering
@testable import TGCCore

/// The schedules and analyses written for affine kernels decline the irregular forms
/// (KernelForms.swift): each test pairs an affine kernel the analysis takes with the same
/// kernel through an indirect load or an accumulating store, which it must refuse.
struct KernelFormAnalysisTests {
    typealias K = KernelIR
    let module = Module()

    func buffer(_ count: Int, _ dtype: DType = .float32) -> Value { module.makeValue(TensorType([count], dtype)) }

    /// `out[i0] = Σ_r0 x[row(r0) × 300 + i0]`: a column sum, with rows read in order or
    /// through an index table.
    func columnSum(rows: (AffineIndex) -> ScalarExpr) -> LoopKernel {
        let nest = ReductionNest(extents: [37], accumulators: [Accumulator(name: "acc", type: .float64, initial: .doubleLiteral(0), fold: .sum)],
                                 body: [K.add("acc", .cast(.float64, rows(K.i0)))])
        return LoopKernel(parallelExtents: [300], steps: [.nest(nest), .statement(.store(buffer(300), K.i0, .cast(.float32, .local("acc"))))])
    }

    @Test func interchangeDeclinesIndirectLoads() {
        let x = buffer(37 * 300)
        let affine = columnSum { .load(x, K.scaled(.reduction(0), 300) + $0) }
        #expect(InterchangedNest(affine) != nil)
        let idx = buffer(37, .int64)
        let gathered = columnSum { .indirectLoad(x, IndirectIndex(table: idx, position: K.r0, scale: 300, count: 37, remainder: $0)) }
        #expect(InterchangedNest(gathered) == nil)
        #expect(KernelSchedule(gathered).interchange == nil)
        #expect(KernelSchedule(gathered).simdNests.isEmpty)
    }

    /// A `[64, 512]` copy joins row nests and is vectorized; the same kernel reading rows
    /// through a table (an embedding) or accumulating into them (scatter-add) is not.
    @Test func rowNestsAndSimdDeclineIrregularKernels() {
        let (x, y, idx) = (buffer(64 * 512), buffer(64 * 512), buffer(64, .int64))
        let own = K.scaled(.parallel(0), 512) + K.i1
        let rows = IndirectIndex(table: idx, position: K.i0, scale: 512, count: 64, remainder: K.i1)
        let copy = LoopKernel(parallelExtents: [64, 512], steps: [.statement(.store(y, own, .load(x, own)))])
        let gather = LoopKernel(parallelExtents: [64, 512], steps: [.statement(.store(y, own, .indirectLoad(x, rows)))])
        let scatter = LoopKernel(parallelExtents: [64, 512], steps: [.statement(.accumulate(y, .indirect(rows), .load(x, own), .add))])
        #expect(RowNest.admits(copy))
        #expect(KernelSchedule(copy).simdInnermost)
        for kernel in [gather, scatter] {
            #expect(!RowNest.admits(kernel))
            #expect(!KernelSchedule(kernel).simdInnermost)
        }
        #expect(gather.forms == .indirectLoad && gather.racingVariables.isEmpty)
        #expect(KernelSchedule(gather).parallel, "a gather only reads irregularly: its rows still run in threads")
        #expect(scatter.forms == .accumulate && scatter.racingVariables == [.parallel(0)])
        #expect(!KernelSchedule(scatter).parallel, "rows that may collide run in order, on one thread")
    }

    /// Loops that every index walks as one are merged, but not through an indirect load.
    @Test func loopCollapsingDeclinesIndirectLoads() {
        let (x, y, idx) = (buffer(32), buffer(32), buffer(32, .int64))
        let own = K.scaled(.parallel(0), 8) + K.i1
        let copy = LoopKernel(parallelExtents: [4, 8], steps: [.statement(.store(y, own, .load(x, own)))])
        #expect(copy.collapsingContiguousLoops().parallelExtents == [32])
        let gathered = IndirectIndex(table: idx, position: own, scale: 1, count: 32)
        let gather = LoopKernel(parallelExtents: [4, 8], steps: [.statement(.store(y, own, .indirectLoad(x, gathered)))])
        #expect(gather.collapsingContiguousLoops() == gather)
    }

    /// The backward of a window: `dx[i0 × 2 + r0] += dy[i0]`. Windows of 3 overlap (points
    /// collide), windows of 2 tile (each element has one writer).
    @Test func overlappingWindowsRace() {
        let (dx, dy) = (buffer(64), buffer(31))
        func backward(window: Int) -> LoopKernel {
            let nest = ReductionNest(extents: [window], accumulators: [],
                                     body: [.accumulate(dx, .affine(K.scaled(.parallel(0), 2) + K.r0), .load(dy, K.i0), .add)])
            return LoopKernel(parallelExtents: [31], steps: [.nest(nest)])
        }
        #expect(backward(window: 3).racingVariables == [.parallel(0)])
        #expect(backward(window: 2).racingVariables.isEmpty)
    }

    /// A one-point kernel folding a large nest runs in chunks when it only reads through a
    /// table (cross-entropy's sum of picked log-probabilities), never when its body scatters.
    @Test func chunkingDeclinesIrregularWrites() {
        let count = 1 << 17
        let (x, idx, y) = (buffer(count), buffer(count, .int64), buffer(8))
        let picked = ScalarExpr.indirectLoad(x, IndirectIndex(table: idx, position: K.r0, scale: 1, count: count))
        let sum = ReductionNest(extents: [count], accumulators: [Accumulator(name: "acc", type: .float64, initial: .doubleLiteral(0), fold: .sum)],
                                body: [K.add("acc", .cast(.float64, picked))])
        let reading = LoopKernel(parallelExtents: [], steps: [.nest(sum), .statement(.store(y, .zero, .cast(.float32, .local("acc"))))])
        #expect(!KernelSchedule(reading).chunks.isEmpty)
        #expect(KernelSchedule(reading).simdNests.isEmpty)
        let histogram = ReductionNest(extents: [count], accumulators: [],
                                      body: [.accumulate(y, .indirect(IndirectIndex(table: idx, position: K.r0, scale: 1, count: 8)), .load(x, K.r0), .add)])
        #expect(KernelSchedule(LoopKernel(parallelExtents: [], steps: [.nest(histogram)])).chunks.isEmpty)
    }

    /// The C text of each form: an indirect index, a guarded load whose fill is parenthesized
    /// as a ternary's operand, and an accumulating store with no atomic.
    @Test func rendererSpellsEachForm() {
        let (x, idx, y) = (buffer(16), buffer(4, .int64), buffer(16))
        let renderer = CFamilyRenderer(bufferName: { "v\($0.id)" })
        let gathered = IndirectIndex(table: idx, position: K.i0, scale: 4, count: 4, remainder: K.i1)
        #expect(renderer.render(.indirectLoad(x, gathered)) == "v\(x.id)[v\(idx.id)[i0] * 4 + i1]")
        let shifted = K.i0 + K.constant(-1)
        let guarded = ScalarExpr.guardedLoad(x, shifted, bounds: [IndexBound(shifted, below: 16)], fill: .floatLiteral(-.infinity))
        #expect(renderer.render(guarded) == "i0 + -1 >= 0 && i0 + -1 < 16 ? v\(x.id)[i0 + -1] : (-INFINITY)")
        #expect(renderer.render(.infix("*", guarded, .floatLiteral(2))) == "(i0 + -1 >= 0 && i0 + -1 < 16 ? v\(x.id)[i0 + -1] : (-INFINITY)) * 2.0f")
        #expect(renderer.render(.accumulate(y, .indirect(gathered), .load(x, K.i0), .add)) == "v\(y.id)[v\(idx.id)[i0] * 4 + i1] += v\(x.id)[i0];")
        #expect(renderer.render(.indirectStore(y, gathered, .floatLiteral(1))) == "v\(y.id)[v\(idx.id)[i0] * 4 + i1] = 1.0f;")
    }
}
