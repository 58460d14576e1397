import Foundation
import TGCBase
import TGCCBackend

/// Compiled programs for `tgc run`, cached by a hash of their generated C.
enum ProgramCache {
    static var directory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["TGC_CACHE_DIR"], !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg).appendingPathComponent("tgc") }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/tgc")
    }

    /// The path of the binary for `cSource`, building it when it is not cached yet.
    static func binary(for cSource: String, name: String) throws -> String {
        let key = String(fnv1a(cSource + HelpText.version), radix: 16)
        let folder = directory.appendingPathComponent("programs").appendingPathComponent(key)
        let binary = folder.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: binary) { return binary }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ToolError("cannot create cache folder '\(folder.path)': \(error.localizedDescription)")
        }
        try CToolchain.buildExecutable(cSource: cSource, outputPath: binary)
        return binary
    }

    /// Runs a binary with inherited standard streams and returns its exit status.
    static func execute(_ path: String, arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        do { try process.run() } catch {
            throw ToolError("cannot run '\(path)': \(error.localizedDescription)")
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// 64-bit FNV-1a: a stable content hash (Swift's Hasher is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }
}
