import Foundation
import Testing
import TGCCore
@testable import TGCDriver

/// Every pass preserves meaning: each sample's IR, run on the interpreter after the full
/// pipeline, after -O0 (required passes only) and with each optional pass disabled, prints the
/// sample's expected output. The verifier runs after every pass (PassPipeline.run).
@Suite struct PassSemanticsTests {
    static let configurations: [(name: String, optimize: Bool, disabled: Set<String>)] =
        [("all passes", true, []), ("-O0", false, [])]
        + PassPipeline.all.map(\.name).filter { !PassPipeline.required.contains($0) }.map { ("without \($0)", true, [$0]) }

    static func output(of sample: URL, optimize: Bool, disabled: Set<String>) throws -> String {
        try output(of: try Pipeline.module(of: sample.path, optimize: optimize, disabled: disabled))
    }

    /// What `module` prints when the interpreter runs it.
    static func output(of module: Module) throws -> String {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let context = RunContext()
        context.outputDirectory = directory.path
        var output = ""
        context.write = { output += $0 }
        try ModuleRunner.run(module, context: context)
        return output
    }

    @Test(arguments: GoldenSampleTests.samples)
    func everyPassConfigurationPrintsTheExpectedOutput(_ sample: URL) throws {
        let expected = try GoldenSampleTests.expected(sample)
        for configuration in Self.configurations {
            let output = try Self.output(of: sample, optimize: configuration.optimize, disabled: configuration.disabled)
            #expect(output == expected, "\(sample.lastPathComponent) with \(configuration.name)")
        }
    }

    @Test func fusionGroupsTheTrainingLoop() throws {
        let sample = TestPaths.samples.appendingPathComponent("ch1_07_linear_regression.swiftdsl")
        let ir = IRPrinter.print(try Pipeline.module(of: sample.path))
        // The loss, ((w * X + b - y) ** 2).mean(): its elementwise prologue is one kernel, summed
        // in PyTorch's order by the runtime.
        #expect(ir.contains("fusion \"fused_mul_add_sub_mul\""), "the prologue is one kernel: \(ir)")
        #expect(ir.contains("cascade_sum"), "the mean's sum is PyTorch's: \(ir)")
        let unfused = IRPrinter.print(try Pipeline.module(of: sample.path, disabled: ["fusion"]))
        #expect(!unfused.contains("fusion"))
    }
}
