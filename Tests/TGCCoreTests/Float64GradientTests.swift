import Testing
import TGCBase
@testable import TGCCore
import TGCTestSupport

/// Gradients of float64 leaves, through the eager tape and the autodiff pass: they are float64
/// and computed in double, so they agree with central differences (h = 1e-5, truncation error
/// ~1e-10, rounding ~1e-11) within 1e-7 relative, where a float32 computation would miss by
/// ~1e-3. A float32 operand beside float64 ones gets a float32 gradient, as in PyTorch.
@Suite struct Float64GradientTests {
    typealias Case = GradientCheckTests.Case

    static func doubles(_ shape: [Int], seed: Int, low: Double = 0.5, high: Double = 2) -> Tensor {
        let values = GradientCheckTests.values(shape, seed: seed, low: low, high: high)
        return Tensor(type: TensorType(shape, .float64), elements: values.elements.map { $0 + 1e-9 * Double(seed) })
    }

    static let cases: [Case] = {
        var cases: [Case] = []
        for kind in [OpKind.exp, .log, .tanh, .sigmoid, .sqrt, .sin, .reciprocal, .gelu, .square] {
            cases.append(Case(name: "\(kind)", inputs: [doubles([2, 3], seed: 1)]) { b, x in try b.apply1(kind, x, at: .unknown) })
        }
        for kind in [OpKind.mul, .div, .pow, .atan2, .maximum] {
            cases.append(Case(name: "\(kind)", inputs: [doubles([2, 3], seed: 2), doubles([3], seed: 3)]) { b, x in
                try b.apply1(kind, x, at: .unknown)
            })
        }
        cases.append(Case(name: "matmul", inputs: [doubles([2, 4], seed: 4), doubles([4, 3], seed: 5)]) { b, x in
            try b.apply1(.matmul, x, at: .unknown)
        })
        cases.append(Case(name: "mean of a product with a float32 scalar", inputs: [doubles([5], seed: 6)]) { b, x in
            try b.mean(try b.apply1(.mul, [x[0], try b.scalar(0.1, .float32, at: .unknown)], at: .unknown), axes: nil, keepDim: false, at: .unknown)
        })
        return cases
    }()

    /// L = sum(op(inputs) * op(inputs)): every output element matters, in float64.
    static func loss(_ b: Builder, _ testCase: Case, _ inputs: [ValueID]) throws -> ValueID {
        let output = try testCase.build(b, inputs)
        let squared = try b.apply1(.mul, [output, output], at: .unknown)
        return try b.reduceSum(squared, axes: Array(0..<b.type(of: squared).rank), keepDim: false, at: .unknown)
    }

    static func numericGradients(_ testCase: Case) throws -> [[Double]] {
        let h = 1e-5
        func evaluate(_ inputs: [Tensor]) throws -> Double {
            let b = EagerBuilder(context: RunContext())
            return b.tensor(try loss(b, testCase, inputs.map(b.add))).elements[0]
        }
        return try testCase.inputs.indices.map { which in
            try testCase.inputs[which].elements.indices.map { i in
                var plus = testCase.inputs, minus = testCase.inputs
                plus[which].elements[i] += h
                minus[which].elements[i] -= h
                return (try evaluate(plus) - evaluate(minus)) / (2 * h)
            }
        }
    }

    static func expectClose(_ analytic: [Tensor], _ testCase: Case) throws {
        let numeric = try numericGradients(testCase)
        for (gradient, expected) in zip(analytic, numeric) {
            #expect(gradient.dtype == .float64, "\(testCase.name): a \(gradient.dtype) gradient")
            for (x, y) in zip(gradient.elements, expected) {
                #expect(abs(x - y) <= 1e-7 * max(1, abs(y)), "\(testCase.name): analytic \(x) vs numeric \(y)")
            }
        }
    }

    @Test(arguments: cases)
    func eagerTape(_ testCase: Case) throws {
        let b = EagerBuilder(context: RunContext())
        let inputs = testCase.inputs.map(b.add)
        let grads = try b.gradient(of: try Self.loss(b, testCase, inputs), seed: nil, wrt: inputs, at: .unknown)
        try Self.expectClose(grads.map(b.tensor), testCase)
    }

    @Test(arguments: cases)
    func autodiffPass(_ testCase: Case) throws {
        let b = GraphBuilder()
        var inputs: [ValueID] = []
        for tensor in testCase.inputs {
            var attrs = Attributes()
            (attrs.data, attrs.shape, attrs.dtype) = (tensor.elements, tensor.shape, .float64)
            inputs.append(try b.apply1(.constant, [], attrs, at: .unknown))
        }
        for (index, grad) in try b.gradient(of: try Self.loss(b, testCase, inputs), seed: nil, wrt: inputs, at: .unknown).enumerated() {
            var attrs = Attributes()
            attrs.path = "grad\(index)"
            _ = try b.apply(.save, [grad], attrs, at: .unknown)
        }
        try PassPipeline.run(b.module)
        let directory = try TestScratch.folder("core").path
        let context = RunContext()
        context.outputDirectory = directory
        try ModuleRunner.run(b.module, context: context)
        let analytic = try testCase.inputs.indices.map { index in
            try NPY.load(directory + "/grad\(index)", as: TensorType(testCase.inputs[index].shape, .float64))
        }
        try Self.expectClose(analytic, testCase)
    }

    /// float32 x times a float64 y: the product is float64, x's gradient float32 (PyTorch casts
    /// a gradient to its input's dtype), y's float64.
    @Test func mixedOperandsGetTheirOwnDtypes() throws {
        let b = EagerBuilder(context: RunContext())
        let x = b.add(GradientCheckTests.values([3], seed: 7))
        let y = b.add(Self.doubles([3], seed: 8))
        let product = try b.apply1(.mul, [x, y], at: .unknown)
        #expect(b.type(of: product).dtype == .float64)
        let loss = try b.reduceSum(product, axes: [0], keepDim: false, at: .unknown)
        let grads = try b.gradient(of: loss, seed: nil, wrt: [x, y], at: .unknown)
        #expect(grads.map { b.type(of: $0).dtype } == [.float32, .float64])
        #expect(b.tensor(grads[0]).elements == b.tensor(y).elements.map { Double(Float($0)) })
    }
}
