import TGCBase

/// Preprocessing and augmentation of image batches (torchvision's ToTensor, Normalize,
/// RandomHorizontalFlip, RandomCrop), built from existing ops. The random ones draw per sample
/// from the Philox stream, so eager and compiled mode flip and crop alike.
extension Builder {
    /// uint8 images to float32 in [0, 1]: `x.float() / 255`, as ToTensor scales (the shape is kept).
    public func imagesToFloat(_ x: ValueID, at location: SourceLocation) throws -> ValueID {
        guard type(of: x).dtype == .uint8 else {
            throw Diagnostic("toFloat expects uint8 images (pixels 0...255), got \(type(of: x).dtype)", at: location)
        }
        return try apply1(.div, [try cast(x, to: .float32, at: location), try scalar(255, .float32, at: location)], at: location)
    }

    /// `(x - mean) / std` per channel, the channels being dimension -3 (`[..., C, H, W]`, as
    /// torchvision's normalize); one mean and std apply to every channel.
    public func normalize(_ x: ValueID, mean: [Double], std: [Double], at location: SourceLocation) throws -> ValueID {
        let shape = type(of: x).shape
        guard type(of: x).dtype.isFloatingPoint else {
            throw Diagnostic("normalize needs a float tensor, got \(type(of: x).dtype): convert images with toFloat first", at: location)
        }
        guard shape.count >= 3 else {
            throw Diagnostic("normalize expects images of shape [..., C, H, W], got a tensor of shape \(shape)", at: location)
        }
        let channels = shape[shape.count - 3]
        guard mean.count == std.count, mean.count == 1 || mean.count == channels else {
            throw Diagnostic("normalize needs one mean and one std, or one per channel (\(channels)); got \(mean.count) and \(std.count)", at: location)
        }
        guard !std.contains(0) else { throw Diagnostic("std evaluated to zero after conversion to float32, leading to division by zero", at: location) }
        func perChannel(_ values: [Double]) throws -> ValueID {
            var attrs = Attributes()
            attrs.data = values.map { Double(Float($0)) }
            attrs.shape = [values.count, 1, 1]
            attrs.dtype = type(of: x).dtype
            return try apply1(.constant, [], attrs, at: location)
        }
        return try apply1(.div, [try apply1(.sub, [x, try perChannel(mean)], at: location), try perChannel(std)], at: location)
    }

    /// Each sample of the batch x (dimension 0) flipped along its last dimension with
    /// probability p: one uniform draw per sample, flipped when it is below p.
    public func randomHorizontalFlip(_ x: ValueID, p: Double, at location: SourceLocation) throws -> ValueID {
        let shape = type(of: x).shape
        guard shape.count >= 2 else {
            throw Diagnostic("randomHorizontalFlip expects a batch of images [N, ..., W], got a tensor of shape \(shape)", at: location)
        }
        let draws = try uniform([shape[0]], at: location)
        let flip = try apply1(.less, [draws, try scalar(Double(Float(p)), .float32, at: location)], at: location)
        let mask = try broadcast(try reshape(flip, to: [shape[0]] + Array(repeating: 1, count: shape.count - 1), at: location), to: shape, at: location)
        let width = shape[shape.count - 1]
        let flipped = try cyclicShift(x, axis: shape.count - 1, step: -1, start: width - 1, at: location)
        return try apply1(.select, [mask, flipped, x], at: location)
    }

    /// Each sample of the batch x ([N, ..., H, W]) zero-padded by `padding` on every side, then
    /// cropped to `size` (height, width) at an offset drawn uniformly per sample.
    public func randomCrop(_ x: ValueID, size: (Int, Int), padding: Int, at location: SourceLocation) throws -> ValueID {
        let shape = type(of: x).shape
        let rank = shape.count
        guard rank >= 3 else {
            throw Diagnostic("randomCrop expects a batch of images [N, ..., H, W], got a tensor of shape \(shape)", at: location)
        }
        guard padding >= 0 else { throw Diagnostic("padding must be 0 or more, got \(padding)", at: location) }
        let (height, width) = (shape[rank - 2] + 2 * padding, shape[rank - 1] + 2 * padding)
        guard size.0 > 0, size.1 > 0, size.0 <= height, size.1 <= width else {
            throw Diagnostic("required crop size (\(size.0), \(size.1)) is larger than the (padded) input image size (\(height), \(width))", at: location)
        }
        var padded = x
        if padding > 0 {
            var attrs = Attributes()
            attrs.slice = shape.enumerated().map { $0.offset >= rank - 2 ? SliceDim(start: padding, step: 1, size: $0.element) : .all($0.element) }
            let zeros = try full(Array(shape.dropLast(2)) + [height, width], 0, type(of: x).dtype, at: location)
            padded = try apply1(.sliceUpdate, [zeros, x], attrs, at: location)
        }
        let rows = try cropIndex(batch: shape[0], choices: height - size.0 + 1, length: size.0, at: location)
        let columns = try cropIndex(batch: shape[0], choices: width - size.1 + 1, length: size.1, at: location)
        let middle = Array(shape.dropFirst().dropLast(2))
        let ones = Array(repeating: 1, count: middle.count)
        // Rows first (every column of the padded width), then columns of those rows.
        let rowShape = [shape[0]] + middle + [size.0, width]
        let rowIndex = try broadcast(try reshape(rows, to: [shape[0]] + ones + [size.0, 1], at: location), to: rowShape, at: location)
        let cropRows = try applyAlong(.gather, [padded, rowIndex], axis: rank - 2, at: location)
        let cropShape = [shape[0]] + middle + [size.0, size.1]
        let columnIndex = try broadcast(try reshape(columns, to: [shape[0]] + ones + [1, size.1], at: location), to: cropShape, at: location)
        return try applyAlong(.gather, [cropRows, columnIndex], axis: rank - 1, at: location)
    }

    /// [batch, length] int64: offset(n) + 0 ..< length, the offset drawn uniformly from 0 ..< choices.
    private func cropIndex(batch: Int, choices: Int, length: Int, at location: SourceLocation) throws -> ValueID {
        let scaled = try apply1(.mul, [try uniform([batch], at: location), try scalar(Double(choices), .float32, at: location)], at: location)
        let drawn = try cast(try apply1(.floor, [scaled], at: location), to: .int64, at: location)
        let offset = try apply1(.minimum, [drawn, try scalar(Double(choices - 1), .int64, at: location)], at: location)
        var attrs = Attributes()
        attrs.start = 0
        attrs.step = 1
        attrs.shape = [length]
        attrs.dtype = .int64
        let steps = try apply1(.arange, [], attrs, at: location)
        return try apply1(.add, [try reshape(offset, to: [batch, 1], at: location), try reshape(steps, to: [1, length], at: location)], at: location)
    }

    /// float32 draws of `shape` from the Philox stream.
    private func uniform(_ shape: [Int], at location: SourceLocation) throws -> ValueID {
        var attrs = Attributes()
        attrs.shape = shape
        attrs.dtype = .float32
        return try apply1(.randUniform, [], attrs, at: location)
    }
}
