import TGCCBackend
import TGCCore
import TGCLowering

/// Lowered kernels as `__global__` functions. The body at each point is what the C renderer
/// prints (`CProgramEmitter.emitSteps`: statements and sequential reduction nests, spelled by
/// `CFamilyRenderer`); only the mapping of points onto threads is CUDA's:
///
///     __global__ void fused_sub_exp(float *restrict v4, const float *restrict v1) {
///         for (int64_t flat = blockIdx.x * blockDim.x + threadIdx.x; flat < 32; flat += gridDim.x * blockDim.x) {
///             const int64_t i1 = flat % 8;
///             const int64_t i0 = flat / 8;
///             v4[i0 * 8 + i1] = tgc_expf(v1[i0 * 8 + i1] - 1.0f);
///         }
///     }
///     TGC_LAUNCH(fused_sub_exp, dim3(tgc_grid(32)), dim3(TGC_BLOCK), 0, 3, d4, d1);  /* model.swiftdsl:3:9 */
///
/// - a kernel over points runs a grid-stride loop over its flattened parallel extent;
/// - a kernel whose points may write one element (`racingVariables`: scatter-add, index-put)
///   runs on one thread, in loop order, as the C program does (never atomics: the sums keep one order);
/// - a kernel of one point whose reductions the CPU schedule splits into fixed chunks
///   (`KernelSchedule.chunks`) runs as one block: each thread folds whole chunks, the block
///   folds the chunks' results in chunk order (the C program's order, so the same bits on any
///   block size); other kernels of one point run on one thread.
enum CUDAKernels {
    /// How a kernel's points map onto threads.
    enum Mapping {
        case gridStride(points: Int)
        case oneThread
        case oneBlock(chunks: [Int: (count: Int, length: Int)])
    }

    /// Shared memory a block reduction may use for its chunks' partial results.
    static let sharedBytesLimit = 16 * 1024

    static func mapping(_ kernel: LoopKernel) -> Mapping {
        if !kernel.racingVariables.isEmpty { return .oneThread }
        guard kernel.parallelExtents.isEmpty else { return .gridStride(points: kernel.parallelExtents.reduce(1, *)) }
        let chunks = KernelSchedule(kernel).chunks
        let partials = chunks.reduce(0) { total, entry in total + entry.value.count * kernel.nests[entry.key].accumulators.count }
        // Every thread runs the statements between nests; a store inside a nest would be repeated.
        let nestsOnlyFold = kernel.nests.allSatisfy { nest in nest.body.allSatisfy { $0.writtenBuffer == nil } }
        guard !chunks.isEmpty, nestsOnlyFold, partials * 8 <= sharedBytesLimit else { return .oneThread }
        return .oneBlock(chunks: chunks)
    }

    /// Emits `kernel` (the lowering of `op`, or its matmul epilogue) as a `__global__` function
    /// and its launch in the host program.
    static func emit(_ kernel: LoopKernel, for op: Op, in emitter: inout CProgramEmitter) {
        let function = emitter.uniqueFunctionName(CProgramEmitter.functionBase(op))
        var buffers = emitter.kernelBuffers([kernel])
        buffers.renderer.intrinsicName = CUDAPrelude.intrinsicName
        let mapping = mapping(kernel)
        var comment = ["/* \(function): \(description(mapping)) over \(op.result.type)"]
        comment += emitter.sourceLines(of: CProgramEmitter.members(op))
        comment[comment.count - 1] += " */"
        for line in comment { emitter.functions.line(line) }
        emitter.functions.open("__global__ void \(function)(\(buffers.parameters))")
        var schedule = KernelSchedule(kernel)   // the steps run sequentially at each point
        schedule.simdNests = []
        switch mapping {
        case .gridStride(let points):
            emitGridStride(kernel, points: points, schedule, buffers.renderer, in: &emitter)
        case .oneThread:
            if kernel.parallelExtents.isEmpty {
                emitter.emitSteps(kernel, schedule, buffers.renderer)
            } else {
                emitGridStride(kernel, points: kernel.parallelExtents.reduce(1, *), schedule, buffers.renderer, in: &emitter)
            }
        case .oneBlock(let chunks):
            emitBlockReduction(kernel, chunks: chunks, buffers.renderer, in: &emitter)
        }
        emitter.functions.close()
        emitter.functions.line()

        let geometry = switch mapping {
        case .gridStride(let points): "dim3(tgc_grid(\(points))), dim3(TGC_BLOCK)"
        case .oneThread: "dim3(1), dim3(1)"
        case .oneBlock: "dim3(1), dim3(TGC_BLOCK)"
        }
        let arguments = buffers.addresses.map { CProgramEmitter.deviceName(buffers.names[$0]!) }
        let location = CProgramEmitter.locationText(op.location)
        emitter.out.line("TGC_LAUNCH(\(function), \(geometry), 0, \(op.location.line)" + arguments.map { ", " + $0 }.joined() + ");"
                         + (location.isEmpty ? "" : "  /* \(CSourceText.comment(location)) */"))
    }

    /// An element group as one grid-stride loop over its concatenated elements: each point
    /// finds its segment by offset and runs that segment's statements at its element.
    static func emitElementGroup(_ group: ElementGroup, in emitter: inout CProgramEmitter) {
        let function = emitter.elementGroupFunctionName(group)
        var buffers = emitter.kernelBuffers(group.segments.map(\.kernel))
        buffers.renderer.intrinsicName = CUDAPrelude.intrinsicName
        let total = group.elementCount
        for line in emitter.elementGroupComment(group, function: function, how: "a grid-stride loop over the \(total) elements of \(group.segments.count) tensor sizes") {
            emitter.functions.line(line)
        }
        emitter.functions.open("__global__ void \(function)(\(buffers.parameters))")
        emitter.functions.open("for (int64_t flat = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; flat < \(total); flat += (int64_t)gridDim.x * blockDim.x)")
        for (index, segment) in group.segments.enumerated() {
            let condition = "if (flat < \(segment.offset + segment.count))"
            if index == 0 { emitter.functions.open(condition) } else { emitter.functions.close("} else \(condition) {"); emitter.functions.indent += 1 }
            emitter.functions.line("const int64_t \(LoopVariable.parallel(0).name) = flat - \(segment.offset);")
            emitter.emitSteps(segment.kernel, KernelSchedule(segment.kernel), buffers.renderer)
        }
        emitter.functions.close()
        emitter.functions.close()
        emitter.functions.close()
        emitter.functions.line()
        let first = group.members[0]
        let arguments = buffers.addresses.map { CProgramEmitter.deviceName(buffers.names[$0]!) }
        let location = CProgramEmitter.locationText(first.location)
        emitter.out.line("TGC_LAUNCH(\(function), dim3(tgc_grid(\(total))), dim3(TGC_BLOCK), 0, \(first.location.line)" + arguments.map { ", " + $0 }.joined() + ");"
                         + (location.isEmpty ? "" : "  /* \(CSourceText.comment(location)) */"))
    }

    private static func description(_ mapping: Mapping) -> String {
        switch mapping {
        case .gridStride: "a grid-stride loop over the points"
        case .oneThread: "one thread, in loop order,"
        case .oneBlock: "one block folding fixed chunks"
        }
    }

    /// `for (flat = thread; flat < points; flat += threads)`, the parallel loop variables
    /// decoded from `flat` (row-major), then the steps.
    private static func emitGridStride(_ kernel: LoopKernel, points: Int, _ schedule: KernelSchedule,
                                       _ renderer: CFamilyRenderer, in emitter: inout CProgramEmitter) {
        emitter.functions.open("for (int64_t flat = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; flat < \(points); flat += (int64_t)gridDim.x * blockDim.x)")
        var inner = 1
        for (axis, extent) in kernel.parallelExtents.enumerated().reversed() {
            let quotient = inner == 1 ? "flat" : "flat / \(inner)"
            let value = axis == 0 ? quotient : "\(quotient) % \(extent)"
            emitter.functions.line("const int64_t \(LoopVariable.parallel(axis).name) = \(value);")
            inner *= extent
        }
        emitter.emitSteps(kernel, schedule, renderer)
        emitter.functions.close()
    }

    /// A kernel of one point as one block. Every thread runs the statements and the unchunked
    /// nests (same values in each thread); only thread 0 stores, then the block waits. A
    /// chunked nest: each thread folds chunks `threadIdx.x`, `+ blockDim.x`, ... into shared
    /// partial results, the block waits, and every thread folds the partials in chunk order.
    private static func emitBlockReduction(_ kernel: LoopKernel, chunks: [Int: (count: Int, length: Int)],
                                           _ renderer: CFamilyRenderer, in emitter: inout CProgramEmitter) {
        var nestIndex = -1
        for step in kernel.steps {
            switch step {
            case .statement(let statement) where statement.writtenBuffer != nil:
                emitter.functions.line("if (threadIdx.x == 0) " + renderer.render(statement))
                emitter.functions.line("__syncthreads();")
            case .statement(let statement):
                emitter.functions.line(renderer.render(statement))
            case .nest(let nest):
                nestIndex += 1
                guard let chunk = chunks[nestIndex] else {
                    emitter.emitNest(nest, simd: false, renderer, firstLoop: nil)
                    continue
                }
                emitter.functions.line("/* \(chunk.count) chunks of \(chunk.length) iterations, folded in order */")
                for accumulator in nest.accumulators {
                    emitter.functions.line("__shared__ \(accumulator.type.cName) \(accumulator.name)_part[\(chunk.count)];")
                }
                emitter.functions.open("for (int64_t chunk = threadIdx.x; chunk < \(chunk.count); chunk += blockDim.x)")
                emitter.functions.line("const int64_t chunkStart = chunk * \(chunk.length);")
                let extent = nest.extents[0]
                emitter.functions.line("const int64_t chunkEnd = chunkStart + \(chunk.length) < \(extent) ? chunkStart + \(chunk.length) : \(extent);")
                emitter.emitNest(nest, simd: false, renderer, firstLoop: ("chunkStart", "chunkEnd"))
                for accumulator in nest.accumulators {
                    emitter.functions.line("\(accumulator.name)_part[chunk] = \(accumulator.name);")
                }
                emitter.functions.close()
                emitter.functions.line("__syncthreads();")
                emitter.emitFoldOfChunks(nest, count: chunk.count, renderer)
            }
        }
    }
}
