import Foundation
import Testing
import TGCBase
@testable import TGCCBackend
@testable import TGCCore
import TGCDriver
import TGCTestSupport

/// Whether gcc is available; C tests are skipped with this reason when it is not.
let gccAvailable = CToolchain.findCompiler() != nil
let gccMissing: Comment = "gcc is not installed (or TGC_CC names no compiler): C backend tests are skipped"

/// Runs a module on the interpreter (ModuleRunner) and as a compiled C binary, and compares
/// what they save and print.
///
/// Tolerance: integers and bools must be equal; float32 elements must agree within relative
/// 1e-5 or absolute 1e-6 (NaN matches NaN, infinities must be equal). The lowering is written
/// to be bit-exact with the interpreter (same operation order, double accumulation, the same
/// libm single-precision functions), so on this toolchain results almost always agree exactly;
/// the tolerance leaves room for a different libm's last-bit differences in expf/sinf/powf/...
/// (about 1 ulp ≈ 6e-8 relative) and for large sums that are reassociated (vectorized or split
/// into chunks, KernelSchedule): they still accumulate in double, so they differ from the
/// interpreter's sequential double sum by far less than one float32 ulp before rounding. Both
/// are far below what a real lowering bug produces. float32 matrix products go through
/// `tgc_sgemm`, which sums in float32 in its own order: MatmulTests bounds them separately.
enum CrossBackend {
    static let relativeTolerance = 1e-5
    static let absoluteTolerance = 1e-6

    /// Each program is built twice: with the shipping flags (-O3, vectorized), and with
    /// AddressSanitizer and UBSan so out-of-bounds loops and overflows fail loudly. The sanitized
    /// build uses -O1 and no -g: gcc needs 10+ s for one large sanitized function at -O3 -g.
    static let configurations: [(label: String, flags: [String])] = [
        ("O3", []),
        ("sanitized", ["-O1", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]),
    ]

    /// A fresh temporary folder, removed by the caller.
    static func makeDirectory(_ label: String) throws -> URL { try TestScratch.folder("cbackend-\(label)") }

    /// The optimized IR of a program in the DSL (the whole pass pipeline, fusion and the
    /// memory plan included), as `tgc compile` builds it.
    static func module(source: String, name: String) throws -> Module {
        let directory = try makeDirectory("source-\(name)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("\(name).swiftdsl")
        try source.write(to: file, atomically: true, encoding: .utf8)
        return try Pipeline.module(of: file.path)
    }

    /// Emits and compiles `module` into `directory/name`, once per configuration; returns the
    /// binaries' paths. The memory plan runs first (hand-built modules have not been through
    /// the pass pipeline), so every test exercises arena reuse and in-place updates.
    static func compile(_ module: Module, name: String, in directory: URL,
                        configurations: [(label: String, flags: [String])] = configurations) throws -> [String] {
        try Verifier.verify(module)
        try PassPipeline.pass(named: "memory-plan")!.run(module)
        let source = try CEmitter.emit(module, programName: name, description: "cross-backend test \(name)")
        return try configurations.map { configuration in
            let path = directory.appendingPathComponent("\(name)-\(configuration.label)").path
            try CToolchain.buildExecutable(cSource: source, outputPath: path, extraFlags: configuration.flags)
            return path
        }
    }

    /// Runs `module` on the interpreter; saves go to `outputDirectory`; returns printed lines.
    static func interpret(_ module: Module, outputDirectory: URL, seed: UInt64 = 0,
                          inputs: [String: Tensor] = [:]) throws -> [String] {
        let context = RunContext(seed: seed)
        context.outputDirectory = outputDirectory.path
        context.inputs = inputs
        var output = ""
        context.write = { output += $0 }
        try ModuleRunner.run(module, context: context)
        return RunContext.lines(of: output)
    }

    /// Runs a built binary; `ASAN_OPTIONS` turns leak checking off (sandboxes may forbid ptrace).
    static func execute(_ binary: String, _ arguments: [String]) throws -> ProcessRunner.Result {
        try ProcessRunner.run(binary, arguments, environment: ["ASAN_OPTIONS": "detect_leaks=0"])
    }

    /// Runs `module` on the interpreter and as every compiled configuration, each saving into
    /// its own folder under `directory`; for tests that compare the saved files themselves.
    static func saveEverywhere(_ module: Module, name: String, in directory: URL,
                               sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> (interpreter: URL, binaries: [(label: String, folder: URL)]) {
        let binaries = try compile(module, name: name, in: directory)
        let interpreter = directory.appendingPathComponent("interpreter")
        try FileManager.default.createDirectory(at: interpreter, withIntermediateDirectories: true)
        _ = try interpret(module, outputDirectory: interpreter)
        let outputs = try binaries.map { binary -> (label: String, folder: URL) in
            let label = URL(fileURLWithPath: binary).lastPathComponent
            let folder = directory.appendingPathComponent(label + "-out")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let run = try execute(binary, ["--out", folder.path])
            #expect(run.status == 0, "\(label) failed: \(run.stderr)", sourceLocation: sourceLocation)
            return (label, folder)
        }
        return (interpreter, outputs)
    }

    /// Interpreter vs binary on one module: every saved file must agree and the printed lines
    /// must be identical. Returns the interpreter's lines for further checks.
    @discardableResult
    /// `exact`: floats must be bit-identical too (random streams are, by design of the runtime).
    static func expectAgreement(_ module: Module, name: String, seeds: [UInt64] = [0], exact: Bool = false,
                                tolerance: Tolerance = .standard,
                                sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [String] {
        let directory = try makeDirectory(name)
        defer { try? FileManager.default.removeItem(at: directory) }
        let binaries = try compile(module, name: name, in: directory)
        var printed: [String] = []
        for seed in seeds {
            let expected = directory.appendingPathComponent("interpreter-\(seed)")
            try FileManager.default.createDirectory(at: expected, withIntermediateDirectories: true)
            printed = try interpret(module, outputDirectory: expected, seed: seed)
            for binary in binaries {
                let label = URL(fileURLWithPath: binary).lastPathComponent
                let actual = directory.appendingPathComponent("\(label)-\(seed)")
                try FileManager.default.createDirectory(at: actual, withIntermediateDirectories: true)
                let result = try execute(binary, ["--out", actual.path] + (seed == 0 ? [] : ["--seed", String(seed)]))
                #expect(result.status == 0, "\(label) failed: \(result.stderr)", sourceLocation: sourceLocation)
                #expect(result.stdout == printed.map { $0 + "\n" }.joined(),
                        "\(label) printed other text (seed \(seed))", sourceLocation: sourceLocation)
                try expectSameFiles(expected: expected, actual: actual, exact: exact, tolerance: tolerance,
                                    sourceLocation: sourceLocation)
            }
        }
        return printed
    }

    /// The same binary on one and on two threads prints the same text and saves the same bytes
    /// (`files` files).
    static func expectThreadIndependence(_ module: Module, name: String, files: Int,
                                         sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let directory = try makeDirectory(name)
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = try #require(try compile(module, name: name, in: directory, configurations: [("O3", [])]).first)
        var outputs: [(String, [String: Data])] = []
        for threads in [1, 2] {
            let folder = directory.appendingPathComponent("threads\(threads)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let run = try execute(binary, ["--threads", String(threads), "--out", folder.path])
            #expect(run.status == 0, "\(run.stderr)", sourceLocation: sourceLocation)
            var saved: [String: Data] = [:]
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                saved[file] = try Data(contentsOf: folder.appendingPathComponent(file))
            }
            outputs.append((run.stdout, saved))
        }
        #expect(outputs[0].0 == outputs[1].0, sourceLocation: sourceLocation)
        #expect(outputs[0].1.count == files, sourceLocation: sourceLocation)
        for (file, data) in outputs[0].1 {
            #expect(outputs[1].1[file] == data, "\(file) differs between --threads 1 and --threads 2", sourceLocation: sourceLocation)
        }
    }

    /// How close float32 elements must be: within `relative` of the interpreter's value or
    /// within `absolute`.
    struct Tolerance {
        var relative: Double
        var absolute: Double

        static let standard = Tolerance(relative: relativeTolerance, absolute: absoluteTolerance)
        /// For programs with float32 matrix products (sgemm's float32 sums, see MatmulTests),
        /// whose rounding differences then flow through later ops: the bound of
        /// GradientAgreementTests.
        static let withMatmuls = Tolerance(relative: 1e-4, absolute: 1e-5)
    }

    /// Every .npy in `expected` exists in `actual` with the same type and agreeing elements.
    static func expectSameFiles(expected: URL, actual: URL, exact: Bool = false, tolerance: Tolerance = .standard,
                                sourceLocation: Testing.SourceLocation) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: expected.path).filter { $0.hasSuffix(".npy") }.sorted()
        #expect(!names.isEmpty, "the interpreter saved nothing", sourceLocation: sourceLocation)
        for name in names {
            let a = expected.appendingPathComponent(name).path, b = actual.appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: b) else {
                Issue.record("the binary did not write \(name)", sourceLocation: sourceLocation)
                continue
            }
            let type = try NPY.readType(a)
            let typeB = try NPY.readType(b)
            guard type == typeB else {
                Issue.record("\(name): interpreter wrote \(type), C wrote \(typeB)", sourceLocation: sourceLocation)
                continue
            }
            let x = try NPY.load(a, as: type), y = try NPY.load(b, as: type)
            let mismatches = zip(x.elements, y.elements).enumerated().filter { !agree($0.element.0, $0.element.1, type.dtype, exact: exact, tolerance: tolerance) }
            if let first = mismatches.first {
                Issue.record("\(name) (\(type)): \(mismatches.count) elements differ; first at \(first.offset): interpreter \(first.element.0), C \(first.element.1)",
                             sourceLocation: sourceLocation)
            }
        }
        let logs = expected.appendingPathComponent("logs/scalars.csv").path
        if FileManager.default.fileExists(atPath: logs) {
            let written = try? String(contentsOfFile: actual.appendingPathComponent("logs/scalars.csv").path, encoding: .utf8)
            #expect(written == (try String(contentsOfFile: logs, encoding: .utf8)), "the binary logged other scalars", sourceLocation: sourceLocation)
        }
    }

    static func agree(_ a: Double, _ b: Double, _ dtype: DType, exact: Bool = false,
                      tolerance: Tolerance = .standard) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        guard dtype == .float32, !exact else { return a == b }
        if a.isInfinite || b.isInfinite { return a == b }
        return Swift.abs(a - b) <= max(tolerance.absolute, tolerance.relative * Swift.abs(a))
    }
}
