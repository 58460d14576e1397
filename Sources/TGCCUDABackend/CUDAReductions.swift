import TGCCBackend
import TGCCore
import TGCLowering

/// A kernel whose points reduce enough elements runs a warp or a block per point (a batch
/// norm's sums over N·H·W per channel, `sum(dim:)` rows, the reductions fusion put in front of
/// an epilogue): the group's threads stride each reorderable nest (sums, max, min) over its
/// flattened iterations, so neighbouring threads read neighbouring elements, then combine:
///
///     double s = 0.0;
///     for (int64_t tgc_r = tgc_lane; tgc_r < 1025; tgc_r += 32) {
///         const int64_t r0 = tgc_r;
///         s += (double)v1[i0 * 1025 + r0];
///     }
///     for (unsigned tgc_offset = 16; tgc_offset > 0; tgc_offset >>= 1) s += tgc_shfl_down(s, tgc_offset);
///     s = tgc_shfl_first(s);
///
/// A warp shuffles down to lane 0 and broadcasts lane 0's result; a block of 256 threads
/// writes each warp's result to shared memory and every thread folds the 8 in warp order.
/// Every thread then holds the same accumulators: the statements after a nest run in every
/// thread, and only the group's first thread stores. Nests that must fold in order (arg-max)
/// run whole in every thread. Sums accumulate in double (int64 for integers), so the tree
/// order changes a float32 result only far below its precision (as the C program's vectorized
/// sums); a max or min is exact in value and NaN propagates through the intrinsic in any order,
/// but the sign of a zero result depends on the order, so a zero result is recomputed in order
/// (`ExtremeFold.zeroSign`, as the C renderer's `emitNest` does).
///
/// A kernel of one point runs as one block: a nest the CPU schedule splits into fixed chunks
/// (`KernelSchedule.chunks`) gives each chunk to a warp (lanes stride the chunk, shuffle,
/// recompute a zero extreme over the chunk), the chunk results go to shared memory and are
/// folded in chunk order, exactly as the C program folds its chunks.
struct CUDAReductions {
    /// The threads that share one point.
    enum Group { case warp, block }

    var group: Group
    var points: Int
    /// In a kernel of one point, the nests (by index in `kernel.nests`) folded in fixed chunks.
    var chunks: [Int: (count: Int, length: Int)]

    /// Threads of a block that runs one point.
    static let blockThreads = 256
    static let warps = blockThreads / 32
    /// A nest split among threads folds at least this many elements: shorter ones (a 10-class
    /// softmax row) run one thread per point.
    static let warpWork = 32
    /// A block per point where the nest folds at least this many elements and the points are
    /// few enough that one warp each would leave the GPU idle (a batch norm over 64 channels).
    static let blockWork = 2048
    static let blockPoints = 4096
    /// With this many points or more, a nest that does not read its innermost reduction loop
    /// contiguously (a sum over leading axes) runs one thread per point: neighbouring threads
    /// then read neighbouring elements.
    static let stridedPoints = 4096
    /// Shared memory the chunks' partial results may use.
    static let sharedBytesLimit = 16 * 1024

    /// nil when the kernel has nothing worth splitting, or a nest that stores (every thread of
    /// a group runs the nests that stay sequential, so a store inside one would repeat).
    init?(_ kernel: LoopKernel) {
        guard kernel.nests.allSatisfy({ nest in nest.body.allSatisfy { $0.writtenBuffer == nil } }) else { return nil }
        points = kernel.parallelExtents.reduce(1, *)
        let split = kernel.nests.filter(\.isReorderable)
        let work = split.map(\.work).max() ?? 0
        if kernel.parallelExtents.isEmpty {
            chunks = KernelSchedule(kernel).chunks
            let partials = chunks.reduce(0) { total, entry in total + entry.value.count * kernel.nests[entry.key].accumulators.count }
            guard partials * 8 <= Self.sharedBytesLimit, !chunks.isEmpty || work >= Self.warpWork else { return nil }
            group = .block
            return
        }
        chunks = [:]
        guard work >= Self.warpWork else { return nil }
        if points >= Self.stridedPoints, !split.allSatisfy(\.readsInnermostLoopContiguously) { return nil }
        group = work >= Self.blockWork && points <= Self.blockPoints ? .block : .warp
    }

    var description: String {
        switch group {
        case .block where points == 1 && !chunks.isEmpty: "one block; a warp folds each fixed chunk, the block folds the chunks in order,"
        case .block: "a block of \(Self.blockThreads) threads per point, striding its reductions,"
        case .warp: "a warp per point, striding its reductions,"
        }
    }

    /// The launch's `grid, block`.
    var geometry: String {
        switch group {
        case .block: "dim3(tgc_cuda_blocks_for(\(points), 1, TGC_MAX_BLOCKS)), dim3(\(Self.blockThreads))"
        case .warp: "dim3(tgc_grid(\(points) * 32LL)), dim3(TGC_BLOCK)"
        }
    }

    /// The thread's index in its group, and the number of threads in the group.
    private var thread: (index: String, count: Int) {
        group == .block ? ("threadIdx.x", Self.blockThreads) : ("tgc_lane", 32)
    }

    func emit(_ kernel: LoopKernel, _ renderer: CFamilyRenderer, in emitter: inout CProgramEmitter) {
        emitter.functions.line("const unsigned tgc_lane = threadIdx.x % 32;")
        if group == .block { emitter.functions.line("const unsigned tgc_warp = threadIdx.x / 32;") }
        if !kernel.parallelExtents.isEmpty {
            switch group {
            case .block:
                emitter.functions.open("for (int64_t flat = blockIdx.x; flat < \(points); flat += gridDim.x)")
            case .warp:
                emitter.functions.open("for (int64_t flat = ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) / 32; flat < \(points); flat += (int64_t)gridDim.x * blockDim.x / 32)")
            }
            CUDAKernels.emitPointDecoding(kernel, in: &emitter)
        }
        let leader = group == .block ? "threadIdx.x == 0" : "tgc_lane == 0"
        let barrier = group == .block ? "__syncthreads();" : "__syncwarp();"
        let read = Set(kernel.allStatements.flatMap(\.buffersRead).map(renderer.bufferName))
        var nestIndex = -1
        for step in kernel.steps {
            switch step {
            case .statement(let statement):
                guard let written = statement.writtenBuffer else {
                    emitter.functions.line(renderer.render(statement))
                    continue
                }
                emitter.functions.line("if (\(leader)) " + renderer.render(statement))
                if read.contains(renderer.bufferName(written)) { emitter.functions.line(barrier) }
            case .nest(let nest):
                nestIndex += 1
                if let chunk = chunks[nestIndex] {
                    emitChunks(nest, chunk, renderer, in: &emitter)
                } else if nest.isReorderable {
                    emitSplit(nest, renderer, in: &emitter)
                } else {
                    emitter.emitNest(nest, simd: false, renderer, firstLoop: nil)
                }
            }
        }
        if !kernel.parallelExtents.isEmpty { emitter.functions.close() }
    }

    /// A nest folded by the whole group: strided, then combined so every thread holds the result.
    private func emitSplit(_ nest: ReductionNest, _ renderer: CFamilyRenderer, in emitter: inout CProgramEmitter) {
        let range = Self.IterationRange(first: nil, count: "\(nest.work)")
        switch group {
        case .warp:
            Self.emitStridedFold(nest, range, thread: thread, renderer, in: &emitter)
            Self.emitWarpCombine(nest, broadcast: true, renderer, in: &emitter)
        case .block:
            // Each warp's result in `acc_part[warp]`, folded in warp order by every thread.
            for accumulator in nest.accumulators {
                emitter.functions.line("__shared__ \(accumulator.type.cName) \(accumulator.name)_part[\(Self.warps)];")
            }
            emitter.functions.open("")
            Self.emitStridedFold(nest, range, thread: thread, renderer, in: &emitter)
            Self.emitWarpCombine(nest, broadcast: false, renderer, in: &emitter)
            for accumulator in nest.accumulators {
                emitter.functions.line("if (tgc_lane == 0) \(accumulator.name)_part[tgc_warp] = \(accumulator.name);")
            }
            emitter.functions.close()
            emitter.functions.line("__syncthreads();")
            emitter.emitFoldOfChunks(nest, count: Self.warps, renderer)
            emitter.functions.line("__syncthreads();   /* the partial results are rewritten at the next point */")
        }
        Self.emitOrderedZeroExtremes(nest, range, renderer, in: &emitter)
    }

    /// A nest of a one-point kernel in fixed chunks: a warp folds each chunk into
    /// `acc_part[chunk]`, then every thread folds the chunks in order.
    private func emitChunks(_ nest: ReductionNest, _ chunk: (count: Int, length: Int), _ renderer: CFamilyRenderer,
                            in emitter: inout CProgramEmitter) {
        emitter.functions.line("/* \(chunk.count) chunks of \(chunk.length) iterations, a warp each, folded in order */")
        for accumulator in nest.accumulators {
            emitter.functions.line("__shared__ \(accumulator.type.cName) \(accumulator.name)_part[\(chunk.count)];")
        }
        emitter.functions.open("for (int64_t chunk = tgc_warp; chunk < \(chunk.count); chunk += \(Self.warps))")
        emitter.functions.line("const int64_t chunkStart = chunk * \(chunk.length);")
        let extent = nest.extents[0]
        emitter.functions.line("const int64_t chunkEnd = chunkStart + \(chunk.length) < \(extent) ? chunkStart + \(chunk.length) : \(extent);")
        let inner = nest.work / extent
        let range = Self.IterationRange(first: "chunkStart", count: inner == 1 ? "(chunkEnd - chunkStart)" : "(chunkEnd - chunkStart) * \(inner)")
        Self.emitStridedFold(nest, range, thread: ("tgc_lane", 32), renderer, in: &emitter)
        Self.emitWarpCombine(nest, broadcast: true, renderer, in: &emitter)
        Self.emitOrderedZeroExtremes(nest, range, renderer, in: &emitter)
        for accumulator in nest.accumulators {
            emitter.functions.line("if (tgc_lane == 0) \(accumulator.name)_part[chunk] = \(accumulator.name);")
        }
        emitter.functions.close()
        emitter.functions.line("__syncthreads();")
        emitter.emitFoldOfChunks(nest, count: chunk.count, renderer)
    }

    /// Iterations `0 ..< count` of a nest's loops flattened row-major, the outermost loop
    /// starting at `first` (a chunk's start) instead of 0.
    struct IterationRange {
        var first: String?
        var count: String
    }

    /// Declares the accumulators and folds iterations `index`, `index + count`, ... of `range`.
    private static func emitStridedFold(_ nest: ReductionNest, _ range: IterationRange, thread: (index: String, count: Int),
                                        _ renderer: CFamilyRenderer, in emitter: inout CProgramEmitter) {
        for accumulator in nest.accumulators {
            emitter.functions.line("\(accumulator.type.cName) \(accumulator.name) = \(renderer.render(accumulator.initial));")
        }
        emitIterations(nest, range, from: thread.index, step: "\(thread.count)", body: nest.body, renderer, in: &emitter)
    }

    /// `for (tgc_r = from; tgc_r < count; tgc_r += step)`: the reduction variables decoded
    /// from `tgc_r`, then `body`.
    private static func emitIterations(_ nest: ReductionNest, _ range: IterationRange, from: String, step: String,
                                       body: [KernelStatement], _ renderer: CFamilyRenderer, in emitter: inout CProgramEmitter) {
        emitter.functions.open("for (int64_t tgc_r = \(from); tgc_r < \(range.count); tgc_r += \(step))")
        var inner = 1
        for (axis, extent) in nest.extents.enumerated().reversed() {
            let quotient = inner == 1 ? "tgc_r" : "tgc_r / \(inner)"
            let value = axis == 0 ? (range.first.map { "\($0) + \(quotient)" } ?? quotient) : "\(quotient) % \(extent)"
            emitter.functions.line("const int64_t \(LoopVariable.reduction(axis).name) = \(value);")
            inner *= extent
        }
        for statement in body { emitter.functions.line(renderer.render(statement)) }
        emitter.functions.close()
    }

    /// Combines each accumulator over the warp (shuffling down to lane 0); with `broadcast`,
    /// every lane then gets lane 0's result.
    private static func emitWarpCombine(_ nest: ReductionNest, broadcast: Bool, _ renderer: CFamilyRenderer, in emitter: inout CProgramEmitter) {
        emitter.functions.open("for (unsigned tgc_offset = 16; tgc_offset > 0; tgc_offset >>= 1)")
        for accumulator in nest.accumulators {
            let other = "tgc_shfl_down(\(accumulator.name), tgc_offset)"
            switch accumulator.fold.combiner {
            case .add:
                emitter.functions.line("\(accumulator.name) += \(other);")
            case .apply(let function):
                emitter.functions.line(renderer.render(.assign(accumulator.name, .call(function, [.local(accumulator.name), .local(other)]))))
            case .inOrderOnly:
                preconditionFailure("\(accumulator.name) folds in order only: its nest cannot be split among threads")
            }
        }
        emitter.functions.close()
        for accumulator in nest.accumulators where broadcast {
            emitter.functions.line("\(accumulator.name) = tgc_shfl_first(\(accumulator.name));")
        }
    }

    /// A max or min whose result is a zero is folded again in order over `range`: +0 and -0
    /// tie, and the later element wins (every thread holds the same result, so all take the
    /// branch together).
    private static func emitOrderedZeroExtremes(_ nest: ReductionNest, _ range: IterationRange, _ renderer: CFamilyRenderer,
                                                in emitter: inout CProgramEmitter) {
        for accumulator in nest.accumulators {
            guard case .extreme(let fold) = accumulator.fold, fold.zeroSign == .laterTieWins else { continue }
            emitter.functions.open("if (\(accumulator.name) == 0)")
            emitter.functions.line("/* +0 or -0: the sign comes from the ordered fold */")
            emitter.functions.line("\(accumulator.name) = \(renderer.render(accumulator.initial));")
            let body = nest.body.filter { statement in
                switch statement {
                case .declare: true
                case .assign(let name, _): name == accumulator.name
                case .store, .indirectStore, .accumulate: false
                }
            }
            emitIterations(nest, range, from: "0", step: "1", body: body, renderer, in: &emitter)
            emitter.functions.close()
        }
    }
}

extension ReductionNest {
    /// Some load in the body walks the innermost reduction loop with stride 1.
    var readsInnermostLoopContiguously: Bool {
        let innermost = LoopVariable.reduction(extents.count - 1)
        var contiguous = false
        for statement in body {
            statement.value.visit(indices: { buffer, index in
                if buffer != nil, index.stride(of: innermost) == 1 { contiguous = true }
            })
        }
        return contiguous
    }
}
