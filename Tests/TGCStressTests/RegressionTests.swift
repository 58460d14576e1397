import Foundation
import Testing
@testable import TGCStress

/// Every crash input in tests/regressions runs through the built `tgc` (front end and passes
/// with `tgc ir`, then eager mode) in a child process, so one that still crashes fails its own
/// test instead of the test run. Each must compile or fail with a clean diagnostic.
@Suite struct RegressionTests {
    static let files = RepositoryPaths.programs(in: StressTestSupport.paths.regressions)

    @Test func regressionsExist() {
        #expect(!Self.files.isEmpty)
    }

    @Test(arguments: files)
    func compilesOrFailsCleanly(_ file: URL) throws {
        guard let tgc = StressTestSupport.tgc else {
            Issue.record("tgc is not built next to the tests (swift build --product tgc)")
            return
        }
        let work = try StressTestSupport.temporaryDirectory("regression")
        defer { try? FileManager.default.removeItem(at: work) }
        for command in [["ir", file.path], ["run", "--eager", file.path, "--out", work.path]] {
            let result = try ChildProcess.run(tgc, command, timeout: 30, environment: ["SWIFT_BACKTRACE": "enable=no"], directory: work)
            let what = "tgc \(command[0] == "ir" ? "ir" : "run --eager") \(file.lastPathComponent)"
            #expect(!result.timedOut, "\(what) ran past 30 s")
            #expect(!result.signaled, "\(what) died of signal \(result.status): \(result.stderr.prefix(300))")
            #expect([0, 1].contains(result.status), "\(what) exited with \(result.status)")
            if result.status == 1 {
                #expect(StressTestSupport.isCleanError(result.stderr), "\(what): \(result.stderr.prefix(300))")
            }
        }
    }
}
