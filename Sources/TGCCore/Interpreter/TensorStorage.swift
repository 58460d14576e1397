/// The elements of an interpreter tensor, each stored as its own dtype: one case per dtype so a
/// float32 tensor takes 4 bytes an element (not a Double's 8) and int64 values are exact over
/// the whole range, with PyTorch's wrapping arithmetic.
public enum TensorStorage: Sendable, Equatable {
    case float32([Float])
    case float64([Double])
    case int64([Int64])
    case int32([Int32])
    case uint8([UInt8])
    case bool([Bool])

    public var dtype: DType {
        switch self {
        case .float32: .float32
        case .float64: .float64
        case .int64: .int64
        case .int32: .int32
        case .uint8: .uint8
        case .bool: .bool
        }
    }

    public var count: Int {
        switch self {
        case .float32(let v): v.count
        case .float64(let v): v.count
        case .int64(let v): v.count
        case .int32(let v): v.count
        case .uint8(let v): v.count
        case .bool(let v): v.count
        }
    }

    /// No elements, of `dtype` (what a freed value keeps).
    public static func empty(_ dtype: DType) -> TensorStorage {
        switch dtype {
        case .float32: .float32([])
        case .float64: .float64([])
        case .int64: .int64([])
        case .int32: .int32([])
        case .uint8: .uint8([])
        case .bool: .bool([])
        }
    }

    // MARK: building

    /// `count` elements of `dtype` from computed Doubles, each rounded as `Tensor.round` does
    /// (float32 rounding, truncation toward zero through int64 for integers, bool `!= 0`).
    @inline(__always)
    public static func build(_ dtype: DType, _ count: Int, _ value: (Int) -> Double) -> TensorStorage {
        switch dtype {
        case .float32: .float32((0..<count).map { Float(value($0)) })
        case .float64: .float64((0..<count).map(value))
        case .int64: .int64((0..<count).map { Int64(element: Tensor.round(value($0), to: .int64)) })
        case .int32: .int32((0..<count).map { Int32(truncatingIfNeeded: Int64(element: Tensor.round(value($0), to: .int64))) })
        case .uint8: .uint8((0..<count).map { UInt8(truncatingIfNeeded: Int64(element: Tensor.round(value($0), to: .int64))) })
        case .bool: .bool((0..<count).map { value($0) != 0 })
        }
    }

    /// `count` elements of `dtype` from computed int64s: narrower integers keep the low bits
    /// (two's complement wrapping), floats round to nearest (C's conversion), bool is `!= 0`.
    @inline(__always)
    public static func build(_ dtype: DType, _ count: Int, integer value: (Int) -> Int64) -> TensorStorage {
        switch dtype {
        case .float32: .float32((0..<count).map { Float(value($0)) })
        case .float64: .float64((0..<count).map { Double(value($0)) })
        case .int64: .int64((0..<count).map(value))
        case .int32: .int32((0..<count).map { Int32(truncatingIfNeeded: value($0)) })
        case .uint8: .uint8((0..<count).map { UInt8(truncatingIfNeeded: value($0)) })
        case .bool: .bool((0..<count).map { value($0) != 0 })
        }
    }

    /// Doubles converted to `dtype` (the compatibility path of `Tensor(type:elements:)`).
    public init(_ values: [Double], as dtype: DType) {
        self = dtype == .float64 ? .float64(values) : Self.build(dtype, values.count) { values[$0] }
    }

    // MARK: reading

    /// Element `i` as a Double (int64 beyond 2^53 rounds; bools are 0 and 1).
    @inline(__always)
    public func double(at i: Int) -> Double {
        switch self {
        case .float32(let v): Double(v[i])
        case .float64(let v): v[i]
        case .int64(let v): Double(v[i])
        case .int32(let v): Double(v[i])
        case .uint8(let v): Double(v[i])
        case .bool(let v): v[i] ? 1 : 0
        }
    }

    /// Element `i` as an int64: exact for integers and bools, truncated toward zero for floats.
    @inline(__always)
    public func int64(at i: Int) -> Int64 {
        switch self {
        case .int64(let v): v[i]
        case .int32(let v): Int64(v[i])
        case .uint8(let v): Int64(v[i])
        case .bool(let v): v[i] ? 1 : 0
        case .float32, .float64: Int64(element: Tensor.round(double(at: i), to: .int64))
        }
    }

    /// Element `i` as a float32, converted as C converts it (an integer rounds once).
    @inline(__always)
    public func float(at i: Int) -> Float {
        switch self {
        case .float32(let v): v[i]
        case .float64(let v): Float(v[i])
        case .int64(let v): Float(v[i])
        case .int32(let v): Float(v[i])
        case .uint8(let v): Float(v[i])
        case .bool(let v): v[i] ? 1 : 0
        }
    }

    /// Every element as a Double (the compatibility view `Tensor.elements`).
    public var doubles: [Double] {
        if case .float64(let v) = self { return v }
        return (0..<count).map(double(at:))
    }

    // MARK: data movement

    /// The elements at `indices`, in their order, of the same dtype.
    public func gathering(_ indices: [Int]) -> TensorStorage {
        switch self {
        case .float32(let v): .float32(indices.map { v[$0] })
        case .float64(let v): .float64(indices.map { v[$0] })
        case .int64(let v): .int64(indices.map { v[$0] })
        case .int32(let v): .int32(indices.map { v[$0] })
        case .uint8(let v): .uint8(indices.map { v[$0] })
        case .bool(let v): .bool(indices.map { v[$0] })
        }
    }

    /// These elements followed by `other`'s (of the same dtype).
    public func appending(_ other: TensorStorage) -> TensorStorage {
        switch (self, other) {
        case (.float32(let a), .float32(let b)): .float32(a + b)
        case (.float64(let a), .float64(let b)): .float64(a + b)
        case (.int64(let a), .int64(let b)): .int64(a + b)
        case (.int32(let a), .int32(let b)): .int32(a + b)
        case (.uint8(let a), .uint8(let b)): .uint8(a + b)
        case (.bool(let a), .bool(let b)): .bool(a + b)
        default: preconditionFailure("appending a \(other.dtype) storage to a \(dtype) one")
        }
    }

    /// The elements converted to `dtype` as a cast converts them: floats to integers truncate
    /// toward zero through int64, integers to narrower ones keep their low bits, integers to
    /// floats round once.
    public func converted(to target: DType) -> TensorStorage {
        if target == dtype { return self }
        if dtype.isFloatingPoint { return Self.build(target, count, double(at:)) }
        return Self.build(target, count, integer: int64(at:))
    }
}
