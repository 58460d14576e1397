import CTGCRuntime
import Dispatch
import Foundation
import Synchronization

/// The runtime's float32 product and convolutions on the run's threads. The interpreter's
/// runtime is built without OpenMP, so each thread calls the single-threaded C routine on its
/// own rows of the product or images of the batch (runs of images for the weight gradient):
/// every element is computed by the same operations in the same order whatever the thread
/// count, so the bits are those of one thread and of the compiled program.
enum ThreadedKernels {
    /// Below this many multiply-adds per thread, another thread costs more than it saves (as in
    /// the runtime's sgemm).
    static let minimumWorkPerThread = 1 << 19

    /// The threads the elementwise kernels share a large result among: they take no run
    /// context, so the last `RunContext.threads` set (the bits do not depend on it).
    static let elementwiseThreads = Atomic<Int>(ProcessInfo.processInfo.activeProcessorCount)
    /// Elementwise results of fewer elements a thread run on one thread.
    static let minimumElementsPerThread = 1 << 16

    /// How many threads share an elementwise result of `elements` elements.
    static func elementwiseParts(_ elements: Int) -> Int {
        max(1, min(elementwiseThreads.load(ordering: .relaxed), elements / minimumElementsPerThread))
    }

    /// `walk` ready to share among the elementwise threads: its rows cut to at most 16 Ki
    /// elements when it is large (a contiguous result is one long row).
    static func shared(_ walk: StridedWalk) -> StridedWalk {
        let elements = walk.rowCount * walk.rowLength
        return elementwiseParts(elements) > 1 ? walk.withRows(atMost: 1 << 14) : walk
    }

    /// `walk.forEachRow(body)`, the rows shared among the elementwise threads (each row is
    /// computed as on one thread; the rows write disjoint elements).
    static func forEachRow(of walk: StridedWalk, _ body: (_ offsets: UnsafeBufferPointer<Int>, _ row: Int) -> Void) {
        let rows = walk.rowCount
        let parts = min(elementwiseParts(rows * walk.rowLength), rows)
        run(parts) { part in walk.forEachRow(in: start(part, of: parts, rows)..<start(part + 1, of: parts, rows), body) }
    }

    /// How many of `threads` share `work` multiply-adds split into `units` independent parts.
    static func parts(_ threads: Int, work: Int, units: Int) -> Int {
        max(1, min(threads, units, work / minimumWorkPerThread))
    }

    /// Calls `body(part)` for each part, on as many threads as there are parts (the parts
    /// write disjoint memory).
    static func run(_ parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 { return body(0) }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: parts) { shared.value($0) }
        }
    }

    /// A value handed to the parts' threads, which only read it.
    private struct UncheckedSendable<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    /// The start of part `part` of `parts` over `0 ..< count`.
    @inline(__always)
    static func start(_ part: Int, of parts: Int, _ count: Int) -> Int { count * part / parts }

    /// c [m, n] = a [m, k] · b [k, n], all row-major and contiguous, rows of c split among the threads.
    static func sgemm(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                      _ c: UnsafeMutablePointer<Float>, threads: Int) {
        let parts = parts(threads, work: m * n * k, units: m)
        run(parts) { part in
            let (first, end) = (start(part, of: parts, m), start(part + 1, of: parts, m))
            tgc_sgemm(0, 0, Int64(end - first), Int64(n), Int64(k), 1, a + first * k, Int64(k), b, Int64(n), 0,
                      c + first * n, Int64(n))
        }
    }

    /// conv2d or its input gradient (`kind`), images split among the threads: `input` is x (or
    /// gy) and `output` y (or gx), `imageIn` and `imageOut` their elements per image.
    static func convolution(_ kind: OpKind, _ shape: tgc_conv2d_shape, _ input: UnsafePointer<Float>,
                            _ weight: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                            imageIn: Int, imageOut: Int, threads: Int) {
        let images = Int(shape.n)
        let parts = parts(threads, work: multiplyAdds(shape), units: images)
        run(parts) { part in
            let (first, end) = (start(part, of: parts, images), start(part + 1, of: parts, images))
            var mine = shape
            mine.n = Int64(end - first)
            if kind == .conv2d {
                tgc_conv2d_f32(&mine, input + first * imageIn, weight, output + first * imageOut)
            } else {
                tgc_conv2d_input_grad_f32(&mine, input + first * imageIn, weight, output + first * imageOut)
            }
        }
    }

    /// The weight gradient, the runtime's runs of images split among the threads, then added in
    /// run order (`tgc_conv2d_weight_grad_f32`'s bits).
    static func weightGradient(_ shape: tgc_conv2d_shape, _ x: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                               _ gw: UnsafeMutablePointer<Float>, threads: Int) {
        var shape = shape
        let runs = Int(tgc_conv2d_weight_grad_runs(&shape))
        let parts = parts(threads, work: multiplyAdds(shape), units: runs)
        guard parts > 1 else { return tgc_conv2d_weight_grad_f32(&shape, x, gy, gw) }
        let partial = Int(shape.c * shape.kh * shape.kw * shape.o)
        var sums = [Float](unsafeUninitializedCapacity: runs * partial) { _, count in count = runs * partial }
        sums.withUnsafeMutableBufferPointer { sums in
            let base = sums.baseAddress!
            run(parts) { part in
                var mine = shape
                for index in start(part, of: parts, runs)..<start(part + 1, of: parts, runs) {
                    tgc_conv2d_weight_grad_run_f32(&mine, x, gy, Int64(index), base)
                }
            }
            tgc_conv2d_weight_grad_total_f32(&shape, base, gw)
        }
    }

    /// The multiply-adds of a convolution (each of its three products has as many).
    private static func multiplyAdds(_ s: tgc_conv2d_shape) -> Int {
        Int(s.n * s.o * s.oh * s.ow * (s.c / max(s.groups, 1)) * s.kh * s.kw)
    }
}
