import Foundation

/// Runs the fuzz loop in a child process (`tgc-stress fuzz-worker`) and watches it: when the
/// worker dies (a trap, a stack overflow) or stops making progress (a hang), the input it was
/// on is read back from the crash file, minimized with `tgc-stress replay` children, written
/// to the regressions folder (once per distinct crash) and the worker restarts after it.
public struct FuzzSupervisor {
    /// A crash or hang, with the minimized input and the regression file it went to.
    public struct Crash: Sendable {
        public var index: Int
        /// How it died and where: the "Fatal error" line or signal, and the crashing frame.
        public var signature: String
        /// The part of the signature a replay without the backtracer shows (for minimizing).
        public var quickSignature: String
        public var input: String
        public var file: URL?
    }

    /// What a supervised run did.
    public struct Report: Sendable {
        public var tried = 0
        public var crashes: [Crash] = []
        public var findings: [String] = []

        public var summary: String {
            var lines = findings
            for crash in crashes {
                lines.append("crash at input \(crash.index): \(crash.signature)" + (crash.file.map { " -> \($0.path)" } ?? " (already recorded)"))
                lines.append("  minimal input: \(crash.input.debugDescription.prefix(300))")
            }
            lines.append("inputs tried: \(tried); crashes: \(crashes.count); other findings: \(findings.count)")
            return lines.joined(separator: "\n")
        }
    }

    public let seed: UInt64
    public let workDirectory: URL
    public let regressions: URL
    /// The `tgc-stress` binary to run as worker and replayer.
    public let executable: String
    /// The repository whose samples and diagnostics cases are the corpus.
    public let root: URL
    /// A worker that makes no progress for this long is killed and its input recorded as a hang.
    public var hangLimit = 10.0
    /// How many replays minimizing one crash may take.
    public var minimizeAttempts = 250

    public init(seed: UInt64, workDirectory: URL, regressions: URL, executable: String, root: URL) {
        self.seed = seed
        self.workDirectory = workDirectory
        self.regressions = regressions
        self.executable = executable
        self.root = root
    }

    /// Added to the children's environment (after `SWIFT_BACKTRACE=enable=no`, which makes a
    /// crash fast); tests put `TGC_STRESS_INJECT_CRASH` here.
    public var environment: [String: String] = [:]
    private var quietEnvironment: [String: String] { environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { mine, _ in mine } }

    public func run(seconds: Double) throws -> Report {
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        let deadline = Date().addingTimeInterval(seconds)
        var report = Report()
        var start = 0
        var known = Self.knownSignatures(in: regressions)
        var fullSignatures: [String: String] = [:]
        let findings = workDirectory.appendingPathComponent("findings")
        try? FileManager.default.removeItem(at: findings)
        while Date() < deadline {
            let heartbeat = workDirectory.appendingPathComponent("current.index")
            try? FileManager.default.removeItem(at: heartbeat)
            let (stdout, stderr) = (workDirectory.appendingPathComponent("worker.out"), workDirectory.appendingPathComponent("worker.err"))
            let process = try ChildProcess.start(executable, [
                "fuzz-worker", "--seed", String(seed), "--start", String(start),
                "--seconds", String(max(0.1, deadline.timeIntervalSinceNow)), "--work", workDirectory.path,
                "--root", root.path,
            ], environment: quietEnvironment, stdout: stdout, stderr: stderr)
            let currentIndex = { (try? String(contentsOf: heartbeat, encoding: .utf8)).flatMap { Int($0) } }
            var (lastIndex, lastChange, hung) = (-1, Date(), false)
            while process.isRunning {
                usleep(20_000)
                if let index = currentIndex(), index != lastIndex {
                    (lastIndex, lastChange) = (index, Date())
                } else if Date().timeIntervalSince(lastChange) > hangLimit {
                    kill(process.processIdentifier, SIGKILL)
                    hung = true
                    break
                }
            }
            process.waitUntilExit()
            lastIndex = currentIndex() ?? lastIndex
            let errors = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
            if lastIndex < 0 && !hung && !(process.terminationReason == .exit && process.terminationStatus == 0) {
                throw StressOptions.Problem(description: "the fuzz worker failed before its first input: \(errors.prefix(2000))")
            }
            if process.terminationReason == .exit && process.terminationStatus == 0 && !hung {
                let line = (try? String(contentsOf: stdout, encoding: .utf8)) ?? ""
                report.tried += Int(line.split(separator: " ").dropFirst(2).first ?? "") ?? 0
                break
            }
            report.tried += lastIndex - start + 1
            let input = (try? String(contentsOf: workDirectory.appendingPathComponent("current.swiftdsl"), encoding: .utf8)) ?? ""
            let quick = hung ? "hang (no progress for \(Int(hangLimit)) s)" : Self.signature(status: process.terminationStatus, stderr: errors)
            // One slow backtraced replay per new kind of death in this run; repeats reuse it.
            let signature = hung ? quick : fullSignatures[quick] ?? quick + crashingFrame(input)
            fullSignatures[quick] = signature
            var crash = Crash(index: lastIndex, signature: signature, quickSignature: quick, input: input)
            if !known.contains(signature) {
                crash.input = minimize(input, signature: quick, hang: hung)
                crash.file = try record(crash)
                known.insert(signature)
            }
            report.crashes.append(crash)
            start = lastIndex + 1
        }
        for file in ((try? FileManager.default.contentsOfDirectory(atPath: findings.path)) ?? []).sorted() {
            report.findings.append("finding: \(findings.appendingPathComponent(file).path)")
        }
        return report
    }

    /// A short description of how the worker died: the runtime's "Fatal error" line, else the signal.
    static func signature(status: Int32, stderr: String) -> String {
        if let line = stderr.split(separator: "\n").first(where: { $0.contains("Fatal error") }) {
            return String(line.replacingOccurrences(of: FileManager.default.currentDirectoryPath + "/", with: "").prefix(200))
        }
        return "signal \(status)" + (status == SIGSEGV ? " (SIGSEGV)" : status == SIGILL || status == SIGTRAP ? " (a Swift trap)" : "")
    }

    /// " in FUNCTION at FILE:LINE": the first frame in the compiler's own code when `text` is
    /// replayed with the backtracer on (one slow run per distinct crash), or "".
    func crashingFrame(_ text: String) -> String {
        let file = workDirectory.appendingPathComponent("backtrace.swiftdsl")
        guard (try? Data(text.utf8).write(to: file)) != nil,
              let result = try? ChildProcess.run(executable, ["replay", file.path], timeout: 120,
                                                 environment: environment.merging(["SWIFT_BACKTRACE": "enable=yes,interactive=no"]) { _, new in new }) else { return "" }
        for line in (result.stderr + result.stdout).split(separator: "\n") where line.contains("/Sources/") && !line.contains("Stress") && !line.contains("tgc-stress/") {
            let tokens = line.split(separator: " ")
            guard let address = tokens.firstIndex(where: { $0.hasPrefix("0x") }), let plus = tokens.firstIndex(of: "+"),
                  address < plus, let at = tokens.lastIndex(of: "at"), at + 1 < tokens.count else { continue }
            let function = tokens[(address + 1)..<plus].joined(separator: " ")
            let location = tokens[at + 1].split(separator: "/").last.map { $0.split(separator: ":").prefix(2).joined(separator: ":") } ?? ""
            return " in \(function) at \(location)"
        }
        return ""
    }

    /// Replays `text` in a child; true if it dies (or hangs) the same way.
    func reproduces(_ text: String, signature: String, hang: Bool) -> Bool {
        let file = workDirectory.appendingPathComponent("minimize.swiftdsl")
        guard (try? Data(text.utf8).write(to: file)) != nil,
              let result = try? ChildProcess.run(executable, ["replay", file.path], timeout: hang ? hangLimit : 30, environment: quietEnvironment)
        else { return false }
        if hang { return result.timedOut }
        return !result.timedOut && (result.signaled || ![0, 3].contains(result.status))
            && Self.signature(status: result.status, stderr: result.stderr) == signature
    }

    func minimize(_ input: String, signature: String, hang: Bool) -> String {
        var minimizer = Minimizer(attempts: hang ? min(12, minimizeAttempts) : minimizeAttempts)
        return minimizer.minimize(input) { reproduces($0, signature: signature, hang: hang) }
    }

    /// Writes the crash to `regressions/fuzz-HASH.swiftdsl` with a header comment, if the
    /// input still crashes with the header (else the comment goes at the end).
    func record(_ crash: Crash) throws -> URL {
        try FileManager.default.createDirectory(at: regressions, withIntermediateDirectories: true)
        var hash = UInt64(0xcbf2_9ce4_8422_2325)
        for byte in crash.signature.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let file = regressions.appendingPathComponent("fuzz-\(String(hash, radix: 16).prefix(10)).swiftdsl")
        let header = """
        // Regression found by `tgc-stress fuzz` (seed \(seed), input \(crash.index)): `tgc check` or the passes died:
        // signature: \(crash.signature)
        // It must compile or fail with a clean `FILE:LINE:COL: error:` diagnostic.

        """
        let hang = crash.signature.hasPrefix("hang")
        let text = reproduces(header + crash.input, signature: crash.quickSignature, hang: hang)
            ? header + crash.input : crash.input + "\n" + header
        try Data(text.utf8).write(to: file)
        return file
    }

    /// The signatures already recorded in regression files' headers.
    static func knownSignatures(in folder: URL) -> Set<String> {
        var known = Set<String>()
        for file in RepositoryPaths.programs(in: folder) {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix("// signature: ") {
                known.insert(String(line.dropFirst("// signature: ".count)))
            }
        }
        return known
    }

    /// Saves a worker's non-crash findings (malformed diagnostics, slow checks) for the report.
    static func writeFindings(_ findings: [FuzzRunner.Finding], to work: URL) throws {
        let folder = work.appendingPathComponent("findings")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for finding in findings {
            let text = "// \(finding.problem.replacingOccurrences(of: "\n", with: " "))\n// mutations: \(finding.input.mutations.joined(separator: ", "))\n" + finding.input.text
            try Data(text.utf8).write(to: folder.appendingPathComponent("input-\(finding.index).swiftdsl"))
        }
    }
}
