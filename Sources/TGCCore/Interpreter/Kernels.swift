import CTGCRuntime
import Foundation
import TGCBase

/// Reference kernels: the obviously-correct meaning of every pure op, the oracle for the backends.
enum Kernels {
    /// Maps each element of an output of `outShape` to the element of an operand of `shape` that
    /// broadcasting reads.
    static func broadcastIndices(from shape: [Int], to outShape: [Int]) -> [Int] {
        let count = outShape.reduce(1, *)
        if shape == outShape { return Array(0..<count) }
        let offset = outShape.count - shape.count
        let inStrides = TensorType(shape, .bool).strides
        var indices = [Int](repeating: 0, count: count)
        var coordinate = [Int](repeating: 0, count: outShape.count)
        for linear in 0..<count {
            var index = 0
            for axis in 0..<shape.count where shape[axis] != 1 {
                index += coordinate[axis + offset] * inStrides[axis]
            }
            indices[linear] = index
            var axis = outShape.count - 1
            while axis >= 0 {
                coordinate[axis] += 1
                if coordinate[axis] < outShape[axis] { break }
                coordinate[axis] = 0
                axis -= 1
            }
        }
        return indices
    }

    static func unary(_ x: Tensor, _ resultType: TensorType, _ f: (Double) -> Double) -> Tensor {
        let dtype = resultType.dtype
        return Tensor(type: resultType, elements: x.elements.map { Tensor.round(f($0), to: dtype) })
    }

    /// A float function applied in the result's precision, as the generated C does: `single`
    /// for float32 (expf, logf, ...), `double` for float64 (exp, log, ...).
    static func unaryFloat(_ x: Tensor, _ resultType: TensorType, _ single: (Float) -> Float,
                           double: (Double) -> Double) -> Tensor {
        if resultType.dtype == .float64 { return Tensor(type: resultType, elements: x.elements.map(double)) }
        return Tensor(type: resultType, elements: x.elements.map { Double(single(Float($0))) })
    }

    /// floor, ceil, round, trunc: a float function, the identity on integers (as in PyTorch).
    static func rounding(_ x: Tensor, _ resultType: TensorType, _ single: (Float) -> Float,
                         double: (Double) -> Double) -> Tensor {
        resultType.dtype.isFloatingPoint ? unaryFloat(x, resultType, single, double: double) : Tensor(type: resultType, elements: x.elements)
    }

    static func binary(_ a: Tensor, _ b: Tensor, _ resultType: TensorType,
                       _ f: (Double, Double) -> Double) -> Tensor {
        let dtype = resultType.dtype
        let count = resultType.elementCount
        // Fast paths: same shapes, or one side a single element (no index tables needed).
        if a.elements.count == count && (b.elements.count == count || b.elements.count == 1)
            && (a.shape == resultType.shape) && (b.elements.count == 1 || b.shape == resultType.shape) {
            if b.elements.count == count {
                return Tensor(type: resultType, elements: zip(a.elements, b.elements).map { Tensor.round(f($0, $1), to: dtype) })
            }
            let y = b.elements[0]
            return Tensor(type: resultType, elements: a.elements.map { Tensor.round(f($0, y), to: dtype) })
        }
        if b.elements.count == count && a.elements.count == 1 && b.shape == resultType.shape {
            let x = a.elements[0]
            return Tensor(type: resultType, elements: b.elements.map { Tensor.round(f(x, $0), to: dtype) })
        }
        let ia = broadcastIndices(from: a.shape, to: resultType.shape)
        let ib = broadcastIndices(from: b.shape, to: resultType.shape)
        var out = [Double](repeating: 0, count: resultType.elementCount)
        for i in out.indices {
            out[i] = Tensor.round(f(a.elements[ia[i]], b.elements[ib[i]]), to: dtype)
        }
        return Tensor(type: resultType, elements: out)
    }

    static func select(_ c: Tensor, _ a: Tensor, _ b: Tensor, _ resultType: TensorType) -> Tensor {
        let shape = resultType.shape
        let (ic, ia, ib) = (broadcastIndices(from: c.shape, to: shape),
                            broadcastIndices(from: a.shape, to: shape),
                            broadcastIndices(from: b.shape, to: shape))
        var out = [Double](repeating: 0, count: resultType.elementCount)
        for i in out.indices {
            out[i] = c.elements[ic[i]] != 0 ? a.elements[ia[i]] : b.elements[ib[i]]
        }
        return Tensor(type: resultType, elements: out)
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
        "index \(row < 0 ? row - rows : row) is out of bounds for dimension 0 with size \(rows)"
    }

    /// The element offsets of the rows of `x` (along dim 0) that `index` names, in its order;
    /// an index outside the rows is an error at `location` (indexSelect and indexAdd).
    static func rowRanges(of x: Tensor, at index: Tensor, _ location: SourceLocation) throws -> [Range<Int>] {
        let (rows, width) = (x.shape[0], x.shape.dropFirst().reduce(1, *))
        return try index.elements.map { value in
            let row = Int(value)
            guard row >= 0, row < rows else { throw Diagnostic(indexOutOfBounds(row, rows), at: location) }
            return row * width ..< (row + 1) * width
        }
    }

    static func transpose(_ x: Tensor, _ permutation: [Int], _ resultType: TensorType) -> Tensor {
        let inStrides = x.type.strides
        let count = resultType.elementCount
        var out = [Double](repeating: 0, count: count)
        var coordinate = [Int](repeating: 0, count: resultType.rank)
        for linear in 0..<count {
            var index = 0
            for axis in 0..<resultType.rank { index += coordinate[axis] * inStrides[permutation[axis]] }
            out[linear] = x.elements[index]
            var axis = resultType.rank - 1
            while axis >= 0 {
                coordinate[axis] += 1
                if coordinate[axis] < resultType.shape[axis] { break }
                coordinate[axis] = 0
                axis -= 1
            }
        }
        return Tensor(type: resultType, elements: out)
    }

    /// `out[..., i, ...] = x[..., (step * i + start) mod n, ...]` along `axis` (flip, roll).
    static func cyclicShift(_ x: Tensor, axis: Int, step: Int, start: Int) -> Tensor {
        let n = x.type.shape[axis]
        guard x.type.elementCount > 0 else { return x }   // an empty dimension elsewhere leaves nothing to move
        let inner = x.type.strides[axis]
        let outer = n * inner
        var out = x.elements
        for base in stride(from: 0, to: x.elements.count, by: outer) {
            for i in 0..<n {
                let source = ((step * i + start) % n + n) % n
                for j in 0..<inner { out[base + i * inner + j] = x.elements[base + source * inner + j] }
            }
        }
        return Tensor(type: x.type, elements: out)
    }

    /// Folds the elements of each output position of a reduction over `axes` with `combine`.
    static func reduce(_ x: Tensor, axes: [Int], resultType: TensorType,
                       _ fold: ([Double]) -> Double) -> Tensor {
        let keptShape = x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        let groups = keptShape.reduce(1, *)
        var members = [[Double]](repeating: [], count: groups)
        let target = broadcastIndices(from: keptShape, to: x.shape)
        for (i, element) in x.elements.enumerated() { members[target[i]].append(element) }
        let dtype = resultType.dtype
        return Tensor(type: resultType, elements: members.map { Tensor.round(fold($0), to: dtype) })
    }

    /// float32 products run the runtime's `tgc_sgemm`, the routine generated code calls, so
    /// eager and compiled products have the same bits; float64 and integer products are loops
    /// summing in order in double (exact for integers up to 2^53), as the generated C. A
    /// batched product multiplies each matrix of the result's batch in turn, reading a
    /// broadcast operand's one matrix for every batch element (one sgemm call per matrix).
    static func matmul(_ a: Tensor, _ b: Tensor, _ resultType: TensorType) -> Tensor {
        let (m, k, n) = (a.shape[a.shape.count - 2], a.shape[a.shape.count - 1], b.shape[b.shape.count - 1])
        let batch = Array(resultType.shape.dropLast(2))
        let batchesA = broadcastIndices(from: Array(a.shape.dropLast(2)), to: batch)
        let batchesB = broadcastIndices(from: Array(b.shape.dropLast(2)), to: batch)
        if resultType.dtype == .float32 && m > 0 && n > 0 && k > 0 {
            let (x, y) = (a.elements.map { Float($0) }, b.elements.map { Float($0) })
            var product = [Float](repeating: 0, count: resultType.elementCount)
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    product.withUnsafeMutableBufferPointer { c in
                        for (index, (i, j)) in zip(batchesA, batchesB).enumerated() {
                            tgc_sgemm(0, 0, Int64(m), Int64(n), Int64(k), 1, x.baseAddress! + i * m * k, Int64(k),
                                      y.baseAddress! + j * k * n, Int64(n), 0, c.baseAddress! + index * m * n, Int64(n))
                        }
                    }
                }
            }
            return Tensor(type: resultType, elements: product.map { Double($0) })
        }
        var out = [Double](repeating: 0, count: resultType.elementCount)
        for (index, (matrixA, matrixB)) in zip(batchesA, batchesB).enumerated() {
            let (offsetA, offsetB, offsetC) = (matrixA * m * k, matrixB * k * n, index * m * n)
            for i in 0..<m {
                for j in 0..<n {
                    var sum = 0.0
                    for p in 0..<k { sum += a.elements[offsetA + i * k + p] * b.elements[offsetB + p * n + j] }
                    out[offsetC + i * n + j] = Tensor.round(sum, to: resultType.dtype)
                }
            }
        }
        return Tensor(type: resultType, elements: out)
    }

    /// Python's floor modulo (torch.remainder): the result has the sign of the divisor.
    static func floorMod(_ a: Double, _ b: Double, _ dtype: DType) -> Double {
        if dtype == .float32 { return Double(tgc_floor_fmodf(Float(a), Float(b))) }
        if dtype == .float64 { return tgc_floor_fmod(a, b) }
        guard b != 0 else { return 0 }
        let r = a.truncatingRemainder(dividingBy: b)
        return r != 0 && (r < 0) != (b < 0) ? r + b : r
    }

    /// pow with PyTorch's dtype behaviour: float in single precision, integers exactly.
    static func power(_ a: Double, _ b: Double, _ dtype: DType) -> Double {
        if dtype == .float32 { return Double(tgc_powf(Float(a), Float(b))) }
        if dtype == .float64 { return tgc_pow(a, b) }
        if b < 0 { return a == 1 ? 1 : (a == -1 ? (Int(b) % 2 == 0 ? 1 : -1) : 0) }
        var result = 1.0, base = a, exponent = Int(b)
        while exponent > 0 {
            if exponent & 1 == 1 { result *= base }
            base *= base
            exponent >>= 1
        }
        return result
    }

    /// max/min that propagate NaN, as torch.maximum does.
    static func nanMax(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
    static func nanMin(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) }

    /// The index of the first maximum (NaN counts as the maximum, as in PyTorch).
    static func argExtreme(_ values: [Double], max: Bool) -> Double {
        var best = 0
        for i in values.indices.dropFirst() {
            let (v, b) = (values[i], values[best])
            if b.isNaN { break }
            if v.isNaN || (max ? v > b : v < b) { best = i }
        }
        return Double(best)
    }
}
