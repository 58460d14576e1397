import Testing
import TGCBase
@testable import TGCCore

/// The eager builder's shortcuts (reused type inference, tape-free loops that free their
/// temporaries) must give exactly what the plain path gives.
struct EagerBuilderTests {
    private func vector(_ b: EagerBuilder, _ values: [Double]) -> ValueID {
        b.add(Tensor(type: TensorType([values.count], .float32), elements: values))
    }

    @Test func reusedInferenceFollowsTheOperandTypes() throws {
        let b = EagerBuilder(context: RunContext())
        let (x2, y2) = (vector(b, [1, 2]), vector(b, [10, 20]))
        let (x3, y3) = (vector(b, [1, 2, 3]), vector(b, [4, 5, 6]))
        let sum2 = try b.apply1(.add, [x2, y2], at: .unknown)
        let sum3 = try b.apply1(.add, [x3, y3], at: .unknown)
        #expect(b.tensor(sum2).elements == [11, 22])
        #expect(b.type(of: sum3).shape == [3])
        #expect(b.tensor(sum3).elements == [5, 7, 9])
        // The same kind again on the first types, then on types that do not broadcast.
        #expect(try b.tensor(b.apply1(.add, [x2, y2], at: .unknown)).elements == [11, 22])
        #expect(throws: Diagnostic.self) { try b.apply1(.add, [x2, x3], at: .unknown) }
        // A comparison infers bool whatever add inferred for the same operands.
        #expect(try b.type(of: b.apply1(.less, [x2, y2], at: .unknown)).dtype == .bool)
    }

    @Test func tapeFreeLoopKeepsSwappedRepeatedAndUnchangedCarriedValues() throws {
        let b = EagerBuilder(context: RunContext())
        b.recordsTape = false
        let one = vector(b, [1])
        let start = [vector(b, [0]), vector(b, [100]), vector(b, [7])]
        let results = try b.loop(0..<3, carrying: start, at: .unknown) { _, carried in
            let bumped = try b.apply1(.add, [carried[0], one], at: .unknown)
            // (a, b, c) -> (b + 0, a + 1, c): a swap through a new value, and an unchanged value.
            return [carried[1], bumped, carried[2]]
        }
        #expect(results.map { b.tensor($0).elements } == [[101], [2], [7]])
        let repeated = try b.loop(0..<2, carrying: [start[0], start[1]], at: .unknown) { _, carried in
            let next = try b.apply1(.add, [carried[0], one], at: .unknown)
            return [next, next]
        }
        #expect(repeated.map { b.tensor($0).elements } == [[2], [2]])
    }
}
