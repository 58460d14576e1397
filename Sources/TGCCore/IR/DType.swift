/// The element type of a tensor. Promotion follows PyTorch: bool < int64 < float32.
public enum DType: String, Hashable, Sendable, CaseIterable, Comparable {
    case bool
    case int64
    case float32

    public var isFloatingPoint: Bool { self == .float32 }

    /// The PyTorch spelling, used when printing `x.dtype`.
    public var torchName: String { "torch.\(rawValue)" }

    private var rank: Int {
        switch self {
        case .bool: 0
        case .int64: 1
        case .float32: 2
        }
    }

    public static func < (lhs: DType, rhs: DType) -> Bool { lhs.rank < rhs.rank }

    /// The result type of a binary arithmetic op on these two dtypes.
    public static func promote(_ a: DType, _ b: DType) -> DType { max(a, b) }
}
