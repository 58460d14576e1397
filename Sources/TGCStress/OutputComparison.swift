import Foundation
import TGCCore

/// Compares what two runs of a program saved. Ints and bools must be equal; float elements
/// a (reference) and b agree when
///
///     |a − b| ≤ k · (1e-4 · |a| + 1e-5 · max(1, max |reference|))
///
/// where k = 1 + (libm calls on the value's longest path) / 4 (`GenUnit.Output.toleranceFactor`,
/// larger after long chains of exp/log/pow/tanh and for gradients). The absolute term is
/// relative to the tensor's largest element, which absorbs cancellation in sums and matmuls.
/// NaN agrees only with NaN, and an infinity only with the same infinity.
public enum OutputComparison {
    public static let relativeTolerance = 1e-4
    public static let absoluteTolerance = 1e-5

    /// A disagreement in one saved file.
    public struct Difference: Sendable, CustomStringConvertible {
        public var file: String
        public var detail: String
        public var description: String { "\(file): \(detail)" }
    }

    /// Compares the file `output.file` in the two folders; nil when they agree.
    public static func compare(_ output: GenUnit.Output, reference: URL, candidate: URL) -> Difference? {
        let a = reference.appendingPathComponent(output.file).path, b = candidate.appendingPathComponent(output.file).path
        let fileManager = FileManager.default
        switch (fileManager.fileExists(atPath: a), fileManager.fileExists(atPath: b)) {
        case (false, false): return Difference(file: output.file, detail: "neither run saved it")
        case (true, false): return Difference(file: output.file, detail: "only the reference run saved it")
        case (false, true): return Difference(file: output.file, detail: "only the candidate run saved it")
        case (true, true): break
        }
        do {
            let (typeA, typeB) = (try NPY.readType(a), try NPY.readType(b))
            guard typeA == typeB else { return Difference(file: output.file, detail: "types differ: \(typeA) vs \(typeB)") }
            let (x, y) = (try NPY.load(a, as: typeA).elements, try NPY.load(b, as: typeB).elements)
            return compare(x, y, dtype: typeA.dtype, factor: output.toleranceFactor).map { Difference(file: output.file, detail: $0) }
        } catch {
            return Difference(file: output.file, detail: "unreadable: \(error)")
        }
    }

    /// The first disagreement between element lists, described; nil when they agree.
    public static func compare(_ x: [Double], _ y: [Double], dtype: DType, factor: Double) -> String? {
        let scale = max(1, x.lazy.filter(\.isFinite).map(Swift.abs).max() ?? 1)
        var bad: [Int] = []
        for (index, (a, b)) in zip(x, y).enumerated() where !agree(a, b, dtype: dtype, scale: scale, factor: factor) {
            bad.append(index)
        }
        guard let first = bad.first else { return nil }
        return "\(bad.count) of \(x.count) elements differ; first at \(first): \(x[first]) vs \(y[first])"
    }

    static func agree(_ a: Double, _ b: Double, dtype: DType, scale: Double, factor: Double) -> Bool {
        guard dtype.isFloatingPoint else { return a == b }
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a.isInfinite || b.isInfinite { return a == b }
        return Swift.abs(a - b) <= factor * (relativeTolerance * Swift.abs(a) + absoluteTolerance * scale)
    }
}
