import Foundation
import Testing
import TGCBase
@testable import TGCCBackend
@testable import TGCLowering
@testable import TGCCore

/// Sibling reductions (SiblingReductions.swift): batch norm's backward takes its two
/// per-channel sums, sum(g) and sum(g·x̂), in one reduction loop with two accumulators, and the
/// compiled program computes what the interpreter does.
@Suite(.enabled(if: gccAvailable, gccMissing))
struct SiblingReductionTests {
    /// BatchNorm2d in training, ReLU and a weighted sum: the backward's per-channel sums of the
    /// masked gradient run over 16 channels of 8 × 12 × 12 elements.
    static let batchNormBackward = """
        manualSeed(41)
        var x = randn([8, 16, 16, 16])
        x.requiresGrad = true
        let bn = BatchNorm2d(16)
        let y = relu(bn(x))
        let loss = (y * randn([8, 16, 16, 16])).sum()
        loss.backward()
        save(x.grad, "dx.npy")
        save(bn.weight.grad, "dweight.npy")
        save(bn.bias.grad, "dbias.npy")
        """

    /// Three row sums reading x (and y): one loop with three accumulators, the second and
    /// third kernels' locals renamed apart.
    static let threeSums = """
        manualSeed(42)
        let x = randn([64, 1000])
        let y = randn([64, 1000])
        let a = x.sum(dim: 1)
        let b = (x * y).sum(dim: 1)
        let c = (x * y * y).sum(dim: 1)
        save(a, "a.npy")
        save(b, "b.npy")
        save(c, "c.npy")
        """

    /// The row functions of `c` whose one reduction loop folds two accumulators.
    static func siblingLoops(_ c: String) -> [Substring] {
        c.split(separator: "\n").filter { $0.contains("#pragma omp simd reduction(+:acc0, k1_acc0)") }
    }

    @Test func batchNormBackwardSumsShareOneLoop() throws {
        let c = try CEmitterTextTests.emit(source: Self.batchNormBackward)
        #expect(Self.siblingLoops(c).count == 1, "sum(g) and sum(g·x̂) in one loop: \(c)")
        #expect(c.contains("sibling reductions in one nest"), "\(c)")
        // Without the merge, each sum would be its own row function with its own loop.
        #expect(!c.contains("fused_greater_reshape_select_reduce_sum_row("), "\(c)")
    }

    @Test func batchNormBackwardAgreesWithInterpreter() throws {
        let name = "bn-siblings"
        _ = try CrossBackend.expectAgreement(try CrossBackend.module(source: Self.batchNormBackward, name: name), name: name)
    }

    @Test func threeSiblingsShareOneLoop() throws {
        let c = try CEmitterTextTests.emit(source: Self.threeSums)
        #expect(c.contains("#pragma omp simd reduction(+:acc0, k1_acc0, k2_acc0)"), "\(c)")
        let name = "three-siblings"
        _ = try CrossBackend.expectAgreement(try CrossBackend.module(source: Self.threeSums, name: name), name: name)
    }

    /// A reduction that reads the other's result (the variance after the mean) is no sibling:
    /// its loop stays apart.
    @Test func dependentReductionsStayApart() throws {
        let c = try CEmitterTextTests.emit(source: RowNestTests.rowNormalization)
        #expect(!c.contains("k1_"), "\(c)")
    }
}
