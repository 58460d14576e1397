import Foundation
import Testing
@testable import TGCStress

/// `hyper(...)` end to end through the built `tgc`: a Float one is set by the generated
/// program's `--name X` (and by `-D` in every mode), an Int one is compiled in and refused at
/// run time with a hint to recompile; `--help` lists both; bad values are clean errors.
@Suite(.serialized) struct HyperparameterTests {
    let folder: URL
    let tgc: String

    init() throws {
        tgc = try #require(StressTestSupport.tgc, "tgc is not built next to the tests (swift build --product tgc)")
        folder = try StressTestSupport.temporaryDirectory("hyper")
        try Data(Self.model.utf8).write(to: folder.appendingPathComponent("model.swiftdsl"))
    }

    static let model = """
        let lr = hyper("lr", 0.01)
        let epochs = hyper("epochs", 20)
        let X = tensor([[1.0], [2.0], [3.0], [4.0]])
        let y = 3 * X + 2
        var w = zeros([1], requiresGrad: true)
        var b = zeros([1], requiresGrad: true)
        for epoch in 0..<epochs {
            let loss = ((w * X + b - y) ** 2).mean()
            loss.backward()
            noGrad {
                w -= lr * w.grad
                b -= lr * b.grad
            }
            w.grad.zero()
            b.grad.zero()
        }
        print("lr \\(lr) epochs \\(epochs) loss \\(((w * X + b - y) ** 2).mean().item(), precision: 6)")
        """

    func run(_ command: [String]) throws -> ChildProcess.Result {
        try ChildProcess.run(command[0], Array(command.dropFirst()), timeout: 120,
                             environment: ["SWIFT_BACKTRACE": "enable=no"], directory: folder)
    }

    var model: String { folder.appendingPathComponent("model.swiftdsl").path }
    var binary: String { folder.appendingPathComponent("model").path }

    @Test func aFloatHyperparameterIsSetAtRunTimeInTheSameBinary() throws {
        #expect(try run([tgc, "compile", model, "-o", binary]).status == 0)
        let defaults = try run([binary])
        #expect(defaults.stdout == "lr 0.01 epochs 20 loss 0.182067\n", "\(defaults.stderr)")
        let faster = try run([binary, "--lr", "0.05"])
        #expect(faster.stdout == "lr 0.05 epochs 20 loss 0.070434\n", "\(faster.stderr)")
        #expect(try run([binary, "--lr=0.05"]).stdout == faster.stdout)
        // The same numbers eagerly with -D, and compiled through `tgc run -- --lr`.
        #expect(try run([tgc, "run", "--eager", model, "-D", "lr=0.05"]).stdout == faster.stdout)
        #expect(try run([tgc, "run", model, "--", "--lr", "0.05"]).stdout == faster.stdout)
    }

    @Test func anIntHyperparameterIsFixedWhenCompiling() throws {
        #expect(try run([tgc, "compile", model, "-o", binary, "-D", "epochs=5"]).status == 0)
        let compiled = try run([binary, "--lr", "0.05"])
        #expect(compiled.stdout == "lr 0.05 epochs 5 loss 0.110738\n", "\(compiled.stderr)")
        #expect(try run([tgc, "run", "--eager", model, "-Depochs=5", "-D", "lr=0.05"]).stdout == compiled.stdout)
        #expect(try run([binary, "--epochs", "5"]).status == 0)   // the value it was compiled with
        let refused = try run([binary, "--epochs", "128"])
        #expect(refused.status != 0)
        #expect(refused.stderr == "error: --epochs is fixed at compile time (compiled with epochs = 5); recompile with -D epochs=128 to change it\n")
        let help = try run([binary, "--help"]).stdout
        #expect(help.contains("hyperparameters:\n  --lr X      a number (default: 0.01)\n  --epochs X  fixed at compile time: 5 (recompile with -D epochs=VALUE)\n"))
    }

    /// An optimizer's lr stays a run-time number (`SGD(params, lr: lr)`): the binary's --lr
    /// sets the rate its steps use, as -D does eagerly; a hyperparameter used where a number
    /// must be known when compiling (momentum) is fixed there.
    @Test func anOptimizersLearningRateIsSetAtRunTime() throws {
        let source = folder.appendingPathComponent("sgd.swiftdsl")
        try Data("""
            let lr = hyper("lr", 0.1)
            let momentum = hyper("momentum", 0.9)
            var w = tensor([1.0, -2.0, 3.0], requiresGrad: true)
            let opt = SGD([w], lr: lr, momentum: momentum)
            for step in 0..<3 {
                opt.zeroGrad()
                (w * w).sum().backward()
                opt.step()
            }
            print(opt.lr, w)
            """.utf8).write(to: source)
        #expect(try run([tgc, "compile", source.path, "-o", binary]).status == 0)
        // PyTorch: w * 0.062 with lr 0.1, w * -0.54 with lr 0.2 (momentum 0.9, three steps).
        #expect(try run([binary]).stdout == "0.1 tensor([ 0.0620, -0.1240,  0.1860], requires_grad=True)\n")
        let faster = try run([binary, "--lr", "0.2"])
        #expect(faster.stdout == "0.2 tensor([-0.5400,  1.0800, -1.6200], requires_grad=True)\n", "\(faster.stderr)")
        #expect(try run([tgc, "run", "--eager", source.path, "-D", "lr=0.2"]).stdout == faster.stdout)
        let refused = try run([binary, "--momentum", "0.5"])
        #expect(refused.stderr.contains("--momentum is fixed at compile time (compiled with momentum = 0.9); recompile with -D momentum=0.5"))
        let negative = try run([tgc, "compile", source.path, "-o", binary, "-D", "lr=-0.1"])
        #expect(negative.status != 0 && negative.stderr.contains("invalid lr value: -0.1"), "\(negative.stderr)")
    }

    @Test func badValuesAreCleanErrors() throws {
        #expect(try run([tgc, "compile", model, "-o", binary]).status == 0)
        for (arguments, message) in [
            (["--lr", "abc"], "error: --lr expects a number, got 'abc' (run with --help for usage)\n"),
            (["--lr", ""], "error: --lr expects a number, got '' (run with --help for usage)\n"),
            (["--lr", "nan"], "error: --lr expects a number, got 'nan' (run with --help for usage)\n"),
            (["--lr", "-inf"], "error: --lr expects a number, got '-inf' (run with --help for usage)\n"),
            (["--lr"], "error: --lr needs a value (run with --help for usage)\n"),
            (["--momentum", "0.9"], "error: unknown option '--momentum' (run with --help for usage)\n"),
        ] {
            let result = try run([binary] + arguments)
            #expect(result.status != 0 && result.stderr == message, "\(arguments): \(result.stderr)")
        }
        for (arguments, message) in [
            (["-D", "foo=1"], "error: -D foo=...: no hyper(\"foo\", ...) in the program (the program's: lr, epochs)\n"),
            (["-D", "lr"], "error: -D needs NAME=VALUE (a hyperparameter of the program), got 'lr'\n"),
            (["-D", "lr=fast"], "model.swiftdsl:1:22: error: -D lr=fast: expected a finite number\n"),
            (["-D", "epochs=2.5"], "model.swiftdsl:2:30: error: -D epochs=2.5: 'epochs' is an Int hyperparameter; expected an integer\n"),
            (["--", "--lr", "abc"], "error: 'tgc run --eager' passes no flags to the program (got '--lr' after '--'): set a hyperparameter with -D NAME=VALUE\n"),
        ] {
            let result = try run([tgc, "run", "--eager", model] + arguments)
            #expect(result.status != 0 && result.stderr.components(separatedBy: "\n")[0].hasSuffix(message.dropLast()),
                    "\(arguments): \(result.stderr)")
        }
    }
}
