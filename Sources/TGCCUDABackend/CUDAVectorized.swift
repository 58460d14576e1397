import TGCCBackend
import TGCCore
import TGCLowering

/// An elementwise kernel whose every buffer access is the point's own element of a float32
/// buffer (the identity index of the flattened points; a broadcast scalar may be read too)
/// runs four consecutive points a thread, with one 16-byte `float4` load per operand and one
/// store per result (`ld.global.v4.f32` / `st.global.v4.f32`), then a scalar tail:
///
///     for (int64_t tgc_q = blockIdx.x * blockDim.x + threadIdx.x; tgc_q < 256; tgc_q += gridDim.x * blockDim.x) {
///         const float4 tgc_quad_v1 = reinterpret_cast<const float4 *>(v1)[tgc_q];
///         const float tgc_in_v1[4] = {tgc_quad_v1.x, tgc_quad_v1.y, tgc_quad_v1.z, tgc_quad_v1.w};
///         float tgc_out_v4[4];
///         { tgc_out_v4[0] = tgc_expf(tgc_in_v1[0] - 1.0f); }
///         ...
///         reinterpret_cast<float4 *>(v4)[tgc_q] = make_float4(tgc_out_v4[0], tgc_out_v4[1], tgc_out_v4[2], tgc_out_v4[3]);
///     }
///
/// Every buffer is 16-byte aligned: arena slots are `ArenaSlot.alignment` bytes apart in an
/// arena that `cudaMalloc` aligns to 256, and other buffers are allocations of their own.
struct CUDAVectorized {
    /// Groups of four points.
    var quads: Int
    var points: Int

    init?(_ kernel: LoopKernel) {
        precondition(ArenaSlot.alignment % 16 == 0, "float4 accesses need 16-byte aligned arena slots")
        points = kernel.parallelExtents.reduce(1, *)
        quads = points / 4
        guard quads > 0, kernel.nests.isEmpty, kernel.forms.isEmpty else { return nil }
        var strides: [Int] = []
        var inner = 1
        for extent in kernel.parallelExtents.reversed() {
            strides.insert(inner, at: 0)
            inner *= extent
        }
        func isIdentity(_ index: AffineIndex) -> Bool {
            index.constant == 0 && index.terms.count == strides.count
                && strides.indices.allSatisfy { index.stride(of: .parallel($0)) == strides[$0] }
        }
        var stored: Set<Value> = []
        for statement in kernel.allStatements {
            var regular = true
            statement.value.visit(indices: { buffer, index in
                guard let buffer, !stored.contains(buffer) else { regular = false; return }
                let isBroadcast = index.variables.isEmpty
                if !(isIdentity(index) && buffer.type.dtype == .float32) && !isBroadcast { regular = false }
            }, loopIndex: { _ in regular = false })
            guard regular else { return nil }
            switch statement {
            case .declare, .assign:
                break
            case .store(let buffer, let index, _):
                guard isIdentity(index), buffer.type.dtype == .float32 else { return nil }
                stored.insert(buffer)
            case .indirectStore, .accumulate:
                return nil
            }
        }
        // A buffer read both whole and as a broadcast scalar is left to the scalar loop.
        var identityRead: Set<Value> = []
        var broadcastRead: Set<Value> = []
        for statement in kernel.allStatements {
            statement.value.visit(indices: { buffer, index in
                if let buffer { index.variables.isEmpty ? broadcastRead.insert(buffer) : identityRead.insert(buffer) }
            })
        }
        guard identityRead.isDisjoint(with: broadcastRead) else { return nil }
    }

    func emit(_ kernel: LoopKernel, _ buffers: CProgramEmitter.KernelBuffers, in emitter: inout CProgramEmitter) {
        var loaded: [String] = []
        var stored: [String] = []
        for statement in kernel.allStatements {
            statement.value.visit(indices: { buffer, index in
                if let buffer, !index.variables.isEmpty {
                    let name = buffers.renderer.bufferName(buffer)
                    if !loaded.contains(name) { loaded.append(name) }
                }
            })
            if case .store(let buffer, _, _) = statement {
                let name = buffers.renderer.bufferName(buffer)
                if !stored.contains(name) { stored.append(name) }
            }
        }
        var renderer = buffers.renderer
        renderer.bufferName = { [loaded, base = buffers.renderer.bufferName] value in
            let name = base(value)
            return loaded.contains(name) ? "tgc_in_" + name : name
        }
        let lanes = ["x", "y", "z", "w"]
        emitter.functions.open("for (int64_t tgc_q = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; tgc_q < \(quads); tgc_q += (int64_t)gridDim.x * blockDim.x)")
        for name in loaded {
            emitter.functions.line("const float4 tgc_quad_\(name) = reinterpret_cast<const float4 *>(\(name))[tgc_q];")
            emitter.functions.line("const float tgc_in_\(name)[4] = {" + lanes.map { "tgc_quad_\(name).\($0)" }.joined(separator: ", ") + "};")
        }
        for name in stored { emitter.functions.line("float tgc_out_\(name)[4];") }
        for lane in 0..<4 {
            emitter.functions.open("")
            for statement in kernel.steps.compactMap({ if case .statement(let statement) = $0 { statement } else { nil } }) {
                let atLane = statement.mapIndices { $0.variables.isEmpty ? $0 : AffineIndex(constant: lane) }
                if case .store(let buffer, let index, let value) = atLane {
                    emitter.functions.line("tgc_out_\(buffers.renderer.bufferName(buffer))[\(index.constant)] = \(renderer.render(value));")
                } else {
                    emitter.functions.line(renderer.render(atLane))
                }
            }
            emitter.functions.close()
        }
        for name in stored {
            emitter.functions.line("reinterpret_cast<float4 *>(\(name))[tgc_q] = make_float4(" + (0..<4).map { "tgc_out_\(name)[\($0)]" }.joined(separator: ", ") + ");")
        }
        emitter.functions.close()
        if points % 4 != 0 {
            emitter.functions.line("/* the last \(points % 4) points */")
            CUDAKernels.emitGridStride(kernel, points: points, from: quads * 4, buffers.renderer, in: &emitter)
        }
    }
}
