import Foundation
import TGCBase

/// Drives gcc: builds generated C into an executable linked with the cached runtime library.
public enum CToolchain {
    /// The flags every generated program and the runtime are compiled with. `-ffp-contract=off`
    /// forbids fused multiply-adds, which would round differently from the interpreter.
    /// `-fno-trapping-math` lets gcc turn float comparisons into selects (relu, NaN-aware
    /// max/min) and vectorize them without AVX-512 masks; it changes no result, since nothing
    /// reads the floating-point exception flags. `-fwrapv` makes signed integer overflow wrap
    /// (two's complement), as PyTorch's integer arithmetic and the interpreter's do.
    /// `-fno-math-errno` lets gcc vectorize `sqrtf` (Adam's update) as the vector square root
    /// instead of a call that sets errno on a negative input; the result is the same correctly
    /// rounded square root, and nothing reads errno. Without errno gcc would also fold the
    /// transcendental functions of constant arguments at compile time, correctly rounded, where
    /// the interpreter calls the C library: `-fno-builtin-` for each keeps them calls.
    public static let baseFlags = ["-std=c11", "-O3", "-march=native", "-ffp-contract=off", "-fno-trapping-math", "-fno-math-errno"]
        + libraryMathFunctions.flatMap { ["-fno-builtin-\($0)", "-fno-builtin-\($0)f"] }
        + ["-fwrapv", "-fopenmp"]

    /// How hard gcc optimizes a generated program's kernels, after `baseFlags` (the last `-O`
    /// wins): -O2 with -O3's loop vectorizer and cost model. -O3's further loop transforms
    /// (unswitching, peeling, distribution, versioning for aliasing) bought no measured speed on
    /// the loops tgc writes (constant trip counts, `restrict` pointers; B2, B4, B6 the same
    /// within noise) and cost a sixth of their compile time. The runtime keeps -O3.
    package static let kernelOptimization = ["-O2", "-ftree-vectorize", "-fvect-cost-model=dynamic"]

    /// How hard gcc optimizes the rest of a generated program split into units (its state,
    /// data, the loops that call the kernels, `main`): code that runs once per kernel call, not
    /// per element, compiled in half the time -O3 takes.
    package static let programOptimization = ["-O1"]

    /// The C library's transcendental functions (double; the float ones end in `f`).
    package static let libraryMathFunctions = ["exp", "expm1", "exp2", "log", "log1p", "log2", "log10", "pow", "sin", "cos", "tan",
                                       "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
                                       "erf", "erfc", "cbrt", "hypot", "lgamma", "tgamma", "fmod"]

    /// Flags for tests: AddressSanitizer and UndefinedBehaviorSanitizer with debug info.
    public static let sanitizerFlags = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-g"]

    /// The C compiler: env TGC_CC, else `gcc` on PATH; nil when there is none.
    public static func findCompiler() -> String? {
        if let explicit = ProcessInfo.processInfo.environment["TGC_CC"], !explicit.isEmpty {
            return ProcessRunner.findExecutable(explicit)
        }
        return ProcessRunner.findExecutable("gcc")
    }

    /// Open MPI's compiler wrapper: env TGC_MPICC, else `mpicc` on PATH; nil when there is none.
    public static func findMPICompiler() -> String? {
        ProcessRunner.findExecutable(ProcessInfo.processInfo.environment["TGC_MPICC"].flatMap { $0.isEmpty ? nil : $0 } ?? "mpicc")
    }

    /// Compiles `cSource` and links it with the runtime into an executable at `outputPath`
    /// (written under a temporary name, then renamed). Errors carry gcc's messages. With `mpi`
    /// (`--distributed mpi`) the program and a runtime compiled with `-DTGC_MPI` are built by mpicc.
    /// The program's kernels are compiled as `kernelUnits` translation units at once beside the
    /// rest (`CTranslationUnits`; nil: as many as pay on this machine, 0: one file).
    public static func buildExecutable(cSource: String, outputPath: String, extraFlags: [String] = [], mpi: Bool = false,
                                       kernelUnits: Int? = nil) throws {
        let found = mpi ? findMPICompiler() : findCompiler()
        guard let compiler = found else {
            if mpi {
                throw ToolError("mpicc was not found on PATH (or TGC_MPICC): --distributed mpi builds with Open MPI; install Debian's openmpi-bin and libopenmpi-dev ('make mpi')")
            }
            throw ToolError("gcc was not found on PATH (or TGC_CC); install gcc to build C programs")
        }
        let flags = baseFlags + (mpi ? ["-DTGC_MPI"] : []) + extraFlags
        let runtime = try RuntimeLibrary.locate()
        let archive = try RuntimeLibrary.archive(runtime: runtime, compiler: compiler,
                                                 compilerVersion: try version(of: compiler), flags: flags)

        let include = "-I" + runtime.appendingPathComponent("include").path
        try ExecutableBuild.build(source: cSource, fileExtension: "c", outputPath: outputPath,
                                  what: "gcc failed to compile the generated C") { source, temporary in
            try ParallelCompile.buildProgram(compiler, flags: flags + [include], source: cSource, sourcePath: source, kernelUnits: kernelUnits,
                                             linkArguments: [archive.path, "-lz", "-lm"], outputPath: temporary)
        }
    }

    /// The executable for `cSource` in the program cache (`tgc run`), built when missing. The
    /// key covers the C source, the flags, the compiler and the runtime library it links.
    public static func cachedExecutable(cSource: String, name: String) throws -> String {
        guard let compiler = findCompiler() else {
            throw ToolError("gcc was not found on PATH (or TGC_CC); install gcc to build C programs")
        }
        let archive = try RuntimeLibrary.archive(runtime: try RuntimeLibrary.locate(), compiler: compiler,
                                                 compilerVersion: try version(of: compiler), flags: baseFlags)
        var hash = ContentHash()
        hash.add(cSource)
        hash.add(archive.path)
        return try ExecutableBuild.cached(key: hash, name: name) { try buildExecutable(cSource: cSource, outputPath: $0) }
    }

    /// `gcc --version`'s first line, memoized per compiler path.
    package static func version(of compiler: String) throws -> String {
        if let known = versions.withLock({ $0[compiler] }) { return known }
        let result = try ProcessRunner.run(compiler, ["--version"])
        guard result.status == 0 else { throw ToolError("\(compiler) --version failed:\n" + result.stderr) }
        let line = result.stdout.split(separator: "\n").first.map(String.init) ?? result.stdout
        versions.withLock { $0[compiler] = line }
        return line
    }

    private static let versions = LockedDictionary()
}

/// A dictionary behind a lock, for memoizing across concurrent callers.
final class LockedDictionary: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String: String] = [:]

    func withLock<T>(_ body: (inout [String: String]) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&storage)
    }
}
