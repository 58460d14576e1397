import CTGCRuntime
import Foundation
import TGCBase

/// Thrown by a `loopExit` op whose flag is set: the loop running the body (the module runner's,
/// or eager mode's) ends before this iteration, its results the values it carried in.
public struct LoopExit: Error {}

/// Runs one op on concrete tensors: the exhaustive table of reference kernels.
/// Control flow (loops, branches, gradients) is handled by the callers that own regions.
public enum Interpreter {
    /// Runs an op of any kind: effects (print, save, manualSeed) give no result, every other
    /// op gives exactly one.
    public static func run(_ kind: OpKind, _ operands: [Tensor], _ attrs: Attributes,
                           resultTypes: [TensorType], context: RunContext,
                           at location: SourceLocation) throws -> [Tensor] {
        switch kind {
        case .print:
            context.write(PrintFormatter.format(attrs.printSegments ?? [], operands) + (attrs.terminator ?? "\n"))
            return []
        case .save:
            let path = attrs.path!.hasPrefix("/") ? attrs.path! : context.outputDirectory + "/" + attrs.path!
            do {
                if let names = attrs.names {
                    try SafeTensors.save(Array(zip(names, operands)), to: path)
                } else {
                    try NPY.save(operands[0], to: path)
                }
            } catch let error as ToolError {
                throw Diagnostic(error.message, at: location)
            }
            return []
        case .progress:
            let label = PrintFormatter.format(attrs.printSegments ?? [], Array(operands.dropLast()))
            tgc_progress(attrs.name ?? "", label, Int64(operands.last!.elements[0]), Int64(attrs.upper ?? 0))
            return []
        case .addScalar:
            try context.addScalar(folder: attrs.path!, tag: attrs.name!, value: Float(operands[0].elements[0]),
                                  step: Int64(operands[1].elements[0]), at: location)
            return []
        case .manualSeed:
            context.seed(UInt64(truncatingIfNeeded: attrs.seed ?? 0))
            return []
        case .loopExit:
            if operands[0].elements[0] != 0 { throw LoopExit() }
            return []
        default:
            return [try compute(kind, operands, attrs, resultType: resultTypes[0], context: context, at: location)]
        }
    }

    /// Computes the one result of a value-producing op.
    public static func compute(_ kind: OpKind, _ operands: [Tensor], _ attrs: Attributes,
                               resultType type: TensorType, context: RunContext,
                               at location: SourceLocation) throws -> Tensor {
        let x = operands.first
        switch kind {
        case .constant:
            if let data = attrs.data { return Tensor(type: type, elements: data.map { Tensor.round($0, to: type.dtype) }) }
            return Tensor(filling: type, with: attrs.value ?? 0)
        case .arange:
            let (start, step) = (attrs.start ?? 0, attrs.step ?? 1)
            let count = type.elementCount
            return Tensor(type: type, storage: .build(type.dtype, count) {
                ArangeValues.value(at: $0, count: count, start: start, step: step, dtype: type.dtype)
            })
        case .randUniform:
            return Tensor(type: type, storage: .float32(context.uniformFloats(type.elementCount)))
        case .randNormal:
            return Tensor(type: type, storage: .float32(context.normalFloats(type.elementCount)))
        case .hyper:
            return Tensor(type: type, storage: .float64([attrs.value ?? 0]))
        case .input:
            guard let bound = context.inputs[attrs.name!] else {
                throw Diagnostic("input '\(attrs.name!)' is not bound: pass --in \(attrs.name!)=FILE.npy", at: location)
            }
            guard bound.type == type else {
                throw Diagnostic("input '\(attrs.name!)' has type \(bound.type), expected \(type)", at: location)
            }
            return bound
        case .load:
            // A relative path (a file the program saved) is under the output directory, as `save` writes it.
            let path = attrs.path!.hasPrefix("/") ? attrs.path! : context.outputDirectory + "/" + attrs.path!
            do {
                if let name = attrs.name {
                    if let names = attrs.names { try SafeTensors.checkKeys(path, names) }
                    return try SafeTensors.load(path, name: name, as: type)
                }
                return try IDX.loadDataFile(path, as: type, fileRows: attrs.fileRows)
            } catch let error as ToolError {
                throw Diagnostic(error.message, at: location)
            }
        case .neg: return Kernels.unary(x!, type, float: { -$0 }, integer: { 0 &- $0 })
        case .exp: return Kernels.unaryFloat(x!, type, { tgc_expf($0) }, double: { Foundation.exp($0) })
        case .log: return Kernels.unaryFloat(x!, type, { Foundation.log($0) }, double: { Foundation.log($0) })
        case .sin: return Kernels.unaryFloat(x!, type, { Foundation.sin($0) }, double: { Foundation.sin($0) })
        case .cos: return Kernels.unaryFloat(x!, type, { Foundation.cos($0) }, double: { Foundation.cos($0) })
        case .tanh: return Kernels.unaryFloat(x!, type, { Foundation.tanh($0) }, double: { Foundation.tanh($0) })
        case .sqrt: return Kernels.unaryFloat(x!, type, { $0.squareRoot() }, double: { $0.squareRoot() })
        case .sigmoid: return Kernels.unaryFloat(x!, type, { 1 / (1 + tgc_expf(-$0)) }, double: { tgc_sigmoid($0) })
        case .abs: return Kernels.unary(x!, type, float: { Swift.abs($0) }, integer: { $0 < 0 ? 0 &- $0 : $0 })
        // NaN and -0 pass through, as torch.relu; NaN's sign is 0, as torch.sign.
        case .relu: return Kernels.unary(x!, type, float: { $0 < 0 ? 0 : $0 }, integer: { $0 < 0 ? 0 : $0 })
        case .sign: return Kernels.unary(x!, type, float: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, integer: { $0.signum() })
        case .logicalNot: return Tensor(type: type, storage: .bool((0..<type.elementCount).map { x!.storage.double(at: $0) == 0 }))
        case .broadcastTo:
            return Tensor(type: type, storage: x!.storage.reading(along: StridedWalk(broadcasting: [x!.shape], to: type.shape)))
        case .cast, .stopGradient, .reshape:
            return Tensor(type: type, storage: x!.storage.converted(to: type.dtype))
        // Chapter 2 math: the C functions (and tgc_math.h helpers) generated code calls.
        case .floor: return Kernels.rounding(x!, type, { floorf($0) }, double: { Foundation.floor($0) })
        case .ceil: return Kernels.rounding(x!, type, { ceilf($0) }, double: { Foundation.ceil($0) })
        case .round: return Kernels.rounding(x!, type, { nearbyintf($0) }, double: { Foundation.nearbyint($0) })   // half to even
        case .trunc: return Kernels.rounding(x!, type, { truncf($0) }, double: { Foundation.trunc($0) })
        case .frac: return Kernels.unaryFloat(x!, type, { tgc_fracf($0) }, double: { tgc_frac($0) })
        case .log1p: return Kernels.unaryFloat(x!, type, { log1pf($0) }, double: { Foundation.log1p($0) })
        case .expm1: return Kernels.unaryFloat(x!, type, { expm1f($0) }, double: { Foundation.expm1($0) })
        case .log2: return Kernels.unaryFloat(x!, type, { log2f($0) }, double: { Foundation.log2($0) })
        case .log10: return Kernels.unaryFloat(x!, type, { log10f($0) }, double: { Foundation.log10($0) })
        case .exp2: return Kernels.unaryFloat(x!, type, { exp2f($0) }, double: { Foundation.exp2($0) })
        case .rsqrt: return Kernels.unaryFloat(x!, type, { 1 / $0.squareRoot() }, double: { 1 / $0.squareRoot() })
        case .reciprocal: return Kernels.unaryFloat(x!, type, { 1 / $0 }, double: { 1 / $0 })
        case .square: return Kernels.unary(x!, type, float: { $0 * $0 }, integer: { $0 &* $0 })   // float: exact in double, rounded once
        case .tan: return Kernels.unaryFloat(x!, type, { tanf($0) }, double: { Foundation.tan($0) })
        case .asin: return Kernels.unaryFloat(x!, type, { asinf($0) }, double: { Foundation.asin($0) })
        case .acos: return Kernels.unaryFloat(x!, type, { acosf($0) }, double: { Foundation.acos($0) })
        case .atan: return Kernels.unaryFloat(x!, type, { atanf($0) }, double: { Foundation.atan($0) })
        case .sinh: return Kernels.unaryFloat(x!, type, { sinhf($0) }, double: { Foundation.sinh($0) })
        case .cosh: return Kernels.unaryFloat(x!, type, { coshf($0) }, double: { Foundation.cosh($0) })
        case .erf: return Kernels.unaryFloat(x!, type, { erff($0) }, double: { Foundation.erf($0) })
        case .softplus: return Kernels.unaryFloat(x!, type, { tgc_softplusf($0) }, double: { tgc_softplus($0) })
        case .silu: return Kernels.unaryFloat(x!, type, { tgc_siluf($0) }, double: { tgc_silu($0) })
        case .gelu: return Kernels.unaryFloat(x!, type, { tgc_geluf($0) }, double: { tgc_gelu($0) })
        case .elu:
            let alpha = attrs.alpha ?? 1
            return Kernels.unaryFloat(x!, type, { tgc_eluf($0, Float(alpha)) }, double: { tgc_elu($0, alpha) })
        case .leakyRelu:
            let slope = attrs.alpha ?? 0.01
            return Kernels.unaryFloat(x!, type, { tgc_leaky_reluf($0, Float(slope)) }, double: { tgc_leaky_relu($0, slope) })
        case .clamp:   // NaN passes through; with min > max every element is max, as torch.clamp
            let low = attrs.low.map { Tensor.round($0, to: type.dtype) }, high = attrs.high.map { Tensor.round($0, to: type.dtype) }
            func clamp<T: Comparable>(_ value: T, _ low: T?, _ high: T?) -> T {
                let raised = low.map { value < $0 ? $0 : value } ?? value
                return high.map { raised > $0 ? $0 : raised } ?? raised
            }
            return Kernels.unary(x!, type, float: { clamp($0, low, high) },
                                 integer: { clamp($0, low.map { Int64($0) }, high.map { Int64($0) }) })
        // Integer results wrap (&+, &-, &*), as PyTorch's; float32 + - * / in double round to
        // what float arithmetic gives.
        case .add: return Kernels.single(operands, type, SingleArithmetic.Add()) ?? Kernels.binary(operands[0], operands[1], type, float: +, integer: &+)
        case .sub: return Kernels.single(operands, type, SingleArithmetic.Subtract()) ?? Kernels.binary(operands[0], operands[1], type, float: -, integer: &-)
        case .mul: return Kernels.single(operands, type, SingleArithmetic.Multiply()) ?? Kernels.binary(operands[0], operands[1], type, float: *, integer: &*)
        case .div:   // in the result's precision: operands converted to float first, as the C
            if let quotient = Kernels.single(operands, type, SingleArithmetic.Divide()) { return quotient }
            if type.dtype == .float64 { return Kernels.floatBinary(operands[0], operands[1], type, /) }
            return Kernels.floatBinary(operands[0], operands[1], type) { Double(Float($0) / Float($1)) }
        case .pow: return Kernels.binary(operands[0], operands[1], type, float: { Kernels.power($0, $1, type.dtype) }, integer: Kernels.power)
        case .maximum: return Kernels.binary(operands[0], operands[1], type, float: Kernels.nanMax, integer: { Swift.max($0, $1) })
        case .minimum: return Kernels.binary(operands[0], operands[1], type, float: Kernels.nanMin, integer: { Swift.min($0, $1) })
        case .mod:
            let divisor = operands[1].storage
            if !type.dtype.isFloatingPoint, (0..<divisor.count).contains(where: { divisor.int64(at: $0) == 0 }) {
                throw Diagnostic("integer modulo by zero", at: location)
            }
            return Kernels.binary(operands[0], operands[1], type, float: { Kernels.floorMod($0, $1, type.dtype) }, integer: Kernels.floorMod)
        case .equal: return Kernels.compare(operands[0], operands[1], type, Comparison.Equal.self)
        case .notEqual: return Kernels.compare(operands[0], operands[1], type, Comparison.NotEqual.self)
        case .less: return Kernels.compare(operands[0], operands[1], type, Comparison.Less.self)
        case .lessEqual: return Kernels.compare(operands[0], operands[1], type, Comparison.LessEqual.self)
        case .greater: return Kernels.compare(operands[0], operands[1], type, Comparison.Greater.self)
        case .greaterEqual: return Kernels.compare(operands[0], operands[1], type, Comparison.GreaterEqual.self)
        case .logicalAnd: return Kernels.compare(operands[0], operands[1], type, Comparison.And.self)
        case .logicalOr: return Kernels.compare(operands[0], operands[1], type, Comparison.Or.self)
        // Chapter 2 math
        case .atan2:
            if type.dtype == .float64 { return Kernels.floatBinary(operands[0], operands[1], type, Foundation.atan2) }
            return Kernels.floatBinary(operands[0], operands[1], type) { Double(atan2f(Float($0), Float($1))) }
        case .select: return Kernels.select(operands[0], operands[1], operands[2], type)
        case .fusedMultiplyAdd: return Kernels.fusedMultiplyAdd(operands[0], operands[1], operands[2], type)
        case .transpose: return Kernels.transpose(x!, attrs.permutation!, type)
        case .cyclicShift: return Kernels.cyclicShift(x!, axis: attrs.axes![0], step: Int(attrs.step!), start: Int(attrs.start!))
        // Indexing
        case .slice:
            return Tensor(type: type, storage: x!.storage.gathering(Kernels.sliceOffsets(attrs.slice!, in: x!.shape)))
        case .sliceUpdate:   // the base's elements, then the value's over the region
            var sources = Array(0..<x!.type.elementCount)
            for (i, offset) in Kernels.sliceOffsets(attrs.slice!, in: x!.shape).enumerated() { sources[offset] = sources.count + i }
            return Tensor(type: type, storage: x!.storage.appending(operands[1].storage).gathering(sources))
        case .indexSelect:
            let rows = try Kernels.rowRanges(of: x!, at: operands[1], location)
            return Tensor(type: type, storage: x!.storage.gathering(rows.flatMap { Array($0) }))
        case .indexAdd:   // rows added in index order, each sum rounded to the dtype (as the C kernel's +=)
            let (rows, values) = (try Kernels.rowRanges(of: x!, at: operands[1], location), operands[2].storage)
            if type.dtype.isFloatingPoint {
                var sums = x!.storage.doubles
                for (i, row) in rows.enumerated() {
                    for (j, offset) in row.enumerated() { sums[offset] = Tensor.round(sums[offset] + values.double(at: i * row.count + j), to: type.dtype) }
                }
                return Tensor(type: type, storage: .build(type.dtype, sums.count) { sums[$0] })
            }
            var sums = (0..<x!.type.elementCount).map(x!.storage.int64(at:))
            for (i, row) in rows.enumerated() {
                for (j, offset) in row.enumerated() { sums[offset] = sums[offset] &+ values.int64(at: i * row.count + j) }
            }
            return Tensor(type: type, storage: .build(type.dtype, sums.count, integer: { sums[$0] }))
        // Selecting
        case .gather: return try Kernels.gather(x!, operands[1], axis: attrs.axes![0], type, location)
        case .scatter, .scatterAdd:
            return try Kernels.scatter(x!, operands[1], operands[2], axis: attrs.axes![0], adding: kind == .scatterAdd, location)
        case .argsort: return Kernels.argsort(x!, axis: attrs.axes![0], descending: attrs.descending, type)
        case .cascadeSum: return Kernels.cascadeSum(x!, axes: attrs.axes ?? Array(0..<x!.type.rank), resultType: type)
        case .nllSum: return Kernels.nllSum(x!, skipping: operands[1], resultType: type)
        case .reduceSum: return Kernels.fold(x!, axes: attrs.axes ?? Array(0..<x!.type.rank), resultType: type, Folds.Sum.self)
        case .reduceMax:
            try checkNonEmpty(x!, attrs.axes, "max", location)
            return Kernels.fold(x!, axes: attrs.axes ?? Array(0..<x!.type.rank), resultType: type, Folds.Maximum.self)
        case .reduceMin:
            try checkNonEmpty(x!, attrs.axes, "min", location)
            return Kernels.fold(x!, axes: attrs.axes ?? Array(0..<x!.type.rank), resultType: type, Folds.Minimum.self)
        case .argMax, .argMin:
            try checkNonEmpty(x!, attrs.axes, kind.name, location)
            let (axes, isMax) = (attrs.axes ?? Array(0..<x!.type.rank), kind == .argMax)
            return Kernels.reduce(x!, axes: axes, resultType: type, float: { Double(Kernels.argExtreme($0, max: isMax)) },
                                  integer: { Int64(Kernels.argExtreme($0, max: isMax)) })
        // Chapter 2 math
        case .reduceProd:   // in double, in order, rounded once (the C kernel's fold); integers wrap
            return Kernels.fold(x!, axes: attrs.axes ?? Array(0..<x!.type.rank), resultType: type, Folds.Product.self)
        case .cumsum: return Kernels.cumsum(x!, axis: attrs.axes![0], resultType: type)
        case .matmul: return Kernels.matmul(operands[0], operands[1], type, threads: context.threads)
        case .conv2d, .conv2dInputGrad, .conv2dWeightGrad:
            return Kernels.convolution(kind, operands[0], operands[1], attrs: attrs, type, threads: context.threads)
        case .maxPool2dIndices: return Kernels.maxPoolIndices(operands[0], attrs: attrs, type)
        case .maxPool2d: return Kernels.maxPool(operands[0], attrs: attrs, type)
        // One process: the mean over the processes is the tensor itself, and its rank is 0.
        case .allReduce: return x!
        case .processRank: return Tensor(type: type, storage: .int64([0]))
        case .print, .save, .manualSeed, .addScalar, .progress, .loopExit:
            preconditionFailure("\(kind) has no result; Interpreter.run performs it")
        case .gradient, .forLoop, .ifElse, .yield, .fusion:
            preconditionFailure("\(kind) is control flow; its owner runs it")
        }
    }

    private static func checkNonEmpty(_ x: Tensor, _ axes: [Int]?, _ name: String, _ location: SourceLocation) throws {
        if ShapeRules.reducesAnEmptyGroup(x.type.shape, axes: axes) {
            throw Diagnostic("\(name)() of an empty tensor has no identity", at: location)
        }
    }
}
