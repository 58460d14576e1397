/// The elements of `arange` as PyTorch's CPU kernel computes them (on AVX2, the vector width of
/// this project's machines): in double, `start + step · i` with one rounding (a fused
/// multiply-add), except in the vectorized part of a floating-point range, whole pairs of
/// vectors from the start, where a vector's first element is rounded to the dtype and each
/// following one is that base plus `k · step`, again fused. `arange(0, 3, step: 0.1)[9]` is
/// then 0.9000000357627869 in float32, as PyTorch prints it, where `Float(0.9)` is 0.8999999761581421.
public enum ArangeValues {
    /// Elements per vector of PyTorch's AVX2 kernel for a floating-point dtype; nil for integer
    /// dtypes, whose ranges are exact.
    public static func lanes(_ dtype: DType) -> Int? {
        switch dtype {
        case .float32: 8
        case .float64: 4
        case .int64, .int32, .uint8, .bool: nil
        }
    }

    /// The end of the vectorized part: the largest multiple of two vectors within `count`.
    public static func vectorizedCount(_ count: Int, lanes: Int) -> Int { count / (2 * lanes) * (2 * lanes) }

    /// Element `index` of `count`, before rounding to `dtype`.
    public static func value(at index: Int, count: Int, start: Double, step: Double, dtype: DType) -> Double {
        guard let lanes = lanes(dtype) else { return start + Double(index) * step }
        guard index < vectorizedCount(count, lanes: lanes) else { return start.addingProduct(step, Double(index)) }
        let first = index - index % lanes
        let base = Tensor.round(start.addingProduct(step, Double(first)), to: dtype)
        return base.addingProduct(Double(index - first), step)
    }
}
