import Foundation
import Testing
@testable import TGCStress

/// Optimizer checkpoints (`save(opt, ...)`, `opt.load(...)`) that do not match the optimizer:
/// clear errors naming the key and both types, at compile time and eagerly, and from a
/// generated binary whose file changed after compiling (another shape, an extra tensor,
/// truncated, missing).
@Suite(.serialized) struct OptimizerCheckpointTests {
    let folder: TestFolder
    let tgc: String

    init() throws {
        tgc = try #require(StressTestSupport.tgc, "tgc is not built next to the tests (swift build --product tgc)")
        folder = try TestFolder("optimizer-checkpoint")
        try folder.write("save.swiftdsl", """
            let w = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requiresGrad: true)
            let b = tensor([0.5, -0.5, 1.0], requiresGrad: true)
            let v = tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requiresGrad: true)
            let opt = Adam([w, b], lr: 0.1)
            (w.sum() + (b * b).sum()).backward()
            opt.step()
            save(opt, "adam.safetensors")
            save(Adam([v, b], lr: 0.1), "transposed.safetensors")
            save(Adam([w, b, v], lr: 0.1), "extra.safetensors")
            """)
        let saved = try folder.run([tgc, "run", "--eager", folder.path("save.swiftdsl"), "--out", folder.url.path])
        #expect(saved.status == 0, "saving the fixture failed: \(saved.stderr)")
    }

    /// A program that makes `optimizer` over w [2, 3] and b [3] and loads `file` into it.
    func loader(_ optimizer: String, _ file: String) -> String {
        """
        let w = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requiresGrad: true)
        let b = tensor([0.5, -0.5, 1.0], requiresGrad: true)
        let opt = \(optimizer)
        opt.load("\(file)")
        print(opt.lr)
        """
    }

    static func expectCleanFailure(_ result: ChildProcess.Result, _ expected: String, _ what: String,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!result.signaled && result.status == 1, "\(what): exit \(result.status)", sourceLocation: sourceLocation)
        #expect(StressTestSupport.isCleanError(result.stderr), "\(what): \(result.stderr.prefix(300))", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(expected), "\(what): expected '\(expected)' in \(result.stderr.prefix(300))", sourceLocation: sourceLocation)
    }

    @Test func aMatchingCheckpointLoadsItsLearningRate() throws {
        try folder.write("good.swiftdsl", loader("Adam([w, b], lr: 0.5)", "adam.safetensors"))
        let result = try folder.run([tgc, "run", "--eager", folder.path("good.swiftdsl")])
        #expect(result.status == 0 && result.stdout == "0.1\n", "\(result.stdout) \(result.stderr)")
    }

    @Test func mismatchesAreCompileErrors() throws {
        let cases: [(optimizer: String, file: String, message: String)] = [
            ("Adam([w, b])", "transposed.safetensors", "state.0.exp_avg is float32[3, 2] in the file, but the optimizer's is float32[2, 3]"),
            ("SGD([w, b], lr: 0.1, momentum: 0.9)", "adam.safetensors",
             "does not match SGD: missing key(s) \"state.0.momentum_buffer\", \"state.1.momentum_buffer\"; unexpected key(s) \"state.0.exp_avg\""),
            ("Adam([w])", "adam.safetensors", "unexpected key(s) \"state.1.exp_avg\", \"state.1.exp_avg_sq\", \"state.1.step\""),
        ]
        for (optimizer, file, message) in cases {
            try folder.write("bad.swiftdsl", loader(optimizer, file))
            for command in [["run", "--eager"], ["compile", "-o", folder.path("bad-bin")]] {
                let result = try folder.run([tgc] + command + [folder.path("bad.swiftdsl")])
                Self.expectCleanFailure(result, message, "tgc \(command[0]) loading \(file) into \(optimizer)")
                #expect(result.stderr.hasPrefix(folder.path("bad.swiftdsl") + ":4:1: error: "), "\(result.stderr.prefix(200))")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path("bad-bin")))
    }

    /// A binary reads the checkpoint at run time: a file changed after compiling is an error.
    @Test func checkpointChangedAfterCompiling() throws {
        try FileManager.default.copyItem(atPath: folder.path("adam.safetensors"), toPath: folder.path("state.safetensors"))
        try folder.write("resume.swiftdsl", loader("Adam([w, b])", "state.safetensors"))
        let build = try folder.run([tgc, "compile", folder.path("resume.swiftdsl"), "-o", folder.path("resume-bin")])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(try folder.run([folder.path("resume-bin")]).stdout == "0.1\n")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder.path("adam.safetensors")))
        for (replacement, message) in [(try Data(contentsOf: URL(fileURLWithPath: folder.path("transposed.safetensors"))), "tensor 'state.0.exp_avg' is F32 [3, 2], expected float32 [2, 3]"),
                                       (try Data(contentsOf: URL(fileURLWithPath: folder.path("extra.safetensors"))),
                                        "holds unexpected key(s) \"state.2.exp_avg\", \"state.2.exp_avg_sq\", \"state.2.step\""),
                                       (bytes.prefix(100), "not a valid safetensors file"), (bytes.dropLast(8), "truncated"), (nil, "No such file")] {
            try? FileManager.default.removeItem(atPath: folder.path("state.safetensors"))
            if let replacement { try replacement.write(to: URL(fileURLWithPath: folder.path("state.safetensors"))) }
            Self.expectCleanFailure(try folder.run([folder.path("resume-bin")]), message, "binary with a changed checkpoint")
        }
    }
}
