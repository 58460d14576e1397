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
}
