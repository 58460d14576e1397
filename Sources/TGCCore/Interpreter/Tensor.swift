/// A concrete tensor in the interpreter: its type and its elements in row-major order, each
/// stored as its dtype (`TensorStorage`).
public struct Tensor: Sendable, Equatable {
    public var type: TensorType
    public var storage: TensorStorage

    /// Kernels build storage of their result type, so release builds skip the check (eager
    /// mode makes a tensor per op).
    public init(type: TensorType, storage: TensorStorage) {
        assert(storage.count == type.elementCount && storage.dtype == type.dtype, "storage does not match \(type)")
        self.type = type
        self.storage = storage
    }

    /// The compatibility path for data-movement kernels written against Double elements: each
    /// value is converted to the dtype as `Tensor.round` converts it (int64 exact to 2^53).
    public init(type: TensorType, elements: [Double]) {
        precondition(elements.count == type.elementCount, "element count does not match \(type)")
        self.init(type: type, storage: TensorStorage(elements, as: type.dtype))
    }

    public init(filling type: TensorType, with value: Double) {
        if type.dtype == .float32 {
            self.init(type: type, storage: .float32(Kernels.filled(type.elementCount, with: Float(value))))
        } else {
            self.init(type: type, storage: .build(type.dtype, type.elementCount) { _ in value })
        }
    }

    /// The compatibility path for data-movement kernels: the elements as Doubles (int64 beyond
    /// 2^53 rounds); setting converts them back. Arithmetic uses `storage`.
    public var elements: [Double] {
        get { storage.doubles }
        set { storage = TensorStorage(newValue, as: type.dtype) }
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
    /// The int64 a Double stands for: truncated, saturating at the ends of the range, NaN 0.
    init(element value: Double) {
        if value.isNaN { self = 0 }
        else if value >= 0x1p63 { self = .max }
        else if value < -0x1p63 { self = .min }
        else { self = Int64(value) }
    }
}
