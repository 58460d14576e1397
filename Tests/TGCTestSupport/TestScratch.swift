import Foundation

/// Temporary folders for tests: all under one folder per test process, removed when the
/// process exits, so a test run leaves nothing behind in the system's temporary folder.
public enum TestScratch {
    /// `$TMPDIR/tgc-tests-PID`, made on first use.
    public static let root: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tgc-tests-\(getpid())")
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
