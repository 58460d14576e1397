import TGCBase

/// The derivatives of the selecting ops, as PyTorch's: a gather's gradient is added into zeros
/// at the index (repeated indices add up); a scatter passes the gradient to its base with the
/// written positions zeroed (scatterAdd passes all of it) and gathers its src's gradient.
extension VJPRules {
    static func selectionRule(_ kind: OpKind) -> VJPRule {
        switch kind {
        case .gather:
            { b, operands, results, attrs, cotangents, wants, at in
                guard wants[0], let g = cotangents[0] else { return [nil, nil] }
                let x = b.type(of: operands[0])
                return [try b.apply1(.scatterAdd, [try b.full(x.shape, 0, x.dtype, at: at), operands[1], g], attrs, at: at), nil]
            }
        case .scatter, .scatterAdd:
            { b, operands, results, attrs, cotangents, wants, at in
                guard let g = cotangents[0] else { return [nil, nil, nil] }
                let index = operands[1]
                var base: ValueID? = nil
                if wants[0] {
                    let indexShape = b.type(of: index).shape
                    base = kind == .scatterAdd ? g
                        : try b.apply1(.scatter, [g, index, try b.full(indexShape, 0, b.type(of: g).dtype, at: at)], attrs, at: at)
                }
                return [base, nil, wants[2] ? try sourceGradient(b, g, index, like: operands[2], attrs, at) : nil]
            }
        default:
            preconditionFailure("\(kind) is not a selecting op")
        }
    }

    /// g gathered at the index, in the shape of src: a src larger than the index gets zeros
    /// where no index reads it.
    private static func sourceGradient(_ b: Builder, _ g: ValueID, _ index: ValueID, like source: ValueID,
                                       _ attrs: Attributes, _ at: SourceLocation) throws -> ValueID {
        let gathered = try b.apply1(.gather, [g, index], attrs, at: at)
        let (indexShape, sourceType) = (b.type(of: index).shape, b.type(of: source))
        guard indexShape != sourceType.shape else { return gathered }
        var region = Attributes()
        region.slice = indexShape.map(SliceDim.all)
        return try b.apply1(.sliceUpdate, [try b.full(sourceType.shape, 0, sourceType.dtype, at: at), gathered], region, at: at)
    }
}
