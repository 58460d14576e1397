import Foundation

/// Temporary folders for tests.
enum FileManagerShim {
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "tgc-core-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
