import Foundation
import Testing
import TGCCore
@testable import TGCStress

/// Differential testing: random programs agree across eager mode, the IR interpreter and C;
/// and the generator, comparison and shrinker do what the run relies on.
@Suite struct DiffTests {
    /// 20 programs in 4 gcc runs, fixed seed.
    @Test func boundedRunAgrees() throws {
        var runner = DiffRunner(seed: 2024, batchSize: 5)
        runner.shrinkAttempts = 15
        let report = try runner.run(count: 20)
        #expect(report.programs == 20)
        #expect(report.gccRuns <= 8, "batching should keep gcc runs few, got \(report.gccRuns)")
        for mismatch in report.mismatches {
            Issue.record("program \(mismatch.unitIndex): \(mismatch.differences.prefix(3).joined(separator: "; "))\n\(mismatch.shrunkSource)")
        }
    }

    @Test func generationIsDeterministic() {
        #expect(ProgramGenerator(seed: 5).unit(named: "u").source == ProgramGenerator(seed: 5).unit(named: "u").source)
        #expect(ProgramGenerator(seed: 5).unit(named: "u").source != ProgramGenerator(seed: 6).unit(named: "u").source)
    }

    /// Across 80 programs the generator uses every op and construct of the language.
    @Test func generatorCoversTheLanguage() {
        let text = (0..<200).map { ProgramGenerator(seed: UInt64($0)).unit(named: "u").source }.joined()
        let constructs = ["exp(", "log(", "sqrt(", "sin(", "cos(", "tanh(", "sigmoid(", "abs(", "relu(", "sign(", "neg(", " + ", " - ",
                          " * ", " / ", " ** ", " % ", "maximum(", "minimum(", "where(", " < ", " == ", " && ", " || ", "!", ".long()",
                          ".float()", ".reshape(", ".view(", ".flatten()", ".unsqueeze(", ".squeeze(", ".transpose(", ".T", ".t()",
                          ".sum(", ".mean(", ".std(", ".max(", ".min(", ".argmax(", ".argmin(", "keepDim: true", "dim: [", "matmul(",
                          "dot(", "for ", "if ", "} else {", "grad(of:", ".backward()", "noGrad {", ".grad.zero()", "randn(", "rand(",
                          "tensor(", "full(", "arange(", "load(", "save(", "print(", " += ", " -= ", "log(", "/ 0.0", "[..., ", "] = "]
        for construct in constructs {
            #expect(text.contains(construct), "no generated program uses '\(construct)'")
        }
    }

    /// Kinds the generator does not write by their own spelling, and why.
    static let kindsNotSpelled: [OpKind: String] = [
        .constant: "written as tensor(...), full(...)", .broadcastTo: "implicit in broadcasting",
        .cast: "written as .long(), .float()", .input: "needs --in at run time", .manualSeed: "would reset the compared streams",
        .cyclicShift: "written as .flip(dims:) and .roll(...) (checked below)", .stopGradient: "written as noGrad { }",
        .slice: "written as a subscript (x[..., 1..<3]), which the generator writes", .sliceUpdate: "written as a subscript assignment (s[..., 1..<3] = v), which the generator writes",
        .indexSelect: "written as x[idx] with an int64 tensor, not generated (its rows must be in range)",
        .indexAdd: "IR only: the derivative of x[idx]", .forLoop: "for", .ifElse: "if", .yield: "IR only", .fusion: "IR only",
        .hyper: "set from the command line (HyperparameterTests)", .progress: "writes to stderr (ProgressTests)",
        .addScalar: "writes log files, not compared (TensorBoardInteropTests, CrossBackendAgreementTests check it)",
        // Convolution: Builder.conv2d and Builder.pool2d (the language's conv2d(...), maxPool2d(...)) build these.
        .conv2d: "written as conv2d(...) and Conv2d", .maxPool2dIndices: "written as maxPool2d(...) and MaxPool2d",
        .maxPool2d: "IR only: canonicalize's form of a max pooling whose indices no gradient reads",
        .conv2dInputGrad: "IR only: a derivative of conv2d", .conv2dWeightGrad: "IR only: a derivative of conv2d",
        // Data-parallel training: built by --distributed mpi (DistributedTests).
        .allReduce: "IR only: the gradient-all-reduce pass", .processRank: "IR only: a DataLoader's shard under --distributed",
        .fusedMultiplyAdd: "IR only: batch norm's x·α + β (written as BatchNorm1d/2d, batchNorm(...))",
        .cascadeSum: "written as .sum() and .mean() of a float tensor (reduceSum's spelling, which the generator writes)",
        .nllSum: "IR only: nll_loss's and crossEntropy's sum over samples (written as nllLoss(...), crossEntropy(...))",
        .loopExit: "IR only: the stop flag of a loop left by 'break' or a 'while' on a run-time value (samples/ch3_while_loops)",
    ]

    /// Derived from the op definitions: a new op kind fails here until the generator writes it.
    @Test func generatorWritesEveryOpKind() {
        let text = (0..<200).map { ProgramGenerator(seed: UInt64($0)).unit(named: "u").source }.joined()
        for kind in OpKind.allCases where Self.kindsNotSpelled[kind] == nil {
            let forms = kind.definition.spellings.compactMap { spelling -> String? in
                switch spelling {
                case .function(let name): "\(name)("
                case .method(let name): ".\(name)("
                case .infix(let symbol): " \(symbol) "
                case .prefix(let symbol): symbol
                case .phrase: nil
                }
            }
            #expect(forms.contains { text.contains($0) }, "no generated program uses \(kind.name) (\(forms))")
        }
    }

    /// cyclicShift has no spelling of its own: the generator writes it as flip and roll.
    /// Some gradients get history, so random programs run GradientHistory's dry run too.
    @Test func generatorBuildsGradientsWithHistory() {
        let text = (0..<80).map { ProgramGenerator(seed: UInt64($0)).unit(named: "u").source }.joined()
        #expect(text.contains("createGraph: true"))
    }

    /// Convolution and pooling are composites, not op kinds: the generator writes each of them.
    @Test func generatorWritesConvolutionAndPooling() {
        let text = (0..<400).map { ProgramGenerator(seed: UInt64($0)).unit(named: "u").source }.joined()
        for call in ["conv2d(", "maxPool2d(", "avgPool2d(", "adaptiveAvgPool2d("] {
            #expect(text.contains(call), "no generated program calls \(call)")
        }
    }

    @Test func generatorWritesFlipAndRoll() {
        let text = (0..<80).map { ProgramGenerator(seed: UInt64($0)).unit(named: "u").source }.joined()
        #expect(text.contains(".flip(dims: [") && text.contains(".roll("))
    }

    /// The generator's one-operand functions are the language's, each with a range rule.
    @Test func catalogueHasEveryElementwiseFunction() {
        #expect(Set(OpCatalog.floatUnaryNames) == Set(OpKind.elementwiseFunctions(arity: 1).keys))
        for name in OpCatalog.floatUnaryNames {
            #expect(OpCatalog.floatUnary(name, choice: 0) != nil, "no range rule for \(name)")
        }
    }

    @Test func comparisonTolerances() {
        #expect(OutputComparison.compare([1, 2, 3], [1, 2, 3], dtype: .int64, factor: 1) == nil)
        #expect(OutputComparison.compare([1, 2, 3], [1, 2, 4], dtype: .int64, factor: 1) != nil)
        #expect(OutputComparison.compare([1000, 1], [1000.05, 1], dtype: .float32, factor: 1) == nil, "within 1e-4 relative")
        #expect(OutputComparison.compare([1000, 1], [1000.5, 1], dtype: .float32, factor: 1) != nil)
        #expect(OutputComparison.compare([1000, 1], [1000.5, 1], dtype: .float32, factor: 6) == nil, "looser after libm chains")
        #expect(OutputComparison.compare([.nan, .infinity], [.nan, .infinity], dtype: .float32, factor: 1) == nil)
        #expect(OutputComparison.compare([.nan], [0], dtype: .float32, factor: 1) != nil)
        #expect(OutputComparison.compare([.infinity], [-.infinity], dtype: .float32, factor: 1) != nil)
    }

    /// A changed element in what the binary saved is reported.
    @Test func tamperedOutputIsCaught() throws {
        let folder = try StressTestSupport.temporaryDirectory("tamper")
        defer { try? FileManager.default.removeItem(at: folder) }
        let unit = DiffRunner(seed: 99).unit(0)
        var execution = try ProgramExecution.execute([unit], in: folder)
        #expect(execution.differences(for: unit).isEmpty)
        let output = try #require(unit.outputs.first { $0.dtype == .float32 })
        let c = execution.runs[.c]!.folder.appendingPathComponent(output.file).path
        var tensor = try NPY.load(c, as: try NPY.readType(c))
        // A value no comparison tolerance can excuse (the first element may be NaN, infinite or huge).
        tensor.elements[0] = tensor.elements[0] == 12345 ? -54321 : 12345
        try NPY.save(tensor, to: c)
        #expect(execution.differences(for: unit).contains { $0.hasPrefix("eager vs C: \(output.file)") })
        execution.runs[.c]!.failure = "error: boom"
        #expect(execution.differences(for: unit) == ["C failed: error: boom"])
    }

    /// Shrinking keeps the failure and removes what is not needed for it.
    @Test func shrinkerKeepsOnlyWhatFails() {
        let unit = ProgramGenerator(seed: 12).unit(named: "u")
        let failing: (GenUnit) -> Bool = { $0.source.contains("save(") }
        var shrinker = Shrinker(attempts: 400)
        let small = shrinker.shrink(unit, stillFails: failing)
        #expect(failing(small))
        #expect(small.statements.count < unit.statements.count)
        #expect(small.source.split(separator: "\n").filter { $0.hasPrefix("save(") }.count == 1, "\(small.source)")
    }
}
