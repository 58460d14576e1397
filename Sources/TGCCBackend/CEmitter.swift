import Foundation
import TGCBase
import TGCCore
import TGCLowering

/// Emits a whole module as one readable C11 program linked against the tgc runtime:
/// a header comment, the input table, the arena and a pointer per stored value, one function
/// per kernel (one loop nest per fused group, named after its ops and commented with their DSL
/// lines), `tgc_program` (the module body, calling the kernels in order) and `main`.
public enum CEmitter {
    public static func emit(_ module: Module, programName: String, description: String) throws -> String {
        let plan = try BufferPlan(module)
        var emitter = CProgramEmitter(plan: plan, module: module)
        return try emitter.emitProgram(programName: programName, description: description)
    }

    /// What `tgc compile --stats` reports about a module.
    public static func statistics(_ module: Module) throws -> CompileStatistics {
        let plan = try BufferPlan(module)
        var kernelsAfter = 0
        var kernelsBefore = 0
        module.body.walkOutsideFusions { op in
            let members = op.kind == .fusion ? op.regions[0].ops.filter { $0.kind != .yield } : [op]
            for member in members {
                if member.kind == .matmul {
                    kernelsBefore += 1
                } else if case .kernel? = try? KernelLowering.lower(member) {
                    kernelsBefore += 1
                }
            }
            if op.results.count == 1, case .transposed = plan.storage[op.result] { return }
            switch plan.lowering(of: op) {
            case .kernel, .gemm, .argsort, .cascadeSum, .nllSum, .convolution: kernelsAfter += 1
            case .view, .staticData, .random, .input, .load, .hyper, .save, .print, .progress, .addScalar, .reseed, .loopExit, .allReduce, .processRank, .loop, .branch, .yield: break
            }
        }
        var statistics = CompileStatistics(arenaBytes: plan.memory.arenaBytes, naiveBytes: plan.memory.naiveBytes,
                                           arenaValues: plan.memory.arenaValues.count,
                                           kernelsBeforeFusion: kernelsBefore, kernelsAfterFusion: kernelsAfter)
        countGroupedKernels(module.body, plan, apart: PooledActivation.keptApart(PooledActivation.find(in: module, plan: plan).values),
                            into: &statistics)
        return statistics
    }

    /// Adds the element groups and the kernels they hold in `block` and the blocks inside it
    /// (the C program's walk of the body, `CProgramEmitter.emitBlock`).
    private static func countGroupedKernels(_ block: Block, _ plan: BufferPlan, apart: Set<ObjectIdentifier>,
                                            into statistics: inout CompileStatistics) {
        for run in RowNest.runs(of: block, plan: plan, apart: apart) {
            switch run {
            case .op(let op):
                for region in op.regions where op.kind != .fusion { countGroupedKernels(region, plan, apart: apart, into: &statistics) }
            case .rows:
                break
            case .elements(let group):
                statistics.elementGroups += 1
                statistics.kernelsInElementGroups += group.members.count
            }
        }
    }
}

/// Sizes and counts of a compiled module (`tgc compile --stats`).
public struct CompileStatistics: Equatable {
    /// The bytes of the arena the program allocates once.
    public var arenaBytes: Int
    /// The bytes one buffer per value (no reuse) would take, slots rounded to 64 bytes alike.
    public var naiveBytes: Int
    public var arenaValues: Int
    /// Loop nests and library calls if every op ran on its own.
    public var kernelsBeforeFusion: Int
    /// Loop nests and library calls of the generated program.
    public var kernelsAfterFusion: Int
    /// Element groups (ElementGroups.swift), each one kernel, and the fused kernels they hold.
    public var elementGroups = 0
    public var kernelsInElementGroups = 0

    /// Kernels the program runs once element groups are formed.
    public var kernelsAfterGrouping: Int { kernelsAfterFusion - kernelsInElementGroups + elementGroups }

    /// The report, one fact per line.
    public var text: String {
        """
        arena: \(arenaBytes) bytes for \(arenaValues) values (one buffer per value: \(naiveBytes) bytes)
        kernels: \(kernelsBeforeFusion) before fusion, \(kernelsAfterFusion) after
        element groups: \(elementGroups) holding \(kernelsInElementGroups) kernels; \(kernelsAfterGrouping) kernels in all

        """
    }
}

/// The state of one C emission: the buffer plan, the renderer and the text written so far.
/// The CUDA renderer (TGCCUDABackend) reuses its walk of the module body with `device` set.
package struct CProgramEmitter {
    package let plan: BufferPlan
    package let module: Module
    let renderer: CFamilyRenderer
    package var out = CSourceWriter()
    /// The kernel functions, written while the program body is emitted.
    package var functions = CSourceWriter()
    /// How many kernel functions have each name so far (names get `_2`, `_3`, ... suffixes).
    var functionNames: [String: Int] = [:]
    /// Nesting depth of `forLoop`s, naming their C loop counters (`iter0`, `iter1`, ...).
    package var loopDepth = 0
    /// Source files read for kernel comments, by path (nil when unreadable).
    var sourceFiles: [String: [Substring]?] = [:]
    /// Every value some op reads: a random draw outside it only advances the stream.
    package let readValues: Set<Value>
    /// Constants of equal elements read only as the base of a scatter: the scatter's kernel fills
    /// each block with the value itself (`kernelAsRun`) instead of copying it, written in place
    /// over the constant or elsewhere (a constant hoisted out of a training loop cannot be
    /// overwritten), so the constant has no kernel of its own.
    package let scatterFilledBases: Set<Value>
    /// Max poolings that make their batch-norm-and-ReLU input themselves, by pooling op
    /// (PooledActivations.swift): the activation kernel and the gather of the values emit nothing.
    let pooledActivations: [ObjectIdentifier: PooledActivation]
    /// In a library function (CEmitter+Library.swift): the C pointer its result is copied to.
    var libraryResult: String?
    /// In a library function: the context slot of each weight, by its `input` name, and the
    /// weights its products read packed (CEmitter+PackedWeights.swift), from `packedBase` on.
    var libraryWeightSlots: [String: Int] = [:]
    var packedWeights: [PackedWeight] = []
    var packedBase = 0
    /// Where kernels run on a device (CUDA): how the walk launches them and moves values; nil
    /// for the C program, whose values all live in host memory.
    package var device: (any DeviceHooks)?

    package init(plan: BufferPlan, module: Module) {
        self.plan = plan
        self.module = module
        var read = Set<Value>()
        var uses: [Value: Int] = [:]
        var scatters: [Op] = []
        module.body.walk { op in
            read.formUnion(op.operands)
            for operand in op.operands { uses[operand, default: 0] += 1 }
            if op.kind == .scatter || op.kind == .scatterAdd { scatters.append(op) }
        }
        readValues = read
        scatterFilledBases = Set(scatters.compactMap { scatter in
            let base = scatter.operands[0]
            guard let constant = base.definingOp, constant.kind == .constant, constant.attributes.data == nil, uses[base] == 1,
                  base.type.elementCount > 0 else { return nil }
            return base
        })
        pooledActivations = PooledActivation.find(in: module, plan: plan)
        self.renderer = CFamilyRenderer(bufferName: { [plan] in Self.name(plan.root($0)) })
    }

    /// The lines that open the program's sections: what precedes the state is the prelude every
    /// kernel needs, and `CTranslationUnits` splits the text at these lines.
    static let stateHeading = "/* ---- run state ---- */"
    static let kernelsHeading = "/* ---- kernels: one loop nest each, called in order by tgc_program ---- */"
    static let bodyHeading = "/* The module body. Printing is skipped while benchmarking. */"

    package static func name(_ value: Value) -> String { "v\(value.id)" }

    /// The C name of a value's storage (a view is spelled as its base).
    package func name(_ value: Value) -> String { Self.name(plan.root(value)) }

    /// The temporary that a swapped loop-carried value passes through.
    package static func temporaryName(_ argument: Value) -> String { name(argument) + "_next" }

    /// The device copy of a host buffer in a device program: `d5` for `v5`, `d5_next` for `v5_next`.
    package static func deviceName(_ hostName: String) -> String { "d" + hostName.dropFirst() }

    /// The device copy of a value's storage (`deviceName` of its host name).
    package func deviceName(_ value: Value) -> String { Self.deviceName(name(value)) }

    mutating func emitProgram(programName: String, description: String) throws -> String {
        var body = CSourceWriter()
        swap(&body, &out)
        out.line(Self.bodyHeading)
        out.open("static void tgc_program(void)")
        try emitBlock(module.body)
        out.close()
        out.line()
        swap(&body, &out)
        emitHeader(programName: programName, description: description)
        out.line(KernelPrelude.source)
        out.line()
        emitState()
        try emitInputTable()
        emitHyperparameterTable()
        emitDeclarations()
        emitAllocation()
        if !functions.text.isEmpty {
            out.line(Self.kernelsHeading)
            out.line()
            out.append(functions.text)
        }
        out.append(body.text)
        CMainFunction.emit(into: &out, programName: programName, description: description,
                           hasInputs: !plan.inputs.isEmpty, hyperparameterCount: hyperparameters.count,
                           requiredRanks: module.distribution?.ranks ?? 0)
        return out.text
    }

    // MARK: file sections

    private mutating func emitHeader(programName: String, description: String) {
        let source = firstSourceFile().map { " from " + $0 } ?? ""
        out.line("/*")
        out.line(" * \(CSourceText.comment(programName)): generated by tgc\(CSourceText.comment(source)). Do not edit; regenerate it.")
        if !description.isEmpty { out.line(" * \(CSourceText.comment(description))") }
        out.line(" *")
        out.line(" * Inputs (--in NAME=FILE.npy):\(plan.inputs.isEmpty ? " none" : "")")
        for input in plan.inputs {
            out.line(" *   \(CSourceText.comment(input.name))  \(input.type.dtype.rawValue)\(formatShape(input.type.shape))")
        }
        let saves = savedFiles()
        out.line(" * Saved files (under --out DIR):\(saves.isEmpty ? " none" : "")")
        for (path, type) in saves {
            out.line(" *   \(CSourceText.comment(path))  \(type.dtype.rawValue)\(formatShape(type.shape))")
        }
        out.line(" * Options: --seed N  --in NAME=FILE.npy  --out DIR  --bench N  --threads N  --quiet  --help")
        out.line(" */")
        emitIncludes()
    }

    /// The headers every generated C file includes: the runtime's, then libc's.
    mutating func emitIncludes() {
        out.line("#include \"tgc_runtime.h\"")
        out.line()
        for header in ["math.h", "stdint.h", "stdlib.h", "string.h"] { out.line("#include <\(header)>") }
        out.line()
    }

    package mutating func emitState() {
        out.line(Self.stateHeading)
        out.line("static tgc_rng tgc_rng_state;   /* the one Philox stream; every random op draws from it in program order */")
        out.line("static tgc_options tgc_opts;     /* parsed command-line options */")
        out.line("static int tgc_printing = 1;     /* 0 while benchmarking */")
        out.line()
        var kinds = Set<OpKind>()
        module.body.walk { kinds.insert($0.kind) }
        if kinds.contains(.load) { out.line(Self.loadHelper) }
        if kinds.contains(.save) { out.line(Self.saveHelper) }
        if kinds.contains(.addScalar) { out.line(Self.addScalarHelper) }
    }

    package mutating func emitInputTable() throws {
        out.line("/* ---- inputs, bound with --in NAME=FILE.npy ---- */")
        guard !plan.inputs.isEmpty else {
            out.line("static tgc_input tgc_inputs[1]; /* this program has no inputs */")
            out.line("#define TGC_INPUT_COUNT 0")
            out.line()
            return
        }
        out.line("static tgc_input tgc_inputs[] = {")
        for input in plan.inputs {
            guard input.type.rank <= 8 else {
                throw ToolError("input '\(input.name)' has rank \(input.type.rank); the runtime supports at most 8 dimensions")
            }
            let dims = input.type.shape.isEmpty ? "0" : input.type.shape.map(String.init).joined(separator: ", ")
            out.line("    { \(CSourceText.stringLiteral(input.name)), \(dtypeCode(input.type.dtype)), \(input.type.rank), { \(dims) }, NULL, 0 },")
        }
        out.line("};")
        out.line("#define TGC_INPUT_COUNT \(plan.inputs.count)")
        out.line()
    }

    /// The arena, and one file-scope pointer (or constant array) per stored value, in order of
    /// definition.
    package mutating func emitDeclarations() {
        out.line("/* ---- the arena: one allocation holds every intermediate value; a value's slot (64-byte")
        out.line("   aligned) is reused once the value is dead. Views (reshape, loop results) use their base's. ---- */")
        out.line("#define TGC_ARENA_BYTES \(plan.memory.arenaBytes)  /* one buffer per value would take \(plan.memory.naiveBytes) */")
        out.line("static unsigned char *tgc_arena;")
        for value in plan.values {
            let type = ScalarType(value.type.dtype).cName
            let about = CSourceText.comment("\(value.type)  \(origin(of: value))")
            switch plan.storage[value]! {
            case .arena(let offset):
                out.line("static \(type) *\(Self.name(value));  /* \(about)  arena @\(offset) */")
            case .input:
                out.line("static \(type) *\(Self.name(value));  /* \(about) */")
            case .loopIndex:
                out.line("static \(type) \(Self.name(value))[1];  /* \(about) */")
            case .staticData(let data):
                emitStaticArray(value, data)
            case .view, .transposed:
                break
            }
        }
        for (argument, _) in swapTemporaries() {
            out.line("static \(ScalarType(argument.type.dtype).cName) *\(Self.temporaryName(argument));  /* next value of \(Self.name(argument)) (swap) */")
        }
        out.line()
    }

    /// A constant value as a file-scope array.
    mutating func emitStaticArray(_ value: Value, _ data: [Double]) {
        let about = CSourceText.comment("\(value.type)  \(origin(of: value))")
        let storage = device == nil ? "static _Alignas(64)" : "alignas(64) static"   // C11 or C++
        out.line("\(storage) const \(ScalarType(value.type.dtype).cName) \(Self.name(value))[\(data.count)] = {  /* \(about) */")
        let literals = data.map { Self.elementLiteral($0, value.type.dtype) }
        for start in stride(from: 0, to: literals.count, by: 8) {
            out.line("    " + literals[start..<min(start + 8, literals.count)].joined(separator: ", ") + ",")
        }
        out.line("};")
    }

    private mutating func emitAllocation() {
        out.line("/* Allocates the arena once, before the first run: the program allocates nothing else. */")
        out.open("static void tgc_allocate(void)")
        out.line("tgc_arena = tgc_alloc(TGC_ARENA_BYTES);")
        for value in plan.values {
            if case .arena(let offset) = plan.storage[value]! {
                out.line("\(Self.name(value)) = (\(ScalarType(value.type.dtype).cName) *)(tgc_arena + \(offset));")
            }
        }
        for (argument, _) in swapTemporaries() {
            out.line("\(Self.temporaryName(argument)) = tgc_alloc(\(byteCount(argument.type)));")
        }
        out.close()
        out.line()
    }

    // MARK: helpers

    /// `load` with the runtime's .npy, IDX and safetensors readers; errors are fatal with their
    /// message, at the source location `where` of the program's `load`.
    static let loadHelper = """
        /* Reads the first `rows` rows of a .npy or IDX file (gzip'd or not) of exactly this dtype and
           shape into data; a relative path (a file the program saved) is under --out DIR. */
        static void load_data(const char *where, const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, int64_t rows, void *data) {
            char err[512];
            char *full = tgc_output_path(&tgc_opts, path);
            if (tgc_data_load_rows(full, dtype, ndim, shape, rows, data, err, sizeof err) != 0) tgc_fatal_at(where, "%s", err);
            free(full);
        }

        /* Reads the tensor `name` of a safetensors file, of exactly this dtype and shape, into data;
           a relative path (a file the program saved) is under --out DIR. */
        static void load_safetensors(const char *where, const char *path, const char *name, tgc_dtype dtype, int ndim, const int64_t *shape, void *data) {
            char err[512];
            char *full = tgc_output_path(&tgc_opts, path);
            if (tgc_safetensors_load(full, name, dtype, ndim, shape, data, err, sizeof err) != 0) tgc_fatal_at(where, "%s", err);
            free(full);
        }

        /* Checks that a checkpoint holds no tensor beyond names (those of the model it loads into). */
        static void check_safetensors_keys(const char *where, const char *path, int count, const char *const *names) {
            char err[512];
            char *full = tgc_output_path(&tgc_opts, path);
            if (tgc_safetensors_check_keys(full, count, names, err, sizeof err) != 0) tgc_fatal_at(where, "%s", err);
            free(full);
        }

        """

    /// `save` with the runtime's .npy and safetensors writers; errors are fatal with their message.
    static let addScalarHelper = """
        /* Logs a scalar to DIR/scalars.csv and DIR's TensorBoard event file; relative folders go under --out DIR.
           The timed runs of --bench log nothing (the warm-up run logs); under MPI only rank 0 logs. */
        static void add_scalar(const char *folder, const char *tag, float value, int64_t step) {
            if ((tgc_opts.bench_runs > 0 && !tgc_printing) || tgc_process_rank() != 0) return;
            char err[512];
            char *full = tgc_output_path(&tgc_opts, folder);
            if (tgc_summary_add_scalar(full, tag, step, value, err, sizeof err) != 0) tgc_fatal("%s", err);
            free(full);
        }

        """

    static let saveHelper = """
        /* Writes a .npy file; relative paths go under --out DIR. */
        static void save_npy(const char *path, tgc_dtype dtype, int ndim, const int64_t *shape, const void *data) {
            if (tgc_process_rank() != 0) return; /* under MPI only rank 0 writes files */
            char err[512];
            char *full = tgc_output_path(&tgc_opts, path);
            if (tgc_npy_save(full, dtype, ndim, shape, data, err, sizeof err) != 0) tgc_fatal("%s", err);
            free(full);
        }

        /* Writes named tensors to a safetensors file; relative paths go under --out DIR. */
        static void save_safetensors(const char *path, int count, const tgc_safetensors_tensor *tensors) {
            if (tgc_process_rank() != 0) return; /* under MPI only rank 0 writes files */
            char err[512];
            char *full = tgc_output_path(&tgc_opts, path);
            if (tgc_safetensors_save(full, count, tensors, err, sizeof err) != 0) tgc_fatal("%s", err);
            free(full);
        }

        """

    /// `12 * sizeof(float)`.
    package func byteCount(_ type: TensorType) -> String {
        "\(type.elementCount) * sizeof(\(ScalarType(type.dtype).cName))"
    }

    /// A compound literal holding the shape (one dummy element for scalars); C++ (a device
    /// program) has no compound literals, so there a temporary `std::array`'s data.
    func shapeLiteral(_ type: TensorType) -> String {
        let dimensions = type.shape.isEmpty ? "0" : type.shape.map(String.init).joined(separator: ", ")
        if device != nil { return "std::array<int64_t, \(max(type.rank, 1))>{{\(dimensions)}}.data()" }
        return "(const int64_t[]){" + dimensions + "}"
    }

    func dtypeCode(_ dtype: DType) -> String { Self.dtypeCode(dtype) }

    /// The runtime's `tgc_dtype` constant.
    static func dtypeCode(_ dtype: DType) -> String {
        switch dtype {
        case .float32: "TGC_F32"
        case .int64: "TGC_I64"
        case .bool: "TGC_BOOL"
        case .float64: "TGC_F64"
        case .int32: "TGC_I32"
        case .uint8: "TGC_U8"
        }
    }

    static func elementLiteral(_ value: Double, _ dtype: DType) -> String {
        switch dtype {
        case .float32: CFamilyRenderer.literal(Float(value))
        case .float64: CFamilyRenderer.literal(value)
        case .int64: CFamilyRenderer.literal(ScalarRules.truncatedInt64(value))
        case .int32, .uint8: "\(Int64(Tensor.round(value, to: dtype)))"
        case .bool: value != 0 ? "1" : "0"
        }
    }

    /// `model.swiftdsl:4:9` (file name without folders), or "" for unknown locations.
    package static func locationText(_ location: SourceLocation) -> String {
        guard location.line > 0 else { return "" }
        let file = location.file.split(separator: "/").last.map(String.init) ?? location.file
        return "\(file):\(location.line):\(location.column)"
    }

    /// "add  model.swiftdsl:4:9": the op that defines a value, or what a block argument is.
    func origin(of value: Value) -> String {
        if let op = value.definingOp {
            return "\(IRPrinter.opName(op.kind))  \(Self.locationText(op.location))"
        }
        var description = "block argument"
        module.body.walk { op in
            guard op.kind == .forLoop, let index = op.regions[0].arguments.firstIndex(of: value) else { return }
            description = (index == 0 ? "index of for" : "carried value \(index - 1) of for") + "  " + Self.locationText(op.location)
        }
        return description
    }

    /// The block arguments that receive a swapped value and so need a temporary.
    package func swapTemporaries() -> [(Value, Op)] {
        var temporaries: [(Value, Op)] = []
        module.body.walk { op in
            guard op.kind == .forLoop else { return }
            let arguments = op.regions[0].arguments.dropFirst()
            for (argument, copy) in zip(arguments, plan.carryCopies(of: op)) {
                if case .throughTemporary = copy { temporaries.append((argument, op)) }
            }
        }
        return temporaries
    }

    private func firstSourceFile() -> String? {
        var file: String?
        module.body.walk { op in
            if file == nil, op.location.line > 0 {
                file = op.location.file.split(separator: "/").last.map(String.init)
            }
        }
        return file
    }

    private func savedFiles() -> [(String, TensorType)] {
        var saves: [(String, TensorType)] = []
        module.body.walk { op in
            guard op.kind == .save, let path = op.attributes.path else { return }
            if let names = op.attributes.names {
                saves += zip(names, op.operands).map { ("\(path) [\($0)]", $1.type) }
            } else {
                saves.append((path, op.operands[0].type))
            }
        }
        return saves
    }
}
