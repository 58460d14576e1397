import TGCBase
import TGCCore
import TGCLowering

/// The body of `tgc_program`: each op's lowering printed as C, in program order.
extension CProgramEmitter {
    /// Emits the ops of `block`; its `yield` is left to the loop or branch that owns the block.
    /// Runs of row-aligned kernels share one outer loop (`RowNest`); runs of elementwise updates
    /// of carried state are one kernel (`ElementGroup`).
    /// A device program (`device` set) runs each op in order, element groups as one kernel each:
    /// row nests are a CPU schedule.
    package mutating func emitBlock(_ block: Block) throws {
        if let device {
            for part in ElementGroup.parts(of: block, plan: plan) {
                switch part {
                case .ops(let ops): for op in ops { try emitOp(op) }
                case .group(let group): device.emitElementGroup(group, in: &self)
                }
            }
            return
        }
        for run in RowNest.runs(of: block, plan: plan, apart: PooledActivation.keptApart(pooledActivations.values)) {
            switch run {
            case .op(let op):
                try emitOp(op)
            case .rows(let nest):
                let function = emitRowNestFunction(nest)
                let locations = nest.members.flatMap(\.ops).map { Self.locationText($0.location) }.filter { !$0.isEmpty }
                out.line(function.call + ";" + (locations.isEmpty ? "" : "  /* \(CSourceText.comment(locations.joined(separator: ", "))) */"))
            case .elements(let group):
                let function = emitElementGroupFunction(group)
                let locations = Set(group.members.map { Self.locationText($0.location) }).filter { !$0.isEmpty }.sorted()
                out.line(function.call + ";" + (locations.isEmpty ? "" : "  /* \(CSourceText.comment(locations.joined(separator: ", "))) */"))
            }
        }
    }

    private mutating func emitOp(_ op: Op) throws {
        let title = [IRPrinter.opName(op.kind), Self.locationText(op.location)].filter { !$0.isEmpty }.joined(separator: "  ")
        if op.results.count == 1, case .transposed(let base) = plan.storage[op.result] {
            out.line("/* \(CSourceText.comment(title)): read by matmul as \(name(base))^T, not materialized */")
            return
        }
        if op.results.count == 1, scatterFilledBases.contains(op.result) {
            out.line("/* \(CSourceText.comment(title)): \(name(op.result)) is filled block by block by the scatter that starts from it */")
            return
        }
        if device == nil, let pooled = pooledActivations.values.first(where: { $0.activation === op || $0.gather === op }) {
            let pooling = "tgc_max_pool2d_affine_relu_f32 on \(name(pooled.input))"
            out.line("/* \(CSourceText.comment(title)): " + (pooled.activation === op
                ? "made plane by plane where the max pooling reads it (\(pooling)) */" : "written by the max pooling (\(pooling)) */"))
            return
        }
        let lowering = plan.lowering(of: op)
        if let device {
            switch lowering {
            case .kernel(let kernel):
                try device.emitKernel(kernel, for: op, in: &self)
                return
            case .gemm(let call):
                out.line("/* \(CSourceText.comment(title)): \(gemmProduct(call, op)) */")
                try device.emitGemm(call, for: op, in: &self)
                return
            case .view, .staticData, .loop, .branch, .yield, .loopExit:
                break
            case .random, .argsort, .cascadeSum, .nllSum, .convolution, .input, .hyper, .load, .save, .print, .progress, .addScalar, .reseed,
                 .allReduce, .processRank:
                if device.emitRuntimeCall(op, lowering, in: &self) { return }
                // Runs on the host: its operands come over first, its results go back after.
                device.emitToHost(op.operands, in: &self)
                try emitHostOp(op, lowering, title: title)
                device.emitToDevice(op.results.filter(readValues.contains), in: &self)
                return
            }
        }
        try emitHostOp(op, lowering, title: title)
    }

    /// A runtime convolution or pooling `statement` in a block of its own with its `shape`, on
    /// this thread alone when the call is small (ConvolutionCall+Threads.swift).
    private mutating func emitConvolutionCall(_ call: ConvolutionCall, _ statement: String) {
        out.open("")
        out.line("static const tgc_conv2d_shape shape = {\(call.shape.fields.map(String.init).joined(separator: ", "))};")
        if call.runsSerially { out.line("const int threads = tgc_threads_limit(1);") }
        out.line(statement)
        if call.runsSerially { out.line("tgc_threads_restore(threads);") }
        out.close()
    }

    /// `v5 = v3 * v4^T`: what a matrix product computes, for its comment.
    package func gemmProduct(_ call: GemmCall, _ op: Op) -> String {
        "\(name(op.result)) = \(name(call.a))\(call.transposeA ? "^T" : "") * \(name(call.b))\(call.transposeB ? "^T" : "")"
    }

    /// The arguments of an sgemm call after the transpose flags (`m, n, k, 1.0f, A, lda, B, ldb,
    /// 0.0f, C, ldc`) with buffers spelled by `buffer`; a batch's matrices are offset by
    /// Σ counter × stride (`counters` name the batch loops).
    package func gemmArguments(_ call: GemmCall, _ op: Op, counters: [String], buffer: (Value) -> String) -> String {
        func matrix(_ base: String, _ strides: [Int]) -> String {
            zip(counters, strides).filter { $0.1 != 0 }.reduce(base) { "\($0) + \($1.0) * \($1.1)" }
        }
        return "\(call.transposeA ? 1 : 0), \(call.transposeB ? 1 : 0), \(call.m), \(call.n), \(call.k), 1.0f, "
            + "\(matrix(buffer(call.a), call.batch.stridesA)), \(call.lda), \(matrix(buffer(call.b), call.batch.stridesB)), \(call.ldb), 0.0f, "
            + "\(matrix(buffer(op.result), call.batch.stridesC)), \(call.n)"
    }

    /// The counters of a matrix product's batch loops at the current loop depth.
    package func gemmCounters(_ call: GemmCall) -> [String] {
        call.batch.extents.indices.map { "batch\(loopDepth)_\($0)" }
    }

    /// One op as the C program runs it, on the host.
    private mutating func emitHostOp(_ op: Op, _ lowering: LoweredOp, title: String) throws {
        switch lowering {
        case .kernel(let kernel):
            let function = try emitKernelFunction(kernel, for: op)
            let location = Self.locationText(op.location)
            out.line(function.call + ";" + (location.isEmpty ? "" : "  /* \(CSourceText.comment(location)) */"))
        case .gemm(let call):
            let product = gemmProduct(call, op)
            // A batch: one call per matrix, each operand offset by Σ batch index × its stride.
            let counters = gemmCounters(call)
            let arguments = gemmArguments(call, op, counters: counters, buffer: name)
            if !call.batch.extents.isEmpty {
                precondition(call.epilogue == nil, "matmul epilogues are 2-D only (FusionEpilogue.swift)")
                out.line("/* \(CSourceText.comment(title)): \(product) with tgc_sgemm, one call per matrix of the batch */")
                for (counter, extent) in zip(counters, call.batch.extents) { out.openLoop(counter, to: "\(extent)") }
                out.line("tgc_sgemm(\(arguments));")
                for _ in counters { out.close() }
            } else if let packed = packedOperands(call) {
                let function = call.epilogue.map { emitEpilogueFunction($0, for: op) }
                out.line("/* \(CSourceText.comment(title)): \(product) with the weights packed once per context\(function.map { ", \($0.name) on each finished block" } ?? "") */")
                out.line("tgc_sgemm_prepacked(\(call.transposeA ? 1 : 0), \(call.transposeB ? 1 : 0), \(call.m), \(call.n), \(call.k), 1.0f, "
                         + "\(name(call.a)), \(call.lda), \(packed.a), \(name(call.b)), \(call.ldb), \(packed.b), 0.0f, \(name(op.result)), \(call.n), "
                         + "\(function?.call ?? "NULL, NULL"));")
            } else if let epilogue = call.epilogue {
                let function = emitEpilogueFunction(epilogue, for: op)
                out.line("/* \(CSourceText.comment(title)): \(product) with tgc_sgemm, \(function.name) on each finished block */")
                out.line("tgc_sgemm_epilogue(\(arguments), \(function.call));")
            } else {
                out.line("/* \(CSourceText.comment(title)): \(product) with tgc_sgemm */")
                out.line("tgc_sgemm(\(arguments));")
            }
        case .view(let base):
            out.line("/* \(CSourceText.comment(title)): \(Self.name(op.result)) is \(name(base)), no copy */")
        case .staticData:
            out.line("/* \(CSourceText.comment(title)): \(name(op.result)) is static data */")
        case .random where !readValues.contains(op.result):
            // Nothing reads the draws (a layer's initial weights that a program replaces): the
            // stream moves past them as a draw would, ceil(n / 4) Philox blocks.
            out.line("/* \(CSourceText.comment(title)): unused, the stream skips its draws */")
            out.line("tgc_rng_state.block += \((op.result.type.elementCount + 3) / 4);")
        case .random(let normal):
            out.line("/* \(CSourceText.comment(title)) */")
            out.line("tgc_rng_\(normal ? "normal" : "uniform")(&tgc_rng_state, \(name(op.result)), \(op.result.type.elementCount));")
        case .argsort(let call):
            out.line("/* \(CSourceText.comment(title)): a stable merge sort of each row */")
            let suffix = switch call.dtype {
            case .float32: "f32"
            case .float64: "f64"
            case .int64: "i64"
            case .int32: "i32"
            case .uint8, .bool: "u8"
            }
            out.line("tgc_argsort_\(suffix)(\(name(op.operands[0])), \(name(op.result)), \(call.outer), \(call.n), \(call.inner), \(call.descending ? 1 : 0));")
        case .cascadeSum(let call):
            out.line("/* \(CSourceText.comment(title)): summed in PyTorch's order */")
            out.open("")
            // A 0-dim operand still gets a one-element array (C has no empty ones); rank 0 reads none of it.
            out.line("static const int64_t shape[] = {\(call.shape.isEmpty ? "1" : call.shape.map(String.init).joined(separator: ", "))};")
            out.line("tgc_cascade_sum_\(call.dtype == .float64 ? "f64" : "f32")(\(name(op.operands[0])), \(name(op.result)), \(call.shape.count), shape, \(call.reducedMask)u);")
            out.close()
        case .nllSum(let count, let dtype):
            out.line("/* \(CSourceText.comment(title)): summed in PyTorch's nll_loss order */")
            out.line("\(name(op.result))[0] = tgc_nll_sum_\(dtype == .float64 ? "f64" : "f32")(\(name(op.operands[0])), \(name(op.operands[1])), \(count));")
        case .convolution(let call) where device == nil && pooledActivations[ObjectIdentifier(op)] != nil:
            let pooled = pooledActivations[ObjectIdentifier(op)]!
            out.line("/* \(CSourceText.comment(title)): tgc_max_pool2d_affine_relu_f32 in the runtime, of relu((y + bias) * scale + shift)"
                     + "\(call.runsSerially ? ", on this thread alone (small)" : "") */")
            let indices = op.kind == .maxPool2dIndices ? name(op.result) : "NULL"
            let values = pooled.gather.map { name($0.result) } ?? (op.kind == .maxPool2d ? name(op.result) : "NULL")
            func numbers(_ perChannel: PooledActivation.PerChannel) -> String {
                switch perChannel {
                case .value(let value): name(value)
                case .constant(let values): "(const float[]){\(values.map { CFamilyRenderer.literal(Float($0)) }.joined(separator: ", "))}"
                }
            }
            let arguments = [name(pooled.input), pooled.bias.map(numbers) ?? "NULL", numbers(pooled.scale), numbers(pooled.shift),
                             pooled.fused ? "1" : "0", indices, values]
            emitConvolutionCall(call, "tgc_max_pool2d_affine_relu_f32(&shape, \(arguments.joined(separator: ", ")));")
        case .convolution(let call):
            let serially = call.runsSerially   // ConvolutionCall+Threads.swift
            let prepared = packedConvolutionWeights(call, op)
            let function = prepared == nil ? call.function : "tgc_conv2d_prepacked_f32"
            out.line("/* \(CSourceText.comment(title)): \(function) in the runtime\(prepared == nil ? "" : ", the weights prepared once per context")"
                     + "\(serially ? ", on this thread alone (small)" : "") */")
            let arguments = op.operands.map { name($0) } + (prepared.map { [$0] } ?? []) + [name(op.result)]
            emitConvolutionCall(call, "\(function)(&shape, \(arguments.joined(separator: ", ")));")
        case .input:
            out.line("/* \(CSourceText.comment(title)) */")
            emitInput(op)
        case .hyper(let hyperName, _):
            out.line("/* \(CSourceText.comment(title)) */")
            out.line("\(name(op.result))[0] = tgc_hyper_values[\(hyperparameters.firstIndex { $0.name == hyperName } ?? 0)];")
        case .load(let path, let tensor):
            out.line("/* \(CSourceText.comment(title)) */")
            emitLoad(op, path: path, tensor: tensor)
        case .save(let path, let names):
            out.line("/* \(CSourceText.comment(title)) */")
            emitSave(op, path: path, names: names)
        case .print(let segments, let terminator):
            out.line("/* \(CSourceText.comment(title)) */")
            emitPrint(op, segments, terminator: terminator)
        case .progress(let key, let label, let total):
            out.line("/* \(CSourceText.comment(title)) */")
            out.open("if (tgc_printing)")
            emitText(op, label)
            out.line("tgc_progress(\(CSourceText.stringLiteral(key)), line.data, \(name(op.operands.last!))[0], \(total));")
            out.line("tgc_str_free(&line);")
            out.close()
        case .addScalar(let folder, let tag):
            out.line("/* \(CSourceText.comment(title)) */")
            out.line("add_scalar(\(CSourceText.stringLiteral(folder)), \(CSourceText.stringLiteral(tag)), \(name(op.operands[0]))[0], \(name(op.operands[1]))[0]);")
        case .reseed(let seed):
            out.line("/* \(CSourceText.comment(title)) */")
            out.line("tgc_rng_seed(&tgc_rng_state, UINT64_C(\(seed)));")
        case .loopExit:
            out.line("/* \(CSourceText.comment(title)): the loop's stop flag */")
            device?.emitToHost([op.operands[0]], in: &self)
            out.line("if (\(name(op.operands[0]))[0]) break;")
        case .allReduce:
            out.line("/* \(CSourceText.comment(title)): the mean over the MPI processes */")
            let suffix = op.result.type.dtype == .float64 ? "f64" : "f32"
            out.line("tgc_all_reduce_mean_\(suffix)(\(name(op.operands[0])), \(name(op.result)), \(op.result.type.elementCount));")
        case .processRank:
            out.line("/* \(CSourceText.comment(title)) */")
            out.line("\(name(op.result))[0] = tgc_process_rank();")
        case .loop(let lower, let upper):
            out.line("/* \(CSourceText.comment(title)) */")
            try emitLoop(op, lower: lower, upper: upper)
        case .branch:
            out.line("/* \(CSourceText.comment(title)) */")
            try emitBranch(op)
        case .yield:
            break
        }
    }

    // MARK: control flow

    /// A C for loop. Carried values live in the body's argument buffers: the initial values are
    /// copied in before the loop, the yielded ones at the end of each iteration (swaps through
    /// temporaries), and the loop's results are those buffers afterwards.
    private mutating func emitLoop(_ op: Op, lower: Int, upper: Int) throws {
        let body = op.regions[0]
        let indexArgument = body.arguments[0]
        let carried = Array(body.arguments.dropFirst())
        for (argument, initial) in zip(carried, op.operands) {
            emitCopy(to: name(argument), from: name(initial), argument.type)
        }
        let counter = "iter\(loopDepth)"
        out.openLoop(counter, from: "\(lower)", to: "\(upper)")
        out.line("\(name(indexArgument))[0] = \(counter);")
        device?.emitToDevice([indexArgument], in: &self)
        loopDepth += 1
        try emitBlock(body)
        loopDepth -= 1
        let copies = plan.carryCopies(of: op)
        let steps = zip(zip(carried, body.yielded), copies).map { ($0.0, $0.1, $1) }
        if steps.contains(where: { if case .none = $0.2 { false } else { true } }) {
            out.line("/* carry to the next iteration */")
        }
        for (argument, yielded, copy) in steps {
            if case .throughTemporary = copy {
                emitCopy(to: Self.temporaryName(argument), from: name(yielded), argument.type)
            }
        }
        for (argument, yielded, copy) in steps {
            if case .direct = copy {
                emitCopy(to: name(argument), from: name(yielded), argument.type)
            }
        }
        for (argument, _, copy) in steps {
            if case .throughTemporary = copy {
                emitCopy(to: name(argument), from: Self.temporaryName(argument), argument.type)
            }
        }
        out.close()
    }

    /// Copies a value of `type` between two buffers (named as on the host): `memcpy`, or the
    /// device's copy.
    private mutating func emitCopy(to destination: String, from source: String, _ type: TensorType) {
        if let device {
            out.line(device.copyStatement(to: Self.deviceName(destination), from: Self.deviceName(source), bytes: byteCount(type)))
        } else {
            out.line("memcpy(\(destination), \(source), \(byteCount(type)));")
        }
    }

    /// C if/else on the bool scalar; each branch copies what it yields into the result buffers.
    private mutating func emitBranch(_ op: Op) throws {
        device?.emitToHost([op.operands[0]], in: &self)
        out.open("if (\(name(op.operands[0]))[0])")
        try emitBranchRegion(op.regions[0], results: op.results)
        out.close("} else {")
        out.indent += 1
        try emitBranchRegion(op.regions[1], results: op.results)
        out.close()
    }

    private mutating func emitBranchRegion(_ region: Block, results: [Value]) throws {
        try emitBlock(region)
        for (result, yielded) in zip(results, region.yielded) where plan.address(result) != plan.address(yielded) {
            emitCopy(to: name(result), from: name(yielded), result.type)
        }
    }

    // MARK: effects

    private mutating func emitInput(_ op: Op) {
        guard libraryResult == nil else { return }   // a library function's parameter, bound where declared
        guard case .input(let index) = plan.storage[op.result]! else { return }
        let entry = "tgc_inputs[\(index)]"
        out.line("if (!\(entry).bound) tgc_fatal(\"input '%s' is not bound: pass --in %s=FILE.npy\", \(entry).name, \(entry).name);")
        out.line("\(name(op.result)) = (\(ScalarType(op.result.type.dtype).cName) *)\(entry).data;")
    }

    private mutating func emitLoad(_ op: Op, path: String, tensor: String?) {
        let type = op.result.type
        let shape = "\(dtypeCode(type.dtype)), \(type.rank), \(shapeLiteral(type)), \(name(op.result))"
        let location = CSourceText.stringLiteral(op.location == .unknown ? "" : op.location.description)
        if let tensor {
            if let names = op.attributes.names {   // a model's checkpoint: no key beyond the model's
                let list = names.map(CSourceText.stringLiteral).joined(separator: ", ")
                out.line("check_safetensors_keys(\(location), \(CSourceText.stringLiteral(path)), \(names.count), (const char *const[]){\(list)});")
            }
            out.line("load_safetensors(\(location), \(CSourceText.stringLiteral(path)), \(CSourceText.stringLiteral(tensor)), \(shape));")
        } else {
            var file = type
            if let fileRows = op.attributes.fileRows { file.shape[0] = fileRows }
            let fileShape = "\(dtypeCode(type.dtype)), \(type.rank), \(shapeLiteral(file)), \(type.shape.first ?? 1), \(name(op.result))"
            out.line("load_data(\(location), \(CSourceText.stringLiteral(path)), \(fileShape));")
        }
    }

    private mutating func emitSave(_ op: Op, path: String, names: [String]?) {
        if let libraryResult, path == LibraryFunction.resultPath {
            out.line("memcpy(\(libraryResult), \(name(op.operands[0])), \(byteCount(op.operands[0].type)));")
            return
        }
        guard let names else {
            let value = op.operands[0]
            out.line("save_npy(\(CSourceText.stringLiteral(path)), \(dtypeCode(value.type.dtype)), \(value.type.rank), \(shapeLiteral(value.type)), \(name(value)));")
            return
        }
        out.open("")
        for (index, value) in op.operands.enumerated() {
            out.line("static const int64_t shape\(index)[] = {\(value.type.shape.map(String.init).joined(separator: ", "))\(value.type.rank == 0 ? "0" : "")};")
        }
        out.line("const tgc_safetensors_tensor tensors[] = {")
        for (index, (value, tensorName)) in zip(op.operands, names).enumerated() {
            out.line("    {\(CSourceText.stringLiteral(tensorName)), \(dtypeCode(value.type.dtype)), \(value.type.rank), shape\(index), \(name(value))},")
        }
        out.line("};")
        out.line("save_safetensors(\(CSourceText.stringLiteral(path)), \(op.operands.count), tensors);")
        out.close()
    }

    /// The line is assembled exactly as the interpreter's PrintFormatter assembles it.
    private mutating func emitPrint(_ op: Op, _ segments: [PrintSegment], terminator: String?) {
        out.open("if (tgc_printing)")
        emitText(op, segments)
        if let terminator {
            out.line("tgc_str_append(&line, \(CSourceText.stringLiteral(terminator)));")
            out.line("tgc_str_write(&line, stdout);")
        } else {
            out.line("tgc_str_println(&line, stdout);")
        }
        out.line("tgc_str_free(&line);")
        out.close()
    }

    /// Declares `tgc_str line` holding the text of `segments` (the op's operands formatted as
    /// the interpreter's PrintFormatter formats them); the caller frees it.
    private mutating func emitText(_ op: Op, _ segments: [PrintSegment]) {
        func suffixText(_ suffix: String?) -> String { suffix.map(CSourceText.stringLiteral) ?? "NULL" }
        func appendTensor(_ value: Value, suffix: String) {
            out.line("tgc_str_append_tensor(&line, \(name(value)), \(dtypeCode(value.type.dtype)), \(shapeLiteral(value.type)), \(value.type.rank), \(suffix));")
        }
        out.line("tgc_str line;")
        out.line("tgc_str_init(&line);")
        for segment in segments {
            switch segment {
            case .text(let text):
                out.line("tgc_str_append(&line, \(CSourceText.stringLiteral(text)));")
            case .tensor(let operand, let suffix):
                appendTensor(op.operands[operand], suffix: suffixText(suffix))
            case .tensorWithBranchSuffix(let operand, let condition, let ifTrue, let ifFalse):
                appendTensor(op.operands[operand],
                             suffix: "\(name(op.operands[condition]))[0] ? \(suffixText(ifTrue)) : \(suffixText(ifFalse))")
            case .scalar(let operand, let precision):
                let value = op.operands[operand]
                let element = value.type.elementCount > 0 ? "\(name(value))[0]" : "0"
                switch value.type.dtype {
                case .float32, .float64:
                    if let precision {
                        out.line("tgc_str_append_fixed(&line, (double)\(element), \(precision));")
                    } else {
                        out.line("tgc_str_append_float_repr(&line, (double)\(element));")
                    }
                case .int64, .int32, .uint8: out.line("tgc_str_append_int(&line, \(element));")
                case .bool: out.line("tgc_str_append_bool(&line, \(element));")
                }
            case .list(let operand):
                let value = op.operands[operand]
                out.line("tgc_str_append_list(&line, \(name(value)), \(dtypeCode(value.type.dtype)), \(shapeLiteral(value.type)), \(value.type.rank));")
            case .choice(let operand, let options):
                // the index was range-checked where the program computed it (as the interpreter's
                // formatter, an index outside appends nothing)
                let index = "\(name(op.operands[operand]))[0]"
                let table = "(const char *const[]){" + options.map(CSourceText.stringLiteral).joined(separator: ", ") + "}"
                out.line("if (\(index) >= 0 && \(index) < \(options.count)) tgc_str_append(&line, \(table)[\(index)]);")
            }
        }
    }
}
