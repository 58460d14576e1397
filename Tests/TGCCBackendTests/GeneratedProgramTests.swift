import Foundation
import Testing
import TGCBase
@testable import TGCCBackend
@testable import TGCCore

/// The command line of generated binaries: inputs bound with --in, `load` at run time, clear
/// errors (missing or mis-shaped .npy, unknown flags, unbound inputs), --bench and --help.
/// One binary serves every check, so gcc runs once.
@Suite(.enabled(if: gccAvailable, gccMissing), .serialized)
struct GeneratedProgramTests {
    /// inputs x: f32[3, 4], n: i64[2], m: bool[3]; a `load` of `loadPath`: f32[2].
    static func program(loadPath: String) throws -> Module {
        let p = ProgramBuilder()
        func input(_ name: String, _ shape: [Int], _ dtype: DType) throws -> ValueID {
            try p.op(.input, []) { $0.name = name; $0.shape = shape; $0.dtype = dtype }
        }
        let x = try input("x", [3, 4], .float32)
        let n = try input("n", [2], .int64)
        let m = try input("m", [3], .bool)
        let total = try p.op(.reduceSum, [n]) { $0.axes = nil }
        try p.save(try p.op(.add, [try p.op(.mul, [x, try p.splat(2, [])]), total]), "x_times_2_plus_sum_n")
        try p.save(try p.op(.select, [try p.op(.reshape, [m]) { $0.shape = [3, 1] }, x, try p.splat(-1, [])]), "select_by_m")
        try p.save(try p.op(.mod, [try p.splat(10, [2], .int64), n]), "ten_mod_n")
        let loaded = try p.op(.load, []) { $0.path = loadPath; $0.shape = [2]; $0.dtype = .float32 }
        try p.save(try p.op(.exp, [loaded]), "exp_loaded")
        try p.effect(.print, [x]) { $0.printSegments = [.text("x = "), .tensor(operand: 0, suffix: nil)] }
        return p.module
    }

    /// What the compiled `module` writes to stderr when it fails at run time, as it must.
    static func runtimeError(of module: Module, name: String) throws -> String {
        let directory = try CrossBackend.makeDirectory(name)
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = try #require(try CrossBackend.compile(module, name: name, in: directory).last)
        let run = try CrossBackend.execute(binary, [])
        #expect(run.status != 0)
        return run.stderr
    }

    @Test func integerModuloByZeroNamesItsSourceLocation() throws {
        let module = try CrossBackend.module(source: "let a = arange(0, 4)\nprint(a % (a - a))", name: "modzero")
        let stderr = try Self.runtimeError(of: module, name: "modzero")
        #expect(stderr.contains("modzero.swiftdsl:2:9: error: integer modulo by zero"), "\(stderr)")
    }

    /// A tensor with no rows has no valid index: the check still runs (its rows are not empty).
    @Test func indexIntoZeroRowsIsAnError() throws {
        let module = try CrossBackend.module(source: "let x = zeros([0, 4])\nlet i = tensor([0, 1])\nprint(x[i])", name: "norows")
        let stderr = try Self.runtimeError(of: module, name: "norows")
        #expect(stderr.contains("norows.swiftdsl:3:7: error: index 0 is out of bounds for dimension 0 with size 0"), "\(stderr)")
    }

    /// `names[k]` with `k` computed at run time stops naming the subscript's line when `k` lies
    /// outside the array, in generated code as in the interpreter (samples/ch5_predictions
    /// prints the strings it picks).
    @Test func stringArrayIndexedAtRunTime() throws {
        let source = "let names = [\"cat\", \"dog\", \"emu\"]\nlet x = tensor([0.5, 2.0, 1.0])\nprint(names[x.argmax().item()], names[-1])\nprint(names[x.argmax() + 2])"
        try Self.expectIndexError(source, name: "names", at: "4:13", "index 3 is out of bounds for dimension 0 with size 3")
    }

    /// Both the compiled `source` and the interpreter stop with `message`, the binary naming
    /// the line and column `position`.
    static func expectIndexError(_ source: String, name: String, at position: String, _ message: String) throws {
        let module = try CrossBackend.module(source: source, name: name)
        let stderr = try runtimeError(of: module, name: name)
        #expect(stderr.contains("\(name).swiftdsl:\(position): error: \(message)"), "\(stderr)")
        let directory = try CrossBackend.makeDirectory("\(name)-eager")
        defer { try? FileManager.default.removeItem(at: directory) }
        let interpreted = #expect(throws: (any Error).self) { _ = try CrossBackend.interpret(module, outputDirectory: directory) }
        #expect("\(interpreted.map { String(describing: $0) } ?? "")".contains(message))
    }

    /// x[idx] checks each row index at run time, in generated code as in the interpreter, and
    /// names the subscript's line with PyTorch's message (the index as written, negative too).
    @Test func indexOutOfRangeNamesItsSourceLocation() throws {
        for (rows, shown) in [("[1, 3]", "index 3"), ("[-4, 0]", "index -4")] {
            let source = "let x = zeros([3, 2])\nlet i = tensor(\(rows))\nprint(x[i])"
            try Self.expectIndexError(source, name: "badindex", at: "3:7", "\(shown) is out of bounds for dimension 0 with size 3")
        }
    }

    /// gather, scatter, scatterAdd and indexSelect check every index along their dimension at
    /// run time, in generated code as in the interpreter, naming the call's line (negative
    /// indices are errors too, as in PyTorch).
    @Test func selectingOutOfRangeNamesItsSourceLocation() throws {
        let calls = [("x.gather(dim: 1, index: tensor([[0, 3], [1, 1], [0, 0]]))", "index 3 is out of bounds for dimension 1 with size 2"),
                     ("x.scatter(dim: 0, index: tensor([[0, -1]]), value: 1.0)", "index -1 is out of bounds for dimension 0 with size 3"),
                     ("x.scatterAdd(dim: 1, index: tensor([[1], [2]]), src: ones([2, 1]))", "index 2 is out of bounds for dimension 1 with size 2"),
                     ("x.indexSelect(dim: 1, index: tensor([1, 0, 5]))", "index 5 is out of bounds for dimension 1 with size 2")]
        for (call, message) in calls {
            let module = try CrossBackend.module(source: "let x = zeros([3, 2])\nprint(\(call))", name: "badselect")
            let stderr = try Self.runtimeError(of: module, name: "badselect")
            #expect(stderr.contains("badselect.swiftdsl:2:7: error: \(message)"), "\(stderr)")
            let directory = try CrossBackend.makeDirectory("badselect-eager")
            defer { try? FileManager.default.removeItem(at: directory) }
            let interpreted = #expect(throws: (any Error).self) { _ = try CrossBackend.interpret(module, outputDirectory: directory) }
            #expect("\(interpreted.map { String(describing: $0) } ?? "")".contains("badselect.swiftdsl:2:7: error: \(message)"))
        }
    }

    /// crossEntropy and nllLoss check their class labels through the gather that picks them,
    /// naming the call's line in both modes; ignoreIndex entries (-100 here) are not checked.
    @Test func classLabelOutOfRangeNamesItsSourceLocation() throws {
        let calls = [("crossEntropy(x, tensor([0, 4, -100]))", "index 4 is out of bounds for dimension 1 with size 4"),
                     ("nllLoss(x, tensor([-100, -1, 2]), reduction: .none)", "index -1 is out of bounds for dimension 1 with size 4"),
                     ("crossEntropy(x, tensor([0, 9, 1]), ignoreIndex: 1, labelSmoothing: 0.1)", "index 9 is out of bounds for dimension 1 with size 4")]
        for (call, message) in calls {
            let module = try CrossBackend.module(source: "let x = zeros([3, 4])\nprint(\(call))", name: "badlabel")
            let stderr = try Self.runtimeError(of: module, name: "badlabel")
            #expect(stderr.contains("badlabel.swiftdsl:2:7: error: \(message)"), "\(stderr)")
            let directory = try CrossBackend.makeDirectory("badlabel-eager")
            defer { try? FileManager.default.removeItem(at: directory) }
            let interpreted = #expect(throws: (any Error).self) { _ = try CrossBackend.interpret(module, outputDirectory: directory) }
            #expect("\(interpreted.map { String(describing: $0) } ?? "")".contains("badlabel.swiftdsl:2:7: error: \(message)"))
        }
        let ignored = try CrossBackend.module(source: "let x = zeros([2, 4])\nprint(crossEntropy(x, tensor([-100, 3]), reduction: .none))", name: "ignoredlabel")
        let directory = try CrossBackend.makeDirectory("ignoredlabel")
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = try #require(try CrossBackend.compile(ignored, name: "ignoredlabel", in: directory).last)
        let run = try CrossBackend.execute(binary, [])
        #expect(run.status == 0, "\(run.stderr)")
    }

    @Test func inputsLoadsAndErrors() throws {
        let directory = try CrossBackend.makeDirectory("program")
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let module = try Self.program(loadPath: file("loaded.npy"))
        // The sanitized build: this test is about the command line, not about code generation.
        let binary = try #require(try CrossBackend.compile(module, name: "program", in: directory).last)

        let x = Tensor(type: TensorType([3, 4], .float32), elements: TestData.floats(12, seed: 50))
        let n = Tensor(type: TensorType([2], .int64), elements: [3, -7])
        let m = Tensor(type: TensorType([3], .bool), elements: [1, 0, 1])
        try NPY.save(x, to: file("x.npy"))
        try NPY.save(n, to: file("n.npy"))
        try NPY.save(m, to: file("m.npy"))
        let bound = ["--in", "x=\(file("x.npy"))", "--in", "n=\(file("n.npy"))", "--in", "m=\(file("m.npy"))"]

        // The loaded file does not exist yet: a clear error naming it.
        let missingLoad = try CrossBackend.execute(binary, bound)
        #expect(missingLoad.status != 0)
        // At the load's source location (generated programs name it, as eager mode does).
        #expect(missingLoad.stderr.contains(": error: ") && missingLoad.stderr.contains("loaded.npy"), "\(missingLoad.stderr)")

        try NPY.save(Tensor(type: TensorType([2], .float32), elements: [0.5, -1]), to: file("loaded.npy"))
        let expected = directory.appendingPathComponent("expected"), actual = directory.appendingPathComponent("actual")
        try FileManager.default.createDirectory(at: expected, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: actual, withIntermediateDirectories: true)
        let lines = try CrossBackend.interpret(module, outputDirectory: expected, inputs: ["x": x, "n": n, "m": m])
        let run = try CrossBackend.execute(binary, bound + ["--out", actual.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == lines.map { $0 + "\n" }.joined())
        try CrossBackend.expectSameFiles(expected: expected, actual: actual, sourceLocation: #_sourceLocation)

        // Errors: unbound input, missing .npy, wrong shape, unknown flag.
        let unbound = try CrossBackend.execute(binary, ["--in", "n=\(file("n.npy"))"])
        #expect(unbound.status != 0)
        #expect(unbound.stderr.contains("input 'x' is not bound: pass --in x=FILE.npy"), "\(unbound.stderr)")

        let missing = try CrossBackend.execute(binary, ["--in", "x=\(file("nope.npy"))"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("input 'x'") && missing.stderr.contains("nope.npy"), "\(missing.stderr)")

        try NPY.save(Tensor(type: TensorType([4, 3], .float32), elements: TestData.floats(12, seed: 51)), to: file("wrong.npy"))
        let wrongShape = try CrossBackend.execute(binary, ["--in", "x=\(file("wrong.npy"))"])
        #expect(wrongShape.status != 0)
        #expect(wrongShape.stderr.contains("input 'x'") && wrongShape.stderr.contains("[4, 3]"), "\(wrongShape.stderr)")

        try NPY.save(Tensor(type: TensorType([2], .int64), elements: [4, 0]), to: file("n0.npy"))
        let modZero = try CrossBackend.execute(binary, bound.map { $0 == "n=\(file("n.npy"))" ? "n=\(file("n0.npy"))" : $0 })
        #expect(modZero.status != 0)
        #expect(modZero.stderr.contains("error: integer modulo by zero"), "\(modZero.stderr)")

        let unknown = try CrossBackend.execute(binary, ["--frobnicate"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown option '--frobnicate'"), "\(unknown.stderr)")

        // --bench fills unbound inputs, prints once (the warm-up) and reports timings.
        let bench = try CrossBackend.execute(binary, ["--bench", "3", "--out", actual.path])
        #expect(bench.status == 0, "\(bench.stderr)")
        #expect(bench.stderr.contains("bench: runs=3"), "\(bench.stderr)")
        #expect(bench.stdout.components(separatedBy: "x = ").count == 2)

        let help = try CrossBackend.execute(binary, ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("float32[3, 4]") && help.stdout.contains("bool[3]"), "\(help.stdout)")
    }

    /// A compile error in generated C surfaces as an error carrying gcc's message.
    @Test func compileErrorsCarryGccOutput() throws {
        let directory = try CrossBackend.makeDirectory("broken")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("broken").path
        do {
            try CToolchain.buildExecutable(cSource: "int main(void) { return undefined_name; }\n", outputPath: output)
            Issue.record("broken C compiled")
        } catch {
            let message = "\(error)"
            #expect(message.contains("undefined_name"), "\(message)")
            // The failing source is kept for inspection; remove it.
            if let kept = message.range(of: "kept at ")?.upperBound, let end = message[kept...].firstIndex(of: ")") {
                let path = String(message[kept..<end])
                #expect(FileManager.default.fileExists(atPath: path))
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
