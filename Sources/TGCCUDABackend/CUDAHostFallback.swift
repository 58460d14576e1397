import TGCCBackend
import TGCCore
import TGCLowering

/// Kernels that run on the host in a CUDA program, for now: those calling a host-only helper
/// (`tgc_op_checked_index`, `tgc_op_checked_dimension_index`, `tgc_op_imod`: they report a bad
/// index or a modulo by zero with `tgc_fatal_at`, which has no device version yet). The buffers
/// the kernel touches are copied to the host, the C program's kernel function runs, and what it
/// wrote is copied back. The ops that the C program runs through the runtime (sort, convolution,
/// pooling, the RNG, file I/O, printing) run on the host the same way, through the walk
/// (`CProgramEmitter.emitOp`); docs/CUDA.md lists them. Each is marked in the generated code.
enum CUDAHostFallback {
    /// Why `kernel` cannot run on the device, or nil when it can.
    static func reason(_ kernel: LoopKernel) -> String? {
        var found: Intrinsic?
        func visit(_ expr: ScalarExpr) {
            switch expr {
            case .call(let function, let arguments):
                if isHostOnly(function) { found = function }
                arguments.forEach(visit)
            case .prefix(_, let x), .cast(_, let x): visit(x)
            case .infix(_, let a, let b):
                visit(a)
                visit(b)
            case .ternary(let c, let a, let b): [c, a, b].forEach(visit)
            case .guardedLoad(_, _, _, let fill): visit(fill)
            case .load, .indirectLoad, .local, .loopIndex, .offset, .floatLiteral, .doubleLiteral, .intLiteral, .stringLiteral: break
            }
        }
        for statement in kernel.allStatements { visit(statement.value) }
        for case .nest(let nest) in kernel.steps { nest.accumulators.forEach { visit($0.initial) } }
        return found.map { "it calls \(CFamilyRenderer.spelling($0)), which is host only" }
    }

    /// The helpers that report errors through the host runtime.
    private static func isHostOnly(_ function: Intrinsic) -> Bool {
        switch function {
        case .checkedIndex, .checkedDimensionIndex, .integerFloorMod: true
        case .double(let single): isHostOnly(single)
        default: false
        }
    }

    static func emitKernel(_ kernel: LoopKernel, for op: Op, reason: String, device: CUDADevice,
                           in emitter: inout CProgramEmitter) throws {
        var read: [Value] = []
        var written: [Value] = []
        for statement in kernel.allStatements {
            read += statement.buffersRead
            if let buffer = statement.writtenBuffer { written.append(buffer) }
        }
        emitter.out.line("/* HOST FALLBACK: \(CSourceText.comment(CProgramEmitter.functionBase(op))) runs on the host (\(CSourceText.comment(reason))) */")
        device.emitToHost(written + read, in: &emitter)
        let function = try emitter.emitKernelFunction(kernel, for: op)
        emitter.out.line(function.call + ";")
        device.emitToDevice(written, in: &emitter)
    }
}
