/// A row-major walk over the elements of a result shape that reads several operands through
/// their own strides (0 along a broadcast dimension, permuted for a transpose): the shape's
/// dimensions are merged wherever every operand is contiguous across them, so the walk hands
/// out long innermost rows and the kernels loop over each row with a fixed stride per operand
/// (no per-element coordinate arithmetic).
struct StridedWalk {
    /// The merged shape, innermost dimension last (never empty: a scalar is one row of one).
    private(set) var shape: [Int]
    /// Per operand, its stride along each merged dimension.
    private(set) var strides: [[Int]]

    /// The walk over `shape` reading operand k at `strides[k]` (each as long as `shape`).
    init(shape: [Int], strides operandStrides: [[Int]]) {
        var mergedShape: [Int] = []
        var merged = [[Int]](repeating: [], count: operandStrides.count)
        for axis in shape.indices where shape[axis] != 1 {
            let canMerge = !mergedShape.isEmpty && operandStrides.indices.allSatisfy {
                merged[$0].last! == operandStrides[$0][axis] * shape[axis]
            }
            if canMerge {
                mergedShape[mergedShape.count - 1] *= shape[axis]
                for k in merged.indices { merged[k][merged[k].count - 1] = operandStrides[k][axis] }
            } else {
                mergedShape.append(shape[axis])
                for k in merged.indices { merged[k].append(operandStrides[k][axis]) }
            }
        }
        if mergedShape.isEmpty {
            mergedShape = [1]
            for k in merged.indices { merged[k] = [0] }
        }
        self.shape = mergedShape
        self.strides = merged
    }

    /// The walk over `shape` reading each operand of `operandShapes` as broadcasting reads it
    /// (shapes aligned at the right, stride 0 along a dimension of size 1 or a missing one).
    init(broadcasting operandShapes: [[Int]], to shape: [Int]) {
        self.init(shape: shape, strides: operandShapes.map { Self.broadcastStrides(of: $0, in: shape) })
    }

    /// The strides that read a row-major tensor of `shape` broadcast to `outShape`.
    static func broadcastStrides(of shape: [Int], in outShape: [Int]) -> [Int] {
        let offset = outShape.count - shape.count
        let own = TensorType(shape, .bool).strides
        return outShape.indices.map { axis in
            axis < offset || shape[axis - offset] == 1 ? 0 : own[axis - offset]
        }
    }

    /// The length of each row.
    var rowLength: Int { shape[shape.count - 1] }

    /// Operand k's stride within a row.
    func rowStride(_ k: Int) -> Int { strides[k][strides[k].count - 1] }

    /// The number of rows.
    var rowCount: Int { shape.dropLast().reduce(1, *) }

    /// The same walk with its rows cut into pieces of at most `length` elements, when the row
    /// length has a divisor between `length / 16` and `length` (more rows, to share among
    /// threads); else this walk.
    func withRows(atMost length: Int) -> StridedWalk {
        let n = rowLength
        guard n > length, let piece = stride(from: length, through: max(length / 16, 1), by: -1).first(where: { n % $0 == 0 }) else {
            return self
        }
        var walk = self
        walk.shape = shape.dropLast() + [n / piece, piece]
        walk.strides = strides.map { $0.dropLast() + [$0.last! * piece, $0.last!] }
        return walk
    }

    /// Calls `body` once per row, in row-major order, with the offset of the row's first
    /// element in each operand and the row's index (the result's offset is `row * rowLength`).
    @inline(__always)
    func forEachRow(_ body: (_ offsets: UnsafeBufferPointer<Int>, _ row: Int) -> Void) {
        forEachRow(in: 0..<rowCount, body)
    }

    /// `forEachRow` over the rows `rows` only.
    @inline(__always)
    func forEachRow(in rows: Range<Int>, _ body: (_ offsets: UnsafeBufferPointer<Int>, _ row: Int) -> Void) {
        guard !shape.contains(0), !rows.isEmpty else { return }
        let outerRank = shape.count - 1
        var coordinate = [Int](repeating: 0, count: outerRank)
        var offsets = [Int](repeating: 0, count: strides.count)
        var rest = rows.lowerBound
        for axis in stride(from: outerRank - 1, through: 0, by: -1) {
            coordinate[axis] = rest % shape[axis]
            rest /= shape[axis]
            for k in strides.indices { offsets[k] += coordinate[axis] * strides[k][axis] }
        }
        offsets.withUnsafeMutableBufferPointer { offsets in
            var row = rows.lowerBound
            while true {
                body(UnsafeBufferPointer(offsets), row)
                row += 1
                if row == rows.upperBound { return }
                var axis = outerRank - 1
                while axis >= 0 {
                    coordinate[axis] += 1
                    for k in strides.indices { offsets[k] += strides[k][axis] }
                    if coordinate[axis] < shape[axis] { break }
                    for k in strides.indices { offsets[k] -= strides[k][axis] * shape[axis] }
                    coordinate[axis] = 0
                    axis -= 1
                }
                if axis < 0 { return }
            }
        }
    }
}
