import Foundation
import Testing
import TGCCore
@testable import TGCStress

/// Bad input end to end, through the built `tgc` and through generated binaries: each gets a
/// clear one-line-first message and a non-zero exit, never a crash, and leaves no partial file.
@Suite(.serialized) struct BadInputTests {
    /// A folder with a model, good and broken `.npy` files, and a compiled binary that takes
    /// input `x` (f32[2, 3]) and saves `y.npy`, then `sub/z.npy` (which fails without `sub/`).
    final class Fixture {
        let folder: URL
        let tgc: String

        init() throws {
            tgc = try #require(StressTestSupport.tgc, "tgc is not built next to the tests (swift build --product tgc)")
            folder = try StressTestSupport.temporaryDirectory("bad-input")
            let good = Tensor(type: TensorType([2, 3], .float32), elements: [0, 1, 2, 3, 4, 5])
            try NPY.save(good, to: path("good.npy"))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path("good.npy")))
            try bytes.prefix(20).write(to: url("truncated-header.npy"))
            try bytes.dropLast(5).write(to: url("truncated-data.npy"))
            try Data("\u{93}NUMPX garbage that is no header at all".utf8).write(to: url("corrupt.npy"))
            try Self.npy(descr: "<f2", shape: "(2, 3)", payload: 12).write(to: url("float16.npy"))
            try Self.npy(descr: ">f4", shape: "(2, 3)", payload: 24).write(to: url("big-endian.npy"))
            try Self.npy(descr: "<f4", shape: "(2, 3)", payload: 24, fortran: true).write(to: url("fortran.npy"))
            try NPY.save(Tensor(type: TensorType([3, 2], .float32), elements: Array(repeating: 1, count: 6)), to: path("wrong-shape.npy"))
            try NPY.save(Tensor(type: TensorType([2, 3], .int64), elements: Array(repeating: 1, count: 6)), to: path("int64.npy"))
            try NPY.save(Tensor(type: TensorType([4], .float32), elements: [.nan, .infinity, -.infinity, 1]), to: path("nan.npy"))
            try write("model.swiftdsl", "let x = input(\"x\", shape: [2, 3], dtype: .float32)\nprint(x.sum())\nsave(x * 2, \"y.npy\")\nsave(x + 1, \"sub/z.npy\")\n")
            let build = try run([tgc, "compile", path("model.swiftdsl"), "-o", path("model")])
            #expect(build.status == 0, "compiling the fixture failed: \(build.stderr)")
        }

        deinit { try? FileManager.default.removeItem(at: folder) }

        func url(_ name: String) -> URL { folder.appendingPathComponent(name) }
        func path(_ name: String) -> String { url(name).path }
        func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: url(name)) }

        /// A `.npy` v1 file with this header and `payload` zero bytes.
        static func npy(descr: String, shape: String, payload: Int, fortran: Bool = false) -> Data {
            let base = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
            let header = base + String(repeating: " ", count: (64 - (10 + base.count + 1) % 64) % 64) + "\n"
            var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count % 256), UInt8(header.count / 256)])
            data.append(Data(header.utf8))
            data.append(Data(count: payload))
            return data
        }

        /// Runs `command` (the binary first) in the fixture folder.
        func run(_ command: [String], timeout: Double = 60) throws -> ChildProcess.Result {
            try ChildProcess.run(command[0], Array(command.dropFirst()), timeout: timeout,
                                 environment: ["SWIFT_BACKTRACE": "enable=no"], directory: folder)
        }

        func tgc(_ arguments: String...) throws -> ChildProcess.Result { try run([tgc] + arguments) }
        func binary(_ arguments: String...) throws -> ChildProcess.Result { try run([path("model")] + arguments) }

        /// The files left in a folder (nothing but `allowed` may be there).
        func files(in name: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: path(name))) ?? []).sorted()
        }
    }

    /// A clean failure: exit 1, a first line `error: ...` or `FILE:LINE:COL: error: ...`
    /// containing `expected`, no crash trace.
    static func expectCleanFailure(_ result: ChildProcess.Result, _ expected: String, _ what: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!result.signaled && !result.timedOut && result.status == 1, "\(what): exit \(result.status)\(result.signaled ? " (signal)" : "")",
                sourceLocation: sourceLocation)
        #expect(StressTestSupport.isCleanError(result.stderr), "\(what): \(result.stderr.prefix(300))", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(expected), "\(what): expected '\(expected)' in \(result.stderr.prefix(300))", sourceLocation: sourceLocation)
    }

    static let loadCases: [(file: String, message: String)] = [
        ("missing.npy", "No such file"), ("truncated-header.npy", "truncated"), ("truncated-data.npy", "truncated"),
        ("corrupt.npy", "not a .npy file"), ("float16.npy", "unsupported dtype '<f2'"), ("big-endian.npy", "unsupported dtype '>f4'"),
        ("fortran.npy", "Fortran order"),
    ]

    @Test func loadOfABadFileIsACompileError() throws {
        let fixture = try Fixture()
        for (file, message) in Self.loadCases {
            try fixture.write("load.swiftdsl", "let x = load(\"\(file)\")\nprint(x)\n")
            for command in [["check"], ["run", "--eager"], ["compile", "-o", fixture.path("load-bin")]] {
                let result = try fixture.run([fixture.tgc] + command + [fixture.path("load.swiftdsl")])
                Self.expectCleanFailure(result, message, "tgc \(command[0]) with load(\"\(file)\")")
                #expect(result.stderr.hasPrefix(fixture.path("load.swiftdsl") + ":1:14: error: "), "\(file): \(result.stderr.prefix(200))")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.path("load-bin")))
    }

    /// A binary reads `load(...)` data at run time: a file broken after compiling is an error.
    @Test func loadedFileChangedAfterCompiling() throws {
        let fixture = try Fixture()
        try FileManager.default.copyItem(atPath: fixture.path("good.npy"), toPath: fixture.path("data.npy"))
        try fixture.write("load.swiftdsl", "let x = load(\"data.npy\")\nprint(x.sum())\n")
        #expect(try fixture.tgc("compile", fixture.path("load.swiftdsl"), "-o", fixture.path("load-bin")).status == 0)
        for (replacement, message) in [("truncated-data.npy", "truncated"), ("wrong-shape.npy", "has shape [3, 2], expected [2, 3]"),
                                       ("int64.npy", "dtype"), ("corrupt.npy", "not a .npy file"), (nil, "No such file")] {
            try FileManager.default.removeItem(atPath: fixture.path("data.npy"))
            if let replacement { try FileManager.default.copyItem(atPath: fixture.path(replacement), toPath: fixture.path("data.npy")) }
            Self.expectCleanFailure(try fixture.run([fixture.path("load-bin")]), message, "binary with data.npy replaced by \(replacement ?? "nothing")")
            if replacement == nil { try FileManager.default.copyItem(atPath: fixture.path("good.npy"), toPath: fixture.path("data.npy")) }
        }
    }

    @Test func badInputFilesForABinaryAndForEagerMode() throws {
        let fixture = try Fixture()
        let cases = [("missing.npy", "No such file", "No such file"), ("truncated-header.npy", "truncated", "truncated"),
                     ("truncated-data.npy", "truncated", "truncated"), ("corrupt.npy", "not a .npy file", "not a .npy file"),
                     ("float16.npy", "unsupported dtype", "unsupported dtype"), ("int64.npy", "has dtype int64, expected float32", "has type i64[2, 3]"),
                     ("wrong-shape.npy", "has shape [3, 2], expected [2, 3]", "has type f32[3, 2], expected f32[2, 3]")]
        for (file, binaryMessage, eagerMessage) in cases {
            Self.expectCleanFailure(try fixture.binary("--in", "x=\(file)", "--out", fixture.folder.path), binaryMessage, "binary --in x=\(file)")
            Self.expectCleanFailure(try fixture.tgc("run", "--eager", fixture.path("model.swiftdsl"), "--in", "x=\(file)"), eagerMessage,
                                    "tgc run --eager --in x=\(file)")
        }
        Self.expectCleanFailure(try fixture.binary(), "input 'x' is not bound", "binary without --in")
        Self.expectCleanFailure(try fixture.binary("--in", "y=good.npy"), "unknown input 'y'", "binary --in y=")
        Self.expectCleanFailure(try fixture.binary("--in", "x=good.npy", "--in", "x=good.npy"), "given twice", "binary --in twice")
        #expect(!FileManager.default.fileExists(atPath: fixture.path("y.npy")), "a run with a bad input saved y.npy")
    }

    static let tgcFlagCases: [(arguments: [String], message: String)] = [
        (["frobnicate", "model.swiftdsl"], "unknown command 'frobnicate'"), (["compile", "--bogus", "model.swiftdsl"], "unknown option '--bogus'"),
        (["compile", "model.swiftdsl", "--emit", "xyz"], "unknown --emit kind"), (["compile", "model.swiftdsl", "--emit"], "--emit needs a value"),
        (["run", "model.swiftdsl", "--seed", "abc"], "--seed"), (["run", "model.swiftdsl", "--seed", "-1"], "--seed"),
        (["compile", "model.swiftdsl", "-o"], "-o needs a value"), (["run", "--in", "noequals", "model.swiftdsl"], "NAME=FILE.npy"),
        (["check"], "no input file"), (["check", "model.swiftdsl", "model.swiftdsl"], "expected one input file"),
        (["check", "absent.swiftdsl"], "no such file"), (["ir", "model.swiftdsl", "--after", "nopass"], "unknown pass 'nopass'"),
        (["check", "--trace", "model.swiftdsl"], "--trace"), (["-x"], "unknown command '-x'"),
        (["run", "model.swiftdsl", "--", "--bogus"], "unknown option '--bogus'"),
    ]

    @Test func unknownAndMalformedFlags() throws {
        let fixture = try Fixture()
        for (arguments, message) in Self.tgcFlagCases {
            Self.expectCleanFailure(try fixture.run([fixture.tgc] + arguments), message, "tgc \(arguments.joined(separator: " "))")
        }
        let binaryCases: [([String], String)] = [
            (["--bogus"], "unknown option '--bogus'"), (["-x"], "unknown option '-x'"), (["--seed", "abc"], "--seed"),
            (["--seed", "-1"], "--seed"), (["--seed", "99999999999999999999999"], "too large"), (["--threads", "-1"], "--threads"),
            (["--bench", "x"], "--bench"), (["--out"], "--out needs a value"), (["positional"], "unexpected argument"),
            (["--quiet=1"], "takes no value"), (["--in", "x"], "NAME=FILE.npy"), (["--seed="], "empty value"),
        ]
        for (arguments, message) in binaryCases {
            Self.expectCleanFailure(try fixture.run([fixture.path("model"), "--in", "x=good.npy"] + arguments), message, "binary \(arguments.joined(separator: " "))")
        }
    }

    /// An --out folder that is missing, a file, or not writable (/proc/1 refuses even root).
    @Test func unwritableOutFolder() throws {
        let fixture = try Fixture()
        var folders: [(String, String)] = [("/nonexistent/out", "/nonexistent/out"), (fixture.path("good.npy"), "good.npy")]
        if FileManager.default.fileExists(atPath: "/proc/1") { folders.append(("/proc/1", "/proc/1")) }
        for (folder, message) in folders {
            Self.expectCleanFailure(try fixture.binary("--in", "x=good.npy", "--out", folder), message, "binary --out \(folder)")
            Self.expectCleanFailure(try fixture.tgc("run", "--eager", fixture.path("model.swiftdsl"), "--in", "x=good.npy", "--out", folder),
                                    message, "tgc run --eager --out \(folder)")
        }
    }

    /// A save that fails (its subfolder is missing) stops the run; the earlier file is whole
    /// and nothing else, no temporary file, is left behind.
    @Test func failedSaveLeavesNoPartialFile() throws {
        let fixture = try Fixture()
        for (label, command) in [("binary", [fixture.path("model")]), ("eager", [fixture.tgc, "run", "--eager", fixture.path("model.swiftdsl")])] {
            let out = "out-\(label)"
            try FileManager.default.createDirectory(at: fixture.url(out), withIntermediateDirectories: true)
            let result = try fixture.run(command + ["--in", "x=good.npy", "--out", fixture.path(out)])
            Self.expectCleanFailure(result, "sub/z.npy", "\(label) saving into a missing subfolder")
            #expect(fixture.files(in: out) == ["y.npy"], "\(label) left \(fixture.files(in: out))")
            let y = try NPY.load(fixture.path("\(out)/y.npy"), as: TensorType([2, 3], .float32))
            #expect(y.elements == [0, 2, 4, 6, 8, 10])
        }
    }

    /// `-o build/NAME` in a fresh folder (the issue's own spelling) makes the missing folders;
    /// an `-o` that names a folder is an error.
    @Test func compileIntoAMissingFolderMakesIt() throws {
        let fixture = try Fixture()
        for (arguments, output) in [(["-o", "missing/dir/prog"], "missing/dir/prog"), (["--emit", "c", "-o", "missing/c/prog.c"], "missing/c/prog.c"),
                                    (["--emit", "ir", "-o", "missing/ir/prog.ir"], "missing/ir/prog.ir")] {
            let result = try fixture.run([fixture.tgc, "compile", fixture.path("model.swiftdsl")] + arguments)
            #expect(result.status == 0, "tgc compile \(arguments.joined(separator: " ")): \(result.stderr.prefix(300))")
            #expect(FileManager.default.fileExists(atPath: fixture.path(output)), "\(output) was not written")
        }
        for folder in ["missing", "missing/"] {
            let result = try fixture.run([fixture.tgc, "compile", fixture.path("model.swiftdsl"), "-o", fixture.path(folder)])
            Self.expectCleanFailure(result, "it is a folder; name the output inside it", "tgc compile -o \(folder)")
        }
        #expect(fixture.files(in: ".").allSatisfy { !$0.contains(".tmp") }, "temporary files left: \(fixture.files(in: "."))")
    }

    @Test func modelFilesThatAreNotPrograms() throws {
        let fixture = try Fixture()
        try Data([0xFF, 0xFE, 0x00] + Array("let x = 1\n".utf8)).write(to: fixture.url("latin.swiftdsl"))
        Self.expectCleanFailure(try fixture.tgc("check", fixture.path("latin.swiftdsl")), "not valid UTF-8", "a model that is not UTF-8")
        try fixture.write("empty.swiftdsl", "")
        let empty = try fixture.tgc("run", "--eager", fixture.path("empty.swiftdsl"))
        #expect(empty.status == 0 ? empty.stdout.isEmpty : StressTestSupport.isCleanError(empty.stderr), "empty model: \(empty.stderr)")
        #expect(!empty.signaled)
        try fixture.write("long.swiftdsl", "let x = " + String(repeating: "a", count: 10 << 20) + "\n")
        let long = try fixture.tgc("check", fixture.path("long.swiftdsl"))
        Self.expectCleanFailure(long, "cannot find", "10 MB of one line")
        #expect(long.stderr.utf8.count < 64 << 10, "the message for a 10 MB line is \(long.stderr.utf8.count) bytes long")
        try fixture.write("huge.swiftdsl", "// " + String(repeating: "a", count: 17 << 20) + "\n")
        Self.expectCleanFailure(try fixture.tgc("check", fixture.path("huge.swiftdsl")), "limited to", "a 17 MB model")
    }

    /// NaN and ±inf in data propagate as in PyTorch, in eager mode and compiled, without a trap.
    @Test func nanAndInfinityPropagate() throws {
        let fixture = try Fixture()
        try fixture.write("nan.swiftdsl", """
            let x = load("nan.npy")
            print(x, x.max(), x.min(), x.argmax(), x.argmin(), x.sum())
            print(relu(x), x * 0, maximum(x, 0.0))
            print(sigmoid(x), exp(x), abs(x))
            print(x > 0, x == x)

            """)
        let expected = """
            tensor([nan, inf, -inf, 1.]) tensor(nan) tensor(nan) tensor(0) tensor(0) tensor(nan)
            tensor([nan, inf, 0., 1.]) tensor([nan, nan, nan, 0.]) tensor([nan, inf, 0., 1.])
            tensor([   nan, 1.0000, 0.0000, 0.7311]) tensor([   nan,    inf, 0.0000, 2.7183]) tensor([nan, inf, inf, 1.])
            tensor([False,  True, False,  True]) tensor([False,  True,  True,  True])

            """
        for command in [["run", "--eager"], ["run"]] {
            let result = try fixture.run([fixture.tgc] + command + [fixture.path("nan.swiftdsl")])
            #expect(result.status == 0 && !result.signaled, "tgc \(command.joined(separator: " ")): \(result.stderr.prefix(300))")
            #expect(result.stdout == expected, "tgc \(command.joined(separator: " "))")
        }
    }

    /// A shape whose element count or byte size overflows is a compile error, not a crash.
    @Test(arguments: ["[1 << 40, 1 << 40]", "[1099511627776, 1099511627776]", "[2147483648, 2147483648]"])
    func shapeOverflowIsACompileError(_ shape: String) throws {
        let fixture = try Fixture()
        try fixture.write("shape.swiftdsl", "let z = zeros(\(shape))\nprint(z.sum())\n")
        for command in ["check", "ir"] {
            Self.expectCleanFailure(try fixture.tgc(command, fixture.path("shape.swiftdsl")), "shape.swiftdsl:1:", "tgc \(command) zeros(\(shape))")
        }
    }
}
