import Foundation
import TGCBase

/// Builds a generated C library: `NAME.h`, `libNAME.a` (the runtime included, so a program
/// links only it) and `libNAME.so` (only the header's functions exported).
extension CToolchain {
    /// Writes the three files as `outputPrefix` + `.h` (folder and name from `outputPrefix`:
    /// `build/classifier` gives `build/classifier.h`, `build/libclassifier.a`, `build/libclassifier.so`).
    public static func buildLibrary(_ library: CLibrary, outputPrefix: String) throws {
        guard let compiler = findCompiler() else {
            throw ToolError("gcc was not found on PATH (or TGC_CC); install gcc to build C libraries")
        }
        guard let ar = ProcessRunner.findExecutable("ar") ?? ProcessRunner.findExecutable("gcc-ar") else {
            throw ToolError("'ar' was not found on PATH; it is needed to build a static library")
        }
        let runtime = try RuntimeLibrary.locate()
        let fileManager = FileManager.default
        let scratch = fileManager.temporaryDirectory.appendingPathComponent("tgc-lib-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try fileManager.createDirectory(at: scratch, withIntermediateDirectories: true)
        var keepScratch = false
        defer { if !keepScratch { try? fileManager.removeItem(at: scratch) } }

        let header = scratch.appendingPathComponent("\(library.name).h")
        try Data(library.header.utf8).write(to: header)
        var sources = try RuntimeLibrary.sources(runtime)
        for (fileName, text) in library.sources {
            let file = scratch.appendingPathComponent("gen_" + fileName)   // never a runtime file's name
            try Data(text.utf8).write(to: file)
            sources.append(file)
        }
        let flags = baseFlags + ["-fPIC", "-fvisibility=hidden", "-I" + runtime.appendingPathComponent("include").path, "-I" + scratch.path]
        let compile = try ProcessRunner.run(compiler, flags + ["-c"] + sources.map(\.path), directory: scratch.path)
        guard compile.status == 0 else {
            keepScratch = true
            throw ToolError("gcc failed to compile the generated library (kept in \(scratch.path)):\n" + compile.stderr + compile.stdout)
        }
        let objects = sources.map { $0.deletingPathExtension().lastPathComponent + ".o" }
        let pack = try ProcessRunner.run(ar, ["rcs", "lib\(library.name).a"] + objects, directory: scratch.path)
        guard pack.status == 0 else { throw ToolError("archiving the library failed:\n" + pack.stderr) }
        let link = try ProcessRunner.run(compiler, ["-shared", "-fopenmp", "-o", "lib\(library.name).so"] + objects + ["-lz", "-lm"], directory: scratch.path)
        guard link.status == 0 else { throw ToolError("linking the shared library failed:\n" + link.stderr + link.stdout) }

        let output = URL(fileURLWithPath: outputPrefix)
        let folder = output.deletingLastPathComponent()
        let stem = output.lastPathComponent
        for (built, final) in [("\(library.name).h", "\(stem).h"), ("lib\(library.name).a", "lib\(stem).a"), ("lib\(library.name).so", "lib\(stem).so")] {
            let destination = folder.appendingPathComponent(final)
            let staged = folder.appendingPathComponent(".\(final).tmp-\(UUID().uuidString.prefix(8))")
            try? fileManager.removeItem(at: staged)
            do {
                try fileManager.copyItem(at: scratch.appendingPathComponent(built), to: staged)
            } catch {
                throw ToolError("cannot write '\(destination.path)': \(error.localizedDescription)")
            }
            guard rename(staged.path, destination.path) == 0 else {
                try? fileManager.removeItem(at: staged)
                throw ToolError("cannot write '\(destination.path)': \(String(cString: strerror(errno)))")
            }
        }
    }
}
