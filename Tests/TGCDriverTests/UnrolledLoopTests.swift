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

    static func write(_ text: String, named name: String) throws -> String {
        let path = try TestPaths.temporaryDirectory().appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A loop that freezes a parameter or switches a module to eval() at some epoch is
    /// unrolled (ModuleStateScan), so the change holds from that epoch on, as in PyTorch.
    @Test func aLoopThatChangesAModuleIsUnrolled() throws {
        let path = try Self.write("""
            let bn = BatchNorm1d(1)
            let x = tensor([[1.0], [3.0]])
            let fc = Linear(1, 1)
            let opt = SGD(fc.parameters(), lr: 0.1)
            for epoch in 0..<3 {
                if epoch == 1 { bn.eval() }
                if epoch == 2 { fc.weight.requiresGrad = false }
                opt.zeroGrad()
                fc(x).sum().backward()
                opt.step()
                print(epoch, bn.training, bn(x).sum().item(), fc.weight.requiresGrad, fc.weight.grad == nil)
            }

            """, named: "module_state_loop.swiftdsl")
        let expected = "0 True 0.0 True False\n1 False 3.4324498176574707 True False\n2 False 3.4324498176574707 False True\n"   // as PyTorch 2.13
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = directory.appendingPathComponent("program").path
        try Pipeline.buildExecutable(path, to: binary)
        let (status, output, errors) = try TestPaths.execute(binary, in: directory)
        #expect(status == 0, "\(errors)")
        #expect(output == expected)
        #expect(try Pipeline.eagerOutput(of: path) == expected)
    }

    /// Under an `if` on a run-time value the same change is a located compile-time error.
    @Test func aRuntimeIfThatChangesAModuleIsAnError() throws {
        let path = try Self.write("""
            let fc = Linear(1, 1)
            let x = tensor([[1.0], [3.0]])
            if x.sum() < 0 { fc.weight.requiresGrad = false }
            print(fc(x))

            """, named: "module_state_runtime_if.swiftdsl")
        let error = #expect(throws: (any Error).self) { try Pipeline.check(path) }
        let rendered = error.map { Pipeline.render($0, path: path) } ?? ""
        #expect(rendered.hasPrefix("\(path):3:1: error: this 'if' on a value known only at run time changes a module"), "got: \(rendered)")
    }

    /// A loop left by `break` on a run-time value may switch modes before its exit (every
    /// iteration then ends in the same modes); a switch after the exit is a compile-time error
    /// at the switch, which eager mode runs as PyTorch does.
    @Test func aModeSwitchAfterARuntimeBreakIsAnError() throws {
        let path = try Self.write("""
            let model = Linear(2, 1)
            let x = tensor([[1.0, 2.0]])
            for epoch in 0..<5 {
                model.train()
                let v = model(x).sum().item()
                if v > -1000.0 { break }
                model.eval()
            }
            print(model.training)

            """, named: "mode_switch_after_loop_exit.swiftdsl")
        let error = #expect(throws: (any Error).self) { try Pipeline.check(path) }
        let rendered = error.map { Pipeline.render($0, path: path) } ?? ""
        #expect(rendered.hasPrefix("\(path):7:5: error: this loop, left by 'break' on a run-time value, changes a module's mode"), "got: \(rendered)")
        #expect(try Pipeline.eagerOutput(of: path) == "True\n")
    }
}
