import Foundation
import Testing
@testable import TGCStress

/// `for i in progress(seq, "label")` through the built `tgc`, eagerly and compiled: with
/// stderr not a terminal, one summary line per loop on stderr when it ends (an inner loop's
/// label interpolating the outer index), the program's own output unchanged on stdout.
@Suite(.serialized) struct ProgressTests {
    let folder: TestFolder
    let tgc: String

    init() throws {
        tgc = try #require(StressTestSupport.tgc, "tgc is not built next to the tests (swift build --product tgc)")
        folder = try TestFolder("progress")
    }

    static let model = """
        var x = tensor([1.0, 2.0])
        for epoch in progress(0..<2, "outer") {
            for i in progress(1...50, "epoch \\(epoch)") {
                x = x * 0.99
            }
        }
        for p in progress([5, 6]) {
            print(p)
        }
        for i in progress(0..<0, "empty") {
            print(i)
        }
        print(x)
        """

    @Test(arguments: [true, false]) func eachLoopEndsWithOneSummaryLine(eager: Bool) throws {
        try folder.write("model.swiftdsl", Self.model)
        let result = try folder.run([tgc, "run"] + (eager ? ["--eager"] : []) + [folder.path("model.swiftdsl")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "5\n6\ntensor([0.3660, 0.7321])\n")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let expected = ["epoch 0: 50/50", "epoch 1: 50/50", "outer: 2/2", "progress: 2/2", "empty: 0/0"]
        #expect(lines.count == expected.count, "\(result.stderr)")
        for (line, start) in zip(lines, expected) {
            #expect(line.hasPrefix(start + " in ") && line.hasSuffix(" it/s)") && line.contains("s ("), "\(line)")
        }
    }
}
