import Foundation
import Testing
@testable import TGCStress

/// Optimizer checkpoints (`save(opt, ...)`, `opt.load(...)`) that do not match the optimizer:
/// clear errors naming the key and both types, at compile time and eagerly, and from a
/// generated binary whose file changed after compiling (another shape, truncated, missing).
@Suite(.serialized) struct OptimizerCheckpointTests {
    let folder: URL
    let tgc: String

    init() throws {
        tgc = try #require(StressTestSupport.tgc, "tgc is not built next to the tests (swift build --product tgc)")
        folder = try StressTestSupport.temporaryDirectory("optimizer-checkpoint")
        try write("save.swiftdsl", """
            let w = tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requiresGrad: true)
            let b = tensor([0.5, -0.5, 1.0], requiresGrad: true)
            let v = tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requiresGrad: true)
            let opt = Adam([w, b], lr: 0.1)
            (w.sum() + (b * b).sum()).backward()
            opt.step()
            save(opt, "adam.safetensors")
            save(Adam([v, b], lr: 0.1), "transposed.safetensors")
            """)
        let saved = try run([tgc, "run", "--eager", path("save.swiftdsl"), "--out", folder.path])
        #expect(saved.status == 0, "saving the fixture failed: \(saved.stderr)")
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
    func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }

    func run(_ command: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run(command[0], Array(command.dropFirst()), timeout: 120,
                             environment: ["SWIFT_BACKTRACE": "enable=no"], directory: folder)
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
        try write("good.swiftdsl", loader("Adam([w, b], lr: 0.5)", "adam.safetensors"))
        let result = try run([tgc, "run", "--eager", path("good.swiftdsl")])
        #expect(result.status == 0 && result.stdout == "0.1\n", "\(result.stdout) \(result.stderr)")
    }

    @Test func mismatchesAreCompileErrors() throws {
        let cases: [(optimizer: String, file: String, message: String)] = [
            ("Adam([w, b])", "transposed.safetensors", "state.0.exp_avg is float32[3, 2] in the file, but the optimizer's is float32[2, 3]"),
            ("SGD([w, b], lr: 0.1, momentum: 0.9)", "adam.safetensors",
             "does not match SGD: missing key(s) \"state.0.momentum_buffer\", \"state.1.momentum_buffer\"; unexpected key(s) \"state.0.exp_avg\""),
            ("Adam([w])", "adam.safetensors", "unexpected key(s) \"state.1.step\", \"state.1.exp_avg\", \"state.1.exp_avg_sq\""),
        ]
        for (optimizer, file, message) in cases {
            try write("bad.swiftdsl", loader(optimizer, file))
            for command in [["run", "--eager"], ["compile", "-o", path("bad-bin")]] {
                let result = try run([tgc] + command + [path("bad.swiftdsl")])
                Self.expectCleanFailure(result, message, "tgc \(command[0]) loading \(file) into \(optimizer)")
                #expect(result.stderr.hasPrefix(path("bad.swiftdsl") + ":4:1: error: "), "\(result.stderr.prefix(200))")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: path("bad-bin")))
    }

    /// A binary reads the checkpoint at run time: a file changed after compiling is an error.
    @Test func checkpointChangedAfterCompiling() throws {
        try FileManager.default.copyItem(atPath: path("adam.safetensors"), toPath: path("state.safetensors"))
        try write("resume.swiftdsl", loader("Adam([w, b])", "state.safetensors"))
        let build = try run([tgc, "compile", path("resume.swiftdsl"), "-o", path("resume-bin")])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(try run([path("resume-bin")]).stdout == "0.1\n")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path("adam.safetensors")))
        for (replacement, message) in [(try Data(contentsOf: URL(fileURLWithPath: path("transposed.safetensors"))), "tensor 'state.0.exp_avg' is F32 [3, 2], expected float32 [2, 3]"),
                                       (bytes.prefix(100), "not a valid safetensors file"), (bytes.dropLast(8), "truncated"), (nil, "No such file")] {
            try? FileManager.default.removeItem(atPath: path("state.safetensors"))
            if let replacement { try replacement.write(to: URL(fileURLWithPath: path("state.safetensors"))) }
            Self.expectCleanFailure(try run([path("resume-bin")]), message, "binary with a changed checkpoint")
        }
    }
}
