import Foundation
import Testing
import TGCCore
@testable import TGCDriver

/// The textual IR round-trips: for every sample, before any pass and after each pass of the
/// pipeline, printing, parsing and printing again gives the same text; and the module parsed
/// from the fully optimized IR still prints the sample's expected output on the interpreter.
@Suite struct IRRoundTripTests {
    static let samples = TestPaths.standaloneSamples

    @Test func everySampleIsCovered() {
        #expect(Self.samples.count >= 25)
    }

    @Test(arguments: samples)
    func printParsePrintIsIdenticalAfterEveryPass(_ sample: URL) throws {
        let module = try SourceLoader.compileToIR(try SourceLoader.read(sample.path), upTo: "none")
        for stage in ["none"] + PassPipeline.all.map(\.name) {
            if let pass = PassPipeline.pass(named: stage) {
                try pass.run(module)
                try Verifier.verify(module, after: pass.name)
            }
            let text = IRPrinter.print(module)
            let reparsed = try IRParser.parse(text, fileName: "\(sample.lastPathComponent).tgir")
            #expect(IRPrinter.print(reparsed) == text, "\(sample.lastPathComponent) after \(stage)")
        }
    }

    @Test(arguments: GoldenSampleTests.samples)
    func parsedOptimizedIRRunsLikeTheSample(_ sample: URL) throws {
        let text = IRPrinter.print(try Pipeline.module(of: sample.path))
        let module = try IRParser.parse(text, fileName: "\(sample.lastPathComponent).tgir")
        #expect(try PassSemanticsTests.output(of: module) == (try GoldenSampleTests.expected(sample)), "\(sample.lastPathComponent)")
    }
}
