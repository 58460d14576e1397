import TGCCore
import TGCLowering

/// What a program whose kernels run on a device (the CUDA renderer, TGCCUDABackend) changes in
/// the C emitter's walk of the module body (`CProgramEmitter.emitBlock`): how a kernel and a
/// matrix product run, how values move between host and device around the ops that stay on the
/// host (prints, I/O, the RNG, runtime library calls), and how buffers are copied. Every value
/// has a host buffer (`v5`, the C program's) and a device buffer (`d5`); the device one is
/// current except right after an op the walk ran on the host.
package protocol DeviceHooks {
    /// Emits the launch of `kernel` (the lowering of `op`) into `emitter.out`, and its device
    /// function into `emitter.functions`.
    func emitKernel(_ kernel: LoopKernel, for op: Op, in emitter: inout CProgramEmitter) throws
    /// Emits the launch of an element group (ElementGroups.swift) as one kernel into
    /// `emitter.out`, and its device function into `emitter.functions`.
    func emitElementGroup(_ group: ElementGroup, in emitter: inout CProgramEmitter)
    /// Emits a matrix product into `emitter.out`.
    func emitGemm(_ call: GemmCall, for op: Op, in emitter: inout CProgramEmitter) throws
    /// Emits an op that the C program runs through the runtime (the RNG, a convolution, a sort)
    /// as device work and returns true, or returns false: the walk then runs it on the host,
    /// its operands copied over and its results back (a host fallback).
    func emitRuntimeCall(_ op: Op, _ lowering: LoweredOp, in emitter: inout CProgramEmitter) -> Bool
    /// Copies `values` from their device buffers into their host buffers.
    func emitToHost(_ values: [Value], in emitter: inout CProgramEmitter)
    /// Copies `values` from their host buffers into their device buffers.
    func emitToDevice(_ values: [Value], in emitter: inout CProgramEmitter)
    /// The statement that copies `bytes` bytes between two device buffers.
    func copyStatement(to destination: String, from source: String, bytes: String) -> String
}
