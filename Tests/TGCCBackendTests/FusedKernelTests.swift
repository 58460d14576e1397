import Foundation
import Testing
import TGCBase
@testable import TGCCBackend
@testable import TGCCore

/// Fused kernels against the interpreter: each program goes through the whole pass pipeline
/// (fusion and the memory plan included), then the same optimized IR runs on ModuleRunner and
/// as compiled C (plain -O3 and sanitized), and every saved tensor and printed line must agree
/// (CrossBackend's tolerance).
@Suite(.enabled(if: gccAvailable, gccMissing))
struct FusedKernelTests {
    static let programs: [(name: String, source: String)] = [
        ("broadcast-chains", """
        manualSeed(11)
        let a = randn([4, 1, 6])
        let b = randn([3, 1])
        let c = randn([6])
        save(relu(a * b + c) * 0.5 - a, "relu_chain.npy")
        save(sigmoid(a - c) * tanh(b) + exp(-abs(c)) / (c * c + 1), "mixed_chain.npy")
        save(where(a > b, sqrt(abs(a)), -b) + maximum(a, c) * 2, "select_chain.npy")
        let n = arange(0, 24).reshape([4, 6])
        save((n % 5) * 3 - n / 7, "int_chain.npy")
        """),
        ("reshape-transpose-leaves", """
        manualSeed(12)
        let x = randn([6, 4])
        let y = randn([4, 6])
        save(x.T * 2 + y, "transpose_leaf.npy")
        save(exp(x.reshape([4, 6])) * y - 1, "reshape_leaf.npy")
        save(x.reshape([24]).unsqueeze(0) * 3 + 1, "unsqueeze_leaf.npy")
        let z = randn([2, 3, 4])
        save(z.transpose(0, 2) * z.transpose(0, 2) + x.reshape([4, 3, 2]), "transpose3d_leaf.npy")
        save((x.T + y).sum(dim: 1), "transpose_into_reduction.npy")
        """),
        ("reduction-prologues", """
        manualSeed(13)
        let x = randn([3, 4, 5])
        save((x * x + 1).sum(dim: 0), "sum0.npy")
        save((x * x + 1).sum(dim: 1, keepDim: true), "sum1_keep.npy")
        save((x * x + 1).sum(dim: 2), "sum2.npy")
        save((x * x + 1).sum(), "sum_all.npy")
        save(exp(x - 1).sum(dim: [0, 2]), "sum02.npy")
        let (m0, i0) = (x * 2 - 1).max(dim: 0)
        save(m0, "max0.npy")
        save(i0, "argmax0.npy")
        let (m2, i2) = abs(x).min(dim: 2, keepDim: true)
        save(m2, "min2.npy")
        save(i2, "argmin2.npy")
        save((x + 3).argmax(), "argmax_all.npy")
        save(abs(x).mean(dim: 1), "mean1.npy")
        """),
        ("epilogues", """
        manualSeed(14)
        let x = randn([6, 7])
        save((x * x).sum(dim: 1).sqrt(), "norm_rows.npy")
        save(x.mean(), "mean_all.npy")
        save(((x - 1) ** 2).sum() + x.sum(), "two_full_sums.npy")
        let (rowMax, _) = (x * 2).max(dim: 1)
        save(exp(x).sum(dim: 1) - rowMax, "sum_and_max_rows.npy")
        save(x.std(), "std.npy")
        save(x.std(dim: 0), "std0.npy")
        """),
        ("softmax", """
        manualSeed(15)
        let x = randn([5, 9])
        let (m, _) = x.max(dim: 1, keepDim: true)
        let e = exp(x - m)
        save(e / e.sum(dim: 1, keepDim: true), "softmax.npy")
        let shifted = x - m
        save(shifted - log(exp(shifted).sum(dim: 1, keepDim: true)), "log_softmax.npy")
        let col = exp(x) / exp(x).sum(dim: 0, keepDim: true)
        save(col, "softmax_columns.npy")
        """),
        ("mse", """
        manualSeed(16)
        let pred = randn([32, 3])
        let target = randn([32, 3])
        let loss = ((pred - target) ** 2).mean()
        save(loss, "mse.npy")
        print("mse = \\(loss.item(), precision: 6)")
        let g = grad(of: loss, wrt: pred)
        save(g, "mse_grad.npy")
        """),
        ("large-parallel", """
        manualSeed(17)
        let a = randn([300, 400])
        let b = randn([400])
        save(relu(a * b + 1) * 0.5 - a, "chain_parallel.npy")
        save((a * a).sum(), "sum_chunked.npy")
        save(exp(a).max(), "max_chunked.npy")
        save((a * b).sum(dim: 1), "rows_parallel.npy")
        save((a - 1).sum(dim: 0), "columns_parallel.npy")
        let (m, _) = a.max(dim: 1, keepDim: true)
        let e = exp(a - m)
        save(e / e.sum(dim: 1, keepDim: true), "softmax_parallel.npy")
        save(randn([4, 20000]) * randn([20000]) + 1, "collapsed_parallel.npy")
        print("total = \\((a * 2).sum().item(), precision: 3)")
        """),
        ("large-max-nan-and-zeros", """
        manualSeed(19)
        let a = randn([300, 400])
        let zeros = sign(a) * 0
        let (signedZeroMax, _) = zeros.max(dim: 1)
        print(signedZeroMax)
        let (negativeZeroMax, _) = (-relu(a - 5)).max(dim: 1)
        print(negativeZeroMax)
        let (zeroMin, _) = relu(a - 5).min(dim: 1)
        print(zeroMin)
        let (nanRows, _) = log(a).max(dim: 1)
        save(nanRows, "max_nan_rows.npy")
        save(log(a + 1).min(), "min_nan_all.npy")
        print(zeros.max(), zeros.min(), (-relu(a - 5)).max())
        let big = randn([1000, 300])
        let (rowMax, _) = big.max(dim: 1)
        let (rowMin, _) = big.min(dim: 1)
        save(rowMax - rowMin, "range_rows.npy")
        let (columnMax, _) = big.max(dim: 0)
        save(columnMax, "max_columns.npy")
        let n = arange(0, 120000).reshape([300, 400]) % 977
        let (intRowMax, _) = n.max(dim: 1)
        save(intRowMax, "int_max_rows.npy")
        save(n.min(), "int_min_all.npy")
        """),
    ]

    @Test(arguments: programs.map(\.name))
    func fusedProgramAgrees(_ name: String) throws {
        let source = Self.programs.first { $0.name == name }!.source
        let module = try CrossBackend.module(source: source, name: name)
        #expect(IRPrinter.print(module).contains("fusion \""), "\(name) has no fusion group")
        try CrossBackend.expectAgreement(module, name: name)
    }

    /// A slice feeding elementwise work and a reduction is read in place: one fused kernel
    /// that loads the sliced operand at start + coordinate × step, no kernel copies the slice,
    /// and the results agree with the interpreter; slice assignment (in place over its base)
    /// and its gradient too.
    /// A flip or roll over several dims is a chain of cyclic shifts, each reading a group input
    /// (a roll's wrap is a guarded load); slices and reshapes around them still fuse. Found by
    /// difftest when slices learned to compose with other index maps.
    @Test func chainedShiftsAndSlicesAgreeWithTheInterpreter() throws {
        let source = """
        manualSeed(23)
        let x = rand([2, 3, 7])
        save(neg(x).flip(dims: [1, 2]), "flip_two_dims.npy")
        save(exp(x[0].roll(2, dim: 1)) + x[1].flip(dims: [0]), "roll_of_select.npy")
        save(x.roll([1, -2], dims: [0, 2])[..., 1...4] * 2, "slice_of_roll.npy")
        """
        try CrossBackend.expectAgreement(try CrossBackend.module(source: source, name: "shift-chains"), name: "shift-chains")
    }

    @Test func sliceLeavesAreReadInPlace() throws {
        let source = """
        manualSeed(19)
        let x = randn([8, 16])
        save(exp(x[2..<6, stride(from: 1, to: 16, by: 3)]) + 1, "slice_exp.npy")
        save((x[..., 3] * x[-1, ..<8]).amax(), "select_product.npy")
        let w = randn([5, 4], requiresGrad: true)
        var y = w * 2
        y[1...3, ..<2] = w[..<3, 2...] * w[..<3, 2...]
        y[0] += 1
        let g = grad(of: (y * y).sum(), wrt: w)
        save(y, "updated.npy")
        save(g, "gradient.npy")
        """
        let module = try CrossBackend.module(source: source, name: "slices")
        let ir = IRPrinter.print(module)
        #expect(ir.contains("fusion \"fused_slice_exp_add\""), "the range slice is a leaf of its consumer's kernel")
        #expect(ir.contains("fusion \"fused_slice_reshape_slice_reshape_mul_reduce_max\""), "integer indices too: slice under reshape")
        let c = try CEmitter.emit(module, programName: "slices", description: "")
        #expect(c.contains("tgc_expf(v0[i0 * 16 + i1 * 3 + 33])"), "the slice is read in place at (2 + i0) × 16 + 1 + 3 × i1")
        #expect(c.contains("v0[r0 * 16 + 3] * v0[r0 + 112]"), "x[..., 3] and x[-1, ..<8] are read in place")
        // y's slice assignment is written in place over y (its base dies there): the function
        // takes the result and the value only, and stores just the region.
        #expect(c.contains(/static void op_slice_update\(float \*restrict v\d+, const float \*restrict v\d+\) \{\n    for \(int64_t r0 = 0; r0 < 3; r0\+\+\)/),
                "slice update in place:\n\(c)")
        try CrossBackend.expectAgreement(module, name: "slices")
    }

    /// Two overlapping views of one input feeding a reduction (B9's slice difference): one
    /// kernel, reading x in place at column i and i + 1, no copy of either view.
    @Test func sliceDifferenceIsOneKernel() throws {
        let source = """
        manualSeed(31)
        let x = randn([64, 513])
        save((x[..., 1...] - x[..., ..<512]).abs().sum(), "slice_difference.npy")
        """
        let module = try CrossBackend.module(source: source, name: "slice-difference")
        let c = try CEmitter.emit(module, programName: "slice-difference", description: "")
        let kernels = c.split(separator: "\n").filter { $0.hasPrefix("static void fused_") || $0.hasPrefix("static void op_") }
        #expect(kernels.count == 1, "\(kernels.joined(separator: "\n"))")
        #expect(c.contains(/fabsf\(v0\[r0 \* 513 \+ r1 \+ 1\] - v0\[r0 \* 513 \+ r1\]\)/), "both views read x in place:\n\(c)")
        try CrossBackend.expectAgreement(module, name: "slice-difference")
    }

    /// `cat` is a chain of slice updates into zeros (Builder.concatenate); fusion joins them
    /// into their consumer (FusionJoins.swift): `cat([a, b], dim: 1) * 2` is ONE kernel whose
    /// loads pick a or b by column range, a plain `cat` one kernel writing each element once (no
    /// zero fill, no copies), a cat under a reduction one kernel, a cat of views (transposes,
    /// stack's unsqueezes) reads them in place; gradients (slices of the result's gradient) and
    /// results agree with the interpreter.
    @Test func concatenationIsOneKernel() throws {
        let source = """
        manualSeed(29)
        let a = randn([5, 3], requiresGrad: true)
        let b = randn([5, 4])
        let c = randn([5, 1])
        save(cat([a, b], dim: 1) * 2, "cat_times_two.npy")
        save(cat([b, c, a], dim: 1), "cat_plain.npy")
        save(cat([a, a * 3], dim: 0).sum(dim: 0), "cat_rows_sum.npy")
        save(cat([a.T, b.T], dim: 0) + 1, "cat_of_transposes.npy")
        save(stack([b, b * 2], dim: 1) - 1, "stack.npy")
        let g = grad(of: (cat([a, b], dim: 1) * cat([b, a], dim: 1)).sum(), wrt: a)
        save(g, "cat_gradient.npy")
        """
        let module = try CrossBackend.module(source: source, name: "cat")
        let c = try CEmitter.emit(module, programName: "cat", description: "")
        let kernels = c.split(separator: "\n").filter { $0.hasPrefix("static void fused_") || $0.hasPrefix("static void op_") }
        #expect(!c.contains("op_slice_update") && !c.contains("op_constant"), "no copies into a zero-filled result:\n\(c)")
        #expect(c.contains(/static void fused_slice_update_mul\(float \*restrict v\d+, const float \*restrict v\d+, const float \*restrict v\d+\) \{/),
                "cat(...) * 2 is one kernel reading a and b:\n\(c)")
        #expect(c.contains(/i1 \+ -3 >= 0 && i1 \+ -3 < 4 \? v\d+\[i0 \* 4 \+ i1 \+ -3\]/), "b's columns are read in place:\n\(c)")
        #expect(c.contains("static void fused_transpose_slice_update_transpose_slice_update_add("), "the transposes are read in place:\n\(c)")
        #expect(!c.contains("_transpose(") && !c.contains("_transpose_row("), "no transpose is copied:\n\(c)")
        #expect(c.contains("static void fused_reshape_slice_update_reshape_slice_update_sub("), "stack is one kernel:\n\(c)")
        #expect(kernels.count <= 11, "\(kernels.joined(separator: "\n"))")
        try CrossBackend.expectAgreement(module, name: "cat")
    }

    /// The seed's training loop: fused loss and gradient kernels inside the loop, parameters
    /// updated in place; printed text identical to the interpreter's.
    @Test func linearRegressionLoop() throws {
        let path = TestRepository.samples.appendingPathComponent("ch1_07_linear_regression.swiftdsl").path
        let module = try CrossBackend.module(source: try String(contentsOfFile: path, encoding: .utf8), name: "linreg")
        #expect(IRPrinter.print(module).contains("fusion \"fused_mul_add_sub_"))
        let directory = try CrossBackend.makeDirectory("linreg")
        defer { try? FileManager.default.removeItem(at: directory) }
        let binaries = try CrossBackend.compile(module, name: "linreg", in: directory)
        let expected = try CrossBackend.interpret(module, outputDirectory: directory).map { $0 + "\n" }.joined()
        #expect(expected.contains("Epoch 100: Loss = "))
        for binary in binaries {
            let run = try CrossBackend.execute(binary, [])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout == expected)
        }
    }

    /// An MLP's forward and backward pass: sgemm with transposed operands (`g @ Wᵀ`,
    /// `Xᵀ @ g`), bias/ReLU epilogues, a fused cross-entropy; matmul rounding flows through,
    /// hence the looser tolerance.
    @Test func mlpBackwardPass() throws {
        let source = """
        manualSeed(18)
        let x = randn([16, 13])
        let labels = randn([16, 5]) > 0.3
        let w1 = randn([13, 9]) * 0.4
        let b1 = randn([9]) * 0.1
        let w2 = randn([9, 5]) * 0.4
        let b2 = zeros([5])
        let hidden = relu(matmul(x, w1) + b1)
        let logits = matmul(hidden, w2) + b2
        let (m, _) = logits.max(dim: 1, keepDim: true)
        let shifted = logits - m
        let logProbs = shifted - log(exp(shifted).sum(dim: 1, keepDim: true))
        let loss = -(labels.float() * logProbs).sum() / 16
        let (gw1, gb1, gw2, gb2) = grad(of: loss, wrt: w1, b1, w2, b2)
        save(loss, "loss.npy")
        save(gw1, "gw1.npy")
        save(gb1, "gb1.npy")
        save(gw2, "gw2.npy")
        save(gb2, "gb2.npy")
        save(w1 - 0.1 * gw1, "w1_next.npy")
        """
        let module = try CrossBackend.module(source: source, name: "mlp")
        let c = try CEmitter.emit(module, programName: "mlp", description: "")
        #expect(c.contains("tgc_sgemm(1, 0, ") || c.contains("tgc_sgemm(0, 1, "), "a transposed operand is passed as a flag")
        try CrossBackend.expectAgreement(module, name: "mlp", tolerance: .withMatmuls)
    }

    /// The same binary on one and on two threads: identical bytes (parallel loops split output
    /// elements, full reductions use fixed chunks, sgemm's split does not change its sums).
    @Test func threadCountDoesNotChangeResults() throws {
        let source = Self.programs.first { $0.name == "large-parallel" }!.source + """

        let p = randn([200, 150])
        let q = randn([150, 120])
        save(matmul(p, q), "matmul.npy")
        save(matmul(p.T, p), "matmul_transposed.npy")
        """
        try CrossBackend.expectThreadIndependence(try CrossBackend.module(source: source, name: "threads"),
                                                  name: "threads", files: 9)
    }
}

/// Paths in the repository, found from this source file.
enum TestRepository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = root.appendingPathComponent("samples")
}
