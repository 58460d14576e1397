import Foundation
import Testing
import TGCCBackend
import TGCDriver
@testable import TGCStress

/// Generated C under AddressSanitizer and UBSan: every sample with an `.expected` output, and
/// a handful of random programs, run clean (exit 0, nothing on stderr) and print what they must.
@Suite struct SanitizerTests {
    static let samples = StressTestSupport.paths.samplesWithExpectedOutput

    @Test func samplesExist() {
        #expect(Self.samples.count >= 10)
    }

    @Test(arguments: samples)
    func sampleRunsClean(_ sample: URL) throws {
        let folder = try StressTestSupport.temporaryDirectory("asan")
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = folder.appendingPathComponent("program").path
        try Pipeline.buildExecutable(sample.path, to: binary, extraFlags: CToolchain.sanitizerFlags)
        let result = try ChildProcess.run(binary, ["--out", folder.path], timeout: 120,
                                          environment: ["ASAN_OPTIONS": "detect_leaks=0"], directory: folder)
        #expect(result.status == 0 && !result.signaled, "\(sample.lastPathComponent) exited with \(result.status)")
        #expect(result.stderr.isEmpty, "\(sample.lastPathComponent) wrote to stderr: \(result.stderr.prefix(1000))")
        let expected = try String(contentsOfFile: sample.deletingPathExtension().path + ".expected", encoding: .utf8)
        #expect(result.stdout == expected, "output of \(sample.lastPathComponent)")
    }

    /// Ten random programs in two sanitized gcc runs, compared with eager mode as in difftest.
    @Test func generatedProgramsRunClean() throws {
        var runner = DiffRunner(seed: 77, batchSize: 5)
        runner.flags = CToolchain.sanitizerFlags
        runner.shrinkAttempts = 10
        let report = try runner.run(count: 10)
        for mismatch in report.mismatches {
            Issue.record("program \(mismatch.unitIndex): \(mismatch.differences.prefix(2).joined(separator: "; "))\n\(mismatch.shrunkSource)")
        }
    }
}
