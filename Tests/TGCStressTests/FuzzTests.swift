import Foundation
import Testing
@testable import TGCStress

/// The front-end fuzzer: a bounded, seeded run in process, and the pieces it is made of.
@Suite struct FuzzTests {
    static let corpus = StressTestSupport.paths.corpus()

    @Test func corpusHoldsSamplesAndDiagnostics() {
        #expect(Self.corpus.count >= 30)
    }

    /// 40 inputs of fuzzing with a fixed seed: every input compiles or gets a clean diagnostic
    /// within 5 s of CPU time. (A trap would kill the test process; the crash file names the
    /// input.) Counted in inputs and CPU time, so a loaded machine does not fail it.
    @Test func boundedRunFindsNothing() throws {
        let work = try StressTestSupport.temporaryDirectory("fuzz")
        defer { try? FileManager.default.removeItem(at: work) }
        // 5 s, not 1 s: the debug build needs about 1 s of CPU for a 1 MB line.
        let runner = FuzzRunner(mutator: Mutator(corpus: Self.corpus, seed: 20_240_601), workDirectory: work, slowLimit: 5)
        let report = try runner.run(count: 40)
        #expect(report.tried == 40, "the run tried only \(report.tried) inputs")
        // About 3% of mutants compile, too few to expect one in a 40-input run; that the oracle
        // accepts good programs is checked below (oracleAcceptsACorpusProgram).
        #expect(report.accepted + report.diagnosed == report.tried && report.diagnosed > 0,
                "accepted \(report.accepted), diagnosed \(report.diagnosed) of \(report.tried)")
        for finding in report.findings {
            Issue.record("input \(finding.index) (\(finding.input.mutations.joined(separator: ", "))): \(finding.problem)")
        }
        #expect(FileManager.default.fileExists(atPath: runner.crashFile.path), "the crash file is written before each check")
    }

    @Test func inputsDependOnlyOnSeedAndIndex() {
        let a = Mutator(corpus: Self.corpus, seed: 7), b = Mutator(corpus: Self.corpus, seed: 7)
        #expect(a.input(41).text == b.input(41).text)
        #expect(a.input(41).text != a.input(42).text)
        #expect(a.input(41).text != Mutator(corpus: Self.corpus, seed: 8).input(41).text)
    }

    /// Every kind of mutation the issue asks for shows up within a few hundred inputs.
    @Test func everyMutationKindOccurs() {
        let mutator = Mutator(corpus: Self.corpus, seed: 3)
        let names = Set((0..<600).flatMap { mutator.input($0).mutations }.map { $0.split(separator: "-").prefix(2).joined(separator: "-") })
        for kind in ["delete-token", "duplicate-token", "swap-tokens", "extreme-number", "insert-operator", "insert-bracket",
                     "insert-odd", "replace-identifier", "swap-group", "change-dims", "splice-lines", "wrap-in", "nest",
                     "long-line", "generated"] {
            #expect(names.contains { $0.hasPrefix(kind) }, "no '\(kind)' mutation in 600 inputs")
        }
    }

    @Test func chunksJoinBackToTheText() {
        for text in Self.corpus + ["let s = \"a\\\"b\" // c\n\u{0}x", "é 1.5e3 ..< [()]"] {
            #expect(SourceChunks(text).text == text)
        }
    }

    /// The oracle compiles an unmutated program through the passes, and a generated program
    /// with the data files the fuzz runner writes next to it.
    @Test func oracleAcceptsACorpusProgram() throws {
        let work = try StressTestSupport.temporaryDirectory("oracle")
        defer { try? FileManager.default.removeItem(at: work) }
        let hello = work.appendingPathComponent("hello.swiftdsl")
        try Data("let a = tensor([1.0, 2.0])\nprint((a * 2).sum())\n".utf8).write(to: hello)
        #expect(FrontEndOracle.check(hello.path, text: "") == .accepted)
        let mutator = Mutator(corpus: Self.corpus, seed: 20_240_601)
        let generated = try #require((0..<200).lazy.map(mutator.input).first { $0.mutations.first == "generated" })
        #expect(!generated.dataFiles.isEmpty || !generated.text.contains("load("), "a generated program that loads files comes with them")
    }

    @Test func oracleAcceptsOnlyTheDiagnosticConvention() {
        let text = "let a = 1\nlet b = 2\n"
        #expect(FrontEndOracle.judge("f.swiftdsl:2:5: error: bad", path: "f.swiftdsl", text: text) == .diagnosed)
        #expect(FrontEndOracle.judge("error: cannot read", path: "f.swiftdsl", text: text) == .diagnosed)
        for bad in ["f.swiftdsl: error: bad", "f.swiftdsl:9:1: error: past the end", "f.swiftdsl:0:1: error: line 0",
                    "warning: no", "f.swiftdsl:2:5: bad", "Fatal error: x"] {
            #expect(FrontEndOracle.judge(bad, path: "f.swiftdsl", text: text) != .diagnosed, "\(bad)")
        }
    }

    @Test func minimizerKeepsTheFailure() {
        var minimizer = Minimizer(attempts: 500)
        let text = "let a = 1\nlet b = crash(2)\nprint(a)\n// noise\n"
        let result = minimizer.minimize(text) { $0.contains("crash") }
        #expect(result == "crash")
    }
}
