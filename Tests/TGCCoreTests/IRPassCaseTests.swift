import Testing
@testable import TGCCore

/// Each pass on IR alone: every case of `IRPassCases/PASS.tgir` is parsed, run through its
/// pass, verified and printed; the text must equal the case's `// CHECK:` block exactly.
@Suite struct IRPassCaseTests {
    @Test(arguments: IRPassCase.all)
    func passPrintsTheExpectedIR(_ testCase: IRPassCase) throws {
        let expected = try #require(testCase.expected, "the case has no // CHECK: line")
        let pass = try #require(PassPipeline.pass(named: testCase.pass), "no pass named \(testCase.pass)")
        let module = try IRParser.parse(testCase.input, fileName: testCase.file)
        if let distribution = testCase.distribution {
            module.distribution = distribution
            try PassPipeline.pass(named: "autodiff")!.run(module)
        }
        try pass.run(module)
        try Verifier.verify(module, after: pass.name)
        #expect(IRPrinter.print(module) == expected)
    }

    /// Every pass of the pipeline has at least three cases: some it changes, one it must leave alone.
    @Test func everyPassHasCasesItChangesAndOneItLeavesAlone() throws {
        for pass in PassPipeline.all {
            let cases = IRPassCase.all.filter { $0.pass == pass.name }
            #expect(cases.count >= 3, "\(pass.name) has \(cases.count) cases")
            var unchanged = 0
            for testCase in cases {
                let input = IRPrinter.print(try IRParser.parse(testCase.input, fileName: testCase.file))
                if input == testCase.expected { unchanged += 1 }
            }
            #expect(unchanged >= 1, "\(pass.name) has no case it must leave alone")
            #expect(unchanged < cases.count, "\(pass.name) has no case it changes")
        }
    }

    @Test func caseFilesSplitAtSeparatorsAndCheckLines() {
        let text = "// header\n\n// -----\n// first\nmodule {\n}\n// CHECK:\nmodule {\n}\n\n// -----\n// second, no check\nmodule {\n}\n"
        let cases = IRPassCase.cases(in: text, pass: "dce", file: "t.tgir")
        #expect(cases.count == 2)
        #expect(cases[0].summary == "first" && cases[0].line == 4)
        #expect(cases[0].input.hasSuffix("// first\nmodule {\n}\n") && cases[0].expected == "module {\n}\n")
        #expect(cases[1].expected == nil)
    }
}
