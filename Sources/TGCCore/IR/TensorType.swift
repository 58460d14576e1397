/// The static type of every IR value: a shape (empty for scalars) and a dtype.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
    public var shape: [Int]
    public var dtype: DType

    public init(_ shape: [Int], _ dtype: DType) {
        self.shape = shape
        self.dtype = dtype
    }

    public static func scalar(_ dtype: DType) -> TensorType { TensorType([], dtype) }

    public var rank: Int { shape.count }
    /// The product of the dimensions (Int.max where it overflows: a shape read from a corrupt
    /// file, which the size checks then refuse).
    public var elementCount: Int {
        shape.reduce(1) { count, dim in
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            return overflow ? Int.max : product
        }
    }

    /// Row-major strides in elements.
    public var strides: [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// `f32[3, 4]`, `i64[]`, `bool[2]` as in the textual IR.
    public var description: String {
        "\(dtype.irName)[\(shape.map(String.init).joined(separator: ", "))]"
    }
}

/// Formats a shape the way tgc prints `x.shape`: `[3, 4]`.
public func formatShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
