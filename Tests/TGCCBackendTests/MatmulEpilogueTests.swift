import Foundation
import Testing
import TGCBase
@testable import TGCCBackend
@testable import TGCCore

/// Matmul epilogues (FusionEpilogue.swift, `tgc_sgemm_epilogue`): `relu(matmul(x, w) + b)` and
/// its kin compile to one sgemm call whose epilogue function applies the elementwise rest to
/// each finished block of C; the program agrees with the interpreter (sgemm's tolerance, see
/// MatmulTests) on odd shapes around the tile edges, and prints the same bits on 1 and 2 threads.
@Suite(.enabled(if: gccAvailable, gccMissing))
struct MatmulEpilogueTests {
    /// (m, k, n): 1, 3, 17 and 129 rows and columns, and one product large enough for threads.
    static let shapes: [(Int, Int, Int)] = [(1, 3, 1), (3, 17, 5), (17, 3, 129), (129, 17, 3), (129, 129, 129), (200, 96, 150)]

    static func source() -> String {
        var lines = ["manualSeed(21)"]
        for (index, (m, k, n)) in shapes.enumerated() {
            lines += [
                "let x\(index) = randn([\(m), \(k)])",
                "let w\(index) = randn([\(k), \(n)])",
                "let t\(index) = randn([\(n), \(k)])",
                "let b\(index) = randn([\(n)])",
                "save(relu(matmul(x\(index), w\(index)) + b\(index)), \"bias_relu_\(index).npy\")",
                "save(relu(matmul(x\(index), t\(index).T) + b\(index)) * 0.5 - 1, \"transposed_\(index).npy\")",
                // A consumer whose result is not float32 cannot hold the product: no epilogue.
                "save(matmul(x\(index), w\(index) + 1) > b\(index), \"compared_\(index).npy\")",
            ]
        }
        return lines.joined(separator: "\n")
    }

    @Test func generatedCFusesBiasAndReluIntoTheProduct() throws {
        let module = try CrossBackend.module(source: Self.source(), name: "epilogue_text")
        let c = try CEmitter.emit(module, programName: "epilogue_text", description: "")
        #expect(c.contains("static void fused_matmul_add_relu(void *ctx, int64_t row0, int64_t row1, int64_t col0, int64_t col1)"))
        #expect(c.contains("static void fused_transpose_matmul_add_relu_mul_sub("), "a transpose feeding the product joins as a flag")
        #expect(c.contains("tgc_sgemm_epilogue(0, 0, 129, 129, 129, 1.0f, "))
        #expect(c.contains("tgc_sgemm_epilogue(0, 1, "), "the transposed operand is read through sgemm's flag")
        #expect(c.components(separatedBy: "tgc_sgemm(").count - 1 == Self.shapes.count,
                "every product has an epilogue but the compared ones, whose bool result cannot hold it")
        #expect(!c.contains("op_transpose"), "no transpose is materialized")
        #expect(c.contains("/* fused_matmul_add_relu: tgc_sgemm, then this epilogue on each finished block of its f32[1, 1] result\n *   line "),
                "the epilogue is commented with its DSL lines")
        #expect(c.contains("  [matmul, add, relu] */"))
        #expect(DotPrinter.print(module).contains("fused_matmul_add_relu"), "--emit dot names the fused kernel")
    }

    @Test func agreesWithTheInterpreterOnOddShapes() throws {
        let module = try CrossBackend.module(source: Self.source(), name: "epilogue")
        try CrossBackend.expectAgreement(module, name: "epilogue", tolerance: .init(relative: 1e-4, absolute: 1e-4))
    }

    @Test func resultsDoNotDependOnTheThreadCount() throws {
        let module = try CrossBackend.module(source: Self.source(), name: "epilogue_threads")
        let directory = try CrossBackend.makeDirectory("epilogue-threads")
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = try CrossBackend.compile(module, name: "epilogue_threads", in: directory,
                                              configurations: [("O3", [])])[0]
        var outputs: [[Data]] = []
        for threads in [1, 2] {
            let folder = directory.appendingPathComponent("threads-\(threads)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let run = try CrossBackend.execute(binary, ["--out", folder.path, "--threads", String(threads)])
            #expect(run.status == 0, "\(run.stderr)")
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            outputs.append(try names.map { try Data(contentsOf: folder.appendingPathComponent($0)) })
        }
        #expect(outputs[0].count == 3 * Self.shapes.count)
        #expect(outputs[0] == outputs[1], "1 and 2 threads give other bits")
    }
}
