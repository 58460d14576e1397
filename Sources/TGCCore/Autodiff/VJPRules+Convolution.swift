import TGCBase

/// The derivatives of the convolution ops. conv2d is bilinear in (x, weight), and its two
/// gradients are its adjoints, so every derivative is one of the three ops again: second
/// derivatives cost what first ones do. Max pooling's gradient goes to each window's argmax
/// (`maxPool2dIndices`, computed for the backward), added up where windows share it.
extension VJPRules {
    static func maxPoolRule() -> VJPRule {
        { b, operands, results, attrs, cotangents, wants, at in
            guard wants[0], let g = cotangents[0] else { return [nil] }
            let x = b.type(of: operands[0])
            let (n, c, out) = (x.shape[0], x.shape[1], b.type(of: results[0]).shape)
            var window = Attributes()
            window.window = attrs.window
            let indices = try b.reshape(try b.apply1(.maxPool2dIndices, [operands[0]], window, at: at), to: [n, c, out[2] * out[3]], at: at)
            var along = Attributes()
            along.axes = [2]
            let plane = try b.apply1(.scatterAdd, [try b.full([n, c, x.shape[2] * x.shape[3]], 0, x.dtype, at: at), indices,
                                                    try b.reshape(g, to: [n, c, out[2] * out[3]], at: at)], along, at: at)
            return [try b.reshape(plane, to: x.shape, at: at)]
        }
    }

    static func convolutionRule(_ kind: OpKind) -> VJPRule {
        { b, operands, results, attrs, cotangents, wants, at in
            guard let g = cotangents[0] else { return [nil, nil] }
            var window = Attributes()
            window.window = attrs.window
            func forward(_ x: ValueID, _ weight: ValueID) throws -> ValueID { try b.apply1(.conv2d, [x, weight], window, at: at) }
            func inputGradient(_ gy: ValueID, _ weight: ValueID, like x: ValueID) throws -> ValueID {
                var attrs = window
                attrs.shape = b.type(of: x).shape
                return try b.apply1(.conv2dInputGrad, [gy, weight], attrs, at: at)
            }
            func weightGradient(_ x: ValueID, _ gy: ValueID) throws -> ValueID { try b.apply1(.conv2dWeightGrad, [x, gy], window, at: at) }
            let (a, c) = (operands[0], operands[1])
            switch kind {
            case .conv2d:   // (x, weight) -> y
                return [wants[0] ? try inputGradient(g, c, like: a) : nil, wants[1] ? try weightGradient(a, g) : nil]
            case .conv2dInputGrad:   // (gy, weight) -> gx
                return [wants[0] ? try forward(g, c) : nil, wants[1] ? try weightGradient(g, a) : nil]
            default:   // conv2dWeightGrad: (x, gy) -> gw
                return [wants[0] ? try inputGradient(c, g, like: a) : nil, wants[1] ? try forward(a, g) : nil]
            }
        }
    }
}
