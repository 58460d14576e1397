import Foundation
import Testing
import TGCBase
@testable import TGCCBackend
@testable import TGCLowering
@testable import TGCCore

/// Row nests (RowNests.swift): consecutive kernels over the same rows share one outer
/// parallel loop when every kernel reads the others' results only at its own row.
@Suite(.enabled(if: gccAvailable, gccMissing))
struct RowNestTests {
    static let softmax = """
        manualSeed(21)
        let x = randn([64, 512])
        let (m, _) = x.max(dim: 1, keepDim: true)
        let e = exp(x - m)
        save(e / e.sum(dim: 1, keepDim: true), "softmax.npy")
        """

    static let rowNormalization = """
        manualSeed(22)
        let x = randn([64, 600]) * 3 + 1
        let mean = x.mean(dim: 1, keepDim: true)
        let std = ((x - mean) ** 2).mean(dim: 1, keepDim: true).sqrt()
        save((x - mean) / std, "rownorm.npy")
        """

    /// `m.reshape([1, 256])` puts row j's max in column j: the add reads m at other rows.
    static let crossRowRead = """
        manualSeed(23)
        let x = randn([256, 256])
        let (m, _) = x.max(dim: 1, keepDim: true)
        save(x + m.reshape([1, 256]), "cross_rows.npy")
        """

    /// Adam in a training loop: each step updates w's two moments and w itself.
    static let adamLoop = """
        manualSeed(24)
        let w = randn([256, 64], requiresGrad: true)
        let x = randn([8, 256])
        let opt = Adam([w], lr: 0.01)
        for step in 0..<3 {
            opt.zeroGrad()
            let loss = (matmul(x, w) ** 2).mean()
            loss.backward()
            opt.step()
        }
        save(w, "adam.npy")
        """

    /// A convolution with a bias, batch norm in training and ReLU over `[8, 16, 16, 16]`: the
    /// backward takes per-channel sums of the masked gradient, per-channel coefficients from
    /// them, the input gradient at every element (a kernel over [image, channel, pixel]) and the
    /// convolution bias's gradient, the per-channel sum of that.
    static let convBatchNorm = """
        manualSeed(43)
        let x = randn([8, 3, 16, 16])
        let conv = Conv2d(3, 16, kernelSize: 3, padding: 1)
        let bn = BatchNorm2d(16)
        let loss = (relu(bn(conv(x))) * randn([8, 16, 16, 16])).sum()
        loss.backward()
        save(conv.weight.grad!, "dw.npy")
        save(conv.bias!.grad!, "db.npy")
        save(bn.weight.grad!, "dgamma.npy")
        save(bn.bias.grad!, "dbeta.npy")
        """

    static func rowNestFunctions(_ c: String) -> [Substring] {
        c.split(separator: "\n").filter { $0.hasPrefix("static void rows_") }
    }

    @Test(arguments: [("softmax", softmax), ("rownorm", rowNormalization), ("cross-rows", crossRowRead), ("adam", adamLoop)])
    func agreesWithInterpreter(_ name: String, _ source: String) throws {
        try CrossBackend.expectAgreement(try CrossBackend.module(source: source, name: name), name: name)
    }

    /// The softmax's four kernels (row max, exp computed once, row sum, divide) run under ONE
    /// parallel loop.
    @Test func softmaxIsOneOuterLoop() throws {
        let c = try CEmitterTextTests.emit(source: Self.softmax)
        #expect(Self.rowNestFunctions(c).count == 1, "\(c)")
        #expect(c.components(separatedBy: "#pragma omp parallel for").count - 1 == 1, "one parallel loop: \(c)")
        #expect(c.components(separatedBy: "for (int64_t i0 = 0; i0 < 64; i0++)").count - 1 == 1)
        #expect(c.contains("    op_reduce_max_row(i0, v"))
        #expect(c.contains("    fused_sub_exp_row(i0, v"))
        #expect(c.contains("    op_reduce_sum_row(i0, v"))
        #expect(c.contains("    op_div_row(i0, v"))
    }

    /// Adam's update of a parameter (exp_avg, exp_avg_sq, then the weight, its step size
    /// computed before them) is one vectorized loop over the parameter's elements: one pass,
    /// run as an element group (ElementGroups.swift) rather than a row nest.
    @Test func adamUpdateIsOneVectorLoop() throws {
        let c = try CEmitterTextTests.emit(source: Self.adamLoop)
        #expect(Self.rowNestFunctions(c).isEmpty, "\(c)")
        let groups = ElementGroupTests.groups(c)
        #expect(groups.count == 1, "\(c)")
        guard let group = groups.first else { return }
        let segment = try #require(c.range(of: "_segment0(int64_t from, int64_t to, ").map { c[$0.upperBound...].prefix { $0 != "}" } })
        #expect(segment.contains("#pragma omp simd\n    for (int64_t i0 = from; i0 < to; i0++)"), "\(segment)")
        #expect(segment.components(separatedBy: "[i0] = s").count - 1 == 3, "\(segment)")
    }

    @Test func rowNormalizationIsOneOuterLoop() throws {
        let c = try CEmitterTextTests.emit(source: Self.rowNormalization)
        #expect(Self.rowNestFunctions(c).count == 1, "\(c)")
        #expect(c.components(separatedBy: "#pragma omp parallel for").count - 1 == 1, "\(c)")
    }

    /// A kernel that reads another's result at a different row must wait for all rows.
    @Test func crossRowReadStaysSeparate() throws {
        let c = try CEmitterTextTests.emit(source: Self.crossRowRead)
        #expect(Self.rowNestFunctions(c).isEmpty, "\(c)")
        #expect(c.contains("static void op_reduce_max("))
        #expect(c.components(separatedBy: "#pragma omp parallel for").count - 1 == 2, "\(c)")
    }

    /// `softmax`, `logSoftmax` and `logsumexp` over the last dim of `[67, 1001]` and over the
    /// middle dim of `[29, 135, 23]` (odd sizes: lanes and reduction loops that are not
    /// multiples of a vector): each is ONE row nest under ONE parallel loop
    /// (the middle-dim reductions run interchanged inside their row functions; logsumexp's
    /// shift, a `[29, 1, 23]` kernel collapsed into one loop of 667, is split back into rows),
    /// the results agree with the interpreter and are the same bytes on 1 and 2 threads.
    @Test(arguments: ["softmax(x, dim: 1)", "logSoftmax(x, dim: 1)", "x.logsumexp(dim: 1)"])
    func rowFunctionsAreOneNest(_ call: String) throws {
        for shape in ["[67, 1001]", "[29, 135, 23]"] {
            let source = """
                manualSeed(24)
                let x = randn(\(shape)) * 4
                save(\(call), "out.npy")
                """
            let c = try CEmitterTextTests.emit(source: source)
            #expect(Self.rowNestFunctions(c).count == 1, "\(call) of \(shape):\n\(c)")
            #expect(c.components(separatedBy: "#pragma omp parallel for").count - 1 == 1, "one parallel loop: \(call) of \(shape):\n\(c)")
            let name = "rows-" + call.prefix(while: { $0 != "(" }).filter(\.isLetter) + "-rank\(shape.split(separator: ",").count)"
            let module = try CrossBackend.module(source: source, name: name)
            try CrossBackend.expectAgreement(module, name: name)
            try CrossBackend.expectThreadIndependence(module, name: name + "-threads", files: 1)
        }
    }

    /// Batch norm's backward runs channel by channel under ONE parallel loop over the 16
    /// channels: the two sums, the coefficients (an element group of one segment), the input
    /// gradient with its channel loop moved outermost (the images loop inside the row) and the
    /// bias's sum of it, which reads the row just written. (The bias gradient's slot is not the
    /// memory of a value that dies at the op before it, which would keep it apart: MemoryPlan.)
    /// The program computes what the interpreter does, the same bytes on 1 and 2 threads.
    @Test func batchNormBackwardRunsChannelByChannel() throws {
        let c = try CEmitterTextTests.emit(source: Self.convBatchNorm)
        let nest = try #require(c.range(of: "for (int64_t i0 = 0; i0 < 16; i0++) {\n        fused_add_fused_multiply_add_greater_broadcast_to_mul_select_and_")
            .map { c[$0.upperBound...].prefix { $0 != "}" } }, "\(c)")
        #expect(nest.contains("        op_mul_and_fused_cast_mul_cast_add_rsqrt_mul"), "the coefficients: \(nest)")
        #expect(nest.contains("        fused_add_fused_multiply_add_greater_broadcast_to_mul_select_row(i0, "), "the input gradient: \(nest)")
        #expect(nest.contains("        op_reduce_sum_row(i0, "), "the bias's sum: \(nest)")
        let gradient = try #require(c.range(of: "static inline void fused_add_fused_multiply_add_greater_broadcast_to_mul_select_row(int64_t i0, ")
            .map { c[$0.upperBound...].prefix(600) })
        #expect(gradient.contains("for (int64_t i1 = 0; i1 < 8; i1++)"), "images inside the channel's row: \(gradient)")
        #expect(gradient.contains("[i1 * 4096 + i0 * 256 + i2]"), "\(gradient)")
        let module = try CrossBackend.module(source: Self.convBatchNorm, name: "rows-batchnorm")
        try CrossBackend.expectAgreement(module, name: "rows-batchnorm")
        try CrossBackend.expectThreadIndependence(module, name: "rows-batchnorm-threads", files: 4)
    }

    /// A kernel joins a nest with a middle loop of the nest's rows moved outermost: the same
    /// points in another order, its indices rewritten; the legality rule reads the channel
    /// `c` of an `[N, C, P]` buffer as row c (stride P), and a nest that reads one buffer by
    /// rows of two kinds (images and channels) is not legal.
    @Test func movedLoopKeepsEveryPoint() throws {
        let module = try CrossBackend.module(source: Self.convBatchNorm, name: "rows-moved")
        let plan = try BufferPlan(module)
        let kernels = module.body.ops.compactMap { op -> LoopKernel? in
            if case .kernel(let kernel) = plan.lowering(of: op) { return kernel }
            return nil
        }
        let at = try #require(kernels.firstIndex { $0.parallelExtents == [8, 16, 256] })
        let gradient = kernels[at]
        // sum(g·x̂), the last of batch norm's channel sums before the gradient
        let sums = try #require(kernels[..<at].last { $0.parallelExtents == [16] && $0.nests.first?.extents == [8, 256] })
        let moved = try #require(gradient.movingOutermost(1))
        #expect(moved.parallelExtents == [16, 8, 256])
        #expect(moved.fitted(rows: 16).first?.parallelExtents == [16, 8, 256])
        #expect(gradient.fitted(rows: 16).map(\.parallelExtents) == [[16, 8, 256]])
        for case .store(_, let index, _) in moved.allStatements {
            #expect(index.stride(of: .parallel(0)) == 256 && index.stride(of: .parallel(1)) == 4096 && index.stride(of: .parallel(2)) == 1)
        }
        #expect(RowNest.isLegal([sums, moved], plan: plan))
        // As lowered, its outer loop runs over the 8 images: a buffer written at i0 × 4096 is
        // not in rows of channels.
        #expect(!RowNest.isLegal([sums, gradient], plan: plan))
    }

    /// The legality rule on the kernels as lowered: every access to a buffer written in the
    /// nest stays in row i0 (`i0 × rowSize + inner`, inner within the row).
    @Test func legalityNeedsRowLocalAccesses() throws {
        func kernels(_ source: String, _ name: String) throws -> ([LoopKernel], BufferPlan) {
            let module = try CrossBackend.module(source: source, name: name)
            let plan = try BufferPlan(module)
            let kernels = module.body.ops.compactMap { op -> LoopKernel? in
                if case .kernel(let kernel) = plan.lowering(of: op) { return kernel }
                return nil
            }
            return (kernels, plan)
        }
        let (softmax, softmaxPlan) = try kernels(Self.softmax, "softmax-legal")
        #expect(softmax.count == 4)
        #expect(RowNest.isLegal(softmax, plan: softmaxPlan))
        let (cross, crossPlan) = try kernels(Self.crossRowRead, "cross-legal")
        #expect(cross.count == 2)
        #expect(cross.allSatisfy { $0.parallelExtents.first == 256 })
        #expect(!RowNest.isLegal(cross, plan: crossPlan))
    }
}
