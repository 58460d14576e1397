import Foundation
import TGCBase

/// Builds one executable from generated source, as every target does: the source goes to a
/// temporary file (kept, and named in the error, when the compiler fails), the compiler writes
/// a temporary file beside the output, which then replaces the output in one rename.
package enum ExecutableBuild {
    /// `compile(sourcePath, temporaryOutputPath)` runs the compiler; `what` names it and the
    /// source in the error ("gcc failed to compile the generated C").
    package static func build(source: String, fileExtension: String, outputPath: String, what: String,
                              compile: (_ sourcePath: String, _ temporaryOutputPath: String) throws -> ProcessRunner.Result) throws {
        let output = URL(fileURLWithPath: outputPath)
        let unique = "\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        let sourceFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("tgc-\(unique)-\(output.lastPathComponent).\(fileExtension)")
        try Data(source.utf8).write(to: sourceFile)
        var keepSource = false
        defer { if !keepSource { try? FileManager.default.removeItem(at: sourceFile) } }
        let temporary = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).tmp-\(unique)")
        defer { try? FileManager.default.removeItem(at: temporary) }

        let result = try compile(sourceFile.path, temporary.path)
        guard result.status == 0 else {
            keepSource = true
            throw ToolError("\(what) (kept at \(sourceFile.path)):\n" + result.stderr + result.stdout)
        }
        guard rename(temporary.path, output.path) == 0 else {
            throw ToolError("cannot write \(outputPath): \(String(cString: strerror(errno)))")
        }
    }

    /// The executable `name` in the program cache folder keyed by `key` (`tgc run`), built by
    /// `build(path)` when it is not there yet.
    package static func cached(key: ContentHash, name: String, build: (_ path: String) throws -> Void) throws -> String {
        let folder = RuntimeLibrary.cacheDirectory().appendingPathComponent("programs").appendingPathComponent(key.hex)
        let binary = folder.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: binary) { return binary }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ToolError("cannot create cache folder '\(folder.path)': \(error.localizedDescription)")
        }
        try build(binary)
        return binary
    }
}
