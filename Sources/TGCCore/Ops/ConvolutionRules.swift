/// The type rules of the convolution ops (`conv2d` and its two gradients, max pooling's
/// indices) and the window geometry they carry in `Attributes.window`.
extension Window2D {
    /// The window and groups of a convolution op's attributes (`[kh, kw, sh, sw, ph, pw, dh, dw, groups]`).
    public init(attributes: Attributes) throws {
        guard let w = attributes.window, w.count == 9, w[0...1].allSatisfy({ $0 > 0 }), w[2...3].allSatisfy({ $0 > 0 }),
              w[4...5].allSatisfy({ $0 >= 0 }), w[6...7].allSatisfy({ $0 > 0 }), w[8] > 0 else {
            throw OpTypeError("a convolution needs window = [kh, kw, sh, sw, ph, pw, dh, dw, groups] with positive sizes, strides, dilations and groups")
        }
        self.init(kernel: (w[0], w[1]), stride: (w[2], w[3]), padding: (w[4], w[5]), dilation: (w[6], w[7]))
    }

    /// The attributes of a convolution op over this window.
    public func attributes(groups: Int) -> Attributes {
        var attrs = Attributes()
        attrs.window = [kernel.0, kernel.1, stride.0, stride.1, padding.0, padding.1, dilation.0, dilation.1, groups]
        return attrs
    }
}

enum ConvolutionRules {
    /// x [N, C, H, W] and weight [O, C/groups, kh, kw] of one float dtype, the weight's
    /// kernel the window's: the output [N, O, Ho, Wo].
    static func forward(_ x: TensorType, _ weight: TensorType, _ attrs: Attributes) throws -> TensorType {
        let window = try Window2D(attributes: attrs)
        let groups = attrs.window![8]
        try checkOperands(x, weight, "input")
        let expected = [weight.shape[0], x.shape[1] / groups, window.kernel.0, window.kernel.1]
        guard x.shape[1] % groups == 0, weight.shape[0] % groups == 0, weight.shape == expected else {
            throw OpTypeError("conv2d: weight \(formatShape(weight.shape)) does not fit input \(formatShape(x.shape)) with groups=\(groups) (out channels divisible by groups, [out, in/groups, \(window.kernel.0), \(window.kernel.1)])")
        }
        guard let outH = window.outputSize(x.shape[2], axis: 0), let outW = window.outputSize(x.shape[3], axis: 1) else {
            throw OpTypeError("conv2d: the window does not fit an input of \(x.shape[2])×\(x.shape[3])")
        }
        return TensorType([x.shape[0], weight.shape[0], outH, outW], x.dtype)
    }

    /// conv2d's gradient for its input: gy [N, O, Ho, Wo] and the weight; the result has the
    /// input's shape (attrs.shape), whose forward output must be gy's shape.
    static func inputGradient(_ gy: TensorType, _ weight: TensorType, _ attrs: Attributes) throws -> TensorType {
        guard let shape = attrs.shape, shape.count == 4 else { throw OpTypeError("conv2d_input_grad needs the input's 4-D shape") }
        let x = TensorType(shape, gy.dtype)
        guard try forward(x, weight, attrs) == gy else {
            throw OpTypeError("conv2d_input_grad: gradient \(formatShape(gy.shape)) is not conv2d's output for input \(formatShape(shape))")
        }
        return x
    }

    /// conv2d's gradient for its weight: x and gy [N, O, Ho, Wo]; [O, C/groups, kh, kw].
    static func weightGradient(_ x: TensorType, _ gy: TensorType, _ attrs: Attributes) throws -> TensorType {
        let window = try Window2D(attributes: attrs)
        try checkOperands(x, gy, "gradient")
        let groups = attrs.window![8]
        let weight = TensorType([gy.shape[1], x.shape[1] / groups, window.kernel.0, window.kernel.1], x.dtype)
        guard try forward(x, weight, attrs) == gy else {
            throw OpTypeError("conv2d_weight_grad: gradient \(formatShape(gy.shape)) is not conv2d's output for input \(formatShape(x.shape))")
        }
        return weight
    }

    /// The argmax of each max-pooling window of x [N, C, H, W]: int64 [N, C, Ho, Wo].
    static func poolIndices(_ x: TensorType, _ attrs: Attributes) throws -> TensorType {
        let window = try Window2D(attributes: attrs)
        guard x.rank == 4, x.dtype.isFloatingPoint else {
            throw OpTypeError("max_pool2d's indices need a 4-D floating-point input, got \(formatShape(x.shape)) \(x.dtype)")
        }
        guard attrs.window![8] == 1, let outH = window.outputSize(x.shape[2], axis: 0), let outW = window.outputSize(x.shape[3], axis: 1) else {
            throw OpTypeError("max_pool2d: the window does not fit an input of \(x.shape[2])×\(x.shape[3]) (or groups is not 1)")
        }
        return TensorType([x.shape[0], x.shape[1], outH, outW], .int64)
    }

    private static func checkOperands(_ a: TensorType, _ b: TensorType, _ name: String) throws {
        guard a.rank == 4, b.rank == 4 else {
            throw OpTypeError("conv2d expects a 4-D input and \(name) [N, C, H, W], got \(formatShape(a.shape)) and \(formatShape(b.shape))")
        }
        guard a.dtype.isFloatingPoint, a.dtype == b.dtype else {
            throw OpTypeError("conv2d expects floating-point operands of one dtype, got \(a.dtype) and \(b.dtype)")
        }
    }
}

/// The geometry one convolution op hands the runtime (`tgc_conv2d_shape`, fields in its order):
/// the input [n, c, h, w], o output channels, the window, groups and the output oh × ow.
public struct ConvolutionShape: Sendable {
    /// n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, groups, oh, ow.
    public let fields: [Int]

    /// The geometry from the input's and output's types (the forward's x and y, whichever of
    /// operands and result they are).
    public init(input x: TensorType, output y: TensorType, attrs: Attributes) {
        let w = attrs.window!
        fields = [x.shape[0], x.shape[1], x.shape[2], x.shape[3], y.shape[1]] + w + [y.shape[2], y.shape[3]]
    }

    /// The geometry of a convolution op of `kind` with these operand and result types.
    public init(_ kind: OpKind, operands: [TensorType], result: TensorType, attrs: Attributes) {
        switch kind {
        case .conv2d, .maxPool2dIndices, .maxPool2d: self.init(input: operands[0], output: result, attrs: attrs)
        case .conv2dInputGrad: self.init(input: result, output: operands[0], attrs: attrs)
        default: self.init(input: operands[0], output: operands[1], attrs: attrs)
        }
    }
}
