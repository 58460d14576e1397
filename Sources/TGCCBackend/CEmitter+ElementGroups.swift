import TGCCore
import TGCLowering

/// Element group functions (`ElementGroup`): one loop over the concatenated elements of every
/// tensor the group updates. With enough work (the member kernels' work decides, as for a row
/// nest) the range runs in fixed chunks shared by OpenMP threads, a thread taking a contiguous
/// run of chunks, each chunk running the part of every segment it covers. A segment is a
/// `static inline` function over a range of its elements whose vectorized loop runs all its
/// kernels' statements at each element.
extension CProgramEmitter {
    /// Elements per chunk of a parallel element group.
    static let elementGroupChunk = 4096

    mutating func emitElementGroupFunction(_ group: ElementGroup) -> KernelFunction {
        let function = elementGroupFunctionName(group)
        let buffers = kernelBuffers(group.segments.map(\.kernel))
        let total = group.elementCount
        let parallel = group.work >= KernelSchedule.parallelWork
        let how = "one loop over the \(total) elements of \(group.segments.count) tensor size\(group.segments.count == 1 ? "" : "s")"
            + (parallel ? ", in chunks of \(Self.elementGroupChunk) shared by OpenMP threads" : "")
        var calls: [(segment: ElementGroup.Segment, function: String, arguments: String)] = []
        for (index, segment) in group.segments.enumerated() {
            // Its own function with `restrict` parameters: inside the parallel region's outlined
            // body gcc no longer knows the pointers apart and reloads every operand after a store.
            let own = kernelBuffers([segment.kernel])
            let segmentFunction = "\(function)_segment\(index)"
            functions.line("/* \(segmentFunction): elements from ..< to of the tensors of \(segment.count) elements */")
            functions.open("static inline void \(segmentFunction)(int64_t from, int64_t to, \(own.parameters))")
            functions.openLoop(LoopVariable.parallel(0).name, from: "from", to: "to", pragma: segment.count >= 8 ? "#pragma omp simd" : nil)
            emitSteps(segment.kernel, KernelSchedule(segment.kernel), own.renderer)
            functions.close()
            functions.close()
            functions.line()
            let arguments = own.addresses.map { buffers.names[$0]! }
            calls.append((segment, segmentFunction, arguments.map { ", " + $0 }.joined()))
        }
        for line in elementGroupComment(group, function: function, how: how) { functions.line(line) }
        functions.open("static void \(function)(\(buffers.parameters))")
        if parallel {
            let chunk = Self.elementGroupChunk
            functions.openLoop("chunk", to: "\((total + chunk - 1) / chunk)", pragma: "#pragma omp parallel for schedule(static)")
            functions.line("const int64_t chunkStart = chunk * \(chunk);")
            functions.line("const int64_t chunkEnd = chunkStart + \(chunk) < \(total) ? chunkStart + \(chunk) : \(total);")
            for (segment, segmentFunction, arguments) in calls {
                let (offset, end) = (segment.offset, segment.offset + segment.count)
                functions.open("if (chunkStart < \(end) && chunkEnd > \(offset))")
                let range = "chunkStart > \(offset) ? chunkStart - \(offset) : 0, chunkEnd < \(end) ? chunkEnd - \(offset) : \(segment.count)"
                functions.line("\(segmentFunction)(\(range)\(arguments));")
                functions.close()
            }
            functions.close()
        } else {
            for (segment, segmentFunction, arguments) in calls { functions.line("\(segmentFunction)(0, \(segment.count)\(arguments));") }
        }
        functions.close()
        functions.line()
        return KernelFunction(name: function, call: "\(function)(\(buffers.arguments))")
    }

    /// `elements_add_sub_mul_sqrt_div`: the group's op names, as a row nest's are.
    package mutating func elementGroupFunctionName(_ group: ElementGroup) -> String {
        var names: [String] = []
        for op in group.members.flatMap({ Self.members($0) }) {
            let name = IRPrinter.opName(op.kind)
            if !names.contains(name) { names.append(name) }
        }
        return uniqueFunctionName("elements_" + names.prefix(8).joined(separator: "_"))
    }

    /// What the group's function holds: how it runs (`how`), each segment's range of the
    /// concatenated elements with its kernels (which tensors, which formulas), the DSL lines.
    package mutating func elementGroupComment(_ group: ElementGroup, function: String, how: String) -> [String] {
        var comment = ["/* \(function): \(how); at each element every kernel of its tensor, in order, a stored value reused from a register:"]
        for segment in group.segments {
            let kernels = segment.members.map { "\(Self.functionBase($0)) (\($0.result.type))" }
            comment.append(" *   elements \(segment.offset)..<\(segment.offset + segment.count): " + kernels.joined(separator: ", "))
        }
        comment += sourceLines(of: group.members.flatMap { Self.members($0) })
        comment[comment.count - 1] += " */"
        return comment
    }
}
