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
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
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
        let path = directory.appendingPathComponent("sizes.swiftdsl").path
        try Data(program.utf8).write(to: URL(fileURLWithPath: path))
        let binary = directory.appendingPathComponent("program").path
        try Pipeline.buildCUDAExecutable(path, to: binary, emulate: true)
        let (status, output, errors) = try TestPaths.execute(binary, in: directory)
        #expect(status == 0, "exited with \(status): \(errors)")
        #expect(output == (try Pipeline.eagerOutput(of: path)))
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
