import TGCBase
import TGCCore

/// The parsed command line of `tgc`.
struct Options {
    enum Command: String {
        case compile, run, check, ir, opt
    }

    var command: Command
    var file: String
    var output: String?
    var emit = "exe"
    var eager = false
    var trace = false
    var after: String?
    /// `tgc opt --passes cse,dce`: the passes to run on the IR, in order ("none": none).
    var passes = "none"
    var optimize = true
    var disabledPasses: Set<String> = []
    var seed: UInt64?
    var inputs: [(name: String, path: String)] = []
    var outputDirectory: String?
    /// Flags passed through to the generated binary by `tgc run`.
    var programArguments: [String] = []
    /// `-D name=value`: the value of `hyper("name", ...)` (compile, run, check, ir).
    var hyperparameters: [String: String] = [:]
    /// `tgc compile --stats`: print the arena size, a naive plan's size and kernel counts.
    var stats = false
    /// `tgc run --threads N`: OpenMP threads of the generated program, or the interpreter's
    /// threads for products and convolutions under --eager.
    var threads: Int?
    /// `--distributed mpi [--ranks N] [--bucket-mb MB]` (compile, ir, check): data-parallel over MPI.
    var distribution: Distribution?
    /// `--target c|cuda` (compile, run): the C program (gcc) or the CUDA program (nvcc).
    var target = "c"
    /// `--emulate` (with --target cuda): build the CUDA program against the host emulation.
    var emulate = false

    static let emitKinds = ["exe", "c", "cuda", "ir", "dot", "lib"]
    static let targets = ["c", "cuda"]
    /// What `tgc opt` can stop at: IR text (the default) or C source.
    static let optEmitKinds = ["ir", "c"]

    /// Parses `arguments` (without the program name); throws ToolError with a hint on misuse.
    static func parse(_ arguments: [String]) throws -> Options {
        guard let commandName = arguments.first else { throw ToolError("no command given; run 'tgc --help'") }
        guard let command = Command(rawValue: commandName) else {
            throw ToolError("unknown command '\(commandName)'; expected compile, run, check, ir or opt (see 'tgc --help')")
        }
        var options = Options(command: command, file: "")
        var files: [String] = []
        var emitGiven = false
        var rankCount: Int?
        var bucketBytes: Int?
        var rest = arguments.dropFirst()[...]
        func value(for flag: String) throws -> String {
            guard let next = rest.popFirst(), !next.hasPrefix("--") || next == "-" else {
                throw ToolError("\(flag) needs a value (see 'tgc \(commandName) --help')")
            }
            return next
        }
        while let argument = rest.popFirst() {
            var flag = argument
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                flag = String(argument[..<equals])
                rest.insert(String(argument[argument.index(after: equals)...]), at: rest.startIndex)
            }
            switch flag {
            case "-o", "--output": options.output = try value(for: flag)
            case "--emit":
                options.emit = try value(for: flag)
                emitGiven = true
                guard emitKinds.contains(options.emit) else {
                    throw ToolError("unknown --emit kind '\(options.emit)'; expected one of \(emitKinds.joined(separator: ", "))")
                }
            case "--eager": options.eager = true
            case "--trace": options.trace = true
            case "--after": options.after = try value(for: flag)
            case "--passes": options.passes = try value(for: flag)
            case "-O0": options.optimize = false
            case "-O", "-O1", "-O2", "-O3": options.optimize = true
            case "--disable-pass": options.disabledPasses.insert(try value(for: flag))
            case "--seed":
                let text = try value(for: flag)
                guard let seed = UInt64(text) else { throw ToolError("--seed needs a non-negative integer, got '\(text)'") }
                options.seed = seed
            case "--in":
                let binding = try value(for: flag)
                guard let equals = binding.firstIndex(of: "="), equals != binding.startIndex else {
                    throw ToolError("--in needs NAME=FILE.npy, got '\(binding)'")
                }
                options.inputs.append((String(binding[..<equals]), String(binding[binding.index(after: equals)...])))
            case "--out": options.outputDirectory = try value(for: flag)
            case "--stats": options.stats = true
            case "--target":
                options.target = try value(for: flag)
                guard targets.contains(options.target) else {
                    throw ToolError("unknown --target '\(options.target)'; expected one of \(targets.joined(separator: ", "))")
                }
            case "--emulate": options.emulate = true
            case "--threads":
                let text = try value(for: flag)
                guard let threads = Int(text), threads >= 1, threads <= 4096 else {
                    throw ToolError("--threads needs a number of threads from 1 to 4096, got '\(text)'")
                }
                options.threads = threads
            case "--distributed":
                let backend = try value(for: flag)
                guard backend == "mpi" else { throw ToolError("unknown --distributed backend '\(backend)'; expected mpi") }
                options.distribution = options.distribution ?? Distribution(ranks: 2)
            case "--ranks":
                let text = try value(for: flag)
                guard let ranks = Int(text), ranks >= 1, ranks <= 1 << 20 else {
                    throw ToolError("--ranks needs a number of processes from 1 to 1048576, got '\(text)'")
                }
                rankCount = ranks
            case "--bucket-mb":
                let text = try value(for: flag)
                guard let megabytes = Double(text), megabytes > 0, megabytes <= 1_048_576 else {
                    throw ToolError("--bucket-mb needs a positive size in MiB (as DDP's bucket_cap_mb, default 25), got '\(text)'")
                }
                bucketBytes = max(1, Int(megabytes * 1_048_576))
            case "-D":
                let setting = try value(for: flag)
                guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex, setting.index(after: equals) != setting.endIndex else {
                    throw ToolError("-D needs NAME=VALUE (a hyperparameter of the program), got '\(setting)'")
                }
                let name = String(setting[..<equals])
                guard options.hyperparameters[name] == nil else { throw ToolError("-D \(name) is given twice") }
                options.hyperparameters[name] = String(setting[setting.index(after: equals)...])
            case _ where flag.hasPrefix("-D") && flag.count > 2:
                rest.insert(String(flag.dropFirst(2)), at: rest.startIndex)
                rest.insert("-D", at: rest.startIndex)
            case "--":
                options.programArguments += rest
                rest = []
            default:
                if argument.hasPrefix("-") && argument != "-" {
                    throw ToolError("unknown option '\(argument)' for 'tgc \(commandName)' (see 'tgc --help')")
                }
                files.append(argument)
            }
        }
        guard files.count == 1 else {
            throw ToolError(files.isEmpty ? "no input file; usage: tgc \(commandName) FILE.swiftdsl" : "expected one input file, got \(files.count): \(files.joined(separator: " "))")
        }
        options.file = files[0]
        if command == .opt {
            if !emitGiven { options.emit = "ir" }
            guard optEmitKinds.contains(options.emit) else {
                throw ToolError("'tgc opt' emits \(optEmitKinds.joined(separator: " or ")), not '\(options.emit)'")
            }
        } else {
            if options.file == "-" { throw ToolError("reading standard input ('-') belongs to 'tgc opt'") }
            if options.passes != "none" { throw ToolError("--passes belongs to 'tgc opt' (other commands take --after or --disable-pass)") }
        }
        if command != .run && (options.eager || options.trace) {
            throw ToolError("--eager and --trace belong to 'tgc run'")
        }
        if rankCount != nil || bucketBytes != nil {
            guard options.distribution != nil else { throw ToolError("--ranks and --bucket-mb belong to --distributed mpi") }
        }
        if let ranks = rankCount { options.distribution?.ranks = ranks }
        if let bytes = bucketBytes { options.distribution?.bucketBytes = bytes }
        if options.distribution != nil && ![.compile, .ir, .check].contains(command) {
            throw ToolError("--distributed belongs to 'tgc compile' (run the program with mpirun -np N), 'tgc ir' and 'tgc check'")
        }
        if options.distribution != nil && command == .compile && options.emit == "lib" {
            throw ToolError("--distributed builds a program run by mpirun, not a library (--emit lib)")
        }
        if options.trace && !options.eager { throw ToolError("--trace needs --eager (it traces the interpreter)") }
        if options.stats && command != .compile { throw ToolError("--stats belongs to 'tgc compile'") }
        if options.threads != nil && command != .run {
            throw ToolError("--threads belongs to 'tgc run' (generated binaries take --threads N too)")
        }
        try validateTarget(options, commandName: commandName)
        return options
    }

    /// `--target cuda` and `--emulate` go with compile and compiled runs; `--emit cuda` is the
    /// CUDA target's source, as `--emit c` is the C target's.
    private static func validateTarget(_ options: Options, commandName: String) throws {
        let explicitTarget = options.target != "c" || options.emulate
        if explicitTarget && !(options.command == .compile || (options.command == .run && !options.eager)) {
            throw ToolError("--target and --emulate belong to 'tgc compile' and 'tgc run' of a compiled program")
        }
        if options.emulate && options.target != "cuda" { throw ToolError("--emulate needs --target cuda") }
        if options.command == .run && options.target == "cuda" && !options.emulate {
            throw ToolError("'tgc run --target cuda' runs the CUDA program on the CPU and needs --emulate; "
                            + "for the GPU, build it with 'tgc compile --target cuda -o FILE' and run FILE")
        }
        if options.target == "cuda" && ["c", "lib"].contains(options.emit) {
            throw ToolError("--emit \(options.emit) belongs to the C target; --target cuda emits exe or cuda")
        }
    }
}
