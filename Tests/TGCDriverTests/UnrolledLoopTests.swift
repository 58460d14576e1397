import Foundation
import Testing
import TGCBase
@testable import TGCDriver

/// A loop over a range that grows an array is unrolled: eager mode runs any length, a compiled
/// program at most `Evaluator.compiledUnrollLimit` iterations, and a longer one is a located error.
struct UnrolledLoopTests {
    static func program(iterations: Int) -> String {
        """
        var losses: [Double] = []
        for i in 0..<\(iterations) { losses.append(Double(i)) }
        print(losses.count, losses.last!)

        """
    }

    static func file(iterations: Int) throws -> String {
        let path = try TestPaths.temporaryDirectory().appendingPathComponent("unrolled_\(iterations).swiftdsl").path
        try Self.program(iterations: iterations).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func eagerModeUnrollsPastTheCompiledLimit() throws {
        let iterations = Evaluator.compiledUnrollLimit + 50
        #expect(try Pipeline.eagerOutput(of: try Self.file(iterations: iterations)) == "\(iterations) \(Double(iterations - 1))\n")
    }

    @Test func compiledProgramUnrollsUpToTheLimit() throws {
        try Pipeline.check(try Self.file(iterations: Evaluator.compiledUnrollLimit))
        let path = try Self.file(iterations: Evaluator.compiledUnrollLimit + 1)
        let error = #expect(throws: (any Error).self) { try Pipeline.check(path) }
        let rendered = error.map { Pipeline.render($0, path: path) } ?? ""
        #expect(rendered.hasPrefix("\(path):2:1: error: a loop that grows an array"), "got: \(rendered)")
        #expect(rendered.contains("or run it with --eager"), "got: \(rendered)")
    }
}
