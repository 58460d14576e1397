import Foundation
import Testing
@testable import TGCDriver

/// Swift's deferred initialization in both modes: `var y: Tensor` and `let y: Tensor` declared
/// without a value and assigned before they are read (in both ways of an `if` on a
/// compile-time condition); a `let` takes one value. Reading one first, or assigning it under
/// an `if` on a run-time value, is an error (tests/diagnostics).
@Suite struct DeferredInitializationTests {
    @Test func assignedBeforeReadInBothModes() throws {
        let (eager, compiled) = try DataLoadingTests.run("""
            let epoch = 3
            let x = tensor([1.0, 2.0])
            let y: Tensor
            if epoch % 2 == 1 {
                y = x * 2
            } else {
                y = x
            }
            var count: Int
            count = 2
            count += 1
            var label: String
            label = epoch > 2 ? "late" : "early"
            print(y, count, label)
            """)
        let expected = "tensor([2., 4.]) 3 late\n"
        #expect(eager == expected)
        #expect(compiled == expected)
    }

    @Test func aLetTakesOneValue() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("program.swiftdsl").path
        try "let k: Int\nk = 1\nk = 2\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: (any Error).self) { _ = try Pipeline.eagerOutput(of: path) }
        let message = "\(error.map { String(describing: $0) } ?? "")"
        #expect(message.contains("3:1: error: cannot assign to value: 'k' is a 'let' constant"), "\(message)")
    }
}
