/// The element type of a tensor. Ordered bool < uint8 < int32 < int64 < float32 < float64, so
/// the larger of two dtypes is PyTorch's promotion of two tensors of the same kind.
public enum DType: String, Hashable, Sendable, CaseIterable, Comparable {
    case bool
    case uint8
    case int32
    case int64
    case float32
    case float64

    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }
    /// The dtype of a floating-point function's result: float64 stays, the rest give float32.
    public var floatResult: DType { self == .float64 ? .float64 : .float32 }
    public var isInteger: Bool { self == .uint8 || self == .int32 || self == .int64 }
    /// Whether an in-place op may store a result of this dtype in a tensor of `target`'s, as
    /// PyTorch's can_cast: any dtype of the same or a lower category (bool < integers <
    /// floating point), so `float32Tensor += float64Tensor` and `int32Tensor += int64Tensor` cast back.
    public func castsInPlace(to target: DType) -> Bool {
        func category(_ dtype: DType) -> Int { dtype == .bool ? 0 : dtype.isInteger ? 1 : 2 }
        return category(self) <= category(target)
    }

    /// The PyTorch spelling, used when printing `x.dtype`.
    public var torchName: String { "torch.\(rawValue)" }

    /// The dtypes `print(x)` names after the values (`dtype=torch.int32`): every dtype that is
    /// not the default of its kind (float32, int64, bool), as PyTorch prints them.
    public var isPrintedInRepr: Bool { self == .float64 || self == .int32 || self == .uint8 }

    /// bool < integers < floating point: the categories of PyTorch's promotion.
    public var category: Int {
        switch self {
        case .bool: 0
        case .uint8, .int32, .int64: 1
        case .float32, .float64: 2
        }
    }

    private var rank: Int {
        switch self {
        case .bool: 0
        case .uint8: 1
        case .int32: 2
        case .int64: 3
        case .float32: 4
        case .float64: 5
        }
    }

    public static func < (lhs: DType, rhs: DType) -> Bool { lhs.rank < rhs.rank }

    /// The result type of a binary arithmetic op on two tensors of the same kind (both
    /// dimensioned, or both 0-dim): the larger dtype.
    public static func promote(_ a: DType, _ b: DType) -> DType { max(a, b) }

    /// PyTorch's `torch.result_type`: dimensioned tensors take precedence over 0-dim tensors,
    /// which take precedence over Python numbers (whose dtypes are int64, float32, bool). A
    /// lower group changes the result only when its category is higher, and then the two
    /// promote (`int32_vec + 2.5` is float32, `float32_vec + float64_0dim` is float32,
    /// `int32_vec + float64_0dim` is float64).
    public static func resultType(dimensioned: [DType], zeroDim: [DType] = [], numbers: [DType] = []) -> DType {
        func combine(_ higher: DType?, _ lower: DType?) -> DType? {
            guard let higher else { return lower }
            guard let lower else { return higher }
            if higher.isFloatingPoint { return higher }
            return higher == .bool || lower.category > higher.category ? promote(higher, lower) : higher
        }
        let (dim, zero, number) = (dimensioned.max(), zeroDim.max(), numbers.max())
        return combine(dim, combine(zero, number)) ?? .float32
    }

    /// The result type of an op on tensors of these types (rank 0 counts as 0-dim).
    public static func resultType(of types: [TensorType]) -> DType {
        resultType(dimensioned: types.filter { $0.rank > 0 }.map(\.dtype), zeroDim: types.filter { $0.rank == 0 }.map(\.dtype))
    }

    /// The bytes of one element (bool is one byte, 0 or 1).
    public var byteSize: Int {
        switch self {
        case .bool, .uint8: 1
        case .int32, .float32: 4
        case .int64, .float64: 8
        }
    }

    /// The short name in the textual IR (`f32[3]`).
    public var irName: String {
        switch self {
        case .bool: "bool"
        case .uint8: "u8"
        case .int32: "i32"
        case .int64: "i64"
        case .float32: "f32"
        case .float64: "f64"
        }
    }
}
