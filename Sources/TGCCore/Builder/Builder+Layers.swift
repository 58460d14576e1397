import TGCBase

/// The computations of `torch.nn` layers, built from existing ops so that eager mode, the
/// autodiff pass and the backends need nothing new.
extension Builder {
    /// `torch.nn.functional.linear(x, weight, bias)`: `x @ weight.T + bias` over the last
    /// dimension of x (any leading dimensions are folded into rows of one matrix product).
    public func linear(_ x: ValueID, weight: ValueID, bias: ValueID?, at location: SourceLocation) throws -> ValueID {
        let shape = type(of: x).shape
        let (outFeatures, inFeatures) = (type(of: weight).shape[0], type(of: weight).shape[1])
        let rows = shape.dropLast().reduce(1, *)
        let matrix = shape.count == 2 ? x : try reshape(x, to: [rows, inFeatures], at: location)
        let transposed = try transpose(weight, permutation: [1, 0], at: location)
        var product = try apply1(.matmul, [matrix, transposed], at: location)
        if let bias { product = try apply1(.add, [product, bias], at: location) }
        return shape.count == 2 ? product : try reshape(product, to: shape.dropLast() + [outFeatures], at: location)
    }

    /// `torch.nn.functional.embedding(indices, weight)`: the rows of weight the int64 indices
    /// name, in the indices' shape (an index out of range is a run-time error).
    public func embedding(_ indices: ValueID, weight: ValueID, at location: SourceLocation) throws -> ValueID {
        try apply1(.indexSelect, [weight, indices], at: location)
    }

    /// `torch.nn.functional.layer_norm` over the last `normalizedDims` dimensions: (x − mean) ·
    /// rsqrt(biased variance + eps), then times weight plus bias when given.
    public func layerNorm(_ x: ValueID, normalizedDims: Int, eps: Double, affine: (weight: ValueID, bias: ValueID?)?,
                          at location: SourceLocation) throws -> ValueID {
        let shape = type(of: x).shape
        let axes = Array(shape.count - normalizedDims..<shape.count)
        let count = try scalar(Double(axes.map { shape[$0] }.reduce(1, *)), .float32, at: location)
        var keep = Attributes()
        keep.axes = axes
        keep.keepDim = true
        let mean = try apply1(.div, [try apply1(.reduceSum, [x], keep, at: location), count], at: location)
        let centered = try apply1(.sub, [x, mean], at: location)
        let squares = try apply1(.mul, [centered, centered], at: location)
        let variance = try apply1(.div, [try apply1(.reduceSum, [squares], keep, at: location), count], at: location)
        let inverse = try apply1(.rsqrt, [try apply1(.add, [variance, try scalar(eps, .float32, at: location)], at: location)], at: location)
        var result = try apply1(.mul, [centered, inverse], at: location)
        if let affine {
            result = try apply1(.mul, [result, affine.weight], at: location)
            // Without a bias PyTorch's kernel adds a zero one, which makes −0 (a weight < 0) +0.
            result = try apply1(.add, [result, try affine.bias ?? scalar(0, type(of: result).dtype, at: location)], at: location)
        }
        return result
    }
}

extension Builder {
    /// `torch.nn.functional.adaptive_avg_pool2d(x, outputSize)` of x [N, C, H, W]: output
    /// (i, j) is the mean of rows floor(i·H/oh) ..< ceil((i+1)·H/oh) and the same columns of W,
    /// as PyTorch bins them. Output (1, 1) is `mean` over H and W; other sizes sum each bin by
    /// products with 0/1 bin matrices (along W, then along H) and divide by the bin's size.
    public func adaptiveAvgPool2d(_ x: ValueID, outputSize: (Int, Int), at location: SourceLocation) throws -> ValueID {
        let shape = type(of: x).shape
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        if outputSize == (1, 1) { return try mean(x, axes: [2, 3], keepDim: true, at: location) }
        /// The [size, bins] matrix whose column b has ones on bin b's elements, and each bin's size.
        func bins(_ size: Int, _ count: Int) throws -> (ValueID, [Int]) {
            var data = [Double](repeating: 0, count: size * count)
            var sizes: [Int] = []
            for bin in 0..<count {
                let (start, end) = (bin * size / count, ((bin + 1) * size + count - 1) / count)
                for element in start..<end { data[element * count + bin] = 1 }
                sizes.append(end - start)
            }
            var attrs = Attributes()
            attrs.data = data
            attrs.shape = [size, count]
            attrs.dtype = .float32
            return (try apply1(.constant, [], attrs, at: location), sizes)
        }
        let (rowBins, rowSizes) = try bins(h, outputSize.0)
        let (columnBins, columnSizes) = try bins(w, outputSize.1)
        // [N·C·H, W] · [W, ow] → [N·C, H, ow] → [N·C·ow, H] · [H, oh] → [N, C, ow, oh].
        let columns = try apply1(.matmul, [try reshape(x, to: [n * c * h, w], at: location), columnBins], at: location)
        let byRow = try reshape(try transpose(try reshape(columns, to: [n * c, h, outputSize.1], at: location), permutation: [0, 2, 1], at: location),
                                to: [n * c * outputSize.1, h], at: location)
        let sums = try reshape(try apply1(.matmul, [byRow, rowBins], at: location), to: [n, c, outputSize.1, outputSize.0], at: location)
        var attrs = Attributes()
        attrs.data = rowSizes.flatMap { rows in columnSizes.map { Double(rows * $0) } }
        attrs.shape = [outputSize.0, outputSize.1]
        attrs.dtype = .float32
        let counts = try apply1(.constant, [], attrs, at: location)
        return try apply1(.div, [try transpose(sums, permutation: [0, 1, 3, 2], at: location), counts], at: location)
    }
}

extension Builder {
    /// The batch statistics of `torch.nn.functional.batch_norm` in training: the mean and the
    /// biased variance of x over every axis but 1 (the channels), dimensions kept.
    public func batchStatistics(_ x: ValueID, at location: SourceLocation) throws -> (mean: ValueID, variance: ValueID) {
        let shape = type(of: x).shape
        var keep = Attributes()
        keep.axes = shape.indices.filter { $0 != 1 }
        keep.keepDim = true
        let elements = Double(reducedCount(x, axes: keep.axes))
        let count = try scalar(elements, .float32, at: location)
        // PyTorch's kernel: the mean divides the sum, kept in double, in double, then rounds to float.
        var wide = keep
        wide.dtype = .float64
        let wideSum = try apply1(.reduceSum, [x], wide, at: location)
        let wideMean = try apply1(.div, [wideSum, try scalar(elements, .float64, at: location)], at: location)
        let mean = try cast(wideMean, to: type(of: x).dtype, at: location)
        let centered = try apply1(.sub, [x, mean], at: location)
        let variance = try apply1(.div, [try apply1(.reduceSum, [try apply1(.mul, [centered, centered], at: location)], keep, at: location), count], at: location)
        return (mean, variance)
    }

    /// Batch normalization of x by per-channel (axis 1) `mean` and `variance`, as PyTorch's CPU
    /// kernel computes it: x·α + β, α = weight/√(variance + eps), β = bias − mean·α; the
    /// reciprocal square root in double with the batch's statistics (`ofTheBatch`, training), in
    /// the tensors' dtype with running ones.
    public func batchNormalize(_ x: ValueID, mean: ValueID, variance: ValueID, ofTheBatch: Bool, weight: ValueID?, bias: ValueID?,
                               eps: Double, at location: SourceLocation) throws -> ValueID {
        let shape = type(of: x).shape
        let channelShape = shape.indices.map { $0 == 1 ? shape[1] : 1 }
        let (mean, variance) = (try reshape(mean, to: channelShape, at: location), try reshape(variance, to: channelShape, at: location))
        let dtype = type(of: variance).dtype
        let wide: DType = ofTheBatch ? .float64 : dtype
        let sum = try apply1(.add, [try cast(variance, to: wide, at: location), try scalar(eps, wide, at: location)], at: location)
        let inverse = try cast(try apply1(.rsqrt, [sum], at: location), to: dtype, at: location)
        let alpha = try weight.map { try apply1(.mul, [inverse, try reshape($0, to: channelShape, at: location)], at: location) } ?? inverse
        // PyTorch's kernel: β = bias − mean·α and x·α + β, each a fused multiply-add.
        let negatedMean = try apply1(.neg, [mean], at: location)
        let beta = if let bias {
            try apply1(.fusedMultiplyAdd, [negatedMean, alpha, try reshape(bias, to: channelShape, at: location)], at: location)
        } else {
            try apply1(.mul, [negatedMean, alpha], at: location)
        }
        return try apply1(.fusedMultiplyAdd, [x, alpha, beta], at: location)
    }
}
