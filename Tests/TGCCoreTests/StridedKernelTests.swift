import Testing
import TGCBase
@testable import TGCCore

/// The interpreter's typed, row-at-a-time kernels (StridedWalk: merged dimensions, broadcast
/// and permuted strides) must give exactly what the element-at-a-time definition gives, for
/// odd shapes: size-1 and missing dimensions, broadcasts on both sides, empty tensors, every
/// subset of reduced axes, transposes, gathers and scatters along a middle axis.
struct StridedKernelTests {
    // MARK: the element-at-a-time reference

    private func coordinates(_ linear: Int, _ shape: [Int]) -> [Int] {
        var (rest, result) = (linear, [Int](repeating: 0, count: shape.count))
        for axis in shape.indices.reversed() {
            result[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return result
    }

    private func offset(_ coordinate: [Int], _ shape: [Int]) -> Int {
        zip(coordinate, TensorType(shape, .bool).strides).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The offset in an operand of `shape` that broadcasting reads for result coordinate `c`.
    private func broadcastOffset(_ c: [Int], _ shape: [Int]) -> Int {
        let tail = Array(c.suffix(shape.count))
        return offset(zip(tail, shape).map { $1 == 1 ? 0 : $0 }, shape)
    }

    /// Distinct values with signs, a -0 and (when asked) a NaN.
    private func values(_ count: Int, seed: Int, nan: Bool = false) -> [Double] {
        (0..<count).map { i in
            if i == 3 { return -0.0 }
            if nan && i == 5 { return .nan }
            return Double(Float(Double((i * 37 + seed * 11) % 23) - 11.5) / 7.0)
        }
    }

    private func tensor(_ shape: [Int], _ dtype: DType = .float32, seed: Int = 0, nan: Bool = false) -> Tensor {
        Tensor(type: TensorType(shape, dtype), elements: values(shape.reduce(1, *), seed: seed, nan: nan))
    }

    private func compute(_ kind: OpKind, _ operands: [Tensor], _ attrs: Attributes = .none) throws -> Tensor {
        let type = try kind.definition.inferType(operands.map(\.type), attrs)[0]
        return try Interpreter.compute(kind, operands, attrs, resultType: type, context: RunContext(), at: .unknown)
    }

    /// Bitwise equality of element lists (NaN equals NaN, -0 differs from +0).
    private func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    private let broadcastPairs: [([Int], [Int])] = [
        ([2, 3, 4], [3, 1]), ([1, 3, 1, 5], [2, 1, 1, 1]), ([4, 1, 5], [3, 1, 1, 1]), ([], [2, 3]), ([2, 1, 3], [2, 4, 1]),
        ([5], [5]), ([0, 3], [3]), ([2, 3, 4, 5], [1, 3, 1, 1]), ([6, 1], [1, 7]),
    ]

    // MARK: tests

    @Test func broadcastArithmeticMatchesTheElementwiseDefinition() throws {
        let ops: [(OpKind, (Float, Float) -> Float, (Int64, Int64) -> Int64)] = [
            (.add, +, &+), (.sub, -, &-), (.mul, *, &*), (.maximum, { $0 < $1 ? $1 : $0 }, { max($0, $1) }),
        ]
        for (aShape, bShape) in broadcastPairs {
            for (a, b) in [(aShape, bShape), (bShape, aShape)] {
                let shape = try ShapeRules.broadcast(a, b)
                let count = shape.reduce(1, *)
                for (kind, single, integer) in ops {
                    let (x, y) = (tensor(a, seed: 1), tensor(b, seed: 2))
                    let expected = (0..<count).map { i -> Double in
                        let c = coordinates(i, shape)
                        return Double(single(Float(x.elements[broadcastOffset(c, a)]), Float(y.elements[broadcastOffset(c, b)])))
                    }
                    #expect(same(try compute(kind, [x, y]).elements, expected), "\(kind) \(a) \(b)")
                    let (p, q) = (tensor(a, .int64, seed: 1), tensor(b, .int64, seed: 2))
                    let expectedIntegers = (0..<count).map { i -> Double in
                        let c = coordinates(i, shape)
                        return Double(integer(Int64(p.elements[broadcastOffset(c, a)]), Int64(q.elements[broadcastOffset(c, b)])))
                    }
                    #expect(try compute(kind, [p, q]).elements == expectedIntegers, "\(kind) int64 \(a) \(b)")
                }
                let (x, y) = (tensor(a, seed: 3), tensor(b, seed: 4))
                let less = (0..<count).map { i -> Double in
                    let c = coordinates(i, shape)
                    return x.elements[broadcastOffset(c, a)] < y.elements[broadcastOffset(c, b)] ? 1 : 0
                }
                #expect(try compute(.less, [x, y]).elements == less, "less \(a) \(b)")
            }
        }
    }

    @Test func selectAndBroadcastToReadBroadcastOperands() throws {
        for (condition, a, b) in [([2, 3, 4], [2, 3, 4], []), ([3, 1], [2, 1, 4], [4]), ([1], [2, 2], [2, 1]), ([0, 2], [2], [])] {
            let c = try compute(.greater, [tensor(condition, seed: 5), Tensor(filling: .scalar(.float32), with: 0)])
            let (x, y) = (tensor(a, seed: 6), tensor(b, seed: 7))
            let shape = try ShapeRules.broadcast(ShapeRules.broadcast(condition, a), b)
            let expected = (0..<shape.reduce(1, *)).map { i -> Double in
                let k = coordinates(i, shape)
                return c.elements[broadcastOffset(k, condition)] != 0 ? x.elements[broadcastOffset(k, a)] : y.elements[broadcastOffset(k, b)]
            }
            #expect(same(try compute(.select, [c, x, y]).elements, expected), "select \(condition) \(a) \(b)")
        }
        for (from, to) in [([3, 1], [2, 3, 4]), ([1, 4, 1], [2, 4, 3]), ([], [2, 2]), ([5], [0, 5])] {
            var attrs = Attributes()
            attrs.shape = to
            let x = tensor(from, seed: 8)
            let expected = (0..<to.reduce(1, *)).map { x.elements[broadcastOffset(coordinates($0, to), from)] }
            let result = try Interpreter.compute(.broadcastTo, [x], attrs, resultType: TensorType(to, .float32),
                                                 context: RunContext(), at: .unknown)
            #expect(same(result.elements, expected), "broadcastTo \(from) \(to)")
        }
    }

    @Test func reductionsFoldEachGroupInRowMajorOrder() throws {
        let shape = [2, 3, 4, 5]
        let x = tensor(shape, seed: 9, nan: false)
        let withNaN = tensor(shape, seed: 9, nan: true)
        for mask in 0..<16 {
            let axes = (0..<4).filter { mask & (1 << $0) != 0 }
            var attrs = Attributes()
            attrs.axes = axes
            attrs.keepDim = true
            let kept = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
            var sums = [Double](repeating: 0, count: kept.reduce(1, *))
            var maxima = [Double](repeating: -.infinity, count: sums.count)
            for i in 0..<x.elements.count {
                let g = broadcastOffset(coordinates(i, shape), kept)
                sums[g] += x.elements[i]
                maxima[g] = maxima[g].isNaN || withNaN.elements[i].isNaN ? .nan : max(maxima[g], withNaN.elements[i])
            }
            #expect(same(try compute(.reduceSum, [x], attrs).elements, sums.map { Double(Float($0)) }), "sum over \(axes)")
            #expect(same(try compute(.reduceMax, [withNaN], attrs).elements, maxima), "max over \(axes)")
            let integers = tensor(shape, .int64, seed: 9)
            var integerSums = [Double](repeating: 0, count: sums.count)
            for i in 0..<integers.elements.count { integerSums[broadcastOffset(coordinates(i, shape), kept)] += integers.elements[i] }
            #expect(try compute(.reduceSum, [integers], attrs).elements == integerSums, "int64 sum over \(axes)")
        }
        #expect(try compute(.reduceSum, [tensor([0, 3])]).elements == [0])
    }

    @Test func transposeReadsThePermutedStrides() throws {
        let shape = [2, 3, 1, 4]
        let x = tensor(shape, seed: 10)
        for permutation in [[3, 0, 2, 1], [1, 0, 2, 3], [0, 2, 1, 3], [0, 1, 2, 3], [3, 2, 1, 0]] {
            var attrs = Attributes()
            attrs.permutation = permutation
            let outShape = permutation.map { shape[$0] }
            let expected = (0..<x.elements.count).map { i -> Double in
                let c = coordinates(i, outShape)
                var source = [Int](repeating: 0, count: shape.count)
                for (axis, from) in permutation.enumerated() { source[from] = c[axis] }
                return x.elements[offset(source, shape)]
            }
            #expect(same(try compute(.transpose, [x], attrs).elements, expected), "transpose \(permutation)")
        }
    }

    @Test func gatherAndScatterAddAlongAMiddleAxis() throws {
        let (shape, indexShape, sourceShape) = ([2, 5, 4], [2, 3, 3], [2, 4, 4])
        let x = tensor(shape, seed: 11)
        let indices = (0..<indexShape.reduce(1, *)).map { Double(($0 * 7 + 3) % 5) }
        let index = Tensor(type: TensorType(indexShape, .int64), elements: indices)
        var attrs = Attributes()
        attrs.axes = [1]
        let gathered = (0..<indices.count).map { i -> Double in
            var c = coordinates(i, indexShape)
            c[1] = Int(indices[i])
            return x.elements[offset(c, shape)]
        }
        #expect(same(try compute(.gather, [x, index], attrs).elements, gathered))
        let source = tensor(sourceShape, seed: 12)
        var sums = x.elements
        for i in 0..<indices.count {
            var c = coordinates(i, indexShape)
            let from = offset(c, sourceShape)
            c[1] = Int(indices[i])
            sums[offset(c, shape)] = Double(Float(sums[offset(c, shape)]) + Float(source.elements[from]))
        }
        #expect(same(try compute(.scatterAdd, [x, index, source], attrs).elements, sums))
        let outside = Tensor(type: TensorType([2, 1, 1], .int64), elements: [0, 5])
        #expect(throws: Diagnostic.self) { try compute(.gather, [x, outside], attrs) }
    }
}
