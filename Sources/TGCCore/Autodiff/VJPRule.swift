import TGCBase

/// Given an op's operands, results and the cotangents of its results, builds the cotangents of
/// its operands through the Builder (nil: no gradient flows there). `wants[i]` says whether
/// operand i's cotangent is needed at all, so rules can skip building it.
public typealias VJPRule = (_ b: Builder, _ operands: [ValueID], _ results: [ValueID],
                            _ attrs: Attributes, _ cotangents: [ValueID?], _ wants: [Bool],
                            _ location: SourceLocation) throws -> [ValueID?]

/// One recorded op, as the reverse sweep sees it (an IR op or an eager tape entry).
public struct TapeEntry {
    public var kind: OpKind
    public var operands: [ValueID]
    public var results: [ValueID]
    public var attributes: Attributes
    public var location: SourceLocation
    /// The results' types, for handles no builder knows (a dry run's unrolled loop body).
    public var resultTypes: [TensorType]?
    public init(kind: OpKind, operands: [ValueID], results: [ValueID], attributes: Attributes, location: SourceLocation,
                resultTypes: [TensorType]? = nil) {
        self.kind = kind
        self.operands = operands
        self.results = results
        self.attributes = attributes
        self.location = location
        self.resultTypes = resultTypes
    }
}
