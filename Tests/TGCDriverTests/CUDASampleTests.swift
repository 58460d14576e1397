import Foundation
import Testing
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

    /// Without nvcc, a build for the GPU names the command that installs it.
    @Test func missingNVCCNamesMakeCUDA() throws {
        let empty = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(CUDAToolchain.findNVCC(environment: ["PATH": empty.path], runtime: empty) == nil)
        #expect(CUDAToolchain.findNVCC(environment: ["TGC_NVCC": empty.appendingPathComponent("nvcc").path], runtime: nil) == nil)
        #expect(CUDAToolchain.missingNVCC.description.contains("make cuda"))
    }
}
