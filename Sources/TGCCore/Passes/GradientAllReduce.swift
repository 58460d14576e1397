import TGCBase

/// Gradient all-reduce (data-parallel training, `tgc compile --distributed mpi`): after each
/// backward pass (each `gradient` op the autodiff pass expanded, `Module.backwardGradients`),
/// averages its float gradients over the MPI processes, so every process's optimizer step reads
/// the same mean gradient, as PyTorch's DistributedDataParallel. The gradients are flattened and
/// concatenated into buckets of at most `Distribution.bucketBytes` (a gradient larger than that
/// is a bucket of its own), one `all_reduce` per bucket, then sliced back:
///
///     %10 = reshape %9 {shape = [2]}      // grad b     %10 = reshape %9 {shape = [2]}
///     %12 = matmul %11, %8 : f32[3, 2]    // grad w     %12 = matmul %11, %8 : f32[3, 2]
///     print %12, %10                          ==>       %13 = reshape %12 {shape = [6]}
///                                                       %14 = constant 0 : f32[8]
///                                                       %15 = slice_update %14, %13 {[[0, 1, 6]]}
///                                                       %16 = slice_update %15, %10 {[[6, 1, 2]]}
///                                                       %17 = all_reduce %16 : f32[8]
///                                                       %19 = reshape (slice %17 {[[0, 1, 6]]}) {shape = [3, 2]}
///                                                       %20 = slice %17 {[[6, 1, 2]]}
///                                                       print %19, %20
///
/// Only the uses after the backward pass read the averages. Without `--distributed` it does
/// nothing. Limitations: the all-reduces run after the whole backward pass (no overlap with
/// it: the C program is one thread of control); a backward pass inside a loop that autodiff
/// had to unroll is an error.
let gradientAllReducePass = Pass(name: "gradient-all-reduce", summary: "average each backward pass's gradients over the MPI processes") { module in
    defer { module.backwardGradients = [] }
    guard let distribution = module.distribution else { return }
    let blocks = module.body.allBlocks
    for record in module.backwardGradients {
        guard blocks.contains(where: { $0 === record.block }),
              record.after.map({ after in record.block.ops.contains { $0 === after } }) ?? true else {
            throw Diagnostic("--distributed: this backward pass runs in a loop that differentiation unrolled; its gradients cannot be averaged over the processes (move the loop out of the differentiated code)", at: record.location)
        }
        try GradientBuckets.average(record, bucketBytes: distribution.bucketBytes, module)
    }
}

/// The gradients one `gradient` op expanded into, where its adjoint ops end (`after`: the last
/// of them, nil when they start the block) and its source location.
public struct BackwardGradients {
    public let block: Block
    public let after: Op?
    public let gradients: [Value]
    public let location: SourceLocation
}

/// Buckets of gradients averaged by one `all_reduce` each.
enum GradientBuckets {
    static func average(_ record: BackwardGradients, bucketBytes: Int, _ module: Module) throws {
        let block = record.block
        let position = record.after.map { after in block.ops.firstIndex { $0 === after }! + 1 } ?? 0
        let readers = Array(block.ops[position...])
        let builder = GraphBuilder(module: module, insertingInto: block, at: position)
        var replacements: [Value: Value] = [:]
        for bucket in buckets(of: record.gradients, bucketBytes: bucketBytes) {
            let averaged = try averageBucket(bucket.map(builder.id), builder, at: record.location)
            for (gradient, mean) in zip(bucket, averaged) { replacements[gradient] = builder.value(mean) }
        }
        for reader in readers {
            reader.walkIncludingSelf { op in op.operands = op.operands.map { replacements[$0] ?? $0 } }
        }
    }

    /// The distinct float gradients in order, grouped by dtype into runs of at most
    /// `bucketBytes` (one larger gradient alone).
    static func buckets(of gradients: [Value], bucketBytes: Int) -> [[Value]] {
        var seen = Set<Value>()
        var buckets: [[Value]] = []
        for dtype in [DType.float32, .float64] {
            var current: [Value] = []
            var bytes = 0
            for gradient in gradients where gradient.type.dtype == dtype && seen.insert(gradient).inserted {
                let size = gradient.type.elementCount * dtype.byteSize
                if !current.isEmpty && bytes + size > bucketBytes {
                    buckets.append(current)
                    (current, bytes) = ([], 0)
                }
                current.append(gradient)
                bytes += size
            }
            if !current.isEmpty { buckets.append(current) }
        }
        return buckets
    }

    /// One all-reduce of the bucket's gradients laid end to end, and each gradient's part of it.
    private static func averageBucket(_ gradients: [ValueID], _ b: GraphBuilder, at location: SourceLocation) throws -> [ValueID] {
        guard gradients.count > 1 else { return [try b.apply1(.allReduce, gradients, at: location)] }
        let flat = try gradients.map { try b.reshape($0, to: [b.type(of: $0).elementCount], at: location) }
        let mean = try b.apply1(.allReduce, [try b.concatenate(flat, axis: 0, at: location)], at: location)
        var offset = 0
        return try gradients.map { gradient in
            let type = b.type(of: gradient)
            var attrs = Attributes()
            attrs.slice = [SliceDim(start: offset, step: 1, size: type.elementCount)]
            offset += type.elementCount
            return try b.reshape(try b.apply1(.slice, [mean], attrs, at: location), to: type.shape, at: location)
        }
    }
}

extension Op {
    /// Visits this op, then every op of its regions.
    fileprivate func walkIncludingSelf(_ visit: (Op) -> Void) {
        visit(self)
        for region in regions { region.walk(visit) }
    }
}
