import CTGCRuntime
import Foundation
import TGCBase

/// Reference kernels: the obviously-correct meaning of every pure op, the oracle for the backends.
enum Kernels {
    /// Maps each element of an output of `outShape` to the element of an operand of `shape` that
    /// broadcasting reads.
    static func broadcastIndices(from shape: [Int], to outShape: [Int]) -> [Int] {
        if shape == outShape { return Array(0..<outShape.reduce(1, *)) }
        return reading(Array(0..<shape.reduce(1, *)), along: StridedWalk(broadcasting: [shape], to: outShape))
    }

    /// An elementwise op computed as the generated C computes it: in double (`float`, then
    /// rounded) when the result is floating point, else in int64 with wrapping (`integer`,
    /// then the low bits for int32 and uint8, `!= 0` for bool).
    static func unary(_ x: Tensor, _ resultType: TensorType, float: (Double) -> Double, integer: (Int64) -> Int64) -> Tensor {
        let (storage, count) = (x.storage, resultType.elementCount)
        if case .float32(let v) = storage, resultType.dtype == .float32 {
            return Tensor(type: resultType, storage: .float32(mapped(v) { Float(float(Double($0))) }))
        }
        if resultType.dtype.isFloatingPoint {
            return Tensor(type: resultType, storage: .build(resultType.dtype, count) { float(storage.double(at: $0)) })
        }
        return Tensor(type: resultType, storage: .build(resultType.dtype, count, integer: { integer(storage.int64(at: $0)) }))
    }

    /// A float function applied in the result's precision, as the generated C does: `single`
    /// for float32 (expf, logf, ...), `double` for float64 (exp, log, ...).
    static func unaryFloat(_ x: Tensor, _ resultType: TensorType, _ single: (Float) -> Float,
                           double: (Double) -> Double) -> Tensor {
        let storage = x.storage
        if resultType.dtype == .float64 {
            return Tensor(type: resultType, storage: .float64((0..<storage.count).map { double(storage.double(at: $0)) }))
        }
        if case .float32(let v) = storage { return Tensor(type: resultType, storage: .float32(mapped(v, single))) }
        return Tensor(type: resultType, storage: .float32((0..<storage.count).map { single(storage.float(at: $0)) }))
    }

    /// floor, ceil, round, trunc: a float function, the identity on integers (as in PyTorch).
    static func rounding(_ x: Tensor, _ resultType: TensorType, _ single: (Float) -> Float,
                         double: (Double) -> Double) -> Tensor {
        resultType.dtype.isFloatingPoint ? unaryFloat(x, resultType, single, double: double) : Tensor(type: resultType, storage: x.storage)
    }

    /// Where each element of a result reads a broadcast operand: its own position (same
    /// shape), the operand's one element, or a table of broadcast indices.
    enum ReadMap {
        case same, single, table([Int])

        init(_ operandShape: [Int], _ shape: [Int]) {
            if operandShape == shape { self = .same }
            else if operandShape.reduce(1, *) == 1 { self = .single }
            else { self = .table(Kernels.broadcastIndices(from: operandShape, to: shape)) }
        }

        @inline(__always)
        func callAsFunction(_ i: Int) -> Int {
            switch self {
            case .same: i
            case .single: 0
            case .table(let indices): indices[i]
            }
        }
    }

    /// + - * / of two float32 operands into a float32 result, in single precision: a double
    /// holds the exact result of each to within half a float32 ulp, so rounding the double
    /// result once gives these same bits (`binary`'s definition); nil for other dtypes.
    static func single<F: ElementFunction>(_ operands: [Tensor], _ resultType: TensorType, _ f: F) -> Tensor?
    where F.Left == Float, F.Right == Float, F.Result == Float {
        guard case .float32(let u) = operands[0].storage, case .float32(let v) = operands[1].storage,
              resultType.dtype == .float32 else { return nil }
        return Tensor(type: resultType, storage: .float32(map(u, operands[0].shape, v, operands[1].shape, to: resultType.shape, f)))
    }

    /// A broadcasting binary op: in double when the result is floating point, else in int64
    /// with wrapping (see `unary`).
    static func binary(_ a: Tensor, _ b: Tensor, _ resultType: TensorType,
                       float: (Double, Double) -> Double, integer: (Int64, Int64) -> Int64) -> Tensor {
        // The common case first (eager mode's per-op cost): two float32 tensors.
        if case .float32(let u) = a.storage, case .float32(let v) = b.storage, resultType.dtype == .float32 {
            let sums = withoutActuallyEscaping(float) { float in
                map(u, a.shape, v, b.shape, to: resultType.shape, ElementClosure { Float(float(Double($0), Double($1))) })
            }
            return Tensor(type: resultType, storage: .float32(sums))
        }
        let (x, y, count) = (a.storage, b.storage, resultType.elementCount)
        let (ia, ib) = (ReadMap(a.shape, resultType.shape), ReadMap(b.shape, resultType.shape))
        if resultType.dtype.isFloatingPoint {
            return Tensor(type: resultType, storage: .build(resultType.dtype, count) {
                float(x.double(at: ia($0)), y.double(at: ib($0)))
            })
        }
        return Tensor(type: resultType, storage: .build(resultType.dtype, count, integer: {
            integer(x.int64(at: ia($0)), y.int64(at: ib($0)))
        }))
    }

    /// A binary op whose result is always floating point (division, atan2), in double.
    static func floatBinary(_ a: Tensor, _ b: Tensor, _ resultType: TensorType, _ f: (Double, Double) -> Double) -> Tensor {
        binary(a, b, resultType, float: f, integer: { _, _ in preconditionFailure("\(resultType) is not a float result") })
    }

    /// A comparison or logical op, a bool result: in double when either operand is floating
    /// point, else exactly in int64 (as the generated C compares in the common type).
    static func compare<C: ElementComparison>(_ a: Tensor, _ b: Tensor, _ resultType: TensorType, _ comparison: C.Type) -> Tensor {
        if case .float32(let u) = a.storage, case .float32(let v) = b.storage {
            return Tensor(type: resultType, storage: .bool(map(u, a.shape, v, b.shape, to: resultType.shape, SingleComparison<C>())))
        }
        let (x, y, count) = (a.storage, b.storage, resultType.elementCount)
        let (ia, ib) = (ReadMap(a.shape, resultType.shape), ReadMap(b.shape, resultType.shape))
        if a.dtype.isFloatingPoint || b.dtype.isFloatingPoint {
            return Tensor(type: resultType, storage: .bool((0..<count).map { C.holds(x.double(at: ia($0)), y.double(at: ib($0))) }))
        }
        return Tensor(type: resultType, storage: .bool((0..<count).map { C.holds(x.int64(at: ia($0)), y.int64(at: ib($0))) }))
    }

    /// `where(c, a, b)`: a and b converted to the result's dtype, each element picked by c.
    static func select(_ c: Tensor, _ a: Tensor, _ b: Tensor, _ resultType: TensorType) -> Tensor {
        let shape = resultType.shape
        if case .bool(let z) = c.storage, case .float32(let u) = a.storage, case .float32(let v) = b.storage,
           resultType.dtype == .float32 {
            return Tensor(type: resultType, storage: .float32(choosing(z, c.shape, u, a.shape, v, b.shape, to: shape)))
        }
        let (ic, ia, ib) = (broadcastIndices(from: c.shape, to: shape),
                            broadcastIndices(from: a.shape, to: shape),
                            broadcastIndices(from: b.shape, to: shape))
        let (condition, count) = (c.storage, a.type.elementCount)
        let both = a.storage.converted(to: resultType.dtype).appending(b.storage.converted(to: resultType.dtype))
        let picks = (0..<resultType.elementCount).map { condition.int64(at: ic[$0]) != 0 ? ia[$0] : count + ib[$0] }
        return Tensor(type: resultType, storage: both.gathering(picks))
    }

    /// a · b + c with one rounding, in the result's float type (Float's or Double's fma).
    static func fusedMultiplyAdd(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ resultType: TensorType) -> Tensor {
        if case .float32(let x) = a.storage, case .float32(let y) = b.storage, case .float32(let z) = c.storage {
            return Tensor(type: resultType, storage: .float32(multiplyingAdding(x, a.shape, y, b.shape, z, c.shape, to: resultType.shape)))
        }
        let (ia, ib, ic) = (ReadMap(a.shape, resultType.shape), ReadMap(b.shape, resultType.shape), ReadMap(c.shape, resultType.shape))
        let count = resultType.elementCount
        let (x, y, z) = (a.storage, b.storage, c.storage)
        return Tensor(type: resultType, storage: .build(resultType.dtype, count) {
            z.double(at: ic($0)).addingProduct(x.double(at: ia($0)), y.double(at: ib($0)))
        })
    }

    /// The row-major offset in a tensor of `shape` of each element of the slice `dims`, in the
    /// slice's own row-major order.
    static func sliceOffsets(_ dims: [SliceDim], in shape: [Int]) -> [Int] {
        var offsets = [0]
        for (dim, stride) in zip(dims, TensorType(shape, .bool).strides) {
            offsets = offsets.flatMap { base in (0..<dim.size).map { base + (dim.start + $0 * dim.step) * stride } }
        }
        return offsets
    }

    /// The message of a row index outside `0 ..< rows` (negative indices were already moved up
    /// by `rows`, so the index written in the program is recovered): PyTorch's words.
    public static func indexOutOfBounds(_ row: Int, _ rows: Int) -> String {
        indexOutOfBounds(row < 0 ? row - rows : row, dimension: 0, size: rows)
    }

    /// The element offsets of the rows of `x` (along dim 0) that `index` names, in its order;
    /// an index outside the rows is an error at `location` (indexSelect and indexAdd).
    static func rowRanges(of x: Tensor, at index: Tensor, _ location: SourceLocation) throws -> [Range<Int>] {
        let (rows, width) = (x.shape[0], x.shape.dropFirst().reduce(1, *))
        return try (0..<index.storage.count).map { i in
            let row = Int(index.storage.int64(at: i))
            guard row >= 0, row < rows else { throw Diagnostic(indexOutOfBounds(row, rows), at: location) }
            return row * width ..< (row + 1) * width
        }
    }

    static func transpose(_ x: Tensor, _ permutation: [Int], _ resultType: TensorType) -> Tensor {
        let strides = x.type.strides
        let walk = StridedWalk(shape: resultType.shape, strides: [permutation.map { strides[$0] }])
        return Tensor(type: resultType, storage: x.storage.reading(along: walk))
    }

    /// `out[..., i, ...] = x[..., (step * i + start) mod n, ...]` along `axis` (flip, roll).
    static func cyclicShift(_ x: Tensor, axis: Int, step: Int, start: Int) -> Tensor {
        let n = x.type.shape[axis]
        guard x.type.elementCount > 0 else { return x }   // an empty dimension elsewhere leaves nothing to move
        let inner = x.type.strides[axis]
        let outer = n * inner
        var sources = Array(0..<x.type.elementCount)
        for base in stride(from: 0, to: sources.count, by: outer) {
            for i in 0..<n {
                let source = ((step * i + start) % n + n) % n
                for j in 0..<inner { sources[base + i * inner + j] = base + source * inner + j }
            }
        }
        return Tensor(type: x.type, storage: x.storage.gathering(sources))
    }

    /// The running sums along `axis` (any axis of a 0-dim tensor is the tensor itself), each
    /// sum kept in double and every partial result rounded to the dtype, as PyTorch's CPU kernel.
    static func cumsum(_ x: Tensor, axis: Int, resultType: TensorType) -> Tensor {
        let n = x.type.rank == 0 ? 1 : x.type.shape[axis]
        let inner = x.type.rank == 0 ? 1 : x.type.strides[axis]
        if !resultType.dtype.isFloatingPoint {   // exactly in int64, wrapping
            let values = (0..<x.storage.count).map(x.storage.int64(at:))
            var out = values
            for base in stride(from: 0, to: values.count, by: max(n * inner, 1)) {
                for j in 0..<inner {
                    var sum: Int64 = 0
                    for i in 0..<n {
                        sum = sum &+ values[base + i * inner + j]
                        out[base + i * inner + j] = sum
                    }
                }
            }
            return Tensor(type: resultType, storage: .build(resultType.dtype, out.count, integer: { out[$0] }))
        }
        let values = x.elements
        var out = values
        for base in stride(from: 0, to: values.count, by: max(n * inner, 1)) {
            for j in 0..<inner {
                var sum = 0.0
                for i in 0..<n {
                    sum += values[base + i * inner + j]
                    out[base + i * inner + j] = Tensor.round(sum, to: resultType.dtype)
                }
            }
        }
        return Tensor(type: resultType, elements: out)
    }

    /// A reduction over `axes` as a left fold of each group's elements in row-major order: in
    /// double when x is floating point (the result rounded to its dtype), else exactly in
    /// int64 (wrapping).
    static func fold<R: FoldReduction>(_ x: Tensor, axes: [Int], resultType: TensorType, _ reduction: R.Type) -> Tensor {
        let sums: [Double]
        switch x.storage {
        case .float32(let v): sums = fold(v, shape: x.shape, axes: axes, initial: R.floatStart, FloatFoldStep<R, Float>())
        case .float64(let v): sums = fold(v, shape: x.shape, axes: axes, initial: R.floatStart, FloatFoldStep<R, Double>())
        default:
            let values = (0..<x.storage.count).map(x.storage.int64(at:))
            let sums = fold(values, shape: x.shape, axes: axes, initial: R.integerStart, IntegerFoldStep<R>())
            return Tensor(type: resultType, storage: .build(resultType.dtype, sums.count, integer: { sums[$0] }))
        }
        return Tensor(type: resultType, storage: .build(resultType.dtype, sums.count) { sums[$0] })
    }

    /// The float sum over `axes` in PyTorch's CPU order: the runtime's `tgc_cascade_sum_*`, which
    /// generated code calls too, so both modes give PyTorch's bits.
    static func cascadeSum(_ x: Tensor, axes: [Int], resultType: TensorType) -> Tensor {
        let shape = x.shape.map(Int64.init)
        let reduced = TensorType.reducedAxesMask(axes)
        let rank = Int32(shape.count)
        switch x.storage {
        case .float32(let v):
            var out = [Float](repeating: 0, count: resultType.elementCount)
            tgc_cascade_sum_f32(v, &out, rank, shape, reduced)
            return Tensor(type: resultType, storage: .float32(out))
        case .float64(let v):
            var out = [Double](repeating: 0, count: resultType.elementCount)
            tgc_cascade_sum_f64(v, &out, rank, shape, reduced)
            return Tensor(type: resultType, storage: .float64(out))
        default:
            preconditionFailure("cascadeSum of \(x.dtype): its type rule admits float tensors only")
        }
    }

    /// nll_loss's sum of x's values in sample order, skipping those where `skip` is true: the
    /// runtime's `tgc_nll_sum_*`, which generated code calls too.
    static func nllSum(_ x: Tensor, skipping skip: Tensor, resultType: TensorType) -> Tensor {
        guard case .bool(let flags) = skip.storage else { preconditionFailure("nllSum's mask is bool by its type rule") }
        let mask = flags.map { $0 ? UInt8(1) : 0 }
        let n = Int64(x.type.elementCount)
        switch x.storage {
        case .float32(let v): return Tensor(type: resultType, storage: .float32([tgc_nll_sum_f32(v, mask, n)]))
        case .float64(let v): return Tensor(type: resultType, storage: .float64([tgc_nll_sum_f64(v, mask, n)]))
        default: preconditionFailure("nllSum of \(x.dtype): its type rule admits float tensors only")
        }
    }

    /// Folds the elements of each output position of a reduction over `axes`: in double when
    /// x is floating point (`float`, the result rounded to its dtype), else exactly in int64
    /// (`integer`, wrapping).
    static func reduce(_ x: Tensor, axes: [Int], resultType: TensorType,
                       float: ([Double]) -> Double, integer: ([Int64]) -> Int64) -> Tensor {
        let keptShape = x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        let groups = keptShape.reduce(1, *)
        var members = [[Int]](repeating: [], count: groups)
        let target = broadcastIndices(from: keptShape, to: x.shape)
        for i in 0..<x.type.elementCount { members[target[i]].append(i) }
        let storage = x.storage
        if x.dtype.isFloatingPoint {
            return Tensor(type: resultType, storage: .build(resultType.dtype, groups) { float(members[$0].map(storage.double(at:))) })
        }
        return Tensor(type: resultType, storage: .build(resultType.dtype, groups, integer: { integer(members[$0].map(storage.int64(at:))) }))
    }

    /// float32 products run the runtime's `tgc_sgemm` (on `threads`, `ThreadedKernels`), the routine generated code calls, so
    /// eager and compiled products have the same bits; float64 products are loops summing in
    /// order in double and integer ones in int64 with wrapping, as the generated C. A batched
    /// product multiplies each matrix of the result's batch in turn, reading a broadcast
    /// operand's one matrix for every batch element (one sgemm call per matrix).
    static func matmul(_ a: Tensor, _ b: Tensor, _ resultType: TensorType, threads: Int) -> Tensor {
        let (m, k, n) = (a.shape[a.shape.count - 2], a.shape[a.shape.count - 1], b.shape[b.shape.count - 1])
        let batch = Array(resultType.shape.dropLast(2))
        let batchesA = broadcastIndices(from: Array(a.shape.dropLast(2)), to: batch)
        let batchesB = broadcastIndices(from: Array(b.shape.dropLast(2)), to: batch)
        if case .float32(let x) = a.storage, case .float32(let y) = b.storage, m > 0 && n > 0 && k > 0 {
            let product: [Float] = x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    uninitialized(resultType.elementCount) { c in
                        for (index, (i, j)) in zip(batchesA, batchesB).enumerated() {
                            ThreadedKernels.sgemm(m, n, k, x.baseAddress! + i * m * k, y.baseAddress! + j * k * n,
                                                  c + index * m * n, threads: threads)
                        }
                    }
                }
            }
            return Tensor(type: resultType, storage: .float32(product))
        }
        /// The offset in a and in b of the first element that result element `r` sums over.
        func starts(_ r: Int) -> (Int, Int, Int) {
            let (matrix, within) = (r / max(m * n, 1), r % max(m * n, 1))
            return (batchesA[matrix] * m * k + within / n * k, batchesB[matrix] * k * n + within % n, n)
        }
        let (x, y, count) = (a.storage, b.storage, resultType.elementCount)
        if resultType.dtype.isFloatingPoint {
            return Tensor(type: resultType, storage: .build(resultType.dtype, count) { r in
                let (offsetA, offsetB, stride) = starts(r)
                var sum = 0.0
                for p in 0..<k { sum += x.double(at: offsetA + p) * y.double(at: offsetB + p * stride) }
                return sum
            })
        }
        return Tensor(type: resultType, storage: .build(resultType.dtype, count, integer: { r in
            let (offsetA, offsetB, stride) = starts(r)
            var sum: Int64 = 0
            for p in 0..<k { sum = sum &+ x.int64(at: offsetA + p) &* y.int64(at: offsetB + p * stride) }
            return sum
        }))
    }

    /// Python's floor modulo (torch.remainder): the result has the divisor's sign.
    static func floorMod(_ a: Double, _ b: Double, _ dtype: DType) -> Double {
        switch dtype {
        case .float32: Double(tgc_floor_fmodf(Float(a), Float(b)))
        case .float64: tgc_floor_fmod(a, b)
        default: Double(floorMod(Int64(element: a), Int64(element: b)))
        }
    }

    /// Floor modulo of integers, as the generated C's `tgc_op_floor_imod` (b = 0 and -1 give 0;
    /// the interpreter reports a zero divisor before).
    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
        guard b != 0, b != -1 else { return 0 }
        let r = a % b
        return r != 0 && (r < 0) != (b < 0) ? r + b : r
    }

    /// Power with `dtype`'s behaviour: a square is a multiplication (exact), otherwise powf or
    /// pow; integers exactly (wrapping), as `power(_:_:)` of Int64s.
    static func power(_ a: Double, _ b: Double, _ dtype: DType) -> Double {
        switch dtype {
        case .float32: Double(tgc_powf(Float(a), Float(b)))
        case .float64: tgc_pow(a, b)
        default: Double(power(Int64(element: a), Int64(element: b)))
        }
    }

    /// Integer power by squaring with wrapping, as the generated C's `tgc_op_ipow`.
    static func power(_ a: Int64, _ b: Int64) -> Int64 {
        if b < 0 { return a == 1 ? 1 : (a == -1 ? (b & 1 == 0 ? 1 : -1) : 0) }
        var (result, base, exponent): (Int64, Int64, Int64) = (1, a, b)
        while exponent > 0 {
            if exponent & 1 == 1 { result = result &* base }
            base = base &* base
            exponent >>= 1
        }
        return result
    }

    /// max/min that propagate NaN, as torch.maximum does.
    static func nanMax(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
    static func nanMin(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) }

    /// The index of the first maximum (NaN counts as the maximum, as in PyTorch).
    static func argExtreme<T: Comparable>(_ values: [T], max: Bool) -> Int {
        var best = 0
        for i in values.indices.dropFirst() {
            let (v, b) = (values[i], values[best])
            if b != b { break }   // NaN
            if v != v || (max ? v > b : v < b) { best = i }
        }
        return best
    }
}
