import TGCBase
import TGCCore

/// Convolution and pooling layers (`Conv2d`, `MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool2d`)
/// and their functional forms (`conv2d`, `maxPool2d`, `avgPool2d`, `adaptiveAvgPool2d`).
/// Every window size is an Int (both axes) or a pair `(3, 5)` / `[3, 5]`; the kernel size is
/// the argument after the channels, with or without its label `kernelSize:`; the settings after
/// it may be given in PyTorch's order without labels (`Conv2d(1, 32, 3, 2, 1)`).
extension BuiltinFamily {
    static let convolution: BuiltinFamily = {
        let kernel: [Param] = [.unlabeled("kernelSize", optional: true)]
        let poolWindow = kernel + [.labeled("stride"), .labeled("padding")]
        return BuiltinFamily(name: "convolution", functions: [
            FunctionEntry("Conv2d", [.unlabeled("inChannels"), .unlabeled("outChannels")] + kernel
                            + ["stride", "padding", "dilation", "groups", "bias"].map { .labeled($0) },
                          "torch.nn.Conv2d: a 2-D convolution over [N, C, H, W] (or [C, H, W])") { e, site in try e.makeConv2d(site) },
            FunctionEntry("MaxPool2d", poolWindow + [.labeled("dilation")],
                          "torch.nn.MaxPool2d: the maximum of each window (stride: the kernel size)") { e, site in try e.makePool2d(site, maximum: true) },
            FunctionEntry("AvgPool2d", poolWindow, "torch.nn.AvgPool2d: the mean of each window, padding counted") { e, site in
                try e.makePool2d(site, maximum: false)
            },
            FunctionEntry("AdaptiveAvgPool2d", [.unlabeled("outputSize")], "torch.nn.AdaptiveAvgPool2d: the input averaged into bins") { e, site in
                let size = try e.windowArgument(site, "outputSize", minimum: 1)!
                return .module(ModuleObject(.layer(.adaptiveAvgPool2d(outputSize: size.value, repr: "AdaptiveAvgPool2d(output_size=\(size.repr))")), fields: []))
            },
            FunctionEntry("conv2d", [.unlabeled("input"), .unlabeled("weight"), .labeled("bias")]
                            + ["stride", "padding", "dilation", "groups"].map { .labeled($0) },
                          "F.conv2d: a 2-D convolution (weight [out, in/groups, kh, kw])") { e, site in
                let window = try e.windowSettings(site, kernel: (1, 1))
                let groups = try e.groupCount(site)
                return .tensor(try e.convolution(try e.asTensor(site.value("input")!, at: site.location("input")),
                                                 weight: try e.asTensor(site.value("weight")!, at: site.location("weight")),
                                                 bias: try site.value("bias").map { try e.asTensor($0, at: site.location("bias")) },
                                                 window, groups: groups, what: "conv2d", at: site.location))
            },
            FunctionEntry("maxPool2d", [.unlabeled("input")] + poolWindow + [.labeled("dilation")], "F.max_pool2d") { e, site in
                try e.functionalPooling(site, maximum: true)
            },
            FunctionEntry("avgPool2d", [.unlabeled("input")] + poolWindow, "F.avg_pool2d (count_include_pad)") { e, site in
                try e.functionalPooling(site, maximum: false)
            },
            FunctionEntry("adaptiveAvgPool2d", [.unlabeled("input"), .unlabeled("outputSize")], "F.adaptive_avg_pool2d") { e, site in
                let size = try e.windowArgument(site, "outputSize", minimum: 1)!
                return .tensor(try e.adaptiveAveragePooling(try e.asTensor(site.value("input")!, at: site.location("input")),
                                                            outputSize: size.value, what: "adaptiveAvgPool2d", at: site.location))
            },
        ])
    }()
}

/// A window setting as given: its two values and how PyTorch prints it (`2`, `(2, 3)`, `[2, 3]`).
struct WindowArgument {
    var value: (Int, Int)
    var repr: String
}

extension Evaluator {
    /// The argument `parameter` (nil when left out) as an Int or a pair of Ints, each at least
    /// `minimum`; `label` names it in messages.
    func windowArgument(_ site: CallSite, _ parameter: String, label: String? = nil, minimum: Int) throws -> WindowArgument? {
        guard let value = site.value(parameter) else { return nil }
        let (name, location) = (label ?? parameter, site.location(parameter))
        let items: [EvalValue]
        let repr: (Int, Int) -> String
        switch value {
        case .int(let n): (items, repr) = ([.int(n), .int(n)], { a, _ in "\(a)" })
        case .tuple(let pair): (items, repr) = (pair, { "(\($0), \($1))" })
        case .array(let pair): (items, repr) = (pair, { "[\($0), \($1)]" })
        default: throw Diagnostic("\(name) must be an Int or a pair of Ints, got \(value.kindName)", at: location)
        }
        guard items.count == 2 else { throw Diagnostic("\(name) must be an Int or a pair of Ints, got \(items.count) values", at: location) }
        let (a, b) = (try staticInt(items[0], what: name, at: location), try staticInt(items[1], what: name, at: location))
        guard a >= minimum, b >= minimum else {
            throw Diagnostic("\(name) must be at least \(minimum), got \(repr(a, b))", at: location)
        }
        return WindowArgument(value: (a, b), repr: repr(a, b))
    }

    /// The kernel size, given after the channels or labeled `kernelSize:`.
    private func kernelSize(_ site: CallSite) throws -> WindowArgument {
        guard let kernel = try windowArgument(site, "kernelSize", minimum: 1) else {
            throw Diagnostic("missing argument for parameter 'kernelSize:' in call to '\(site.name)'", at: site.location)
        }
        return kernel
    }

    /// stride (default 1), padding (default 0) and dilation (default 1) with `kernel`.
    func windowSettings(_ site: CallSite, kernel: (Int, Int), defaultStride: (Int, Int) = (1, 1)) throws -> Window2D {
        Window2D(kernel: kernel, stride: try windowArgument(site, "stride", minimum: 1)?.value ?? defaultStride,
                 padding: try windowArgument(site, "padding", minimum: 0)?.value ?? (0, 0),
                 dilation: try windowArgument(site, "dilation", minimum: 1)?.value ?? (1, 1))
    }

    /// `groups:` (default 1), positive.
    func groupCount(_ site: CallSite) throws -> Int {
        let groups = try site.value("groups").map { try staticInt($0, what: "groups", at: site.location("groups")) } ?? 1
        guard groups > 0 else { throw Diagnostic("groups must be positive, got \(groups)", at: site.location("groups")) }
        return groups
    }

    /// `Conv2d(in, out, 3, stride: 1, padding: 0, dilation: 1, groups: 1, bias: true)`: weight
    /// [out, in/groups, kh, kw] then bias [out], each uniform in ±1/√(in/groups·kh·kw) (PyTorch's
    /// Kaiming-uniform with a = √5 and its bias bound).
    func makeConv2d(_ site: CallSite) throws -> EvalValue {
        let inChannels = try staticInt(site.value("inChannels")!, what: "in_channels", at: site.location("inChannels"))
        let outChannels = try staticInt(site.value("outChannels")!, what: "out_channels", at: site.location("outChannels"))
        for (name, value) in [("inChannels", inChannels), ("outChannels", outChannels)] where value <= 0 {
            throw Diagnostic("Conv2d needs positive channel counts, got \(value)", at: site.location(name))
        }
        let kernel = try kernelSize(site).value
        let window = try windowSettings(site, kernel: kernel)
        let groups = try groupCount(site)
        guard inChannels % groups == 0 else { throw Diagnostic("in_channels must be divisible by groups", at: site.location("groups")) }
        guard outChannels % groups == 0 else { throw Diagnostic("out_channels must be divisible by groups", at: site.location("groups")) }
        var hasBias = true
        if let value = site.value("bias") {
            guard case .bool(let flag) = value else { throw Diagnostic("bias must be true or false", at: site.location("bias")) }
            hasBias = flag
        }
        let weightShape = try shape(from: [.int(outChannels), .int(inChannels / groups), .int(kernel.0), .int(kernel.1)], at: site.location)
        let bound = 1 / Double(weightShape.dropFirst().reduce(1, *)).squareRoot()
        var fields: [(name: String, value: EvalValue)] = [("weight", .tensor(try uniformParameter(weightShape, bound: bound, at: site.location)))]
        if hasBias { fields.append(("bias", .tensor(try uniformParameter([outChannels], bound: bound, at: site.location)))) }
        return .module(ModuleObject(.layer(.conv2d(inChannels: inChannels, outChannels: outChannels, window: window, groups: groups, bias: hasBias)),
                                    fields: fields))
    }

    /// `MaxPool2d(2)`, `MaxPool2d(kernelSize: 3, stride: 2, padding: 1, dilation: 1)` and
    /// `AvgPool2d(...)` (no dilation): the stride is the kernel size unless given.
    func makePool2d(_ site: CallSite, maximum: Bool) throws -> EvalValue {
        let kernel = try kernelSize(site)
        let stride = try windowArgument(site, "stride", minimum: 1) ?? kernel
        let padding = try windowArgument(site, "padding", minimum: 0) ?? WindowArgument(value: (0, 0), repr: "0")
        let dilation = try windowArgument(site, "dilation", minimum: 1) ?? WindowArgument(value: (1, 1), repr: "1")
        let window = Window2D(kernel: kernel.value, stride: stride.value, padding: padding.value, dilation: dilation.value)
        try checkPoolPadding(window, at: site.location("padding"))
        let settings = "kernel_size=\(kernel.repr), stride=\(stride.repr), padding=\(padding.repr)"
        let repr = maximum ? "MaxPool2d(\(settings), dilation=\(dilation.repr), ceil_mode=False)" : "AvgPool2d(\(settings))"
        return .module(ModuleObject(.layer(.pool2d(maximum: maximum, window: window, repr: repr)), fields: []))
    }

    /// `maxPool2d(x, 2, stride:, padding:, dilation:)` and `avgPool2d(x, kernelSize: 2, ...)`.
    func functionalPooling(_ site: CallSite, maximum: Bool) throws -> EvalValue {
        let kernel = try kernelSize(site).value
        let window = try windowSettings(site, kernel: kernel, defaultStride: kernel)
        return .tensor(try pooling(try asTensor(site.value("input")!, at: site.location("input")), window, maximum: maximum,
                                   what: maximum ? "maxPool2d" : "avgPool2d", at: site.location))
    }
}
