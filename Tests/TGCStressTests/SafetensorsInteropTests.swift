import Foundation
import Testing
import TGCCore
@testable import TGCStress

/// safetensors files exchanged with the reference implementation (Python's `safetensors`, from
/// the test venv that `make test` creates and names in TGC_TEST_PYTHON): files tgc writes, in
/// both modes, load in Python with every name, dtype, shape and bit; files Python writes load
/// in tgc; damaged files are clean errors at compile time and in generated binaries.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TGC_TEST_PYTHON"] != nil))
struct SafetensorsInteropTests {
    let folder: TestFolder
    let tgc: String
    let python: String

    init() throws {
        tgc = try #require(StressTestSupport.tgc, "tgc is not built next to the tests (swift build --product tgc)")
        python = ProcessInfo.processInfo.environment["TGC_TEST_PYTHON"]!
        folder = try TestFolder("safetensors")
    }

    /// Runs a Python script in the folder; its stdout.
    func python(_ script: String) throws -> String {
        try folder.write("script.py", script)
        let result = try folder.run([python, folder.path("script.py")])
        #expect(result.status == 0, "python failed: \(result.stderr)")
        return result.stdout
    }

    /// What Python's reader sees in a file: one line per tensor, in the file's order.
    static let describeFile = """
        import sys
        import numpy as np
        from safetensors.numpy import load_file
        for name, a in load_file(sys.argv[1]).items():
            print(name, a.dtype, list(a.shape), a.reshape(-1).view(np.uint8).tobytes().hex() if a.dtype == np.float32 else a.reshape(-1).tolist())
        """

    @Test func filesTgcWritesLoadInPython() throws {
        let model = """
            let w = tensor([[1.5, -0.0], [3.0, -2.25]])
            let steps = tensor([-1099511627776, 0, 7])
            save(["fc.weight": w * 2, "名前 \\"q\\"": tensor(0.5), "steps": steps, "mask": w > 0.0, "empty": zeros([0, 3])], "out.safetensors")
            """
        try folder.write("model.swiftdsl", model)
        try folder.write("describe.py", Self.describeFile)
        // float32 as the bytes of each element: 3, -0 (its sign kept), 6, -4.5; 0.5. In the
        // safetensors library's layout: the widest dtypes first, then by name.
        let expected = """
            steps int64 [3] [-1099511627776, 0, 7]
            empty float32 [0, 3]\u{20}
            fc.weight float32 [2, 2] 00004040000000800000c040000090c0
            名前 "q" float32 [] 0000003f
            mask bool [2, 2] [True, False, True, False]

            """
        let eager = try folder.run([tgc, "run", "--eager", folder.path("model.swiftdsl")])
        #expect(eager.status == 0, "\(eager.stderr)")
        let fromEager = try folder.run([python, folder.path("describe.py"), folder.path("out.safetensors")])
        #expect(fromEager.stdout == expected, "\(fromEager.stderr)")
        try FileManager.default.removeItem(atPath: folder.path("out.safetensors"))
        let build = try folder.run([tgc, "compile", folder.path("model.swiftdsl"), "-o", folder.path("model")])
        #expect(build.status == 0, "\(build.stderr)")
        let binary = try folder.run([folder.path("model")])
        #expect(binary.status == 0, "\(binary.stderr)")
        let fromBinary = try folder.run([python, folder.path("describe.py"), folder.path("out.safetensors")])
        #expect(fromBinary.stdout == expected, "\(fromBinary.stderr)")
    }

    @Test func filesPythonWritesLoadInTgc() throws {
        _ = try python("""
            import numpy as np
            from safetensors.numpy import save_file
            save_file({"b": np.array([0.1, -2.0], dtype="<f4"), "a.weight": np.arange(6, dtype="<i8").reshape(2, 3),
                       "flags": np.array([True, False]), "z": np.array(2.5, dtype="<f4")},
                      "in.safetensors", metadata={"format": "pt"})
            """)
        let model = """
            let d = load("in.safetensors")
            print(d.keys)
            print(d["a.weight"] * 2, d["b"], d["flags"], d["z"])
            """
        try folder.write("model.swiftdsl", model)
        // The reference writer orders the data by dtype size, then name.
        let expected = """
            dict_keys(['a.weight', 'b', 'z', 'flags'])
            tensor([[ 0,  2,  4],
                    [ 6,  8, 10]]) tensor([ 0.1000, -2.0000]) tensor([ True, False]) tensor(2.5000)

            """
        let eager = try folder.run([tgc, "run", "--eager", folder.path("model.swiftdsl")])
        #expect(eager.stdout == expected, "\(eager.stderr)")
        let compiled = try folder.run([tgc, "run", folder.path("model.swiftdsl")])
        #expect(compiled.stdout == expected, "\(compiled.stderr)")
    }

    @Test func damagedFilesAreCleanErrors() throws {
        _ = try python("""
            import numpy as np
            from safetensors.numpy import save_file
            save_file({"w": np.ones((2, 3), dtype="<f4")}, "good.safetensors")
            data = open("good.safetensors", "rb").read()
            open("truncated.safetensors", "wb").write(data[:-4])
            save_file({"w": np.ones((2, 3), dtype="<f2")}, "half.safetensors")
            """)
        for (file, message) in [("truncated", "the tensors cover 24 bytes but the file holds 20"),
                                ("half", "tensor 'w' has dtype F16, which tgc cannot load"),
                                ("missing", "cannot read")] {
            try folder.write("bad.swiftdsl", "let d = load(\"\(file).safetensors\")\nprint(d)\n")
            let check = try folder.run([tgc, "check", folder.path("bad.swiftdsl")])
            #expect(check.status != 0 && check.stderr.contains("bad.swiftdsl:1:14: error: ") && check.stderr.contains(message), "\(file): \(check.stderr)")
            #expect(!StressTestSupport.hasCrashTrace(check.stderr))
        }
        // A binary compiled against the good file reports a file changed afterwards, naming it.
        try folder.write("good.swiftdsl", "let d = load(\"good.safetensors\")\nprint(d[\"w\"].sum())\n")
        let build = try folder.run([tgc, "compile", folder.path("good.swiftdsl"), "-o", folder.path("good")])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(try folder.run([folder.path("good")]).stdout == "tensor(6.)\n")
        try FileManager.default.removeItem(atPath: folder.path("good.safetensors"))
        try FileManager.default.copyItem(atPath: folder.path("half.safetensors"), toPath: folder.path("good.safetensors"))
        let changed = try folder.run([folder.path("good")])
        #expect(changed.status != 0 && changed.stderr.contains("tensor 'w' is F16 [2, 3], expected float32 [2, 3]"), "\(changed.stderr)")
    }
}
