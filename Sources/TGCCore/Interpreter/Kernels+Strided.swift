#if canImport(Glibc)
import Glibc
#endif

/// The typed loops behind the interpreter's broadcasting, moving and reducing kernels: each
/// works on the elements' own arrays (no Double per element, no index table) and walks its
/// operands row by row through a `StridedWalk`, with the common strides (contiguous, a
/// broadcast value) as loops of their own the compiler can vectorize. Each computes exactly
/// what the element-at-a-time definition computes, in the same order.
extension Kernels {
    /// An array of `count` elements written by `fill` (not zeroed first).
    @inline(__always)
    static func uninitialized<T>(_ count: Int, _ fill: (UnsafeMutablePointer<T>) -> Void) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                adviseHugePages(UnsafeMutableRawPointer(buffer.baseAddress!), count * MemoryLayout<T>.stride)
                fill(buffer.baseAddress!)
            }
            initialized = count
        }
    }

    /// `count` copies of `value` (zeros for a C kernel's output: its pages advised as `uninitialized`'s).
    static func filled<T>(_ count: Int, with value: T) -> [T] {
        uninitialized(count) { $0.initialize(repeating: value, count: count) }
    }

    /// `f` of each element (a pure function), the elements shared among the elementwise threads.
    @inline(__always)
    static func mapped<T, R>(_ values: [T], _ f: (T) -> R) -> [R] {
        values.withUnsafeBufferPointer { x in
            uninitialized(x.count) { out in
                let parts = ThreadedKernels.elementwiseParts(x.count)
                ThreadedKernels.run(parts) { part in
                    for i in ThreadedKernels.start(part, of: parts, x.count)..<ThreadedKernels.start(part + 1, of: parts, x.count) {
                        out[i] = f(x[i])
                    }
                }
            }
        }
    }

    /// Asks the kernel to back the whole 2 MiB pages inside a large fresh buffer with
    /// transparent huge pages (as the runtime's `tgc_alloc` does): one page fault per 2 MiB
    /// instead of one per 4 KiB when the buffer is first written.
    static func adviseHugePages(_ start: UnsafeMutableRawPointer, _ bytes: Int) {
        #if canImport(Glibc)
        let page = 2 << 20
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let end = (Int(bitPattern: start) + bytes) / page * page
        if bytes >= page && end > first { _ = madvise(UnsafeMutableRawPointer(bitPattern: first), end - first, MADV_HUGEPAGE) }
        #endif
    }

    /// `f(a, b)` at each element of `shape`, a and b (row-major, of `aShape` and `bShape`) read
    /// as broadcasting reads them. `f` is a type of its own, so each use gets a loop that
    /// inlines it (a closure would be one call per element).
    static func map<F: ElementFunction>(_ a: [F.Left], _ aShape: [Int], _ b: [F.Right], _ bShape: [Int], to shape: [Int],
                                        _ f: F) -> [F.Result] {
        let walk = ThreadedKernels.shared(StridedWalk(broadcasting: [aShape, bShape], to: shape))
        let (n, sa, sb) = (walk.rowLength, walk.rowStride(0), walk.rowStride(1))
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                uninitialized(shape.reduce(1, *)) { out in
                    ThreadedKernels.forEachRow(of: walk) { offsets, row in
                        let (x, y, o) = (a.baseAddress! + offsets[0], b.baseAddress! + offsets[1], out + row * n)
                        if sa == 1 && sb == 1 {
                            for j in 0..<n { o[j] = f(x[j], y[j]) }
                        } else if sa == 1 && sb == 0 {
                            let v = y[0]
                            for j in 0..<n { o[j] = f(x[j], v) }
                        } else if sa == 0 && sb == 1 {
                            let u = x[0]
                            for j in 0..<n { o[j] = f(u, y[j]) }
                        } else {
                            for j in 0..<n { o[j] = f(x[j * sa], y[j * sb]) }
                        }
                    }
                }
            }
        }
    }

    /// `row` on each row of `shape`'s elements, shared among the elementwise threads: the
    /// operands' row starts and strides along the row as broadcasting reads them, and the
    /// result's row (`n` elements) to write.
    private static func rowsOfThree<A, B, C, R>(_ a: [A], _ aShape: [Int], _ b: [B], _ bShape: [Int], _ c: [C], _ cShape: [Int],
                                                to shape: [Int],
                                                _ row: (UnsafePointer<A>, UnsafePointer<B>, UnsafePointer<C>, UnsafeMutablePointer<R>,
                                                        _ n: Int, _ strides: (a: Int, b: Int, c: Int)) -> Void) -> [R] {
        let walk = ThreadedKernels.shared(StridedWalk(broadcasting: [aShape, bShape, cShape], to: shape))
        let (n, strides) = (walk.rowLength, (a: walk.rowStride(0), b: walk.rowStride(1), c: walk.rowStride(2)))
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeBufferPointer { c in
                    uninitialized(shape.reduce(1, *)) { out in
                        ThreadedKernels.forEachRow(of: walk) { offsets, index in
                            row(a.baseAddress! + offsets[0], b.baseAddress! + offsets[1], c.baseAddress! + offsets[2], out + index * n, n, strides)
                        }
                    }
                }
            }
        }
    }

    /// a · b + c rounded once at each element of `shape`, the operands read as broadcasting
    /// reads them, on the elementwise threads (batch norm's x·α + β in eager mode).
    static func multiplyingAdding(_ a: [Float], _ aShape: [Int], _ b: [Float], _ bShape: [Int], _ c: [Float], _ cShape: [Int],
                                  to shape: [Int]) -> [Float] {
        rowsOfThree(a, aShape, b, bShape, c, cShape, to: shape) { x, y, z, o, n, s in
            if s.a == 1 && s.b == 0 && s.c == 0 {   // x · α + β with α, β one per row
                let (u, v) = (y[0], z[0])
                for j in 0..<n { o[j] = v.addingProduct(x[j], u) }
            } else {
                for j in 0..<n { o[j] = z[j * s.c].addingProduct(x[j * s.a], y[j * s.b]) }
            }
        }
    }

    /// `where(c, a, b)`: a's element where c holds, else b's, each operand read as
    /// broadcasting reads it.
    static func choosing<T>(_ c: [Bool], _ cShape: [Int], _ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int],
                            to shape: [Int]) -> [T] {
        rowsOfThree(c, cShape, a, aShape, b, bShape, to: shape) { z, x, y, o, n, s in
            // Both sides are read before the choice, so it is a select, not a branch.
            if s.a == 1 && s.b == 1 && s.c == 0 {   // where(mask, x, scalar)
                let v = y[0]
                for j in 0..<n {
                    let u = x[j]
                    o[j] = z[j] ? u : v
                }
            } else {
                for j in 0..<n {
                    let (u, v) = (x[j * s.b], y[j * s.c])
                    o[j] = z[j * s.a] ? u : v
                }
            }
        }
    }

    /// The elements of `values` in the order `walk` reads them (operand 0): a broadcast, a
    /// transpose.
    static func reading<T>(_ values: [T], along walk: StridedWalk) -> [T] {
        let walk = ThreadedKernels.shared(walk)
        let (n, s) = (walk.rowLength, walk.rowStride(0))
        return values.withUnsafeBufferPointer { values in
            uninitialized(walk.shape.reduce(1, *)) { out in
                ThreadedKernels.forEachRow(of: walk) { offsets, row in
                    let (x, o) = (values.baseAddress! + offsets[0], out + row * n)
                    if s == 1 {
                        o.update(from: x, count: n)
                    } else if s == 0 {
                        o.update(repeating: x[0], count: n)
                    } else {
                        for j in 0..<n { o[j] = x[j * s] }
                    }
                }
            }
        }
    }

    /// For each group of a reduction of `values` (row-major, of `shape`) over `axes`: the left
    /// fold `combine(...combine(initial, first), ..., last)` of its elements in row-major order.
    static func fold<F: ElementFunction>(_ values: [F.Right], shape: [Int], axes: [Int], initial: F.Left, _ combine: F) -> [F.Left]
    where F.Result == F.Left {
        let kept = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        let walk = StridedWalk(shape: shape, strides: [TensorType(shape, .bool).strides,
                                                       StridedWalk.broadcastStrides(of: kept, in: shape)])
        let (n, sg) = (walk.rowLength, walk.rowStride(1))
        let groups = kept.reduce(1, *)
        guard groups > 0 else { return [] }   // a result with no elements (`zeros([0, 4]).sum(dim: 1)`)
        var sums = [F.Left](repeating: initial, count: groups)
        values.withUnsafeBufferPointer { values in
            sums.withUnsafeMutableBufferPointer { sums in
                guard sg == 0 else {
                    walk.forEachRow { offsets, _ in
                        let (x, g) = (values.baseAddress! + offsets[0], sums.baseAddress! + offsets[1])
                        for j in 0..<n { g[j * sg] = combine(g[j * sg], x[j]) }
                    }
                    return
                }
                // Whole rows into one sum each (a reduction over inner axes): the sums are shared
                // among the threads, each walking every row and folding those of its own sums;
                // rows come in runs of four with distinct sums, folded side by side (four
                // independent chains in flight instead of one). Each sum still takes its rows,
                // and their elements, in order.
                let parts = min(ThreadedKernels.elementwiseParts(values.count), groups)
                ThreadedKernels.run(parts) { part in
                    let mine = ThreadedKernels.start(part, of: parts, groups)..<ThreadedKernels.start(part + 1, of: parts, groups)
                    var pending = RowRun<F.Left, F.Right>()
                    walk.forEachRow { offsets, _ in
                        guard mine.contains(offsets[1]) else { return }
                        let (x, g) = (values.baseAddress! + offsets[0], sums.baseAddress! + offsets[1])
                        if pending.holds(g) { pending.fold(n, combine) }
                        pending.append(x, g)
                        if pending.count == 4 { pending.fold(n, combine) }
                    }
                    pending.fold(n, combine)
                }
            }
        }
        return sums
    }

    /// Up to four rows of a fold, each into a sum of its own (`fold`).
    private struct RowRun<Sum, Element> {
        var rows: [(x: UnsafePointer<Element>, g: UnsafeMutablePointer<Sum>)] = []
        var count: Int { rows.count }

        init() { rows.reserveCapacity(4) }

        func holds(_ g: UnsafeMutablePointer<Sum>) -> Bool { rows.contains { $0.g == g } }

        mutating func append(_ x: UnsafePointer<Element>, _ g: UnsafeMutablePointer<Sum>) { rows.append((x, g)) }

        /// Folds the `n` elements of each row into its sum, and empties the run.
        mutating func fold<F: ElementFunction>(_ n: Int, _ combine: F) where F.Left == Sum, F.Right == Element, F.Result == Sum {
            if rows.count == 4 {
                let (x0, x1, x2, x3) = (rows[0].x, rows[1].x, rows[2].x, rows[3].x)
                var (s0, s1, s2, s3) = (rows[0].g[0], rows[1].g[0], rows[2].g[0], rows[3].g[0])
                for j in 0..<n {
                    s0 = combine(s0, x0[j])
                    s1 = combine(s1, x1[j])
                    s2 = combine(s2, x2[j])
                    s3 = combine(s3, x3[j])
                }
                (rows[0].g[0], rows[1].g[0], rows[2].g[0], rows[3].g[0]) = (s0, s1, s2, s3)
            } else {
                for (x, g) in rows {
                    var sum = g[0]
                    for j in 0..<n { sum = combine(sum, x[j]) }
                    g[0] = sum
                }
            }
            rows.removeAll(keepingCapacity: true)
        }
    }
}

/// A function of an element array of any type that gives an array of the same type (moving
/// elements, not computing them), applied to a storage whatever its dtype.
protocol ElementMover {
    func callAsFunction<T>(_ values: [T]) -> [T]
}

extension TensorStorage {
    /// The storage `mover` makes of these elements, of the same dtype.
    func moved(by mover: some ElementMover) -> TensorStorage {
        switch self {
        case .float32(let v): .float32(mover(v))
        case .float64(let v): .float64(mover(v))
        case .int64(let v): .int64(mover(v))
        case .int32(let v): .int32(mover(v))
        case .uint8(let v): .uint8(mover(v))
        case .bool(let v): .bool(mover(v))
        }
    }

    /// The elements in the order `walk` reads them (operand 0).
    func reading(along walk: StridedWalk) -> TensorStorage {
        struct Reader: ElementMover {
            let walk: StridedWalk
            func callAsFunction<T>(_ values: [T]) -> [T] { Kernels.reading(values, along: walk) }
        }
        return moved(by: Reader(walk: walk))
    }
}
