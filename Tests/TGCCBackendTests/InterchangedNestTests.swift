import Foundation
import Testing
import TGCBase
@testable import TGCCBackend
@testable import TGCCore

/// Interchanged nests (InterchangedNests.swift): reductions over leading axes run their
/// reduction loops outside a vectorized loop over a block of contiguous lanes, with the same
/// bits as the interpreter and on any number of threads; and full reductions whose several
/// large nests each fold fixed chunks.
@Suite(.enabled(if: gccAvailable, gccMissing))
struct InterchangedNestTests {
    /// Column reductions of odd shapes: a partial last block (300 = 4 × 64 + 44), max with
    /// arg-max, an outer parallel loop (`[5, 129, 67]` over axis 1), a mean with a broadcast
    /// operand in both directions, fewer lanes than a block, and a column sum big enough to
    /// run in parallel. Rows of NaN (log of the negative `c`) check that max and arg-max still
    /// meet NaN in order.
    static let columns = """
        manualSeed(31)
        let x = randn([37, 300])
        save(x.sum(dim: 0), "colsum.npy")
        let (m, i) = x.max(dim: 0)
        save(m, "colmax.npy")
        save(i, "colargmax.npy")
        let y = randn([5, 129, 67])
        save(y.sum(dim: 1), "midsum.npy")
        let b = randn([300])
        let c = randn([37, 1])
        save((x * b + c).mean(dim: 0, keepDim: true), "colmean.npy")
        save(randn([3, 1, 9]).sum(dim: 0), "lanes9.npy")
        save(randn([1000, 70]).sum(dim: 0), "bigcol.npy")
        let withNaN = x + log(c) * 0
        let (nanMax, nanArg) = withNaN.max(dim: 0)
        save(nanMax, "nanmax.npy")
        save(nanArg, "nanarg.npy")
        """

    @Test func agreesExactlyWithInterpreter() throws {
        try CrossBackend.expectAgreement(try CrossBackend.module(source: Self.columns, name: "columns"),
                                         name: "columns", exact: true)
    }

    @Test func threadCountDoesNotChangeResults() throws {
        try CrossBackend.expectThreadIndependence(try CrossBackend.module(source: Self.columns, name: "columns-threads"),
                                                  name: "columns-threads", files: 9)
    }

    /// The column sum's accumulators are a stack array per block; the lanes loop is `simd`
    /// inside the reduction loop; the last block is cut at the extent.
    @Test func columnSumIsInterchanged() throws {
        let c = try CEmitterTextTests.emit(source: """
            let x = randn([37, 300])
            print(x.var(dim: 0))
            print(randn([1000, 70]).sum(dim: 0))
            """)
        #expect(c.contains("for (int64_t blk = 0; blk < 5; blk++) {"), "\(c)")
        #expect(c.contains("const int64_t hi = lo + 64 < 300 ? lo + 64 : 300;"))
        #expect(c.contains("double acc0[64];"))
        #expect(c.contains("""
                    for (int64_t r0 = 0; r0 < 37; r0++) {
                        #pragma omp simd
                        for (int64_t i0 = lo; i0 < hi; i0++) {
                            acc0[i0 - lo] += (double)v
            """), "\(c)")
        #expect(c.contains("#pragma omp parallel for\n    for (int64_t blk = 0; blk < 2; blk++) {"), "the big one is parallel: \(c)")
        #expect(c.contains("its reduction loop runs outside the innermost loop"))
    }

    /// A reduction over the last axis reads rows: it keeps its plain nest.
    @Test func rowReductionKeepsItsNest() throws {
        let c = try CEmitterTextTests.emit(source: """
            let x = randn([37, 300])
            print(x.var(dim: 1))
            """)
        #expect(!c.contains("blk"), "\(c)")
        #expect(c.contains("acc0 += (double)v"))
    }

    /// Two full sums fused into one kernel of one element: each large nest folds its own
    /// fixed chunks in parallel (KernelSchedule.chunks).
    @Test func everyLargeNestOfAFullReductionFoldsChunks() throws {
        let source = """
            manualSeed(5)
            let a = randn([300, 250])
            let b = randn([70001])
            save((a * 2).sum() + (b - 1).sum(), "two.npy")
            """
        let c = try CEmitterTextTests.emit(source: source)
        #expect(c.components(separatedBy: "chunks of 32768 iterations, folded in order").count - 1 == 2, "\(c)")
        #expect(c.contains("#pragma omp parallel for schedule(static)"))
        try CrossBackend.expectAgreement(try CrossBackend.module(source: source, name: "two-sums"), name: "two-sums")
    }

    /// A chunked sum keeps 16 partial sums per chunk and, where TGC_PREFETCH_SUMS is set,
    /// prefetches every stream it reads (two here: a and b), with a tail when the chunk is not a multiple of 16 long; the
    /// result agrees with the interpreter's sequential sum.
    @Test func chunkedSumsRunInLanesAndPrefetchTheirStreams() throws {
        let source = """
            manualSeed(11)
            let a = randn([100003])
            let b = rand([100003])
            save(((a - b) * (a - b)).mean(), "mse.npy")
            """
        let c = try CEmitterTextTests.emit(source: source)
        #expect(c.contains("acc0_lane[lane] += "), "\(c)")
        #expect(c.components(separatedBy: "__builtin_prefetch(&v").count - 1 == 2, "\(c)")
        #expect(c.contains("#if TGC_PREFETCH_SUMS\n"), "the prefetches are the machine's choice")
        #expect(c.contains("for (int64_t r0 = r0_base; r0 < chunkEnd; r0++)"))
        try CrossBackend.expectAgreement(try CrossBackend.module(source: source, name: "lane-sums"), name: "lane-sums")
    }
}
