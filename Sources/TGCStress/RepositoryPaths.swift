import Foundation

/// Where the repository's programs are: the fuzz corpus, the samples and the regressions.
public struct RepositoryPaths: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// The repository that holds this source file (for tests and a `tgc-stress` run from anywhere).
    public static let source = RepositoryPaths(root: URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent())

    public var samples: URL { root.appendingPathComponent("samples") }
    public var diagnostics: URL { root.appendingPathComponent("tests/diagnostics") }
    public var regressions: URL { root.appendingPathComponent("tests/regressions") }

    /// The `.swiftdsl` files directly in `folder`, sorted by name.
    public static func programs(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".swiftdsl") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// Samples that have a committed `.expected` output.
    public var samplesWithExpectedOutput: [URL] {
        Self.programs(in: samples).filter {
            FileManager.default.fileExists(atPath: $0.deletingPathExtension().path + ".expected")
        }
    }

    /// The texts the fuzzer mutates: every sample and every diagnostics case. (Not the
    /// regressions: until fixed, they would crash the in-process run over and over.)
    public func corpus() -> [String] {
        (Self.programs(in: samples) + Self.programs(in: diagnostics))
            .compactMap { try? String(contentsOf: $0, encoding: .utf8) }
    }
}
