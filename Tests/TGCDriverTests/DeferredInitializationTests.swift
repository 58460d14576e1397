import Foundation
import Testing
@testable import TGCDriver

/// Swift's deferred initialization in both modes: `var y: Tensor` and `let y: Tensor` declared
/// without a value and assigned before they are read (in both ways of an `if` on a
/// compile-time condition). Reading one first, assigning a `let` twice, or assigning one under
/// an `if` on a run-time value is an error (tests/diagnostics).
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
}
