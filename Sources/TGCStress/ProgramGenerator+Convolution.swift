import TGCCore

/// Convolution and pooling of a float operand viewed as one image [1, C, H, W]: `conv2d` with
/// weights sin(arange) (so in [-1, 1]) and random stride, padding, dilation, groups and bias;
/// `maxPool2d`, `avgPool2d` and `adaptiveAvgPool2d`; each with a window that fits.
extension UnitBuilder {
    func windowed(_ base: GenExpr) -> GenExpr? {
        let type = base.type
        guard type.dtype == .float32, type.elementCount >= 4 else { return nil }
        let count = type.elementCount
        let channels = rng.pick([1, 2, 3].filter { count % $0 == 0 && count / $0 >= 4 })
        let plane = count / channels
        guard let height = (2...plane / 2).filter({ plane % $0 == 0 }).randomElement(using: &rng) else { return nil }
        let width = plane / height
        let image = "$0.reshape([1, \(channels), \(height), \(width)])"
        let kernel = (Int.random(in: 1...min(3, height), using: &rng), Int.random(in: 1...min(3, width), using: &rng))
        let stride = (Int.random(in: 1...2, using: &rng), Int.random(in: 1...2, using: &rng))
        let padding = (Int.random(in: 0...kernel.0 / 2, using: &rng), Int.random(in: 0...kernel.1 / 2, using: &rng))
        let settings = "stride: (\(stride.0), \(stride.1)), padding: (\(padding.0), \(padding.1))"
        let name: String, template: String, outChannels: Int
        var window = Window2D(kernel: kernel, stride: stride, padding: padding, dilation: (1, 1))
        var range: @Sendable (ValueRange) -> ValueRange = { $0 }
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            let groups = channels > 1 && rng.chance(0.5) ? channels : 1
            outChannels = groups * Int.random(in: 1...2, using: &rng)
            window.dilation = (rng.chance(0.3) ? 2 : 1, rng.chance(0.3) ? 2 : 1)
            let taps = channels / groups * kernel.0 * kernel.1
            let weight = "arange(0, \(outChannels * taps)).float().reshape([\(outChannels), \(channels / groups), \(kernel.0), \(kernel.1)]).sin()"
            let bias = rng.chance(0.5) ? ", bias: full([\(outChannels)], 0.25)" : ""
            (name, template) = ("conv2d", "conv2d(\(image), \(weight)\(bias), \(settings), dilation: (\(window.dilation.0), \(window.dilation.1)), groups: \(groups))")
            range = { let bound = $0.magnitude * Double(taps) + 0.25; return ValueRange(-bound, bound) }
        case 1:
            outChannels = channels
            (name, template) = ("maxPool2d", "maxPool2d(\(image), (\(kernel.0), \(kernel.1)), \(settings))")
        case 2:
            outChannels = channels
            (name, template) = ("avgPool2d", "avgPool2d(\(image), kernelSize: (\(kernel.0), \(kernel.1)), \(settings))")
            if padding != (0, 0) { range = { ValueRange(min($0.lo, 0), max($0.hi, 0)) } }   // padding counts as zeros
        default:
            outChannels = channels
            let size = (Int.random(in: 1...height, using: &rng), Int.random(in: 1...width, using: &rng))
            // The stride-1 window with that many positions: the output's shape.
            window = Window2D(kernel: (height - size.0 + 1, width - size.1 + 1), stride: (1, 1), padding: (0, 0), dilation: (1, 1))
            (name, template) = ("adaptiveAvgPool2d", "adaptiveAvgPool2d(\(image), [\(size.0), \(size.1)])")
        }
        guard let outHeight = window.outputSize(height, axis: 0), let outWidth = window.outputSize(width, axis: 1) else { return nil }
        let rangeRule = range
        let op = GenOp(name: name, style: .call, isTranscendental: true,
                       spell: { template.replacingOccurrences(of: "$0", with: $0[0]) },
                       range: { $0.first.map(rangeRule) })
        return .apply(op, [base], TensorType([1, outChannels, outHeight, outWidth], .float32))
    }
}
