import Testing
@testable import TGCCore

/// The oracle itself, on hand-computed answers: loops thread carried values (a swap, an
/// accumulated index) and branches pick a region by the bool scalar.
struct ModuleRunnerTests {
    private func run(_ p: ProgramBuilder) throws -> [String] {
        let context = RunContext()
        var output = ""
        context.write = { output += $0 }
        try ModuleRunner.run(p.module, context: context)
        return RunContext.lines(of: output)
    }

    @Test func loopSwapsAndAccumulates() throws {
        let p = ProgramBuilder()
        let start = [try p.splat(1, []), try p.splat(2, []), try p.splat(0, [], .int64)]
        let results = try p.graph.loop(0..<5, carrying: start, at: p.here()) { index, v in
            [v[1], v[0], try p.op(.add, [v[2], index])]
        }
        try p.effect(.print, results) {
            $0.printSegments = [.scalar(operand: 0, precision: nil), .text(" "), .scalar(operand: 1, precision: nil),
                                .text(" "), .scalar(operand: 2, precision: nil)]
        }
        #expect(try run(p) == ["2.0 1.0 10"])
    }

    @Test func branchPicksByCondition() throws {
        let p = ProgramBuilder()
        let x = try p.splat(3, [])
        for condition in [1.0, 0.0] {
            let chosen = try p.graph.branch(try p.splat(condition, [], .bool), carrying: [x], at: p.here(),
                                            then: { v in [try p.op(.neg, [v[0]])] }, else: { v in [v[0]] })
            try p.effect(.print, chosen) { $0.printSegments = [.scalar(operand: 0, precision: nil)] }
        }
        #expect(try run(p) == ["-3.0", "3.0"])
    }

    @Test func zeroTripLoopReturnsInitialValues() throws {
        let p = ProgramBuilder()
        let results = try p.graph.loop(3..<3, carrying: [try p.splat(7, [], .int64)], at: p.here()) { _, v in
            [try p.op(.neg, [v[0]])]
        }
        try p.effect(.print, results) { $0.printSegments = [.scalar(operand: 0, precision: nil)] }
        #expect(try run(p) == ["7"])
    }
}
