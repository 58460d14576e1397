import Testing
import TGCBase
@testable import TGCCore

/// The creation and shape composites (Builder+ShapeComposites.swift): PyTorch's values in both
/// modes (BuilderCompositeTests' checks) and gradients against finite differences.
@Suite struct BuilderShapeCompositeTests {
    typealias Expectation = BuilderCompositeTests.Expectation
    static let x23 = BuilderCompositeTests.x23
    static func tensor(_ shape: [Int], _ elements: [Double], _ dtype: DType = .float32) -> Tensor {
        BuilderCompositeTests.tensor(shape, elements, dtype)
    }

    static let expectations: [Expectation] = [
        // torch.tensor([[1., 2., 3.], [4., 5., 6.]]).repeat(2, 1, 2), .tril(-1), ...
        Expectation(name: "repeat adds a dimension", inputs: [x23], build: { b, x in try b.repeated(x[0], [2, 1, 2], at: .unknown) },
                    type: TensorType([2, 2, 6], .float32),
                    values: [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]),
        Expectation(name: "repeat vector", inputs: [tensor([2], [1, 2])], build: { b, x in try b.repeated(x[0], [3], at: .unknown) },
                    type: TensorType([6], .float32), values: [1, 2, 1, 2, 1, 2]),
        Expectation(name: "repeat zero times", inputs: [x23], build: { b, x in try b.repeated(x[0], [0, 1], at: .unknown) },
                    type: TensorType([0, 3], .float32), values: []),
        Expectation(name: "tril -1", inputs: [x23], build: { b, x in try b.triangle(x[0], diagonal: -1, upper: false, at: .unknown) },
                    type: TensorType([2, 3], .float32), values: [0, 0, 0, 4, 0, 0]),
        Expectation(name: "tril 1", inputs: [x23], build: { b, x in try b.triangle(x[0], diagonal: 1, upper: false, at: .unknown) },
                    type: TensorType([2, 3], .float32), values: [1, 2, 0, 4, 5, 6]),
        Expectation(name: "triu 1", inputs: [x23], build: { b, x in try b.triangle(x[0], diagonal: 1, upper: true, at: .unknown) },
                    type: TensorType([2, 3], .float32), values: [0, 2, 3, 0, 0, 6]),
        Expectation(name: "triu batch", inputs: [tensor([2, 2, 3], (0..<12).map(Double.init))],
                    build: { b, x in try b.triangle(x[0], diagonal: 0, upper: true, at: .unknown) },
                    type: TensorType([2, 2, 3], .float32), values: [0, 1, 2, 0, 4, 5, 6, 7, 8, 0, 10, 11]),
        Expectation(name: "tril int64", inputs: [tensor([2, 2], [1, 2, 3, 4], .int64)],
                    build: { b, x in try b.triangle(x[0], diagonal: 0, upper: false, at: .unknown) },
                    type: TensorType([2, 2], .int64), values: [1, 0, 3, 4]),
        Expectation(name: "eye 2 3", inputs: [], build: { b, _ in try b.eye(2, 3, .float32, at: .unknown) },
                    type: TensorType([2, 3], .float32), values: [1, 0, 0, 0, 1, 0]),
        Expectation(name: "eye int64", inputs: [], build: { b, _ in try b.eye(2, 2, .int64, at: .unknown) },
                    type: TensorType([2, 2], .int64), values: [1, 0, 0, 1]),
    ]

    @Test(arguments: expectations)
    func eagerGivesPyTorchsValues(_ expectation: Expectation) throws {
        try BuilderCompositeTests().eagerGivesPyTorchsValues(expectation)
    }

    @Test(arguments: expectations)
    func compiledGivesTheSameValues(_ expectation: Expectation) throws {
        try BuilderCompositeTests().compiledGivesTheSameValues(expectation)
    }

    /// randint's draws stay in [low, high) and cover it.
    @Test func randomIntegersStayInRange() throws {
        let b = EagerBuilder(context: RunContext())
        let result = try b.randomIntegers(-3, 4, [1000], at: .unknown)
        #expect(b.type(of: result) == TensorType([1000], .int64))
        let values = b.tensor(result).elements
        #expect(values.allSatisfy { $0 >= -3 && $0 < 4 && $0 == $0.rounded() })
        #expect(Set(values) == Set((-3..<4).map(Double.init)))
    }

    /// Checked against finite differences with the other composites (BuilderCompositeTests).
    static let gradientCases: [GradientCheckTests.Case] = [
        .init(name: "repeat", inputs: [GradientCheckTests.values([2, 3], seed: 31)]) { b, x in try b.repeated(x[0], [2, 1, 3], at: .unknown) },
        .init(name: "tril", inputs: [GradientCheckTests.values([3, 4], seed: 32)]) { b, x in
            try b.triangle(x[0], diagonal: 0, upper: false, at: .unknown)
        },
        .init(name: "triu batch diagonal 1", inputs: [GradientCheckTests.values([2, 3, 3], seed: 33)]) { b, x in
            try b.triangle(x[0], diagonal: 1, upper: true, at: .unknown)
        },
        .init(name: "cat dim 0", inputs: [GradientCheckTests.values([2, 3], seed: 34), GradientCheckTests.values([1, 3], seed: 35)]) { b, x in
            try b.concatenate(x, axis: 0, at: .unknown)
        },
        .init(name: "cat three dim 1", inputs: [GradientCheckTests.values([2, 1], seed: 36), GradientCheckTests.values([2, 3], seed: 37),
                                                GradientCheckTests.values([2, 2], seed: 38)]) { b, x in
            try b.concatenate(x, axis: 1, at: .unknown)
        },
        .init(name: "stack dim 1", inputs: [GradientCheckTests.values([2, 3], seed: 39), GradientCheckTests.values([2, 3], seed: 40)]) { b, x in
            try b.concatenate(try x.map { try b.reshape($0, to: [2, 1, 3], at: .unknown) }, axis: 1, at: .unknown)
        },
    ]

}
