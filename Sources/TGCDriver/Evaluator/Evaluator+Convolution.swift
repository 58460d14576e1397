import TGCBase
import TGCCore

/// Convolution and pooling (`Conv2d`, `MaxPool2d`, `AvgPool2d`, `AdaptiveAvgPool2d` and the
/// functional `conv2d`, `maxPool2d`, `avgPool2d`, `adaptiveAvgPool2d`): the input's rank,
/// channels and window checked at the call's line, then the Builder composites
/// (Builder+Convolution.swift, Builder+Layers.swift) recorded with PyTorch's `grad_fn`. An
/// unbatched input [C, H, W] runs as a batch of one.
extension Evaluator {
    /// `Conv2d`'s forward and `conv2d(...)`: input [N, C, H, W] or [C, H, W], weight
    /// [O, C/groups, kh, kw], bias [O]. `what` names the caller in messages.
    func convolution(_ input: TensorValue, weight: TensorValue, bias: TensorValue?, _ window: Window2D, groups: Int,
                     what: String, at location: SourceLocation) throws -> TensorValue {
        let inputType = builder.type(of: input.id)
        let shape = try spatialShape(input, what, at: location)
        let weightType = builder.type(of: weight.id)
        guard weightType.dtype == .float32, weightType.rank == 4, weightType.shape[0] % groups == 0 else {
            throw Diagnostic("\(what) needs a float32 weight [out_channels, in_channels/groups, kh, kw] with out_channels divisible by groups (\(groups)), got \(weightType.dtype)\(formatShape(weightType.shape))", at: location)
        }
        guard shape[1] == weightType.shape[1] * groups else {
            let weightNote = what == "Conv2d" ? "" : " (weight \(formatShape(weightType.shape)), groups \(groups))"
            throw Diagnostic("\(what) expected input with \(weightType.shape[1] * groups) channels\(weightNote), got \(formatShape(inputType.shape))", at: location)
        }
        if let bias {
            let biasType = builder.type(of: bias.id)
            guard biasType.dtype == .float32, biasType.shape == [weightType.shape[0]] else {
                throw Diagnostic("\(what) needs a float32 bias [\(weightType.shape[0])] for weight \(formatShape(weightType.shape)), got \(biasType.dtype)\(formatShape(biasType.shape))", at: location)
            }
        }
        let window = Window2D(kernel: (weightType.shape[2], weightType.shape[3]), stride: window.stride, padding: window.padding, dilation: window.dilation)
        try checkWindow(window, inputType.shape, what, at: location)
        // PyTorch runs an unbatched convolution on a batch of one and squeezes it away; a batched
        // one, bias or not, is the conv2d op's own node.
        let gradFunction = inputType.rank == 3 ? SurfaceFunction.squeezeDim.gradFunction : OpKind.conv2d.definition.gradFunction!
        return try recordComposite(what, [input, weight] + (bias.map { [$0] } ?? []), gradFunction: gradFunction, at: location) {
            try asBatch(input.id, at: location) { try builder.conv2d($0, weight: weight.id, bias: bias?.id, window, groups: groups, at: location) }
        }
    }

    /// `MaxPool2d`'s and `AvgPool2d`'s forward, `maxPool2d(...)` and `avgPool2d(...)`.
    func pooling(_ input: TensorValue, _ window: Window2D, maximum: Bool, what: String, at location: SourceLocation) throws -> TensorValue {
        let inputType = builder.type(of: input.id)
        _ = try spatialShape(input, what, at: location)
        try checkPoolPadding(window, at: location)
        try checkWindow(window, inputType.shape, what, at: location)
        // The max pool's composite is named after the op it computes (the values-only op's name).
        let gradFunction = maximum ? OpKind.maxPool2d.definition.gradFunction : SurfaceFunction.avgPool2d.gradFunction
        return try recordComposite(what, [input], gradFunction: gradFunction, at: location) {
            try asBatch(input.id, at: location) { try builder.pool2d($0, window, maximum: maximum, at: location) }
        }
    }

    /// `AdaptiveAvgPool2d`'s forward and `adaptiveAvgPool2d(x, outputSize)`.
    func adaptiveAveragePooling(_ input: TensorValue, outputSize: (Int, Int), what: String, at location: SourceLocation) throws -> TensorValue {
        _ = try spatialShape(input, what, at: location)
        // PyTorch computes a (1, 1) output as a mean over the last two dimensions.
        let gradFunction = outputSize == (1, 1) ? SurfaceFunction.meanDims.gradFunction : SurfaceFunction.adaptiveAvgPool2d.gradFunction
        return try recordComposite(what, [input], gradFunction: gradFunction, at: location) {
            try asBatch(input.id, at: location) { try builder.adaptiveAvgPool2d($0, outputSize: outputSize, at: location) }
        }
    }

    /// The input's shape as [N, C, H, W] (a batch of one in front of [C, H, W]); other ranks
    /// and dtypes are errors naming `what`.
    private func spatialShape(_ input: TensorValue, _ what: String, at location: SourceLocation) throws -> [Int] {
        let type = builder.type(of: input.id)
        guard type.dtype == .float32, type.rank == 3 || type.rank == 4 else {
            throw Diagnostic("\(what) expected a 3-D (unbatched) or 4-D (batched) float32 input, got \(type.dtype)\(formatShape(type.shape))", at: location)
        }
        return type.rank == 3 ? [1] + type.shape : type.shape
    }

    /// `body` of the input as [N, C, H, W], its result given back in the input's rank.
    private func asBatch(_ input: ValueID, at location: SourceLocation, _ body: (ValueID) throws -> ValueID) throws -> ValueID {
        let shape = builder.type(of: input).shape
        guard shape.count == 3 else { return try body(input) }
        let result = try body(try builder.reshape(input, to: [1] + shape, at: location))
        return try builder.reshape(result, to: Array(builder.type(of: result).shape.dropFirst()), at: location)
    }

    /// The window has to fit the padded input at least once along each axis.
    private func checkWindow(_ window: Window2D, _ shape: [Int], _ what: String, at location: SourceLocation) throws {
        let (height, width) = (shape[shape.count - 2], shape[shape.count - 1])
        guard window.outputSize(height, axis: 0) != nil, window.outputSize(width, axis: 1) != nil else {
            func pair(_ value: (Int, Int)) -> String { "(\(value.0), \(value.1))" }
            throw Diagnostic("\(what): the window (kernel_size=\(pair(window.kernel)), dilation=\(pair(window.dilation))) does not fit the input \(formatShape(shape)) padded by \(pair(window.padding))", at: location)
        }
    }

    /// PyTorch's pooling rule: padding at most half the dilated kernel, so that every window
    /// holds an element of the input.
    func checkPoolPadding(_ window: Window2D, at location: SourceLocation) throws {
        for (k, p, d) in [(window.kernel.0, window.padding.0, window.dilation.0), (window.kernel.1, window.padding.1, window.dilation.1)]
        where p > ((k - 1) * d + 1) / 2 {
            throw Diagnostic("pad should be at most half of effective kernel size, but got pad=\(p), kernel_size=\(k) and dilation=\(d)", at: location)
        }
    }
}

extension Evaluator {
    /// A built-in convolution or pooling layer's forward.
    func windowLayerForward(_ layer: ModuleObject.Layer, of module: ModuleObject, _ input: TensorValue, at location: SourceLocation) throws -> TensorValue {
        switch layer {
        case .conv2d(let inChannels, _, let window, let groups, let hasBias):
            guard case .tensor(let weight)? = module.field("weight") else { preconditionFailure("Conv2d without weight") }
            var bias: TensorValue?
            if hasBias, case .tensor(let b)? = module.field("bias") { bias = b }
            let type = builder.type(of: input.id)
            if type.rank == 3 || type.rank == 4, type.shape[type.rank - 3] != inChannels {
                throw Diagnostic("Conv2d expected input with \(inChannels) channels, got \(formatShape(type.shape))", at: location)
            }
            return try convolution(input, weight: weight, bias: bias, window, groups: groups, what: "Conv2d", at: location)
        case .pool2d(let maximum, let window, _):
            return try pooling(input, window, maximum: maximum, what: module.typeName, at: location)
        case .adaptiveAvgPool2d(let outputSize, _):
            return try adaptiveAveragePooling(input, outputSize: outputSize, what: "AdaptiveAvgPool2d", at: location)
        default:
            preconditionFailure("\(module.typeName) is not a window layer")
        }
    }
}
