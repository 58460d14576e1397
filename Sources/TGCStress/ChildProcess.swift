import Foundation

/// Runs a child process with a time limit and captures how it ended and what it printed
/// (through files, so a chatty child never blocks on a full pipe).
public enum ChildProcess {
    /// How a child ended.
    public struct Result: Sendable {
        public var status: Int32
        /// True when a signal ended it (a trap, a segfault, our kill after the time limit).
        public var signaled: Bool
        public var timedOut: Bool
        public var stdout: String
        public var stderr: String
    }

    /// Runs `executable`; past `timeout` seconds the child is killed and `timedOut` is set.
    public static func run(_ executable: String, _ arguments: [String], timeout: Double = 600,
                           environment: [String: String] = [:], directory: URL? = nil) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tgc-stress-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = try start(executable, arguments, environment: environment, directory: directory,
                                stdout: scratch.appendingPathComponent("out"), stderr: scratch.appendingPathComponent("err"))
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                timedOut = true
                break
            }
            usleep(2_000)
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                      timedOut: timedOut,
                      stdout: (try? String(contentsOf: scratch.appendingPathComponent("out"), encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: scratch.appendingPathComponent("err"), encoding: .utf8)) ?? "")
    }

    /// Starts `executable` with its output going to the two files; the caller waits for it.
    public static func start(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                             directory: URL? = nil, stdout: URL, stderr: URL) throws -> Process {
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        return process
    }
}
