import Foundation
import Testing
import TGCBase
@testable import TGCCUDABackend
@testable import TGCDriver

/// The CUDA target on every sample: built against the CPU emulation of CUDA (`--target cuda
/// --emulate`), each must print its `.expected` output; where nvcc is installed (`make cuda`),
/// the generated CUDA of each must compile and link for the GPU.
@Suite struct CUDASampleTests {
    /// Samples the CUDA target does not support yet, with the reason. Every other sample of
    /// GoldenSampleTests runs here; a sample in this list is a known gap, not a skipped test.
    static let unsupported: [String: String] = [:]

    static let samples = GoldenSampleTests.samples.filter { unsupported[$0.deletingPathExtension().lastPathComponent] == nil }

    @Test func unsupportedSamplesExist() {
        let names = Set(GoldenSampleTests.samples.map { $0.deletingPathExtension().lastPathComponent })
        for name in Self.unsupported.keys {
            #expect(names.contains(name), "\(name) is listed as unsupported by the CUDA target but is no sample with expected output")
        }
    }

    @Test(arguments: samples)
    func emulatedOutputMatches(_ sample: URL) throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = directory.appendingPathComponent("program").path
        try Pipeline.buildCUDAExecutable(sample.path, to: binary, emulate: true)
        let (status, output, errors) = try TestPaths.execute(binary, in: directory)
        #expect(status == 0, "\(sample.lastPathComponent) (CUDA, emulated) exited with \(status): \(errors)")
        #expect(output == (try GoldenSampleTests.expected(sample)), "CUDA (emulated) output of \(sample.lastPathComponent)")
    }

    /// nvcc compiles and links every sample's CUDA (when nvcc is installed: `make test` installs
    /// it with `make cuda`). Without a GPU the program must say so and exit non-zero; with one it
    /// must print the expected output.
    @Test(.enabled(if: CUDAToolchain.findNVCC() != nil, "nvcc is not installed (make cuda)"), arguments: samples)
    func nvccCompiles(_ sample: URL) throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = directory.appendingPathComponent("program").path
        try Pipeline.buildCUDAExecutable(sample.path, to: binary, emulate: false)
        let (status, output, errors) = try TestPaths.execute(binary, in: directory)
        if status == 0 {
            #expect(output == (try GoldenSampleTests.expected(sample)), "CUDA (GPU) output of \(sample.lastPathComponent)")
        } else {
            #expect(errors.contains("tgc: no GPU: this program was built for CUDA"), "\(sample.lastPathComponent) on the GPU exited with \(status): \(errors)")
        }
    }

    /// Reductions over sizes that are no multiple of a warp or a block (1, 31, 33, 1025,
    /// 2^20 + 3: the last one a block folding 33 chunks), along a row, and matrix products of
    /// odd shapes (the device sgemm's edge tiles) print what the interpreter prints.
    @Test func oddSizesMatchTheInterpreter() throws {
        var program = ""
        for (index, size) in [1, 31, 33, 1025, (1 << 20) + 3].enumerated() {
            program += "let x\(index) = randn(\(size))\nprint(x\(index).sum(), x\(index).max(), x\(index).min(), x\(index).mean())\n"
        }
        program += """
            let rows = randn(3, 1025)
            print(rows.sum(dim: 1), rows.softmax(dim: 1).sum(dim: 1))
            let m = randn(33, 17)
            let k = randn(17, 129)
            print(m.matmul(k).sum(dim: 0))
            print(m.T.matmul(m))

            """
        try expectEmulationMatchesTheInterpreter(program, named: "sizes")
    }

    /// Reductions along an axis (rows of 1, 31, 33, 1025 and 2^20 + 3 elements, many short
    /// rows, leading axes) and the reductions fusion puts in front of an epilogue (softmax,
    /// batch-norm mean and variance), and elementwise kernels read in float4 (biases, row
    /// values, odd tails), print what the interpreter prints: thread-per-point,
    /// warp-per-point and block-per-point kernels; sums, max, min, arg-max, any and all over
    /// float32, float64, int64 and bool; NaN rows; rows of +0 and -0, whose max takes the sign of
    /// the last zero in order (a tree order alone would differ), also in the fixed chunks of a
    /// full max.
    @Test func axisReductionsMatchTheInterpreter() throws {
        var program = ""
        for (index, size) in [1, 31, 33, 1025, (1 << 20) + 3].enumerated() {
            let rows = size > 4096 ? 2 : 3
            program += """
                let r\(index) = randn(\(rows), \(size))
                print(r\(index).sum(dim: 1), r\(index).max(dim: 1), r\(index).min(dim: 1).values, r\(index).mean(dim: 1))
                print(r\(index).softmax(dim: 1).sum(dim: 1), r\(index).logsumexp(dim: 1))

                """
        }
        program += """
            let short = randn(5000, 3)
            print(short.sum(dim: 1).sum(), short.max(dim: 1).values.sum(), short.sum(dim: 0))
            let many = randn(4100, 40)
            print(many.sum(dim: 1).sum(), many.sum(dim: 0).sum(), many.softmax(dim: 1).max(dim: 1).values.sum())
            let x = randn(16, 32, 9, 9)
            let mean = x.mean(dim: [0, 2, 3], keepDim: true)
            let variance = ((x - mean) * (x - mean)).mean(dim: [0, 2, 3])
            print(mean.flatten(), variance)
            print(x.var(dim: [0, 2, 3]), x.amax(dim: [0, 2, 3]))
            let signedZeros = randn(16, 40) * 0.0
            print(signedZeros.amax(dim: 1), signedZeros.amin(dim: 1), signedZeros.max(), signedZeros.min())
            let wideZeros = randn(8, 3000) * 0.0
            print(wideZeros.amax(dim: 1), wideZeros.amin(dim: 1))
            let chunkedZeros = randn(6, 65541) * 0.0
            print(chunkedZeros[0].max(), chunkedZeros[1].max(), chunkedZeros[2].max(),
                  chunkedZeros[3].max(), chunkedZeros[4].max(), chunkedZeros[5].max())
            let integers = randint(-50, 50, [7, 300])
            print(integers.sum(dim: 1), integers.max(dim: 1).values, integers.amin(dim: 1))
            let doubles = randn(5, 3000).double()
            print(doubles.sum(dim: 1), doubles.amax(dim: 1))
            let withNaN = (randn(4, 100).abs() + 0.1 - tensor([[0.0], [0.0], [5.0], [0.0]])).sqrt()
            print(withNaN.amax(dim: 1), withNaN.sum(dim: 1), withNaN.amin(dim: 1))
            let biased = randn(8, 36) + randn(36) - randn(8, 1)
            print(biased.softmax(dim: 1).sum(), biased.exp().max(dim: 1).values, (randn(3, 6) + randn(6)).relu())
            let flags = randn(6, 200) > 0.0
            print(flags.any(dim: 1), flags.all(dim: 1), flags.sum(dim: 1))

            """
        try expectEmulationMatchesTheInterpreter(program, named: "axes")
    }

    /// chapter 5's CNN training loop (samples/cnn_fashion.swiftdsl: convolutions, batch norm,
    /// pooling, augmentation, Adam and the cosine schedule carried over 2 batches and 2 epochs,
    /// then evaluation) on 128 training and 64 test images prints what the interpreter prints.
    /// The sample's own subset takes over ten minutes under the emulation (docs/CUDA.md).
    @Test func cnnTrainingLoopMatchesTheInterpreter() throws {
        let sample = try String(contentsOf: TestPaths.samples.appendingPathComponent("cnn_fashion.swiftdsl"), encoding: .utf8)
        var program = sample
        for (from, to) in [("hyper(\"limit\", 1000)", "hyper(\"limit\", 128)"), ("hyper(\"testLimit\", 500)", "hyper(\"testLimit\", 64)")] {
            #expect(program.contains(from), "cnn_fashion.swiftdsl no longer says \(from)")
            program = program.replacingOccurrences(of: from, with: to)
        }
        try expectEmulationMatchesTheInterpreter(program, named: "cnn_small", withSampleData: true)
    }

    /// Builds `program` against the CUDA emulation and expects the interpreter's output (with
    /// samples/data beside it as `data` when the program reads from there).
    private func expectEmulationMatchesTheInterpreter(_ program: String, named name: String, withSampleData: Bool = false) throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        if withSampleData {
            try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("data"),
                                                       withDestinationURL: TestPaths.samples.appendingPathComponent("data"))
        }
        let path = directory.appendingPathComponent("\(name).swiftdsl").path
        try Data(program.utf8).write(to: URL(fileURLWithPath: path))
        let binary = directory.appendingPathComponent("program").path
        try Pipeline.buildCUDAExecutable(path, to: binary, emulate: true)
        let (status, output, errors) = try TestPaths.execute(binary, in: directory)
        #expect(status == 0, "\(name) exited with \(status): \(errors)")
        #expect(output == (try Pipeline.eagerOutput(of: path, outputDirectory: directory.path)), "CUDA (emulated) output of \(name)")
    }

    /// The generated CUDA maps reductions onto warps and blocks and elementwise kernels onto
    /// float4 accesses (the point's own elements, a bias along the row, a value per row): a
    /// regression to one thread per point fails here.
    @Test func reductionsAndLoadsUseTheirMappings() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func cuda(_ program: String) throws -> String {
            let path = directory.appendingPathComponent("mapping.swiftdsl").path
            try Data(program.utf8).write(to: URL(fileURLWithPath: path))
            return try CUDAEmitter.emit(try Pipeline.module(of: path), programName: "mapping", description: "")
        }
        let batchNorm = try cuda("let x = randn(64, 32, 14, 14)\nprint(x.sum(dim: [0, 2, 3]))\n")
        #expect(batchNorm.contains("a block of 256 threads per point, striding its reductions"))
        #expect(batchNorm.contains("for (int64_t tgc_r = threadIdx.x; tgc_r < 12544; tgc_r += 256)"))
        #expect(batchNorm.contains("tgc_shfl_down(acc0, tgc_offset)"))
        let rows = try cuda("let x = randn(512, 1000)\nprint(x.sum(dim: 1))\n")
        #expect(rows.contains("a warp per point, striding its reductions"))
        #expect(rows.contains("for (int64_t tgc_r = tgc_lane; tgc_r < 1000; tgc_r += 32)"))
        let full = try cuda("let x = randn(1048576)\nprint(x.sum())\n")
        #expect(full.contains("a warp folds each fixed chunk"))
        #expect(full.contains("for (int64_t chunk = tgc_warp; chunk < 32; chunk += 8)"))
        let elementwise = try cuda("let x = randn(1026)\nprint((x * 2.0 + 1.0).exp())\n")
        #expect(elementwise.contains("reinterpret_cast<const float4 *>"))
        #expect(elementwise.contains("make_float4("))
        #expect(elementwise.contains("/* the last 2 points */"))
        let rowwise = try cuda("let x = randn(64, 32)\nlet b = randn(32)\nlet m = randn(64, 1)\nprint((x + b - m).exp())\n")
        #expect(rowwise.contains("const float tgc_in1[4]"), "the bias is read as a float4 too")
        #expect(rowwise.contains("tgc_in1[3]"))
    }

    /// `--target cuda` and `--emulate` go with compile and compiled runs; a run needs --emulate.
    @Test func targetOptions() throws {
        let compile = try Options.parse(["compile", "m.swiftdsl", "--target", "cuda", "--emulate"])
        #expect(compile.target == "cuda" && compile.emulate)
        #expect(try Options.parse(["run", "--target", "cuda", "--emulate", "m.swiftdsl"]).emulate)
        #expect(try Options.parse(["compile", "m.swiftdsl", "--emit", "cuda"]).emit == "cuda")
        #expect(throws: ToolError.self) { try Options.parse(["run", "--target", "cuda", "m.swiftdsl"]) }
        #expect(throws: ToolError.self) { try Options.parse(["compile", "m.swiftdsl", "--emulate"]) }
        #expect(throws: ToolError.self) { try Options.parse(["compile", "m.swiftdsl", "--target", "metal"]) }
        #expect(throws: ToolError.self) { try Options.parse(["run", "--eager", "--target", "cuda", "--emulate", "m.swiftdsl"]) }
        #expect(throws: ToolError.self) { try Options.parse(["compile", "m.swiftdsl", "--target", "cuda", "--emit", "c"]) }
    }

    /// Without nvcc, a build for the GPU names the command that installs it.
    @Test func missingNVCCNamesMakeCUDA() throws {
        let empty = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(CUDAToolchain.findNVCC(environment: ["PATH": empty.path], runtime: empty) == nil)
        #expect(CUDAToolchain.findNVCC(environment: ["TGC_NVCC": empty.appendingPathComponent("nvcc").path], runtime: nil) == nil)
        #expect(CUDAToolchain.missingNVCC.description.contains("make cuda"))
    }
}
