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

    /// Rounds a computed value to what `dtype` can hold (float32 rounding, int truncation with no
    /// negative zero, int32 and uint8 wrapping as two's complement after truncation, bool 0/1).
    @inline(__always)
    public static func round(_ value: Double, to dtype: DType) -> Double {
        switch dtype {
        case .float32: Double(Float(value))
        case .float64: value
        // `+ 0` makes -0 (from negating or truncating toward zero) the int64 zero, which is +0.
        case .int64: value.isFinite ? min(max(value.rounded(.towardZero), -0x1p63), 0x1p63) + 0 : 0
        // Through int64 (as the generated C's conversions), then the low bits.
        case .int32: Double(Int32(truncatingIfNeeded: Int64(element: round(value, to: .int64))))
        case .uint8: Double(UInt8(truncatingIfNeeded: Int64(element: round(value, to: .int64))))
        case .bool: value != 0 ? 1 : 0
        }
    }
}

extension Int64 {
    /// The int64 an interpreter element stands for. Elements are Doubles, so int64 values are
    /// exact up to 2^53 and saturate at the ends of the range instead of trapping.
    init(element value: Double) {
        if value.isNaN { self = 0 }
        else if value >= 0x1p63 { self = .max }
        else if value < -0x1p63 { self = .min }
        else { self = Int64(value) }
    }
}
