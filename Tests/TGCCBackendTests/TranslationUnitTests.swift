import Foundation
import Testing
import TGCBase
@testable import TGCCBackend
@testable import TGCCore

/// `tgc compile` builds a program's kernels as several translation units at once
/// (CTranslationUnits, ParallelCompile): the split binary computes what the one-file build
/// computes, and gcc's errors still name the line of the one generated file.
@Suite(.enabled(if: gccAvailable, gccMissing), .serialized)
struct TranslationUnitTests {
    /// Three Adam steps of a small CNN: convolutions, batch norm, matmul epilogues (kernels
    /// passed by pointer), row nests (`static inline` helpers) and reductions.
    static let source = """
        manualSeed(0)
        let x = randn([8, 1, 8, 8])
        let labels = arange(8) % 10
        let model = Sequential(Conv2d(1, 4, 3, padding: 1), BatchNorm2d(4), ReLU(), MaxPool2d(2),
                               Flatten(), Linear(64, 16), ReLU(), Linear(16, 10))
        let opt = Adam(model.parameters(), lr: 0.01)
        for step in 0..<3 {
            opt.zeroGrad()
            let loss = crossEntropy(model(x), labels)
            loss.backward()
            opt.step()
            print(loss.item())
        }
        var checksum = tensor(0.0)
        for p in model.parameters() { checksum = checksum + p.sum() }
        print(checksum.item())
        """

    static func cSource() throws -> String {
        let module = try CrossBackend.module(source: source, name: "units")
        return try CEmitter.emit(module, programName: "units", description: "translation unit test")
    }

    @Test func splitMovesEveryKernelOnceAndDeclaresIt() throws {
        let text = try Self.cSource()
        let split = CTranslationUnits(text, path: "/tmp/units.c", kernelUnits: 3)
        #expect(split.units.count == 4)
        let kernels = text.split(separator: "\n").filter { $0.hasPrefix("static void ") && !$0.hasPrefix("static void tgc_") }
        #expect(kernels.count > 20)
        for header in kernels {
            let definition = header.dropFirst("static ".count)
            let name = definition.dropFirst("void ".count).prefix { $0 != "(" }
            #expect(split.units.dropFirst().filter { $0.text.contains("\n" + definition + "\n") }.count == 1, "\(name)")
            #expect(split.units[0].text.contains("\n" + definition.dropLast(2) + ";\n"), "\(name)")
        }
        #expect(CTranslationUnits(text, path: "/tmp/units.c", kernelUnits: 0).units.map(\.text) == [text])
        #expect(CTranslationUnits("int main(void) { return 0; }\n", path: "/tmp/a.c", kernelUnits: 3).units.count == 1)
    }

    @Test func multiUnitBuildPrintsWhatOneUnitBuildPrints() throws {
        let text = try Self.cSource()
        let directory = try CrossBackend.makeDirectory("units")
        defer { try? FileManager.default.removeItem(at: directory) }
        var outputs: [String] = []
        for units in [0, 1, 3] {
            let binary = directory.appendingPathComponent("units-\(units)").path
            try CToolchain.buildExecutable(cSource: text, outputPath: binary, kernelUnits: units)
            let run = try CrossBackend.execute(binary, ["--seed", "0"])
            #expect(run.status == 0, "\(run.stderr)")
            outputs.append(run.stdout)
        }
        #expect(outputs[0].split(separator: "\n").count == 4)
        #expect(outputs[1] == outputs[0])
        #expect(outputs[2] == outputs[0])
    }

    /// An error in a moved kernel, one in the program's own unit and one in the prelude every
    /// unit compiles are reported at their lines of the kept one-file source, once each.
    @Test func compileErrorsNameTheLineOfTheOneFile() throws {
        var lines = try Self.cSource().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let prelude = try #require(lines.firstIndex(of: "#include \"tgc_runtime.h\""))
        lines.insert("#error prelude_error_here", at: prelude)
        let kernel = try #require(lines.lastIndex { $0.hasPrefix("static void fused_") })
        lines.insert("    kernel_error_here;", at: kernel + 1)
        let body = try #require(lines.firstIndex { $0.hasPrefix("static void tgc_program") })
        lines.insert("    body_error_here;", at: body + 1)
        let directory = try CrossBackend.makeDirectory("units-error")
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = #expect(throws: ToolError.self) {
            try CToolchain.buildExecutable(cSource: lines.joined(separator: "\n"), outputPath: directory.appendingPathComponent("bad").path,
                                           kernelUnits: 3)
        }
        let message = try #require(error?.message)
        let kept = try #require(message.firstMatch(of: /kept at ([^)]+)\)/)?.1).description
        defer { try? FileManager.default.removeItem(atPath: kept) }
        #expect(message.hasPrefix("gcc failed to compile the generated C"), "\(message)")
        // gcc quotes names with ' or with typographic quotes, by locale.
        let errors = message.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(errors.filter { $0.hasPrefix("\(kept):\(kernel + 2):5: error: ") && $0.contains("kernel_error_here") }.count == 1, "\(message)")
        #expect(errors.filter { $0.hasPrefix("\(kept):\(body + 2):5: error: ") && $0.contains("body_error_here") }.count == 1, "\(message)")
        // Every unit compiles the prelude: its error is reported once.
        #expect(errors.filter { $0.hasPrefix("\(kept):\(prelude + 1):2: error: #error prelude_error_here") }.count == 1, "\(message)")
        #expect(errors.count == 3, "\(message)")
        let keptLines = try String(contentsOfFile: kept, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(keptLines[kernel + 1] == "    kernel_error_here;")
    }
}
