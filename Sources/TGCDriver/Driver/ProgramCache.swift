import Foundation
import TGCBase

/// Runs the compiled programs of `tgc run` (cached by CToolchain.cachedExecutable).
enum ProgramCache {
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
}
