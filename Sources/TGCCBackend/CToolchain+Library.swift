import Foundation
import TGCBase

/// Builds a generated C library: `NAME.h`, `libNAME.a` (the runtime included, so a program
/// links only it) and `libNAME.so` (only the header's functions exported). The generated files
/// are compiled at once; the runtime comes from its cached position-independent archive.
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
        let flags = baseFlags + ["-fPIC", "-fvisibility=hidden"]
        // The runtime, compiled once per flags and cached like the executables' (RuntimeLibrary).
        let runtimeArchive = try RuntimeLibrary.archive(runtime: runtime, compiler: compiler,
                                                        compilerVersion: try version(of: compiler), flags: flags)
        let fileManager = FileManager.default
        let scratch = fileManager.temporaryDirectory.appendingPathComponent("tgc-lib-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try fileManager.createDirectory(at: scratch, withIntermediateDirectories: true)
        var keepScratch = false
        defer { if !keepScratch { try? fileManager.removeItem(at: scratch) } }

        let header = scratch.appendingPathComponent("\(library.name).h")
        try Data(library.header.utf8).write(to: header)
        var objects: [String] = []
        var compiles: [[String]] = []
        let include = ["-I" + runtime.appendingPathComponent("include").path, "-I" + scratch.path]
        for (fileName, text) in library.sources {
            let file = scratch.appendingPathComponent("gen_" + fileName)   // never a runtime object's name
            try Data(text.utf8).write(to: file)
            objects.append(file.deletingPathExtension().lastPathComponent + ".o")
            compiles.append(flags + kernelOptimization + include + ["-c", file.path, "-o", scratch.appendingPathComponent(objects.last!).path])
        }
        let results = try ParallelCompile.run(compiler, compiles, costs: library.sources.map(\.text.utf8.count))
        if let failure = ParallelCompile.failure(results) {
            keepScratch = true
            throw ToolError("gcc failed to compile the generated library (kept in \(scratch.path)):\n" + failure.stderr)
        }
        // The static library: the runtime's archive with the library's objects added.
        do {
            try fileManager.copyItem(at: runtimeArchive, to: scratch.appendingPathComponent("lib\(library.name).a"))
        } catch {
            throw ToolError("cannot copy the runtime library into \(scratch.path): \(error.localizedDescription)")
        }
        let pack = try ProcessRunner.run(ar, ["rcs", "lib\(library.name).a"] + objects, directory: scratch.path)
        guard pack.status == 0 else { throw ToolError("archiving the library failed:\n" + pack.stderr) }
        let link = try ProcessRunner.run(compiler, ["-shared", "-fopenmp", "-o", "lib\(library.name).so"] + objects
                                         + ["-Wl,--whole-archive", runtimeArchive.path, "-Wl,--no-whole-archive", "-lz", "-lm"], directory: scratch.path)
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
