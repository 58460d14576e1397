import Foundation
import TGCBase
import TGCCore

/// The creation functions of CreationBuiltins.swift beyond tensor/zeros/ones/full/arange/rand:
/// `eye`, `linspace`, `zerosLike`, `onesLike`, `fullLike`, `randLike`, `randnLike`, `randint`.
extension Evaluator {
    /// `eye(3)`, `eye(2, 3)` (Builder.eye).
    func makeEye(_ site: CallSite) throws -> EvalValue {
        let rows = try staticInt(site.value("n")!, what: "n", at: site.location("n"))
        let columns = try site.value("m").map { try staticInt($0, what: "m", at: site.location("m")) } ?? rows
        for (name, value) in [("n", rows), ("m", columns)] where value < 0 {
            throw Diagnostic("eye: \(name) must be greater or equal to 0, got \(value)", at: site.location(name))
        }
        let id = try builder.eye(rows, columns, try dtypeArgument(site) ?? .float32, at: site.location)
        return try creation(id, requiresGrad: try requiresGradArgument(site), at: site.location)
    }

    /// `linspace(0, 1, steps: 5)`: PyTorch's CPU values exactly. float32 computes
    /// `step = (end - start) / (steps - 1)` in float and each element with one rounding (a fused
    /// multiply-add): `start + step * i` for the first half, `end - step * (steps - 1 - i)` for the
    /// second; float64 computes the same in double; integers truncate the bounds first. The values are a constant of the program.
    func makeLinspace(_ site: CallSite) throws -> EvalValue {
        let (start, end, steps, dtype) = try spacing(site, of: "linspace")
        return try spacedConstant(site, dtype, spaced(start, end, steps: steps, dtype, fused: true))
    }

    /// `logspace(0, 2, steps: 3, base: 10)`: base to the power of `steps` exponents from start to
    /// end, computed as PyTorch's CPU kernel does: the exponents as linspace's but each product and
    /// sum rounded apart (its logspace kernel has no fused multiply-add), the power in double
    /// (one step: base to the power start).
    func makeLogspace(_ site: CallSite) throws -> EvalValue {
        let (start, end, steps, dtype) = try spacing(site, of: "logspace")
        let base = try site.value("base").map { try staticDouble($0, what: "base", at: site.location("base")) } ?? 10
        let exponents = steps == 1 ? [start] : spaced(start, end, steps: steps, dtype, fused: false)
        return try spacedConstant(site, dtype, exponents.map { Foundation.pow(base, $0) })
    }

    /// The bounds, the step count (checked) and the dtype (float32 unless given) of linspace or
    /// logspace.
    private func spacing(_ site: CallSite, of function: String) throws -> (start: Double, end: Double, steps: Int, dtype: DType) {
        let start = try staticDouble(site.value("start")!, what: "start", at: site.location("start"))
        let end = try staticDouble(site.value("end")!, what: "end", at: site.location("end"))
        let steps = try staticInt(site.value("steps")!, what: "steps", at: site.location("steps"))
        guard steps >= 0 else { throw Diagnostic("\(function): number of steps must be non-negative, got \(steps)", at: site.location("steps")) }
        guard steps <= 1 << 24 else { throw Diagnostic("\(function): \(steps) steps would make too large a constant", at: site.location("steps")) }
        return (start, end, steps, try dtypeArgument(site) ?? .float32)
    }

    /// `steps` values from start to end as PyTorch's range kernels space them: float32 rounds the
    /// bounds and the step to float and computes `start + step·i` for the first half and
    /// `end − step·(steps − 1 − i)` for the second, with one rounding (`fused`, linspace's) or a
    /// rounding after the product and one after the sum (logspace's); other dtypes compute the
    /// same in double, an integer one from the bounds truncated.
    private func spaced(_ start: Double, _ end: Double, steps: Int, _ dtype: DType, fused: Bool) -> [Double] {
        let half = steps / 2
        if dtype == .float32 {
            let (a, b) = (Float(start), Float(end))
            guard steps != 1 else { return [Double(a)] }
            let step = steps > 1 ? (b - a) / Float(steps - 1) : 0
            return (0..<steps).map { i in
                let (from, by, count) = i < half ? (a, step, Float(i)) : (b, -step, Float(steps - 1 - i))
                return Double(fused ? from.addingProduct(by, count) : from + by * count)
            }
        }
        let (a, b) = dtype == .float64 ? (start, end) : (start.rounded(.towardZero), end.rounded(.towardZero))
        let step = steps > 1 ? (b - a) / Double(steps - 1) : 0
        return (0..<steps).map { i in
            let (from, by, count) = i < half ? (a, step, Double(i)) : (b, -step, Double(steps - 1 - i))
            return fused ? from.addingProduct(by, count) : from + by * count
        }
    }

    /// A constant vector of `values` (rounded to the dtype), made as the creation functions make
    /// their results (`requiresGrad:`).
    private func spacedConstant(_ site: CallSite, _ dtype: DType, _ values: [Double]) throws -> EvalValue {
        var attrs = Attributes()
        attrs.shape = [values.count]
        attrs.dtype = dtype
        attrs.data = values.map { Tensor.round($0, to: dtype) }
        let id = try builder.apply1(.constant, [], attrs, at: site.location)
        return try creation(id, requiresGrad: try requiresGradArgument(site), at: site.location)
    }

    /// `zerosLike(x)`, `onesLike(x)` (a fixed value) and `fullLike(x, 7)`: x's shape and, unless
    /// `dtype:` says otherwise, x's dtype (the fill value is converted to it, as in PyTorch).
    func makeFilledLike(_ site: CallSite, value fixedValue: Double?) throws -> EvalValue {
        let x = try asTensor(site.value("input")!, at: site.location("input"))
        let type = builder.type(of: x.id)
        let dtype = try dtypeArgument(site) ?? type.dtype
        let value = try fixedValue ?? staticDouble(site.value("value")!, what: "the fill value", at: site.location("value"))
        let id = try builder.full(type.shape, Tensor.round(value, to: dtype), dtype, at: site.location)
        return try creation(id, requiresGrad: try requiresGradArgument(site), at: site.location)
    }

    /// `randLike(x)`, `randnLike(x)`: `rand`/`randn` of x's shape, from the one Philox stream.
    func makeRandomLike(_ site: CallSite, _ kind: OpKind) throws -> EvalValue {
        let x = try asTensor(site.value("input")!, at: site.location("input"))
        let type = builder.type(of: x.id)
        let dtype = try dtypeArgument(site) ?? type.dtype
        guard dtype.isFloatingPoint else {
            throw Diagnostic("\(site.name) makes float32 or float64 tensors only, but the tensor is \(dtype); pass dtype: .float32", at: site.location("input"))
        }
        return try creation(try random(kind, type.shape, dtype, at: site.location), requiresGrad: try requiresGradArgument(site), at: site.location)
    }

    /// `randint(0, 10, [3, 4])`, `randint(10, [3])` (Builder.randomIntegers): int64 unless
    /// `dtype:` says otherwise.
    func makeRandint(_ site: CallSite) throws -> EvalValue {
        var (lowValue, highValue, sizeValue) = (site.value("low")!, site.value("high")!, site.value("size"))
        var sizeLocation = site.location("size")
        if sizeValue == nil {
            (lowValue, highValue, sizeValue) = (.int(0), lowValue, highValue)
            sizeLocation = site.location("high")
        }
        let low = try staticInt(lowValue, what: "low", at: site.location("low"))
        let high = try staticInt(highValue, what: "high", at: site.location("high"))
        guard low < high else {
            throw Diagnostic("randint expects low to be less than high, but got low=\(low) >= high=\(high)", at: site.location)
        }
        guard high.subtractingReportingOverflow(low).overflow == false else {
            throw Diagnostic("randint: the range [\(low), \(high)) is too wide", at: site.location)
        }
        guard let sizeValue, sizeValue.arrayItems != nil else {
            throw Diagnostic("randint needs a shape as an array, as in randint(0, 10, [3, 4])", at: sizeLocation)
        }
        let shape = try shape(from: [sizeValue], at: sizeLocation)
        let integers = try builder.randomIntegers(low, high, shape, at: site.location)
        let id = try builder.cast(integers, to: try dtypeArgument(site) ?? .int64, at: site.location)
        return try creation(id, requiresGrad: try requiresGradArgument(site), at: site.location)
    }
}
