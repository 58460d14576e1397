import Foundation
import TGCBase
import TGCCBackend

/// Builds generated CUDA: with nvcc for the GPU (static cudart, machine code for sm_80 and
/// sm_90), or with the host C++ compiler against the emulation header (`--emulate`), in which
/// every CUDA thread is a fiber on the CPU. Both link the C runtime (printing, RNG, I/O, the
/// host fallbacks).
public enum CUDAToolchain {
    /// nvcc's flags: `--fmad=false` forbids fused multiply-adds, which would round differently
    /// from the interpreter (the C program's `-ffp-contract=off`).
    /// The source file ends in `.cu`, so nvcc needs no `-x cu` (which would apply to the
    /// runtime archive too); unused prelude helpers are not worth a warning (177).
    static let nvccFlags = ["-ccbin", "gcc", "-diag-suppress", "177", "-std=c++17", "-O3", "--fmad=false",
                            "-gencode", "arch=compute_80,code=sm_80", "-gencode", "arch=compute_90,code=sm_90",
                            "-Xcompiler", "-fopenmp", "-Xcompiler", "-fwrapv", "-Xcompiler", "-ffp-contract=off"]

    /// The emulation's flags: C++17, `TGC_CUDA_EMULATE`, and the C program's floating-point
    /// and integer rules.
    static let emulationFlags = ["-std=c++17", "-O1", "-x", "c++", "-DTGC_CUDA_EMULATE", "-ffp-contract=off", "-fno-math-errno",
                                 "-fwrapv", "-fopenmp", "-w"]
        + CToolchain.libraryMathFunctions.flatMap { ["-fno-builtin-\($0)", "-fno-builtin-\($0)f"] }

    /// The project-local CUDA toolkit that `make cuda` installs: `<repository>/.cuda`.
    static func localToolkit(runtime: URL) -> URL {
        runtime.deletingLastPathComponent().appendingPathComponent(".cuda/nvidia/cu13")
    }

    /// nvcc: env TGC_NVCC, else `nvcc` on PATH, else the project-local toolkit's (`make cuda`);
    /// nil when there is none.
    package static func findNVCC(environment: [String: String] = ProcessInfo.processInfo.environment,
                                runtime: URL? = try? RuntimeLibrary.locate()) -> String? {
        if let explicit = environment["TGC_NVCC"], !explicit.isEmpty {
            return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil
        }
        for folder in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("nvcc").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        guard let runtime else { return nil }
        let local = localToolkit(runtime: runtime).appendingPathComponent("bin/nvcc").path
        return FileManager.default.isExecutableFile(atPath: local) ? local : nil
    }

    /// What a build for the GPU says when there is no nvcc.
    public static let missingNVCC = ToolError("nvcc was not found (TGC_NVCC, the PATH, or .cuda/, the project-local CUDA toolkit); "
                                              + "run `make cuda` to install it, or build with --emulate to run the CUDA program on the CPU")

    /// The C++ compiler of the emulation: env TGC_CXX, else `g++` on PATH.
    static func findHostCompiler() -> String? {
        if let explicit = ProcessInfo.processInfo.environment["TGC_CXX"], !explicit.isEmpty {
            return ProcessRunner.findExecutable(explicit)
        }
        return ProcessRunner.findExecutable("g++")
    }

    /// Compiles `source` (generated CUDA) into an executable at `outputPath`: nvcc, or with
    /// `emulate` the host compiler against the emulation header.
    public static func buildExecutable(source: String, outputPath: String, emulate: Bool) throws {
        let (runtime, archive) = try runtimeArchive()
        let compiler: String
        var arguments: [String]
        if emulate {
            guard let cxx = findHostCompiler() else {
                throw ToolError("g++ was not found on PATH (or TGC_CXX); the CUDA emulation builds with the host C++ compiler")
            }
            compiler = cxx
            arguments = emulationFlags
        } else {
            guard let nvcc = findNVCC() else { throw missingNVCC }
            compiler = nvcc
            arguments = nvccFlags
        }
        let includes = ["-I" + runtime.appendingPathComponent("include").path, "-I" + runtime.appendingPathComponent("cuda").path]

        let tool = emulate ? "the host compiler (CUDA emulation)" : "nvcc"
        try ExecutableBuild.build(source: source, fileExtension: "cu", outputPath: outputPath,
                                  what: "\(tool) failed to compile the generated CUDA") { source, temporary in
            arguments += includes + [source]
            if emulate {
                arguments += ["-x", "none", archive.path, "-lz", "-lm", "-lpthread", "-o", temporary]
            } else {
                let library = localToolkit(runtime: runtime).appendingPathComponent("lib").path
                arguments += [archive.path, "-L" + library, "-lz", "-lm", "-lgomp", "-o", temporary]
            }
            return try ProcessRunner.run(compiler, arguments)
        }
    }

    /// The runtime folder and the C runtime library (built by gcc as for the C target).
    private static func runtimeArchive() throws -> (runtime: URL, archive: URL) {
        guard let gcc = CToolchain.findCompiler() else {
            throw ToolError("gcc was not found on PATH (or TGC_CC); install gcc to build the C runtime")
        }
        let runtime = try RuntimeLibrary.locate()
        let archive = try RuntimeLibrary.archive(runtime: runtime, compiler: gcc, compilerVersion: try CToolchain.version(of: gcc),
                                                 flags: CToolchain.baseFlags)
        return (runtime, archive)
    }

    /// The emulated executable for `source` in the program cache (`tgc run --target cuda
    /// --emulate`), built when missing; the key covers the source, the C runtime library and
    /// the CUDA runtime headers.
    public static func cachedEmulatedExecutable(source: String, name: String) throws -> String {
        var hash = ContentHash()
        hash.add("cuda-emulate")
        hash.add(source)
        let (runtime, archive) = try runtimeArchive()
        hash.add(archive.path)
        for header in (try? FileManager.default.contentsOfDirectory(atPath: runtime.appendingPathComponent("cuda").path))?.sorted() ?? [] {
            hash.add(header)
            hash.add((try? String(contentsOf: runtime.appendingPathComponent("cuda").appendingPathComponent(header), encoding: .utf8)) ?? "")
        }
        return try ExecutableBuild.cached(key: hash, name: name) { try buildExecutable(source: source, outputPath: $0, emulate: true) }
    }
}
