import Foundation
import Testing
@testable import TGCStress

/// The supervised fuzz loop: a worker that dies is restarted after the input that killed it,
/// and the input, minimized, becomes one regression file per distinct crash.
@Suite struct SupervisorTests {
    @Test func crashingInputsBecomeRegressions() throws {
        guard let stress = StressTestSupport.tgcStress else {
            Issue.record("tgc-stress is not built next to the tests (swift build --product tgc-stress)")
            return
        }
        let root = try StressTestSupport.temporaryDirectory("supervisor")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("samples"), withIntermediateDirectories: true)
        let marker = "CRASH_ME_7F3A"
        let program = (1...6).map { "let a\($0) = \($0) // \(marker)" }.joined(separator: "\n") + "\nprint(a1)\n"
        try Data(program.utf8).write(to: root.appendingPathComponent("samples/crash.swiftdsl"))
        let regressions = root.appendingPathComponent("regressions")

        var supervisor = FuzzSupervisor(seed: 11, workDirectory: root.appendingPathComponent("work"), regressions: regressions,
                                        executable: stress, root: root)
        supervisor.environment = ["TGC_STRESS_INJECT_CRASH": marker]
        supervisor.minimizeAttempts = 40
        let report = try supervisor.run(seconds: 4)

        #expect(!report.crashes.isEmpty, "no crash recorded in \(report.tried) inputs")
        #expect(report.tried > report.crashes.count, "the worker went on after a crash")
        #expect(report.crashes.allSatisfy { $0.signature.contains("injected crash") })
        let files = RepositoryPaths.programs(in: regressions)
        #expect(files.count == 1, "one regression file per distinct crash, got \(files.count)")
        let text = try files.first.map { try String(contentsOf: $0, encoding: .utf8) } ?? ""
        #expect(text.contains("// signature: ") && text.contains(marker))
        #expect(text.split(separator: "\n").filter { !$0.hasPrefix("//") && !$0.isEmpty }.count <= 1, "minimized: \(text)")
    }
}
