import TGCBase
@testable import TGCCore

/// Gradient checks of the convolution ops: conv2d with padding, stride, dilation and groups
/// (through `Builder.conv2d`, bias included), and each of its two gradient ops as an op of its
/// own (their rules are conv2d's second derivatives, which SecondOrderGradientTests also checks);
/// max pooling, a gather at the `maxPool2dIndices` op's argmaxes, and the `maxPool2d` op.
extension GradientCheckTests {
    static let convolutionOpCases: [Case] = {
        var cases: [Case] = []
        let windows: [(String, Window2D, Int, [Int], [Int])] = [
            ("3x3 padded", Window2D(kernel: (3, 3), stride: (1, 1), padding: (1, 1), dilation: (1, 1)), 1, [2, 2, 4, 4], [3, 2, 3, 3]),
            ("strided dilated", Window2D(kernel: (2, 3), stride: (2, 1), padding: (1, 2), dilation: (2, 1)), 1, [1, 2, 5, 4], [2, 2, 2, 3]),
            ("groups 2", Window2D(kernel: (2, 2), stride: (1, 2), padding: (0, 1), dilation: (1, 1)), 2, [2, 4, 3, 4], [4, 2, 2, 2]),
            ("1x1", Window2D(kernel: (1, 1), stride: (1, 1), padding: (0, 0), dilation: (1, 1)), 1, [2, 3, 2, 3], [2, 3, 1, 1]),
        ]
        for (name, window, groups, input, weight) in windows {
            cases.append(Case(name: "conv2d \(name)", inputs: [values(input, seed: 40), values(weight, seed: 41), values([weight[0]], seed: 42)]) { b, x in
                try b.conv2d(x[0], weight: x[1], bias: x[2], window, groups: groups, at: .unknown)
            })
            let outputShape = [input[0], weight[0], window.outputSize(input[2], axis: 0)!, window.outputSize(input[3], axis: 1)!]
            cases.append(Case(name: "conv2d input gradient \(name)", inputs: [values(outputShape, seed: 43), values(weight, seed: 44)]) { b, x in
                var attrs = window.attributes(groups: groups)
                attrs.shape = input
                return try b.apply1(.conv2dInputGrad, x, attrs, at: .unknown)
            })
            cases.append(Case(name: "conv2d weight gradient \(name)", inputs: [values(input, seed: 45), values(outputShape, seed: 46)]) { b, x in
                try b.apply1(.conv2dWeightGrad, x, window.attributes(groups: groups), at: .unknown)
            })
        }
        // Max pooling through its indices op: overlapping padded windows, and dilated ones.
        let pools = [Window2D(kernel: (3, 3), stride: (1, 1), padding: (1, 1), dilation: (1, 1)),
                     Window2D(kernel: (2, 2), stride: (2, 1), padding: (1, 0), dilation: (2, 1))]
        for (index, window) in pools.enumerated() {
            cases.append(Case(name: "maxPool2d indices \(index)", inputs: [values([2, 2, 4, 5], seed: 47 + index)]) { b, x in
                try b.pool2d(x[0], window, maximum: true, at: .unknown)
            })
            // The values-only op canonicalize makes of it, whose derivative computes the argmaxes.
            cases.append(Case(name: "maxPool2d values \(index)", inputs: [values([2, 2, 4, 5], seed: 47 + index)]) { b, x in
                try b.apply1(.maxPool2d, [x[0]], window.attributes(groups: 1), at: .unknown)
            })
        }
        return cases
    }()
}
