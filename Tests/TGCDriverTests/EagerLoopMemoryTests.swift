import Foundation
import Testing
import TGCBase
@testable import TGCCore
@testable import TGCDriver

/// An eager training loop runs in the memory of one iteration: what an iteration made and no
/// later gradient can reach (the forward values, the optimizer's temporaries, the versions of
/// the parameters and moments it replaced) is freed when it ends, as PyTorch frees a spent graph.
struct EagerLoopMemoryTests {
    /// The bytes the interpreter still holds after `steps` Adam steps of a small MLP, and what it printed.
    static func afterTraining(steps: Int) throws -> (bytes: Int, output: String) {
        let program = """
            manualSeed(0)
            let model = Sequential(Linear(64, 256), ReLU(), Linear(256, 10))
            let opt = Adam(model.parameters(), lr: 0.001)
            let x = randn(32, 64)
            let y = arange(32) % 10
            var total = 0.0
            for step in 0..<\(steps) {
                opt.zeroGrad()
                let loss = crossEntropy(model(x), y)
                loss.backward()
                opt.step()
                total += loss.item()
            }
            print(total / \(steps))

            """
        let context = RunContext()
        var output = ""
        context.write = { output += $0 }
        let builder = EagerBuilder(context: context)
        try SourceLoader.evaluate(SourceText(path: "loop.swiftdsl", text: program), with: builder)
        return (builder.heldStorage.bytes, output)
    }

    @Test func trainingLoopHoldsOneIterationOfMemory() throws {
        let short = try Self.afterTraining(steps: 3), long = try Self.afterTraining(steps: 30)
        #expect(long.bytes == short.bytes, "30 steps hold \(long.bytes) bytes, 3 steps \(short.bytes)")
        #expect(long.bytes < 2_000_000, "a step of this MLP makes ~1 MB; \(long.bytes) bytes are held")
    }

    /// History that a later gradient may walk is kept: a tensor carried through the loop is
    /// differentiated back to the leaf after it, and `grad(of:wrt:)` reaches a value that
    /// requires no grad, through every iteration.
    @Test func historyOfCarriedValuesIsKept() throws {
        let program = """
            let x0 = tensor([1.0, 2.0])
            var x = x0
            for i in 0..<3 { x = x * 2 }
            print(grad(of: x.sum(), wrt: x0))
            let w = tensor([1.0, 2.0], requiresGrad: true)
            var h = w * 1
            for i in 0..<3 { h = tanh(h) * 2 }
            h.sum().backward()
            print(w.grad)

            """
        let context = RunContext()
        var output = ""
        context.write = { output += $0 }
        try SourceLoader.evaluate(SourceText(path: "history.swiftdsl", text: program), with: EagerBuilder(context: context))
        #expect(output == "tensor([8., 8.])\ntensor([0.0582, 0.0038])\n")   // PyTorch's w.grad
    }
}
