import TGCCore
import TGCLowering

/// Matmul epilogue functions (FusionEpilogue.swift): `tgc_sgemm_epilogue` calls one on each
/// block of C, rows `row0 ..< row1` by columns `col0 ..< col1`, as soon as the block is final.
/// The function is named after the group's ops and commented with their DSL lines like any
/// kernel; its buffers come through the context pointer, an array built at the call, and are
/// `restrict` pointers inside. It opens no parallel region: the runtime's threads call it.
///
///     static void fused_matmul_add_relu(void *ctx, int64_t row0, int64_t row1, int64_t col0, int64_t col1) {
///         void *const *buffers = ctx;
///         float *restrict v9 = buffers[0];
///         const float *restrict v3 = buffers[1];
///         for (int64_t i0 = row0; i0 < row1; i0++) {
///             #pragma omp simd
///             for (int64_t i1 = col0; i1 < col1; i1++) {
///                 v9[i0 * 256 + i1] = relu(v9[i0 * 256 + i1] + v3[i1]);   // as C
///             }
///         }
///     }
extension CProgramEmitter {
    mutating func emitEpilogueFunction(_ kernel: LoopKernel, for op: Op) -> KernelFunction {
        let function = uniqueFunctionName(Self.functionBase(op))
        let buffers = kernelBuffers([kernel])
        var comment = ["/* \(function): tgc_sgemm, then this epilogue on each finished block of its \(op.result.type) result"]
        comment += sourceLines(of: Self.members(op))
        comment[comment.count - 1] += " */"
        for line in comment { functions.line(line) }
        functions.open("static void \(function)(void *ctx, int64_t row0, int64_t row1, int64_t col0, int64_t col1)")
        functions.line("void *const *buffers = ctx;")
        for (index, declaration) in buffers.declarations.enumerated() {
            functions.line("\(declaration) = buffers[\(index)];")
        }
        functions.openLoop(LoopVariable.parallel(0).name, from: "row0", to: "row1")
        functions.openLoop(LoopVariable.parallel(1).name, from: "col0", to: "col1", pragma: "#pragma omp simd")
        emitSteps(kernel, KernelSchedule(kernel), buffers.renderer)
        functions.close()
        functions.close()
        functions.close()
        functions.line()
        let pointers = buffers.addresses.map { "(void *)" + buffers.names[$0]! }
        return KernelFunction(name: function, call: "\(function), (void *[]){\(pointers.joined(separator: ", "))}")
    }
}
