import Testing
import TGCBase
@testable import TGCCore
import TGCTestSupport

/// The Builder composites (Builder+Composites.swift): PyTorch's values on small inputs, the
/// same through GraphBuilder and the interpreter, and gradients against finite differences.
@Suite struct BuilderCompositeTests {
    /// One composite call, its inputs, and what PyTorch 2.x computes for it.
    struct Expectation: CustomStringConvertible, Sendable {
        var name: String
        var inputs: [Tensor]
        var build: @Sendable (Builder, [ValueID]) throws -> ValueID
        var type: TensorType
        var values: [Double]
        var description: String { name }
    }

    static func tensor(_ shape: [Int], _ elements: [Double], _ dtype: DType = .float32) -> Tensor {
        Tensor(type: TensorType(shape, dtype), elements: elements)
    }

    static let x23 = tensor([2, 3], [1, 2, 3, 4, 5, 6])
    static let u = tensor([3], [1, 2, 3])
    static let v = tensor([3], [4, 5, 6])

    static let expectations: [Expectation] = [
        // torch.tensor([[1., 2., 3.], [4., 5., 6.]]).mean() and friends.
        Expectation(name: "mean", inputs: [x23], build: { b, x in try b.mean(x[0], axes: nil, at: .unknown) },
                    type: TensorType([], .float32), values: [3.5]),
        Expectation(name: "mean dim 0", inputs: [x23], build: { b, x in try b.mean(x[0], axes: [0], at: .unknown) },
                    type: TensorType([3], .float32), values: [2.5, 3.5, 4.5]),
        Expectation(name: "mean dim 1 keepdim", inputs: [x23], build: { b, x in try b.mean(x[0], axes: [1], keepDim: true, at: .unknown) },
                    type: TensorType([2, 1], .float32), values: [2, 5]),
        Expectation(name: "mean of nothing", inputs: [tensor([0], [])], build: { b, x in try b.mean(x[0], axes: nil, at: .unknown) },
                    type: TensorType([], .float32), values: [.nan]),
        Expectation(name: "std", inputs: [x23], build: { b, x in try b.std(x[0], axes: nil, at: .unknown) },
                    type: TensorType([], .float32), values: [1.8708287]),
        Expectation(name: "std dim 0", inputs: [x23], build: { b, x in try b.std(x[0], axes: [0], at: .unknown) },
                    type: TensorType([3], .float32), values: [2.1213203, 2.1213203, 2.1213203]),
        Expectation(name: "std dim 1 keepdim", inputs: [x23], build: { b, x in try b.std(x[0], axes: [1], keepDim: true, at: .unknown) },
                    type: TensorType([2, 1], .float32), values: [1, 1]),
        Expectation(name: "std correction 0", inputs: [x23], build: { b, x in try b.std(x[0], axes: [1], correction: 0, at: .unknown) },
                    type: TensorType([2], .float32), values: [0.8164966, 0.8164966]),
        Expectation(name: "std of one element", inputs: [tensor([1], [5])], build: { b, x in try b.std(x[0], axes: nil, at: .unknown) },
                    type: TensorType([], .float32), values: [.nan]),
        Expectation(name: "dot", inputs: [u, v], build: { b, x in try b.dot(x[0], x[1], at: .unknown) },
                    type: TensorType([], .float32), values: [32]),
        Expectation(name: "dot int64", inputs: [tensor([3], [1, 2, 3], .int64), tensor([3], [4, 5, 6], .int64)],
                    build: { b, x in try b.dot(x[0], x[1], at: .unknown) }, type: TensorType([], .int64), values: [32]),
    ]

    static func expectValues(_ actual: [Double], _ expected: [Double], _ name: String) {
        #expect(actual.count == expected.count, "\(name): \(actual.count) elements")
        for (a, e) in zip(actual, expected) {
            if e.isNaN {
                #expect(a.isNaN, "\(name): \(a), expected nan")
            } else {
                #expect(abs(a - e) <= 1e-6 * max(1, abs(e)), "\(name): \(a), expected \(e)")
            }
        }
    }

    @Test(arguments: expectations)
    func eagerGivesPyTorchsValues(_ expectation: Expectation) throws {
        let b = EagerBuilder(context: RunContext())
        let result = try expectation.build(b, expectation.inputs.map(b.add))
        #expect(b.type(of: result) == expectation.type)
        Self.expectValues(b.tensor(result).elements, expectation.values, expectation.name)
    }

    @Test(arguments: expectations)
    func compiledGivesTheSameValues(_ expectation: Expectation) throws {
        let b = GraphBuilder()
        let inputs = try expectation.inputs.map { tensor in
            var attrs = Attributes()
            attrs.data = tensor.elements
            attrs.shape = tensor.shape
            attrs.dtype = tensor.type.dtype
            return try b.apply1(.constant, [], attrs, at: .unknown)
        }
        let result = try expectation.build(b, inputs)
        #expect(b.type(of: result) == expectation.type)
        var attrs = Attributes()
        attrs.path = "result"
        _ = try b.apply(.save, [result], attrs, at: .unknown)
        try PassPipeline.run(b.module)
        let directory = try TestScratch.folder("core").path
        let context = RunContext()
        context.outputDirectory = directory
        try ModuleRunner.run(b.module, context: context)
        let saved = try NPY.load(directory + "/result", as: expectation.type)
        Self.expectValues(saved.elements, expectation.values, expectation.name)
    }

    @Test func illTypedUsesAreDiagnosed() throws {
        let b = EagerBuilder(context: RunContext())
        let ints = b.add(Self.tensor([3], [1, 2, 3], .int64))
        let (u, v) = (b.add(Self.u), b.add(Self.tensor([2], [1, 2])))
        #expect(throws: Diagnostic.self) { try b.mean(ints, axes: nil, at: .unknown) }
        #expect(throws: Diagnostic.self) { try b.std(ints, axes: nil, at: .unknown) }
        #expect(throws: Diagnostic.self) { try b.dot(u, v, at: .unknown) }
        #expect(throws: Diagnostic.self) { try b.dot(u, ints, at: .unknown) }
        #expect(throws: Diagnostic.self) { try b.dot(b.add(Self.x23), b.add(Self.x23), at: .unknown) }
    }

    /// Gradient checks in GradientCheckTests' form (its loss, finite differences and tolerance).
    static let gradientCases: [GradientCheckTests.Case] = [
        .init(name: "mean", inputs: [GradientCheckTests.values([2, 3], seed: 21)]) { b, x in try b.mean(x[0], axes: nil, at: .unknown) },
        .init(name: "mean dims 0 2 keepdim", inputs: [GradientCheckTests.values([2, 3, 4], seed: 22)]) { b, x in
            try b.mean(x[0], axes: [0, 2], keepDim: true, at: .unknown)
        },
        .init(name: "std", inputs: [GradientCheckTests.values([2, 3], seed: 23)]) { b, x in try b.std(x[0], axes: nil, at: .unknown) },
        .init(name: "std dim 1 keepdim", inputs: [GradientCheckTests.values([3, 4], seed: 24)]) { b, x in
            try b.std(x[0], axes: [1], keepDim: true, at: .unknown)
        },
        .init(name: "std correction 0", inputs: [GradientCheckTests.values([2, 5], seed: 25)]) { b, x in
            try b.std(x[0], axes: [0], correction: 0, at: .unknown)
        },
        .init(name: "dot", inputs: [GradientCheckTests.values([5], seed: 26), GradientCheckTests.values([5], seed: 27)]) { b, x in
            try b.dot(x[0], x[1], at: .unknown)
        },
        .init(name: "softmax dim 1", inputs: [GradientCheckTests.values([2, 4], seed: 28)]) { b, x in
            try b.softmax(x[0], axis: 1, at: .unknown)
        },
        .init(name: "logSoftmax dim 0", inputs: [GradientCheckTests.values([3, 2], seed: 30)]) { b, x in
            try b.logSoftmax(x[0], axis: 0, at: .unknown)
        },
        .init(name: "logsumexp dims 0 2", inputs: [GradientCheckTests.values([2, 3, 2], seed: 32)]) { b, x in
            try b.logsumexp(x[0], axes: [0, 2], keepDim: true, at: .unknown)
        },
        .init(name: "amax dim 1", inputs: [GradientCheckTests.values([3, 4], seed: 33)]) { b, x in
            try b.extreme(x[0], max: true, axes: [1], at: .unknown)
        },
        .init(name: "amin dims 0 1 keepdim", inputs: [GradientCheckTests.values([2, 3], seed: 34)]) { b, x in
            try b.extreme(x[0], max: false, axes: [0, 1], keepDim: true, at: .unknown)
        },
        .init(name: "var dim 1", inputs: [GradientCheckTests.values([3, 4], seed: 35)]) { b, x in
            try b.variance(x[0], axes: [1], at: .unknown)
        },
    ]

    @Test(arguments: gradientCases + BuilderShapeCompositeTests.gradientCases)
    func eagerGradientsMatchFiniteDifferences(_ testCase: GradientCheckTests.Case) throws {
        try GradientCheckTests().eagerTapeMatchesFiniteDifferences(testCase)
    }

    @Test(arguments: gradientCases + BuilderShapeCompositeTests.gradientCases)
    func autodiffGradientsMatchFiniteDifferences(_ testCase: GradientCheckTests.Case) throws {
        try GradientCheckTests().autodiffPassMatchesFiniteDifferences(testCase)
    }
}
