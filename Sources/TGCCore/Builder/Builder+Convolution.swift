import TGCBase

/// 2-D convolution (`torch.nn.functional.conv2d`: the `conv2d` op kind) and pooling
/// (`max_pool2d`: a gather at the `maxPool2dIndices` op's argmaxes; `avg_pool2d`: the input
/// padded by a slice update, its windows gathered along the flattened spatial axis, one index
/// per output position and kernel tap, then summed). Pooling's gradients come from the ops' own
/// rules (a gather's is a scatter-add, so overlapping windows add up).
/// The geometry of a 2-D window sweep (convolution, pooling).
public struct Window2D: Sendable {
    public var kernel: (Int, Int)
    public var stride: (Int, Int)
    public var padding: (Int, Int)
    public var dilation: (Int, Int)

    public init(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)) {
        (self.kernel, self.stride, self.padding, self.dilation) = (kernel, stride, padding, dilation)
    }

    /// The output size along one axis of `size` input elements, or nil when the window
    /// does not fit (PyTorch's floor((size + 2p − d(k − 1) − 1) / s) + 1).
    public func outputSize(_ size: Int, axis: Int) -> Int? {
        let (k, s, p, d) = axis == 0 ? (kernel.0, stride.0, padding.0, dilation.0) : (kernel.1, stride.1, padding.1, dilation.1)
        let span = size + 2 * p - d * (k - 1) - 1
        return span < 0 ? nil : span / s + 1
    }
}


extension Builder {
    /// x [N, C, H, W] padded with `value` and cut into its windows: [N, C, Ho·Wo, kh·kw].
    func windows(_ x: ValueID, _ window: Window2D, fill value: Double, at location: SourceLocation) throws -> (ValueID, Int, Int) {
        let shape = type(of: x).shape
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        guard let outH = window.outputSize(h, axis: 0), let outW = window.outputSize(w, axis: 1), outH > 0, outW > 0 else {
            throw Diagnostic("the window (kernel \(window.kernel), padding \(window.padding), dilation \(window.dilation)) does not fit an input of \(h)×\(w)", at: location)
        }
        var padded = x
        let (hp, wp) = (h + 2 * window.padding.0, w + 2 * window.padding.1)
        if window.padding != (0, 0) {
            var attrs = Attributes()
            attrs.slice = [.all(n), .all(c), SliceDim(start: window.padding.0, step: 1, size: h), SliceDim(start: window.padding.1, step: 1, size: w)]
            padded = try apply1(.sliceUpdate, [try full([n, c, hp, wp], value, type(of: x).dtype, at: location), x], attrs, at: location)
        }
        var indices: [Double] = []
        indices.reserveCapacity(outH * outW * window.kernel.0 * window.kernel.1)
        for row in 0..<outH {
            for column in 0..<outW {
                for i in 0..<window.kernel.0 {
                    for j in 0..<window.kernel.1 {
                        let (y, x) = (row * window.stride.0 + i * window.dilation.0, column * window.stride.1 + j * window.dilation.1)
                        indices.append(Double(y * wp + x))
                    }
                }
            }
        }
        var attrs = Attributes()
        attrs.data = indices
        attrs.shape = [indices.count]
        attrs.dtype = .int64
        let table = try apply1(.constant, [], attrs, at: location)
        let gathered = try indexSelect(try reshape(padded, to: [n, c, hp * wp], at: location), axis: 2, table, at: location)
        return (try reshape(gathered, to: [n, c, outH * outW, window.kernel.0 * window.kernel.1], at: location), outH, outW)
    }

    /// `F.conv2d(x, weight, bias, stride, padding, dilation, groups)`: x [N, C, H, W], weight
    /// [O, C/groups, kh, kw], bias [O]; the result [N, O, Ho, Wo]. One `conv2d` op (the
    /// runtime's im2col + sgemm in both modes), the bias a broadcast add after it.
    public func conv2d(_ x: ValueID, weight: ValueID, bias: ValueID?, _ window: Window2D, groups: Int,
                       at location: SourceLocation) throws -> ValueID {
        var result = try apply1(.conv2d, [x, weight], window.attributes(groups: groups), at: location)
        if let bias {
            let channels = type(of: weight).shape[0]
            result = try apply1(.add, [result, try reshape(bias, to: [1, channels, 1, 1], at: location)], at: location)
        }
        return result
    }

    /// `F.max_pool2d` and `F.avg_pool2d` (padding counts as zeros, PyTorch's count_include_pad):
    /// the result [N, C, Ho, Wo]. The maximum is a gather of x's plane at each window's argmax
    /// (the `maxPool2dIndices` op: PyTorch's recorded index, the padding left out, the first of
    /// equal maxima), so its gradient is a scatter-add there, as PyTorch's; the mean is a sum
    /// over the windows of the padded input.
    public func pool2d(_ x: ValueID, _ window: Window2D, maximum: Bool, at location: SourceLocation) throws -> ValueID {
        let shape = type(of: x).shape
        let (n, c) = (shape[0], shape[1])
        if maximum {
            let indices = try apply1(.maxPool2dIndices, [x], window.attributes(groups: 1), at: location)
            let out = type(of: indices).shape
            let plane = try reshape(x, to: [n, c, shape[2] * shape[3]], at: location)
            let pooled = try applyAlong(.gather, [plane, try reshape(indices, to: [n, c, out[2] * out[3]], at: location)], axis: 2, at: location)
            return try reshape(pooled, to: out, at: location)
        }
        let (patches, outH, outW) = try windows(x, window, fill: 0, at: location)
        var keep = Attributes()
        keep.axes = [3]
        keep.keepDim = true
        let sum = try apply1(.reduceSum, [patches], keep, at: location)
        let pooled = try apply1(.div, [sum, try scalar(Double(window.kernel.0 * window.kernel.1), .float32, at: location)], at: location)
        return try reshape(pooled, to: [n, c, outH, outW], at: location)
    }
}
