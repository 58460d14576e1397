import TGCCore

/// The convolution ops run by the interpreter and by generated C: conv2d with padding, stride,
/// dilation and groups, a 1x1 kernel, each gradient op, float64, an operand that is a slice of
/// another tensor (materialized before the runtime call) and a result read by a fused kernel;
/// max pooling's indices.
extension AgreementPrograms {
    static func convolution() throws -> Module {
        let p = ProgramBuilder()
        let windows: [(String, Window2D, Int, [Int], [Int])] = [
            ("padded", Window2D(kernel: (3, 3), stride: (1, 1), padding: (1, 1), dilation: (1, 1)), 1, [3, 2, 6, 5], [4, 2, 3, 3]),
            ("strided_dilated", Window2D(kernel: (2, 3), stride: (2, 3), padding: (2, 1), dilation: (2, 2)), 1, [2, 3, 7, 8], [2, 3, 2, 3]),
            ("groups", Window2D(kernel: (3, 2), stride: (1, 2), padding: (1, 0), dilation: (1, 1)), 3, [2, 6, 4, 5], [6, 2, 3, 2]),
            ("pointwise", Window2D(kernel: (1, 1), stride: (1, 1), padding: (0, 0), dilation: (1, 1)), 2, [2, 4, 3, 3], [6, 2, 1, 1]),
        ]
        for (index, (name, window, groups, input, weight)) in windows.enumerated() {
            let attrs = window.attributes(groups: groups)
            for dtype in [DType.float32, .float64] {
                let x = try p.constant(TestData.floats(input.reduce(1, *), seed: 60 + index), input, dtype)
                let w = try p.constant(TestData.floats(weight.reduce(1, *), seed: 70 + index), weight, dtype)
                let y = try p.op(.conv2d, [x, w], attrs)
                let suffix = dtype == .float64 ? "_f64" : ""
                try p.save(y, "conv2d_\(name)\(suffix)")
                let gy = try p.constant(TestData.floats(p.type(y).shape.reduce(1, *), seed: 80 + index), p.type(y).shape, dtype)
                var inputGradient = attrs
                inputGradient.shape = input
                try p.save(try p.op(.conv2dInputGrad, [gy, w], inputGradient), "conv2d_input_grad_\(name)\(suffix)")
                try p.save(try p.op(.conv2dWeightGrad, [x, gy], attrs), "conv2d_weight_grad_\(name)\(suffix)")
            }
        }
        // A sliced input, and a result read by an elementwise kernel (relu of conv + 1).
        let wide = try p.constant(TestData.floats(2 * 3 * 6 * 6, seed: 90), [2, 3, 6, 6])
        let sliced = try p.op(.slice, [wide]) { $0.slice = [.all(2), .all(3), SliceDim(start: 1, step: 2, size: 3), .all(6)] }
        let w = try p.constant(TestData.floats(2 * 3 * 2 * 2, seed: 91), [2, 3, 2, 2])
        let y = try p.op(.conv2d, [sliced, w], Window2D(kernel: (2, 2), stride: (1, 1), padding: (1, 1), dilation: (1, 1)).attributes(groups: 1))
        try p.save(try p.op(.relu, [try p.op(.add, [y, try p.splat(1, [])])]), "conv2d_sliced_relu")
        // Max pooling's indices: overlapping, padded, strided and dilated windows over ties,
        // NaN and -inf (the first maximum, the last NaN, a -inf window's first tap), and float64.
        let special: [Double] = [1, 2, 2, .nan, -.infinity, -.infinity, 0.5, 2, .nan, 1, -.infinity, -.infinity, 3, 3, -1, 0]
        let planes = try p.constant((0..<6).flatMap { i in special.map { $0 + Double(i % 2) } }, [2, 3, 4, 4])
        let pools: [(String, Window2D)] = [
            ("3x3_padded", Window2D(kernel: (3, 3), stride: (1, 1), padding: (1, 1), dilation: (1, 1))),
            ("2x2_stride2", Window2D(kernel: (2, 2), stride: (2, 2), padding: (0, 0), dilation: (1, 1))),
            ("dilated", Window2D(kernel: (2, 3), stride: (1, 2), padding: (1, 1), dilation: (2, 1))),
        ]
        for (name, window) in pools {
            try p.save(try p.op(.maxPool2dIndices, [planes], window.attributes(groups: 1)), "max_pool_indices_\(name)")
            try p.save(try p.op(.maxPool2d, [planes], window.attributes(groups: 1)), "max_pool_\(name)")
        }
        let doubles = try p.constant(TestData.floats(2 * 2 * 5 * 6, seed: 92), [2, 2, 5, 6], .float64)
        try p.save(try p.op(.maxPool2dIndices, [doubles], pools[2].1.attributes(groups: 1)), "max_pool_indices_f64")
        try p.save(try p.op(.maxPool2d, [doubles], pools[2].1.attributes(groups: 1)), "max_pool_f64")
        return p.module
    }
}
