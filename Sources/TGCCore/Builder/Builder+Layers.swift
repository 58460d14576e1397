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
            if let bias = affine.bias { result = try apply1(.add, [result, bias], at: location) }
        }
        return result
    }
}
