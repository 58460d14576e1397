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
/// - a kernel over points runs a grid-stride loop over its flattened parallel extent, four
///   points a thread with `float4` loads and stores where every access is the point's own
///   element of a float32 buffer (CUDAVectorized.swift);
/// - a kernel whose points reduce enough elements runs a warp or a block per point, whose
///   threads stride the reduction and combine with shuffles (CUDAReductions.swift); so does a
///   kernel of one point, whose reductions the CPU schedule splits into fixed chunks
///   (`KernelSchedule.chunks`): a warp folds each chunk, the block folds the chunks' results in
///   chunk order;
/// - a kernel whose points may write one element (`racingVariables`: scatter-add, index-put)
///   runs on one thread, in loop order, as the C program does (never atomics: the sums keep one order);
///   so does any other kernel of one point.
enum CUDAKernels {
    /// How a kernel's points map onto threads.
    enum Mapping {
        case gridStride(points: Int)
        case vectorized(CUDAVectorized)
        case group(CUDAReductions)
        case oneThread
    }

    static func mapping(_ kernel: LoopKernel) -> Mapping {
        if !kernel.racingVariables.isEmpty { return .oneThread }
        if let reductions = CUDAReductions(kernel) { return .group(reductions) }
        guard !kernel.parallelExtents.isEmpty else { return .oneThread }
        if let vectorized = CUDAVectorized(kernel) { return .vectorized(vectorized) }
        return .gridStride(points: kernel.parallelExtents.reduce(1, *))
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
        switch mapping {
        case .gridStride(let points):
            emitGridStride(kernel, points: points, buffers.renderer, in: &emitter)
        case .vectorized(let vectorized):
            vectorized.emit(kernel, buffers, in: &emitter)
        case .group(let reductions):
            reductions.emit(kernel, buffers.renderer, in: &emitter)
        case .oneThread:
            if kernel.parallelExtents.isEmpty {
                emitter.emitSteps(kernel, sequentialSchedule(kernel), buffers.renderer)
            } else {
                emitGridStride(kernel, points: kernel.parallelExtents.reduce(1, *), buffers.renderer, in: &emitter)
            }
        }
        emitter.functions.close()
        emitter.functions.line()

        let geometry = switch mapping {
        case .gridStride(let points): "dim3(tgc_grid(\(points))), dim3(TGC_BLOCK)"
        case .vectorized(let vectorized): "dim3(tgc_grid(\(vectorized.quads))), dim3(TGC_BLOCK)"
        case .group(let reductions): reductions.geometry
        case .oneThread: "dim3(1), dim3(1)"
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
        case .vectorized: "a grid-stride loop over four points at a time (float4)"
        case .group(let reductions): reductions.description
        case .oneThread: "one thread, in loop order,"
        }
    }

    /// The C schedule without its CPU-only parts: every step runs sequentially at its point.
    static func sequentialSchedule(_ kernel: LoopKernel) -> KernelSchedule {
        var schedule = KernelSchedule(kernel)
        schedule.simdNests = []
        return schedule
    }

    /// `const int64_t i1 = flat % 8; const int64_t i0 = flat / 8;`: the parallel loop
    /// variables decoded (row-major) from the flat point `flat`.
    static func emitPointDecoding(_ kernel: LoopKernel, in emitter: inout CProgramEmitter) {
        var inner = 1
        for (axis, extent) in kernel.parallelExtents.enumerated().reversed() {
            let quotient = inner == 1 ? "flat" : "flat / \(inner)"
            let value = axis == 0 ? quotient : "\(quotient) % \(extent)"
            emitter.functions.line("const int64_t \(LoopVariable.parallel(axis).name) = \(value);")
            inner *= extent
        }
    }

    /// `for (flat = thread; flat < points; flat += threads)`, the parallel loop variables
    /// decoded from `flat`, then the steps.
    static func emitGridStride(_ kernel: LoopKernel, points: Int, from start: Int = 0,
                               _ renderer: CFamilyRenderer, in emitter: inout CProgramEmitter) {
        emitter.functions.open("for (int64_t flat = \(start == 0 ? "" : "\(start) + ")(int64_t)blockIdx.x * blockDim.x + threadIdx.x; flat < \(points); flat += (int64_t)gridDim.x * blockDim.x)")
        emitPointDecoding(kernel, in: &emitter)
        emitter.emitSteps(kernel, sequentialSchedule(kernel), renderer)
        emitter.functions.close()
    }
}
