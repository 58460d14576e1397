import Testing
import TGCBase
@testable import TGCCore

/// GradientHistory's dry run: what a `createGraph` gradient records (requires grad, PyTorch's
/// `grad_fn`), the same over eager mode's tape and over IR whose earlier `gradient` ops are not
/// expanded yet.
struct GradientHistoryTests {
    /// `build(x)` from a 3-element leaf x; the history of d sum(build(x)) / dx in both builders.
    private func histories(_ build: (Builder, ValueID) throws -> ValueID) throws -> (eager: GradientHistory.Node, graph: GradientHistory.Node) {
        func node(_ b: Builder, _ x: ValueID) throws -> GradientHistory.Node {
            let output = try b.reduceSum(try build(b, x), axes: [0], keepDim: false, at: .unknown)
            let nodes = try GradientHistory.nodes(of: output, seed: nil, wrt: [x], entries: b.recordedEntries(),
                                                  requiring: [x], types: b.type(of:), at: .unknown)
            return try #require(nodes)[0]
        }
        let eager = EagerBuilder(context: RunContext())
        let graph = GraphBuilder()
        var attrs = Attributes()
        attrs.data = [0.3, 0.5, 0.7]
        attrs.shape = [3]
        attrs.dtype = .float32
        return (try node(eager, try eager.apply1(.constant, [], attrs, at: .unknown)),
                try node(graph, try graph.apply1(.constant, [], attrs, at: .unknown)))
    }

    private func expectHistory(requiresGrad: Bool, gradFunction: String?, _ build: (Builder, ValueID) throws -> ValueID) throws {
        let (eager, graph) = try histories(build)
        #expect(eager == graph)
        #expect(eager.requiresGrad == requiresGrad)
        #expect(eager.gradFunction == gradFunction)
    }

    @Test func namesTheLastOpOfTheBackwardGraphAsPyTorch() throws {
        try expectHistory(requiresGrad: true, gradFunction: "MulBackward0") { b, x in try b.apply1(.sin, [x], at: .unknown) }
        try expectHistory(requiresGrad: true, gradFunction: "MulBackward0") { b, x in try b.apply1(.exp, [x], at: .unknown) }
        try expectHistory(requiresGrad: true, gradFunction: "AddBackward0") { b, x in try b.apply1(.mul, [x, x], at: .unknown) }
        try expectHistory(requiresGrad: true, gradFunction: "DivBackward0") { b, x in try b.apply1(.log, [x], at: .unknown) }
        try expectHistory(requiresGrad: true, gradFunction: "TanhBackwardBackward0") { b, x in try b.apply1(.tanh, [x], at: .unknown) }
        try expectHistory(requiresGrad: true, gradFunction: "SigmoidBackwardBackward0") { b, x in try b.apply1(.sigmoid, [x], at: .unknown) }
    }

    @Test func aDerivativeThatReadsNothingRequiringGradHasNoHistory() throws {
        // d sum(2x) / dx = 2: PyTorch's gradient does not require grad.
        try expectHistory(requiresGrad: false, gradFunction: "MulBackward0") { b, x in
            try b.apply1(.mul, [x, try b.scalar(2, .float32, at: .unknown)], at: .unknown)
        }
        // relu's threshold_backward reads relu's result, which requires grad.
        try expectHistory(requiresGrad: true, gradFunction: "ThresholdBackwardBackward0") { b, x in try b.apply1(.relu, [x], at: .unknown) }
    }

    @Test func expandsEarlierGradientOpsAsThePassDoes() throws {
        // d sum(d sum(x³)/dx) / dx = 6x: in IR the inner gradient is an unexpanded `gradient` op.
        let (eager, graph) = try histories { b, x in
            let cube = try b.apply1(.pow, [x, try b.scalar(3, .float32, at: .unknown)], at: .unknown)
            let inner = try b.reduceSum(cube, axes: [0], keepDim: false, at: .unknown)
            return try b.gradient(of: inner, seed: nil, wrt: [x], at: .unknown)[0]
        }
        #expect(eager == graph)
        #expect(graph.requiresGrad)
        #expect(graph.gradFunction != nil)
    }

    @Test func namesAMatrixTimesVectorProductAfterPyTorchsMv() throws {
        // matmul(M, x) as tgc evaluates it: x viewed as a column, the product viewed back.
        try expectHistory(requiresGrad: true, gradFunction: "MvBackward0") { b, x in
            var attrs = Attributes()
            attrs.data = [1, 2, 3, 4, 5, 6]
            attrs.shape = [2, 3]
            attrs.dtype = .float32
            let m = try b.apply1(.constant, [], attrs, at: .unknown)
            let product = try b.apply1(.matmul, [m, try b.reshape(x, to: [3, 1], at: .unknown)], at: .unknown)
            let vector = try b.reshape(product, to: [2], at: .unknown)
            return try b.apply1(.mul, [vector, vector], at: .unknown)
        }
    }

    @Test func unrollsALoopOnTheWayAsThePassDoes() throws {
        // d sum(tanh(tanh(x))) / dx with the tanh in a loop: IR's `for` op is unrolled.
        let (eager, graph) = try histories { b, x in
            try b.loop(0..<2, carrying: [x], at: .unknown) { _, carried in
                [try b.apply1(.tanh, [carried[0]], at: .unknown)]
            }[0]
        }
        #expect(eager == graph)
        #expect(graph.gradFunction == "TanhBackwardBackward0")   // the first tanh's rule runs last
        #expect(graph.requiresGrad)
    }

    @Test func findsTheSourcesAValueDependsOn() throws {
        let b = EagerBuilder(context: RunContext())
        let x = b.add(Tensor(type: TensorType([2], .float32), elements: [1, 2]))
        let y = try b.apply1(.exp, [x], at: .unknown)
        let unrelated = try b.apply1(.sin, [x], at: .unknown)
        let detached = try b.apply1(.stopGradient, [unrelated], at: .unknown)
        let output = try b.apply1(.add, [y, detached], at: .unknown)
        #expect(GradientHistory.sources([x, y, unrelated], reaching: output, through: b.recordedEntries()) == [x, y])
    }
}
