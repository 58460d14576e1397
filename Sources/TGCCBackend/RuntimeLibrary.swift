import Foundation
import TGCBase

/// The C runtime (`runtime/`) compiled once into `libtgcrt.a` and cached, keyed by a hash of
/// its sources, the compiler's version and the flags. Builds go to a private temporary folder
/// and the archive is renamed into place, so concurrent builds (tests, several tgc processes)
/// never see a half-written library.
package enum RuntimeLibrary {
    /// The runtime folder (the one holding `include/tgc_runtime.h` and `src/`): env
    /// TGC_RUNTIME_DIR, else a `runtime/` (or installed `share/tgc/runtime/`) folder found upward
    /// from the running executable or from this source file.
    package static func locate() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["TGC_RUNTIME_DIR"], !explicit.isEmpty {
            let url = URL(fileURLWithPath: explicit)
            guard isRuntime(url) else {
                throw ToolError("TGC_RUNTIME_DIR=\(explicit) does not contain include/tgc_runtime.h")
            }
            return url
        }
        var starts: [URL] = []
        if let executable = Bundle.main.executableURL { starts.append(executable.resolvingSymlinksInPath().deletingLastPathComponent()) }
        starts.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        for start in starts {
            var directory = start
            while true {
                for relative in ["runtime", "share/tgc/runtime"] {
                    let candidate = directory.appendingPathComponent(relative)
                    if isRuntime(candidate) { return candidate }
                }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        throw ToolError("cannot find the tgc C runtime (a folder runtime/include/tgc_runtime.h); set TGC_RUNTIME_DIR")
    }

    private static func isRuntime(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent("include/tgc_runtime.h").path)
    }

    /// The cache folder: env TGC_CACHE_DIR, else $XDG_CACHE_HOME/tgc, else ~/.cache/tgc.
    package static func cacheDirectory() -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["TGC_CACHE_DIR"], !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg).appendingPathComponent("tgc") }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/tgc")
    }

    /// The `.c` files of the runtime, sorted by name.
    static func sources(_ runtime: URL) throws -> [URL] {
        let folder = runtime.appendingPathComponent("src")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return names.filter { $0.hasSuffix(".c") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// Path of `libtgcrt.a` for these flags, building it if the cache has no copy yet.
    package static func archive(runtime: URL, compiler: String, compilerVersion: String, flags: [String]) throws -> URL {
        var hash = ContentHash()
        hash.add(compilerVersion)
        for flag in flags { hash.add(flag) }
        hash.add(hostCPU())
        for folder in ["include", "src"] {
            let url = runtime.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() {
                var isDirectory: ObjCBool = false
                let file = url.appendingPathComponent(name)
                guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                hash.add(name)
                hash.add(try Data(contentsOf: file))
            }
        }
        let folder = cacheDirectory().appendingPathComponent("runtime-\(hash.hex)")
        let archive = folder.appendingPathComponent("libtgcrt.a")
        return try lock.withLock {
            if FileManager.default.fileExists(atPath: archive.path) { return archive }
            try build(runtime: runtime, compiler: compiler, flags: flags, into: archive)
            return archive
        }
    }

    /// The host CPU's model and feature flags: `-march=native` compiles differently per CPU.
    private static func hostCPU() -> String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "" }
        return info.split(separator: "\n").filter { $0.hasPrefix("model name") || $0.hasPrefix("flags") }
            .prefix(2).joined(separator: "\n")
    }

    /// Serializes builds within one process (each build is also safe across processes).
    private static let lock = NSLock()

    private static func build(runtime: URL, compiler: String, flags: [String], into archive: URL) throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: archive.deletingLastPathComponent(), withIntermediateDirectories: true)
        let scratch = archive.deletingLastPathComponent()
            .appendingPathComponent("build-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try fileManager.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: scratch) }

        let sources = try sources(runtime)
        guard !sources.isEmpty else { throw ToolError("the runtime at \(runtime.path) has no C sources in src/") }
        let include = "-I" + runtime.appendingPathComponent("include").path
        let compile = try ProcessRunner.run(compiler, flags + [include, "-c"] + sources.map(\.path), directory: scratch.path)
        guard compile.status == 0 else {
            throw ToolError("compiling the tgc runtime failed:\n" + compile.stderr + compile.stdout)
        }
        guard let ar = ProcessRunner.findExecutable("ar") ?? ProcessRunner.findExecutable("gcc-ar") else {
            throw ToolError("'ar' was not found on PATH; it is needed to build the runtime library")
        }
        let objects = sources.map { $0.deletingPathExtension().lastPathComponent + ".o" }
        let temporary = scratch.appendingPathComponent("libtgcrt.a")
        let pack = try ProcessRunner.run(ar, ["rcs", temporary.path] + objects, directory: scratch.path)
        guard pack.status == 0 else { throw ToolError("archiving the tgc runtime failed:\n" + pack.stderr) }
        // rename() replaces atomically: a concurrent builder's identical archive is fine to overwrite.
        guard rename(temporary.path, archive.path) == 0 else {
            throw ToolError("cannot move the runtime library into \(archive.path): \(String(cString: strerror(errno)))")
        }
    }
}
