import TGCCBackend
import TGCCore
import TGCLowering

/// The CUDA program's device hooks in the C emitter's walk: kernels become `__global__`
/// functions launched with `TGC_LAUNCH` (CUDAKernels.swift), float32 matrix products call the
/// device sgemm, values cross between host and device buffers around the ops that run on the
/// host, and loop carries copy on the device.
struct CUDADevice: DeviceHooks {
    func emitKernel(_ kernel: LoopKernel, for op: Op, in emitter: inout CProgramEmitter) throws {
        CUDAKernels.emit(emitter.kernelAsRun(kernel, for: op), for: op, in: &emitter)
    }

    func emitElementGroup(_ group: ElementGroup, in emitter: inout CProgramEmitter) {
        CUDAKernels.emitElementGroup(group, in: &emitter)
    }

    /// `tgc_cuda_sgemm` on device buffers (one call per matrix of a batch), then the epilogue,
    /// if fusion gave the product one, as a kernel over the finished product.
    func emitGemm(_ call: GemmCall, for op: Op, in emitter: inout CProgramEmitter) throws {
        let counters = emitter.gemmCounters(call)
        let arguments = emitter.gemmArguments(call, op, counters: counters, buffer: emitter.deviceName)
        for (counter, extent) in zip(counters, call.batch.extents) { emitter.out.openLoop(counter, to: "\(extent)") }
        emitter.out.line("tgc_cuda_sgemm(\(arguments), tgc_sgemm_in_plain_order(\(call.n), \(call.k)), \(op.location.line));")
        for _ in counters { emitter.out.close() }
        if let epilogue = call.epilogue {
            precondition(call.batch.extents.isEmpty, "matmul epilogues are 2-D only (FusionEpilogue.swift)")
            CUDAKernels.emit(epilogue, for: op, in: &emitter)
        }
    }

    func emitToHost(_ values: [Value], in emitter: inout CProgramEmitter) {
        for value in Self.transferred(values, emitter.plan) {
            emitter.out.line("tgc_cuda_copy_to_host(\(emitter.name(value)), \(emitter.deviceName(value)), \(emitter.byteCount(value.type)));")
        }
    }

    func emitToDevice(_ values: [Value], in emitter: inout CProgramEmitter) {
        for value in Self.transferred(values, emitter.plan) {
            emitter.out.line("tgc_cuda_copy_to_device(\(emitter.deviceName(value)), \(emitter.name(value)), \(emitter.byteCount(value.type)));")
        }
    }

    /// Draws (read ones: an unread draw only moves the stream, on the host) with the device
    /// Philox, which gives the C runtime's numbers; float32 convolutions, their gradients and
    /// max pooling's indices with runtime/cuda/conv.cuh. A sort and a float64 convolution are
    /// host fallbacks, marked in the code.
    func emitRuntimeCall(_ op: Op, _ lowering: LoweredOp, in emitter: inout CProgramEmitter) -> Bool {
        let title = [IRPrinter.opName(op.kind), CProgramEmitter.locationText(op.location)].filter { !$0.isEmpty }.joined(separator: "  ")
        switch lowering {
        case .random(let normal) where emitter.readValues.contains(op.result):
            emitter.out.line("/* \(CSourceText.comment(title)): drawn on the device */")
            emitter.out.line("tgc_cuda_rng_\(normal ? "normal" : "uniform")(&tgc_rng_state, \(emitter.deviceName(op.result)), "
                             + "\(op.result.type.elementCount), \(op.location.line));")
            return true
        case .convolution(let call) where call.dtype == .float32:
            emitter.out.line("/* \(CSourceText.comment(title)): \(call.function) on the device */")
            emitter.out.open("")
            emitter.out.line("static const tgc_conv2d_shape shape = {\(call.shape.fields.map(String.init).joined(separator: ", "))};")
            let buffers = (op.operands + [op.result]).map { emitter.deviceName($0) }
            emitter.out.line("tgc_cuda_\(call.function.dropFirst("tgc_".count))(&shape, \(buffers.joined(separator: ", ")), \(op.location.line));")
            emitter.out.close()
            return true
        case .argsort, .cascadeSum, .nllSum, .convolution:
            emitter.out.line("/* HOST FALLBACK: \(CSourceText.comment(title)) runs in the C runtime on the host (no device kernel yet); "
                             + "operands copied over and back */")
            return false
        default:
            return false
        }
    }

    func copyStatement(to destination: String, from source: String, bytes: String) -> String {
        "tgc_cuda_copy_device_to_device(\(destination), \(source), \(bytes));"
    }

    /// The storage (root) values of `values` that a transfer moves: one per storage, non-empty,
    /// with a device buffer that can change (static data is the same on both sides).
    private static func transferred(_ values: [Value], _ plan: BufferPlan) -> [Value] {
        var seen = Set<BufferPlan.Address>()
        return values.map(plan.root).filter { value in
            guard value.type.elementCount > 0, CUDAEmitter.hasDeviceBuffer(value, plan) else { return false }
            if case .staticData = plan.storage[plan.root(value)] { return false }
            return seen.insert(plan.address(value)).inserted
        }
    }
}
