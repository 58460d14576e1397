import Foundation
import TGCBase
import TGCCBackend
import TGCCore
import TGCCUDABackend

/// The whole compiler as a library: what the CLI and the test suites call.
public enum Pipeline {
    /// Runs a model file eagerly through the interpreter and returns what it printed.
    public static func eagerOutput(of path: String, seed: UInt64 = 0, outputDirectory: String? = nil) throws -> String {
        let source = try SourceLoader.read(path)
        let context = RunContext(seed: seed)
        var output = ""
        context.write = { output += $0 }
        if let outputDirectory { context.outputDirectory = outputDirectory }
        try SourceLoader.evaluate(source, with: EagerBuilder(context: context))
        return output
    }

    /// Parses and shape-checks a model file (`tgc check`).
    public static func check(_ path: String) throws {
        let builder = GraphBuilder()
        try SourceLoader.evaluate(try SourceLoader.read(path), with: builder)
        try Verifier.verify(builder.module)
    }

    /// The IR of a model file after the pipeline (or after `lastPass`); `distribution` as
    /// `--distributed mpi`, `hyperparameters` as `-D`.
    public static func module(of path: String, upTo lastPass: String? = nil, optimize: Bool = true,
                              disabled: Set<String> = [], hyperparameters: [String: String] = [:],
                              distribution: Distribution? = nil) throws -> Module {
        try SourceLoader.compileToIR(try SourceLoader.read(path), upTo: lastPass, optimize: optimize, disabled: disabled,
                                     hyperparameters: hyperparameters, distribution: distribution)
    }

    /// Compiles a model file to a standalone executable at `output` (with `distribution`, an
    /// MPI program built by mpicc).
    public static func buildExecutable(_ path: String, to output: String, extraFlags: [String] = [],
                                       optimize: Bool = true, disabled: Set<String> = [],
                                       hyperparameters: [String: String] = [:], distribution: Distribution? = nil) throws {
        let module = try Self.module(of: path, optimize: optimize, disabled: disabled, hyperparameters: hyperparameters,
                                     distribution: distribution)
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let cSource = try CEmitter.emit(module, programName: name, description: "compiled from \(path)")
        try CToolchain.buildExecutable(cSource: cSource, outputPath: output, extraFlags: extraFlags, mpi: distribution != nil)
    }

    /// Compiles a model file to a CUDA program at `output`: nvcc, or with `emulate` the host
    /// compiler against the CPU emulation of CUDA.
    public static func buildCUDAExecutable(_ path: String, to output: String, emulate: Bool, optimize: Bool = true) throws {
        let module = try Self.module(of: path, optimize: optimize)
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let source = try CUDAEmitter.emit(module, programName: name, description: "compiled from \(path)")
        try CUDAToolchain.buildExecutable(source: source, outputPath: output, emulate: emulate)
    }

    /// Builds the C library of a model file's `@export` functions (`tgc compile --emit lib`):
    /// `DIR/NAME.h`, `DIR/libNAME.a` and `DIR/libNAME.so` for `outputPrefix` `DIR/NAME`. The
    /// program runs eagerly first (its prints discarded, the files it saves written under
    /// `outputDirectory`), so the weights are those it ends with.
    public static func buildLibrary(_ path: String, outputPrefix: String, hyperparameters: [String: String] = [:],
                                    outputDirectory: String? = nil) throws {
        try buildLibrary(of: try SourceLoader.read(path), outputPrefix: outputPrefix, hyperparameters: hyperparameters,
                         outputDirectory: outputDirectory)
    }

    static func buildLibrary(of source: SourceText, outputPrefix: String, hyperparameters: [String: String] = [:],
                             outputDirectory: String? = nil) throws {
        let path = source.path
        let functions = try ExportTracer.trace(source, hyperparameters: hyperparameters, outputDirectory: outputDirectory)
        let library = try CLibraryEmitter.emit(functions, libraryName: URL(fileURLWithPath: outputPrefix).lastPathComponent,
                                               sourceFile: URL(fileURLWithPath: path).lastPathComponent)
        try CToolchain.buildLibrary(library, outputPrefix: outputPrefix)
    }

    /// The message a user sees for `error` (a diagnostic with its source line and caret).
    public static func render(_ error: Error, path: String) -> String {
        switch error {
        case let diagnostic as Diagnostic:
            let source = diagnostic.location.file == path ? try? SourceLoader.read(path) : nil
            return diagnostic.render(source: source)
        case let error as ToolError: return error.description
        default: return "error: \(error)"
        }
    }
}
