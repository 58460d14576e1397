/// The static parameters of an op. Only the fields an op kind uses are set.
public struct Attributes: Hashable, Sendable {
    public var data: [Double]? = nil
    public var value: Double? = nil
    public var start: Double? = nil
    public var step: Double? = nil
    /// The parameter of a parameterized activation: elu's alpha, leakyRelu's negative slope.
    public var alpha: Double? = nil
    /// clamp's bounds (torch.clamp's min and max); at least one is set.
    public var low: Double? = nil
    public var high: Double? = nil
    public var shape: [Int]? = nil
    public var axes: [Int]? = nil
    public var keepDim: Bool = false
    /// argsort: largest first (NaN first) instead of smallest first.
    public var descending: Bool = false
    public var permutation: [Int]? = nil
    /// The convolution ops: [kh, kw, sh, sw, ph, pw, dh, dw, groups] (`Window2D.attributes`).
    public var window: [Int]? = nil
    /// `slice` and `sliceUpdate`: the region read or written, one entry per dimension.
    public var slice: [SliceDim]? = nil
    public var dtype: DType? = nil
    /// `input`: the input's name. `load` from a safetensors file: the tensor's name in it.
    public var name: String? = nil
    /// `save` to a safetensors file: the name of each operand in it.
    public var names: [String]? = nil
    public var path: String? = nil
    /// `load` of a .npy or IDX file that holds more rows (along the first dimension) than the
    /// program reads: the file's row count; the op reads its first `shape[0]` rows.
    public var fileRows: Int? = nil
    public var seed: Int? = nil
    public var lower: Int? = nil
    public var upper: Int? = nil
    public var hasSeedGradient: Bool = false
    public var printSegments: [PrintSegment]? = nil
    /// What `print` writes after its segments, when not a newline (`print(x, terminator: "")`).
    public var terminator: String? = nil
    /// The memory plan (pass `memory-plan`): the arena slot of each result that lives in the
    /// arena (for a loop: its carried values, which its results are after the loop).
    public var arena: [ArenaSlot]? = nil

    public init() {}

    public static let none = Attributes()
}

/// One piece of a print statement: literal text or a formatted operand.
public enum PrintSegment: Hashable, Sendable {
    case text(String)
    /// A tensor in PyTorch's repr; `suffix` is e.g. "requires_grad=True" or "grad_fn=<MulBackward0>".
    case tensor(operand: Int, suffix: String?)
    /// A tensor assigned in an `if` on a tensor: the suffix of the branch that ran, chosen by
    /// the bool scalar operand `condition` (compiled code knows the branch only at run time).
    case tensorWithBranchSuffix(operand: Int, condition: Int, ifTrue: String?, ifFalse: String?)
    /// A scalar (`x.item()`): Python's repr for floats, or a fixed number of decimals.
    case scalar(operand: Int, precision: Int?)
    /// `x.tolist()`: the elements as Python prints a nested list (`[[1.0, 2.0], [3.0, 4.0]]`).
    case list(operand: Int)
    /// `names[i]` for an array of strings and an integer known at run time: the option that the
    /// int64 scalar operand (already checked to lie in range) picks.
    case choice(operand: Int, options: [String])

    /// The operands the segment formats.
    public var operands: [Int] {
        switch self {
        case .text: []
        case .tensor(let operand, _), .scalar(let operand, _), .list(let operand), .choice(let operand, _): [operand]
        case .tensorWithBranchSuffix(let operand, let condition, _, _): [operand, condition]
        }
    }

    /// The segment of a print whose operands come `offset` places later.
    public func shifted(by offset: Int) -> PrintSegment {
        switch self {
        case .text: self
        case .tensor(let operand, let suffix): .tensor(operand: operand + offset, suffix: suffix)
        case .tensorWithBranchSuffix(let operand, let condition, let ifTrue, let ifFalse):
            .tensorWithBranchSuffix(operand: operand + offset, condition: condition + offset, ifTrue: ifTrue, ifFalse: ifFalse)
        case .scalar(let operand, let precision): .scalar(operand: operand + offset, precision: precision)
        case .list(let operand): .list(operand: operand + offset)
        case .choice(let operand, let options): .choice(operand: operand + offset, options: options)
        }
    }
}

/// Where a value's elements live in the static arena of a generated program: a byte offset
/// (a multiple of `alignment`) and the value's size in bytes.
public struct ArenaSlot: Hashable, Sendable {
    public var offset: Int
    public var bytes: Int

    public init(offset: Int, bytes: Int) {
        self.offset = offset
        self.bytes = bytes
    }

    /// Every slot starts on a 64-byte boundary: a cache line, and a whole AVX-512 vector.
    public static let alignment = 64
}

/// One dimension of a slice: the elements `start, start + step, ...`, `size` of them (a
/// Python slice `start:start + size * step:step` with every bound already checked).
public struct SliceDim: Hashable, Sendable {
    public var start: Int
    public var step: Int
    public var size: Int

    public init(start: Int, step: Int, size: Int) {
        (self.start, self.step, self.size) = (start, step, size)
    }

    /// The whole of a dimension of `extent` elements.
    public static func all(_ extent: Int) -> SliceDim { SliceDim(start: 0, step: 1, size: extent) }
}
