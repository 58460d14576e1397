import Foundation
import TGCCore

/// The in-process fuzz loop: makes each input, writes it to the crash file
/// (`WORKDIR/current.swiftdsl`, so that after a trap the input that caused it is known) and its
/// index to `WORKDIR/current.index` (the heartbeat a supervising parent watches), checks it, and
/// keeps inputs that break the diagnostic convention or run too long as findings.
public struct FuzzRunner {
    /// An input that was not judged clean, kept with how it was made.
    public struct Finding: Sendable {
        public var index: Int
        public var problem: String
        public var input: Mutator.Input
    }

    /// What a run did.
    public struct Report: Sendable {
        public var tried = 0
        public var accepted = 0
        public var diagnosed = 0
        public var findings: [Finding] = []
        public var nextIndex = 0
    }

    public let mutator: Mutator
    public let workDirectory: URL
    /// A check that takes more than this many seconds of the checking thread's CPU time is
    /// reported as slow (CPU time, so other work on the machine does not make a check slow).
    public let slowLimit: Double

    public init(mutator: Mutator, workDirectory: URL, slowLimit: Double = 1.0) {
        self.mutator = mutator
        self.workDirectory = workDirectory
        self.slowLimit = slowLimit
    }

    /// Fault injection for testing the supervisor: with `TGC_STRESS_INJECT_CRASH=MARKER` in the
    /// environment, an input that contains MARKER traps as a compiler bug would.
    public static func trapIfInjected(_ text: String) {
        if let marker = ProcessInfo.processInfo.environment["TGC_STRESS_INJECT_CRASH"], !marker.isEmpty, text.contains(marker) {
            fatalError("injected crash (TGC_STRESS_INJECT_CRASH)")
        }
    }

    /// The CPU time the calling thread has used, in seconds.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    public var crashFile: URL { workDirectory.appendingPathComponent("current.swiftdsl") }
    public var heartbeatFile: URL { workDirectory.appendingPathComponent("current.index") }

    /// Runs inputs `start`, `start + 1`, ... until `count` inputs are done or `deadline` passes.
    public func run(from start: Int = 0, count: Int = .max, until deadline: Date = .distantFuture) throws -> Report {
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        var report = Report(nextIndex: start)
        while report.tried < count && Date() < deadline {
            let index = report.nextIndex
            let input = mutator.input(index)
            try Data(input.text.utf8).write(to: crashFile)
            for file in input.dataFiles { try NPY.save(file.tensor, to: workDirectory.appendingPathComponent(file.name).path) }
            try Data(String(index).utf8).write(to: heartbeatFile)
            let started = Self.threadCPUSeconds()
            Self.trapIfInjected(input.text)
            let outcome = FrontEndOracle.check(crashFile.path, text: input.text)
            let seconds = Self.threadCPUSeconds() - started
            switch outcome {
            case .accepted: report.accepted += 1
            case .diagnosed: report.diagnosed += 1
            case .malformed(let why): report.findings.append(Finding(index: index, problem: "malformed diagnostic: " + why, input: input))
            }
            if seconds > slowLimit {
                report.findings.append(Finding(index: index, problem: String(format: "slow: the check took %.1f s", seconds), input: input))
            }
            report.tried += 1
            report.nextIndex += 1
        }
        return report
    }
}
