import Testing
import TGCBase
@testable import TGCCore

/// Eager mode frees what is spent: a backward pass without createGraph frees each
/// intermediate value as soon as no later derivative rule reads it, so the allocator hands its
/// buffer to the next one.
struct EagerMemoryTests {
    @Test func backwardFreesItsIntermediateValues() throws {
        let b = EagerBuilder(context: RunContext())
        let x = b.add(Tensor(type: TensorType([1000], .float32), elements: (0..<1000).map { Double($0) / 1000 }))
        // y = sum(exp(sin(x) * x)): its backward makes several [1000] values on the way to x's gradient.
        let sine = try b.apply1(.sin, [x], at: .unknown)
        let product = try b.apply1(.mul, [sine, x], at: .unknown)
        let y = try b.apply1(.reduceSum, [try b.apply1(.exp, [product], at: .unknown)], at: .unknown)
        let before = b.heldStorage
        let detached = try b.detachedGradient(of: y, seed: nil, wrt: [x], at: .unknown)[0]
        // Only the gradient itself is left of the sweep, and it equals the gradient the tape keeps.
        #expect(b.heldStorage.values == before.values + 1)
        #expect(b.heldStorage.bytes == before.bytes + 4000)
        let kept = try b.gradient(of: y, seed: nil, wrt: [x], at: .unknown)[0]
        #expect(b.tensor(detached) == b.tensor(kept))
    }
}
