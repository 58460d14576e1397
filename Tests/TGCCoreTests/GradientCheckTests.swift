import Testing
import TGCBase
@testable import TGCCore
import TGCTestSupport

/// Gradient checks: for every differentiable op, the VJP rules (through eager mode's tape and
/// through the IR autodiff pass) agree with central finite differences.
///
/// Tolerance: the kernels compute in float32, so a central difference with step h = 1e-2 has
/// truncation error O(h²·f''') ≈ 1e-4 and rounding error ≈ 6e-8·|L|/h ≈ 1e-5 for |L| ≈ 10;
/// we accept |analytic - numeric| ≤ 2e-3 + 2e-3·|numeric|. Inputs stay away from kinks
/// (abs, relu, max at ties) and from the edges of log/sqrt/div domains.
@Suite struct GradientCheckTests {
    /// One case: input tensors and how to build the op from them.
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var inputs: [Tensor]
        var build: @Sendable (Builder, [ValueID]) throws -> ValueID
        var description: String { name }
    }

    static func values(_ shape: [Int], seed: Int, low: Double = -2, high: Double = 2) -> Tensor {
        let count = shape.reduce(1, *)
        // A fixed, well-spread sequence: distinct values (no ties for max/min), away from 0.
        let elements = (0..<count).map { i -> Double in
            let t = Double((i * 7919 + seed * 104_729) % 1000) / 1000
            var v = low + (high - low) * t
            if abs(v) < 0.15 { v += v < 0 ? -0.3 : 0.3 }
            return Double(Float(v))
        }
        return Tensor(type: TensorType(shape, .float32), elements: elements)
    }

    static func unary(_ kind: OpKind, low: Double = -2, high: Double = 2) -> [Case] {
        [[5], [2, 3], []].map { shape in
            Case(name: "\(kind)\(shape)", inputs: [values(shape, seed: 1, low: low, high: high)]) { b, x in
                try b.apply1(kind, x, at: .unknown)
            }
        }
    }

    static func binary(_ kind: OpKind, positiveLeft: Bool = false, awayFromZeroRight: Bool = false) -> [Case] {
        let shapes: [([Int], [Int])] = [([3, 4], [3, 4]), ([3, 1], [1, 4]), ([2, 3, 4], [4]), ([], [3])]
        return shapes.map { a, c in
            let left = values(a, seed: 2, low: positiveLeft ? 0.5 : -2, high: 2)
            let right = values(c, seed: 3, low: awayFromZeroRight ? 0.5 : -2, high: 2)
            return Case(name: "\(kind)\(a)x\(c)", inputs: [left, right]) { b, x in try b.apply1(kind, x, at: .unknown) }
        }
    }

    static func attributed(_ name: String, _ kind: OpKind, _ shape: [Int], _ configure: (inout Attributes) -> Void) -> Case {
        var attrs = Attributes()
        configure(&attrs)
        let frozen = attrs
        return Case(name: name, inputs: [values(shape, seed: 4)]) { b, x in try b.apply1(kind, x, frozen, at: .unknown) }
    }

    static let cases: [Case] = {
        var cases: [Case] = []
        for kind in [OpKind.neg, .exp, .sin, .cos, .tanh, .abs, .relu, .sigmoid] { cases += unary(kind) }
        cases += unary(.log, low: 0.5, high: 3) + unary(.sqrt, low: 0.5, high: 3)
        // Chapter 2 math. The rounding functions away from their jumps (values within ±0.3
        // of the middle of an interval, where the gradient is 0 as PyTorch defines it).
        for kind in [OpKind.floor, .ceil, .trunc, .frac] { cases += unary(kind, low: 0.2, high: 0.8) + unary(kind, low: -1.8, high: -1.2) }
        cases += unary(.round, low: 0.7, high: 1.3)
        for kind in [OpKind.expm1, .exp2, .square, .atan, .sinh, .cosh, .erf, .softplus, .silu, .gelu] { cases += unary(kind) }
        for kind in [OpKind.log1p, .log2, .log10, .rsqrt, .reciprocal] { cases += unary(kind, low: 0.5, high: 3) }
        cases += unary(.tan, low: -1, high: 1) + unary(.asin, low: -0.8, high: 0.8) + unary(.acos, low: -0.8, high: 0.8)
        cases.append(attributed("elu", .elu, [2, 5]) { $0.alpha = 0.7 })
        cases += binary(.atan2, positiveLeft: true)   // away from the origin, where atan2 is singular
        cases.append(attributed("leakyRelu", .leakyRelu, [2, 5]) { $0.alpha = 0.2 })
        cases.append(attributed("clamp", .clamp, [2, 5]) { $0.low = -0.95; $0.high = 1.05 })   // values 0.1 from the bounds
        cases.append(attributed("clampMin", .clamp, [2, 5]) { $0.low = 0.05 })
        for kind in [OpKind.add, .sub, .mul, .maximum, .minimum] { cases += binary(kind) }
        cases += binary(.div, awayFromZeroRight: true) + binary(.pow, positiveLeft: true)
        // x mod y away from its jumps (x / y stays between 2 and 3): d/dx = 1, d/dy = -2.
        cases.append(Case(name: "mod", inputs: [values([2, 3], seed: 12, low: 2.3, high: 2.7), values([3], seed: 13, low: 1.0, high: 1.1)]) { b, x in
            try b.apply1(.mod, x, at: .unknown)
        })
        cases.append(Case(name: "sign", inputs: [values([4], seed: 14)]) { b, x in
            try b.apply1(.mul, [try b.apply1(.sign, x, at: .unknown), x[0]], at: .unknown)
        })
        cases.append(attributed("reshape", .reshape, [2, 6]) { $0.shape = [3, 4] })
        cases.append(attributed("transpose2d", .transpose, [2, 3]) { $0.permutation = [1, 0] })
        cases.append(attributed("transpose3d", .transpose, [2, 3, 4]) { $0.permutation = [2, 0, 1] })
        cases.append(attributed("cyclicShift flip", .cyclicShift, [3, 4]) { $0.axes = [1]; $0.step = -1; $0.start = 3 })
        cases.append(attributed("cyclicShift roll", .cyclicShift, [3, 4]) { $0.axes = [0]; $0.step = 1; $0.start = 2 })
        cases.append(attributed("cyclicShift reflect", .cyclicShift, [2, 5]) { $0.axes = [1]; $0.step = -1; $0.start = 1 })
        cases.append(attributed("broadcastTo", .broadcastTo, [3, 1]) { $0.shape = [2, 3, 4] })
        cases.append(attributed("cast", .cast, [2, 3]) { $0.dtype = .float32 })
        // Indexing
        let region = [SliceDim(start: 1, step: 1, size: 2), SliceDim(start: 0, step: 2, size: 2), SliceDim(start: 3, step: 1, size: 1)]
        cases.append(attributed("slice", .slice, [3, 4, 5]) { $0.slice = region })
        cases.append(Case(name: "sliceUpdate", inputs: [values([3, 4, 5], seed: 15), values([2, 2, 1], seed: 16)]) { b, x in
            var attrs = Attributes()
            attrs.slice = region
            let updated = try b.apply1(.sliceUpdate, x, attrs, at: .unknown)
            return try b.apply1(.mul, [updated, updated], at: .unknown)   // both operands' cotangents vary
        })
        cases.append(Case(name: "indexSelect", inputs: [values([4, 3], seed: 17)]) { b, x in   // repeated rows add up
            var attrs = Attributes()
            (attrs.data, attrs.shape, attrs.dtype) = ([3, 0, 3, 1, 3, 2], [2, 3], .int64)
            let rows = try b.apply1(.indexSelect, [x[0], try b.apply1(.constant, [], attrs, at: .unknown)], at: .unknown)
            return try b.apply1(.mul, [rows, rows], at: .unknown)
        })
        cases.append(Case(name: "indexAdd", inputs: [values([4, 3], seed: 18), values([5, 3], seed: 19)]) { b, x in
            var attrs = Attributes()
            (attrs.data, attrs.shape, attrs.dtype) = ([2, 0, 2, 3, 2], [5], .int64)
            let summed = try b.apply1(.indexAdd, [x[0], try b.apply1(.constant, [], attrs, at: .unknown), x[1]], at: .unknown)
            return try b.apply1(.mul, [summed, summed], at: .unknown)
        })
        cases += selectionCases
        cases += lossCases
        cases += layerCases
        for (axes, keep) in [(nil, false), ([0], false), ([1], true), ([0, 2], false)] as [([Int]?, Bool)] {
            cases.append(attributed("reduceSum\(axes ?? [])\(keep)", .reduceSum, [2, 3, 4]) { $0.axes = axes; $0.keepDim = keep })
            cases.append(attributed("reduceMax\(axes ?? [])\(keep)", .reduceMax, [2, 3, 4]) { $0.axes = axes; $0.keepDim = keep })
            cases.append(attributed("reduceMin\(axes ?? [])\(keep)", .reduceMin, [2, 3, 4]) { $0.axes = axes; $0.keepDim = keep })
        }
        // Chapter 2 math. A product is linear in each element, so central differences are exact
        // even at zeros: one zero in a slice gets the product of the others, two give 0.
        for (axes, keep) in [(nil, false), ([0], false), ([1], true), ([2], false)] as [([Int]?, Bool)] {
            cases.append(attributed("reduceProd\(axes ?? [])\(keep)", .reduceProd, [2, 3, 4]) { $0.axes = axes; $0.keepDim = keep })
        }
        let zeros = Tensor(type: TensorType([3, 3], .float32), elements: [1.5, 0, -0.7, 0, 0, 1.2, 0.8, -1.1, 0.6])
        for axes in [[1], [0]] {   // rows with no, one and two zeros; columns with one zero and two
            cases.append(Case(name: "reduceProd zeros \(axes)", inputs: [zeros]) { b, x in
                var attrs = Attributes()
                attrs.axes = axes
                return try b.apply1(.reduceProd, x, attrs, at: .unknown)
            })
        }
        for (name, elements) in [("one zero", [1.5, 0, -0.7, 1.1]), ("two zeros", [1.5, 0, -0.7, 0])] {
            cases.append(Case(name: "reduceProd all, \(name)", inputs: [Tensor(type: TensorType([2, 2], .float32), elements: elements)]) { b, x in
                try b.apply1(.reduceProd, x, at: .unknown)
            })
        }
        for (axis, shape) in [(1, [3, 4]), (0, [3, 4]), (1, [2, 3, 4]), (0, [])] {
            cases.append(attributed("cumsum\(shape) axis \(axis)", .cumsum, shape) { $0.axes = [axis] })
        }
        // Vector norms (a composite): each p, over some dims, and p = 2 at a zero row (gradient 0).
        for (p, axes) in [(2.0, nil), (2.0, [1]), (1.0, [0, 2]), (.infinity, [2]), (-.infinity, nil), (3.0, [1]), (1.5, nil)] as [(Double, [Int]?)] {
            cases.append(Case(name: "vectorNorm p \(p) \(axes ?? [])", inputs: [values([2, 3, 4], seed: 20)]) { b, x in
                try b.vectorNorm(x[0], p: p, axes: axes, keepDim: false, at: .unknown)
            })
        }
        cases.append(Case(name: "vectorNorm zero row", inputs: [Tensor(type: TensorType([2, 3], .float32), elements: [0, 0, 0, 0.5, -1.2, 0.9])]) { b, x in
            try b.vectorNorm(x[0], p: 2, axes: [1], keepDim: true, at: .unknown)
        })
        for (m, k, n) in [(1, 1, 1), (3, 4, 2), (2, 5, 3)] {
            cases.append(Case(name: "matmul\(m)x\(k)x\(n)", inputs: [values([m, k], seed: 5), values([k, n], seed: 6)]) { b, x in
                try b.apply1(.matmul, x, at: .unknown)
            })
        }
        // Batched products: equal batches, batch dims broadcast from size 1 and from missing
        // dims on either side (gradients summed back), a matrix times a batch.
        for (a, c) in [([2, 3, 4], [2, 4, 2]), ([2, 1, 3, 4], [3, 4, 2]), ([3, 2], [2, 2, 4]), ([1, 3, 2], [2, 1, 2, 3])] {
            cases.append(Case(name: "matmul\(a)x\(c)", inputs: [values(a, seed: 10), values(c, seed: 11)]) { b, x in
                try b.apply1(.matmul, x, at: .unknown)
            })
        }
        cases.append(Case(name: "select", inputs: [values([3, 4], seed: 7), values([4], seed: 8)]) { b, x in
            let mask = try b.apply1(.greater, [x[0], try b.scalar(0, .float32, at: .unknown)], at: .unknown)
            return try b.apply1(.select, [mask, x[0], x[1]], at: .unknown)
        })
        cases.append(Case(name: "softmax-like chain", inputs: [values([2, 5], seed: 9)]) { b, x in
            let e = try b.apply1(.exp, x, at: .unknown)
            var attrs = Attributes()
            attrs.axes = [1]
            attrs.keepDim = true
            let s = try b.apply1(.reduceSum, [e], attrs, at: .unknown)
            return try b.apply1(.log, [try b.apply1(.div, [e, s], at: .unknown)], at: .unknown)
        })
        cases += convolutionOpCases   // GradientCheckTests+ConvolutionOps.swift
        return cases
    }()

    /// An int64 constant of `shape` (the index of a selecting op).
    static func indexConstant(_ b: Builder, _ data: [Double], _ shape: [Int]) throws -> ValueID {
        var attrs = Attributes()
        (attrs.data, attrs.shape, attrs.dtype) = (data, shape, .int64)
        return try b.apply1(.constant, [], attrs, at: .unknown)
    }

    /// gather (repeated indices add up), scatter (distinct positions: with a repeated one,
    /// PyTorch's rule, which tgc follows, also gives the overwritten src elements a gradient),
    /// scatterAdd (repeated positions), and the composites built on them.
    static let selectionCases: [Case] = [
        Case(name: "gather dim 1", inputs: [values([3, 4], seed: 20)]) { b, x in
            let index = try indexConstant(b, [0, 0, 3, 1, 1, 1, 2, 0, 2], [3, 3])
            let gathered = try b.applyAlong(.gather, [x[0], index], axis: 1, at: .unknown)
            return try b.apply1(.mul, [gathered, gathered], at: .unknown)
        },
        Case(name: "gather dim 0", inputs: [values([3, 2, 2], seed: 21)]) { b, x in
            let index = try indexConstant(b, [2, 0, 2, 2], [1, 2, 2])
            return try b.applyAlong(.gather, [x[0], index], axis: 0, at: .unknown)
        },
        Case(name: "scatter", inputs: [values([3, 4], seed: 22), values([3, 3], seed: 23)]) { b, x in
            let index = try indexConstant(b, [0, 2, 3, 3, 1, 0, 1, 0, 2], [3, 3])
            let scattered = try b.applyAlong(.scatter, [x[0], index, x[1]], axis: 1, at: .unknown)
            return try b.apply1(.mul, [scattered, scattered], at: .unknown)
        },
        Case(name: "scatterAdd", inputs: [values([2, 4], seed: 24), values([3, 4], seed: 25)]) { b, x in
            let index = try indexConstant(b, [1, 0, 1, 1, 1, 1, 0, 0], [2, 4])
            let summed = try b.applyAlong(.scatterAdd, [x[0], index, x[1]], axis: 0, at: .unknown)
            return try b.apply1(.mul, [summed, summed], at: .unknown)
        },
        Case(name: "indexSelect dim 1", inputs: [values([2, 4], seed: 26)]) { b, x in
            let selected = try b.indexSelect(x[0], axis: 1, try indexConstant(b, [3, 0, 3], [3]), at: .unknown)
            return try b.apply1(.mul, [selected, selected], at: .unknown)
        },
        Case(name: "sort and topk values", inputs: [values([3, 5], seed: 27)]) { b, x in
            let order = try b.applyAlong(.argsort, [x[0]], axis: 1, descending: true, at: .unknown)
            let sorted = try b.applyAlong(.gather, [x[0], order], axis: 1, at: .unknown)
            let top = try b.applyAlong(.gather, [x[0], try b.topIndices(x[0], k: 2, axis: 0, largest: false, at: .unknown)], axis: 0, at: .unknown)
            return try b.apply1(.add, [try b.apply1(.mul, [sorted, sorted], at: .unknown), try b.reduceSum(top, axes: [0], keepDim: false, at: .unknown)], at: .unknown)
        },
        Case(name: "maskedFill", inputs: [values([3, 4], seed: 28), values([], seed: 29)]) { b, x in
            let mask = try b.apply1(.greater, [x[0], try b.scalar(0.5, .float32, at: .unknown)], at: .unknown)
            let filled = try b.maskedFill(x[0], mask, x[1], at: .unknown)
            return try b.apply1(.mul, [filled, filled], at: .unknown)
        },
    ]

    /// L = sum(weights ⊙ op(inputs)), with fixed weights so every output element matters.
    static func loss(_ b: Builder, _ testCase: Case, _ inputs: [ValueID]) throws -> ValueID {
        let output = try testCase.build(b, inputs)
        let type = b.type(of: output)
        let weights = values(type.shape, seed: 11, low: 0.5, high: 1.5)
        var attrs = Attributes()
        attrs.data = weights.elements
        attrs.shape = type.shape
        attrs.dtype = .float32
        let w = try b.apply1(.constant, [], attrs, at: .unknown)
        return try b.reduceSum(try b.apply1(.mul, [output, w], at: .unknown), axes: Array(0..<type.rank), keepDim: false, at: .unknown)
    }

    static func evaluate(_ testCase: Case, _ inputs: [Tensor]) throws -> Double {
        let b = EagerBuilder(context: RunContext())
        return b.tensor(try loss(b, testCase, inputs.map(b.add))).elements[0]
    }

    static func numericGradients(_ testCase: Case) throws -> [[Double]] {
        let h = 1e-2
        return try testCase.inputs.indices.map { which in
            try testCase.inputs[which].elements.indices.map { i in
                var plus = testCase.inputs, minus = testCase.inputs
                plus[which].elements[i] += h
                minus[which].elements[i] -= h
                return (try evaluate(testCase, plus) - evaluate(testCase, minus)) / (2 * h)
            }
        }
    }

    static func expectClose(_ analytic: [[Double]], _ numeric: [[Double]], _ name: String) {
        for (a, n) in zip(analytic, numeric) {
            #expect(a.count == n.count)
            for (x, y) in zip(a, n) {
                #expect(abs(x - y) <= 2e-3 + 2e-3 * abs(y), "\(name): analytic \(x) vs numeric \(y)")
            }
        }
    }

    /// The cases are written by hand; this fails when an op kind with a derivative has none.
    @Test func everyDifferentiableKindIsChecked() throws {
        var checked = Set<OpKind>()
        for testCase in Self.cases {
            let b = GraphBuilder()
            let inputs = try testCase.inputs.enumerated().map { index, tensor in
                var attrs = Attributes()
                attrs.name = "x\(index)"
                attrs.shape = tensor.shape
                attrs.dtype = .float32
                return try b.apply1(.input, [], attrs, at: .unknown)
            }
            _ = try testCase.build(b, inputs)
            b.module.body.walk { checked.insert($0.kind) }
        }
        let differentiable = OpKind.allCases.filter { $0.definition.isDifferentiable }
        let unchecked = differentiable.filter { !checked.contains($0) }
        #expect(unchecked.isEmpty, "no gradient check covers: \(unchecked.map(\.name))")
    }

    @Test(arguments: cases)
    func eagerTapeMatchesFiniteDifferences(_ testCase: Case) throws {
        try Self.checkEagerTape(testCase)
    }

    @Test(arguments: cases)
    func autodiffPassMatchesFiniteDifferences(_ testCase: Case) throws {
        try Self.checkAutodiffPass(testCase)
    }

    /// The gradients of `loss` through eager mode's tape agree with finite differences.
    static func checkEagerTape(_ testCase: Case) throws {
        expectClose(try eagerGradients(testCase), try numericGradients(testCase), testCase.name)
    }

    /// The gradients of `loss` with respect to each input through eager mode's tape.
    static func eagerGradients(_ testCase: Case) throws -> [[Double]] {
        let b = EagerBuilder(context: RunContext())
        let inputs = testCase.inputs.map(b.add)
        let grads = try b.gradient(of: try loss(b, testCase, inputs), seed: nil, wrt: inputs, at: .unknown)
        return grads.map { b.tensor($0).elements }
    }

    /// The gradients of `loss` through the autodiff pass, run on the interpreter, agree with
    /// finite differences.
    static func checkAutodiffPass(_ testCase: Case) throws {
        expectClose(try passGradients(testCase), try numericGradients(testCase), testCase.name)
    }

    /// The gradients of `loss` with respect to each input through the autodiff pass, run on
    /// the interpreter.
    static func passGradients(_ testCase: Case) throws -> [[Double]] {
        let b = GraphBuilder()
        var inputs: [ValueID] = []
        for tensor in testCase.inputs {
            var attrs = Attributes()
            attrs.data = tensor.elements
            attrs.shape = tensor.shape
            attrs.dtype = .float32
            inputs.append(try b.apply1(.constant, [], attrs, at: .unknown))
        }
        let grads = try b.gradient(of: try loss(b, testCase, inputs), seed: nil, wrt: inputs, at: .unknown)
        for (index, grad) in grads.enumerated() {
            var attrs = Attributes()
            attrs.path = "grad\(index)"
            _ = try b.apply(.save, [grad], attrs, at: .unknown)
        }
        try PassPipeline.run(b.module)
        #expect(!IRPrinter.print(b.module).contains("gradient"), "the autodiff pass expands every gradient op")
        // Run the expanded IR on the interpreter and read the saved gradients back.
        let directory = try TestScratch.folder("core").path
        let context = RunContext()
        context.outputDirectory = directory
        try ModuleRunner.run(b.module, context: context)
        return try testCase.inputs.indices.map { index in
            try NPY.load(directory + "/grad\(index)", as: TensorType(testCase.inputs[index].shape, .float32)).elements
        }
    }
}
