import TGCBase

/// A handle to a value: an SSA value when building IR, a computed tensor when eager.
public struct ValueID: Hashable, Sendable, CustomStringConvertible {
    public let raw: Int
    public init(raw: Int) { self.raw = raw }
    public var description: String { "v\(raw)" }
}

/// The seam between the language and the two modes. GraphBuilder records IR; EagerBuilder
/// computes now through the interpreter (and keeps the tape). The evaluator and every VJP
/// rule talk only to this protocol, so one rule serves both modes.
public protocol Builder: AnyObject {
    func type(of value: ValueID) -> TensorType

    /// Builds (or runs) one op; shape errors are thrown as Diagnostics at `location`.
    func apply(_ kind: OpKind, _ operands: [ValueID], _ attributes: Attributes,
               at location: SourceLocation) throws -> [ValueID]

    /// Builds an op with exactly one result. Eager mode runs it without any result arrays: it
    /// is the hot path of define-by-run programs.
    func applySingleResult(_ kind: OpKind, _ operands: [ValueID], _ attributes: Attributes,
                           at location: SourceLocation) throws -> ValueID

    /// `for index in range`, threading `carrying` through the body, which returns the new values.
    func loop(_ range: Range<Int>, carrying: [ValueID], at location: SourceLocation,
              body: (_ index: ValueID, _ carried: [ValueID]) throws -> [ValueID]) throws -> [ValueID]

    /// Called by a loop body before it returns: of the values it returns, only `roots` may be
    /// differentiated through their history by a later gradient (the others are kept as values),
    /// and `held` are values the caller still reads later (kept as values too). Eager mode then
    /// frees the rest of what the iteration made; graph building ignores it.
    func keepHistory(of roots: [ValueID], holding held: [ValueID])

    /// `if condition` on a bool scalar; each branch maps the carried values to their new values.
    func branch(_ condition: ValueID, carrying: [ValueID], at location: SourceLocation,
                then: ([ValueID]) throws -> [ValueID],
                else: ([ValueID]) throws -> [ValueID]) throws -> [ValueID]

    /// The gradients of scalar `output` (or of `output` weighted by `seed`) with respect to `wrt`.
    /// A value that `output` does not depend on gets a zero gradient.
    func gradient(of output: ValueID, seed: ValueID?, wrt: [ValueID],
                  at location: SourceLocation) throws -> [ValueID]

    /// `gradient` for a caller that gives the gradients no history (backward() and grad()
    /// without createGraph): no later gradient differentiates through the ops that build them,
    /// so eager mode frees their intermediate values as soon as they are spent.
    func detachedGradient(of output: ValueID, seed: ValueID?, wrt: [ValueID],
                          at location: SourceLocation) throws -> [ValueID]

    /// The ops recorded so far that a gradient built now can differentiate through, in
    /// program order (eager mode's tape; in IR, the ops before the insertion point).
    func recordedEntries() -> [TapeEntry]
}

extension Builder {
    public func keepHistory(of roots: [ValueID], holding held: [ValueID]) {}

    public func detachedGradient(of output: ValueID, seed: ValueID?, wrt: [ValueID],
                                 at location: SourceLocation) throws -> [ValueID] {
        try gradient(of: output, seed: seed, wrt: wrt, at: location)
    }

    public func applySingleResult(_ kind: OpKind, _ operands: [ValueID], _ attributes: Attributes,
                                  at location: SourceLocation) throws -> ValueID {
        try apply(kind, operands, attributes, at: location)[0]
    }

    /// Builds an op with exactly one result.
    public func apply1(_ kind: OpKind, _ operands: [ValueID], _ attributes: Attributes = .none,
                       at location: SourceLocation) throws -> ValueID {
        try applySingleResult(kind, operands, attributes, at: location)
    }

    /// A scalar constant of `dtype`.
    public func scalar(_ value: Double, _ dtype: DType, at location: SourceLocation) throws -> ValueID {
        var attrs = Attributes()
        attrs.value = value
        attrs.shape = []
        attrs.dtype = dtype
        return try apply1(.constant, [], attrs, at: location)
    }

    /// A tensor of `shape` filled with `value`.
    public func full(_ shape: [Int], _ value: Double, _ dtype: DType, at location: SourceLocation) throws -> ValueID {
        var attrs = Attributes()
        attrs.value = value
        attrs.shape = shape
        attrs.dtype = dtype
        return try apply1(.constant, [], attrs, at: location)
    }

    public func reshape(_ value: ValueID, to shape: [Int], at location: SourceLocation) throws -> ValueID {
        if type(of: value).shape == shape { return value }
        var attrs = Attributes()
        attrs.shape = shape
        return try apply1(.reshape, [value], attrs, at: location)
    }

    public func broadcast(_ value: ValueID, to shape: [Int], at location: SourceLocation) throws -> ValueID {
        if type(of: value).shape == shape { return value }
        var attrs = Attributes()
        attrs.shape = shape
        return try apply1(.broadcastTo, [value], attrs, at: location)
    }

    public func cast(_ value: ValueID, to dtype: DType, at location: SourceLocation) throws -> ValueID {
        if type(of: value).dtype == dtype { return value }
        var attrs = Attributes()
        attrs.dtype = dtype
        return try apply1(.cast, [value], attrs, at: location)
    }

    public func reduceSum(_ value: ValueID, axes: [Int], keepDim: Bool, at location: SourceLocation) throws -> ValueID {
        var attrs = Attributes()
        attrs.axes = axes
        attrs.keepDim = keepDim
        return try apply1(.reduceSum, [value], attrs, at: location)
    }

    public func transpose(_ value: ValueID, permutation: [Int], at location: SourceLocation) throws -> ValueID {
        var attrs = Attributes()
        attrs.permutation = permutation
        return try apply1(.transpose, [value], attrs, at: location)
    }

    /// `out[..., i, ...] = value[..., (step * i + start) mod n, ...]` along `axis`: a flip
    /// (step -1, start n - 1) or a roll by k (step 1, start -k); `start` is taken mod n.
    public func cyclicShift(_ value: ValueID, axis: Int, step: Int, start: Int, at location: SourceLocation) throws -> ValueID {
        let n = type(of: value).shape[axis]
        var attrs = Attributes()
        attrs.axes = [axis]
        attrs.step = Double(step)
        attrs.start = Double(n == 0 ? 0 : ((start % n) + n) % n)
        return try apply1(.cyclicShift, [value], attrs, at: location)
    }

    /// Sums `value` down to `shape`, undoing a broadcast (the adjoint of broadcasting), as
    /// PyTorch's sum_to_size: `torch.sum` over the axes, so a float one of fewer than 32768
    /// elements adds in PyTorch's order (`sumKind`).
    public func sum(_ value: ValueID, toShape shape: [Int], at location: SourceLocation) throws -> ValueID {
        let from = type(of: value).shape
        if from == shape { return value }
        let offset = from.count - shape.count
        var axes = Array(0..<offset)
        for (i, size) in shape.enumerated() where size == 1 && from[i + offset] != 1 {
            axes.append(i + offset)
        }
        let summed = axes.isEmpty ? value : try sum(value, axes: axes, keepDim: true, at: location)
        return try reshape(summed, to: shape, at: location)
    }
}
