import Foundation

/// Temporary folders for tests: all under one folder per test process, removed when the
/// process exits, so a test run leaves nothing behind in the system's temporary folder.
public enum TestScratch {
    /// `$TMPDIR/tgc-tests-PID`, made on first use. The folders of earlier test processes that
    /// have ended are removed then too (a process that exits without running its `atexit`
    /// handlers, as the test runner's may, leaves its folder behind).
    public static let root: URL = {
        let temporary = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where name.hasPrefix("tgc-tests-") {
            guard let pid = Int32(name.dropFirst("tgc-tests-".count)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
        let url = temporary.appendingPathComponent("tgc-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestScratch.root) }
        return url
    }()

    /// A fresh, empty folder `root/LABEL-XXXXXXXX`.
    public static func folder(_ label: String) throws -> URL {
        let url = root.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
