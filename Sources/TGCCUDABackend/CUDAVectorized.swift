import TGCCBackend
import TGCCore
import TGCLowering

/// An elementwise kernel whose every access moves with its points four at a time runs four
/// consecutive points a thread, then a scalar tail:
///
/// - a float32 load or store of the point's own element (the identity index of the flattened
///   points), or, where the innermost extent is a multiple of 4, of an element that walks the
///   innermost loop with stride 1 from a multiple of 4 (a bias `b[i1]`): one 16-byte `float4`
///   access for the four points (`ld.global.nc.v4.f32`, and `st.global.wb.v4.f32` through `tgc_store_float4`);
/// - a load the four points share (a broadcast scalar; where the innermost extent is a
///   multiple of 4, any load that does not use the innermost loop: a row's max `m[i0]`): one
///   scalar load, at the first point's loop variables.
///
///     for (int64_t tgc_q = blockIdx.x * blockDim.x + threadIdx.x; tgc_q < 256; tgc_q += gridDim.x * blockDim.x) {
///         const int64_t flat = tgc_q * 4;
///         const int64_t i1 = flat % 8;
///         const int64_t i0 = flat / 8;
///         const float4 tgc_quad0 = *reinterpret_cast<const float4 *>(&v1[i0 * 8 + i1]);
///         const float tgc_in0[4] = {tgc_quad0.x, tgc_quad0.y, tgc_quad0.z, tgc_quad0.w};
///         float tgc_out0[4];
///         { tgc_out0[0] = tgc_expf(tgc_in0[0] - v2[i0]); }
///         ...
///         tgc_store_float4(&v4[i0 * 8 + i1], make_float4(tgc_out0[0], tgc_out0[1], tgc_out0[2], tgc_out0[3]));
///     }
///
/// Every buffer starts 16-byte aligned: arena slots are `ArenaSlot.alignment` bytes apart in
/// an arena that `cudaMalloc` aligns to 256, and other buffers are allocations of their own.
struct CUDAVectorized {
    /// Groups of four points.
    var quads: Int
    var points: Int

    /// How the four points of a quad reach one buffer access.
    private enum Access { case quad, shared }

    init?(_ kernel: LoopKernel) {
        precondition(ArenaSlot.alignment % 16 == 0, "float4 accesses need 16-byte aligned arena slots")
        points = kernel.parallelExtents.reduce(1, *)
        quads = points / 4
        guard quads > 0, kernel.nests.isEmpty, kernel.forms.isEmpty else { return nil }
        var stored: Set<Value> = []
        for statement in kernel.allStatements {
            var regular = true
            statement.value.visit(indices: { buffer, index in
                guard let buffer, !stored.contains(buffer), let access = Self.access(index, in: kernel),
                      access == .shared || buffer.type.dtype == .float32 else { regular = false; return }
            }, loopIndex: { _ in regular = false })
            guard regular else { return nil }
            switch statement {
            case .declare, .assign:
                break
            case .store(let buffer, let index, _):
                guard Self.access(index, in: kernel) == .quad, buffer.type.dtype == .float32 else { return nil }
                stored.insert(buffer)
            case .indirectStore, .accumulate:
                return nil
            }
        }
    }

    /// How a quad reaches the element at `index`, nil when its four elements are neither one
    /// aligned float4 nor one shared element.
    private static func access(_ index: AffineIndex, in kernel: LoopKernel) -> Access? {
        if index.variables.isEmpty { return .shared }
        var strides: [Int] = []
        var inner = 1
        for extent in kernel.parallelExtents.reversed() {
            strides.insert(inner, at: 0)
            inner *= extent
        }
        let isIdentity = index.constant == 0 && index.terms.count == strides.count
            && strides.indices.allSatisfy { index.stride(of: .parallel($0)) == strides[$0] }
        if isIdentity { return .quad }
        let innermost = LoopVariable.parallel(kernel.parallelExtents.count - 1)
        guard kernel.parallelExtents.last! % 4 == 0 else { return nil }
        switch index.stride(of: innermost) {
        case 0:
            return .shared
        case 1:
            let aligned = index.constant % 4 == 0 && index.terms.allSatisfy { $0.variable == innermost || $0.stride % 4 == 0 }
            return aligned ? .quad : nil
        default:
            return nil
        }
    }

    func emit(_ kernel: LoopKernel, _ buffers: CProgramEmitter.KernelBuffers, in emitter: inout CProgramEmitter) {
        let renderer = buffers.renderer
        let statements = kernel.steps.compactMap { step -> KernelStatement? in
            if case .statement(let statement) = step { statement } else { nil }
        }
        // Each distinct float4 load and store, by its text at the quad's first point.
        var loads: [String] = []
        var stores: [String] = []
        for statement in statements {
            statement.value.visit(indices: { buffer, index in
                guard let buffer, Self.access(index, in: kernel) == .quad else { return }
                let element = renderer.render(.load(buffer, index))
                if !loads.contains(element) { loads.append(element) }
            })
            if case .store(let buffer, let index, _) = statement {
                let element = renderer.render(.load(buffer, index))
                if !stores.contains(element) { stores.append(element) }
            }
        }
        emitter.functions.open("for (int64_t tgc_q = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; tgc_q < \(quads); tgc_q += (int64_t)gridDim.x * blockDim.x)")
        emitter.functions.line("const int64_t flat = tgc_q * 4;")
        CUDAKernels.emitPointDecoding(kernel, in: &emitter)
        for (number, element) in loads.enumerated() {
            emitter.functions.line("const float4 tgc_quad\(number) = *reinterpret_cast<const float4 *>(&\(element));")
            emitter.functions.line("const float tgc_in\(number)[4] = {" + ["x", "y", "z", "w"].map { "tgc_quad\(number).\($0)" }.joined(separator: ", ") + "};")
        }
        for number in stores.indices { emitter.functions.line("float tgc_out\(number)[4];") }
        for lane in 0..<4 {
            emitter.functions.open("")
            for statement in statements {
                let value = Self.replacingLoads(statement.value) { buffer, index in
                    guard Self.access(index, in: kernel) == .quad else { return nil }
                    return .local("tgc_in\(loads.firstIndex(of: renderer.render(.load(buffer, index)))!)[\(lane)]")
                }
                switch statement {
                case .declare(let name, let type, _):
                    emitter.functions.line(renderer.render(.declare(name, type, value)))
                case .assign(let name, _):
                    emitter.functions.line(renderer.render(.assign(name, value)))
                case .store(let buffer, let index, _):
                    let number = stores.firstIndex(of: renderer.render(.load(buffer, index)))!
                    emitter.functions.line("tgc_out\(number)[\(lane)] = \(renderer.render(value));")
                case .indirectStore, .accumulate:
                    preconditionFailure("a vectorized kernel stores only to its points' own elements")
                }
            }
            emitter.functions.close()
        }
        for (number, element) in stores.enumerated() {
            emitter.functions.line("tgc_store_float4(&\(element), make_float4(" + (0..<4).map { "tgc_out\(number)[\($0)]" }.joined(separator: ", ") + "));")
        }
        emitter.functions.close()
        if points % 4 != 0 {
            emitter.functions.line("/* the last \(points % 4) points */")
            CUDAKernels.emitGridStride(kernel, points: points, from: quads * 4, renderer, in: &emitter)
        }
    }

    /// `expr` with each load that `replacement` answers replaced (kernels with irregular forms
    /// are never vectorized, so plain loads are the only ones).
    private static func replacingLoads(_ expr: ScalarExpr, _ replacement: (Value, AffineIndex) -> ScalarExpr?) -> ScalarExpr {
        func walk(_ expr: ScalarExpr) -> ScalarExpr {
            switch expr {
            case .load(let buffer, let index): replacement(buffer, index) ?? expr
            case .prefix(let symbol, let x): .prefix(symbol, walk(x))
            case .infix(let symbol, let a, let b): .infix(symbol, walk(a), walk(b))
            case .call(let function, let arguments): .call(function, arguments.map(walk))
            case .cast(let type, let x): .cast(type, walk(x))
            case .ternary(let c, let a, let b): .ternary(walk(c), walk(a), walk(b))
            case .indirectLoad, .guardedLoad, .local, .loopIndex, .offset, .floatLiteral, .doubleLiteral, .intLiteral, .stringLiteral: expr
            }
        }
        return walk(expr)
    }
}
