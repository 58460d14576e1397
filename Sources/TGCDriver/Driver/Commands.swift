import Foundation
import TGCBase
import TGCCBackend
import TGCCore
import TGCCUDABackend

/// The implementations of tgc's commands for one parsed command line.
struct Commands {
    let options: Options
    let source: SourceText

    func run() throws -> Int32 {
        switch options.command {
        case .check:
            let builder = GraphBuilder()
            builder.module.distribution = options.distribution
            try SourceLoader.evaluate(source, with: builder, hyperparameters: options.hyperparameters)
            try Verifier.verify(builder.module)
            return 0
        case .ir:
            let module = try SourceLoader.compileToIR(source, upTo: try validatedPass(options.after),
                                                      optimize: options.optimize, disabled: options.disabledPasses,
                                                      hyperparameters: options.hyperparameters, distribution: options.distribution)
            print(IRPrinter.print(module), terminator: "")
            return 0
        case .opt:
            return try optimizeIR()
        case .compile:
            return try compile()
        case .run:
            return options.eager ? try runEager() : try runCompiled()
        }
    }

    private func validatedPass(_ name: String?) throws -> String? {
        guard let name, name != "none" else { return name }
        guard PassPipeline.pass(named: name) != nil else {
            throw ToolError("unknown pass '\(name)'; passes: \(HelpText.passNames)")
        }
        return name
    }

    /// `tgc opt`: parses IR text, runs the `--passes` in order (verifying after each), prints
    /// the IR or continues to C.
    private func optimizeIR() throws -> Int32 {
        let passes = try requestedPasses()
        let module = try IRParser.parse(source.text, fileName: source.path)
        for pass in passes {
            try pass.run(module)
            try Verifier.verify(module, after: pass.name)
        }
        try write(options.emit == "c" ? try emitC(module) : IRPrinter.print(module), to: options.output ?? "-")
        return 0
    }

    /// The passes named by `--passes` (a comma-separated list, or `none`).
    private func requestedPasses() throws -> [Pass] {
        guard options.passes != "none" else { return [] }
        return try options.passes.split(separator: ",", omittingEmptySubsequences: false).map { name in
            guard let pass = PassPipeline.pass(named: String(name)) else {
                throw ToolError("unknown pass '\(name)' in --passes; passes: \(HelpText.passNames)")
            }
            return pass
        }
    }

    private var programName: String {
        URL(fileURLWithPath: source.path).deletingPathExtension().lastPathComponent
    }

    private func optimizedModule() throws -> Module {
        for name in options.disabledPasses where PassPipeline.pass(named: name) == nil {
            throw ToolError("unknown pass '\(name)' in --disable-pass; passes: \(HelpText.passNames)")
        }
        return try SourceLoader.compileToIR(source, optimize: options.optimize, disabled: options.disabledPasses,
                                            hyperparameters: options.hyperparameters, distribution: options.distribution)
    }

    private func compile() throws -> Int32 {
        if options.emit == "lib" { return try compileLibrary() }
        let module = try optimizedModule()
        if options.stats {
            // Standard error, so that `--emit c -o -` output stays clean.
            FileHandle.standardError.write(Data(try CEmitter.statistics(module).text.utf8))
        }
        try checkOutputFolder()
        switch options.emit {
        case "ir":
            try write(IRPrinter.print(module), to: options.output ?? defaultOutput + ".ir")
        case "dot":
            try write(DotPrinter.print(module), to: options.output ?? defaultOutput + ".dot")
        case "c":
            try write(try emitC(module), to: options.output ?? defaultOutput + ".c")
        case "cuda":
            try write(try emitCUDA(module), to: options.output ?? defaultOutput + ".cu")
        default:
            if options.target == "cuda" {
                try CUDAToolchain.buildExecutable(source: try emitCUDA(module), outputPath: options.output ?? defaultOutput,
                                                  emulate: options.emulate)
            } else {
                try CToolchain.buildExecutable(cSource: try emitC(module), outputPath: options.output ?? defaultOutput,
                                               mpi: options.distribution != nil)
            }
        }
        return 0
    }

    private var defaultOutput: String { URL(fileURLWithPath: source.path).deletingPathExtension().path }

    /// `-o` names a file (not a folder) in a writable folder, which is made when missing
    /// (`-o build/classifier` in a fresh checkout).
    private func checkOutputFolder() throws {
        guard let output = options.output, output != "-" else { return }
        var isDirectory: ObjCBool = false
        if output.hasSuffix("/") || (FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw ToolError("cannot write '\(output)': it is a folder; name the output inside it (-o \(output.hasSuffix("/") ? output : output + "/")NAME)")
        }
        let folder = URL(fileURLWithPath: output).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw ToolError("cannot write '\(output)': the folder '\(folder)' cannot be made: \(error.localizedDescription)")
            }
            isDirectory = true
        }
        guard isDirectory.boolValue else {
            throw ToolError("cannot write '\(output)': '\(folder)' is not a folder")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw ToolError("cannot write '\(output)': the folder '\(folder)' is not writable")
        }
    }

    /// `--emit lib`: runs the program, traces its `@export` functions and builds `NAME.h`,
    /// `libNAME.a` and `libNAME.so` (`-o DIR/NAME`).
    private func compileLibrary() throws -> Int32 {
        guard options.output != "-" else { throw ToolError("'--emit lib' writes three files; give -o DIR/NAME, not '-'") }
        try checkOutputFolder()
        try Pipeline.buildLibrary(of: source, outputPrefix: options.output ?? defaultOutput, hyperparameters: options.hyperparameters,
                                  outputDirectory: options.outputDirectory)
        return 0
    }

    private func emitC(_ module: Module) throws -> String {
        try CEmitter.emit(module, programName: programName, description: "compiled by \(HelpText.version) from \(URL(fileURLWithPath: source.path).lastPathComponent)")
    }

    private func emitCUDA(_ module: Module) throws -> String {
        try CUDAEmitter.emit(module, programName: programName, description: "compiled by \(HelpText.version) from \(URL(fileURLWithPath: source.path).lastPathComponent)")
    }

    /// `-` writes to standard output; files are written whole through a temporary name.
    private func write(_ text: String, to path: String) throws {
        if path == "-" {
            print(text, terminator: "")
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ToolError("cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    /// Compiles into the cache (keyed by the generated source) and runs the binary with the
    /// flags; `--target cuda --emulate` builds the CUDA program against the host emulation.
    private func runCompiled() throws -> Int32 {
        let module = try optimizedModule()
        let binary = options.target == "cuda"
            ? try CUDAToolchain.cachedEmulatedExecutable(source: try emitCUDA(module), name: programName)
            : try CToolchain.cachedExecutable(cSource: try emitC(module), name: programName)
        var arguments: [String] = []
        if let seed = options.seed { arguments += ["--seed", String(seed)] }
        for (name, path) in options.inputs { arguments += ["--in", "\(name)=\(path)"] }
        if let directory = options.outputDirectory { arguments += ["--out", directory] }
        if let threads = options.threads { arguments += ["--threads", String(threads)] }
        return try ProgramCache.execute(binary, arguments: arguments + options.programArguments)
    }

    /// Runs the program through the interpreter, op by op.
    private func runEager() throws -> Int32 {
        if let flag = options.programArguments.first {
            throw ToolError("'tgc run --eager' passes no flags to the program (got '\(flag)' after '--'): set a hyperparameter with -D NAME=VALUE")
        }
        let context = RunContext(seed: options.seed ?? 0)
        for (name, path) in options.inputs {
            do {
                context.inputs[name] = try NPY.load(path, as: try NPY.readType(path))
            } catch let error as ToolError {
                throw ToolError("--in \(name): \(error.message)")
            }
        }
        if let directory = options.outputDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ToolError("--out '\(directory)' is not a folder")
            }
            context.outputDirectory = directory
        }
        if let threads = options.threads { context.threads = threads }
        let builder = EagerBuilder(context: context)
        if options.trace {
            builder.trace = { line in FileHandle.standardError.write(Data(("[trace] " + line + "\n").utf8)) }
        }
        try SourceLoader.evaluate(source, with: builder, hyperparameters: options.hyperparameters)
        return 0
    }
}
