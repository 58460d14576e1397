import Foundation
@testable import TGCStress
import TGCTestSupport

/// Paths and helpers shared by the reliability tests: the repository, the built binaries,
/// temporary folders and child-process runs.
enum StressTestSupport {
    static let paths = RepositoryPaths.source

    /// A built product next to this test bundle (`.build*/debug/NAME`), or nil.
    static func product(_ name: String) -> String? {
        let bundle = Bundle.main.bundleURL
        let candidates = [bundle.deletingLastPathComponent(), bundle, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
            .map { $0.appendingPathComponent(name).path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let tgc = product("tgc")
    static let tgcStress = product("tgc-stress")

    static func temporaryDirectory(_ label: String) throws -> URL { try TestScratch.folder("stress-\(label)") }

    /// Whether `text` is a clean tgc error: `FILE:LINE:COL: error: ...` or `error: ...`, and no
    /// trace of a crash (a Swift "Fatal error", a backtrace, a sanitizer report).
    static func isCleanError(_ text: String) -> Bool {
        let first = text.split(separator: "\n").first.map(String.init) ?? ""
        let shaped = first.hasPrefix("error: ") || first.range(of: #"^[^\n]*:\d+:\d+: error: "#, options: .regularExpression) != nil
        return shaped && !hasCrashTrace(text)
    }

    static func hasCrashTrace(_ text: String) -> Bool {
        ["Fatal error", "Program crashed", "Backtrac", "AddressSanitizer", "runtime error:", "Segmentation fault"].contains { text.contains($0) }
    }
}

/// A fresh temporary folder where a test writes models and runs tgc, generated binaries and
/// Python, each with crash backtraces off (so a crash shows as a crash, not a trace to parse).
struct TestFolder {
    let url: URL

    init(_ label: String) throws { url = try StressTestSupport.temporaryDirectory(label) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: url.appendingPathComponent(name)) }

    /// Runs `command` (executable first) in the folder.
    func run(_ command: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run(command[0], Array(command.dropFirst()), timeout: 120,
                             environment: ["SWIFT_BACKTRACE": "enable=no"], directory: url)
    }
}
