import Foundation
@testable import TGCCBackend
import TGCTestSupport

/// Paths of the repository's sample and test files, found from this source file.
enum TestPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = root.appendingPathComponent("samples")
    static let diagnostics = root.appendingPathComponent("tests/diagnostics")

    /// The `.swiftdsl` files in `folder`, sorted by name.
    static func programs(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".swiftdsl") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// Samples that read a checkpoint another sample writes, with that sample: they run after it,
    /// beside its checkpoint (CNNFashionProjectTests), not on their own.
    static let runAfter = ["cnn_fashion_eval": "cnn_fashion"]

    /// The samples that run on their own: every `samples/*.swiftdsl` but those of `runAfter`.
    static var standaloneSamples: [URL] {
        programs(in: samples).filter { runAfter[$0.deletingPathExtension().lastPathComponent] == nil }
    }

    static func temporaryDirectory() throws -> URL { try TestScratch.folder("driver") }

    /// Runs an executable and returns (status, stdout, stderr), through the compiler's own runner.
    static func execute(_ path: String, _ arguments: [String] = [], in directory: URL? = nil) throws -> (Int32, String, String) {
        let result = try ProcessRunner.run(path, arguments, directory: directory?.path)
        return (result.status, result.stdout, result.stderr)
    }
}
