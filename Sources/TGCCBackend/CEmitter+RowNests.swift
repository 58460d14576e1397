import TGCCore
import TGCLowering

/// Row nest functions (`RowNest`): one outer parallel loop over the shared rows calling, at
/// each row, one `static inline` row function per member kernel in order. A row function
/// holds its kernel's inner loops, statements and reduction nests as the kernel alone would
/// (an interchanged nest, a reduction over a middle axis, as its blocks of lanes),
/// with its own `restrict` parameters (const where it only reads): written inline into one
/// loop body, gcc stops vectorizing some inner loops (B3 softmax's divide).
extension CProgramEmitter {
    mutating func emitRowNestFunction(_ nest: RowNest) -> KernelFunction {
        var names: [String] = []
        for member in nest.members.flatMap({ $0.ops.flatMap(Self.members) }) {
            let name = IRPrinter.opName(member.kind)
            if names.last != name { names.append(name) }
        }
        let function = uniqueFunctionName("rows_" + names.prefix(8).joined(separator: "_"))
        let buffers = kernelBuffers(nest.members.map(\.kernel))
        var calls: [String] = []
        var rowFunctions: [String] = []
        for (ops, kernel) in nest.members {
            let rowFunction = uniqueFunctionName(ops.map(Self.functionBase).joined(separator: "_and_") + "_row")
            rowFunctions.append(rowFunction)
            let own = kernelBuffers([kernel])
            let types = ops.map { "\($0.result.type)" }.joined(separator: " and ")
            functions.line("/* \(rowFunction): row i0 of one loop nest over \(types)\(ops.count > 1 ? ", sibling reductions in one nest" : "") */")
            functions.open("static inline void \(rowFunction)(int64_t i0, \(own.parameters))")
            var schedule = KernelSchedule(kernel)
            if let interchange = schedule.interchange {
                schedule.parallel = false   // the row loop is the parallel one
                emitInterchanged(kernel, schedule, interchange, own.renderer, firstAxis: 1)
            } else {
                let inner = kernel.parallelExtents.dropFirst()
                for (offset, extent) in inner.enumerated() {
                    let axis = offset + 1
                    let simd = axis == kernel.parallelExtents.count - 1 && schedule.simdInnermost
                    functions.openLoop(LoopVariable.parallel(axis).name, to: "\(extent)", pragma: simd ? "#pragma omp simd" : nil)
                }
                emitSteps(kernel, schedule, own.renderer)
                for _ in inner { functions.close() }
            }
            functions.close()
            functions.line()
            let arguments = own.addresses.map { buffers.names[$0]! }
            calls.append("\(rowFunction)(i0\(arguments.map { ", " + $0 }.joined()));")
        }
        var comment = ["/* \(function): one loop over \(nest.rows) rows shared by OpenMP threads; at each row, in order: "
                       + rowFunctions.joined(separator: ", ")]
        comment += sourceLines(of: nest.members.flatMap { $0.ops.flatMap(Self.members) })
        comment[comment.count - 1] += " */"
        for line in comment { functions.line(line) }
        functions.open("static void \(function)(\(buffers.parameters))")
        // Rows of one element (elementwise kernels over a flat tensor, such as an optimizer's
        // moment and weight updates): the row loop is also the vector loop. Its iterations are
        // independent (each touches written memory only in its own row: RowNests.swift).
        let elementRows = nest.members.allSatisfy { $0.kernel.parallelExtents.count == 1 && $0.kernel.nests.isEmpty }
        functions.openLoop(LoopVariable.parallel(0).name, to: "\(nest.rows)",
                           pragma: elementRows ? "#pragma omp parallel for simd" : "#pragma omp parallel for")
        for call in calls { functions.line(call) }
        functions.close()
        functions.close()
        functions.line()
        return KernelFunction(name: function, call: "\(function)(\(buffers.arguments))")
    }
}
