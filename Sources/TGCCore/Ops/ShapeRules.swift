/// A type error found while building an op; the Builder attaches the source location.
public struct OpTypeError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// Shape and dtype rules shared by the op definitions (NumPy/PyTorch semantics).
public enum ShapeRules {
    /// The broadcast shape of two shapes, aligned at the trailing dimension.
    public static func broadcast(_ a: [Int], _ b: [Int]) throws -> [Int] {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                result[i] = da
            } else if da == 1 {
                result[i] = db
            } else {
                throw OpTypeError("cannot broadcast shapes \(formatShape(a)) and \(formatShape(b)): size \(da) does not match size \(db) at dimension \(i)")
            }
        }
        return result
    }

    /// torch.matmul's result shape for operands of any rank ≥ 1: a 1-D first operand is a
    /// one-row matrix and a 1-D second operand a one-column matrix, whose added dimension is
    /// removed from the result; the leading (batch) dimensions broadcast. Errors name both shapes.
    public static func matmul(_ a: [Int], _ b: [Int]) throws -> [Int] {
        guard !a.isEmpty, !b.isEmpty else {
            throw OpTypeError("matmul needs operands of at least one dimension, got \(formatShape(a)) and \(formatShape(b))")
        }
        let inner = (a[a.count - 1], b.count == 1 ? b[0] : b[b.count - 2])
        guard inner.0 == inner.1 else {
            throw OpTypeError("matmul shape mismatch: \(formatShape(a)) and \(formatShape(b)) (inner dimensions \(inner.0) and \(inner.1) differ)")
        }
        let (batchA, batchB) = (Array(a.dropLast(2)), Array(b.dropLast(2)))
        let batch: [Int]
        do {
            batch = try broadcast(batchA, batchB)
        } catch {
            throw OpTypeError("matmul batch dimensions of \(formatShape(a)) and \(formatShape(b)) do not broadcast: \(formatShape(batchA)) and \(formatShape(batchB))")
        }
        return batch + (a.count > 1 ? [a[a.count - 2]] : []) + (b.count > 1 ? [b[b.count - 1]] : [])
    }

    /// Whether `shape` broadcasts to exactly `target`.
    public static func broadcasts(_ shape: [Int], to target: [Int]) -> Bool {
        guard shape.count <= target.count else { return false }
        let offset = target.count - shape.count
        return shape.indices.allSatisfy { shape[$0] == 1 || shape[$0] == target[$0 + offset] }
    }

    /// The shape left after reducing `axes` (sorted, non-negative, in range).
    public static func reduced(_ shape: [Int], axes: [Int], keepDim: Bool) -> [Int] {
        var result: [Int] = []
        for (axis, size) in shape.enumerated() {
            if axes.contains(axis) {
                if keepDim { result.append(1) }
            } else {
                result.append(size)
            }
        }
        return result
    }

    /// The most elements one tensor may have (2^36: 256 GiB of float32), far beyond any
    /// machine tgc runs on; larger shapes are compile errors rather than failed allocations.
    public static let maximumElements = 1 << 36

    /// Checks that a result type is small enough to allocate.
    public static func checkSize(_ type: TensorType) throws {
        let count = type.elementCount   // Int.max where the product overflows
        if count > maximumElements {
            throw OpTypeError("a tensor of shape \(formatShape(type.shape)) would have \(count == .max ? "more than 2^63" : String(count)) elements; the limit is \(maximumElements)")
        }
    }

    /// The product of dims, or an error when it overflows Int or exceeds `maximumElements`.
    public static func checkedCount(_ shape: [Int]) throws -> Int {
        var count = 1
        for dim in shape {
            guard dim >= 0 else { throw OpTypeError("negative dimension \(dim) in shape \(formatShape(shape))") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw OpTypeError("shape \(formatShape(shape)) has too many elements") }
            count = product
        }
        guard count <= maximumElements else {
            throw OpTypeError("shape \(formatShape(shape)) has \(count) elements; the limit is \(maximumElements)")
        }
        return count
    }

    /// Whether a reduction of `shape` over `axes` (nil: all) folds an empty group into a
    /// result element: max, min and their arg forms have no identity for it (PyTorch raises),
    /// while a result with no elements (`zeros([0, 4]).max(dim: 1)`) is fine.
    public static func reducesAnEmptyGroup(_ shape: [Int], axes: [Int]?) -> Bool {
        let reduced = Set(axes ?? Array(shape.indices))
        let groupSize = shape.indices.filter(reduced.contains).reduce(1) { $0 * shape[$1] }
        let results = shape.indices.filter { !reduced.contains($0) }.reduce(1) { $0 * shape[$1] }
        return groupSize == 0 && results > 0
    }
}
