/// A concrete tensor in the interpreter: its type and its elements in row-major order.
/// Elements are stored as Double; float32 values are always exactly representable floats
/// (every kernel rounds its float32 results), int64 values are exact up to 2^53, bools are 0/1.
public struct Tensor: Sendable, Equatable {
    public var type: TensorType
    public var elements: [Double]

    public init(type: TensorType, elements: [Double]) {
        precondition(elements.count == type.elementCount, "element count does not match \(type)")
        self.type = type
        self.elements = elements
    }

    public init(filling type: TensorType, with value: Double) {
        self.init(type: type, elements: [Double](repeating: Tensor.round(value, to: type.dtype), count: type.elementCount))
    }

    public var shape: [Int] { type.shape }
    public var dtype: DType { type.dtype }

    /// Rounds a computed value to what `dtype` can hold (float32 rounding, int truncation, bool 0/1).
    @inline(__always)
    public static func round(_ value: Double, to dtype: DType) -> Double {
        switch dtype {
        case .float32: Double(Float(value))
        case .int64: value.isFinite ? value.rounded(.towardZero) : 0
        case .bool: value != 0 ? 1 : 0
        }
    }
}
