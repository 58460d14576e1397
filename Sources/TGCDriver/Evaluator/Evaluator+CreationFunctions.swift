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
        let start = try staticDouble(site.value("start")!, what: "start", at: site.location("start"))
        let end = try staticDouble(site.value("end")!, what: "end", at: site.location("end"))
        let steps = try staticInt(site.value("steps")!, what: "steps", at: site.location("steps"))
        guard steps >= 0 else { throw Diagnostic("linspace: number of steps must be non-negative, got \(steps)", at: site.location("steps")) }
        guard steps <= 1 << 24 else { throw Diagnostic("linspace: \(steps) steps would make too large a constant", at: site.location("steps")) }
        let dtype = try dtypeArgument(site) ?? .float32
        let half = steps / 2
        var data: [Double]
        if dtype == .float32 {
            let (a, b) = (Float(start), Float(end))
            let step = steps > 1 ? (b - a) / Float(steps - 1) : 0
            data = (0..<steps).map { i in
                Double(i < half ? a.addingProduct(step, Float(i)) : b.addingProduct(-step, Float(steps - 1 - i)))
            }
            if steps == 1 { data = [Double(a)] }
        } else {
            // float64 steps in double; PyTorch converts the bounds to an integer dtype first.
            let (start, end) = dtype == .float64 ? (start, end) : (start.rounded(.towardZero), end.rounded(.towardZero))
            let step = steps > 1 ? (end - start) / Double(steps - 1) : 0
            data = (0..<steps).map { i in i < half ? start + step * Double(i) : end - step * Double(steps - 1 - i) }
        }
        var attrs = Attributes()
        attrs.shape = [steps]
        attrs.dtype = dtype
        attrs.data = data.map { Tensor.round($0, to: dtype) }
        let id = try builder.apply1(.constant, [], attrs, at: site.location)
        return try creation(id, requiresGrad: try requiresGradArgument(site), at: site.location)
    }

    /// `logspace(0, 2, steps: 3, base: 10)`: base to the power of `steps` exponents from start to
    /// end, computed as PyTorch's CPU kernel does: the exponents in the dtype (float32: the
    /// bounds and the step rounded to float, `start + step·i` in the first half and
    /// `end − step·(steps − 1 − i)` in the second, without a fused multiply-add), the power in
    /// double; integer dtypes truncate the bounds first and step in double.
    func makeLogspace(_ site: CallSite) throws -> EvalValue {
        let start = try staticDouble(site.value("start")!, what: "start", at: site.location("start"))
        let end = try staticDouble(site.value("end")!, what: "end", at: site.location("end"))
        let steps = try staticInt(site.value("steps")!, what: "steps", at: site.location("steps"))
        let base = try site.value("base").map { try staticDouble($0, what: "base", at: site.location("base")) } ?? 10
        guard steps >= 0 else { throw Diagnostic("logspace: number of steps must be non-negative, got \(steps)", at: site.location("steps")) }
        guard steps <= 1 << 24 else { throw Diagnostic("logspace: \(steps) steps would make too large a constant", at: site.location("steps")) }
        let dtype = try dtypeArgument(site) ?? .float32
        let half = steps / 2
        let exponents: [Double]
        if steps == 1 {
            exponents = [start]
        } else if dtype == .float32 {
            let (a, b) = (Float(start), Float(end))
            let step = (b - a) / Float(steps - 1)
            exponents = (0..<steps).map { i in
                let scaled = i < half ? step * Float(i) : step * Float(steps - 1 - i)
                return Double(i < half ? a + scaled : b - scaled)
            }
        } else {
            let (a, b) = dtype == .float64 ? (start, end) : (start.rounded(.towardZero), end.rounded(.towardZero))
            let step = (b - a) / Double(steps - 1)
            exponents = (0..<steps).map { i in i < half ? a + step * Double(i) : b - step * Double(steps - 1 - i) }
        }
        var attrs = Attributes()
        attrs.shape = [steps]
        attrs.dtype = dtype
        attrs.data = exponents.map { Tensor.round(Foundation.pow(base, $0), to: dtype) }
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
