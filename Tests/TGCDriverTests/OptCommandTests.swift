import Foundation
import Testing
import TGCBase
import TGCCore
@testable import TGCDriver

/// `tgc opt`: IR text in, the named passes in order, IR text or C out; bad flags, unknown
/// passes and bad IR are errors.
@Suite struct OptCommandTests {
    static let input = """
    module {
      %0 = rand_normal {shape = [3], dtype = float32} : f32[3]  // 1:9
      %1 = mul %0, %0 : f32[3]  // 2:9
      %2 = mul %0, %0 : f32[3]  // 3:9
      %3 = exp %1 : f32[3]  // 4:9
      %4 = add %1, %2 : f32[3]  // 5:9
      print %4 {format = "{0}"}  // 6:1
    }

    """

    /// Runs `tgc opt` on `text` with `flags`; returns the exit status and what it wrote to `-o`.
    func opt(_ text: String, _ flags: [String], name: String = "model.tgir") throws -> (Int32, String) {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent(name)
        let output = directory.appendingPathComponent("out")
        try text.write(to: input, atomically: true, encoding: .utf8)
        let status = TGCMain.main(["tgc", "opt", input.path] + flags + ["-o", output.path])
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    @Test func runsTheNamedPassesInOrder() throws {
        let (status, merged) = try opt(Self.input, ["--passes", "cse"])
        #expect(status == 0)
        #expect(merged == """
        module {
          %0 = rand_normal {shape = [3], dtype = float32} : f32[3]  // 1:9
          %1 = mul %0, %0 : f32[3]  // 2:9
          %2 = add %1, %1 : f32[3]  // 5:9
          print %2 {format = "{0}"}  // 6:1
        }

        """)
        let (_, fused) = try opt(Self.input, ["--passes", "cse,fusion"])
        #expect(fused.contains("fusion \"fused_mul_add\""), "\(fused)")
        let (_, fusedOnly) = try opt(Self.input, ["--passes", "fusion"])
        #expect(fusedOnly.contains("exp"), "without cse first the dead exp stays: \(fusedOnly)")
    }

    @Test func passesNoneReprintsTheIR() throws {
        #expect(try opt(Self.input, ["--passes", "none"]) == (0, Self.input))
        #expect(try opt(Self.input, []) == (0, Self.input))
    }

    /// A sample's IR before any pass, through every pass and on to C, is the C that
    /// `tgc compile --emit c` writes, but for the names of the files it came from and the DSL
    /// lines quoted in kernel comments (`tgc opt` has no DSL source to quote).
    @Test func emitsTheSameCAsCompile() throws {
        let sample = TestPaths.samples.appendingPathComponent("ch1_07_linear_regression.swiftdsl")
        let ir = IRPrinter.print(try Pipeline.module(of: sample.path, upTo: "none"))
        let passes = PassPipeline.all.map(\.name).joined(separator: ",")
        let (status, fromIR) = try opt(ir, ["--passes", passes, "--emit", "c"], name: "ch1_07_linear_regression.tgir")
        #expect(status == 0)
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cFile = directory.appendingPathComponent("lr.c").path
        #expect(TGCMain.main(["tgc", "compile", sample.path, "--emit", "c", "-o", cFile]) == 0)
        func lines(_ c: String, naming file: String) -> [Substring] {
            c.replacingOccurrences(of: file, with: sample.lastPathComponent).split(separator: "\n").filter { !$0.hasPrefix(" *   line ") }
        }
        let fromSource = lines(try String(contentsOfFile: cFile, encoding: .utf8), naming: sample.path)
        let renamed = lines(fromIR.replacingOccurrences(of: IRParser.sourceFile, with: sample.lastPathComponent), naming: "ch1_07_linear_regression.tgir")
        let firstDifference = zip(renamed, fromSource).first { $0 != $1 }
        #expect(renamed.count == fromSource.count && firstDifference == nil, "first difference: \(String(describing: firstDifference))")
        #expect(renamed.count > 200)
        #expect(fromIR.contains("int main("))
    }

    @Test func unknownPassesAndMisplacedFlagsAreErrors() throws {
        let options = try Options.parse(["opt", "m.tgir", "--passes", "cse,inline"])
        let source = SourceText(path: "m.tgir", text: Self.input)
        #expect(throws: ToolError.self) { try Commands(options: options, source: source).run() }
        do {
            _ = try Commands(options: options, source: source).run()
        } catch let error as ToolError {
            #expect(error.message == "unknown pass 'inline' in --passes; passes: \(HelpText.passNames)")
        }
        #expect(throws: ToolError.self) { try Options.parse(["ir", "m.swiftdsl", "--passes", "cse"]) }
        #expect(throws: ToolError.self) { try Options.parse(["compile", "-"]) }
        #expect(throws: ToolError.self) { try Options.parse(["opt", "m.tgir", "--emit", "exe"]) }
        #expect(try Options.parse(["opt", "-"]).emit == "ir")
    }

    @Test func badIRIsALocatedError() throws {
        let options = try Options.parse(["opt", "m.tgir"])
        let source = SourceText(path: "m.tgir", text: "module {\n  %0 = exp %1 : f32[]\n}\n")
        do {
            _ = try Commands(options: options, source: source).run()
            Issue.record("bad IR was accepted")
        } catch let diagnostic as Diagnostic {
            #expect(diagnostic.description == "m.tgir:2:12: error: use of undefined value %1")
        }
        #expect(try opt("module {\n  frobnicate\n}\n", []).0 == 1)
    }
}
