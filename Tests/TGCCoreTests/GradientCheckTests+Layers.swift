import Testing
import TGCBase
@testable import TGCCore

/// Gradient checks of the layers' composites (Builder+Convolution.swift, Builder+Layers.swift):
/// conv2d with stride, padding, dilation, groups and bias; max pooling over overlapping, padded
/// windows (distinct values: no ties); average pooling with padding; adaptive average pooling
/// to even, uneven and overlapping bins; batch norm with the batch's statistics (training) and
/// with fixed ones (eval); layer norm with and without its affine parameters. Ties in max pooling have no finite difference: their
/// gradient (to the first maximal element of each window, row-major) is checked against
/// PyTorch's numbers.
extension GradientCheckTests {
    static func window(_ kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)) -> Window2D {
        Window2D(kernel: kernel, stride: stride, padding: padding, dilation: dilation)
    }

    static let layerCases: [Case] = [
        Case(name: "conv2d stride 2, padding 1, bias", inputs: [values([2, 3, 5, 5], seed: 50), values([4, 3, 3, 3], seed: 51, low: -0.5, high: 0.5),
                                                            values([4], seed: 52)]) { b, x in
            try b.conv2d(x[0], weight: x[1], bias: x[2], window((3, 3), stride: (2, 2), padding: (1, 1)), groups: 1, at: .unknown)
        },
        Case(name: "conv2d dilation 2, padding (1, 2), groups 2", inputs: [values([1, 4, 6, 5], seed: 53), values([4, 2, 2, 3], seed: 54, low: -0.5, high: 0.5)]) { b, x in
            try b.conv2d(x[0], weight: x[1], bias: nil, window((2, 3), padding: (1, 2), dilation: (2, 2)), groups: 2, at: .unknown)
        },
        Case(name: "conv2d depthwise, stride (2, 1), bias", inputs: [values([1, 3, 4, 4], seed: 55), values([6, 1, 3, 3], seed: 56, low: -0.5, high: 0.5),
                                                                 values([6], seed: 57)]) { b, x in
            try b.conv2d(x[0], weight: x[1], bias: x[2], window((3, 3), stride: (2, 1), padding: (1, 1)), groups: 3, at: .unknown)
        },
        Case(name: "maxPool2d 3, stride 1, padding 1", inputs: [values([1, 2, 4, 5], seed: 58)]) { b, x in
            try b.pool2d(x[0], window((3, 3), padding: (1, 1)), maximum: true, at: .unknown)
        },
        Case(name: "maxPool2d (2, 3), dilation (2, 1)", inputs: [values([2, 1, 5, 6], seed: 59)]) { b, x in
            try b.pool2d(x[0], window((2, 3), stride: (1, 2), dilation: (2, 1)), maximum: true, at: .unknown)
        },
        Case(name: "avgPool2d 3, stride 2, padding 1", inputs: [values([2, 2, 5, 5], seed: 60)]) { b, x in
            try b.pool2d(x[0], window((3, 3), stride: (2, 2), padding: (1, 1)), maximum: false, at: .unknown)
        },
        Case(name: "adaptiveAvgPool2d (1, 1)", inputs: [values([2, 3, 3, 4], seed: 61)]) { b, x in
            try b.adaptiveAvgPool2d(x[0], outputSize: (1, 1), at: .unknown)
        },
        Case(name: "adaptiveAvgPool2d (3, 2) of 5×7 (overlapping bins)", inputs: [values([1, 2, 5, 7], seed: 62)]) { b, x in
            try b.adaptiveAvgPool2d(x[0], outputSize: (3, 2), at: .unknown)
        },
        Case(name: "batchNorm training [N, C, H, W]", inputs: [values([3, 2, 2, 2], seed: 63), values([2], seed: 64), values([2], seed: 65)]) { b, x in
            let (mean, variance) = try b.batchStatistics(x[0], at: .unknown)
            return try b.batchNormalize(x[0], mean: mean, variance: variance, ofTheBatch: true, weight: x[1], bias: x[2], eps: 1e-5, at: .unknown)
        },
        Case(name: "batchNorm training [N, C], no affine", inputs: [values([4, 3], seed: 66)]) { b, x in
            let (mean, variance) = try b.batchStatistics(x[0], at: .unknown)
            return try b.batchNormalize(x[0], mean: mean, variance: variance, ofTheBatch: true, weight: nil, bias: nil, eps: 1e-5, at: .unknown)
        },
        Case(name: "batchNorm eval [N, C, L]", inputs: [values([2, 3, 4], seed: 67), values([3], seed: 68), values([3], seed: 69, low: 0.5, high: 2),
                                                     values([3], seed: 70), values([3], seed: 71)]) { b, x in
            try b.batchNormalize(x[0], mean: x[1], variance: x[2], ofTheBatch: false, weight: x[3], bias: x[4], eps: 1e-5, at: .unknown)
        },
        Case(name: "layerNorm [2, 3] affine", inputs: [values([2, 2, 3], seed: 72), values([2, 3], seed: 73), values([2, 3], seed: 74)]) { b, x in
            try b.layerNorm(x[0], normalizedDims: 2, eps: 1e-5, affine: (x[1], x[2]), at: .unknown)
        },
        Case(name: "layerNorm [4]", inputs: [values([3, 4], seed: 75)]) { b, x in
            try b.layerNorm(x[0], normalizedDims: 1, eps: 1e-5, affine: nil, at: .unknown)
        },
    ]

    /// Max pooling of a 4×4 input full of ties: each window's gradient goes to its first
    /// maximal element, row-major, as PyTorch's recorded indices (numbers from PyTorch 2.13).
    @Test(arguments: [
        (window((3, 3), padding: (1, 1)), [1.0, 0, 0, 15, 0, 0, 14, 0, 57, 33, 16, 0, 0, 0, 0, 0]),
        (window((2, 2), stride: (2, 2)), [1.0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]),
    ])
    func maxPoolingTiesGoToTheFirstMaximum(_ window: Window2D, _ expected: [Double]) throws {
        let ties = Tensor(type: TensorType([1, 1, 4, 4], .float32), elements: [1, 1, 0, 2, 1, 0, 2, 2, 3, 3, 1, 1, 3, 0, 1, 1])
        let testCase = Case(name: "maxPool2d ties", inputs: [ties]) { b, x in
            let pooled = try b.pool2d(x[0], window, maximum: true, at: .unknown)
            let count = b.type(of: pooled).shape.reduce(1, *)
            // Σ pooled ⊙ (1, 2, 3, ...): each window's gradient is its position.
            let positions = try Self.floats(b, (1...count).map(Double.init), b.type(of: pooled).shape)
            return try b.reduceSum(try b.apply1(.mul, [pooled, positions], at: .unknown), axes: [0, 1, 2, 3], keepDim: false, at: .unknown)
        }
        // `loss` scales the scalar by one fixed weight.
        let scale = Self.values([], seed: 11, low: 0.5, high: 1.5).elements[0]
        for gradients in [try Self.eagerGradients(testCase), try Self.passGradients(testCase)] {
            #expect(zip(gradients[0], expected).allSatisfy { abs($0 - $1 * scale) <= 1e-5 * abs($1 * scale) }, "\(gradients[0])")
        }
    }
}
