import CTGCRuntime

/// The compatibility path for data-movement and reference kernels written against Double
/// elements (`Tensor(type:elements:)`, `x.elements`): each computes in Double and rounds to the
/// result's dtype as `Tensor.round` does, so int64 values are exact only up to 2^53. New
/// arithmetic kernels use the typed paths (`unary(_:_:float:integer:)`, ...).
extension Kernels {
    static func unary(_ x: Tensor, _ resultType: TensorType, _ f: (Double) -> Double) -> Tensor {
        let storage = x.storage
        return Tensor(type: resultType, storage: .build(resultType.dtype, resultType.elementCount) { f(storage.double(at: $0)) })
    }

    /// A float32 function in single precision (a float64 tensor goes through float32 too).
    static func unaryFloat(_ x: Tensor, _ resultType: TensorType, _ f: (Float) -> Float) -> Tensor {
        unaryFloat(x, resultType, f, double: { Double(f(Float($0))) })
    }

    static func binary(_ a: Tensor, _ b: Tensor, _ resultType: TensorType, _ f: (Double, Double) -> Double) -> Tensor {
        let (x, y) = (a.storage, b.storage)
        let (ia, ib) = (ReadMap(a.shape, resultType.shape), ReadMap(b.shape, resultType.shape))
        return Tensor(type: resultType, storage: .build(resultType.dtype, resultType.elementCount) { f(x.double(at: ia($0)), y.double(at: ib($0))) })
    }

    static func reduce(_ x: Tensor, axes: [Int], resultType: TensorType, _ fold: ([Double]) -> Double) -> Tensor {
        reduce(x, axes: axes, resultType: resultType, float: fold, integer: { Int64(element: Tensor.round(fold($0.map(Double.init)), to: .int64)) })
    }
}

extension RunContext {
    /// `count` uniform draws in [0, 1) as Doubles (each a float32 value).
    func uniform(_ count: Int) -> [Double] { uniformFloats(count).map(Double.init) }

    /// `count` standard normal draws as Doubles (each a float32 value).
    func normal(_ count: Int) -> [Double] { normalFloats(count).map(Double.init) }
}
